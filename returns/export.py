"""The Возвраты list as an XLSX workbook: the rows of the current view, in the seller's time zone."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from returns.models import Return

# Enough for any seller's working list; an export never runs away with the server.
MAX_ROWS = 50_000


def _local(moment: datetime | None) -> datetime | None:
    # Excel has no time zones: write Moscow wall-clock time, as the screen shows it.
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def items_text(ret: Return) -> str:
    return ", ".join(f"{line.variant.sku if line.variant else line.offer_id} × {line.quantity}" for line in ret.lines.all())


def returns_workbook(returns: Iterable[Return]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(_("Returns"))[:31]
    columns = [
        (_("Marketplace"), 14), (_("Connection"), 22), (_("Return id"), 24), (_("Kind"), 16), (_("Order"), 24),
        (_("Items"), 36), (_("Reason (marketplace)"), 30), (_("Reason"), 20), (_("Status"), 14),
        (_("Marketplace status"), 22), (_("Answer by"), 17), (_("Requested"), 17), (_("Received"), 17),
        (_("Inspection"), 18), (_("Amount, ₽"), 12), (_("Order unknown"), 10),
    ]
    sheet.append([str(title) for title, _width in columns])
    for index, (_title, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for count, ret in enumerate(returns):
        if count >= MAX_ROWS:
            break
        sheet.append([
            ret.connection.get_marketplace_display(),
            ret.connection.name,
            ret.external_id,
            ret.get_kind_display(),
            ret.order.number if ret.order else ret.order_external_id,
            items_text(ret),
            ret.reason,
            ret.get_reason_code_display(),
            ret.get_status_display(),
            ret.marketplace_status,
            _local(ret.deadline_at),
            _local(ret.requested_at),
            _local(ret.received_at),
            ret.get_inspection_outcome_display() if ret.inspection_outcome else "",
            ret.amount,
            _("yes") if ret.order_id is None else "",
        ])
    for row in sheet.iter_rows(min_row=2, min_col=11, max_col=13):
        for cell in row:
            cell.number_format = "DD.MM.YYYY HH:MM"
    for (cell,) in sheet.iter_rows(min_row=2, min_col=15, max_col=15):
        cell.number_format = "#,##0.00"
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
