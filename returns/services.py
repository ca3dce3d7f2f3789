"""Returns, non-purchases, cancellations and claims: ingest from the marketplaces and every step a person takes.

The lifecycle only moves forward (``RETURN_STATUS_RANK``): requested → approved/rejected → in transit → arrived →
received → inspected → restocked or written off. Restock goes through the stock ledger (``inventory.services``), so
the sync engine raises the offered quantity on every channel. Approving, rejecting and answering claims ask the
marketplace first; a refusal is recorded on the return and changes no state.

Preconditions for every function: the organization of the return/claim is in scope and the objects passed belong to
it (callers fetch them through the scoped managers).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Listing, Variant
from connectors.dto import ActionResult, ReturnDTO
from connectors.errors import MarketplaceError
from connectors.registry import connector_for
from inventory import services as stock
from inventory.choices import WarehouseKind
from inventory.models import Location, Warehouse
from inventory.services import StockError, StockLine
from oms.db import atomic_upsert
from orders import services as orders
from orders.choices import OPEN_STATUSES, EventSource, OrderStatus, Scheme
from orders.models import Order, OrderLine
from returns.choices import (
    RETURN_STATUS_RANK,
    ClaimStatus,
    InspectionOutcome,
    ReasonCode,
    ReturnKind,
    ReturnStatus,
)
from returns.models import Claim, Return, ReturnLine

logger = logging.getLogger(__name__)

# Goods on their way back to the seller (or announced): what a scan at the receiving desk may match.
AWAITING_RECEIPT = (ReturnStatus.REQUESTED, ReturnStatus.APPROVED, ReturnStatus.IN_TRANSIT, ReturnStatus.ARRIVED)
# Statuses in which a return still needs someone's work; a deadline only matters while a return is in one of them.
OPEN_RETURN_STATUSES = (*AWAITING_RECEIPT, ReturnStatus.RECEIVED, ReturnStatus.INSPECTED)
CLOSED_RETURN_STATUSES = (ReturnStatus.REJECTED, ReturnStatus.RESTOCKED, ReturnStatus.WRITTEN_OFF)
ANSWERABLE_CLAIM_STATUSES = (ClaimStatus.OPEN, ClaimStatus.EXPIRED)


class ReturnActionError(Exception):
    """An action the return's state or the input does not allow; ``message`` is fit for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class AmbiguousScan(ReturnActionError):
    """A scanned code matches several returns awaiting receipt; ``candidates`` lists them."""

    def __init__(self, message: str, candidates: list[Return]):
        super().__init__(message)
        self.candidates = candidates


@dataclass(frozen=True)
class MarketplaceAnswer:
    """What the marketplace said to an approve/reject/answer: accepted, or refused with its message."""

    ok: bool
    message: str = ""
    data: dict[str, Any] = field(default_factory=dict)


# --- ingest ------------------------------------------------------------------------------------------------------
def ingest_return(connection, dto: ReturnDTO) -> bool:
    """Create or update the return ``dto`` describes; True when it is new. A return for an unknown order is kept
    with ``order`` empty (shown as unmatched) and linked when the order arrives."""
    return atomic_upsert(lambda: _ingest(connection, dto))


def _ingest(connection, dto: ReturnDTO) -> bool:
    existing = Return.objects.select_for_update().filter(connection=connection, external_id=dto.external_id).first()
    order = _find_order(connection, dto.order_external_id)
    if existing is not None:
        changed = []
        if RETURN_STATUS_RANK.get(dto.status, 0) > RETURN_STATUS_RANK.get(existing.status, 0):
            existing.status = dto.status
            changed.append("status")
            if dto.status == ReturnStatus.RECEIVED and existing.received_at is None:
                # The marketplace saw the seller take the parcel before anyone scanned it here.
                existing.received_at = timezone.now()
                changed.append("received_at")
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
        if "order" in changed:
            _link_order_lines(existing, order)
        if dto.kind == ReturnKind.CLAIM:
            _update_claim(connection, existing, dto)
        _apply_cancellation(existing, dto)
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
    _apply_cancellation(created, dto)
    return True


