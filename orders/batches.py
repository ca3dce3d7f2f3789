"""Pick batches (сборочные задания): grouping orders, moving the batch along, and handing it over to the marketplace.

A batch holds FBS/DBS orders of one connection and one warehouse; ``BatchItem`` is an order's membership with the
marketplace's verdict on its handover. Statuses: open → picking → packed → handed over, or cancelled before that.

Preconditions for every service: the organization is in scope. Batches and orders are always re-read through the
scoped managers, so an object of another organization raises ``DoesNotExist`` (a 404 for views), never acts.
Orders move only through ``orders.services.change_status`` (status history and stock effects live there).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db import connection as db
from django.db.models import Exists, Max, Min, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from connectors.dto import ActionResult
from connectors.errors import MarketplaceError
from connectors.registry import connector_for
from oms.db import atomic_upsert
from orders.choices import (
    ACTIVE_BATCH_STATUSES,
    OPEN_STATUSES,
    BatchItemStatus,
    BatchStatus,
    EventSource,
    OrderStatus,
    Scheme,
)
from orders.documents.common import local_time
from orders.models import BatchItem, Order, OrderEvent, PickBatch
from orders.services import change_status

logger = logging.getLogger(__name__)

BATCHABLE_SCHEMES = (Scheme.FBS, Scheme.DBS)
# Keys under which connectors report the marketplace's shipment in ``ActionResult.data`` (WB supply, AE handover
# list, Ozon carriage, YM shipment), in order of preference.
SHIPMENT_REF_KEYS = ("supply_id", "shipment_id", "handover_list_id", "carriage_id", "act_id", "external_ref")
HANDOVER_LOCK_SECONDS = 15 * 60

# Which status a batch may move to by hand; ``handed_over`` is reached only through ``hand_over``.
TRANSITIONS: dict[str, frozenset[str]] = {
    BatchStatus.OPEN: frozenset({BatchStatus.PICKING, BatchStatus.CANCELLED}),
    BatchStatus.PICKING: frozenset({BatchStatus.OPEN, BatchStatus.PACKED, BatchStatus.CANCELLED}),
    BatchStatus.PACKED: frozenset({BatchStatus.PICKING, BatchStatus.CANCELLED}),
    BatchStatus.HANDED_OVER: frozenset(),
    BatchStatus.CANCELLED: frozenset(),
}
# What the orders of a batch become when the batch reaches a status (never backwards: change_status refuses).
ORDER_STATUS_FOR = {BatchStatus.PICKING: OrderStatus.PICKING, BatchStatus.PACKED: OrderStatus.PACKED}


class BatchError(Exception):
    """The batch operation is not allowed; the message says why, in the user's language."""


# --- reading ------------------------------------------------------------------------------------------------


def get_batch(batch_id: int) -> PickBatch:
    """The batch in the organization in scope; ``PickBatch.DoesNotExist`` for anyone else's."""
    return PickBatch.objects.select_related("connection", "warehouse", "picker").get(pk=batch_id)


def batch_items(batch: PickBatch, *, active: bool = True) -> QuerySet[BatchItem]:
    items = BatchItem.objects.filter(batch=batch).select_related("order", "order__connection")
    return items.filter(active=True) if active else items


def orders_not_in_batch() -> QuerySet[Order]:
    """Open FBS/DBS orders of the organization in scope that no active batch holds."""
    in_batch = BatchItem.objects.filter(order=OuterRef("pk"), active=True)
    return Order.objects.filter(status__in=OPEN_STATUSES, scheme__in=BATCHABLE_SCHEMES).exclude(Exists(in_batch))


# --- creating and composing ---------------------------------------------------------------------------------


def create_batch(orders: Iterable[Order | int], *, user=None, picker=None, note: str = "") -> PickBatch:
    """A batch from selected orders: all of one connection and one warehouse, open, FBS/DBS, in no other batch."""
    with transaction.atomic():
        locked = _lock_orders(orders)
        if not locked:
            raise BatchError(_("Select at least one order."))
        connections = {order.connection_id for order in locked}
        warehouses = {order.warehouse_id for order in locked}
        if len(connections) > 1:
            raise BatchError(_("A batch holds orders of one marketplace connection only."))
        if len(warehouses) > 1:
            raise BatchError(_("A batch holds orders of one warehouse only."))
        _check_batchable(locked)
        batch = _new_batch(locked[0].connection_id, locked[0].warehouse_id, _cutoff(locked), user, picker, note)
        _add_items(batch, locked)
        return batch


