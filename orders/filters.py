import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from connectors.choices import Marketplace
from orders.choices import OPEN_STATUSES, OrderStatus, PaymentStatus, Scheme, StockState
from orders.models import Order


class OrderFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search: number, SKU, barcode, buyer"))
    marketplace = django_filters.MultipleChoiceFilter(
        field_name="connection__marketplace", choices=Marketplace.choices, label=_("Marketplace")
    )
    connection = django_filters.NumberFilter(field_name="connection_id", label=_("Connection id"))
    warehouse = django_filters.NumberFilter(field_name="warehouse_id", label=_("Warehouse id"))
    status = django_filters.MultipleChoiceFilter(choices=OrderStatus.choices, label=_("Status"))
    scheme = django_filters.MultipleChoiceFilter(choices=Scheme.choices, label=_("Scheme"))
    payment_status = django_filters.ChoiceFilter(choices=PaymentStatus.choices, label=_("Payment"))
    stock_state = django_filters.ChoiceFilter(choices=StockState.choices, label=_("Stock"))
    open = django_filters.BooleanFilter(method="filter_open", label=_("Awaiting work"))
    ship_by_before = django_filters.IsoDateTimeFilter(field_name="ship_by", lookup_expr="lt", label=_("Ship by before"))
    ship_by_after = django_filters.IsoDateTimeFilter(field_name="ship_by", lookup_expr="gte", label=_("Ship by from"))
    ordered_after = django_filters.IsoDateTimeFilter(field_name="ordered_at", lookup_expr="gte", label=_("Ordered from"))
    ordered_before = django_filters.IsoDateTimeFilter(field_name="ordered_at", lookup_expr="lt", label=_("Ordered before"))

    class Meta:
        model = Order
        fields = ["q", "marketplace", "connection", "warehouse", "status", "scheme", "payment_status", "stock_state"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(number__icontains=value)
            | Q(external_id=value)
            | Q(buyer_name__icontains=value)
            | Q(lines__sku__iexact=value)
            | Q(lines__offer_id__iexact=value)
            | Q(lines__variant__barcodes__value=value)
        ).distinct()

    def filter_open(self, queryset, name, value):
        return queryset.filter(status__in=OPEN_STATUSES) if value else queryset.exclude(status__in=OPEN_STATUSES)