def _find_order(connection, external_id: str) -> Order | None:
    if not external_id:
        return None
    return (
        Order.objects.filter(connection=connection, external_id=external_id).first()
        or Order.objects.filter(connection=connection, number=external_id).first()
    )


def _link_order_lines(ret: Return, order: Order) -> None:
    """A return that arrived before its order: now that the order is known, tie its lines to the order's."""
    by_offer = {line.offer_id: line for line in OrderLine.objects.filter(order=order)}
    for line in ReturnLine.objects.filter(return_request=ret, order_line__isnull=True):
        order_line = by_offer.get(line.offer_id)
        if order_line is None:
            continue
        line.order_line = order_line
        line.variant_id = line.variant_id or order_line.variant_id
        line.save(update_fields=["order_line", "variant"])


# A claim follows the marketplace's verdict once it is known; an answer of ours does not decide it.
_CLAIM_VERDICT = {ReturnStatus.APPROVED: ClaimStatus.APPROVED, ReturnStatus.REJECTED: ClaimStatus.REJECTED}


def _update_claim(connection, ret: Return, dto: ReturnDTO) -> None:
    claim = Claim.objects.select_for_update().filter(connection=connection, external_id=dto.external_id).first()
    if claim is None:
        return
    changed = []
    if dto.marketplace_status and dto.marketplace_status != claim.marketplace_status:
        claim.marketplace_status = dto.marketplace_status
        changed.append("marketplace_status")
    if dto.deadline_at and dto.deadline_at != claim.deadline_at:
        claim.deadline_at = dto.deadline_at
        changed.append("deadline_at")
    verdict = _CLAIM_VERDICT.get(ret.status)
    if verdict and claim.status in (ClaimStatus.OPEN, ClaimStatus.ANSWERED, ClaimStatus.EXPIRED):
        claim.status = verdict
        changed.append("status")
    if changed:
        claim.save(update_fields=[*changed, "updated_at"])


def _apply_cancellation(ret: Return, dto: ReturnDTO) -> None:
    """A cancellation the marketplace has carried out cancels the Okno order if it is still open: the reservation is
    released (``orders.services``) and the reason recorded. A mere request waits for the seller's answer."""
    if ret.kind != ReturnKind.CANCELLATION or ret.status in (ReturnStatus.REQUESTED, ReturnStatus.REJECTED):
        return
    _cancel_open_order(ret, dto.reason or ret.reason or str(ret.get_reason_code_display()), source=EventSource.POLL)


def _cancel_open_order(ret: Return, reason: str, *, source: str, user=None) -> None:
    if ret.order_id is None:
        return
    order = Order.objects.filter(pk=ret.order_id).first()
    if order is not None and order.status in OPEN_STATUSES:
        orders.change_status(order, OrderStatus.CANCELLED, source=source, user=user, message=reason)


# --- lifecycle checks (the screens and the API ask the same questions) ---------------------------------------------
def can_receive(ret: Return) -> bool:
    # Cancellations never left the warehouse and FBO returns go back to the marketplace's warehouse.
    return ret.status in AWAITING_RECEIPT and ret.kind != ReturnKind.CANCELLATION and ret.scheme != Scheme.FBO


def can_inspect(ret: Return) -> bool:
    return ret.status == ReturnStatus.RECEIVED or (ret.status == ReturnStatus.INSPECTED and not _any_processed(ret))


def can_dispose(ret: Return) -> bool:
    """Restock or write off: after inspection, while units remain undecided."""
    return ret.status == ReturnStatus.INSPECTED


def can_decide(ret: Return) -> bool:
    """Approve or reject through the marketplace: only a request nobody has answered yet."""
    return ret.status == ReturnStatus.REQUESTED


def can_answer(claim: Claim) -> bool:
    return claim.status in ANSWERABLE_CLAIM_STATUSES


def remaining(line: ReturnLine) -> int:
    return line.quantity - line.restocked_quantity - line.written_off_quantity


def _any_processed(ret: Return) -> bool:
    return ReturnLine.objects.filter(return_request=ret).filter(
        Q(restocked_quantity__gt=0) | Q(written_off_quantity__gt=0)
    ).exists()


