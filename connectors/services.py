"""Running a connection's jobs: fetch from the marketplace, hand DTOs to the apps' services, remember the cursor,
keep every payload that could not be taken in, and show the outcome on the connection.

Preconditions: the connection's organization is in scope (tasks and commands enter it).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.choices import StockSyncState
from catalog.models import Listing, Variant
from connectors.base import Connector
from connectors.choices import ConnectionStatus, Job
from connectors.dto import Batch, PayloadError
from connectors.errors import MarketplaceError
from connectors.models import Connection, IngestError, JobState
from connectors.registry import connector_for
from inventory import services as stock
from inventory.choices import WarehouseKind
from inventory.models import Warehouse
from orders import services as orders
from orders.choices import OPEN_STATUSES, EventSource, OrderStatus, Scheme
from orders.models import Order

logger = logging.getLogger(__name__)

MAX_PAGES_PER_RUN = 20
CHANGED_SCAN_EVERY_S = 5.0
NEW_ORDERS_FULL_EVERY_S = 30.0
STATUS_CHUNK = 100


@dataclass
class JobReport:
    job: str
    fetched: int = 0
    created: int = 0
    updated: int = 0
    pushed: int = 0
    refused: int = 0
    payload_errors: int = 0
    notes: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in (0, "", [])} | {"job": self.job}

    def summary(self) -> str:
        parts = [f"{name}={value}" for name, value in self.as_dict().items() if name not in ("job", "notes", "error")]
        text = f"{self.job}: " + (", ".join(parts) or "nothing to do")
        if self.error:
            text += f" — ERROR: {self.error}"
        return text


def run_job(connection: Connection, job: str, *, connector: Connector | None = None) -> JobReport:
    """Run one job of one connection now; errors are recorded on the connection and returned, never raised."""
    runner = JOB_RUNNERS[job]
    state, _created = JobState.objects.get_or_create(connection=connection, job=job)
    report = JobReport(job=job)
    connector = connector or connector_for(connection)
    now = timezone.now()
    try:
        runner(connection, connector, state, report)
    except MarketplaceError as exc:
        report.error = exc.user_message()
        _record_failure(connection, state, exc.status, report.error)
    else:
        state.last_success_at = now
        state.last_error = ""
        Connection.objects.filter(pk=connection.pk).update(
            last_success_at=now, status=ConnectionStatus.OK, last_error="", last_error_at=None
        )
    finally:
        close = getattr(connector.http, "close", None)
        if close:
            close()
    state.last_run_at = now
    state.last_result = report.as_dict()
    state.save()
    return report


def _record_failure(connection: Connection, state: JobState, status: str, message: str) -> None:
    now = timezone.now()
    state.last_error, state.last_error_at = message, now
    Connection.objects.filter(pk=connection.pk).update(status=status, last_error=message, last_error_at=now)


def check_connection(connection: Connection) -> tuple[bool, str]:
    """A cheap authenticated call; the message says what the marketplace answered, in the user's language."""
    connector = connector_for(connection)
    now = timezone.now()
    try:
        description = connector.check()
    except MarketplaceError as exc:
        message = exc.user_message()
        Connection.objects.filter(pk=connection.pk).update(status=exc.status, last_error=message, last_error_at=now)
        return False, message
    finally:
        connector.http.close()
    Connection.objects.filter(pk=connection.pk).update(status=ConnectionStatus.OK, last_success_at=now, last_error="")
    return True, _("Connected: %(account)s") % {"account": description}


def keep_payload_errors(connection: Connection, job: str, errors: Sequence[PayloadError]) -> int:
    """Store what could not be taken in, verbatim, for the connection page and replay."""
    IngestError.objects.bulk_create(
        IngestError(
            organization_id=connection.organization_id, connection=connection, job=job, kind=e.kind,
            external_id=e.external_id[:128], payload=e.payload, error=e.error[:5000],
        )
        for e in errors
    )
    return len(errors)


