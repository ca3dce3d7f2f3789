"""Stock push and read-back, FBO (FBY) stock and orders, returns — connector against the sandbox over HTTP."""

from __future__ import annotations

import time
from decimal import Decimal

from connectors.dto import StockUpdate
from connectors.yandex_market.connector import STOCK_BATCH, YandexMarketConnector
from orders.choices import OrderStatus, Scheme
from returns.choices import ReasonCode, ReturnKind, ReturnStatus
from tests.connectors.yandex_market.conftest import FF_WAREHOUSE, MP, WAREHOUSE, make_config, order_items


def shown(ym, offer_id):
    return next(p for p in ym.seller("ym1")["products"] if p["offer_id"] == offer_id)["stocks"].get(WAREHOUSE)


def test_the_batch_size_is_markets_maximum_per_request():
    assert YandexMarketConnector.stock_batch_size == STOCK_BATCH == 2000


def test_pushed_stock_is_what_market_shows_and_reads_back(connector, ym):
    results = connector.push_stocks([StockUpdate("TSHIRT-BLK-M", WAREHOUSE, 37), StockUpdate("MUG-01", WAREHOUSE, 0)])

    assert [(r.stock_key, r.accepted) for r in results] == [("TSHIRT-BLK-M", True), ("MUG-01", True)]
    assert (shown(ym, "TSHIRT-BLK-M"), shown(ym, "MUG-01")) == (37, 0)
    readings = connector.read_stocks([("TSHIRT-BLK-M", WAREHOUSE), ("MUG-01", WAREHOUSE)])
    assert sorted((r.stock_key, r.quantity) for r in readings) == [("MUG-01", 0), ("TSHIRT-BLK-M", 37)]


def test_every_received_item_is_recorded_with_its_timestamp(connector, ym):
    connector.push_stocks([StockUpdate("TSHIRT-BLK-M", WAREHOUSE, 11)])

    updates = ym.stock_updates(marketplace=MP)

    assert [(u["offer_id"], u["warehouse_id"], u["sent"], u["shown"], u["accepted"]) for u in updates] == [
        ("TSHIRT-BLK-M", WAREHOUSE, 11, 11, True)]
    assert updates[0]["at"] > 0


def test_units_held_by_orders_read_back_as_reserved(connector, ym):
    connector.push_stocks([StockUpdate("TSHIRT-BLK-M", WAREHOUSE, 10)])
    ym.place_order("ym1", order_items(("TSHIRT-BLK-M", 3)))

    reading = connector.read_stocks([("TSHIRT-BLK-M", WAREHOUSE)])[0]

    assert (reading.quantity, reading.reserved) == (7, 3)


def test_an_sku_market_does_not_know_is_refused_and_the_others_go_through(connector, ym):
    results = connector.push_stocks([StockUpdate("TSHIRT-BLK-M", WAREHOUSE, 4), StockUpdate("GHOST-1", WAREHOUSE, 9),
                                     StockUpdate("MUG-01", WAREHOUSE, 8)])

    assert [(r.stock_key, r.accepted) for r in results] == [("TSHIRT-BLK-M", True), ("GHOST-1", False),
                                                            ("MUG-01", True)]
    assert "OFFER_NOT_FOUND" in results[1].error
    assert (shown(ym, "TSHIRT-BLK-M"), shown(ym, "MUG-01")) == (4, 8)
    refused = [u for u in ym.stock_updates(marketplace=MP) if not u["accepted"]]
    assert {u["offer_id"] for u in refused} == {"TSHIRT-BLK-M", "GHOST-1", "MUG-01"}  # the first, refused request


def test_one_sku_twice_in_a_batch_is_sent_once_with_the_last_quantity(connector, ym):
    results = connector.push_stocks([StockUpdate("MUG-01", WAREHOUSE, 5), StockUpdate("MUG-01", WAREHOUSE, 6)])

    assert all(r.accepted for r in results)
    assert [u["sent"] for u in ym.stock_updates(marketplace=MP)] == [6]


def test_a_warehouse_of_another_business_and_an_absurd_quantity_are_refused_locally(connector, ym):
    results = connector.push_stocks([StockUpdate("MUG-01", "99999", 1), StockUpdate("MUG-01", WAREHOUSE, -1),
                                     StockUpdate("MUG-01", WAREHOUSE, 3_000_000_000)])

    assert [r.accepted for r in results] == [False, False, False]
    assert "99999" in results[0].error
    assert ym.stock_updates(marketplace=MP) == []


def test_the_warehouse_campaign_mapping_can_come_from_the_options(sandbox, seller, ym):
    config = make_config(sandbox.url(MP), seller["account"],
                         warehouse_campaigns={WAREHOUSE: seller["account"]["campaign_id"]})

    YandexMarketConnector(config).push_stocks([StockUpdate("MUG-01", WAREHOUSE, 12)])

    assert not any(r["path"].endswith("/warehouses") for r in ym.requests(marketplace=MP))
    assert shown(ym, "MUG-01") == 12


