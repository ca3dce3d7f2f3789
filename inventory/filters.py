import django_filters
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from inventory.choices import MovementKind, WarehouseKind
from inventory.models import Location, StockLevel, StockMovement, Warehouse


class WarehouseFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=WarehouseKind.choices, label=_("Kind"))
    connection = django_filters.NumberFilter(field_name="connection_id", label=_("Connection id"))
    is_active = django_filters.BooleanFilter(label=_("Active"))
    # Declared, not generated from Meta.fields: generating one queries the tenant-scoped manager at import time.
    code = django_filters.CharFilter(label=_("Code"))

    class Meta:
        model = Warehouse
        fields = ["kind", "connection", "is_active", "code"]


class LocationFilterSet(django_filters.FilterSet):
    warehouse = django_filters.NumberFilter(field_name="warehouse_id", label=_("Warehouse id"))
    zone = django_filters.CharFilter(label=_("Zone"))
    aisle = django_filters.CharFilter(label=_("Aisle"))
    code = django_filters.CharFilter(label=_("Code"))
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Location
        fields = ["warehouse", "zone", "aisle", "code", "is_active"]


class StockLevelFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search: SKU, product, barcode"))
    warehouse = django_filters.NumberFilter(field_name="warehouse_id", label=_("Warehouse id"))
    variant = django_filters.NumberFilter(field_name="variant_id", label=_("Variant id"))
    product = django_filters.NumberFilter(field_name="variant__product_id", label=_("Product id"))
    low_stock = django_filters.NumberFilter(method="filter_low_stock", label=_("Available at most"))
    in_stock = django_filters.BooleanFilter(method="filter_in_stock", label=_("Has available stock"))

    class Meta:
        model = StockLevel
        fields = ["q", "warehouse", "variant", "product", "low_stock", "in_stock"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(
            Q(variant__sku__icontains=value)
            | Q(variant__product__title__icontains=value)
            | Q(variant__barcodes__value=value)
        ).distinct()

    def filter_low_stock(self, queryset, name, value):
        return queryset.filter(on_hand__lte=F("reserved") + value)

    def filter_in_stock(self, queryset, name, value):
        condition = Q(on_hand__gt=F("reserved"))
        return queryset.filter(condition) if value else queryset.exclude(condition)


class StockMovementFilterSet(django_filters.FilterSet):
    warehouse = django_filters.NumberFilter(field_name="warehouse_id", label=_("Warehouse id"))
    variant = django_filters.NumberFilter(field_name="variant_id", label=_("Variant id"))
    order = django_filters.NumberFilter(field_name="order_id", label=_("Order id"))
    kind = django_filters.MultipleChoiceFilter(choices=MovementKind.choices, label=_("Kind"))
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte", label=_("From"))
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt", label=_("Until"))

    class Meta:
        model = StockMovement
        fields = ["warehouse", "variant", "order", "kind", "created_after", "created_before"]
