"""Read queries of the stock screens. Tenant-scoped through the default managers; joins named explicitly.

The stock screen (Остатки) has one row per variant × own warehouse: plain variants where the warehouse holds a
stock level for them, kits where it holds one for any of their components (a kit has no stock of its own; its
available quantity is the minimum over its components of available ÷ quantity per kit). Next to the counters
each row shows, per connection, what Okno last pushed to the marketplace warehouse that own warehouse feeds
(``PushedStock``), how long ago, and in which state the push is.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import (
    Case,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from catalog.models import KitComponent, Listing, Variant
from connectors.models import Connection, WarehouseLink
from inventory.availability import available_quantities
from inventory.choices import MovementKind, WarehouseKind
from inventory.models import DriftRecord, PushedStock, StockLevel, StockMovement, Warehouse

# "Low stock" on the dashboard: a variant × warehouse row with at most this many units available.
LOW_STOCK_THRESHOLD = 5

# What identifies and orders a stock screen row; the page's other columns are fetched for its rows only.
KEY_FIELDS = ("pk", "row_warehouse", "sku", "warehouse_rank", "sort_key")
DETAIL_FIELDS = ("pk", "row_warehouse", "sku", "name", "size", "colour", "is_kit", "product_id", "product__title",
                 "on_hand", "reserved", "bin_code", "available_units")


def low_stock_variant_count(threshold: int = LOW_STOCK_THRESHOLD) -> int:
    """Variants that have at most ``threshold`` units available in some own warehouse."""
    return (
        StockLevel.objects.filter(warehouse__kind=WarehouseKind.OWN, on_hand__lte=F("reserved") + threshold)
        .values("variant_id")
        .distinct()
        .count()
    )


def own_warehouses() -> list[Warehouse]:
    """The organization's own warehouses (FBS/DBS), the ones Okno pushes stock from, by name."""
    return list(Warehouse.objects.filter(kind=WarehouseKind.OWN).order_by("name", "pk"))


def row_pairs(variant_ref: str, warehouse_ref: str) -> QuerySet[PushedStock]:
    """Pushed pairs (listing × marketplace warehouse) of the outer row's variant that its warehouse feeds.

    ``variant_ref`` / ``warehouse_ref`` name the outer query's variant id and own warehouse id. A pair belongs to
    the row when the listing's connection links that marketplace warehouse to the row's warehouse.
    """
    feeds_row_warehouse = WarehouseLink.objects.filter(
        warehouse_id=OuterRef(OuterRef(warehouse_ref)),
        connection_id=OuterRef("listing__connection_id"),
        external_id=OuterRef("warehouse_external_id"),
    )
    return PushedStock.objects.filter(listing__variant_id=OuterRef(variant_ref)).filter(Exists(feeds_row_warehouse))


def _kit_available(warehouse_id: int) -> Subquery:
    """The outer kit's available units in one warehouse: min over components of available ÷ quantity per kit."""
    component_available = StockLevel.objects.filter(variant_id=OuterRef("component_id"), warehouse_id=warehouse_id)
    per_component = (
        KitComponent.objects.filter(kit_id=OuterRef("pk"))
        .annotate(
            kits=ExpressionWrapper(
                Greatest(
                    Coalesce(Subquery(component_available.values(units=F("on_hand") - F("reserved"))[:1]), 0), 0
                )
                / F("quantity"),
                output_field=IntegerField(),
            )
        )
        .order_by("kits")
        .values("kits")[:1]
    )
    return Coalesce(Subquery(per_component, output_field=IntegerField()), 0)


def _columns(warehouse_id: int) -> dict:
    """The computed columns of a row in one own warehouse (the variant's stock level is joined as ``level``)."""
    return {
        "on_hand": Case(When(is_kit=True, then=Value(None)), default=F("level__on_hand"), output_field=IntegerField()),
        "reserved": Case(When(is_kit=True, then=Value(None)), default=F("level__reserved"), output_field=IntegerField()),
        "bin_code": F("level__location__code"),
        "bin_order": F("level__location__walk_order"),
        "available_units": Case(
            When(is_kit=True, then=_kit_available(warehouse_id)),
            default=F("level__on_hand") - F("level__reserved"),
            output_field=IntegerField(),
        ),
        # The variant's latest push on any channel (``Listing.pushed_at``), cheap enough to sort every row by.
        "last_pushed_at": Subquery(
            Listing.objects.filter(variant_id=OuterRef("pk"), pushed_at__isnull=False)
            .order_by("-pushed_at").values("pushed_at")[:1]
        ),
    }


