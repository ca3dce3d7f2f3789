"""Orders enter Okno here: an idempotent upsert by (connection, external id) and its stock effects in one transaction.

The same order may arrive from a poll, a push notification and a re-poll, in any order and more than once: it is
one order, one reservation, and its status never moves backwards because of a stale delivery.

Preconditions: the connection's organization is in scope. Stock changes go through ``inventory.services`` only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Barcode, Listing, Variant
from connectors.dto import OrderDTO, OrderStatusDTO
from inventory import services as stock
from inventory.choices import WarehouseKind
from inventory.models import Warehouse
from inventory.services import StockLine
from oms.db import atomic_upsert
from orders.choices import EventSource, OrderStatus, Scheme, StockState
from orders.models import Order, OrderEvent, OrderLine

logger = logging.getLogger(__name__)

# Forward progress of an order; a delivery that would move an order back is stale and ignored.
_RANK = {
    OrderStatus.NEW: 0,
    OrderStatus.CONFIRMED: 1,
    OrderStatus.PICKING: 2,
    OrderStatus.PACKED: 3,
    OrderStatus.SHIPPED: 4,
    OrderStatus.DELIVERED: 5,
    OrderStatus.RETURNED: 6,
    OrderStatus.CANCELLED: 6,
}
_TERMINAL = {OrderStatus.CANCELLED, OrderStatus.RETURNED}
_SHIPPED_OR_LATER = {OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.RETURNED}


@dataclass
class IngestResult:
    order: Order
    created: bool
    status_changed: bool


def ingest_order(connection, dto: OrderDTO, *, source: str = EventSource.POLL) -> IngestResult:
    """Create or update the order ``dto`` describes and apply its stock effects. Idempotent."""
    return atomic_upsert(lambda: _ingest(connection, dto, source))


def _ingest(connection, dto: OrderDTO, source: str) -> IngestResult:
    order = Order.objects.select_for_update().filter(connection=connection, external_id=dto.external_id).first()
    if order is None:
        order = _create(connection, dto, source)
        _apply_stock(order)
        return IngestResult(order, created=True, status_changed=False)
    changed = _update_status(
        order, dto.status, dto.marketplace_status, dto.marketplace_substatus, dto.status_changed_at, source,
        cancel_reason=dto.cancel_reason,
    )
    _refresh_details(order, dto)
    return IngestResult(order, created=False, status_changed=changed)


def update_order_status(connection, dto: OrderStatusDTO, *, source: str = EventSource.POLL) -> Order | None:
    """Apply a status report for an order we know; None when the order is unknown (it will arrive with its data)."""
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(connection=connection, external_id=dto.external_id).first()
        if order is None:
            return None
        _update_status(order, dto.status, dto.marketplace_status, dto.marketplace_substatus, dto.changed_at, source,
                       cancel_reason=dto.cancel_reason)
        return order


def _create(connection, dto: OrderDTO, source: str) -> Order:
    warehouse = _warehouse_for(connection, dto)
    now = timezone.now()
    order = Order.objects.create(
        connection=connection,
        external_id=dto.external_id,
        number=dto.number or dto.external_id,
        scheme=dto.scheme,
        status=dto.status,
        marketplace_status=dto.marketplace_status,
        marketplace_substatus=dto.marketplace_substatus,
        stock_state=StockState.EXTERNAL if dto.scheme == Scheme.FBO else StockState.NOT_RESERVED,
        warehouse=warehouse,
        buyer_name=dto.buyer_name,
        buyer_phone=dto.buyer_phone,
        buyer_email=dto.buyer_email,
        delivery_address=dto.delivery_address,
        delivery_details=dto.delivery_details,
        delivery_method=dto.delivery_method,
        payment_status=dto.payment_status,
        ordered_at=dto.ordered_at or now,
        ship_by=dto.ship_by,
        cancelled_at=(dto.status_changed_at or now) if dto.status == OrderStatus.CANCELLED else None,
        cancel_reason=dto.cancel_reason,
        currency=dto.currency,
        items_total=dto.items_total,
        delivery_total=dto.delivery_total,
        discount_total=dto.discount_total,
        total=dto.total,
        raw=dto.raw,
    )
    variants = _match_variants(connection, [line.offer_id for line in dto.lines], [line.barcode for line in dto.lines])
    OrderLine.objects.bulk_create(
        OrderLine(
            organization_id=order.organization_id,
            order=order,
            variant_id=variants.get(line.offer_id, (None, None))[0] or variants.get(line.barcode, (None, None))[0],
            listing_id=variants.get(line.offer_id, (None, None))[1],
            external_line_id=line.external_line_id,
            offer_id=line.offer_id,
            sku=line.marketplace_sku or line.offer_id,
            name=line.name,
            quantity=line.quantity,
            price=line.price,
            total=line.price * line.quantity,
        )
        for line in dto.lines
    )
    OrderEvent.objects.create(
        order=order, status=order.status, marketplace_status=dto.marketplace_status, source=source,
        message=_("Order received"), occurred_at=dto.ordered_at or now,
    )
    return order


def _match_variants(connection, offer_ids: list[str], barcodes: list[str]) -> dict[str, tuple[int | None, int | None]]:
    """offer id (or barcode) → (variant id, listing id). Listings first; then the seller SKU; then barcodes."""
    found: dict[str, tuple[int | None, int | None]] = {}
    for listing_id, variant_id, offer_id in Listing.objects.filter(
        connection=connection, offer_id__in=offer_ids
    ).values_list("pk", "variant_id", "offer_id"):
        found[offer_id] = (variant_id, listing_id)
    missing = [o for o in offer_ids if o not in found]
    if missing:
        for variant_id, sku in Variant.objects.filter(sku__in=missing).values_list("pk", "sku"):
            found[sku] = (variant_id, None)
    wanted_barcodes = [b for b in barcodes if b]
    if wanted_barcodes:
        for variant_id, value in Barcode.objects.filter(value__in=wanted_barcodes).values_list("variant_id", "value"):
            found.setdefault(value, (variant_id, None))
    return found


def _warehouse_for(connection, dto: OrderDTO) -> Warehouse | None:
    if dto.scheme == Scheme.FBO:
        if not dto.warehouse_external_id:
            return None
        warehouse, _created = Warehouse.objects.get_or_create(
            connection=connection,
            external_id=dto.warehouse_external_id,
            kind=WarehouseKind.FBO,
            defaults={
                "name": dto.delivery_details.get("warehouse_name") or f"{connection.name} FBO {dto.warehouse_external_id}",
                "code": f"FBO-{connection.pk}-{dto.warehouse_external_id}"[:40],
            },
        )
        return warehouse
    links = connection.warehouse_links.select_related("warehouse")
    link = links.filter(external_id=dto.warehouse_external_id).first() if dto.warehouse_external_id else None
    link = link or links.order_by("pk").first()
    if link is not None:
        return link.warehouse
    return Warehouse.objects.filter(kind=WarehouseKind.OWN, is_active=True).order_by("pk").first()


def _stock_lines(order: Order) -> list[StockLine]:
    return [StockLine(line.variant_id, line.quantity, line.pk) for line in order.lines.all() if line.variant_id]


def _apply_stock(order: Order) -> None:
    """Bring the order's stock effect in line with its status: reserve, release or ship through the ledger."""
    if order.scheme == Scheme.FBO or order.warehouse_id is None:
        return
    key = f"order:{order.pk}"
    lines = _stock_lines(order)
    if not lines:
        return
    warehouse = order.warehouse
    state = order.stock_state
    if order.status == OrderStatus.CANCELLED:
        if state == StockState.RESERVED:
            stock.release(warehouse=warehouse, lines=lines, order_id=order.pk, key_prefix=key,
                          reason=order.cancel_reason)
            _set_stock_state(order, StockState.RELEASED)
        return
    if state in (StockState.NOT_RESERVED, StockState.OVERSOLD) and order.status != OrderStatus.RETURNED:
        result = stock.reserve(warehouse=warehouse, lines=lines, order_id=order.pk, key_prefix=key)
        if result.ok:
            state = StockState.RESERVED
            _set_stock_state(order, state)
        elif state != StockState.OVERSOLD:
            state = StockState.OVERSOLD
            _set_stock_state(order, state)
            OrderEvent.objects.create(
                order=order, status=order.status, source=EventSource.SYSTEM, occurred_at=timezone.now(),
                message=_("Oversold: %(details)s. Cancel the order or receive stock.") % {"details": result.message},
            )
    if order.status in _SHIPPED_OR_LATER and state == StockState.RESERVED:
        stock.ship(warehouse=warehouse, lines=lines, order_id=order.pk, key_prefix=key)
        _set_stock_state(order, StockState.SHIPPED)


