from datetime import UTC, datetime

import pytest

from oms.tenancy import organization_scope
from orders import batches
from orders.choices import BatchItemStatus, BatchStatus, OrderStatus, Scheme
from orders.models import BatchItem, Order, OrderEvent, PickBatch
from tests.factories import UserFactory, WarehouseFactory
from tests.fulfilment.builders import batch_of, connection_for, order_of, stored_variant


@pytest.fixture
def shirt(warehouse):
    return stored_variant(warehouse, "SHIRT")


def test_a_batch_takes_the_selected_orders_and_the_earliest_ship_by(in_org, warehouse, shirt):
    connection = connection_for(in_org)
    early = order_of(connection, warehouse, (shirt, 1), ship_by=datetime(2026, 3, 2, 9, tzinfo=UTC))
    late = order_of(connection, warehouse, (shirt, 1), ship_by=datetime(2026, 3, 2, 15, tzinfo=UTC))

    batch = batch_of(early, late)

    assert batch.status == BatchStatus.OPEN and batch.connection == connection and batch.warehouse == warehouse
    assert batch.cutoff_at == early.ship_by
    assert set(batches.batch_items(batch).values_list("order_id", flat=True)) == {early.pk, late.pk}


def test_batch_numbers_run_per_organization(in_org, warehouse, shirt):
    connection = connection_for(in_org)

    numbers = [batch_of(order_of(connection, warehouse, (shirt, 1))).number for _ in range(3)]

    assert numbers == [1, 2, 3]


def test_orders_of_two_connections_cannot_share_a_batch(in_org, warehouse, shirt):
    first = order_of(connection_for(in_org), warehouse, (shirt, 1))
    second = order_of(connection_for(in_org, "ozon"), warehouse, (shirt, 1))

    with pytest.raises(batches.BatchError):
        batch_of(first, second)
    assert not PickBatch.objects.exists()


def test_an_order_is_in_one_batch_at_a_time(in_org, warehouse, shirt):
    connection = connection_for(in_org)
    order = order_of(connection, warehouse, (shirt, 1))
    first = batch_of(order)

    with pytest.raises(batches.BatchError):
        batch_of(order)
    batches.remove_orders(first, [order])
    second = batch_of(order)

    assert BatchItem.objects.get(order=order, active=True).batch == second


@pytest.mark.parametrize("kind", ["fbo", "shipped"])
def test_fbo_and_finished_orders_cannot_be_batched(in_org, warehouse, shirt, kind):
    fields = {"scheme": Scheme.FBO} if kind == "fbo" else {"status": OrderStatus.SHIPPED}
    order = order_of(connection_for(in_org), warehouse, (shirt, 1), **fields)

    with pytest.raises(batches.BatchError):
        batch_of(order)


def test_auto_grouping_makes_a_batch_per_connection_warehouse_and_cutoff_day(in_org, warehouse, shirt):
    wb, ozon = connection_for(in_org), connection_for(in_org, "ozon")
    other_warehouse = WarehouseFactory(organization=in_org)
    monday_morning = datetime(2026, 3, 2, 6, tzinfo=UTC)  # 09:00 in Moscow
    monday_night = datetime(2026, 3, 2, 20, 30, tzinfo=UTC)  # 23:30 in Moscow, still Monday
    tuesday = datetime(2026, 3, 2, 21, 30, tzinfo=UTC)  # 00:30 on Tuesday in Moscow
    together = [order_of(wb, warehouse, (shirt, 1), ship_by=monday_morning),
                order_of(wb, warehouse, (shirt, 1), ship_by=monday_night)]
    apart = [order_of(wb, warehouse, (shirt, 1), ship_by=tuesday),
             order_of(ozon, warehouse, (shirt, 1), ship_by=monday_morning),
             order_of(wb, other_warehouse, (shirt, 1), ship_by=monday_morning)]
    order_of(wb, warehouse, (shirt, 1), ship_by=monday_morning, scheme=Scheme.FBO)

    made = batches.auto_group()

    groups = sorted(sorted(batches.batch_items(b).values_list("order_id", flat=True)) for b in made)
    assert groups == sorted([sorted(o.pk for o in together), *([o.pk] for o in apart)])
    assert batches.auto_group() == []


