"""Celery tasks: thin wrappers that take ids, enter the organization's scope and call one service."""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.cache import cache

from connectors.choices import Job
from connectors.models import Connection
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


@shared_task(queue="poll", ignore_result=True, expires=5)
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


@shared_task(queue="poll", ignore_result=True, acks_late=True)
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