def _set_stock_state(order: Order, state: str) -> None:
    order.stock_state = state
    Order.objects.filter(pk=order.pk).update(stock_state=state)


def _update_status(order: Order, status: str, marketplace_status: str, substatus: str, changed_at, source: str,
                   *, cancel_reason: str = "", user=None) -> bool:
    previous = order.status
    same = (status, marketplace_status, substatus) == (order.status, order.marketplace_status,
                                                       order.marketplace_substatus)
    if same:
        return False
    if previous in _TERMINAL and status != previous:
        return False  # nothing reopens a cancelled or returned order
    if _RANK[status] < _RANK[previous]:
        return False  # a stale, reordered delivery
    now = timezone.now()
    order.status = status
    order.marketplace_status = marketplace_status
    order.marketplace_substatus = substatus
    fields = ["status", "marketplace_status", "marketplace_substatus", "updated_at"]
    if status == OrderStatus.CANCELLED:
        order.cancelled_at = changed_at or now
        order.cancel_reason = cancel_reason or order.cancel_reason
        fields += ["cancelled_at", "cancel_reason"]
    if status == OrderStatus.SHIPPED and not order.shipped_at:
        order.shipped_at = changed_at or now
        fields.append("shipped_at")
    if status == OrderStatus.DELIVERED and not order.delivered_at:
        order.delivered_at = changed_at or now
        fields.append("delivered_at")
    order.save(update_fields=fields)
    if status != previous or marketplace_status:
        OrderEvent.objects.create(
            order=order, status=status, marketplace_status=marketplace_status, source=source, user=user,
            message=cancel_reason if status == OrderStatus.CANCELLED else "", occurred_at=changed_at or now,
        )
    if status != previous:
        _apply_stock(order)
    return status != previous