def _ingest_each(connection: Connection, job: str, batch: Batch, handle: Callable[[Any], Any], report: JobReport,
                 kind: str) -> None:
    """Hand each item to its service; an item the service refuses becomes an ingest error, the rest go on."""
    report.fetched += len(batch.items)
    report.payload_errors += keep_payload_errors(connection, job, batch.errors)
    for item in batch.items:
        try:
            handle(item)
        except Exception as exc:
            logger.exception("ingest of %s %s failed", kind, getattr(item, "external_id", ""))
            report.payload_errors += keep_payload_errors(
                connection, job,
                [PayloadError(kind=kind, payload=json.dumps(getattr(item, "raw", {}) or {}, ensure_ascii=False,
                                                            default=str),
                              error=f"{type(exc).__name__}: {exc}", external_id=str(getattr(item, "external_id", "")))],
            )


def _order_handler(connection: Connection, report: JobReport, source: str = EventSource.POLL):
    def handle(dto) -> None:
        result = orders.ingest_order(connection, dto, source=source)
        if result.created:
            report.created += 1
        elif result.status_changed:
            report.updated += 1

    return handle


# --- jobs -------------------------------------------------------------------------------------------------------
def _without_known(connection: Connection, batch: Batch) -> Batch:
    """Drop orders Okno already holds in exactly the reported state: a marketplace's list of orders awaiting the
    seller repeats every open order on every poll, and re-ingesting them would cost a transaction each."""
    if not batch.items:
        return batch
    known = {
        (external_id, status, marketplace_status, substatus)
        for external_id, status, marketplace_status, substatus in Order.objects.filter(
            connection=connection, external_id__in=[dto.external_id for dto in batch.items]
        ).values_list("external_id", "status", "marketplace_status", "marketplace_substatus")
    }
    batch.items = [
        dto for dto in batch.items
        if (dto.external_id, dto.status, dto.marketplace_status, dto.marketplace_substatus) not in known
    ]
    return batch


def run_orders(connection: Connection, connector: Connector, state: JobState, report: JobReport) -> None:
    """New orders on every run (every second or two); the scan of changed orders at most every
    ``CHANGED_SCAN_EVERY_S`` — cancellations and status moves are not as urgent as a sale.

    The list of new orders may be asked only for what changed since the last complete read of it (a marketplace
    that pages through every order awaiting shipment answers faster), and in full every ``NEW_ORDERS_FULL_EVERY_S``.
    Keys of the job's cursor starting with ``_`` are Okno's; the rest is the marketplace's changed-orders cursor.
    """
    handle = _order_handler(connection, report)
    cursor = dict(state.cursor or {})
    started = timezone.now()
    now = started.timestamp()
    full = now - float(cursor.get("_new_full_at", 0)) >= NEW_ORDERS_FULL_EVERY_S or not cursor.get("_new_seen")
    new = connector.fetch_new_orders(since=None if full else datetime.fromisoformat(cursor["_new_seen"]))
    _ingest_each(connection, Job.ORDERS, _without_known(connection, new), handle, report, "order")
    if not new.has_more and not new.errors:
        cursor |= {"_new_seen": started.isoformat(), **({"_new_full_at": now} if full else {})}
        state.cursor = cursor
    if now - float(cursor.get("_scanned_at", 0)) < CHANGED_SCAN_EVERY_S:
        return
    okno = {key: value for key, value in cursor.items() if key.startswith("_")} | {"_scanned_at": now}
    marketplace = {key: value for key, value in cursor.items() if not key.startswith("_")}
    for _page in range(MAX_PAGES_PER_RUN):
        batch = connector.fetch_changed_orders(marketplace)
        _ingest_each(connection, Job.ORDERS, _without_known(connection, batch), handle, report, "order")
        marketplace = batch.cursor or marketplace
        state.cursor = marketplace | okno
        state.save(update_fields=["cursor"])
        if not batch.has_more:
            break


def run_statuses(connection: Connection, connector: Connector, state: JobState, report: JobReport) -> None:
    watched = (*OPEN_STATUSES, OrderStatus.SHIPPED)
    external_ids = list(
        Order.objects.filter(connection=connection, status__in=watched)
        .exclude(scheme=Scheme.FBO)
        .order_by("pk")
        .values_list("external_id", flat=True)
    )
    for start in range(0, len(external_ids), STATUS_CHUNK):
        batch = connector.fetch_order_statuses(external_ids[start : start + STATUS_CHUNK])
        _ingest_each(
            connection, Job.STATUSES, batch,
            lambda dto: report.__setattr__("updated", report.updated + bool(orders.update_order_status(connection, dto))),
            report, "order_status",
        )