def _part(warehouse: Warehouse, rank: int) -> QuerySet[Variant]:
    """One own warehouse's rows. The computed columns are aliases: SQL computes one only where a filter, the
    sort or ``annotate`` uses it, so a page sorted by SKU never computes a kit's availability for every row."""
    kit_stocked_here = Exists(
        StockLevel.objects.filter(warehouse_id=warehouse.pk, variant__used_in_kits__kit_id=OuterRef("pk"))
    )
    return (
        Variant.objects.annotate(level=FilteredRelation("stock_levels", condition=Q(stock_levels__warehouse_id=warehouse.pk)))
        .filter(Q(is_kit=False, level__isnull=False) | (Q(is_kit=True) & kit_stocked_here))
        .annotate(row_warehouse=Value(warehouse.pk, output_field=IntegerField()),
                  warehouse_rank=Value(rank, output_field=IntegerField()))
        .order_by()
    )


def _ranks(warehouses: list[Warehouse]) -> dict[int, int]:
    return {w.pk: rank for rank, w in enumerate(sorted(warehouses, key=lambda w: (w.name, w.pk)))}


def _union(parts: list[QuerySet]) -> QuerySet:
    return parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]


def stock_row_keys(warehouses: list[Warehouse], filter_part, sort_lookup: str) -> QuerySet:
    """The rows of the given own warehouses that pass the filters, as ``KEY_FIELDS`` dicts with ``sort_key`` the
    value of ``sort_lookup`` (a row field or computed column). One queryset: count, order and slice run in SQL.

    ``filter_part`` applies the screen's filters to one warehouse's part (a FilterSet's ``filter_queryset``);
    the parts are joined with UNION ALL.
    """
    if not warehouses:
        empty = Variant.objects.none().annotate(row_warehouse=Value(0), warehouse_rank=Value(0), sort_key=F("sku"))
        return empty.values(*KEY_FIELDS)
    ranks = _ranks(warehouses)
    parts = [
        filter_part(_part(warehouse, ranks[warehouse.pk]).alias(**_columns(warehouse.pk)))
        .annotate(sort_key=F(sort_lookup))
        .values(*KEY_FIELDS)
        for warehouse in warehouses
    ]
    return _union(parts)


def _row_details(keys: list[dict], warehouses: list[Warehouse]) -> dict[tuple[int, int], dict]:
    """(variant, warehouse) → the columns the screen shows, for one page of keys, in one query."""
    by_warehouse: dict[int, list[int]] = {}
    for key in keys:
        by_warehouse.setdefault(key["row_warehouse"], []).append(key["pk"])
    ranks = _ranks(warehouses)
    parts = []
    for warehouse in warehouses:
        if warehouse.pk in by_warehouse:
            columns = _columns(warehouse.pk)
            del columns["last_pushed_at"], columns["bin_order"]  # the page shows pushes per channel, not these
            parts.append(_part(warehouse, ranks[warehouse.pk]).filter(pk__in=by_warehouse[warehouse.pk])
                         .annotate(**columns).values(*DETAIL_FIELDS))
    if not parts:
        return {}
    return {(row["pk"], row["row_warehouse"]): row for row in _union(parts)}


# --- channel state per listing × marketplace warehouse ----------------------------------------------------------


class CellState:
    VERIFIED = "verified"  # read back from the marketplace and equal to what was pushed
    PUSHED = "pushed"  # acknowledged, not read back yet
    WAITING = "waiting"  # stock changed, push not sent yet
    DEFERRED = "deferred"  # waiting for the marketplace's own window (Ozon: 30 s per item and warehouse)
    DRIFTING = "drifting"  # the marketplace shows another quantity
    ERROR = "error"  # the marketplace refused the last push
    NOT_PUSHED = "not_pushed"  # listed, never pushed
    NOT_LISTED = "not_listed"  # the variant is not sold on this connection
    NOT_LINKED = "not_linked"  # this own warehouse feeds no warehouse of that connection


