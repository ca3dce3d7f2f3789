"""Returns, non-purchases, cancellations and claims enter Okno here, idempotently, like orders.

Preconditions: the connection's organization is in scope. Restock and write-off go through ``inventory.services``.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from catalog.models import Listing, Variant
from connectors.dto import ReturnDTO
from orders.models import Order, OrderLine
from returns.choices import RETURN_STATUS_RANK, ReasonCode, ReturnKind
from returns.models import Claim, Return, ReturnLine


def ingest_return(connection, dto: ReturnDTO) -> bool:
    """Create or update the return ``dto`` describes; True when it is new. A return for an unknown order is kept
    with ``order`` empty (shown as unmatched) and linked when the order arrives."""
    for attempt in range(3):
        try:
            with transaction.atomic():
                return _ingest(connection, dto)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _ingest(connection, dto: ReturnDTO) -> bool:
    existing = Return.objects.select_for_update().filter(connection=connection, external_id=dto.external_id).first()
    order = _find_order(connection, dto.order_external_id)
    if existing is not None:
        changed = []
        if RETURN_STATUS_RANK.get(dto.status, 0) > RETURN_STATUS_RANK.get(existing.status, 0):
            existing.status = dto.status
            changed.append("status")
        if dto.marketplace_status and dto.marketplace_status != existing.marketplace_status:
            existing.marketplace_status = dto.marketplace_status
            changed.append("marketplace_status")
        if existing.order_id is None and order is not None:
            existing.order = order
            changed.append("order")
        if dto.deadline_at and dto.deadline_at != existing.deadline_at:
            existing.deadline_at = dto.deadline_at
            changed.append("deadline_at")
        if changed:
            existing.save(update_fields=[*changed, "updated_at"])
        return False
    reason_code = dto.reason_code if dto.reason_code in ReasonCode.values else ReasonCode.OTHER
    created = Return.objects.create(
        connection=connection, external_id=dto.external_id, order=order, order_external_id=dto.order_external_id,
        kind=dto.kind if dto.kind in ReturnKind.values else ReturnKind.RETURN, scheme=dto.scheme, status=dto.status,
        marketplace_status=dto.marketplace_status, reason=dto.reason, reason_code=reason_code,
        buyer_comment=dto.buyer_comment, photos=list(dto.photos), amount=dto.amount,
        requested_at=dto.created_at or timezone.now(), deadline_at=dto.deadline_at, raw=dto.raw,
    )
    variants = dict(Listing.objects.filter(connection=connection, offer_id__in=[line.offer_id for line in dto.lines])
                    .values_list("offer_id", "variant_id"))
    missing = [line.offer_id for line in dto.lines if line.offer_id not in variants]
    if missing:
        variants.update(Variant.objects.filter(sku__in=missing).values_list("sku", "pk"))
    order_lines = {}
    if order is not None:
        order_lines = {line.offer_id: line.pk for line in OrderLine.objects.filter(order=order)}
    ReturnLine.objects.bulk_create(
        ReturnLine(
            organization_id=created.organization_id, return_request=created, variant_id=variants.get(line.offer_id),
            order_line_id=order_lines.get(line.offer_id), offer_id=line.offer_id, name=line.name,
            quantity=line.quantity, price=line.price,
        )
        for line in dto.lines
    )
    if dto.kind == ReturnKind.CLAIM:
        Claim.objects.get_or_create(
            connection=connection, external_id=dto.external_id,
            defaults={"return_request": created, "order": order, "marketplace_status": dto.marketplace_status,
                      "subject": dto.reason[:300], "description": dto.buyer_comment, "deadline_at": dto.deadline_at,
                      "raw": dto.raw},
        )
    return True


def _find_order(connection, external_id: str) -> Order | None:
    if not external_id:
        return None
    return (
        Order.objects.filter(connection=connection, external_id=external_id).first()
        or Order.objects.filter(connection=connection, number=external_id).first()
    )
