"""The only place stock rows are locked. Always in primary-key order, so two transactions never deadlock."""

from __future__ import annotations

from collections.abc import Iterable

from inventory.models import StockLevel


def lock_stock_levels(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], StockLevel]:
    """Lock the StockLevel rows of (variant_id, warehouse_id) pairs; they must exist. Caller holds a transaction."""
    pairs = set(pairs)
    variant_ids = {variant_id for variant_id, _ in pairs}
    warehouse_ids = {warehouse_id for _, warehouse_id in pairs}
    rows = list(
        StockLevel.objects.select_for_update()
        .filter(variant_id__in=variant_ids, warehouse_id__in=warehouse_ids)
        .order_by("pk")
    )
    return {(row.variant_id, row.warehouse_id): row for row in rows if (row.variant_id, row.warehouse_id) in pairs}
