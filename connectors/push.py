"""The push dispatcher: coalesce a connection's dirty listings, batch them at the API's maximum, send, record.

Correctness rests on the durable dirty stamp (``Listing.stock_dirty_at``): a listing's stamp is cleared only if it
is still the stamp read before computing the quantity, so a change that lands while a push is in flight stays
dirty and goes next time; a worker that dies mid-push leaves the stamps for the next run. Quantities are computed
from the ledger at send time, so coalescing many sales into one push loses nothing.

Preconditions: the connection's organization is in scope.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q, Sum
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
VELOCITY_WINDOW_S = 15.0
REACTION_S = 2.0  # a sale's way to every marketplace: the next poll, ingest, the push


@dataclass
class PushReport:
    listings: int = 0
    sent: int = 0
    accepted: int = 0
    refused: int = 0
    unchanged: int = 0
    deferred: int = 0
    requests: int = 0
    next_due_s: float | None = None  # when deferred pairs open (Ozon's 30-second rule)
    errors: list[str] = field(default_factory=list)


@dataclass
class _Pair:
    listing_id: int
    stock_key: str
    warehouse: str
    quantity: int
    offer_id: str
    external_product_id: str


def push_dirty(connection: Connection, connector: Connector | None = None) -> PushReport:
    """Push every dirty listing of the connection whose offered quantity differs from what was last pushed."""
    report = PushReport()
    rows = list(
        Listing.objects.filter(connection=connection, stock_dirty_at__isnull=False)
        .exclude(stock_key="")
        .order_by("stock_dirty_at")
        .values_list("pk", "variant_id", "variant__product_id", "stock_key", "offer_id", "external_product_id",
                     "stock_dirty_at")[:MAX_LISTINGS_PER_RUN]
    )
    if not rows:
        return report
    report.listings = len(rows)
    stamps = {row[0]: row[6] for row in rows}
    links = list(connection.warehouse_links.values_list("warehouse_id", "external_id"))
    if not links:
        _clear(stamps, set(stamps))
        report.errors.append("no marketplace warehouse linked")
        return report

    available = availability.available_quantities({row[1] for row in rows}, {w for w, _ in links})
    default, per_product = availability.policies_for(connection.pk)
    pushed = {
        (ps.listing_id, ps.warehouse_external_id): ps
        for ps in PushedStock.objects.filter(listing_id__in=stamps)
    }
    connector = connector or connector_for(connection)
    now = timezone.now()
    held_back = _held_back_for_pacing(connector, {row[1] for row in rows}, now)
    to_send: list[_Pair] = []
    waiting: set[int] = set()
    for listing_id, variant_id, product_id, stock_key, offer_id, external_product_id, _stamp in rows:
        policy = per_product.get(product_id, default)
        for warehouse_id, external_id in links:
            quantity = max(0, policy.offered(available[(variant_id, warehouse_id)]) - held_back.get(variant_id, 0))
            state = pushed.get((listing_id, external_id))
            if state is not None and state.quantity == quantity and not state.error and state.verified is not False:
                report.unchanged += 1
                continue
            if state is not None and state.next_allowed_at and state.next_allowed_at > now:
                report.deferred += 1
                waiting.add(listing_id)
                due = (state.next_allowed_at - now).total_seconds()
                report.next_due_s = due if report.next_due_s is None else min(report.next_due_s, due)
                continue
            to_send.append(_Pair(listing_id, stock_key, external_id, quantity, offer_id, external_product_id))

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
    finally:
        if connector.http is not None:
            connector.http.close()
    done = set(stamps) - waiting - failed
    _clear(stamps, done)
    return report


def _held_back_for_pacing(connector: Connector, variant_ids: set[int], now: datetime) -> dict[int, int]:
    """Units of fast-selling items to keep off this marketplace until Okno's next update can land there.

    Whatever Okno offers stays on show until its next push arrives: about ``REACTION_S`` after a sale elsewhere,
    or a whole window on a marketplace that accepts one update per item every N seconds (Ozon: 30 s). Okno holds
    back the units the item is likely to sell elsewhere meanwhile — its recent sales rate × that time, rounded —
    so the last units are not sold twice. Items that rarely sell lose nothing.
    """
    horizon = connector.stock_pair_interval_s or REACTION_S
    if not variant_ids:
        return {}
    # The rate is measured over a span several times the horizon: one sale must not look like a rush.
    window = max(VELOCITY_WINDOW_S, 2 * horizon)
    since = now - timedelta(seconds=window)
    sold = (
        StockMovement.objects.filter(kind=MovementKind.RESERVATION, created_at__gte=since, variant_id__in=variant_ids)
        .values("variant_id")
        .annotate(units=Sum("reserved_delta"))
    )
    return {row["variant_id"]: round(row["units"] / window * horizon) for row in sold}


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
                report.next_due_s = retry if report.next_due_s is None else min(report.next_due_s, retry)
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


def _clear(stamps: dict[int, datetime], listing_ids: set[int]) -> None:
    """Clear the dirty stamp of listings whose stamp is still the one read (compare-and-clear)."""
    by_stamp: dict[datetime, list[int]] = defaultdict(list)
    for listing_id in listing_ids:
        by_stamp[stamps[listing_id]].append(listing_id)
    for stamp, ids in by_stamp.items():
        Listing.objects.filter(pk__in=ids, stock_dirty_at=stamp).update(stock_dirty_at=None)


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
    verified = drifting = 0
    for state in states:
        found = readings.get((state.listing.stock_key, state.warehouse_external_id))
        if found is None:
            continue
        ok = found == state.quantity
        PushedStock.objects.filter(pk=state.pk).update(marketplace_quantity=found, marketplace_quantity_at=now,
                                                      verified=ok)
        if ok:
            verified += 1
            Listing.objects.filter(pk=state.listing_id, sync_state=StockSyncState.PUSHED).update(
                sync_state=StockSyncState.VERIFIED, marketplace_quantity=found, marketplace_quantity_at=now)
            DriftRecord.objects.filter(listing_id=state.listing_id, warehouse_external_id=state.warehouse_external_id,
                                       resolved_at__isnull=True).update(resolved_at=now)
        else:
            drifting += 1
            Listing.objects.filter(pk=state.listing_id).update(
                sync_state=StockSyncState.DRIFTING, marketplace_quantity=found, marketplace_quantity_at=now,
                stock_dirty_at=now)
            open_drift = DriftRecord.objects.filter(
                Q(listing_id=state.listing_id) & Q(warehouse_external_id=state.warehouse_external_id)
                & Q(resolved_at__isnull=True))
            if not open_drift.exists():
                DriftRecord.objects.create(listing_id=state.listing_id, warehouse_external_id=state.warehouse_external_id,
                                           expected=state.quantity, found=found)
    return {"checked": len(states), "verified": verified, "drifting": drifting}
