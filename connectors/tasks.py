"""Celery tasks: thin wrappers that take ids, enter the organization's scope and call one service."""

from __future__ import annotations

import logging
import time

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

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


@shared_task(ignore_result=True, acks_late=True)
def run_connection_job(connection_id: int, organization_id: int, job: str) -> dict:
    lock = f"okno:running:{connection_id}:{job}"
    if not cache.add(lock, 1, timeout=300):
        return {"skipped": "already running"}
    try:
        with organization_scope(organization_id):
            connection = Connection.objects.filter(pk=connection_id, enabled=True).first()
            if connection is None:
                return {"skipped": "connection disabled or gone"}
            return run_job(connection, job).as_dict()
    finally:
        cache.delete(lock)


def _queued_key(connection_id: int) -> str:
    return f"okno:push-queued:{connection_id}"


def request_push(connection_id: int, organization_id: int, countdown: float = 0.0) -> None:
    """Wake the dispatcher for a connection, coalescing: one queued push per connection at a time.

    A delayed wake-up (a marketplace window that opens later) is tracked apart, so it never holds back an
    immediate push for a change that happens meanwhile.
    """
    if countdown > 0:
        # One delayed wake-up per connection and due second: windows opening at different times each get theirs.
        due_second = int(time.time() + countdown)
        if cache.add(f"okno:push-delayed:{connection_id}:{due_second}", 1, timeout=max(1, int(countdown) + 2)):
            push_connection_stocks.apply_async((connection_id, organization_id), countdown=countdown)
        return
    if cache.add(_queued_key(connection_id), 1, timeout=60):
        # A short debounce lets the changes of one polling round (all connections poll together) share a request.
        debounce = getattr(settings, "OKNO_PUSH_DEBOUNCE_S", 0.0)
        push_connection_stocks.apply_async((connection_id, organization_id), countdown=debounce or None)


@shared_task(ignore_result=True, acks_late=True)
def push_connection_stocks(connection_id: int, organization_id: int) -> dict:
    # From here on, a new change enqueues a new push: nothing that lands during this run is coalesced away.
    # The same holds for wake-ups due now (this run may be one): a window that opens a moment later gets its own.
    now = int(time.time())
    cache.delete_many([_queued_key(connection_id)] + [f"okno:push-delayed:{connection_id}:{now - k}" for k in range(3)])
    lock = f"okno:pushing:{connection_id}"
    if not cache.add(lock, 1, timeout=120):
        request_push(connection_id, organization_id, countdown=0.2)
        return {"skipped": "another push is running; re-queued"}
    try:
        with organization_scope(organization_id):
            connection = Connection.objects.filter(pk=connection_id, enabled=True).first()
            if connection is None:
                return {"skipped": "connection disabled or gone"}
            report = push_dirty(connection)
    finally:
        cache.delete(lock)
    if report.next_due_s is not None:
        request_push(connection_id, organization_id, countdown=max(0.05, report.next_due_s))
    return report.__dict__


@shared_task(ignore_result=True, expires=10)
def sweep_dirty_listings() -> int:
    """Safety net: wake pushes for every connection with dirty listings (a lost message, a dead worker)."""
    from catalog.models import Listing

    # Deliberately across tenants: the sweep serves every organization; each push runs in its own scope.
    pairs = set(
        Listing.all_tenants.filter(stock_dirty_at__isnull=False, connection__enabled=True)
        .values_list("connection_id", "organization_id").distinct()
    )
    for connection_id, organization_id in pairs:
        request_push(connection_id, organization_id)
    return len(pairs)