def test_market_applies_stock_after_a_while_and_the_read_back_shows_it_then(sandbox, ym):
    account = ym.create_seller({"id": "slow", "credentials": {"api_key": "slow-key"},
                                "account": {"stock_apply_delay_s": 0.3}, "warehouses": [{"id": "70303"}],
                                "products": [{"offer_id": "MUG-01", "stocks": {"70303": 1}}]})["account"]
    config = make_config(sandbox.url(MP), account, credentials={"api_key": "slow-key"})
    connector = YandexMarketConnector(config)

    assert connector.push_stocks([StockUpdate("MUG-01", "70303", 50)])[0].accepted
    before = connector.read_stocks([("MUG-01", "70303")])[0].quantity
    time.sleep(0.5)
    after = connector.read_stocks([("MUG-01", "70303")])[0].quantity

    assert (before, after) == (1, 50)


def test_fbo_stock_is_read_per_market_warehouse_with_its_name(connector):
    batch = connector.fetch_fbo_stocks()

    rows = sorted((r.offer_id, r.warehouse_external_id, r.warehouse_name, r.quantity) for r in batch.items)
    assert rows == [("TSHIRT-BLK-L", FF_WAREHOUSE, "Софьино", 0), ("TSHIRT-BLK-M", FF_WAREHOUSE, "Софьино", 7)]


def test_a_cabinet_without_an_fby_shop_has_no_fbo_stock(sandbox, ym):
    account = ym.create_seller({"id": "fbs-only", "credentials": {"api_key": "fbs-key"},
                                "warehouses": [{"id": "80404"}]})["account"]
    connector = YandexMarketConnector(make_config(sandbox.url(MP), account, credentials={"api_key": "fbs-key"}))

    assert connector.fetch_fbo_stocks().items == []


def test_fby_orders_come_only_through_the_fbo_feed(connector, ym):
    fby = ym.place_order("ym1", order_items(("TSHIRT-BLK-M", 2)), warehouse_id=FF_WAREHOUSE, scheme="fbo")[0]
    fbs = ym.place_order("ym1", order_items(("MUG-01", 1)))[0]

    fbo_batch, fbs_batch = connector.fetch_fbo_orders({}), connector.fetch_changed_orders({})

    assert [(d.external_id, d.scheme, d.warehouse_external_id) for d in fbo_batch.items] == [
        (fby["id"], Scheme.FBO, FF_WAREHOUSE)]
    assert [d.external_id for d in fbs_batch.items] == [fbs["id"]]


def deliver(ym, order_id, until="DELIVERED"):
    """Advance an order along Market's lifecycle to ``until`` (pickup-point orders take one step more)."""
    for _ in range(6):
        if ym.order_action("ym1", order_id, "advance")["order"]["status"] == until:
            return
    raise AssertionError(f"order {order_id} never reached {until}")


def all_returns(connector, cursor):
    """One full round over the shops: every page until ``has_more`` is false."""
    items, batch = [], connector.fetch_returns(cursor)
    items.extend(batch.items)
    while batch.has_more:
        batch = connector.fetch_returns(batch.cursor)
        items.extend(batch.items)
    return items, batch.cursor


def test_a_return_is_followed_from_the_request_to_the_seller(connector, ym):
    order = ym.place_order("ym1", order_items(("TSHIRT-BLK-M", 1)))[0]
    deliver(ym, order["id"])
    ym.order_action("ym1", order["id"], "return")

    first, cursor = all_returns(connector, {})
    for _ in range(3):
        ym.order_action("ym1", order["id"], "advance")  # the parcel: received, in transit, ready for pickup
    later, _cursor = all_returns(connector, cursor)

    assert [(r.kind, r.status, r.reason_code, r.amount) for r in first] == [
        (ReturnKind.RETURN, ReturnStatus.REQUESTED, ReasonCode.SIZE, Decimal("1190.00"))]
    assert [(r.external_id, r.status) for r in later] == [(first[0].external_id, ReturnStatus.ARRIVED)]
    assert later[0].deadline_at is not None


def test_a_parcel_nobody_collected_is_a_non_purchase(connector, ym):
    order = ym.place_order("ym1", order_items(("MUG-01", 1)))[0]
    deliver(ym, order["id"], until="DELIVERY")
    ym.order_action("ym1", order["id"], "cancel")  # the buyer refuses it at delivery

    returns, _cursor = all_returns(connector, {})

    assert [(r.order_external_id, r.kind) for r in returns] == [(order["id"], ReturnKind.NON_PURCHASE)]
    status = connector.fetch_order_statuses([order["id"]]).items[0]
    assert status.status == OrderStatus.CANCELLED


def test_returns_page_shop_by_shop_until_the_round_is_done(sandbox, connector, ym):
    app, world = sandbox.apps[MP], sandbox.world
    seller = world.seller(MP, "ym1")
    order = ym.place_order("ym1", order_items(("MUG-01", 1)))[0]
    deliver(ym, order["id"])
    with world.lock:
        for _ in range(120):
            app.create_return(seller, seller.orders[order["id"]])
    fby = ym.place_order("ym1", order_items(("TSHIRT-BLK-M", 1)), warehouse_id=FF_WAREHOUSE, scheme="fbo")[0]
    deliver(ym, fby["id"])
    ym.order_action("ym1", fby["id"], "return")

    pages = [connector.fetch_returns({})]
    while pages[-1].has_more:
        pages.append(connector.fetch_returns(pages[-1].cursor))

    assert [len(p.items) for p in pages] == [100, 20, 1]
    assert len({r.external_id for p in pages for r in p.items}) == 121
    assert pages[-1].items[0].scheme == Scheme.FBO