def test_a_batch_moves_open_picking_packed_and_its_orders_follow(in_org, warehouse, shirt, packer):
    order = order_of(connection_for(in_org), warehouse, (shirt, 1), status=OrderStatus.CONFIRMED)
    batch = batch_of(order)

    batches.start_picking(batch, user=packer)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PICKING
    batches.mark_packed(batch, user=packer)

    assert PickBatch.objects.get(pk=batch.pk).status == BatchStatus.PACKED
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PACKED
    assert OrderEvent.objects.filter(order=order, status=OrderStatus.PACKED, user=packer).exists()


def test_a_batch_cannot_skip_picking_or_be_handed_over_by_hand(in_org, warehouse, shirt):
    batch = batch_of(order_of(connection_for(in_org), warehouse, (shirt, 1)))

    with pytest.raises(batches.BatchError):
        batches.mark_packed(batch)
    with pytest.raises(batches.BatchError):
        batches.change_batch_status(batch, BatchStatus.HANDED_OVER)
    with pytest.raises(batches.BatchError):
        batches.hand_over(batch)


def test_cancelling_a_batch_frees_its_orders(in_org, warehouse, shirt):
    order = order_of(connection_for(in_org), warehouse, (shirt, 1))
    batch = batch_of(order)

    batches.cancel_batch(batch)

    assert not BatchItem.objects.filter(order=order, active=True).exists()
    assert batch_of(order).number == batch.number + 1


def test_only_a_member_of_the_organization_can_be_the_picker(in_org, warehouse, shirt, packer):
    batch = batch_of(order_of(connection_for(in_org), warehouse, (shirt, 1)))
    stranger = UserFactory(email="stranger@beta.test")

    with pytest.raises(batches.BatchError):
        batches.assign_picker(batch, stranger)
    batches.assign_picker(batch, packer)

    assert PickBatch.objects.get(pk=batch.pk).picker == packer


def test_orders_join_only_a_batch_of_their_connection_and_warehouse(in_org, warehouse, shirt):
    connection = connection_for(in_org)
    batch = batch_of(order_of(connection, warehouse, (shirt, 1), ship_by=datetime(2026, 3, 3, tzinfo=UTC)))
    earlier = order_of(connection, warehouse, (shirt, 1), ship_by=datetime(2026, 3, 2, tzinfo=UTC))
    foreign = order_of(connection_for(in_org, "ozon"), warehouse, (shirt, 1))

    batches.add_orders(batch, [earlier])
    with pytest.raises(batches.BatchError):
        batches.add_orders(batch, [foreign])

    assert PickBatch.objects.get(pk=batch.pk).cutoff_at == earlier.ship_by
    assert batches.batch_items(batch).count() == 2


def test_another_organizations_batch_and_orders_are_out_of_reach(org, other_org):
    theirs_warehouse = WarehouseFactory(organization=other_org)
    with organization_scope(other_org):
        their_order = order_of(connection_for(other_org), theirs_warehouse,
                               (stored_variant(theirs_warehouse, "THEIRS"), 1))
        their_batch = batch_of(their_order)

    with organization_scope(org):
        with pytest.raises(PickBatch.DoesNotExist):
            batches.get_batch(their_batch.pk)
        with pytest.raises(PickBatch.DoesNotExist):
            batches.start_picking(their_batch)
        with pytest.raises(Order.DoesNotExist):
            batches.create_batch([their_order.pk])
        assert batches.auto_group() == []

    assert PickBatch.all_tenants.get(pk=their_batch.pk).status == BatchStatus.OPEN
    assert BatchItem.all_tenants.get(batch=their_batch).status == BatchItemStatus.PENDING


def test_another_organizations_batch_yields_no_documents(org, other_org):
    from orders.documents.pick_list import render_pick_list

    theirs_warehouse = WarehouseFactory(organization=other_org)
    with organization_scope(other_org):
        their_batch = batch_of(order_of(connection_for(other_org), theirs_warehouse,
                                        (stored_variant(theirs_warehouse, "THEIRS"), 1)))

    with organization_scope(org), pytest.raises(PickBatch.DoesNotExist):
        render_pick_list(their_batch)
