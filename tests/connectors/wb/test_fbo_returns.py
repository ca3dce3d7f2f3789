"""FBW orders and sales from Statistics, the WB-warehouse stock report, and buyer claims, against the WB sandbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from connectors.wb.mapping import moscow_text
from orders.choices import OrderStatus, Scheme
from returns.choices import ReturnStatus
from tests.connectors.wb.conftest import FBO_WAREHOUSE, WAREHOUSE, build_connector, key_of, seller_spec, world_seller


def drain_fbo(connector, cursor=None):
    seen, cursor, calls = [], dict(cursor or {}), 0
    while True:
        batch = connector.fetch_fbo_orders(cursor)
        seen += batch.items
        cursor, calls = batch.cursor, calls + 1
        if not batch.has_more:
            return seen, cursor, calls


def test_fbo_orders_are_the_wb_warehouse_rows_of_statistics(wb, seller, connector):
    shirt = key_of(seller, "TSHIRT-BLK-M")
    fbo = wb.place_order("s1", [{"key": shirt, "quantity": 2}], FBO_WAREHOUSE, scheme="fbo")
    wb.place_order("s1", [{"key": shirt, "quantity": 1}], WAREHOUSE)  # an FBS order: also in statistics

    orders, _cursor, _calls = drain_fbo(connector)

    assert sorted(o.external_id for o in orders) == sorted(o["id"] for o in fbo)
    assert {(o.scheme, o.status, o.warehouse_external_id, o.lines[0].offer_id) for o in orders} == {
        (Scheme.FBO, OrderStatus.NEW, "Коледино", "TSHIRT-BLK-M")}


def test_an_fbo_order_time_is_read_as_moscow_time(wb, seller, connector):
    before = datetime.now(UTC).replace(microsecond=0)
    wb.place_order("s1", [{"key": key_of(seller, "TSHIRT-BLK-M"), "quantity": 1}], FBO_WAREHOUSE, scheme="fbo")

    [order] = drain_fbo(connector)[0]

    assert before <= order.ordered_at <= datetime.now(UTC) + timedelta(seconds=1)


def test_fbo_sales_cancellations_and_returns_follow_the_order(wb, seller, connector):
    shirt = key_of(seller, "TSHIRT-BLK-M")
    sold, cancelled = (o["id"] for o in wb.place_order("s1", [{"key": shirt, "quantity": 2}], FBO_WAREHOUSE,
                                                       scheme="fbo"))
    _first, cursor, _calls = drain_fbo(connector)
    wb.order_action("s1", sold, "advance")
    wb.order_action("s1", sold, "return")
    wb.order_action("s1", cancelled, "cancel")

    changes, _cursor, _calls = drain_fbo(connector, cursor)

    assert [(o.external_id, o.status) for o in changes] == [
        (cancelled, OrderStatus.CANCELLED), (sold, OrderStatus.DELIVERED), (sold, OrderStatus.RETURNED)]


def spread_changes(sandbox, seconds: list[int]) -> None:
    """Given the statistics rows changed at these many seconds ago (Moscow wall time, as WB writes them)."""
    rows = world_seller(sandbox).data["stat_orders"]
    for row, ago in zip(rows, seconds, strict=True):
        row["lastChangeDate"] = moscow_text(datetime.now(UTC) - timedelta(seconds=ago))


def test_fbo_statistics_page_across_capped_answers_without_loss_or_repeats(sandbox, wb):
    seller = wb.create_seller(seller_spec(statistics_page_size=2))
    connector = build_connector(sandbox, seller, options={"statistics_page_size": 2})
    placed = wb.place_order("s1", [{"key": key_of(seller, "TSHIRT-BLK-M"), "quantity": 5}], FBO_WAREHOUSE,
                            scheme="fbo")
    spread_changes(sandbox, [50, 40, 40, 30, 20])  # two rows share a second across a page boundary

    orders, cursor, calls = drain_fbo(connector)

    assert sorted(o.external_id for o in orders) == sorted(o["id"] for o in placed) and calls >= 3
    assert connector.fetch_fbo_orders(cursor).items == []


def test_fbo_paging_steps_past_an_instant_whose_rows_fill_a_whole_answer_instead_of_looping(sandbox, wb):
    seller = wb.create_seller(seller_spec(statistics_page_size=2))
    connector = build_connector(sandbox, seller, options={"statistics_page_size": 2})
    wb.place_order("s1", [{"key": key_of(seller, "TSHIRT-BLK-M"), "quantity": 4}], FBO_WAREHOUSE, scheme="fbo")
    spread_changes(sandbox, [10, 10, 10, 5])  # WB's cap hides the third row of that second from any dateFrom

    orders, _cursor, calls = drain_fbo(connector)

    assert len(orders) == 3 and calls == 3


def test_a_broken_statistics_row_is_kept_as_an_ingest_error_and_the_others_arrive(sandbox, wb, seller, connector):
    placed = wb.place_order("s1", [{"key": key_of(seller, "TSHIRT-BLK-M"), "quantity": 3}], FBO_WAREHOUSE,
                            scheme="fbo")
    rows = world_seller(sandbox).data["stat_orders"]
    rows[0]["finishedPrice"] = 1e40  # a huge number
    del rows[1]["supplierArticle"]  # a missing field (the spec lets WB omit any field)

    batch = connector.fetch_fbo_orders({})

    assert [o.external_id for o in batch.items] == [placed[2]["id"]]
    assert sorted(e.external_id for e in batch.errors) == sorted(o["id"] for o in placed[:2])


def test_fbo_stock_is_read_per_size_from_the_wb_warehouse_report_with_the_sellers_article(wb, seller, connector):
    shirt = key_of(seller, "TSHIRT-BLK-M")
    wb.place_order("s1", [{"key": shirt, "quantity": 2}], FBO_WAREHOUSE, scheme="fbo")

    batch = connector.fetch_fbo_stocks()

    assert [(s.offer_id, s.marketplace_sku, s.warehouse_external_id, s.warehouse_name, s.quantity, s.reserved)
            for s in batch.items] == [("TSHIRT-BLK-M", shirt, "-999999", "Склад WB", 5, 2)]


def sold_task(wb, seller, connector, offer_id="TSHIRT-BLK-M"):
    task = wb.place_order("s1", [{"key": key_of(seller, offer_id), "quantity": 1}], WAREHOUSE)[0]["id"]
    connector.ship_orders([task])
    for _step in range(3):
        wb.order_action("s1", task, "advance")
    return task


def drain_returns(connector):
    found, cursor = [], {}
    while True:
        batch = connector.fetch_returns(cursor)
        found += batch.items
        cursor = batch.cursor
        if not batch.has_more:
            return found, cursor


def test_a_buyers_claim_arrives_as_a_claim_linked_to_its_order(sandbox, wb, seller, connector):
    task = sold_task(wb, seller, connector)
    rid = connector.fetch_changed_orders({}).items[0].number
    wb.order_action("s1", task, "return")

    claims, _cursor = drain_returns(connector)

    assert [(c.kind, c.status, c.order_external_id, c.lines[0].offer_id) for c in claims] == [
        ("claim", ReturnStatus.REQUESTED, rid, "TSHIRT-BLK-M")]


def test_claims_are_read_from_review_and_archive_across_pages(sandbox, wb, seller):
    connector = build_connector(sandbox, seller, options={"claims_page_size": 2})
    tasks = [sold_task(wb, seller, connector) for _ in range(3)]
    for task in tasks:
        wb.order_action("s1", task, "return")
    wb.order_action("s1", tasks[0], "advance")  # WB decides: approved, goods travel back to the seller

    claims, cursor = drain_returns(connector)

    assert len(claims) == 3 and cursor == {"archive": False, "offset": 0}
    assert sorted(c.status for c in claims) == sorted([ReturnStatus.IN_TRANSIT, ReturnStatus.REQUESTED,
                                                      ReturnStatus.REQUESTED])