# --- audit trail -----------------------------------------------------------------------------------------------------
def _note(ret: Return, user, text: str) -> None:
    """Append one line of history ("when, who: what") to the return's notes; the caller saves ``inspection_note``."""
    when = timezone.localtime(timezone.now()).strftime("%d.%m.%Y %H:%M")
    who = str(user) if user is not None and getattr(user, "is_authenticated", False) else _("Okno")
    line = f"{when} {who}: {text}"
    ret.inspection_note = f"{ret.inspection_note}\n{line}" if ret.inspection_note else line


def _lock(ret: Return) -> Return:
    return Return.objects.select_for_update().get(pk=ret.pk)


def _user_or_none(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _refresh(target: Return, source: Return) -> Return:
    """Copy the saved state onto the caller's instance, so it sees what the action did."""
    for model_field in Return._meta.concrete_fields:
        setattr(target, model_field.attname, getattr(source, model_field.attname))
    return target


# --- receiving -------------------------------------------------------------------------------------------------------
def find_for_receipt(code: str) -> Return:
    """The return awaiting receipt that a scanned code names: its id, its order's number or id, or a barcode/SKU of
    one of its items. An exact id or order match wins over an item match; several item matches are ambiguous."""
    code = (code or "").strip()
    if not code:
        raise ReturnActionError(_("Scan or type a barcode, an order number or a return number."))
    awaiting = (
        Return.objects.filter(status__in=AWAITING_RECEIPT)
        .exclude(kind=ReturnKind.CANCELLATION)
        .exclude(scheme=Scheme.FBO)
        .select_related("order")
        .order_by("requested_at", "pk")
    )
    by_id = list(
        awaiting.filter(
            Q(external_id=code) | Q(order_external_id=code) | Q(order__number=code) | Q(order__external_id=code)
        )[:10]
    )
    if len(by_id) == 1:
        return by_id[0]
    by_item = by_id or list(
        awaiting.filter(
            Q(lines__variant__barcodes__value=code) | Q(lines__variant__sku=code) | Q(lines__offer_id=code)
        ).distinct()[:10]
    )
    if not by_item:
        raise ReturnActionError(_("No return awaiting receipt matches “%(code)s”.") % {"code": code})
    if len(by_item) > 1:
        raise AmbiguousScan(
            _("“%(code)s” matches %(count)s returns awaiting receipt: choose one.") % {"code": code, "count": len(by_item)},
            by_item,
        )
    return by_item[0]


def mark_received(ret: Return | None, user, *, barcode: str | None = None) -> Return:
    """The parcel is at the seller's desk. ``ret`` may be None when a scanned ``barcode`` names the return."""
    if ret is None:
        ret = find_for_receipt(barcode or "")
    with transaction.atomic():
        locked = _lock(ret)
        if not can_receive(locked):
            raise ReturnActionError(
                _("Return %(id)s cannot be received: it is %(status)s.")
                % {"id": locked.external_id, "status": locked.get_status_display()}
            )
        locked.status = ReturnStatus.RECEIVED
        locked.received_at = timezone.now()
        locked.handled_by = _user_or_none(user)
        scanned = (barcode or "").strip()
        _note(locked, user, _("Received, scanned %(code)s") % {"code": scanned} if scanned else _("Received"))
        locked.save(update_fields=["status", "received_at", "handled_by", "inspection_note", "updated_at"])
    return _refresh(ret, locked)


def inspect(ret: Return, user, outcome: str, note: str = "") -> Return:
    """Record what the inspection found. Allowed once received; may be corrected until a unit is restocked or
    written off."""
    if outcome not in InspectionOutcome.values:
        raise ReturnActionError(_("Choose an inspection outcome."))
    with transaction.atomic():
        locked = _lock(ret)
        if not can_inspect(locked):
            raise ReturnActionError(
                _("Return %(id)s cannot be inspected: it is %(status)s.")
                % {"id": locked.external_id, "status": locked.get_status_display()}
            )
        locked.status = ReturnStatus.INSPECTED
        locked.inspection_outcome = outcome
        locked.inspected_at = timezone.now()
        locked.handled_by = _user_or_none(user)
        text = _("Inspected: %(outcome)s") % {"outcome": InspectionOutcome(outcome).label}
        _note(locked, user, f"{text}. {note.strip()}" if note.strip() else text)
        locked.save(update_fields=["status", "inspection_outcome", "inspected_at", "handled_by", "inspection_note",
                                   "updated_at"])
    return _refresh(ret, locked)


# --- restock and write-off ------------------------------------------------------------------------------------------
def _chosen_lines(ret: Return, lines: Mapping[int, int] | None, *, need_variant: bool) -> list[tuple[ReturnLine, int]]:
    """(line, quantity) pairs to process: the given {line id: quantity}, or every remaining unit of every line."""
    own = {line.pk: line for line in ReturnLine.objects.select_for_update().filter(return_request=ret).order_by("pk")}
    if lines is None:
        chosen = [(line, remaining(line)) for line in own.values() if remaining(line) > 0]
        if need_variant:
            chosen = [(line, quantity) for line, quantity in chosen if line.variant_id]
    else:
        chosen = []
        for line_id, quantity in lines.items():
            line = own.get(int(line_id))
            if line is None:
                raise ReturnActionError(_("Line %(line)s is not part of this return.") % {"line": line_id})
            if quantity is None or int(quantity) == 0:
                continue
            if int(quantity) < 0 or int(quantity) > remaining(line):
                raise ReturnActionError(
                    _("%(item)s: between 0 and %(left)s units are left to process.")
                    % {"item": line.offer_id or line.name, "left": remaining(line)}
                )
            if need_variant and not line.variant_id:
                raise ReturnActionError(
                    _("%(item)s is not matched to a product in the catalogue: it cannot be restocked.")
                    % {"item": line.offer_id or line.name}
                )
            chosen.append((line, int(quantity)))
    if not chosen:
        raise ReturnActionError(_("Nothing left to process on this return."))
    return chosen


def _close_if_done(ret: Return) -> None:
    lines = list(ReturnLine.objects.filter(return_request=ret))
    if any(remaining(line) for line in lines):
        return
    ret.status = ReturnStatus.RESTOCKED if any(line.restocked_quantity for line in lines) else ReturnStatus.WRITTEN_OFF
    ret.closed_at = timezone.now()


def restock(ret: Return, user, warehouse: Warehouse, location: Location | None = None,
            lines: Mapping[int, int] | None = None) -> Return:
    """Put inspected units back on the shelf: one ``return`` ledger row per unit batch, idempotent per line and
    step, so the sync engine raises the offered quantity on every channel. Kits go back as their components.

    ``lines`` maps ReturnLine ids to quantities; by default every remaining unit of every matched line.
    """
    if warehouse.kind != WarehouseKind.OWN or not warehouse.is_active:
        raise ReturnActionError(_("Restock into one of your own active warehouses."))
    if location is not None and location.warehouse_id != warehouse.pk:
        raise ReturnActionError(_("Bin %(bin)s is not in %(warehouse)s.") % {"bin": location.code, "warehouse": warehouse})
    with transaction.atomic():
        locked = _lock(ret)  # the parent first; the ledger then locks stock rows in pk order
        if not can_dispose(locked):
            raise ReturnActionError(
                _("Return %(id)s cannot be restocked: it is %(status)s.")
                % {"id": locked.external_id, "status": locked.get_status_display()}
            )
        chosen = _chosen_lines(locked, lines, need_variant=True)
        where = f"{warehouse.name} / {location.code}" if location else warehouse.name
        reason = _("Return %(id)s restocked into %(where)s") % {"id": locked.external_id, "where": where}
        try:
            for line, quantity in chosen:
                for part in stock.expand_kits([StockLine(line.variant_id, quantity)]):
                    stock.restock(
                        variant=Variant(pk=part.variant_id), warehouse=warehouse, quantity=part.quantity,
                        reference=f"return:{locked.pk}", reason=reason, user=user,
                        # The line's state before this step: a repeated or concurrent twin books nothing twice.
                        idempotency_key=f"return:{locked.pk}:line:{line.pk}:restock:{line.restocked_quantity}:"
                                        f"{part.variant_id}",
                    )
                line.restocked_quantity += quantity
                line.save(update_fields=["restocked_quantity"])
        except StockError as exc:
            raise ReturnActionError(exc.message)
        units = sum(quantity for _line, quantity in chosen)
        locked.warehouse = warehouse
        locked.handled_by = _user_or_none(user)
        _note(locked, user, _("Restocked %(units)s pcs into %(where)s") % {"units": units, "where": where})
        _close_if_done(locked)
        locked.save(update_fields=["status", "warehouse", "handled_by", "inspection_note", "closed_at", "updated_at"])
    return _refresh(ret, locked)


def write_off(ret: Return, user, reason: str, lines: Mapping[int, int] | None = None) -> Return:
    """Decide that inspected units will not be sold again (defect, wrong item, incomplete).

    No ledger row: a returned unit left stock when it was shipped and re-enters it only by a restock, so writing it
    off must not take a sellable unit off the shelf.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ReturnActionError(_("Say why the units are written off."))
    with transaction.atomic():
        locked = _lock(ret)
        if not can_dispose(locked):
            raise ReturnActionError(
                _("Return %(id)s cannot be written off: it is %(status)s.")
                % {"id": locked.external_id, "status": locked.get_status_display()}
            )
        chosen = _chosen_lines(locked, lines, need_variant=False)
        for line, quantity in chosen:
            line.written_off_quantity += quantity
            line.save(update_fields=["written_off_quantity"])
        units = sum(quantity for _line, quantity in chosen)
        locked.handled_by = _user_or_none(user)
        _note(locked, user, _("Written off %(units)s pcs: %(reason)s") % {"units": units, "reason": reason})
        _close_if_done(locked)
        locked.save(update_fields=["status", "handled_by", "inspection_note", "closed_at", "updated_at"])
    return _refresh(ret, locked)


# --- answers through the marketplace --------------------------------------------------------------------------------
def _ask_marketplace(connection, call: Callable[[Any], ActionResult]) -> MarketplaceAnswer:
    """Run one connector action outside any transaction (no row stays locked while the marketplace thinks)."""
    try:
        connector = connector_for(connection)
    except (LookupError, MarketplaceError) as exc:
        return MarketplaceAnswer(False, exc.user_message() if isinstance(exc, MarketplaceError) else str(exc))
    try:
        result = call(connector)
    except MarketplaceError as exc:
        return MarketplaceAnswer(False, exc.user_message())
    finally:
        close = getattr(connector.http, "close", None)
        if close:
            close()
    if not result.ok:
        return MarketplaceAnswer(False, result.error or _("The marketplace refused without giving a reason."),
                                 dict(result.data))
    return MarketplaceAnswer(True, "", dict(result.data))


def _record_refusal(ret: Return, user, action: str, answer: MarketplaceAnswer) -> None:
    with transaction.atomic():
        locked = _lock(ret)
        _note(locked, user, _("%(action)s refused by the marketplace: %(message)s") % {"action": action,
                                                                                      "message": answer.message})
        locked.save(update_fields=["inspection_note", "updated_at"])
    _refresh(ret, locked)


def approve(ret: Return, user, comment: str = "") -> MarketplaceAnswer:
    """Accept the buyer's request through the marketplace. An accepted cancellation cancels the open order."""
    if not can_decide(ret):
        raise ReturnActionError(
            _("Return %(id)s is %(status)s: there is no request to approve.")
            % {"id": ret.external_id, "status": ret.get_status_display()}
        )
    answer = _ask_marketplace(ret.connection, lambda c: c.approve_return(ret.external_id, comment=comment))
    if not answer.ok:
        _record_refusal(ret, user, _("Approval"), answer)
        return answer
    with transaction.atomic():
        locked = _lock(ret)
        if RETURN_STATUS_RANK[ReturnStatus.APPROVED] > RETURN_STATUS_RANK[locked.status]:
            locked.status = ReturnStatus.APPROVED
        locked.handled_by = _user_or_none(user)
        _note(locked, user, _("Approved through the marketplace") + (f": {comment.strip()}" if comment.strip() else ""))
        locked.save(update_fields=["status", "handled_by", "inspection_note", "updated_at"])
        if locked.kind == ReturnKind.CANCELLATION:
            _cancel_open_order(locked, locked.reason or str(locked.get_reason_code_display()), source=EventSource.USER,
                               user=_user_or_none(user))
    _refresh(ret, locked)
    return answer


def reject(ret: Return, user, reason: str, comment: str = "") -> MarketplaceAnswer:
    """Refuse the buyer's request through the marketplace with the reason it asks for."""
    reason = (reason or "").strip()
    if not reason:
        raise ReturnActionError(_("Give the reason for the refusal."))
    if not can_decide(ret):
        raise ReturnActionError(
            _("Return %(id)s is %(status)s: there is no request to reject.")
            % {"id": ret.external_id, "status": ret.get_status_display()}
        )
    answer = _ask_marketplace(ret.connection, lambda c: c.reject_return(ret.external_id, reason=reason, comment=comment))
    if not answer.ok:
        _record_refusal(ret, user, _("Refusal"), answer)
        return answer
    with transaction.atomic():
        locked = _lock(ret)
        if RETURN_STATUS_RANK[ReturnStatus.REJECTED] > RETURN_STATUS_RANK[locked.status]:
            locked.status = ReturnStatus.REJECTED
            locked.closed_at = timezone.now()
        locked.handled_by = _user_or_none(user)
        _note(locked, user, _("Rejected through the marketplace: %(reason)s") % {"reason": reason})
        locked.save(update_fields=["status", "closed_at", "handled_by", "inspection_note", "updated_at"])
    _refresh(ret, locked)
    return answer


def claim_decisions(claim: Claim) -> list[str]:
    """The answers the marketplace offers for this claim, when it lists them (WB: ``actions``)."""
    actions = (claim.raw or {}).get("actions") if isinstance(claim.raw, dict) else None
    if isinstance(actions, list):
        return [str(action) for action in actions if isinstance(action, str | int) and str(action)]
    return []


def answer_claim(claim: Claim, user, decision: str, comment: str = "") -> MarketplaceAnswer:
    """Answer a claim through the marketplace before its deadline. A refusal changes nothing but the return's notes."""
    decision = (decision or "").strip()
    if not decision:
        raise ReturnActionError(_("Choose a decision."))
    offered = claim_decisions(claim)
    if offered and decision not in offered:
        raise ReturnActionError(
            _("The marketplace accepts one of: %(choices)s.") % {"choices": ", ".join(offered)}
        )
    if not can_answer(claim):
        raise ReturnActionError(
            _("Claim %(id)s is %(status)s: it has been answered already.")
            % {"id": claim.external_id, "status": claim.get_status_display()}
        )
    answer = _ask_marketplace(
        claim.connection, lambda c: c.answer_claim(claim.external_id, decision=decision, comment=comment)
    )
    ret = claim.return_request
    if not answer.ok:
        if ret is not None:
            _record_refusal(ret, user, _("Answer to claim %(id)s") % {"id": claim.external_id}, answer)
        return answer
    with transaction.atomic():
        # The return before its claim, as ingest locks them: two writers never wait on each other in a circle.
        locked_return = _lock(ret) if ret is not None else None
        locked = Claim.objects.select_for_update().get(pk=claim.pk)
        locked.decision = decision[:100]
        locked.answer = comment
        locked.answered_at = timezone.now()
        locked.answered_by = _user_or_none(user)
        status = answer.data.get("claim_status")
        locked.status = status if status in ClaimStatus.values else ClaimStatus.ANSWERED
        locked.save(update_fields=["decision", "answer", "answered_at", "answered_by", "status", "updated_at"])
        if locked_return is not None:
            _note(locked_return, user, _("Claim %(id)s answered: %(decision)s") % {"id": claim.external_id,
                                                                                   "decision": decision})
            locked_return.handled_by = _user_or_none(user)
            locked_return.save(update_fields=["inspection_note", "handled_by", "updated_at"])
            _refresh(ret, locked_return)
    for model_field in Claim._meta.concrete_fields:
        setattr(claim, model_field.attname, getattr(locked, model_field.attname))
    return answer
