"""Orders arrive more than once and out of order; Okno keeps one order, one reservation, forward-only status."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connections

from connectors.dto import OrderDTO, OrderLineDTO, OrderStatusDTO
from connectors.models import WarehouseLink
from inventory import services as stock
from inventory.models import StockLevel, StockMovement
from oms.tenancy import organization_scope
from orders import services
from orders.choices import EventSource, OrderStatus, StockState
from orders.models import Order
from tests.factories import ConnectionFactory, ListingFactory, OrganizationFactory, WarehouseFactory


def order_dto(external_id="P-1", status=OrderStatus.NEW, quantity=1, offer_id="SKU-1", **extra) -> OrderDTO:
    return OrderDTO(
        external_id=external_id, number=external_id, scheme="fbs", status=status, marketplace_status=str(status),
        lines=(OrderLineDTO(offer_id=offer_id, quantity=quantity, price=Decimal("990")),), total=Decimal("990"),
        **extra,
    )


@pytest.fixture
def shop(in_org):
    connection = ConnectionFactory(organization=in_org)
    warehouse = WarehouseFactory(organization=in_org)
    WarehouseLink.objects.create(connection=connection, warehouse=warehouse, external_id="507")
    listing = ListingFactory(organization=in_org, connection=connection, offer_id="SKU-1")
    stock.receive(variant=listing.variant, warehouse=warehouse, quantity=3)
    return connection, warehouse, listing.variant


def listing_sku(variant) -> str:
    return variant.sku


def level(variant, warehouse):
    return StockLevel.objects.get(variant=variant, warehouse=warehouse)


def test_the_same_order_three_times_is_one_order_and_one_reservation(shop):
    connection, warehouse, variant = shop
    services.ingest_order(connection, order_dto(), source=EventSource.POLL)
    services.ingest_order(connection, order_dto(), source=EventSource.WEBHOOK)
    services.ingest_order(connection, order_dto(), source=EventSource.POLL)

    assert Order.objects.count() == 1
    assert level(variant, warehouse).reserved == 1
    assert StockMovement.objects.filter(kind="reservation").count() == 1


def test_a_stale_status_never_moves_an_order_back(shop):
    connection, *_ = shop
    services.ingest_order(connection, order_dto(status=OrderStatus.PACKED))
    services.ingest_order(connection, order_dto(status=OrderStatus.NEW))
    assert Order.objects.get().status == OrderStatus.PACKED


def test_cancellation_releases_the_reservation_and_records_the_reason(shop):
    connection, warehouse, variant = shop
    services.ingest_order(connection, order_dto(quantity=2))
    services.update_order_status(
        connection, OrderStatusDTO("P-1", OrderStatus.CANCELLED, "cancel", cancel_reason="buyer changed mind")
    )
    order = Order.objects.get()
    assert (order.status, order.stock_state, order.cancel_reason) == (
        OrderStatus.CANCELLED, StockState.RELEASED, "buyer changed mind")
    assert level(variant, warehouse).reserved == 0
    assert list(order.events.values_list("status", flat=True)) == [OrderStatus.NEW, OrderStatus.CANCELLED]


def test_shipment_consumes_the_reservation(shop):
    connection, warehouse, variant = shop
    services.ingest_order(connection, order_dto())
    services.ingest_order(connection, order_dto(status=OrderStatus.SHIPPED))
    row = level(variant, warehouse)
    assert (row.on_hand, row.reserved) == (2, 0)
    assert Order.objects.get().stock_state == StockState.SHIPPED


def test_an_order_beyond_stock_is_recorded_as_oversold_for_the_manager(shop):
    connection, warehouse, variant = shop
    services.ingest_order(connection, order_dto(quantity=5))
    order = Order.objects.get()
    assert order.stock_state == StockState.OVERSOLD
    message = order.events.last().message
    assert ("Oversold" in message or "Перепрода" in message) and listing_sku(variant) in message
    assert level(variant, warehouse).reserved == 0


def test_an_order_for_an_unknown_offer_is_kept_with_an_unmatched_line(shop):
    connection, warehouse, variant = shop
    services.ingest_order(connection, order_dto(offer_id="NOT-IN-CATALOGUE"))
    order = Order.objects.get()
    assert order.lines.get().variant_id is None
    assert level(variant, warehouse).reserved == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_of_one_order_create_it_once():
    org = OrganizationFactory()
    with organization_scope(org):
        connection = ConnectionFactory(organization=org)
        warehouse = WarehouseFactory(organization=org)
        WarehouseLink.objects.create(connection=connection, warehouse=warehouse, external_id="1")
        listing = ListingFactory(organization=org, connection=connection, offer_id="SKU-1")
        stock.receive(variant=listing.variant, warehouse=warehouse, quantity=10)
    barrier = threading.Barrier(6)

    def deliver():
        try:
            with organization_scope(org):
                barrier.wait()
                services.ingest_order(connection, order_dto())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    with organization_scope(org):
        assert Order.objects.count() == 1
        assert StockLevel.objects.get().reserved == 1
