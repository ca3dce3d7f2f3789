"""The ledger: the single way stock quantities change.

Every public function here appends ``StockMovement`` rows and moves ``StockLevel`` by the same amounts in one
transaction. Rows are locked in primary-key order, availability is checked under that lock, and the UPDATE
itself carries the condition again, so a quantity can never leave its bounds even if a caller forgot a lock
(the database's check constraints are the last line). A change carrying an ``idempotency_key`` that the ledger
already holds is a no-op: the same order reported three times reserves once.

Preconditions for every function: an organization is in scope and the variants/warehouses belong to it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from catalog.models import KitComponent, Variant
from inventory.choices import MovementKind
from inventory.lock_objects import lock_stock_levels
from inventory.models import StockLevel, StockMovement, Warehouse
from inventory.signals import stock_changed
from inventory.sync import mark_listings_dirty
from oms.tenancy import require_organization_id

logger = logging.getLogger(__name__)


class StockError(Exception):
    """A stock change that cannot be made; ``message`` is fit for the user."""

    def __init__(self, message: str, shortages: Sequence[Shortage] = ()):
        super().__init__(message)
        self.message = message
        self.shortages = list(shortages)


@dataclass(frozen=True)
class Shortage:
    variant_id: int
    warehouse_id: int
    requested: int
    available: int


@dataclass(frozen=True)
class StockLine:
    """``quantity`` units of a variant, optionally for an order line (kits are expanded into components)."""

    variant_id: int
    quantity: int
    order_line_id: int | None = None


@dataclass
class Reservation:
    """Outcome of ``reserve``: either every unit is held, or nothing is and ``shortages`` says why."""

    ok: bool
    movements: list[StockMovement] = field(default_factory=list)
    shortages: list[Shortage] = field(default_factory=list)
    already_applied: bool = False

    @property
    def message(self) -> str:
        if self.ok:
            return ""
        return _("Not enough stock: %(details)s") % {"details": describe_shortages(self.shortages)}


def describe_shortages(shortages: Sequence[Shortage]) -> str:
    """Shortages in the words a manager uses: SKU, wanted, available."""
    skus = dict(Variant.objects.filter(pk__in={s.variant_id for s in shortages}).values_list("pk", "sku"))
    return "; ".join(
        _("%(sku)s needs %(requested)s, available %(available)s")
        % {"sku": skus.get(s.variant_id, s.variant_id), "requested": s.requested, "available": s.available}
        for s in shortages
    )


# How each kind moves the two counters, per unit of the change's quantity.
_EFFECT: dict[str, tuple[int, int]] = {
    MovementKind.RECEIPT: (1, 0),
    MovementKind.RESERVATION: (0, 1),
    MovementKind.RELEASE: (0, -1),
    MovementKind.SHIPMENT: (-1, -1),
    MovementKind.RETURN: (1, 0),
    MovementKind.WRITE_OFF: (-1, 0),
    MovementKind.ADJUSTMENT: (1, 0),
    MovementKind.COUNT: (1, 0),
}


@dataclass
class _Change:
    kind: str
    variant_id: int
    warehouse_id: int
    quantity: int  # signed for adjustment/count, positive otherwise
    order_id: int | None = None
    order_line_id: int | None = None
    reference: str = ""
    reason: str = ""
    user_id: int | None = None
    idempotency_key: str | None = None
    set_on_hand: int | None = None  # counts: the quantity found, turned into a delta under the lock

    def deltas(self) -> tuple[int, int]:
        on_hand_unit, reserved_unit = _EFFECT[self.kind]
        return on_hand_unit * self.quantity, reserved_unit * self.quantity


def _violation(change: _Change, level: StockLevel) -> Shortage | None:
    """What makes ``change`` impossible on ``level`` as it is now, if anything."""
    on_hand_delta, reserved_delta = change.deltas()
    on_hand, reserved = level.on_hand + on_hand_delta, level.reserved + reserved_delta
    if on_hand >= 0 and reserved >= 0 and reserved <= on_hand:
        return None
    releasing = change.kind in (MovementKind.RELEASE, MovementKind.SHIPMENT)
    available = level.reserved if releasing else level.on_hand - level.reserved
    return Shortage(change.variant_id, change.warehouse_id, abs(change.quantity), available)


def _apply(changes: list[_Change]) -> tuple[list[StockMovement], list[Shortage], bool]:
    """Apply all changes or none. Returns (movements created, shortages, whether everything was already applied)."""
    organization_id = require_organization_id()
    keys = [c.idempotency_key for c in changes if c.idempotency_key]
    try:
        with transaction.atomic():
            pairs = {(c.variant_id, c.warehouse_id) for c in changes}
            StockLevel.objects.bulk_create(
                [StockLevel(organization_id=organization_id, variant_id=v, warehouse_id=w) for v, w in pairs],
                ignore_conflicts=True,
            )
            levels = lock_stock_levels(pairs)
            # Checked under the row locks: a concurrent twin of this change has either committed (we see its
            # key and skip) or waits for us.
            done = set(StockMovement.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True))
            pending = [c for c in changes if not (c.idempotency_key and c.idempotency_key in done)]
            if not pending:
                return [], [], bool(changes)
            pending.sort(key=lambda c: levels[(c.variant_id, c.warehouse_id)].pk)

            for change in pending:
                if change.set_on_hand is not None:
                    change.quantity = change.set_on_hand - levels[(change.variant_id, change.warehouse_id)].on_hand
            pending = [c for c in pending if any(c.deltas())]

            shortages = [s for c in pending if (s := _violation(c, levels[(c.variant_id, c.warehouse_id)]))]
            if shortages:
                return [], shortages, False

            movements = []
            for change in pending:
                level = levels[(change.variant_id, change.warehouse_id)]
                on_hand_delta, reserved_delta = change.deltas()
                # The condition repeats the check in SQL: correctness does not rest on the lock alone.
                updated = (
                    StockLevel.objects.filter(pk=level.pk)
                    .filter(
                        Q(on_hand__gte=-on_hand_delta)
                        & Q(reserved__gte=-reserved_delta)
                        & Q(on_hand__gte=F("reserved") + reserved_delta - on_hand_delta)
                    )
                    .update(on_hand=F("on_hand") + on_hand_delta, reserved=F("reserved") + reserved_delta)
                )
                if updated != 1:
                    raise _Refused([_violation(change, level) or Shortage(level.variant_id, level.warehouse_id, 0, 0)])
                level.on_hand += on_hand_delta
                level.reserved += reserved_delta
                movements.append(
                    StockMovement(
                        organization_id=organization_id,
                        variant_id=change.variant_id,
                        warehouse_id=change.warehouse_id,
                        kind=change.kind,
                        on_hand_delta=on_hand_delta,
                        reserved_delta=reserved_delta,
                        on_hand_after=level.on_hand,
                        reserved_after=level.reserved,
                        order_id=change.order_id,
                        order_line_id=change.order_line_id,
                        reference=change.reference,
                        reason=change.reason,
                        user_id=change.user_id,
                        idempotency_key=change.idempotency_key,
                    )
                )
            created = StockMovement.objects.bulk_create(movements)
            variant_ids = frozenset(m.variant_id for m in created)
            connection_ids = frozenset(mark_listings_dirty(variant_ids))
            transaction.on_commit(
                lambda: stock_changed.send(
                    sender=StockMovement, variant_ids=variant_ids, organization_id=organization_id,
                    connection_ids=connection_ids,
                )
            )
            return created, [], False
    except _Refused as refused:
        return [], refused.shortages, False
    except IntegrityError:
        # A twin committed the same idempotency key between our check and insert: it did the work.
        if keys and StockMovement.objects.filter(idempotency_key__in=keys).exists():
            return [], [], True
        raise


class _Refused(Exception):
    def __init__(self, shortages: list[Shortage]):
        self.shortages = shortages


def expand_kits(lines: Iterable[StockLine]) -> list[StockLine]:
    """Replace each kit by its components (quantity × per-kit quantity); plain variants pass through."""
    lines = list(lines)
    kit_ids = set(Variant.objects.filter(pk__in={line.variant_id for line in lines}, is_kit=True).values_list("pk", flat=True))
    if not kit_ids:
        return lines
    components: dict[int, list[tuple[int, int]]] = {}
    for kit_id, component_id, per_kit in KitComponent.objects.filter(kit_id__in=kit_ids).values_list(
        "kit_id", "component_id", "quantity"
    ):
        components.setdefault(kit_id, []).append((component_id, per_kit))
    expanded: list[StockLine] = []
    for line in lines:
        if line.variant_id in kit_ids:
            if not components.get(line.variant_id):
                raise StockError(_("Kit %(kit)s has no components") % {"kit": line.variant_id})
            expanded.extend(
                StockLine(component_id, line.quantity * per_kit, line.order_line_id)
                for component_id, per_kit in components[line.variant_id]
            )
        else:
            expanded.append(line)
    return expanded


def _line_changes(
    kind: str, warehouse: Warehouse, lines: Sequence[StockLine], *, order_id: int | None, key_prefix: str | None, **extra
) -> list[_Change]:
    changes = []
    for line in expand_kits(lines):
        if line.quantity <= 0:
            raise StockError(_("Quantity must be positive"))
        key = f"{key_prefix}:{kind}:{line.order_line_id or '-'}:{line.variant_id}" if key_prefix else None
        changes.append(
            _Change(
                kind=kind,
                variant_id=line.variant_id,
                warehouse_id=warehouse.pk,
                quantity=line.quantity,
                order_id=order_id,
                order_line_id=line.order_line_id,
                idempotency_key=key,
                **extra,
            )
        )
    return changes


def reserve(
    *, warehouse: Warehouse, lines: Sequence[StockLine], order_id: int | None = None, key_prefix: str | None = None
) -> Reservation:
    """Hold units for an order, all lines or none. Never takes available below zero; a refusal lists shortages.

    ``key_prefix`` (e.g. ``order:42``) makes the call idempotent: repeating it changes nothing.
    """
    changes = _line_changes(MovementKind.RESERVATION, warehouse, lines, order_id=order_id, key_prefix=key_prefix)
    movements, shortages, already = _apply(changes)
    return Reservation(ok=not shortages, movements=movements, shortages=shortages, already_applied=already)


def release(
    *, warehouse: Warehouse, lines: Sequence[StockLine], order_id: int | None = None, key_prefix: str | None = None,
    reason: str = "",
) -> list[StockMovement]:
    """Give held units back to available (a cancelled order)."""
    changes = _line_changes(
        MovementKind.RELEASE, warehouse, lines, order_id=order_id, key_prefix=key_prefix, reason=reason
    )
    return _checked(changes, _("Cannot release more than is reserved"))


def ship(
    *, warehouse: Warehouse, lines: Sequence[StockLine], order_id: int | None = None, key_prefix: str | None = None
) -> list[StockMovement]:
    """Reserved units leave the warehouse: on hand and reserved both fall, available does not change."""
    changes = _line_changes(MovementKind.SHIPMENT, warehouse, lines, order_id=order_id, key_prefix=key_prefix)
    return _checked(changes, _("Cannot ship units that are not reserved"))


def receive(
    *, variant: Variant, warehouse: Warehouse, quantity: int, reason: str = "", reference: str = "",
    user=None, idempotency_key: str | None = None,
) -> list[StockMovement]:
    """Goods arrived (purchase, transfer in)."""
    if quantity <= 0:
        raise StockError(_("Quantity must be positive"))
    return _checked(
        [_Change(MovementKind.RECEIPT, variant.pk, warehouse.pk, quantity, reason=reason, reference=reference,
                 user_id=_user_id(user), idempotency_key=idempotency_key)],
        "",
    )


def receive_many(
    *, warehouse: Warehouse, lines: Sequence[StockLine], reason: str = "", reference: str = "", user=None,
    key_prefix: str | None = None,
) -> list[StockMovement]:
    """A delivery of many SKUs at once: one transaction, one ledger row per line, all or nothing."""
    changes = _line_changes(MovementKind.RECEIPT, warehouse, lines, order_id=None, key_prefix=key_prefix,
                            reason=reason, reference=reference, user_id=_user_id(user))
    return _checked(changes, "")


def restock(
    *, variant: Variant, warehouse: Warehouse, quantity: int, reference: str, reason: str = "", user=None,
    idempotency_key: str | None = None,
) -> list[StockMovement]:
    """A returned unit passed inspection and goes back on the shelf."""
    if quantity <= 0:
        raise StockError(_("Quantity must be positive"))
    return _checked(
        [_Change(MovementKind.RETURN, variant.pk, warehouse.pk, quantity, reason=reason, reference=reference,
                 user_id=_user_id(user), idempotency_key=idempotency_key)],
        "",
    )


def write_off(
    *, variant: Variant, warehouse: Warehouse, quantity: int, reason: str, user=None, reference: str = "",
    idempotency_key: str | None = None,
) -> list[StockMovement]:
    """Units are lost or defective; only available units can go (reserved ones belong to orders)."""
    if quantity <= 0:
        raise StockError(_("Quantity must be positive"))
    return _checked(
        [_Change(MovementKind.WRITE_OFF, variant.pk, warehouse.pk, quantity, reason=reason, reference=reference,
                 user_id=_user_id(user), idempotency_key=idempotency_key)],
        _("Cannot write off more than is available"),
    )


def adjust(
    *, variant: Variant, warehouse: Warehouse, delta: int | None = None, new_quantity: int | None = None,
    reason: str, user=None, reference: str = "",
) -> list[StockMovement]:
    """Correct on hand by ``delta``, or set it to ``new_quantity`` found by a count (kind ``count``).

    Refused when it would take on hand below what is reserved for orders. Returns no movement when a count
    finds exactly what the system already holds.
    """
    if (delta is None) == (new_quantity is None):
        raise StockError(_("Give either a change or a new quantity"))
    if new_quantity is not None:
        if new_quantity < 0:
            raise StockError(_("Quantity cannot be negative"))
        change = _Change(MovementKind.COUNT, variant.pk, warehouse.pk, 0, reason=reason, reference=reference,
                         user_id=_user_id(user), set_on_hand=new_quantity)
    else:
        if delta == 0:
            raise StockError(_("The change must not be zero"))
        change = _Change(MovementKind.ADJUSTMENT, variant.pk, warehouse.pk, delta, reason=reason,
                         reference=reference, user_id=_user_id(user))
    return _checked([change], _("On hand cannot fall below zero or below what is reserved for orders"))


def _checked(changes: list[_Change], refusal: str) -> list[StockMovement]:
    movements, shortages, _already = _apply(changes)
    if shortages:
        raise StockError(f"{refusal}: {describe_shortages(shortages)}", shortages)
    return movements


def _user_id(user) -> int | None:
    return getattr(user, "pk", None) if user is not None and getattr(user, "is_authenticated", False) else None
