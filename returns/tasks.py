"""Celery tasks of returns: thin wrappers that take ids, enter the organization's scope and call one service."""

from __future__ import annotations

from celery import shared_task

from oms.models import Organization
from oms.tenancy import organization_scope
from returns.digest import send_claim_digest


@shared_task(ignore_result=True, expires=6 * 3600)
def send_claim_digests() -> int:
    """Daily at 09:00 Moscow (oms/beat.py): one digest task per organization, on the queue of slow periodic work."""
    organization_ids = list(Organization.objects.order_by("pk").values_list("pk", flat=True))
    for organization_id in organization_ids:
        send_organization_claim_digest.apply_async((organization_id,), queue="analytics")
    return len(organization_ids)


@shared_task(ignore_result=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=60, max_retries=3,
             expires=6 * 3600)
def send_organization_claim_digest(organization_id: int) -> int:
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return 0
    with organization_scope(organization):
        return send_claim_digest(organization)