@dataclass(frozen=True)
class Age:
    """How long ago, in the largest whole unit: ``Age(3, "s")``, ``Age(2, "min")``, ``Age(5, "h")``, ``Age(1, "d")``."""

    value: int
    unit: str

    @classmethod
    def since(cls, moment: datetime | None, now: datetime) -> Age | None:
        if moment is None:
            return None
        seconds = max(0, int((now - moment).total_seconds()))
        for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
            if seconds >= size:
                return cls(seconds // size, unit)
        return cls(seconds, "s")


@dataclass
class ChannelCell:
    """One marketplace warehouse's view of a listing: what Okno pushed, when, and what the marketplace said."""

    state: str
    warehouse_external_id: str = ""
    quantity: int | None = None
    pushed_at: datetime | None = None
    age: Age | None = None
    marketplace_quantity: int | None = None
    marketplace_quantity_at: datetime | None = None
    verified: bool | None = None
    error: str = ""
    error_at: datetime | None = None
    next_allowed_at: datetime | None = None
    opens_in_s: int | None = None
    holding: bool = False  # units of a fast seller held back here (connectors.push.held_back_units)


def channel_cell(pair: PushedStock | None, *, dirty: bool, now: datetime, warehouse_external_id: str = "",
                 holding: bool = False) -> ChannelCell:
    """The state of one pair. Precedence: a refusal, then drift, then a pending change (deferred by the
    marketplace's window or just waiting), then what was pushed and whether it was read back."""
    if pair is None or (pair.quantity is None and not pair.error):
        return ChannelCell(CellState.WAITING if dirty else CellState.NOT_PUSHED, warehouse_external_id)
    cell = ChannelCell(
        CellState.PUSHED,
        pair.warehouse_external_id,
        quantity=pair.quantity,
        pushed_at=pair.pushed_at,
        age=Age.since(pair.pushed_at, now),
        marketplace_quantity=pair.marketplace_quantity,
        marketplace_quantity_at=pair.marketplace_quantity_at,
        verified=pair.verified,
        error=pair.error,
        error_at=pair.error_at,
        next_allowed_at=pair.next_allowed_at,
        holding=holding,
    )
    window_closed = pair.next_allowed_at is not None and pair.next_allowed_at > now
    if window_closed:
        cell.opens_in_s = math.ceil((pair.next_allowed_at - now).total_seconds())
    if pair.error:
        cell.state = CellState.ERROR
    elif pair.verified is False:
        cell.state = CellState.DRIFTING
    elif dirty and window_closed:
        cell.state = CellState.DEFERRED
    elif dirty:
        cell.state = CellState.WAITING
    elif pair.verified:
        cell.state = CellState.VERIFIED
    return cell


# --- the stock screen page ---------------------------------------------------------------------------------------


@dataclass
class ChannelColumn:
    """A connection as a column of the stock screen; ``links`` maps own warehouse id → marketplace warehouse ids."""

    pk: int
    name: str
    marketplace: str
    enabled: bool
    links: dict[int, list[str]] = field(default_factory=dict)


def channel_columns() -> list[ChannelColumn]:
    """The organization's connections with their warehouse links, in one query."""
    columns: dict[int, ChannelColumn] = {}
    rows = Connection.objects.order_by("marketplace", "name", "pk", "warehouse_links__external_id").values_list(
        "pk", "name", "marketplace", "enabled", "warehouse_links__warehouse_id", "warehouse_links__external_id"
    )
    for pk, name, marketplace, enabled, warehouse_id, external_id in rows:
        column = columns.setdefault(pk, ChannelColumn(pk, name, marketplace, enabled))
        if warehouse_id is not None:
            column.links.setdefault(warehouse_id, []).append(external_id)
    return list(columns.values())


@dataclass
class StockRow:
    variant_id: int
    sku: str
    details: str
    product_id: int
    product_title: str
    is_kit: bool
    warehouse: Warehouse
    bin_code: str | None
    on_hand: int | None
    reserved: int | None
    available: int
    last_pushed: Age | None
    cells: list[tuple[ChannelColumn, list[ChannelCell]]]


@dataclass
class _ListingState:
    pk: int
    dirty: bool
    holding: bool
    pairs: dict[str, PushedStock] = field(default_factory=dict)


def _listing_states(variant_ids: Iterable[int], connection_ids: Iterable[int]) -> dict[tuple[int, int], _ListingState]:
    """(variant, connection) → the listing's dirty flag and its pushed pairs, in one query (LEFT JOIN)."""
    states: dict[tuple[int, int], _ListingState] = {}
    pair_fields = ("quantity", "pushed_at", "error", "error_at", "marketplace_quantity", "marketplace_quantity_at",
                   "verified", "next_allowed_at")
    rows = Listing.objects.filter(variant_id__in=set(variant_ids), connection_id__in=set(connection_ids)).values_list(
        "pk", "variant_id", "connection_id", "stock_dirty_at", "stock_recheck_at", "pushed_stocks__warehouse_external_id",
        *(f"pushed_stocks__{name}" for name in pair_fields),
    )
    for pk, variant_id, connection_id, dirty_at, recheck_at, external_id, *values in rows:
        state = states.setdefault((variant_id, connection_id),
                                  _ListingState(pk, dirty_at is not None, recheck_at is not None))
        if external_id is not None:
            state.pairs[external_id] = PushedStock(listing_id=pk, warehouse_external_id=external_id,
                                                   **dict(zip(pair_fields, values, strict=True)))
    return states


def stock_page_rows(keys: Iterable[dict], warehouses: list[Warehouse], columns: list[ChannelColumn]) -> list[StockRow]:
    """Turn one page of ``stock_row_keys`` into screen rows with a cell per connection: two more queries in total
    (the rows' columns, and the listings with their pushed pairs)."""
    keys = list(keys)
    by_id = {w.pk: w for w in warehouses}
    details = _row_details(keys, warehouses)
    states = _listing_states({key["pk"] for key in keys}, {column.pk for column in columns})
    now = timezone.now()
    result = []
    for key in keys:
        row = details[(key["pk"], key["row_warehouse"])]
        cells, pushes = [], []
        for column in columns:
            state = states.get((row["pk"], column.pk))
            external_ids = column.links.get(row["row_warehouse"], [])
            if state is None:
                cells.append((column, [ChannelCell(CellState.NOT_LISTED)]))
            elif not external_ids:
                cells.append((column, [ChannelCell(CellState.NOT_LINKED)]))
            else:
                pairs = [state.pairs.get(external_id) for external_id in external_ids]
                pushes += [pair.pushed_at for pair in pairs if pair is not None and pair.pushed_at]
                cells.append((column, [
                    channel_cell(pair, dirty=state.dirty, now=now, warehouse_external_id=external_id,
                                 holding=state.holding)
                    for pair, external_id in zip(pairs, external_ids, strict=True)
                ]))
        result.append(
            StockRow(
                variant_id=row["pk"],
                sku=row["sku"],
                details=", ".join(part for part in (row["name"], row["size"], row["colour"]) if part),
                product_id=row["product_id"],
                product_title=row["product__title"],
                is_kit=row["is_kit"],
                warehouse=by_id[row["row_warehouse"]],
                bin_code=row["bin_code"],
                on_hand=row["on_hand"],
                reserved=row["reserved"],
                available=max(0, row["available_units"] or 0),
                last_pushed=Age.since(max(pushes), now) if pushes else None,
                cells=cells,
            )
        )
    return result


# --- the variant page --------------------------------------------------------------------------------------------


def variant_movements(variant: Variant) -> QuerySet[StockMovement]:
    """The variant's ledger, newest first."""
    return (
        StockMovement.objects.filter(variant=variant)
        .select_related("warehouse", "order", "user")
        .order_by("-created_at", "-pk")
    )


def movement_returns(movements: Iterable[StockMovement]) -> dict[int, object]:
    """Movement id → the return it restocked, matched by the movement's reference (``return:<id>`` or the
    marketplace's return id), for the ledger's links."""
    from returns.models import Return  # the ledger page links returns; inventory's models do not depend on them

    candidates = {m.pk: m.reference for m in movements if m.kind == MovementKind.RETURN and m.reference}
    if not candidates:
        return {}
    ids = {int(ref.split(":", 1)[1]) for ref in candidates.values() if ref.startswith("return:") and ref[7:].isdigit()}
    found = list(Return.objects.filter(Q(pk__in=ids) | Q(external_id__in=set(candidates.values()))))
    by_reference = {f"return:{r.pk}": r for r in found} | {r.external_id: r for r in found}
    return {pk: by_reference[ref] for pk, ref in candidates.items() if ref in by_reference}


def variant_stock(variant: Variant) -> list[StockLevel]:
    """Stock levels in every warehouse, own and marketplace (FBO)."""
    return list(
        StockLevel.objects.filter(variant=variant).select_related("warehouse", "location").order_by("warehouse__name")
    )


@dataclass
class KitStock:
    warehouse: Warehouse
    available: int


def kit_stock(variant: Variant, warehouses: list[Warehouse]) -> list[KitStock]:
    """A kit's computed available units per own warehouse."""
    available = available_quantities([variant.pk], [w.pk for w in warehouses])
    return [KitStock(w, available[(variant.pk, w.pk)]) for w in warehouses]


@dataclass
class ComponentStock:
    available: int
    kits: int
    limiting: bool = False


@dataclass
class KitPart:
    component: Variant
    per_kit: int
    stock: list[ComponentStock]


def kit_composition(variant: Variant, warehouses: list[Warehouse]) -> list[KitPart]:
    """The kit's components with, per own warehouse, their available units, the kits they allow, and which
    component limits the kit (the smallest number of kits; every tied component is marked)."""
    parts = list(KitComponent.objects.filter(kit=variant).select_related("component__product").order_by("component__sku"))
    available = available_quantities([p.component_id for p in parts], [w.pk for w in warehouses])
    result = [
        KitPart(
            part.component,
            part.quantity,
            [ComponentStock(available[(part.component_id, w.pk)], available[(part.component_id, w.pk)] // part.quantity)
             for w in warehouses],
        )
        for part in parts
    ]
    for index in range(len(warehouses)):
        if result:
            least = min(part.stock[index].kits for part in result)
            for part in result:
                part.stock[index].limiting = part.stock[index].kits == least
    return result


def kits_containing(variant: Variant) -> list[Variant]:
    """Kits this variant is a component of: their availability moves with it."""
    return list(Variant.objects.filter(components__component=variant).order_by("sku"))


@dataclass
class ChannelPair:
    """A listing's pushed pair on the variant page, with the connection it belongs to."""

    listing: Listing
    cell: ChannelCell


def variant_channels(variant: Variant) -> list[ChannelPair]:
    """Every listing of the variant with each of its pushed pairs (or one empty cell when nothing was pushed)."""
    now = timezone.now()
    result = []
    listings = (
        Listing.objects.filter(variant=variant)
        .select_related("connection")
        .prefetch_related("pushed_stocks")
        .order_by("connection__marketplace", "connection__name")
    )
    for listing in listings:
        dirty, holding = listing.stock_dirty_at is not None, listing.stock_recheck_at is not None
        pairs = sorted(listing.pushed_stocks.all(), key=lambda p: p.warehouse_external_id)
        if not pairs:
            result.append(ChannelPair(listing, channel_cell(None, dirty=dirty, now=now)))
        for pair in pairs:
            result.append(ChannelPair(listing, channel_cell(pair, dirty=dirty, now=now, holding=holding)))
    return result


def variant_drift(variant: Variant, limit: int = 100) -> list[DriftRecord]:
    return list(
        DriftRecord.objects.filter(listing__variant=variant)
        .select_related("listing__connection")
        .order_by("-detected_at", "-pk")[:limit]
    )


def variant_connection_ids(variant: Variant) -> list[int]:
    """Enabled connections the variant is listed on."""
    return list(
        Listing.objects.filter(variant=variant, connection__enabled=True)
        .order_by("connection_id")
        .values_list("connection_id", flat=True)
        .distinct()
    )


# --- the drift log -----------------------------------------------------------------------------------------------


def drift_records() -> QuerySet[DriftRecord]:
    """Drift across the organization with the listing, its variant and connection joined for the log."""
    return DriftRecord.objects.select_related("listing__variant__product", "listing__connection")
