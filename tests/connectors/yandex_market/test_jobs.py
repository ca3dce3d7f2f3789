"""The connection's jobs (``connectors.services.run_job``) with the Yandex Market connector and the sandbox."""

from __future__ import annotations

import pytest

from catalog.models import Listing
from connectors.choices import Job, Marketplace
from connectors.models import WarehouseLink
from connectors.services import run_job
from inventory import services as stock
from orders.choices import OrderStatus, Scheme
from orders.models import Order
from tests.connectors.yandex_market.conftest import API_KEY, MP, WAREHOUSE, order_items
from tests.factories import ConnectionFactory, ListingFactory, VariantFactory, WarehouseFactory


@pytest.fixture
def connection(in_org, sandbox, seller):
    connection = ConnectionFactory(
        organization=in_org, marketplace=Marketplace.YANDEX_MARKET, credentials={"api_key": API_KEY},
        base_url=sandbox.url(MP), options={"business_id": seller["account"]["business_id"],
                                           "campaign_id": seller["account"]["campaign_id"]})
    warehouse = WarehouseFactory(organization=in_org)
    WarehouseLink.objects.create(organization=in_org, connection=connection, warehouse=warehouse,
                                 external_id=WAREHOUSE)
    for offer_id in ("TSHIRT-BLK-M", "MUG-01"):
        variant = VariantFactory(organization=in_org, sku=offer_id)
        ListingFactory(organization=in_org, variant=variant, connection=connection, offer_id=offer_id,
                       stock_key=offer_id)
        stock.receive(variant=variant, warehouse=warehouse, quantity=9, reason="test")
    return connection


def test_the_orders_job_takes_in_market_orders_once(connection, ym):
    order = ym.place_order("ym1", order_items(("TSHIRT-BLK-M", 2)))[0]

    first, second = run_job(connection, Job.ORDERS), run_job(connection, Job.ORDERS)

    assert first.ok and second.ok, (first.error, second.error)
    taken = Order.objects.get(connection=connection, external_id=order["id"])
    assert (taken.status, taken.scheme, taken.marketplace_substatus) == (OrderStatus.NEW, Scheme.FBS, "STARTED")
    assert Order.objects.filter(connection=connection).count() == 1


def test_the_stock_job_pushes_what_okno_offers_and_verifies_it(connection, ym):
    report = run_job(connection, Job.STOCKS)

    assert report.ok and report.pushed == 2, report.error
    shown = {p["offer_id"]: p["stocks"][WAREHOUSE] for p in ym.seller("ym1")["products"] if p["offer_id"] != "TSHIRT-BLK-L"}
    assert shown == {"TSHIRT-BLK-M": 9, "MUG-01": 9}
    assert set(Listing.objects.filter(connection=connection).values_list("marketplace_quantity", flat=True)) == {9}


def test_the_status_job_follows_a_cancellation(connection, ym):
    order = ym.place_order("ym1", order_items(("MUG-01", 1)))[0]
    run_job(connection, Job.ORDERS)
    ym.order_action("ym1", order["id"], "cancel")

    report = run_job(connection, Job.STATUSES)

    assert report.ok, report.error
    assert Order.objects.get(connection=connection, external_id=order["id"]).status == OrderStatus.CANCELLED
