"""Read queries of the order screens. Tenant-scoped through the default managers; joins named explicitly.

The orders screen must stay fast with 100,000 open orders: the page is one LIMITed query on the
``order_org_status_shipby`` index (organization, status, ship_by), its lines come in one more query for those 50
orders only, and the total is counted no further than ``COUNT_CAP`` rows ("10 000+"), never over the whole set.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from catalog.models import Barcode, Variant
from inventory.models import StockMovement
from orders.choices import (
    ACTIVE_BATCH_STATUSES,
    OPEN_STATUSES,
    BatchItemStatus,
    BatchStatus,
    OrderStatus,
    PaymentStatus,
    Scheme,
    StockState,
)
from orders.models import BatchItem, Box, Document, Order, OrderEvent, OrderLine, PickBatch

# The orders screen shows orders the seller ships: FBO orders are the marketplace's to ship.
SCREEN_SCHEMES = (Scheme.FBS, Scheme.DBS)
COUNT_CAP = 10_000
PAGE_SIZE = 50
LINES_SHOWN = 2  # items shown in a row before "and N more"
DEADLINE_SOON = timedelta(hours=3)
# Public sort keys of the orders screen → the ORDER BY they mean. Each follows an index where one exists
# (PostgreSQL's own NULL placement, so the index order is the sort order): ship-by and status along
# ``order_org_status_shipby``, number along ``order_org_number``, order date along ``order_org_ordered``.
SCREEN_SORTS = {
    "number": ("number",),
    "ship_by": ("ship_by",),
    "ordered": ("ordered_at",),
    "status": ("status", "ship_by"),
    "buyer": ("buyer_name",),
    "total": ("total",),
}
# What the list rows never show: wide columns stay in the table.
LIST_DEFERRED = ("raw", "delivery_details", "connection__credentials", "connection__options")


def screen_sort(queryset: QuerySet[Order], requested: str | None, default: str = "ship_by") -> tuple[QuerySet, str]:
    """Order by the public key ``requested`` (``-`` for descending), else ``default``; the id breaks ties."""
    sort = requested if requested and requested.lstrip("-") in SCREEN_SORTS else default
    fields = SCREEN_SORTS[sort.lstrip("-")]
    if sort.startswith("-"):
        return queryset.order_by(*[f"-{name}" for name in fields], "-pk"), sort
    return queryset.order_by(*fields, "pk"), sort


def order_list() -> QuerySet[Order]:
    return Order.objects.select_related("connection", "warehouse")


def open_order_count() -> int:
    return Order.objects.filter(status__in=OPEN_STATUSES).count()


def orders_to_ship(limit: int = 8) -> list[Order]:
    """Open orders with the nearest ship-by deadline first: what the dashboard puts in front of the seller."""
    return list(
        order_list().filter(status__in=OPEN_STATUSES).order_by("ship_by", "ordered_at", "pk")[:limit]
    )


# --- the orders screen --------------------------------------------------------------------------------------


def awaiting_work(queryset: QuerySet[Order], data: QueryDict) -> QuerySet[Order]:
    """The screen's defaults: open statuses and the schemes the seller ships, unless the URL asks otherwise."""
    if "status" not in data and "open" not in data:
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    if "scheme" not in data:
        queryset = queryset.filter(scheme__in=SCREEN_SCHEMES)
    return queryset


def with_batch(queryset: QuerySet[Order]) -> QuerySet[Order]:
    """Annotate the order's current pick batch (id and number) without a join that could repeat rows."""
    active = BatchItem.objects.filter(order=OuterRef("pk"), active=True).order_by()
    return queryset.annotate(
        batch_id=Subquery(active.values("batch_id")[:1]),
        batch_number=Subquery(active.values("batch__number")[:1]),
    )


@dataclass
class Deadline:
    """The ship-by countdown as the screen shows it."""

    at: datetime | None
    seconds_left: int | None
    overdue: bool
    soon: bool
    active: bool = True  # an order still to ship: the countdown matters

    @classmethod
    def of(cls, ship_by: datetime | None, now: datetime, *, active: bool = True) -> Deadline:
        if ship_by is None:
            return cls(None, None, False, False, active)
        left = int((ship_by - now).total_seconds())
        return cls(ship_by, left, active and left < 0, active and 0 <= left < DEADLINE_SOON.total_seconds(), active)

    @property
    def parts(self) -> tuple[int, int, int]:
        """(days, hours, minutes) of the time left or, when overdue, of the delay."""
        total_minutes = abs(self.seconds_left or 0) // 60
        return total_minutes // 1440, total_minutes % 1440 // 60, total_minutes % 60

    @property
    def text(self) -> str:
        """"in 3 h 20 min" / "overdue by 1 d 2 h" (the page's script keeps it ticking with the same words)."""
        if not self.active or self.at is None:
            return ""
        days, hours, minutes = self.parts
        if days:
            span = gettext("%(d)s d %(h)s h") % {"d": days, "h": hours}
        elif hours:
            span = gettext("%(h)s h %(m)s min") % {"h": hours, "m": minutes}
        else:
            span = gettext("%(m)s min") % {"m": minutes}
        return (gettext("overdue by %(left)s") if self.overdue else gettext("in %(left)s")) % {"left": span}

    @property
    def css(self) -> str:
        return "overdue" if self.overdue else "soon" if self.soon else ""


