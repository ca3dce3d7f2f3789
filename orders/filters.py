from __future__ import annotations

from datetime import datetime, time, timedelta

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Variant
from connectors.choices import Marketplace
from connectors.models import Connection
from orders.choices import OPEN_STATUSES, BatchStatus, OrderStatus, PaymentStatus, Scheme, StockState
from orders.models import Order, OrderLine, PickBatch

# Deadline buckets of the orders screen; days are calendar days in Moscow time (what the seller's clock shows).
DEADLINE_OVERDUE, DEADLINE_TODAY, DEADLINE_TOMORROW = "overdue", "today", "tomorrow"
DEADLINE_CHOICES = [
    (DEADLINE_OVERDUE, _("Overdue")),
    (DEADLINE_TODAY, _("Due today")),
    (DEADLINE_TOMORROW, _("Due tomorrow")),
]


def local_day_bounds(day_offset: int = 0, now: datetime | None = None) -> tuple[datetime, datetime]:
    """[start, end) of today (+``day_offset`` days) in the display time zone (Moscow), as aware datetimes."""
    zone = timezone.get_current_timezone()
    day = timezone.localtime(now or timezone.now(), zone).date() + timedelta(days=day_offset)
    return datetime.combine(day, time.min, tzinfo=zone), datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


def deadline_filter(queryset: QuerySet[Order], bucket: str, now: datetime | None = None) -> QuerySet[Order]:
    now = now or timezone.now()
    if bucket == DEADLINE_OVERDUE:
        return queryset.filter(ship_by__lt=now)
    if bucket in (DEADLINE_TODAY, DEADLINE_TOMORROW):
        start, end = local_day_bounds(0 if bucket == DEADLINE_TODAY else 1, now)
        return queryset.filter(ship_by__gte=start, ship_by__lt=end)
    return queryset


def looks_like_code(value: str) -> bool:
    """An SKU, offer id or barcode rather than a name: one token with a digit or a separator in it."""
    return bool(value) and not any(char.isspace() for char in value) and any(
        char.isdigit() or char in "-_./" for char in value)


def search_filter(queryset: QuerySet[Order], value: str) -> QuerySet[Order]:
    """Free-text search of the orders screen and the API, cheapest match first (it runs over 100,000 orders):

    1. the exact order number or marketplace id (indexed) — the scanner's and the copy-paster's case;
    2. a catalogue SKU or barcode: the orders whose lines hold that variant (indexed);
    3. otherwise part of the order number or the buyer's name, and — for a code-like value — the SKU or offer id
       written on a line that matched no catalogue variant.
    Lines are matched in a subquery (no join: a page never repeats an order).
    """
    value = value.strip()
    if not value:
        return queryset
    exact = Order.objects.filter(
        Q(number=value) | Q(connection__in=Connection.objects.values("pk"), external_id=value)
    ).values("pk")
    if exact.exists():
        return queryset.filter(pk__in=exact)
    variant_ids = list(Variant.objects.filter(Q(sku__iexact=value) | Q(barcodes__value=value)).values_list("pk", flat=True))
    if variant_ids:
        return queryset.filter(pk__in=OrderLine.objects.filter(variant_id__in=variant_ids).values("order_id"))
    condition = Q(number__icontains=value) | Q(buyer_name__icontains=value)
    if looks_like_code(value):
        condition |= Q(pk__in=OrderLine.objects.filter(Q(sku__iexact=value) | Q(offer_id__iexact=value)).values("order_id"))
    return queryset.filter(condition)


class OrderFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search: number, SKU, barcode, buyer"))
    # distinct=False: these are columns of the order itself (or its one connection); DISTINCT over 100,000 rows
    # would cost the screen its index-ordered LIMIT.
    marketplace = django_filters.MultipleChoiceFilter(
        field_name="connection__marketplace", choices=Marketplace.choices, label=_("Marketplace"), distinct=False
    )
    connection = django_filters.NumberFilter(field_name="connection_id", label=_("Connection id"))
    warehouse = django_filters.NumberFilter(field_name="warehouse_id", label=_("Warehouse id"))
    status = django_filters.MultipleChoiceFilter(choices=OrderStatus.choices, label=_("Status"), distinct=False)
    scheme = django_filters.MultipleChoiceFilter(choices=Scheme.choices, label=_("Scheme"), distinct=False)
    payment_status = django_filters.ChoiceFilter(choices=PaymentStatus.choices, label=_("Payment"))
    stock_state = django_filters.ChoiceFilter(choices=StockState.choices, label=_("Stock"))
    open = django_filters.BooleanFilter(method="filter_open", label=_("Awaiting work"))
    deadline = django_filters.ChoiceFilter(
        choices=DEADLINE_CHOICES, method="filter_deadline", label=_("Ship by"), empty_label=None
    )
    batch = django_filters.NumberFilter(method="filter_batch", label=_("Pick batch id"))
    ship_by_before = django_filters.IsoDateTimeFilter(field_name="ship_by", lookup_expr="lt", label=_("Ship by before"))
    ship_by_after = django_filters.IsoDateTimeFilter(field_name="ship_by", lookup_expr="gte", label=_("Ship by from"))
    ordered_after = django_filters.IsoDateTimeFilter(field_name="ordered_at", lookup_expr="gte", label=_("Ordered from"))
    ordered_before = django_filters.IsoDateTimeFilter(field_name="ordered_at", lookup_expr="lt", label=_("Ordered before"))

    class Meta:
        model = Order
        fields = ["q", "marketplace", "connection", "warehouse", "status", "scheme", "payment_status", "stock_state"]

    def filter_q(self, queryset, name, value):
        return search_filter(queryset, value)

    def filter_open(self, queryset, name, value):
        return queryset.filter(status__in=OPEN_STATUSES) if value else queryset.exclude(status__in=OPEN_STATUSES)

    def filter_deadline(self, queryset, name, value):
        return deadline_filter(queryset, value)

    def filter_batch(self, queryset, name, value):
        return queryset.filter(batch_items__batch_id=value, batch_items__active=True)


class PickBatchFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=BatchStatus.choices, label=_("Status"), distinct=False)
    marketplace = django_filters.MultipleChoiceFilter(
        field_name="connection__marketplace", choices=Marketplace.choices, label=_("Marketplace"), distinct=False
    )
    connection = django_filters.NumberFilter(field_name="connection_id", label=_("Connection id"))
    warehouse = django_filters.NumberFilter(field_name="warehouse_id", label=_("Warehouse id"))
    picker = django_filters.NumberFilter(field_name="picker_id", label=_("Picker id"))

    class Meta:
        model = PickBatch
        fields = ["status", "marketplace", "connection", "warehouse", "picker"]
