"""Celery tasks: thin wrappers that take ids, enter the organization's scope and call one service."""

from __future__ import annotations

import logging
import time

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from connectors.choices import Job
from connectors.models import Connection
from connectors.push import push_dirty
from connectors.services import run_job
from oms.tenancy import organization_scope

logger = logging.getLogger(__name__)

# Connection field holding each job's interval. Stock pushes are driven by the sync engine; this is the
# periodic full push / reconciliation.
INTERVAL_FIELDS = {
    Job.ORDERS: "orders_poll_seconds",
    Job.STATUSES: "statuses_poll_seconds",
    Job.STOCKS: "stocks_reconcile_seconds",
    Job.FBO: "fbo_poll_seconds",
    Job.RETURNS: "returns_poll_seconds",
}


@shared_task(ignore_result=True, expires=5)
def dispatch_polls() -> int:
    """Every second: enqueue each enabled connection's jobs that are due. A Redis key per job makes "due" cheap."""
    queued = 0
    # Deliberately across tenants: the scheduler serves every organization; each job runs inside its own scope.
    for connection in Connection.all_tenants.filter(enabled=True).only("pk", "organization_id", *INTERVAL_FIELDS.values()):
        for job, field_name in INTERVAL_FIELDS.items():
            interval = max(1, getattr(connection, field_name))
            if cache.add(f"okno:due:{connection.pk}:{job}", 1, timeout=interval):
                run_connection_job.apply_async((connection.pk, connection.organization_id, job),
                                               expires=interval * 2)
                queued += 1
    return queued


def _running_key(connection_id: int, job: str) -> str:
    return f"okno:running:{connection_id}:{job}"


def _again_key(connection_id: int, job: str) -> str:
    return f"okno:run-again:{connection_id}:{job}"


@shared_task(ignore_result=True, acks_late=True)
def run_connection_job(connection_id: int, organization_id: int, job: str, woken: bool = False) -> dict:
    """Run one job now. A scheduled run finding the job running is skipped (the next is a second away); a wake-up
    (``woken``: the marketplace notified a new order) is not lost: the running job may have fetched just before the
    order appeared, so it runs once more when done."""
    lock = _running_key(connection_id, job)
    if not cache.add(lock, 1, timeout=300):
        if woken:
            cache.set(_again_key(connection_id, job), 1, timeout=300)
            return {"skipped": "already running; runs again when done"}
        return {"skipped": "already running"}
    try:
        with organization_scope(organization_id):
            connection = Connection.objects.filter(pk=connection_id, enabled=True).first()
            if connection is None:
                return {"skipped": "connection disabled or gone"}
            return run_job(connection, job).as_dict()
    finally:
        cache.delete(lock)
        if cache.delete(_again_key(connection_id, job)):
            run_connection_job.apply_async((connection_id, organization_id, job))


# A queued wake-up this far overdue is taken as lost (a worker that died with it): the next request replaces it.
STALE_WAKE_UP_S = 5.0


def _next_key(connection_id: int) -> str:
    return f"okno:push-next:{connection_id}"


def _last_key(connection_id: int) -> str:
    return f"okno:push-last:{connection_id}"


def request_push(connection_id: int, organization_id: int, countdown: float = 0.0) -> None:
    """Wake the dispatcher for a connection: one queued push per connection, paced.

    A connection sends at most one stock request per ``OKNO_PUSH_INTERVAL_S``: a change lands in the push already
    queued, or in a new one due ``OKNO_PUSH_COALESCE_S`` from now — or a whole interval after the last push
    started, whichever is later. A wake-up wanted later (a marketplace window that opens in 20 s) never holds back
    an earlier one: the queued push is replaced, and the push that runs schedules the next due time itself.
    """
    now = time.time()
    last = cache.get(_last_key(connection_id)) or 0.0
    at = max(now + max(countdown, settings.OKNO_PUSH_COALESCE_S), last + settings.OKNO_PUSH_INTERVAL_S)
    ttl = int(at - now) + 10
    if not cache.add(_next_key(connection_id), at, timeout=ttl):
        queued = cache.get(_next_key(connection_id))
        if queued is not None and now - STALE_WAKE_UP_S < queued <= at + 0.05:
            return  # the queued push goes no later than needed
        cache.set(_next_key(connection_id), at, timeout=ttl)
    push_connection_stocks.apply_async((connection_id, organization_id, at), countdown=max(0.0, at - now) or None)


@shared_task(ignore_result=True, acks_late=True)
def push_connection_stocks(connection_id: int, organization_id: int, token: float | None = None) -> dict:
    if token is not None:
        queued = cache.get(_next_key(connection_id))
        if queued is not None and abs(queued - token) > 1e-6:
            return {"skipped": "superseded by another wake-up"}
    lock = f"okno:pushing:{connection_id}"
    if not cache.add(lock, 1, timeout=120):
        cache.delete(_next_key(connection_id))  # this wake-up is spent: the one below replaces it
        request_push(connection_id, organization_id, countdown=0.2)
        return {"skipped": "another push is running; re-queued"}
    try:
        with organization_scope(organization_id):
            if not push_connection_stocks.request.is_eager:
                _wait_for_order_polls(organization_id)
            # From here on, a new change queues a new push: nothing that lands during this run is coalesced away.
            cache.delete(_next_key(connection_id))
            connection = Connection.objects.filter(pk=connection_id, enabled=True).first()
            if connection is None:
                return {"skipped": "connection disabled or gone"}
            # The pacing clock starts now, so that wake-ups while this push is in flight queue behind it; a push that
            # turns out to send nothing gives the slot back.
            previous = cache.get(_last_key(connection_id))
            cache.set(_last_key(connection_id), time.time(), timeout=3600)
            report = push_dirty(connection)
            if not report.requests:
                cache.set(_last_key(connection_id), previous or 0.0, timeout=3600)
    finally:
        cache.delete(lock)
    if report.next_due_s is not None:
        request_push(connection_id, organization_id, countdown=max(0.05, report.next_due_s))
    return report.__dict__


def _wait_for_order_polls(organization_id: int) -> None:
    """Let order polls of the organization that are running finish first (at most ``OKNO_PUSH_ROUND_WAIT_S``):
    every connection polls in the same second, and the sales they bring then share this push's request."""
    keys = [_running_key(pk, Job.ORDERS) for pk in Connection.objects.filter(enabled=True).values_list("pk", flat=True)]
    deadline = time.monotonic() + settings.OKNO_PUSH_ROUND_WAIT_S
    while keys and time.monotonic() < deadline and cache.get_many(keys):
        time.sleep(0.02)


@shared_task(ignore_result=True, expires=10)
def sweep_dirty_listings() -> int:
    """Safety net: wake pushes for every connection with dirty listings (a lost message, a dead worker)."""
    from catalog.models import Listing

    # Deliberately across tenants: the sweep serves every organization; each push runs in its own scope.
    due = Q(stock_dirty_at__isnull=False) | Q(stock_recheck_at__lte=timezone.now())
    pairs = set(
        Listing.all_tenants.filter(due, connection__enabled=True)
        .values_list("connection_id", "organization_id").distinct()
    )
    for connection_id, organization_id in pairs:
        request_push(connection_id, organization_id)
    return len(pairs)