def auto_group(*, user=None, connection=None, warehouse=None, day: date | None = None) -> list[PickBatch]:
    """One batch per (connection, warehouse, ship-by day in the seller's zone) for open FBS/DBS orders in no batch.

    Orders without a ship-by deadline form their own group per connection and warehouse. ``day`` keeps only the
    orders due that day; ``connection``/``warehouse`` narrow the selection.
    """
    candidates = orders_not_in_batch().filter(warehouse__isnull=False).select_related("connection")
    if connection is not None:
        candidates = candidates.filter(connection=connection)
    if warehouse is not None:
        candidates = candidates.filter(warehouse=warehouse)
    groups: dict[tuple[int, int, date | None], list[int]] = defaultdict(list)
    for pk, connection_id, warehouse_id, ship_by in candidates.order_by("ship_by", "pk").values_list(
        "pk", "connection_id", "warehouse_id", "ship_by"
    ):
        cutoff_day = local_time(ship_by).date() if ship_by else None
        if day is not None and cutoff_day != day:
            continue
        groups[(connection_id, warehouse_id, cutoff_day)].append(pk)
    batches = []
    for key in sorted(groups, key=lambda k: (k[2] is None, k[2] or date.min, k[0], k[1])):
        try:
            batches.append(create_batch(groups[key], user=user))
        except BatchError as exc:  # e.g. an order was batched concurrently: the other groups go on
            logger.info("auto-group %s skipped: %s", key, exc)
    return batches


def add_orders(batch: PickBatch, orders: Iterable[Order | int], *, user=None) -> PickBatch:
    with transaction.atomic():
        batch = lock_batch(batch)
        if batch.status not in (BatchStatus.OPEN, BatchStatus.PICKING):
            raise BatchError(_("Orders can be added only to an open batch or one being picked."))
        locked = _lock_orders(orders)
        for order in locked:
            if order.connection_id != batch.connection_id or order.warehouse_id != batch.warehouse_id:
                raise BatchError(_("Order %(number)s belongs to another connection or warehouse.")
                                 % {"number": order.number})
        _check_batchable(locked)
        _add_items(batch, locked)
        cutoffs = [c for c in (batch.cutoff_at, _cutoff(locked)) if c]
        batch.cutoff_at = min(cutoffs) if cutoffs else None
        batch.save(update_fields=["cutoff_at", "updated_at"])
        return batch


def remove_orders(batch: PickBatch, orders: Iterable[Order | int], *, user=None) -> PickBatch:
    """Take orders out (they may join another batch). Orders the marketplace already accepted stay."""
    with transaction.atomic():
        batch = lock_batch(batch)
        if batch.status not in ACTIVE_BATCH_STATUSES and batch.status != BatchStatus.HANDED_OVER:
            raise BatchError(_("Orders cannot be removed from a cancelled batch."))
        order_ids = [order.pk for order in _lock_orders(orders)]
        items = BatchItem.objects.filter(batch=batch, order_id__in=order_ids, active=True)
        if items.filter(status=BatchItemStatus.DONE).exists():
            raise BatchError(_("An order the marketplace has accepted cannot leave its batch."))
        items.update(active=False, status=BatchItemStatus.REMOVED, updated_at=timezone.now())
        remaining = Order.objects.filter(batch_items__batch=batch, batch_items__active=True)
        batch.cutoff_at = remaining.aggregate(m=Min("ship_by"))["m"]
        batch.save(update_fields=["cutoff_at", "updated_at"])
        return batch


def assign_picker(batch: PickBatch, picker, *, user=None) -> PickBatch:
    """``picker`` must be a member of the batch's organization (None clears the assignment)."""
    from oms.models import Membership

    with transaction.atomic():
        batch = lock_batch(batch)
        if picker is not None and not Membership.objects.filter(
            user=picker, organization_id=batch.organization_id
        ).exists():
            raise BatchError(_("The picker is not a member of this organization."))
        batch.picker = picker
        batch.save(update_fields=["picker", "updated_at"])
        return batch


# --- status -------------------------------------------------------------------------------------------------


def change_batch_status(batch: PickBatch, status: str, *, user=None) -> PickBatch:
    """Move the batch along (see ``TRANSITIONS``); its orders follow to picking/packed; cancel frees them."""
    user = _person(user)
    with transaction.atomic():
        batch = lock_batch(batch)
        if status == batch.status:
            return batch
        if status not in TRANSITIONS[batch.status]:
            raise BatchError(_("A batch cannot go from “%(from)s” to “%(to)s”.")
                             % {"from": batch.get_status_display(), "to": BatchStatus(status).label})
        batch.status = status
        batch.save(update_fields=["status", "updated_at"])
        if status == BatchStatus.CANCELLED:
            BatchItem.objects.filter(batch=batch, active=True).update(active=False, updated_at=timezone.now())
        elif status in ORDER_STATUS_FOR:
            for item in batch_items(batch).filter(status=BatchItemStatus.PENDING):
                if item.order.status in OPEN_STATUSES:
                    change_status(item.order, ORDER_STATUS_FOR[status], source=EventSource.USER, user=user)
        return batch


