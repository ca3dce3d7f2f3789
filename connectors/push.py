"""The push dispatcher: coalesce a connection's dirty listings, batch them at the API's maximum, send, record.

Correctness rests on the durable dirty stamp (``Listing.stock_dirty_at``): a listing's stamp is cleared only if it
is still the stamp read before computing the quantity, so a change that lands while a push is in flight stays
dirty and goes next time; a worker that dies mid-push leaves the stamps for the next run. Quantities are computed
from the ledger at send time, so coalescing many sales into one push loses nothing.

What is offered is the ledger's availability under the channel policy, less the units a fast seller is likely to
sell elsewhere before Okno's next update can land on this marketplace (``held_back_units``): the last units of a
rush are not offered where they cannot be withdrawn in time, which matters most on Ozon, whose quantity stands for
30 s. Pacing (one request per connection per second) lives in ``connectors.tasks.request_push``.

Preconditions: the connection's organization is in scope.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from catalog.choices import StockSyncState
from catalog.models import Listing
from connectors.base import Connector
from connectors.dto import StockPushResult, StockUpdate
from connectors.errors import MarketplaceError
from connectors.models import Connection
from connectors.registry import connector_for
from inventory import availability
from inventory.choices import MovementKind
from inventory.models import DriftRecord, PushedStock, StockMovement

logger = logging.getLogger(__name__)

MAX_LISTINGS_PER_RUN = 20000
REACTION_S = 1.5  # a sale's way to every other marketplace: the next poll round, ingest, the paced push
SALES_LOOKBACK_S = 600.0  # sales that count towards an item's selling rate
MIN_EXPOSURE_S = 15.0  # never judge a rate over less than this (one early sale must not look like a rush)
RECHECK_S = 10.0  # a hold-back is looked at again after this long (or the marketplace's window, if longer)


@dataclass
class PushReport:
    listings: int = 0
    sent: int = 0
    accepted: int = 0
    refused: int = 0
    unchanged: int = 0
    deferred: int = 0
    waiting_increases: int = 0
    held_back: int = 0
    requests: int = 0
    next_due_s: float | None = None  # when deferred pairs open (Ozon's 30-second rule) or held increases go
    errors: list[str] = field(default_factory=list)

    def due_in(self, seconds: float) -> None:
        self.next_due_s = seconds if self.next_due_s is None else min(self.next_due_s, seconds)


@dataclass
class _Pair:
    listing_id: int
    stock_key: str
    warehouse: str
    quantity: int
    offer_id: str
    external_product_id: str
    urgent: bool = True


@dataclass(frozen=True)
class _Row:
    listing_id: int
    variant_id: int
    product_id: int
    stock_key: str
    offer_id: str
    external_product_id: str
    dirty_at: datetime | None
    recheck_at: datetime | None
    listed_at: datetime

    @property
    def changed_at(self) -> datetime:
        return self.dirty_at or self.recheck_at or self.listed_at


def push_dirty(connection: Connection, connector: Connector | None = None, *,
               increase_delay_s: float | None = None) -> PushReport:
    """Push every due listing of the connection whose offered quantity differs from what was last pushed.

    Due: stamped dirty by a stock change, or a hold-back to look at again. A quantity that goes down (or was never
    pushed, or failed) goes now; one that only goes up may wait ``increase_delay_s`` to share a request with the
    next decrease: a late increase costs at most a sale, a late decrease can sell a unit twice.
    """
    report = PushReport()
    now = timezone.now()
    if increase_delay_s is None:
        increase_delay_s = settings.OKNO_PUSH_INCREASE_DELAY_S
    rows = [
        _Row(*values) for values in
        Listing.objects.filter(Q(stock_dirty_at__isnull=False) | Q(stock_recheck_at__lte=now), connection=connection)
        .exclude(stock_key="")
        .order_by(Coalesce("stock_dirty_at", "stock_recheck_at"))
        .values_list("pk", "variant_id", "variant__product_id", "stock_key", "offer_id", "external_product_id",
                     "stock_dirty_at", "stock_recheck_at", "created_at")[:MAX_LISTINGS_PER_RUN]
    ]
    if not rows:
        return report
    report.listings = len(rows)
    by_id = {row.listing_id: row for row in rows}
    links = list(connection.warehouse_links.values_list("warehouse_id", "external_id"))
    if not links:
        _settle(by_id, set(by_id), set(), now)
        report.errors.append("no marketplace warehouse linked")
        return report

    available = availability.available_quantities({row.variant_id for row in rows}, {w for w, _ in links})
    default, per_product = availability.policies_for(connection.pk)
    pushed = {
        (ps.listing_id, ps.warehouse_external_id): ps
        for ps in PushedStock.objects.filter(listing_id__in=by_id)
    }
    connector = connector or connector_for(connection)
    held_back = held_back_units(connector, {row.variant_id: row.listed_at for row in rows}, now)
    holding = {row.listing_id for row in rows if held_back.get(row.variant_id)}
    report.held_back = len(holding)
    to_send: list[_Pair] = []
    waiting: set[int] = set()
    for row in rows:
        policy = per_product.get(row.product_id, default)
        for warehouse_id, external_id in links:
            quantity = max(0, policy.offered(available[(row.variant_id, warehouse_id)]) - held_back.get(row.variant_id, 0))
            state = pushed.get((row.listing_id, external_id))
            if state is not None and state.quantity == quantity and not state.error and state.verified is not False:
                report.unchanged += 1
                continue
            if state is not None and state.next_allowed_at and state.next_allowed_at > now:
                report.deferred += 1
                waiting.add(row.listing_id)
                report.due_in((state.next_allowed_at - now).total_seconds())
                continue
            urgent = state is None or state.quantity is None or quantity < state.quantity or bool(state.error) \
                or state.verified is False
            to_send.append(_Pair(row.listing_id, row.stock_key, external_id, quantity, row.offer_id,
                                 row.external_product_id, urgent))

    if to_send and not any(pair.urgent for pair in to_send):
        oldest = min(by_id[pair.listing_id].changed_at for pair in to_send)
        wait = increase_delay_s - (now - oldest).total_seconds()
        if wait > 0:
            report.waiting_increases = len(to_send)
            waiting |= {pair.listing_id for pair in to_send}
            report.due_in(wait)
            to_send = []

    failed: set[int] = set()
    try:
        for start in range(0, len(to_send), connector.stock_batch_size):
            chunk = to_send[start : start + connector.stock_batch_size]
            try:
                results = connector.push_stocks([
                    StockUpdate(p.stock_key, p.warehouse, p.quantity, p.offer_id, p.external_product_id) for p in chunk
                ])
            except MarketplaceError as exc:
                report.errors.append(exc.user_message())
                results = [StockPushResult(p.stock_key, p.warehouse, False, exc.user_message(), exc.retry_after)
                           for p in chunk]
            report.requests += 1
            report.sent += len(chunk)
            failed |= _record(connection, connector, chunk, results, report)
        _keep_learned_ids(connector, rows)
    finally:
        if connector.http is not None:
            connector.http.close()
    recheck_in = timedelta(seconds=max(RECHECK_S, connector.stock_pair_interval_s))
    _settle(by_id, set(by_id) - waiting - failed, holding, now + recheck_in)
    return report


def held_back_units(connector: Connector, listed_at: dict[int, datetime], now: datetime) -> dict[int, int]:
    """Units of fast-selling variants to keep off this marketplace until Okno's next update can land there.

    Whatever Okno offers stays on show until its next update arrives: about ``REACTION_S`` after a sale elsewhere,
    or a whole window on a marketplace that takes one update per item every N seconds (Ozon: 30 s). In that time
    the item keeps selling elsewhere. Okno holds back the units that will sell in it with the configured confidence
    (``OKNO_HOLD_BACK_CONFIDENCE``): the quantile of a Poisson demand at the item's rate — units sold over the last
    ``SALES_LOOKBACK_S`` divided by the time it was on sale in that span. An item that sells a few times a day
    holds nothing back; the last units of one selling every few seconds are not offered where they cannot be
    withdrawn in time.
    """
    confidence = settings.OKNO_HOLD_BACK_CONFIDENCE
    if not listed_at or not confidence:
        return {}
    horizon = connector.stock_pair_interval_s or REACTION_S
    sold = (
        StockMovement.objects.filter(kind=MovementKind.RESERVATION, variant_id__in=listed_at,
                                     created_at__gte=now - timedelta(seconds=SALES_LOOKBACK_S))
        .values("variant_id")
        .annotate(units=Sum("reserved_delta"))
        .values_list("variant_id", "units")
    )
    held = {}
    for variant_id, units in sold:
        if not units or units <= 0:
            continue
        exposure = min(SALES_LOOKBACK_S, max(MIN_EXPOSURE_S, 2 * horizon, (now - listed_at[variant_id]).total_seconds()))
        units_held = poisson_quantile(units / exposure * horizon, confidence)
        if units_held:
            held[variant_id] = units_held
    return held


def poisson_quantile(mean: float, confidence: float) -> int:
    """Smallest k with P(X ≤ k) ≥ confidence for X ~ Poisson(mean)."""
    if mean <= 0 or confidence <= 0:
        return 0
    term = cumulative = math.exp(-mean)
    k = 0
    while cumulative < min(confidence, 1 - 1e-12):
        k += 1
        term *= mean / k
        cumulative += term
    return k


def _record(connection: Connection, connector: Connector, chunk: list[_Pair], results: list[StockPushResult],
            report: PushReport) -> set[int]:
    """Store each pair's outcome; returns listings that must stay dirty (refused or rate-limited items)."""
    now = timezone.now()
    by_key = {(r.stock_key, r.warehouse_external_id): r for r in results}
    interval = timedelta(seconds=connector.stock_pair_interval_s) if connector.stock_pair_interval_s else None
    states, failed = [], set()
    listing_updates: dict[int, dict] = {}
    for pair in chunk:
        result = by_key.get((pair.stock_key, pair.warehouse))
        if result is None:
            result = StockPushResult(pair.stock_key, pair.warehouse, False, "no answer for this item")
        state = PushedStock(
            organization_id=connection.organization_id, listing_id=pair.listing_id,
            warehouse_external_id=pair.warehouse,
        )
        if result.accepted:
            report.accepted += 1
            state.quantity, state.pushed_at, state.error, state.verified = pair.quantity, now, "", None
            state.next_allowed_at = now + interval if interval else None
            listing_updates[pair.listing_id] = {"pushed_quantity": pair.quantity, "pushed_at": now, "push_error": "",
                                                "sync_state": StockSyncState.PUSHED}
        else:
            report.refused += 1
            failed.add(pair.listing_id)
            state.error, state.error_at = (result.error or "refused")[:2000], now
            retry = result.retry_after
            state.next_allowed_at = now + timedelta(seconds=retry) if retry else None
            if retry:
                report.due_in(retry)
            listing_updates[pair.listing_id] = {"push_error": result.error[:2000], "sync_state": StockSyncState.ERROR}
        states.append(state)
    accepted = [state for state in states if not state.error]
    refused = [state for state in states if state.error]
    with transaction.atomic():
        unique = ["listing", "warehouse_external_id"]
        if accepted:
            PushedStock.objects.bulk_create(accepted, update_conflicts=True, unique_fields=unique,
                                            update_fields=["quantity", "pushed_at", "error", "verified", "next_allowed_at"])
        if refused:
            PushedStock.objects.bulk_create(refused, update_conflicts=True, unique_fields=unique,
                                            update_fields=["error", "error_at", "next_allowed_at"])
        listings = []
        for listing_id, values in listing_updates.items():
            listings.append(Listing(pk=listing_id, **values))
        for fields in ({"pushed_quantity", "pushed_at", "push_error", "sync_state"}, {"push_error", "sync_state"}):
            group = [obj for obj in listings if set(listing_updates[obj.pk]) == fields]
            if group:
                Listing.objects.bulk_update(group, sorted(fields), batch_size=1000)
    return failed


