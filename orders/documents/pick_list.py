"""The pick list (лист подбора): what to take from which bin, in the order a picker walks the warehouse.

Lines are aggregated per variant over the batch's orders (kits are replaced by their components, as the stock
ledger does) and sorted along the walking route: a bin's ``walk_order`` first when the warehouse has set one;
otherwise an S-shaped route — zone by zone, aisle by aisle, odd aisles walked up (rack/shelf ascending) and even
aisles walked down (descending). Lines without a bin come last.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone

from catalog.models import Variant
from inventory.models import Location, StockLevel
from inventory.services import StockError, StockLine, expand_kits
from orders.choices import DocumentKind, OrderStatus
from orders.documents import barcodes
from orders.documents.common import local_image, local_time, page_label, render_pdf, save_document
from orders.models import Document, OrderLine, PickBatch

UNSET = 1 << 62  # sorts after every real walking order


@dataclass
class PickLine:
    sku: str
    name: str
    quantity: int = 0
    variant_id: int | None = None
    location: Location | None = None
    barcode: str = ""
    image: str | None = None
    orders: list[str] = field(default_factory=list)

    @property
    def bin(self) -> str:
        return self.location.code if self.location else ""


# --- route --------------------------------------------------------------------------------------------------


def _natural(value: str) -> tuple:
    """'A-10' after 'A-9': digit runs compare as numbers."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.lower())
                 for part in re.split(r"(\d+)", value or "") if part)


def aisle_number(aisle: str) -> int | None:
    """Aisle '3' → 3, 'B' → 2 (letters count from A = 1); None when the aisle has no number to walk by."""
    aisle = (aisle or "").strip()
    digits = re.search(r"\d+", aisle)
    if digits:
        return int(digits.group())
    if len(aisle) == 1 and aisle.isalpha():
        return ord(aisle.upper()) - ord("A") + 1 if aisle.isascii() else None
    return None


def route_keys(locations: Iterable[Location]) -> dict[int, tuple]:
    """Sort key per location id along the walking route (see the module docstring)."""
    locations = list({loc.pk: loc for loc in locations}.values())
    shelves = sorted({(_natural(loc.rack), _natural(loc.shelf)) for loc in locations})
    rank = {shelf: index for index, shelf in enumerate(shelves)}
    keys = {}
    for loc in locations:
        number = aisle_number(loc.aisle)
        position = rank[(_natural(loc.rack), _natural(loc.shelf))]
        if number is not None and number % 2 == 0:
            position = -position  # even aisles are walked back down
        keys[loc.pk] = (
            loc.walk_order if loc.walk_order else UNSET,
            _natural(loc.zone),
            (number if number is not None else UNSET, _natural(loc.aisle)),
            position,
            _natural(loc.code),
        )
    return keys


def sort_along_route(lines: list[PickLine]) -> list[PickLine]:
    keys = route_keys(line.location for line in lines if line.location)
    return sorted(lines, key=lambda line: (
        (0, keys[line.location.pk]) if line.location else (1, ()),
        _natural(line.sku),
    ))


# --- lines --------------------------------------------------------------------------------------------------


def batch_order_lines(batch: PickBatch):
    """Lines of the orders to pick: in the batch now (one filter() call: the same batch item row), not cancelled
    meanwhile."""
    return (
        OrderLine.objects.filter(order__batch_items__batch=batch, order__batch_items__active=True)
        .exclude(order__status=OrderStatus.CANCELLED)
        .select_related("order")
        .order_by("order__number", "pk")
    )


