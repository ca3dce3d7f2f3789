"""How many units each listing may offer: available stock, kits, and the channel's policy.

available = on hand − reserved (per variant and warehouse). A kit's available quantity is the minimum over its
components of (component available ÷ quantity per kit). The quantity offered on a connection applies its policy
(per product, else the connection default): frozen → the frozen quantity (0 if none); below "stop selling below"
→ 0; else floor((available − buffer) × share %), never below zero.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from catalog.models import KitComponent
from inventory.models import ChannelStockPolicy, StockLevel


@dataclass(frozen=True)
class Policy:
    buffer: int = 0
    share_percent: int = 100
    stop_below: int = 0
    frozen: bool = False
    frozen_quantity: int | None = None

    def offered(self, available: int) -> int:
        if self.frozen:
            return self.frozen_quantity or 0
        if available < self.stop_below or available <= 0:
            return 0
        return max(0, (available - self.buffer) * self.share_percent // 100)


DEFAULT_POLICY = Policy()


def available_quantities(variant_ids: Iterable[int], warehouse_ids: Iterable[int]) -> dict[tuple[int, int], int]:
    """(variant, warehouse) → available units, kits computed from their components. Missing rows are 0."""
    variant_ids, warehouse_ids = set(variant_ids), set(warehouse_ids)
    kits: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for kit_id, component_id, per_kit in KitComponent.objects.filter(kit_id__in=variant_ids).values_list(
        "kit_id", "component_id", "quantity"
    ):
        kits[kit_id].append((component_id, per_kit))
    needed = variant_ids | {c for parts in kits.values() for c, _ in parts}
    plain: dict[tuple[int, int], int] = {}
    for variant_id, warehouse_id, on_hand, reserved in StockLevel.objects.filter(
        variant_id__in=needed, warehouse_id__in=warehouse_ids
    ).values_list("variant_id", "warehouse_id", "on_hand", "reserved"):
        plain[(variant_id, warehouse_id)] = on_hand - reserved
    result: dict[tuple[int, int], int] = {}
    for variant_id in variant_ids:
        for warehouse_id in warehouse_ids:
            if variant_id in kits:
                result[(variant_id, warehouse_id)] = min(
                    max(0, plain.get((c, warehouse_id), 0)) // per_kit for c, per_kit in kits[variant_id]
                )
            else:
                result[(variant_id, warehouse_id)] = max(0, plain.get((variant_id, warehouse_id), 0))
    return result


def policies_for(connection_id: int) -> tuple[Policy, dict[int, Policy]]:
    """The connection's default policy and its per-product overrides."""
    default = DEFAULT_POLICY
    per_product: dict[int, Policy] = {}
    for row in ChannelStockPolicy.objects.filter(connection_id=connection_id):
        policy = Policy(row.buffer, row.share_percent, row.stop_below, row.frozen, row.frozen_quantity)
        if row.product_id is None:
            default = policy
        else:
            per_product[row.product_id] = policy
    return default, per_product


def kits_using(variant_ids: Iterable[int]) -> set[int]:
    """Kits that contain any of these variants: their available quantity moves with their components."""
    return set(KitComponent.objects.filter(component_id__in=set(variant_ids)).values_list("kit_id", flat=True))