def run_stocks(connection: Connection, connector: Connector, state: JobState, report: JobReport) -> None:
    """The periodic reconciliation: push what differs, read back what every marketplace shows, and correct drift
    at once (drift is logged; the listing shows it until the marketplace agrees).

    The same dispatcher as real-time pushes does the sending, so pacing rules and batching apply unchanged.
    """
    from connectors.push import push_dirty, verify_pushed

    # Listings never pushed (new ones, or after an outage) join the run; unchanged quantities are skipped.
    Listing.objects.filter(connection=connection, pushed_at__isnull=True, stock_dirty_at__isnull=True).exclude(
        stock_key="").update(stock_dirty_at=timezone.now(), sync_state=StockSyncState.PENDING)
    _push_into(report, push_dirty(connection, connector))
    checked = verify_pushed(connection, connector_for(connection))
    report.fetched += checked["checked"]
    if checked["drifting"]:
        report.notes.append(_("%(count)s listings drifted from what Okno pushed") % {"count": checked["drifting"]})
        _push_into(report, push_dirty(connection, connector_for(connection)))


def _push_into(report: JobReport, pushed) -> None:
    report.pushed += pushed.accepted
    report.refused += pushed.refused
    report.notes.extend(pushed.errors)
    if pushed.deferred:
        report.notes.append(_("%(count)s items wait for the marketplace's update window") % {"count": pushed.deferred})


def run_fbo(connection: Connection, connector: Connector, state: JobState, report: JobReport) -> None:
    cursor = dict(state.cursor or {})
    handle = _order_handler(connection, report)
    for _page in range(MAX_PAGES_PER_RUN):
        batch = connector.fetch_fbo_orders(cursor)
        _ingest_each(connection, Job.FBO, _without_known(connection, batch), handle, report, "fbo_order")
        cursor = batch.cursor or cursor
        state.cursor = cursor
        state.save(update_fields=["cursor"])
        if not batch.has_more:
            break
    stocks = connector.fetch_fbo_stocks()
    report.payload_errors += keep_payload_errors(connection, Job.FBO, stocks.errors)
    _apply_fbo_stocks(connection, stocks.items, report)


def _apply_fbo_stocks(connection: Connection, items, report: JobReport) -> None:
    """FBO stock is the marketplace's count: booked through the ledger as a count per marketplace warehouse."""
    variants = dict(Listing.objects.filter(connection=connection).values_list("offer_id", "variant_id"))
    for item in items:
        variant_id = variants.get(item.offer_id)
        if variant_id is None:
            report.notes.append(_("FBO stock for unknown offer %(offer)s") % {"offer": item.offer_id})
            continue
        with transaction.atomic():
            warehouse, _created = Warehouse.objects.get_or_create(
                connection=connection, external_id=item.warehouse_external_id, kind=WarehouseKind.FBO,
                defaults={"name": item.warehouse_name or item.warehouse_external_id,
                          "code": f"FBO-{connection.pk}-{item.warehouse_external_id}"[:40]},
            )
            movements = stock.adjust(
                variant=Variant(pk=variant_id), warehouse=warehouse, new_quantity=max(0, item.quantity),
                reason=_("FBO stock report"), reference=f"fbo:{connection.pk}",
            )
        report.updated += len(movements)
        report.fetched += 1


def run_returns(connection: Connection, connector: Connector, state: JobState, report: JobReport) -> None:
    from returns import services as returns

    cursor = dict(state.cursor or {})
    for _page in range(MAX_PAGES_PER_RUN):
        batch = connector.fetch_returns(cursor)

        def handle(dto) -> None:
            created = returns.ingest_return(connection, dto)
            if created:
                report.created += 1

        _ingest_each(connection, Job.RETURNS, batch, handle, report, "return")
        cursor = batch.cursor or cursor
        state.cursor = cursor
        state.save(update_fields=["cursor"])
        if not batch.has_more:
            break


JOB_RUNNERS: dict[str, Callable[[Connection, Connector, JobState, JobReport], None]] = {
    Job.ORDERS: run_orders,
    Job.STATUSES: run_statuses,
    Job.STOCKS: run_stocks,
    Job.FBO: run_fbo,
    Job.RETURNS: run_returns,
}
