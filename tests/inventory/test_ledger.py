"""The ledger is the only way stock changes, and StockLevel always equals its sum."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Sum

from inventory import services
from inventory.choices import MovementKind
from inventory.models import StockLevel, StockMovement
from inventory.services import StockError, StockLine
from tests.factories import KitComponentFactory, OrderFactory, VariantFactory, WarehouseFactory


@pytest.fixture
def warehouse(org):
    return WarehouseFactory(organization=org)


@pytest.fixture
def variant(org):
    return VariantFactory(organization=org)


def level(variant, warehouse) -> StockLevel:
    return StockLevel.objects.get(variant=variant, warehouse=warehouse)


def assert_ledger_matches_levels():
    for row in StockLevel.objects.all():
        sums = StockMovement.objects.filter(variant_id=row.variant_id, warehouse_id=row.warehouse_id).aggregate(
            on_hand=Sum("on_hand_delta"), reserved=Sum("reserved_delta")
        )
        assert (row.on_hand, row.reserved) == (sums["on_hand"] or 0, sums["reserved"] or 0), row


def test_every_operation_keeps_stock_level_equal_to_the_ledger_sum(in_org, warehouse, variant):
    order = OrderFactory(organization=in_org)
    services.receive(variant=variant, warehouse=warehouse, quantity=10, reason="supplier delivery")
    services.reserve(warehouse=warehouse, lines=[StockLine(variant.pk, 4)], order_id=order.pk, key_prefix="o1")
    services.release(warehouse=warehouse, lines=[StockLine(variant.pk, 1)], order_id=order.pk, key_prefix="o1")
    services.ship(warehouse=warehouse, lines=[StockLine(variant.pk, 3)], order_id=order.pk, key_prefix="o1")
    services.restock(variant=variant, warehouse=warehouse, quantity=1, reference="return R-1")
    services.adjust(variant=variant, warehouse=warehouse, delta=-2, reason="damaged in storage")
    services.adjust(variant=variant, warehouse=warehouse, new_quantity=5, reason="cycle count")
    services.write_off(variant=variant, warehouse=warehouse, quantity=1, reason="lost")

    row = level(variant, warehouse)
    assert (row.on_hand, row.reserved, row.available) == (4, 0, 4)
    assert list(StockMovement.objects.order_by("pk").values_list("kind", flat=True)) == [
        MovementKind.RECEIPT, MovementKind.RESERVATION, MovementKind.RELEASE, MovementKind.SHIPMENT,
        MovementKind.RETURN, MovementKind.ADJUSTMENT, MovementKind.COUNT, MovementKind.WRITE_OFF,
    ]
    assert_ledger_matches_levels()


def test_ledger_rows_record_the_quantities_after_each_change(in_org, warehouse, variant):
    services.receive(variant=variant, warehouse=warehouse, quantity=7)
    services.reserve(warehouse=warehouse, lines=[StockLine(variant.pk, 2)])
    last = StockMovement.objects.order_by("-pk").first()
    assert (last.on_hand_after, last.reserved_after, last.reserved_delta) == (7, 2, 2)


def test_reserve_refuses_when_stock_is_short_and_changes_nothing(in_org, warehouse, variant):
    other = VariantFactory(organization=in_org)
    services.receive(variant=variant, warehouse=warehouse, quantity=5)
    services.receive(variant=other, warehouse=warehouse, quantity=1)

    result = services.reserve(warehouse=warehouse, lines=[StockLine(variant.pk, 2), StockLine(other.pk, 3)])

    assert not result.ok
    assert [(s.variant_id, s.requested, s.available) for s in result.shortages] == [(other.pk, 3, 1)]
    assert "Недостаточно" in result.message or "Not enough" in result.message
    assert level(variant, warehouse).reserved == 0, "all lines or none"
    assert StockMovement.objects.filter(kind=MovementKind.RESERVATION).count() == 0


def test_repeating_a_reservation_with_the_same_key_reserves_once(in_org, warehouse, variant):
    services.receive(variant=variant, warehouse=warehouse, quantity=5)
    for _ in range(3):
        result = services.reserve(warehouse=warehouse, lines=[StockLine(variant.pk, 2)], key_prefix="order:77")
    assert result.ok and result.already_applied
    assert level(variant, warehouse).reserved == 2
    assert StockMovement.objects.filter(kind=MovementKind.RESERVATION).count() == 1


def test_kit_reservation_holds_its_components(in_org, warehouse):
    link = KitComponentFactory(organization=in_org, quantity=2)
    second = KitComponentFactory(organization=in_org, kit=link.kit, quantity=1)
    services.receive(variant=link.component, warehouse=warehouse, quantity=10)
    services.receive(variant=second.component, warehouse=warehouse, quantity=2)

    assert services.reserve(warehouse=warehouse, lines=[StockLine(link.kit.pk, 2)]).ok
    assert level(link.component, warehouse).reserved == 4
    assert level(second.component, warehouse).reserved == 2
    refused = services.reserve(warehouse=warehouse, lines=[StockLine(link.kit.pk, 1)])
    assert not refused.ok and refused.shortages[0].variant_id == second.component.pk


def test_adjustment_below_reserved_is_refused_with_a_clear_message(in_org, warehouse, variant):
    services.receive(variant=variant, warehouse=warehouse, quantity=5)
    services.reserve(warehouse=warehouse, lines=[StockLine(variant.pk, 4)])
    with pytest.raises(StockError) as refused:
        services.adjust(variant=variant, warehouse=warehouse, new_quantity=3, reason="count")
    assert "reserved" in refused.value.message or "резерв" in refused.value.message
    assert level(variant, warehouse).on_hand == 5


def test_a_count_that_finds_the_booked_quantity_writes_no_row(in_org, warehouse, variant):
    services.receive(variant=variant, warehouse=warehouse, quantity=5)
    assert services.adjust(variant=variant, warehouse=warehouse, new_quantity=5, reason="count") == []


def test_cannot_ship_or_release_more_than_reserved(in_org, warehouse, variant):
    services.receive(variant=variant, warehouse=warehouse, quantity=5)
    services.reserve(warehouse=warehouse, lines=[StockLine(variant.pk, 1)])
    with pytest.raises(StockError):
        services.ship(warehouse=warehouse, lines=[StockLine(variant.pk, 2)])
    with pytest.raises(StockError):
        services.release(warehouse=warehouse, lines=[StockLine(variant.pk, 2)])
    assert (level(variant, warehouse).on_hand, level(variant, warehouse).reserved) == (5, 1)


def test_the_database_refuses_to_edit_or_delete_ledger_rows(in_org, warehouse, variant):
    services.receive(variant=variant, warehouse=warehouse, quantity=5)
    movement = StockMovement.objects.get()
    with pytest.raises(ValueError):
        movement.save()
    with pytest.raises(Exception, match="append-only"), connection.cursor() as cursor:
        cursor.execute("UPDATE inventory_stockmovement SET on_hand_delta = 99")


def test_the_database_refuses_reserved_above_on_hand(in_org, warehouse, variant):
    services.receive(variant=variant, warehouse=warehouse, quantity=1)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.filter(variant=variant).update(reserved=2)


def test_a_delivery_of_many_skus_is_booked_in_one_go(in_org, warehouse):
    first, second = VariantFactory(organization=in_org), VariantFactory(organization=in_org)
    services.receive_many(warehouse=warehouse, lines=[StockLine(first.pk, 4), StockLine(second.pk, 6)],
                          reason="supplier invoice 17")
    assert (level(first, warehouse).on_hand, level(second, warehouse).on_hand) == (4, 6)
    assert StockMovement.objects.filter(kind=MovementKind.RECEIPT, reason="supplier invoice 17").count() == 2
    assert_ledger_matches_levels()
