"""A WB connection run by Okno's sync jobs against the sandbox: assembly tasks land as orders with their stock
reserved, stock is pushed by chrtId and verified by reading it back, claims find their orders, FBW arrives."""

from __future__ import annotations

from catalog.choices import StockSyncState
from catalog.models import Listing
from connectors.choices import Job, Marketplace
from connectors.models import WarehouseLink
from connectors.services import run_job
from inventory import services as stock
from inventory.models import StockLevel
from orders.choices import OrderStatus, Scheme, StockState
from orders.models import Order
from returns.models import Return
from tests.connectors.wb.conftest import FBO_WAREHOUSE, WAREHOUSE, key_of
from tests.factories import ConnectionFactory, ListingFactory, VariantFactory, WarehouseFactory


def _connection(in_org, sandbox, seller, on_hand: int):
    connection = ConnectionFactory(organization=in_org, marketplace=Marketplace.WB,
                                   credentials=dict(seller["credentials"]), base_url=sandbox.url("wb"))
    warehouse = WarehouseFactory(organization=in_org)
    WarehouseLink.objects.create(connection=connection, warehouse=warehouse, external_id=WAREHOUSE)
    variant = VariantFactory(organization=in_org, sku="TSHIRT-BLK-M")
    ListingFactory(organization=in_org, variant=variant, connection=connection, offer_id="TSHIRT-BLK-M",
                   stock_key=key_of(seller, "TSHIRT-BLK-M"), external_sku=key_of(seller, "TSHIRT-BLK-M"))
    stock.receive(variant=variant, warehouse=warehouse, quantity=on_hand, reason="test")
    return connection, warehouse, variant


def test_orders_job_brings_each_unit_in_as_an_order_with_its_stock_reserved(in_org, sandbox, wb, seller):
    connection, warehouse, variant = _connection(in_org, sandbox, seller, on_hand=5)
    wb.place_order("s1", [{"key": key_of(seller, "TSHIRT-BLK-M"), "quantity": 2}], WAREHOUSE)

    report = run_job(connection, Job.ORDERS)

    assert report.error == "" and report.created == 2
    orders = Order.objects.filter(connection=connection)
    assert {(o.status, o.stock_state, o.lines.get().quantity) for o in orders} == {
        (OrderStatus.NEW, StockState.RESERVED, 1)}
    assert StockLevel.objects.get(variant=variant, warehouse=warehouse).reserved == 2


def test_stocks_job_pushes_the_available_quantity_by_chrt_id_and_verifies_it(in_org, sandbox, wb, seller):
    connection, _warehouse, _variant = _connection(in_org, sandbox, seller, on_hand=7)

    report = run_job(connection, Job.STOCKS)

    assert report.error == "" and report.pushed == 1
    listing = Listing.objects.get(connection=connection)
    assert (listing.pushed_quantity, listing.marketplace_quantity, listing.sync_state) == (
        7, 7, StockSyncState.VERIFIED)
    assert [(u["key"], u["sent"]) for u in wb.stock_updates(marketplace="wb")] == [
        (key_of(seller, "TSHIRT-BLK-M"), 7)]


def test_statuses_job_follows_a_shipped_order_to_its_buyer(in_org, sandbox, wb, seller, connector):
    connection, _warehouse, _variant = _connection(in_org, sandbox, seller, on_hand=5)
    task = wb.place_order("s1", [{"key": key_of(seller, "TSHIRT-BLK-M"), "quantity": 1}], WAREHOUSE)[0]["id"]
    run_job(connection, Job.ORDERS)
    connector.ship_orders([task])
    for _step in range(3):
        wb.order_action("s1", task, "advance")

    report = run_job(connection, Job.STATUSES)

    assert report.error == ""
    order = Order.objects.get(connection=connection, external_id=task)
    assert (order.status, order.marketplace_status, order.marketplace_substatus) == (
        OrderStatus.DELIVERED, "complete", "sold")


def test_returns_job_links_a_buyers_claim_to_its_order(in_org, sandbox, wb, seller, connector):
    connection, _warehouse, _variant = _connection(in_org, sandbox, seller, on_hand=5)
    task = wb.place_order("s1", [{"key": key_of(seller, "TSHIRT-BLK-M"), "quantity": 1}], WAREHOUSE)[0]["id"]
    run_job(connection, Job.ORDERS)
    connector.ship_orders([task])
    for _step in range(3):
        wb.order_action("s1", task, "advance")
    wb.order_action("s1", task, "return")

    report = run_job(connection, Job.RETURNS)

    assert report.error == "" and report.created == 1
    claim = Return.objects.get(connection=connection)
    assert (claim.kind, claim.order.external_id, claim.lines.get().offer_id) == ("claim", task, "TSHIRT-BLK-M")


def test_fbo_job_brings_wb_warehouse_orders_and_stock(in_org, sandbox, wb, seller):
    connection, _warehouse, _variant = _connection(in_org, sandbox, seller, on_hand=5)
    wb.place_order("s1", [{"key": key_of(seller, "TSHIRT-BLK-M"), "quantity": 2}], FBO_WAREHOUSE, scheme="fbo")

    report = run_job(connection, Job.FBO)

    assert report.error == ""
    assert list(Order.objects.filter(connection=connection).values_list("scheme", "status")) == [
        (Scheme.FBO, OrderStatus.NEW)] * 2
    assert StockLevel.objects.filter(warehouse__connection=connection, warehouse__external_id="-999999",
                                     on_hand=5).exists()
