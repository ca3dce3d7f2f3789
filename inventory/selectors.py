"""Read queries of the stock screens. Tenant-scoped through the default managers; joins named explicitly."""

from __future__ import annotations

from django.db.models import ExpressionWrapper, F, IntegerField, QuerySet

from catalog.models import Variant
from inventory.choices import WarehouseKind
from inventory.models import StockLevel, StockMovement, Warehouse

# "Low stock" on the dashboard: a variant × warehouse row with at most this many units available.
LOW_STOCK_THRESHOLD = 5


def stock_levels() -> QuerySet[StockLevel]:
    """Variant × warehouse rows with everything the stock table shows, ``available`` computed in SQL."""
    return StockLevel.objects.select_related("variant__product", "warehouse", "location").annotate(
        available_units=ExpressionWrapper(F("on_hand") - F("reserved"), output_field=IntegerField())
    )


def warehouses() -> list[Warehouse]:
    return list(Warehouse.objects.order_by("kind", "name"))


def low_stock_variant_count(threshold: int = LOW_STOCK_THRESHOLD) -> int:
    """Variants that have at most ``threshold`` units available in some own warehouse."""
    return (
        StockLevel.objects.filter(warehouse__kind=WarehouseKind.OWN, on_hand__lte=F("reserved") + threshold)
        .values("variant_id")
        .distinct()
        .count()
    )


def variant_movements(variant: Variant) -> QuerySet[StockMovement]:
    """The variant's ledger, newest first."""
    return (
        StockMovement.objects.filter(variant=variant)
        .select_related("warehouse", "order", "user")
        .order_by("-created_at", "-pk")
    )


def variant_stock(variant: Variant) -> list[StockLevel]:
    return list(
        StockLevel.objects.filter(variant=variant).select_related("warehouse", "location").order_by("warehouse__name")
    )