def _settle(rows: dict[int, _Row], done: set[int], holding: set[int], next_recheck: datetime) -> None:
    """Clear the dirty stamp of pushed listings whose stamps are still the ones read (compare-and-clear: a change
    that landed meanwhile keeps its stamp), and set when a hold-back is looked at again."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for listing_id in done:
        row = rows[listing_id]
        groups[(row.dirty_at, row.recheck_at, listing_id in holding)].append(listing_id)
    for (dirty_at, recheck_at, holds), ids in groups.items():
        unchanged = Q(stock_dirty_at=dirty_at) if dirty_at else Q(stock_dirty_at__isnull=True)
        unchanged &= Q(stock_recheck_at=recheck_at) if recheck_at else Q(stock_recheck_at__isnull=True)
        Listing.objects.filter(unchanged, pk__in=ids).update(stock_dirty_at=None,
                                                             stock_recheck_at=next_recheck if holds else None)


def _keep_learned_ids(connector: Connector, rows: list[_Row]) -> None:
    """Keep marketplace product ids the connector had to look up, so the next push does not ask again."""
    learned = connector.learned_product_ids()
    if not learned:
        return
    updates = [Listing(pk=row.listing_id, external_product_id=learned[row.offer_id])
               for row in rows if not row.external_product_id and learned.get(row.offer_id)]
    if updates:
        Listing.objects.bulk_update(updates, ["external_product_id"], batch_size=1000)


def verify_pushed(connection: Connection, connector: Connector | None = None, *, limit: int = 20000) -> dict[str, int]:
    """Read back what the marketplace shows for every pushed pair; mark verified or drifting, log drift, and
    make drifting listings dirty again so the next push corrects them."""
    states = list(
        # Listings waiting for a push are about to change; reading them back now would only report noise.
        PushedStock.objects.filter(listing__connection=connection, quantity__isnull=False,
                                   listing__stock_dirty_at__isnull=True)
        .select_related("listing")
        .order_by("pk")[:limit]
    )
    if not states:
        return {"checked": 0, "verified": 0, "drifting": 0}
    connector = connector or connector_for(connection)
    readings = {}
    try:
        keys = [(s.listing.stock_key, s.warehouse_external_id) for s in states]
        for reading in connector.read_stocks(keys):
            readings[(reading.stock_key, reading.warehouse_external_id)] = reading.quantity
    finally:
        connector.http.close()
    now = timezone.now()
    read = []
    for state in states:
        found = readings.get((state.listing.stock_key, state.warehouse_external_id))
        if found is not None:
            state.marketplace_quantity, state.marketplace_quantity_at, state.verified = found, now, found == state.quantity
            read.append(state)
    agreeing = [state for state in read if state.verified]
    drifting = [state for state in read if not state.verified]
    with transaction.atomic():
        PushedStock.objects.bulk_update(read, ["marketplace_quantity", "marketplace_quantity_at", "verified"],
                                        batch_size=1000)
        _mark_verified(agreeing, now)
        _mark_drifting(drifting, now)
    return {"checked": len(states), "verified": len(agreeing), "drifting": len(drifting)}


def _mark_verified(states: list[PushedStock], now: datetime) -> None:
    """Listings that showed what was pushed become verified (unless something else happened to them since the push),
    and their open drift is resolved."""
    if not states:
        return
    shown = {state.listing_id: state.marketplace_quantity for state in states}
    pushed_only = Listing.objects.filter(pk__in=shown, sync_state=StockSyncState.PUSHED).values_list("pk", flat=True)
    Listing.objects.bulk_update(
        [Listing(pk=pk, sync_state=StockSyncState.VERIFIED, marketplace_quantity=shown[pk], marketplace_quantity_at=now)
         for pk in pushed_only],
        ["sync_state", "marketplace_quantity", "marketplace_quantity_at"], batch_size=1000)
    pairs = {(state.listing_id, state.warehouse_external_id) for state in states}
    resolved = [pk for pk, listing_id, warehouse in DriftRecord.objects.filter(
        listing_id__in=shown, resolved_at__isnull=True).values_list("pk", "listing_id", "warehouse_external_id")
        if (listing_id, warehouse) in pairs]
    DriftRecord.objects.filter(pk__in=resolved).update(resolved_at=now)


def _mark_drifting(states: list[PushedStock], now: datetime) -> None:
    """Listings that show something else drift: logged once per open drift, and dirty again to be corrected."""
    if not states:
        return
    Listing.objects.bulk_update(
        [Listing(pk=state.listing_id, sync_state=StockSyncState.DRIFTING, marketplace_quantity=state.marketplace_quantity,
                 marketplace_quantity_at=now, stock_dirty_at=now) for state in states],
        ["sync_state", "marketplace_quantity", "marketplace_quantity_at", "stock_dirty_at"], batch_size=1000)
    already_open = set(DriftRecord.objects.filter(
        listing_id__in={state.listing_id for state in states}, resolved_at__isnull=True,
    ).values_list("listing_id", "warehouse_external_id"))
    DriftRecord.objects.bulk_create([
        DriftRecord(organization_id=state.organization_id, listing_id=state.listing_id,
                    warehouse_external_id=state.warehouse_external_id, expected=state.quantity,
                    found=state.marketplace_quantity)
        for state in states if (state.listing_id, state.warehouse_external_id) not in already_open
    ])

