"""The handover act (акт приёма-передачи) of a batch: what the seller hands to the marketplace or its carrier.

Where the connector offers the marketplace's own act (AliExpress prints its handover list; a connector exposes it
as ``get_handover_act(shipment_ref) -> LabelFile``) and the batch has the marketplace's shipment id, that act is
kept. The ``Connector`` protocol itself has no act operation, so for every other marketplace — and whenever the
marketplace's act cannot be had — Okno renders its own: the orders with their boxes and units, totals, and
signature lines for both sides.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from connectors.base import Connector
from connectors.errors import MarketplaceError
from connectors.registry import connector_for
from orders.choices import BatchItemStatus, DocumentKind, OrderStatus
from orders.documents.common import DocumentError, local_time, page_label, render_pdf, save_document
from orders.models import BatchItem, Box, Document, OrderLine, PickBatch

ACT_OPERATION = "get_handover_act"


@dataclass
class ActResult:
    document: Document
    from_marketplace: bool
    note: str = ""  # why Okno's own act was printed instead of the marketplace's


def handover_act(batch: PickBatch, *, user=None, connector: Connector | None = None,
                 prefer_marketplace: bool = True) -> ActResult:
    batch = PickBatch.objects.select_related("connection", "warehouse").get(pk=batch.pk)
    note = ""
    if prefer_marketplace:
        own = connector is None
        connector = connector or connector_for(batch.connection)
        try:
            return _marketplace_act(batch, connector, user)
        except _NoMarketplaceAct as reason:
            note = str(reason)
        finally:
            if own:
                connector.http.close()
    return ActResult(render_okno_act(batch, user=user), from_marketplace=False, note=note)


class _NoMarketplaceAct(Exception):
    """Why the marketplace's own act cannot be had (the message is for the user)."""


def _marketplace_act(batch: PickBatch, connector: Connector, user) -> ActResult:
    fetch = getattr(connector, ACT_OPERATION, None)
    if fetch is None:
        raise _NoMarketplaceAct(_("%(marketplace)s offers no handover act through its API; Okno's act is printed.")
                                % {"marketplace": batch.connection.get_marketplace_display()})
    if not batch.external_ref:
        raise _NoMarketplaceAct(
            _("The marketplace's act exists once the batch is handed over; Okno's act is printed."))
    try:
        label = fetch(batch.external_ref.split(",")[0].strip())
    except MarketplaceError as exc:
        raise _NoMarketplaceAct(_("The marketplace did not give its act (%(error)s); Okno's act is printed.")
                                % {"error": exc.user_message()})
    document = save_document(DocumentKind.HANDOVER_ACT, label.content, f"handover-act-{batch.number}.pdf",
                             content_type=label.content_type or "application/pdf", batch=batch, user=user)
    return ActResult(document, from_marketplace=True)


def act_rows(batch: PickBatch) -> tuple[list[dict], list[BatchItem]]:
    """The orders on the act: those the marketplace accepted, or — before handover — those waiting for it.
    Refused orders are listed apart (they stay with the seller)."""
    items = list(
        BatchItem.objects.filter(batch=batch, active=True).exclude(status=BatchItemStatus.REMOVED)
        .select_related("order").order_by("pk")
    )
    done = [item for item in items if item.status == BatchItemStatus.DONE]
    listed = done or [item for item in items if item.status == BatchItemStatus.PENDING
                      and item.order.status != OrderStatus.CANCELLED]
    refused = [item for item in items if item.status == BatchItemStatus.FAILED]
    order_ids = [item.order_id for item in listed]
    units: dict[int, int] = {}
    for order_id, quantity in OrderLine.objects.filter(order_id__in=order_ids).values_list("order_id", "quantity"):
        units[order_id] = units.get(order_id, 0) + quantity
    boxes: dict[int, list[str]] = {}
    for order_id, barcode in Box.objects.filter(batch=batch, order_id__in=order_ids).order_by("pk").values_list(
        "order_id", "barcode"
    ):
        boxes.setdefault(order_id, []).append(barcode)
    rows = [{
        "index": index, "number": item.order.number, "external_id": item.order.external_id,
        "boxes": boxes.get(item.order_id, []), "box_count": len(boxes.get(item.order_id, [])) or 1,
        "units": units.get(item.order_id, 0),
    } for index, item in enumerate(listed, 1)]
    return rows, refused


def render_okno_act(batch: PickBatch, *, user=None) -> Document:
    rows, refused = act_rows(batch)
    if not rows:
        raise DocumentError(_("The batch has no orders to hand over."))
    content = render_pdf("orders/documents/handover_act.html", {
        "batch": batch,
        "organization": batch.organization,
        "marketplace": batch.connection.get_marketplace_display(),
        "connection": batch.connection.name,
        "warehouse": batch.warehouse,
        "rows": rows,
        "refused": refused,
        "total_boxes": sum(row["box_count"] for row in rows),
        "total_units": sum(row["units"] for row in rows),
        "date": local_time(batch.handed_over_at or timezone.now()),
        "page_label": page_label(),
    })
    return save_document(DocumentKind.HANDOVER_ACT, content, f"handover-act-{batch.number}.pdf", batch=batch,
                         user=user)