@dataclass
class ScreenPage:
    """One page of a large list without counting all of it: ``total`` stops at ``cap`` (shown as "cap+")."""

    rows: list
    number: int
    per_page: int
    total: int
    capped: bool
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.rows else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.rows)

    @property
    def num_pages(self) -> int | None:
        return None if self.capped else max(1, math.ceil(self.total / self.per_page))

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def capped_count(queryset: QuerySet, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """COUNT(*) of at most ``cap + 1`` rows: (count, whether there are more than ``cap``)."""
    count = queryset.order_by().values("pk")[: cap + 1].count()
    return min(count, cap), count > cap


def page_number(raw: str | None) -> int:
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1


def screen_statuses(data: QueryDict) -> list[str] | None:
    """The statuses the screen shows, when they are a known set (the default: every open one)."""
    if "status" in data:
        return [status for status in data.getlist("status") if status in OrderStatus.values] or None
    if "open" in data:
        return list(OPEN_STATUSES) if data.get("open", "").lower() in ("true", "1", "yes") else None
    return list(OPEN_STATUSES)


def index_ordered(queryset: QuerySet[Order], sort: str, statuses: Sequence[str] | None, limit: int) -> QuerySet[Order]:
    """The same rows, written so PostgreSQL reads the first ``limit`` of them along ``order_org_status_shipby``.

    Sorted by ship-by over several statuses, PostgreSQL would read and sort every match (100,000 open orders);
    per status the index already holds them in ship-by order. So: the first ``limit`` per status (each an index
    range scan), united, and only those few re-sorted by the outer query.
    """
    if sort != "ship_by" or not statuses or len(statuses) < 2:
        return queryset
    parts = [queryset.filter(status=status).values("pk")[:limit] for status in statuses]
    return queryset.filter(pk__in=parts[0].union(*parts[1:], all=True))


def _row_queryset(queryset: QuerySet[Order]) -> QuerySet[Order]:
    return (
        with_batch(queryset)
        .select_related("connection", "warehouse")
        .defer(*LIST_DEFERRED)
        .prefetch_related(Prefetch("lines", queryset=row_lines()))
    )


def row_lines() -> QuerySet[OrderLine]:
    """Lines as a row shows them: the seller's SKU (the catalogue's when matched) and the quantity."""
    return OrderLine.objects.select_related("variant").only(
        "pk", "order_id", "sku", "offer_id", "quantity", "variant_id", "variant__sku").order_by("pk")


def seller_sku(line: OrderLine) -> str:
    """The SKU the seller knows: the catalogue variant's, else the seller's article on the marketplace (``sku`` may
    hold the marketplace's own item id)."""
    return line.variant.sku if line.variant_id else (line.offer_id or line.sku)


def _summarise_lines(order: Order) -> None:
    lines = list(order.lines.all())
    for line in lines:
        line.seller_sku = seller_sku(line)
    order.shown_lines = lines[:LINES_SHOWN]
    order.more_lines = max(0, len(lines) - LINES_SHOWN)
    order.units = sum(line.quantity for line in lines)


def _clamp(number: int, total: int, capped: bool, per_page: int) -> int:
    return number if capped else min(number, max(1, math.ceil(total / per_page)))


def screen_page(queryset: QuerySet[Order], number: int, *, sort: str = "", statuses: Sequence[str] | None = None,
                search: bool = False, per_page: int = PAGE_SIZE, cap: int | None = None,
                now: datetime | None = None) -> ScreenPage:
    """The page of the (filtered, sorted) orders with what each row shows: lines, batch, deadline.

    A search matches few orders but must look at all of them: its ids (sorted, at most ``cap + 1``) are read once
    and give both the count and the page. Otherwise a capped count and an index-ordered page.
    """
    cap = cap or COUNT_CAP
    if search:
        ids = list(queryset.values_list("pk", flat=True)[: cap + 1])
        total, capped = min(len(ids), cap), len(ids) > cap
        number = _clamp(number, total, capped, per_page)
        wanted = ids[(number - 1) * per_page: number * per_page + 1]
        position = {pk: index for index, pk in enumerate(wanted)}
        rows = sorted(_row_queryset(Order.objects.filter(pk__in=wanted)), key=lambda order: position[order.pk])
    else:
        total, capped = capped_count(queryset, cap)
        number = _clamp(number, total, capped, per_page)
        offset = (number - 1) * per_page
        rows = list(_row_queryset(index_ordered(queryset, sort, statuses, offset + per_page + 1))
                    [offset: offset + per_page + 1])
    has_next = len(rows) > per_page
    rows = rows[:per_page]
    decorate_rows(rows, now or timezone.now())
    return ScreenPage(rows, number, per_page, total, capped, has_next)


def decorate_rows(rows: list[Order], now: datetime) -> None:
    """What the template needs per row, computed once in Python (cheaper than template lookups on 50 rows):
    the deadline, the first lines of the order, its page's address."""
    detail = reverse("orders:order_detail", args=[0]).removesuffix("0/")
    # Labels translated once per page: Model.get_FOO_display() rebuilds its choices map on every call.
    status, payment, stock = ({key: str(label) for key, label in choices.choices}
                              for choices in (OrderStatus, PaymentStatus, StockState))
    for order in rows:
        order.url = f"{detail}{order.pk}/"
        order.status_label = status.get(order.status, order.status)
        order.payment_label = payment.get(order.payment_status, order.payment_status)
        order.stock_label = stock.get(order.stock_state, order.stock_state)
        order.deadline = Deadline.of(order.ship_by, now, active=order.status in OPEN_STATUSES)
        _summarise_lines(order)


# --- one order ------------------------------------------------------------------------------------------------


def order_lines(order: Order) -> QuerySet[OrderLine]:
    return OrderLine.objects.filter(order=order).select_related("variant__product", "listing").order_by("pk")


def order_events(order: Order) -> QuerySet[OrderEvent]:
    return OrderEvent.objects.filter(order=order).select_related("user").order_by("occurred_at", "pk")


def order_movements(order: Order) -> QuerySet[StockMovement]:
    """The ledger rows the order caused (reservation, release, shipment…), oldest first."""
    return (StockMovement.objects.filter(order=order).select_related("variant", "warehouse", "user")
            .order_by("created_at", "pk"))


def order_batch_items(order: Order) -> QuerySet[BatchItem]:
    return (BatchItem.objects.filter(order=order).select_related("batch", "batch__warehouse", "batch__picker")
            .order_by("-pk"))


def order_documents(order: Order) -> QuerySet[Document]:
    """The order's own documents and those of the batches it has been in (pick lists, labels, acts)."""
    batch_ids = BatchItem.objects.filter(order=order).values("batch_id")
    return (Document.objects.filter(Q(order=order) | Q(batch_id__in=batch_ids)).select_related("batch", "created_by")
            .order_by("-created_at", "-pk"))


def batches_to_join(order: Order) -> QuerySet[PickBatch]:
    """Batches the order may be added to: same connection and warehouse, still open or being picked."""
    return PickBatch.objects.filter(
        connection_id=order.connection_id, warehouse_id=order.warehouse_id,
        status__in=(BatchStatus.OPEN, BatchStatus.PICKING),
    ).order_by("-pk")


def current_batch_item(order: Order) -> BatchItem | None:
    return BatchItem.objects.filter(order=order, active=True).select_related("batch").first()


# --- pick batches ---------------------------------------------------------------------------------------------


def batch_list() -> QuerySet[PickBatch]:
    """Batches with their order counts by handover result (active items only)."""
    active = Q(items__active=True)
    return PickBatch.objects.select_related("connection", "warehouse", "picker").defer(
        "connection__credentials", "connection__options"
    ).annotate(
        order_count=Count("items", filter=active),
        done_count=Count("items", filter=active & Q(items__status=BatchItemStatus.DONE)),
        failed_count=Count("items", filter=active & Q(items__status=BatchItemStatus.FAILED)),
    )


def active_batch_count() -> int:
    return PickBatch.objects.filter(status__in=ACTIVE_BATCH_STATUSES).count()


def batch_rows(batch: PickBatch) -> list[BatchItem]:
    """The batch's orders (current ones first, then those removed) with their lines, for the batch page."""
    items = list(
        BatchItem.objects.filter(batch=batch).select_related("order", "order__warehouse")
        .defer("order__raw", "order__delivery_details")
        .prefetch_related(Prefetch("order__lines", queryset=row_lines()))
        .order_by("-active", "pk")
    )
    now = timezone.now()
    for item in items:
        _summarise_lines(item.order)
        item.order.deadline = Deadline.of(item.order.ship_by, now, active=item.order.status in OPEN_STATUSES)
    return items


def batch_documents(batch: PickBatch) -> QuerySet[Document]:
    return Document.objects.filter(batch=batch).select_related("created_by").order_by("-created_at", "-pk")


# --- scanning -------------------------------------------------------------------------------------------------


@dataclass
class ScanResult:
    """What a scanned code leads to: one order, a variant (and the open orders holding it), or nothing."""

    code: str
    orders: list[Order] = field(default_factory=list)
    variant: Variant | None = None
    box: Box | None = None

    @property
    def order(self) -> Order | None:
        return self.orders[0] if len(self.orders) == 1 else None


def scan(code: str) -> ScanResult:
    """Order number or marketplace id, then Okno's box barcode, then a variant's barcode or SKU."""
    code = code.strip()
    result = ScanResult(code)
    if not code:
        return result
    result.orders = list(Order.objects.filter(Q(number=code) | Q(external_id=code)).order_by("-pk")[:20])
    if result.orders:
        return result
    box = Box.objects.filter(barcode=code).select_related("order", "batch").first()
    if box is not None:
        result.box = box
        if box.order is not None:
            result.orders = [box.order]
        return result
    barcode = Barcode.objects.filter(value=code).select_related("variant").first()
    result.variant = barcode.variant if barcode else Variant.objects.filter(sku__iexact=code).first()
    return result