def _refresh_details(order: Order, dto: OrderDTO) -> None:
    """Fields a marketplace fills in later (deadline, address once confirmed) are taken when they appear."""
    updates = {}
    for field_name in ("ship_by", "delivery_address", "buyer_name", "buyer_phone", "delivery_method"):
        value = getattr(dto, field_name)
        if value and value != getattr(order, field_name):
            updates[field_name] = value
    if updates:
        Order.objects.filter(pk=order.pk).update(**updates)
        for name, value in updates.items():
            setattr(order, name, value)


def change_status(order: Order, status: str, *, source: str = EventSource.USER, user=None, message: str = "") -> bool:
    """A person or Okno moves an order (e.g. after a successful handover). Same rules as marketplace updates."""
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        changed = _update_status(locked, status, locked.marketplace_status, locked.marketplace_substatus, None, source,
                                 cancel_reason=message, user=user)
        order.refresh_from_db()
        return changed


# --- seller actions on one order (the order page) -------------------------------------------------------------


@dataclass
class MarketplaceAction:
    """What the marketplace said to a seller's action on one order; ``message`` is fit for the person."""

    ok: bool
    message: str = ""


def cancel_on_marketplace(order: Order, reason: str = "", *, user=None) -> MarketplaceAction:
    """Cancel the order at the marketplace (``connector.cancel_order``); only an accepted cancellation cancels it
    in Okno (history, stock released). The marketplace's refusal comes back as the message, nothing changes."""
    from connectors.errors import MarketplaceError
    from connectors.registry import connector_for

    connector = connector_for(order.connection)
    try:
        answer = connector.cancel_order(order.external_id, reason)
    except MarketplaceError as exc:
        return MarketplaceAction(False, exc.user_message())
    finally:
        connector.http.close()
    if not answer.ok:
        return MarketplaceAction(False, answer.error or _("The marketplace refused the cancellation."))
    change_status(order, OrderStatus.CANCELLED, source=EventSource.USER, user=user,
                  message=reason or _("Cancelled by the seller"))
    return MarketplaceAction(True)


def confirm_on_marketplace(order: Order, *, user=None) -> MarketplaceAction:
    """Confirm a new order to the marketplace (``connector.confirm_orders``: WB puts it in a supply, Yandex Market
    sets READY_TO_SHIP); marketplaces without such a step say so in the message."""
    from connectors.errors import MarketplaceError
    from connectors.registry import connector_for

    connector = connector_for(order.connection)
    try:
        answers = connector.confirm_orders([order.external_id])
    except MarketplaceError as exc:
        return MarketplaceAction(False, exc.user_message())
    finally:
        connector.http.close()
    answer = next((a for a in answers if str(a.external_id) == str(order.external_id)), None)
    if answer is None or not answer.ok:
        return MarketplaceAction(False, (answer.error if answer else "") or _("The marketplace refused to confirm."))
    if order.status == OrderStatus.NEW:
        change_status(order, OrderStatus.CONFIRMED, source=EventSource.USER, user=user)
    return MarketplaceAction(True)
