"""Okno's own box labels (58×40 or 100×150 mm, Code128 of the box barcode, the product's EAN-13 where the box holds
one product that has one) and A4 packing slips, one page per order.

A box (грузоместо) gets a barcode unique in the organization: ``OK`` + the batch number + the box's sequence, so a
scan at the packing table or the handover leads to exactly one box, order and batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Barcode
from orders.batches import lock_batch
from orders.choices import BatchItemStatus, DocumentKind, OrderStatus
from orders.documents import barcodes
from orders.documents.common import DocumentError, local_time, page_label, render_pdf, save_document
from orders.models import BatchItem, Box, Document, Order, OrderLine, PickBatch

BOX_SIZES_MM = {"58x40": (58, 40), "100x150": (100, 150)}


@dataclass
class BoxLabel:
    barcode: str
    order_number: str
    marketplace: str
    marketplace_code: str
    batch_number: int
    index: int
    count: int
    ean13: str = ""
    lines: list[tuple[str, int]] = field(default_factory=list)  # (SKU, quantity)
    buyer: str = ""
    address: str = ""
    code128_uri: str = ""
    ean13_uri: str = ""


def box_barcode(batch: PickBatch, sequence: int) -> str:
    return f"OK{batch.number:06d}{sequence:04d}"


def _label_items(batch: PickBatch) -> list[BatchItem]:
    return list(
        BatchItem.objects.filter(batch=batch, active=True).exclude(status=BatchItemStatus.REMOVED)
        .exclude(order__status=OrderStatus.CANCELLED).select_related("order").order_by("pk")
    )


def create_boxes(batch: PickBatch) -> list[Box]:
    """One box per order of the batch that has none yet (idempotent); returns every box of the batch."""
    with transaction.atomic():
        batch = lock_batch(batch)
        existing = set(Box.objects.filter(batch=batch).values_list("order_id", flat=True))
        sequence = Box.objects.filter(batch=batch).count()
        weights = _order_weights([item.order_id for item in _label_items(batch)])
        new = []
        for item in _label_items(batch):
            if item.order_id in existing:
                continue
            sequence += 1
            new.append(Box(organization_id=batch.organization_id, batch=batch, order_id=item.order_id,
                           barcode=box_barcode(batch, sequence), weight_g=weights.get(item.order_id)))
        Box.objects.bulk_create(new)
    return list(Box.objects.filter(batch=batch).select_related("order").order_by("pk"))


def _order_weights(order_ids: list[int]) -> dict[int, int]:
    weights: dict[int, int] = {}
    for line in OrderLine.objects.filter(order_id__in=order_ids, variant__isnull=False).select_related(
        "variant__product"
    ):
        grams = line.variant.effective_weight_g
        if grams:
            weights[line.order_id] = weights.get(line.order_id, 0) + grams * line.quantity
    return weights


def box_labels(batch: PickBatch) -> list[BoxLabel]:
    """What each box label shows, boxes created on the way."""
    batch = PickBatch.objects.select_related("connection").get(pk=batch.pk)
    boxes = [box for box in create_boxes(batch) if box.order is None or box.order.status != OrderStatus.CANCELLED]
    order_ids = {box.order_id for box in boxes if box.order_id}
    lines: dict[int, list[OrderLine]] = {}
    for line in OrderLine.objects.filter(order_id__in=order_ids).order_by("pk"):
        lines.setdefault(line.order_id, []).append(line)
    eans = _eans({line.variant_id for group in lines.values() for line in group if line.variant_id})
    per_order: dict[int | None, int] = {}
    for box in boxes:
        per_order[box.order_id] = per_order.get(box.order_id, 0) + 1
    seen: dict[int | None, int] = {}
    labels = []
    for box in boxes:
        order = box.order
        seen[box.order_id] = seen.get(box.order_id, 0) + 1
        order_lines = lines.get(box.order_id, [])
        variants = {line.variant_id for line in order_lines}
        # The product's EAN-13 is useful on the box only when the box holds that one product.
        ean = eans.get(next(iter(variants))) if len(variants) == 1 and None not in variants else ""
        labels.append(BoxLabel(
            barcode=box.barcode, order_number=order.number if order else "",
            marketplace=batch.connection.get_marketplace_display(), marketplace_code=batch.connection.marketplace,
            batch_number=batch.number, index=seen[box.order_id], count=per_order[box.order_id], ean13=ean or "",
            lines=[(line.sku or line.offer_id, line.quantity) for line in order_lines],
            buyer=order.buyer_name if order else "", address=order.delivery_address if order else "",
        ))
    return labels


def _eans(variant_ids: set[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for variant_id, value in Barcode.objects.filter(variant_id__in=variant_ids).order_by("pk").values_list(
        "variant_id", "value"
    ):
        if variant_id not in found and barcodes.is_valid_ean13(value):
            found[variant_id] = value
    return found


def render_box_labels(batch: PickBatch, *, size: str = "58x40", user=None) -> Document:
    """Box labels as a PDF, one label per page of ``size`` ("58x40" or "100x150")."""
    if size not in BOX_SIZES_MM:
        raise DocumentError(_("Unknown label size %(size)s.") % {"size": size})
    labels = box_labels(batch)
    if not labels:
        raise DocumentError(_("The batch has no orders to label."))
    large = size == "100x150"
    for label in labels:
        # Low bars on the 58×40 label so the code can take the full width (wide modules scan best).
        label.code128_uri = barcodes.data_uri(barcodes.code128_svg(label.barcode, height=45 if large else 25))
        if label.ean13:
            label.ean13_uri = barcodes.data_uri(barcodes.ean13_svg(label.ean13))
    width, height = BOX_SIZES_MM[size]
    content = render_pdf("orders/documents/box_labels.html", {
        "labels": labels, "width": width, "height": height, "large": large,
    })
    batch = PickBatch.objects.get(pk=batch.pk)
    return save_document(DocumentKind.BOX_LABELS, content, f"box-labels-{batch.number}-{size}.pdf", batch=batch,
                         user=user)


# --- packing slips ------------------------------------------------------------------------------------------


def _slip(order: Order, boxes: list[Box]) -> dict:
    lines = list(OrderLine.objects.filter(order=order).order_by("pk"))
    number_uri = ""
    if order.number.isascii():
        try:
            number_uri = barcodes.data_uri(barcodes.code128_svg(order.number))
        except barcodes.BarcodeError:
            number_uri = ""
    return {
        "order": order, "lines": lines, "units": sum(line.quantity for line in lines),
        "ordered_at": local_time(order.ordered_at), "ship_by": local_time(order.ship_by),
        "marketplace": order.connection.get_marketplace_display(), "number_uri": number_uri,
        "boxes": [box.barcode for box in boxes],
    }


def render_packing_slips(batch: PickBatch, *, user=None) -> Document:
    """A4 packing slips, one page per order of the batch, in one PDF."""
    batch = PickBatch.objects.select_related("connection", "warehouse").get(pk=batch.pk)
    boxes: dict[int, list[Box]] = {}
    for box in create_boxes(batch):
        boxes.setdefault(box.order_id, []).append(box)
    orders = [item.order for item in _label_items(batch)]
    if not orders:
        raise DocumentError(_("The batch has no orders to label."))
    for order in orders:
        order.connection = batch.connection
    slips = [_slip(order, boxes.get(order.pk, [])) for order in orders]
    content = render_pdf("orders/documents/packing_slips.html", {
        "slips": slips, "batch": batch, "printed_at": local_time(timezone.now()), "page_label": page_label(),
    })
    return save_document(DocumentKind.PACKING_SLIPS, content, f"packing-slips-{batch.number}.pdf", batch=batch,
                         user=user)


def render_packing_slip(order: Order, *, user=None) -> Document:
    """The packing slip of one order (reprint from the order page)."""
    order = Order.objects.select_related("connection").get(pk=order.pk)
    boxes = list(Box.objects.filter(order=order).order_by("pk"))
    content = render_pdf("orders/documents/packing_slips.html", {
        "slips": [_slip(order, boxes)], "batch": None, "printed_at": local_time(timezone.now()),
        "page_label": page_label(),
    })
    return save_document(DocumentKind.PACKING_SLIPS, content, f"packing-slip-{order.pk}.pdf", order=order, user=user)
