import django_filters
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from catalog.models import Barcode, Listing, Variant
from inventory.choices import MovementKind, WarehouseKind
from inventory.models import DriftRecord, Location, PushedStock, StockLevel, StockMovement, Warehouse
from inventory.selectors import row_pairs


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
    connection = django_filters.NumberFilter(method="filter_connection", label=_("Listed on connection id"))
    drift = django_filters.BooleanFilter(
        method="filter_drift", label=_("A marketplace shows another quantity than Okno pushed")
    )
    errors = django_filters.BooleanFilter(method="filter_errors", label=_("A marketplace refused the last push"))

    class Meta:
        model = StockLevel
        fields = ["q", "warehouse", "variant", "product", "low_stock", "in_stock", "connection", "drift", "errors"]

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

    def filter_connection(self, queryset, name, value):
        return queryset.filter(Exists(Listing.objects.filter(variant_id=OuterRef("variant_id"), connection_id=value)))

    def filter_drift(self, queryset, name, value):
        return _having_pairs(queryset, self._pairs().filter(verified=False), value)

    def filter_errors(self, queryset, name, value):
        return _having_pairs(queryset, self._pairs().exclude(error=""), value)

    def _pairs(self) -> QuerySet[PushedStock]:
        return _of_connection(row_pairs("variant_id", "warehouse_id"), self.form.cleaned_data.get("connection"))


def _of_connection(pairs: QuerySet[PushedStock], connection_id) -> QuerySet[PushedStock]:
    """Drift and errors on one channel only when the list is narrowed to that channel."""
    return pairs.filter(listing__connection_id=connection_id) if connection_id else pairs


def _having_pairs(queryset: QuerySet, pairs: QuerySet[PushedStock], value: bool) -> QuerySet:
    return queryset.filter(Exists(pairs)) if value else queryset.exclude(Exists(pairs))


class StockScreenFilterSet(django_filters.FilterSet):
    """Filters of the stock screen (Остатки), applied to each own warehouse's part of ``selectors.stock_rows``: a
    Variant queryset annotated with ``row_warehouse`` and ``available_units`` (kits computed from components)."""

    q = django_filters.CharFilter(method="filter_q", label=_("Search: SKU, product, barcode"))
    warehouse = django_filters.NumberFilter(method="filter_warehouse", label=_("Warehouse"))
    connection = django_filters.NumberFilter(method="filter_connection", label=_("Channel"))
    drift = django_filters.BooleanFilter(method="filter_drift", label=_("Drift"))
    errors = django_filters.BooleanFilter(method="filter_errors", label=_("Push errors"))
    low_stock = django_filters.NumberFilter(field_name="available_units", lookup_expr="lte", label=_("Available at most"))
    in_stock = django_filters.BooleanFilter(method="filter_in_stock", label=_("Has available stock"))
    kits = django_filters.BooleanFilter(field_name="is_kit", label=_("Kits"))

    class Meta:
        model = Variant
        fields = ["q", "warehouse", "connection", "drift", "errors", "low_stock", "in_stock", "kits"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        barcode = Barcode.objects.filter(variant_id=OuterRef("pk"), value=value)
        return queryset.filter(Q(sku__icontains=value) | Q(product__title__icontains=value) | Exists(barcode))

    def filter_warehouse(self, queryset, name, value):
        return queryset.filter(row_warehouse=value)

    def filter_connection(self, queryset, name, value):
        return queryset.filter(Exists(Listing.objects.filter(variant_id=OuterRef("pk"), connection_id=value)))

    def filter_drift(self, queryset, name, value):
        return _having_pairs(queryset, self._pairs().filter(verified=False), value)

    def filter_errors(self, queryset, name, value):
        return _having_pairs(queryset, self._pairs().exclude(error=""), value)

    def filter_in_stock(self, queryset, name, value):
        return queryset.filter(available_units__gt=0) if value else queryset.filter(available_units__lte=0)

    def _pairs(self) -> QuerySet[PushedStock]:
        return _of_connection(row_pairs("pk", "row_warehouse"), self.form.cleaned_data.get("connection"))


class DriftRecordFilterSet(django_filters.FilterSet):
    connection = django_filters.NumberFilter(field_name="listing__connection_id", label=_("Channel"))
    resolved = django_filters.BooleanFilter(field_name="resolved_at", lookup_expr="isnull", exclude=True,
                                            label=_("Resolved"))
    variant = django_filters.NumberFilter(field_name="listing__variant_id", label=_("Variant id"))

    class Meta:
        model = DriftRecord
        fields = ["connection", "resolved", "variant"]


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
