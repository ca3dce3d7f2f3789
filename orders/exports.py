"""XLSX export of the orders screen: every order the current filters match, not only the page on screen.

openpyxl's write-only workbook streams rows to a temporary file (memory stays flat for 100,000 orders); orders are
read with a server-side cursor and their lines fetched per chunk of orders, so the export costs a query per
``CHUNK`` orders, never one per order. Times are written in Moscow time (what the screen shows) without a zone,
as Excel wants them.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from itertools import islice

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from connectors.choices import Marketplace
from orders.choices import OrderStatus, PaymentStatus, Scheme, StockState
from orders.models import Order, OrderLine
from orders.selectors import with_batch

CHUNK = 2000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIELDS = ("pk", "number", "external_id", "connection__marketplace", "connection__name", "scheme", "status",
          "marketplace_status", "stock_state", "buyer_name", "buyer_phone", "payment_status", "delivery_address",
          "warehouse__name", "ordered_at", "ship_by", "total", "batch_number")


def headers() -> list[str]:
    return [_("Number"), _("Marketplace id"), _("Marketplace"), _("Connection"), _("Scheme"), _("Status"),
            _("Marketplace status"), _("Stock"), _("Items"), _("Units"), _("Buyer"), _("Buyer phone"), _("Payment"),
            _("Delivery address"), _("Warehouse"), _("Ordered"), _("Ship by"), _("Total"), _("Pick batch")]


def _local(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _chunks(iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def rows(queryset: QuerySet[Order]) -> Iterator[list]:
    """One list of cell values per order, in the queryset's order."""
    labels = {
        "marketplace": dict(Marketplace.choices), "scheme": {k: k.upper() for k in Scheme.values},
        "status": dict(OrderStatus.choices), "stock": dict(StockState.choices), "payment": dict(PaymentStatus.choices),
    }
    values = with_batch(queryset).values_list(*FIELDS).iterator(chunk_size=CHUNK)
    for chunk in _chunks(values, CHUNK):
        lines: dict[int, list[tuple[str, int]]] = {}
        for order_id, variant_sku, offer_id, sku, quantity in OrderLine.objects.filter(
            order_id__in=[row[0] for row in chunk]
        ).order_by("pk").values_list("order_id", "variant__sku", "offer_id", "sku", "quantity"):
            # The seller's SKU: the catalogue's when matched, else their article on the marketplace.
            lines.setdefault(order_id, []).append((variant_sku or offer_id or sku, quantity))
        for (pk, number, external_id, marketplace, connection, scheme, status, marketplace_status, stock_state,
             buyer, phone, payment, address, warehouse, ordered_at, ship_by, total, batch_number) in chunk:
            own = lines.get(pk, [])
            yield [
                number, external_id, str(labels["marketplace"].get(marketplace, marketplace)), connection,
                labels["scheme"].get(scheme, scheme), str(labels["status"].get(status, status)), marketplace_status,
                str(labels["stock"].get(stock_state, stock_state)),
                ", ".join(f"{sku} × {quantity}" for sku, quantity in own), sum(q for _sku, q in own),
                buyer, phone, str(labels["payment"].get(payment, payment)), address, warehouse or "",
                _local(ordered_at), _local(ship_by), total, f"#{batch_number}" if batch_number else "",
            ]


def write_xlsx(queryset: QuerySet[Order]):
    """The workbook in a temporary file, rewound; the caller streams it and closing it deletes it."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Orders"))
    widths = (16, 16, 14, 22, 7, 14, 18, 16, 40, 7, 24, 16, 16, 48, 20, 17, 17, 12, 10)
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for title in headers():
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for values in rows(queryset):
        sheet.append(values)  # plain values: datetimes and decimals keep their types, as fast as openpyxl goes
    target = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes (and so deletes) it
    workbook.save(target)
    target.seek(0)
    return target