def start_picking(batch: PickBatch, *, user=None) -> PickBatch:
    return change_batch_status(batch, BatchStatus.PICKING, user=user)


def mark_packed(batch: PickBatch, *, user=None) -> PickBatch:
    return change_batch_status(batch, BatchStatus.PACKED, user=user)


def cancel_batch(batch: PickBatch, *, user=None) -> PickBatch:
    return change_batch_status(batch, BatchStatus.CANCELLED, user=user)


# --- handing over -------------------------------------------------------------------------------------------


@dataclass
class HandoverResult:
    batch: PickBatch
    done: list[BatchItem] = field(default_factory=list)
    failed: list[BatchItem] = field(default_factory=list)
    error: str = ""  # the whole request failed (connection-level): no order was handed over

    @property
    def ok(self) -> bool:
        return not self.failed and not self.error


def hand_over(batch: PickBatch, user=None, *, options: dict[str, Any] | None = None) -> HandoverResult:
    """Hand the batch's orders to the marketplace (``connector.ship_orders``) and record each order's verdict.

    Packed batches hand over their pending orders; a handed-over batch may retry the ones that failed. Accepted
    orders become SHIPPED through ``change_status`` (event, stock shipped); refused ones keep their status, get the
    marketplace's message on their BatchItem and in their timeline. The shipment id the marketplace returns
    (WB supply, AE handover list…) goes to ``batch.external_ref``.

    The marketplace call runs outside any database transaction (it may take minutes for a large batch); a cache
    lock keeps two people from handing the same batch over at once.
    """
    batch, user = get_batch(batch.pk), _person(user)
    # Keyed by database too: test workers (and staging copies) share one Redis with separate databases.
    lock_key = f"okno:handover:{db.settings_dict['NAME']}:{batch.pk}"
    if not cache.add(lock_key, 1, HANDOVER_LOCK_SECONDS):
        raise BatchError(_("This batch is being handed over right now."))
    try:
        return _hand_over(batch, user, options or {})
    finally:
        cache.delete(lock_key)


def _hand_over(batch: PickBatch, user, options: dict[str, Any]) -> HandoverResult:
    if batch.status == BatchStatus.HANDED_OVER:
        wanted = (BatchItemStatus.FAILED,)
    elif batch.status == BatchStatus.PACKED:
        wanted = (BatchItemStatus.PENDING, BatchItemStatus.FAILED)
    else:
        raise BatchError(_("Pack the batch before handing it over."))
    result = HandoverResult(batch)
    items = list(batch_items(batch).filter(status__in=wanted).order_by("pk"))
    to_send: list[BatchItem] = []
    for item in items:
        if item.order.status == OrderStatus.CANCELLED:
            _record(item, False, _("The order is cancelled."), user, result)
        elif item.order.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
            _record(item, True, "", user, result)
        else:
            to_send.append(item)
    if not to_send:
        _finish(batch, result)
        return result
    answers = _ship(batch, [item.order.external_id for item in to_send], {"batch_number": batch.number, **options})
    if isinstance(answers, MarketplaceError):  # the whole request failed: every order keeps its status
        result.error = answers.user_message()
        for item in to_send:
            _record(item, False, result.error, user, result)
        _finish(batch, result)
        return result
    by_id: dict[str, ActionResult] = {str(answer.external_id): answer for answer in answers}
    refs = []
    for item in to_send:
        answer = by_id.get(str(item.order.external_id))
        if answer is None:
            _record(item, False, _("The marketplace gave no answer for this order."), user, result)
            continue
        if answer.ok:
            refs.append(_shipment_ref(answer.data))
        _record(item, answer.ok, answer.error if not answer.ok else "", user, result, ref=_shipment_ref(answer.data))
    _finish(batch, result, refs=[r for r in refs if r])
    return result


def _ship(batch: PickBatch, external_ids: list[str], options: dict[str, Any]) -> list[ActionResult] | MarketplaceError:
    connector = connector_for(batch.connection)
    try:
        return connector.ship_orders(external_ids, options=options)
    except MarketplaceError as exc:
        return exc
    finally:
        connector.http.close()