def pick_lines(batch: PickBatch, *, images: bool = True) -> list[PickLine]:
    """Aggregated per variant (kits exploded into components) and sorted along the route; ``images`` reads the
    product photos (only the PDF needs them)."""
    lines = list(batch_order_lines(batch))
    number_of = {line.pk: line.order.number for line in lines}
    stock_lines = [StockLine(line.variant_id, line.quantity, line.pk) for line in lines if line.variant_id]
    try:
        stock_lines = expand_kits(stock_lines)
    except StockError:
        pass  # a kit without components is picked as itself
    picks: dict[object, PickLine] = {}
    for stock_line in stock_lines:
        pick = picks.setdefault(stock_line.variant_id, PickLine(sku="", name="", variant_id=stock_line.variant_id))
        pick.quantity += stock_line.quantity
        _add_order(pick, number_of.get(stock_line.order_line_id))
    for line in lines:
        if line.variant_id is None:  # not matched to the catalogue: pick by what the marketplace says
            key = ("unmatched", line.sku or line.offer_id, line.name)
            pick = picks.setdefault(key, PickLine(sku=line.sku or line.offer_id, name=line.name))
            pick.quantity += line.quantity
            _add_order(pick, line.order.number)
    _fill_variants(batch, [p for p in picks.values() if p.variant_id], images)
    return sort_along_route(list(picks.values()))


def _add_order(pick: PickLine, number: str | None) -> None:
    if number and number not in pick.orders:
        pick.orders.append(number)


def _fill_variants(batch: PickBatch, picks: list[PickLine], images: bool) -> None:
    ids = [p.variant_id for p in picks]
    variants = {v.pk: v for v in Variant.objects.filter(pk__in=ids).select_related("product")
                .prefetch_related("barcodes")}
    bins = dict(StockLevel.objects.filter(warehouse_id=batch.warehouse_id, variant_id__in=ids,
                                          location__isnull=False)
                .select_related("location").values_list("variant_id", "location"))
    locations = {loc.pk: loc for loc in Location.objects.filter(pk__in=set(bins.values()))}
    for pick in picks:
        variant = variants[pick.variant_id]
        pick.sku, pick.name = variant.sku, variant.display_name
        pick.location = locations.get(bins.get(variant.pk))
        pick.barcode = _best_barcode(variant)
        pick.image = local_image(variant.product.images) if images else None


def _best_barcode(variant: Variant) -> str:
    values = [b.value for b in variant.barcodes.all()]
    for value in values:
        if barcodes.is_valid_ean13(value):
            return value
    for value in [*values, variant.sku]:
        if value and value.isascii():
            return value
    return ""


# --- PDF ----------------------------------------------------------------------------------------------------


def pick_list_context(batch: PickBatch, lines: list[PickLine]) -> dict:
    rows = []
    for index, line in enumerate(lines, 1):
        svg = ""
        if line.barcode:
            try:
                svg = barcodes.data_uri(barcodes.barcode_svg(line.barcode, text=False))
            except barcodes.BarcodeError:
                svg = ""
        rows.append({"index": index, "line": line, "barcode_uri": svg})
    order_numbers = {number for line in lines for number in line.orders}
    return {
        "batch": batch,
        "marketplace": batch.connection.get_marketplace_display(),
        "connection": batch.connection.name,
        "warehouse": batch.warehouse.name,
        "picker": batch.picker.get_full_name() if batch.picker else "",
        "cutoff": local_time(batch.cutoff_at),
        "printed_at": local_time(timezone.now()),
        "rows": rows,
        "orders_count": len(order_numbers),
        "units": sum(line.quantity for line in lines),
        "page_label": page_label(),
    }


def render_pick_list(batch: PickBatch, *, user=None) -> Document:
    """Render and keep the pick list PDF of the batch (A4, page numbers, photo, barcode and a check box per line)."""
    batch = PickBatch.objects.select_related("connection", "warehouse", "picker").get(pk=batch.pk)
    lines = pick_lines(batch)
    content = render_pdf("orders/documents/pick_list.html", pick_list_context(batch, lines))
    return save_document(DocumentKind.PICK_LIST, content, _pick_list_filename(batch), batch=batch, user=user)


def _pick_list_filename(batch: PickBatch) -> str:
    return f"pick-list-{batch.number}.pdf"

