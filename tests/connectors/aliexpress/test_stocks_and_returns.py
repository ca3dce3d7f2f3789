"""AliExpress stock (asynchronous update tasks, read-back by sku_id) and returns as order states, connector against
the sandbox over real HTTP."""

from __future__ import annotations

from connectors.dto import StockUpdate
from returns.choices import ReturnKind, ReturnStatus
from tests.connectors.aliexpress.conftest import PRODUCT_ID, WAREHOUSE, make_connector, product_id_of
from tests.connectors.aliexpress.test_orders import place


def update(seller, offer_id: str, quantity: int, warehouse: str = WAREHOUSE) -> StockUpdate:
    return StockUpdate(offer_id, warehouse, quantity, offer_id=offer_id,
                       external_product_id=product_id_of(seller, offer_id))


def test_pushed_stock_is_accepted_once_the_tasks_succeed_and_reads_back(connector, seller, ae):
    updates = [update(seller, "TSHIRT-BLK-M", 37), update(seller, "TSHIRT-BLK-L", 0), update(seller, "MUG-WHITE", 8)]

    results = connector.push_stocks(updates)

    assert sorted((r.stock_key, r.warehouse_external_id, r.accepted, r.error) for r in results) == [
        ("MUG-WHITE", WAREHOUSE, True, ""), ("TSHIRT-BLK-L", WAREHOUSE, True, ""),
        ("TSHIRT-BLK-M", WAREHOUSE, True, "")]
    readings = connector.read_stocks([(u.stock_key, WAREHOUSE) for u in updates])
    assert sorted((r.stock_key, r.warehouse_external_id, r.quantity) for r in readings) == [
        ("MUG-WHITE", WAREHOUSE, 8), ("TSHIRT-BLK-L", WAREHOUSE, 0), ("TSHIRT-BLK-M", WAREHOUSE, 37)]


def test_the_marketplace_records_every_pushed_item(connector, seller, ae):
    connector.push_stocks([update(seller, "TSHIRT-BLK-M", 37), update(seller, "MUG-WHITE", 8)])

    log = ae.stock_updates(marketplace="aliexpress")

    assert sorted((r["offer_id"], r["sent"], r["shown"], r["accepted"]) for r in log) == [
        ("MUG-WHITE", 8, 8, True), ("TSHIRT-BLK-M", 37, 37, True)]


def test_sales_lower_what_the_marketplace_shows(connector, seller, ae):
    place(ae, "MUG-WHITE", 2)

    [reading] = connector.read_stocks([("MUG-WHITE", WAREHOUSE)])

    assert reading.quantity == 1


def test_unknown_product_and_unknown_sku_are_refused_per_item_and_the_rest_accepted(connector, seller, ae):
    results = connector.push_stocks([
        update(seller, "MUG-WHITE", 8),
        StockUpdate("GHOST", WAREHOUSE, 1, external_product_id="1005999999999999"),
        StockUpdate("TSHIRT-XXL", WAREHOUSE, 1, external_product_id=PRODUCT_ID),
        StockUpdate("NO-ID", WAREHOUSE, 1, external_product_id=""),
    ])

    by_key = {r.stock_key: r for r in results}
    assert by_key["MUG-WHITE"].accepted
    assert not by_key["GHOST"].accepted and "not found" in by_key["GHOST"].error
    assert not by_key["TSHIRT-XXL"].accepted and "TSHIRT-XXL" in by_key["TSHIRT-XXL"].error
    assert not by_key["NO-ID"].accepted and "product id" in by_key["NO-ID"].error
    refused = {r["offer_id"] for r in ae.stock_updates(marketplace="aliexpress") if not r["accepted"]}
    assert refused == {"GHOST", "TSHIRT-XXL"}


def test_a_task_still_running_is_reported_pending_not_accepted(sandbox, ae):
    seller = ae.create_seller({
        "id": "ae-slow", "credentials": {"token": "slow-token"}, "account": {"task_delay_s": 3.0},
        "warehouses": [{"id": WAREHOUSE}], "products": [{"offer_id": "MUG", "stocks": {WAREHOUSE: 1}}],
    })
    connector = make_connector(sandbox, token="slow-token", stock_task_wait_s=0.3)

    [result] = connector.push_stocks([update(seller, "MUG", 5)])

    assert not result.accepted and result.error.startswith("pending:")


def test_skus_aliexpress_does_not_know_get_no_reading(connector, seller):
    assert connector.read_stocks([("NOT-LISTED", WAREHOUSE)]) == []


def test_cancellation_return_and_dispute_arrive_as_returns(sandbox, seller, ae):
    connector = make_connector(sandbox)
    cancelled, returned, disputed, plain = (place(ae, "SOCKS") for _ in range(4))
    ae.order_action("ae-seller", cancelled, "cancel")
    connector.ship_orders([returned, disputed])
    ae.order_action("ae-seller", returned, "advance")
    ae.order_action("ae-seller", returned, "return")
    for _ in range(4):
        ae.order_action("ae-seller", disputed, "advance")
    ae.order_action("ae-seller", disputed, "return")

    found, cursor = [], {}
    while True:
        batch = connector.fetch_returns(cursor)
        found.extend(batch.items)
        cursor = batch.cursor
        if not batch.has_more:
            break

    assert sorted((r.order_external_id, r.kind, r.status) for r in found) == sorted([
        (cancelled, ReturnKind.CANCELLATION, ReturnStatus.APPROVED),
        (returned, ReturnKind.NON_PURCHASE, ReturnStatus.ARRIVED),
        (disputed, ReturnKind.CLAIM, ReturnStatus.REQUESTED),
    ])
    assert plain not in {r.order_external_id for r in found}


def test_reading_many_skus_pages_through_the_product_list_despite_shuffled_answers(sandbox, ae):
    ae.create_seller({
        "id": "ae-big", "credentials": {"token": "big-token"}, "warehouses": [{"id": WAREHOUSE}],
        "products": [{"offer_id": f"SKU-{n:03d}", "stocks": {WAREHOUSE: n}} for n in range(120)],
    })
    connector = make_connector(sandbox, token="big-token")
    ae.set_faults(reorder=True, duplicate_rate=0.3)

    readings = connector.read_stocks([(f"SKU-{n:03d}", WAREHOUSE) for n in range(120)])

    assert sorted((r.stock_key, r.quantity) for r in readings) == [(f"SKU-{n:03d}", n) for n in range(120)]