def _record(item: BatchItem, ok: bool, message: str, user, result: HandoverResult, *, ref: str = "") -> None:
    """One order's verdict: the item, the order's status (only when accepted) and its timeline."""
    order = item.order
    with transaction.atomic():
        if ok:
            item.status, item.error = BatchItemStatus.DONE, ""
            if order.status not in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
                change_status(order, OrderStatus.SHIPPED, source=EventSource.USER, user=user)
                note = _("Handed over in batch %(batch)s.") % {"batch": result.batch}
                if ref:
                    note += " " + _("Marketplace shipment: %(ref)s.") % {"ref": ref}
                _annotate_last_event(order, OrderStatus.SHIPPED, note)
            result.done.append(item)
        else:
            item.status, item.error = BatchItemStatus.FAILED, message or _("Refused by the marketplace.")
            OrderEvent.objects.create(
                order=order, status=order.status, marketplace_status=order.marketplace_status,
                source=EventSource.SYSTEM, user=user, occurred_at=timezone.now(),
                message=_("Handover refused by the marketplace: %(message)s") % {"message": item.error},
            )
            result.failed.append(item)
        item.save(update_fields=["status", "error", "updated_at"])


def _annotate_last_event(order: Order, status: str, note: str) -> None:
    # change_status keeps a message only for cancellations; the handover's note belongs on the event it wrote.
    event = OrderEvent.objects.filter(order=order, status=status).order_by("-pk").first()
    if event is not None and not event.message:
        OrderEvent.objects.filter(pk=event.pk).update(message=note)


def _finish(batch: PickBatch, result: HandoverResult, refs: Sequence[str] = ()) -> None:
    with transaction.atomic():
        locked = lock_batch(batch)
        fields = ["updated_at"]
        if refs and not locked.external_ref:
            locked.external_ref = ", ".join(dict.fromkeys(refs))[:128]
            fields.append("external_ref")
        if result.done and locked.status != BatchStatus.HANDED_OVER:
            locked.status = BatchStatus.HANDED_OVER
            locked.handed_over_at = timezone.now()
            fields += ["status", "handed_over_at"]
        locked.save(update_fields=fields)
        result.batch = locked


def _shipment_ref(data: dict[str, Any]) -> str:
    for key in SHIPMENT_REF_KEYS:
        value = (data or {}).get(key)
        if value not in (None, "", [], {}):
            return str(value)
    return ""


# --- helpers ------------------------------------------------------------------------------------------------


def _person(user):
    """The user to credit in the history, or None (an anonymous or missing user is "Okno")."""
    return user if getattr(user, "is_authenticated", False) else None


def lock_batch(batch: PickBatch) -> PickBatch:
    """The batch row locked for the transaction, re-read through the scoped manager (DoesNotExist if foreign)."""
    return PickBatch.objects.select_for_update().select_related("connection", "warehouse").get(pk=batch.pk)


def _lock_orders(orders: Iterable[Order | int]) -> list[Order]:
    """The orders, locked in pk order, through the scoped manager: an unknown or foreign id is DoesNotExist."""
    ids = sorted({order.pk if isinstance(order, Order) else int(order) for order in orders})
    locked = list(Order.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    if len(locked) != len(ids):
        raise Order.DoesNotExist(_("Some of the selected orders do not exist."))
    return locked


def _check_batchable(orders: list[Order]) -> None:
    for order in orders:
        if order.scheme not in BATCHABLE_SCHEMES:
            raise BatchError(_("Order %(number)s is FBO: the marketplace ships it.") % {"number": order.number})
        if order.status not in OPEN_STATUSES:
            raise BatchError(_("Order %(number)s is %(status)s.")
                             % {"number": order.number, "status": order.get_status_display()})
        if order.warehouse_id is None:
            raise BatchError(_("Order %(number)s has no warehouse.") % {"number": order.number})
    busy = BatchItem.objects.filter(order__in=orders, active=True).select_related("order", "batch").first()
    if busy is not None:
        raise BatchError(_("Order %(number)s is already in batch %(batch)s.")
                         % {"number": busy.order.number, "batch": busy.batch})


def _cutoff(orders: list[Order]):
    deadlines = [order.ship_by for order in orders if order.ship_by]
    return min(deadlines) if deadlines else None


def _new_batch(connection_id: int, warehouse_id: int, cutoff_at, user, picker, note: str) -> PickBatch:
    """Numbers run per organization; two batches created at once retry on the unique number."""

    def create() -> PickBatch:
        number = (PickBatch.objects.aggregate(m=Max("number"))["m"] or 0) + 1
        return PickBatch.objects.create(
            number=number, connection_id=connection_id, warehouse_id=warehouse_id, cutoff_at=cutoff_at,
            created_by=_person(user), picker=picker, note=note,
        )

    return atomic_upsert(create, attempts=5)


def _add_items(batch: PickBatch, orders: list[Order]) -> None:
    try:
        with transaction.atomic():
            BatchItem.objects.bulk_create(
                BatchItem(organization_id=batch.organization_id, batch=batch, order=order) for order in orders
            )
    except IntegrityError:  # another batch took one of them between our check and insert
        raise BatchError(_("One of the orders was just added to another batch; reload and try again."))
