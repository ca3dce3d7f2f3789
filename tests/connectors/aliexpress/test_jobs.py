"""An AliExpress connection run by Okno's sync jobs against the sandbox: orders land in Okno with their stock
reserved, and the stock job pushes what is available and verifies it by reading it back."""

from __future__ import annotations

from catalog.choices import StockSyncState
from catalog.models import Listing
from connectors.choices import Job, Marketplace
from connectors.models import WarehouseLink
from connectors.services import run_job
from inventory import services as stock
from orders.choices import OrderStatus
from orders.models import Order
from tests.connectors.aliexpress.conftest import TOKEN, WAREHOUSE, product_id_of
from tests.connectors.aliexpress.test_orders import place
from tests.factories import ConnectionFactory, ListingFactory, VariantFactory, WarehouseFactory


def _connection(in_org, sandbox, seller, on_hand: int):
    connection = ConnectionFactory(organization=in_org, marketplace=Marketplace.ALIEXPRESS,
                                   credentials={"token": TOKEN}, base_url=sandbox.url("aliexpress"))
    warehouse = WarehouseFactory(organization=in_org)
    WarehouseLink.objects.create(connection=connection, warehouse=warehouse, external_id=WAREHOUSE)
    variant = VariantFactory(organization=in_org, sku="MUG-WHITE")
    ListingFactory(organization=in_org, variant=variant, connection=connection, offer_id="MUG-WHITE",
                   stock_key="MUG-WHITE", external_product_id=product_id_of(seller, "MUG-WHITE"))
    stock.receive(variant=variant, warehouse=warehouse, quantity=on_hand, reason="test")
    return connection


def test_orders_job_brings_an_aliexpress_order_into_okno(in_org, sandbox, seller, ae):
    connection = _connection(in_org, sandbox, seller, on_hand=5)
    order_id = place(ae, "MUG-WHITE", 2)

    report = run_job(connection, Job.ORDERS)

    assert report.error == "" and report.created == 1
    order = Order.objects.get(connection=connection, external_id=order_id)
    assert (order.status, order.lines.get().quantity) == (OrderStatus.NEW, 2)


def test_stocks_job_pushes_the_available_quantity_and_verifies_it(in_org, sandbox, seller, ae):
    connection = _connection(in_org, sandbox, seller, on_hand=7)

    report = run_job(connection, Job.STOCKS)

    assert report.error == "" and report.pushed == 1
    listing = Listing.objects.get(connection=connection)
    assert (listing.pushed_quantity, listing.marketplace_quantity, listing.sync_state) == (7, 7, StockSyncState.VERIFIED)
    assert [(u["offer_id"], u["sent"]) for u in ae.stock_updates(marketplace="aliexpress")] == [("MUG-WHITE", 7)]
