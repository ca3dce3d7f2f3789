"""Every protocol operation of the Ozon connector against the emulated Ozon, over real HTTP.

The session sandbox validates each request and response against the official spec; a violation fails the test.
"""

from __future__ import annotations

import pytest

from connectors.dto import StockUpdate
from connectors.errors import AuthRejected, BadRequest, ConfigurationError, OperationNotSupported
from connectors.ozon import connector as ozon_connector
from connectors.ozon.connector import OzonConnector
from orders.choices import OrderStatus, Scheme
from returns.choices import ReturnKind, ReturnStatus
from tests.connectors.ozon.conftest import FBO_WAREHOUSE, FBS_WAREHOUSE, SECOND_WAREHOUSE, make_config


def order(ozon, seller, *items, warehouse=None, scheme="fbs") -> str:
    lines = [{"offer_id": offer, "quantity": quantity} for offer, quantity in items]
    return ozon.place_order(seller["id"], lines, warehouse_id=warehouse, scheme=scheme)[0]["id"]


def sandbox_order(ozon, seller, posting_number) -> dict:
    return next(o for o in ozon.orders(seller["id"]) if o["id"] == posting_number)


def shown(ozon, seller, offer_id, warehouse=FBS_WAREHOUSE) -> int:
    product = next(p for p in ozon.seller(seller["id"])["products"] if p["offer_id"] == offer_id)
    return product["stocks"].get(warehouse, 0)


# --- health ---------------------------------------------------------------------------------------------------------


def test_check_names_the_sellers_company(connector):
    assert connector.check().startswith("Магазин ozon-")


def test_a_wrong_api_key_is_auth_rejected(sandbox, seller):
    config = make_config(sandbox, seller, credentials={"client_id": seller["credentials"]["client_id"],
                                                       "api_key": "not-the-key"})
    with pytest.raises(AuthRejected, match="Invalid Api-Key"):
        OzonConnector(config).check()


def test_missing_credentials_are_a_configuration_error_before_any_request(sandbox, seller):
    with pytest.raises(ConfigurationError):
        OzonConnector(make_config(sandbox, seller, credentials={"client_id": "1"})).check()


# --- orders ---------------------------------------------------------------------------------------------------------


def test_new_orders_arrive_as_postings_with_every_product_and_quantity(ozon, seller, connector):
    number = order(ozon, seller, ("TSHIRT-BLK-M", 2), ("MUG-WHT", 1))
    batch = connector.fetch_new_orders()
    assert not batch.errors
    [found] = batch.items
    assert (found.external_id, found.status, found.marketplace_status) == (number, OrderStatus.NEW,
                                                                          "awaiting_packaging")
    assert {(line.offer_id, line.quantity, str(line.price)) for line in found.lines} == {
        ("TSHIRT-BLK-M", 2, "1299.00"), ("MUG-WHT", 1, "499.00")}
    assert found.warehouse_external_id == FBS_WAREHOUSE
    assert found.ship_by is not None and found.ship_by.utcoffset().total_seconds() == 0


def test_new_orders_skip_postings_already_assembled_or_cancelled(ozon, seller, connector):
    waiting = order(ozon, seller, ("MUG-WHT", 1))
    assembled = order(ozon, seller, ("MUG-WHT", 1))
    cancelled = order(ozon, seller, ("MUG-WHT", 1))
    ozon.order_action(seller["id"], assembled, "advance")
    ozon.order_action(seller["id"], cancelled, "cancel")
    assert [o.external_id for o in connector.fetch_new_orders().items] == [waiting]


def test_new_orders_read_every_page_of_the_list(ozon, seller, connector):
    numbers = {order(ozon, seller, ("MUG-WHT", 1)) for _ in range(130)}  # limit is 100 per page
    batch = connector.fetch_new_orders()
    assert {o.external_id for o in batch.items} == numbers
    assert len(batch.items) == 130 and not batch.has_more


def test_changed_orders_page_with_ozons_cursor_and_then_resume_from_the_window_end(ozon, seller, connector,
                                                                                  monkeypatch):
    monkeypatch.setattr(ozon_connector, "PAGE_LIMIT", 2)
    numbers = [order(ozon, seller, ("MUG-WHT", 1)) for _ in range(5)]
    seen, cursor, pages = [], {}, 0
    while True:
        batch = connector.fetch_changed_orders(cursor)
        seen += [o.external_id for o in batch.items]
        cursor, pages = batch.cursor, pages + 1
        if not batch.has_more:
            break
    assert (seen, pages) == (numbers, 3)
    assert set(cursor) == {"from"}

    ozon.order_action(seller["id"], numbers[1], "advance")  # assembled in the cabinet
    batch = connector.fetch_changed_orders(cursor)
    changed = {o.external_id: o.status for o in batch.items}
    assert changed[numbers[1]] == OrderStatus.PACKED


def test_changed_orders_see_a_buyers_cancellation_with_its_reason(ozon, seller, connector):
    number = order(ozon, seller, ("TSHIRT-BLK-M", 1))
    cursor = connector.fetch_changed_orders({}).cursor
    ozon.order_action(seller["id"], number, "cancel")
    [cancelled] = [o for o in connector.fetch_changed_orders(cursor).items if o.external_id == number]
    assert cancelled.status == OrderStatus.CANCELLED
    assert "Покупатель" in cancelled.cancel_reason


def test_order_statuses_are_read_per_posting_and_an_unknown_one_is_a_payload_error(ozon, seller, connector):
    number = order(ozon, seller, ("MUG-WHT", 1))
    for _ in range(3):  # handed over, then delivered
        ozon.order_action(seller["id"], number, "advance")
    batch = connector.fetch_order_statuses([number, "00000000-0000-1"])
    assert [(s.external_id, s.status) for s in batch.items] == [(number, OrderStatus.DELIVERED)]
    assert [e.external_id for e in batch.errors] == ["00000000-0000-1"]


def test_malformed_postings_from_ozon_become_payload_errors_and_the_rest_arrive(ozon, seller, connector, sandbox):
    good = order(ozon, seller, ("MUG-WHT", 1))
    odd = order(ozon, seller, ("MUG-WHT", 1))
    huge = order(ozon, seller, ("MUG-WHT", 1))
    orders = sandbox.world.seller("ozon", seller["id"]).orders
    orders[odd].status = "awaiting_teleport"  # a status Ozon does not document (yet)
    orders[huge].lines[0].quantity = 2_000_000_000  # an absurd quantity (still an int32, as the spec types it)
    batch = connector.fetch_changed_orders({})
    assert [o.external_id for o in batch.items] == [good]
    assert sorted(e.external_id for e in batch.errors) == sorted([odd, huge])
    assert all(e.kind == "order" and e.payload for e in batch.errors)


def test_confirming_is_not_an_ozon_operation(connector):
    with pytest.raises(OperationNotSupported, match="need no confirmation"):
        connector.confirm_orders(["05821743-0117-1"])


# --- cancel ---------------------------------------------------------------------------------------------------------


def test_cancelling_a_posting_uses_the_out_of_stock_reason_and_frees_its_units(ozon, seller, connector):
    number = order(ozon, seller, ("TSHIRT-BLK-M", 3))
    assert shown(ozon, seller, "TSHIRT-BLK-M") == 17
    result = connector.cancel_order(number)
    assert result.ok and result.data == {"cancel_reason_id": 352}
    posting = sandbox_order(ozon, seller, number)
    assert (posting["status"], posting["data"]["cancellation"]["cancellation_type"]) == ("cancelled", "seller")
    assert shown(ozon, seller, "TSHIRT-BLK-M") == 20


def test_a_free_text_reason_is_sent_as_other_with_the_message(ozon, seller, connector):
    number = order(ozon, seller, ("MUG-WHT", 1))
    assert connector.cancel_order(number, "Покупатель попросил по телефону").data == {"cancel_reason_id": 402}
    assert sandbox_order(ozon, seller, number)["data"]["cancellation"]["cancel_reason"] == (
        "Покупатель попросил по телефону")


def test_a_posting_already_handed_over_cannot_be_cancelled_and_says_why(ozon, seller, connector):
    number = order(ozon, seller, ("MUG-WHT", 1))
    ozon.order_action(seller["id"], number, "advance")
    ozon.order_action(seller["id"], number, "advance")
    result = connector.cancel_order(number)
    assert not result.ok and "delivering" in result.error


def test_the_cancel_reasons_come_from_ozon(connector):
    assert {r["id"] for r in connector.cancel_reasons() if r["type_id"] == "seller"} == {352, 400, 401, 402}


# --- ship and labels ------------------------------------------------------------------------------------------------


def test_shipping_assembles_the_posting_in_one_package(ozon, seller, connector):
    number = order(ozon, seller, ("TSHIRT-BLK-M", 2), ("MUG-WHT", 1))
    [result] = connector.ship_orders([number])
    assert result.ok, result.error
    assert result.data["postings"] == [number]
    assert sandbox_order(ozon, seller, number)["status"] == "awaiting_deliver"
    [status] = connector.fetch_order_statuses([number]).items
    assert status.status == OrderStatus.PACKED


def test_shipping_in_packages_splits_the_posting(ozon, seller, connector):
    number = order(ozon, seller, ("TSHIRT-BLK-M", 2))
    sku = next(p for p in ozon.seller(seller["id"])["products"] if p["offer_id"] == "TSHIRT-BLK-M")["ids"]["sku"]
    packages = {number: [[{"sku": sku, "quantity": 1}], [{"sku": sku, "quantity": 1}]]}
    [result] = connector.ship_orders([number], options={"packages": packages})
    assert result.ok, result.error
    first, second = result.data["postings"]
    assert first == number and second != number
    assert {o["id"]: o["status"] for o in ozon.orders(seller["id"])}[second] == "awaiting_deliver"


def test_one_failed_assembly_does_not_hide_the_others(ozon, seller, connector, app):
    good, failing, shipped = (order(ozon, seller, ("MUG-WHT", 1)) for _ in range(3))
    ozon.order_action(seller["id"], shipped, "advance")
    app.ship_failures.add(failing)
    results = {r.external_id: r for r in connector.ship_orders([good, failing, shipped])}
    assert results[good].ok
    assert not results[failing].ok and "ship_failed" in results[failing].error
    assert not results[shipped].ok and "awaiting_deliver" in results[shipped].error
    [retry] = connector.ship_orders([failing])  # Ozon says: assemble again
    assert retry.ok


def test_labels_are_a_pdf_of_the_documented_size_for_assembled_postings(ozon, seller, connector):
    numbers = [order(ozon, seller, ("MUG-WHT", 1)) for _ in range(2)]
    connector.ship_orders(numbers)
    [label] = connector.get_labels(numbers)
    assert label.content.startswith(b"%PDF") and label.content_type == "application/pdf"
    assert (label.width_mm, label.height_mm) == (75, 120)
    assert label.external_ids == tuple(numbers)


def test_labels_are_requested_twenty_postings_at_a_time(ozon, seller, connector):
    numbers = [order(ozon, seller, ("MUG-WHT", 1)) for _ in range(21)]
    for number in numbers:
        ozon.order_action(seller["id"], number, "advance")  # assembled in the cabinet
    files = connector.get_labels(numbers)
    assert [len(f.external_ids) for f in files] == [20, 1]


def test_a_label_for_a_posting_not_yet_assembled_is_refused_with_ozons_words(ozon, seller, connector):
    number = order(ozon, seller, ("MUG-WHT", 1))
    with pytest.raises(BadRequest, match="aren't ready"):
        connector.get_labels([number])


def test_ozon_offers_no_zpl_labels(connector):
    with pytest.raises(OperationNotSupported, match="PDF only"):
        connector.get_labels(["05821743-0117-1"], "zpl")


# --- stock ----------------------------------------------------------------------------------------------------------


def test_pushed_stock_is_what_ozon_then_shows_and_reads_back(ozon, seller, connector):
    updates = [StockUpdate("TSHIRT-BLK-M", FBS_WAREHOUSE, 7, "TSHIRT-BLK-M"),
               StockUpdate("TSHIRT-BLK-L", SECOND_WAREHOUSE, 0, "TSHIRT-BLK-L")]
    results = connector.push_stocks(updates)
    assert [r.accepted for r in results] == [True, True]
    readings = {(r.stock_key, r.warehouse_external_id): r.quantity for r in connector.read_stocks(
        [(u.stock_key, u.warehouse_external_id) for u in updates])}
    assert readings == {("TSHIRT-BLK-M", FBS_WAREHOUSE): 7, ("TSHIRT-BLK-L", SECOND_WAREHOUSE): 0}
    log = [(u["key"], u["warehouse_id"], u["sent"], u["accepted"]) for u in ozon.stock_updates(marketplace="ozon")]
    assert log == [("TSHIRT-BLK-M", FBS_WAREHOUSE, 7, True), ("TSHIRT-BLK-L", SECOND_WAREHOUSE, 0, True)]


def test_a_pair_updated_less_than_30_seconds_ago_is_refused_with_the_seconds_left(ozon, seller, connector):
    connector.push_stocks([StockUpdate("MUG-WHT", FBS_WAREHOUSE, 150, "MUG-WHT")])
    again, fresh = connector.push_stocks([StockUpdate("MUG-WHT", FBS_WAREHOUSE, 149, "MUG-WHT"),
                                          StockUpdate("MUG-WHT", SECOND_WAREHOUSE, 3, "MUG-WHT")])
    assert not again.accepted and "TOO_MANY_REQUESTS" in again.error
    assert 25 < again.retry_after <= 30
    assert fresh.accepted
    refused = [u for u in ozon.stock_updates(marketplace="ozon") if not u["accepted"]]
    assert [(u["sent"], u["shown"]) for u in refused] == [(149, 150)]


def test_a_refused_pair_pushed_by_someone_else_waits_the_whole_interval(sandbox, ozon, seller, connector):
    connector.push_stocks([StockUpdate("MUG-WHT", FBS_WAREHOUSE, 150, "MUG-WHT")])
    other = OzonConnector(make_config(sandbox, seller))  # another connection: its clock knows nothing
    [refused] = other.push_stocks([StockUpdate("MUG-WHT", FBS_WAREHOUSE, 140, "MUG-WHT")])
    assert not refused.accepted and refused.retry_after == 30


def test_a_push_learns_the_product_id_the_spec_requires_when_okno_lacks_it(ozon, seller, connector):
    [result] = connector.push_stocks([StockUpdate("TSHIRT-BLK-L", FBS_WAREHOUSE, 4, "TSHIRT-BLK-L",
                                                  external_product_id="")])
    assert result.accepted
    assert shown(ozon, seller, "TSHIRT-BLK-L") == 4


def test_pairs_ozon_refuses_are_reported_one_by_one_and_the_rest_go_through(ozon, seller, connector):
    product_id = str(next(p for p in ozon.seller(seller["id"])["products"] if p["offer_id"] == "MUG-WHT")["ids"][
        "product_id"])
    unknown_warehouse, unknown_offer, good = connector.push_stocks([
        StockUpdate("MUG-WHT", "999000", 1, "MUG-WHT", product_id),
        StockUpdate("NO-SUCH", FBS_WAREHOUSE, 1, "NO-SUCH", "123"),
        StockUpdate("MUG-WHT", FBS_WAREHOUSE, 2, "MUG-WHT", product_id),
    ])
    assert "WAREHOUSE_NOT_FOUND" in unknown_warehouse.error and not unknown_warehouse.accepted
    assert "offer_id_not_found" in unknown_offer.error and not unknown_offer.accepted
    assert good.accepted


def test_more_than_a_hundred_pairs_are_not_sent_in_one_request(connector):
    updates = [StockUpdate(f"SKU-{i}", FBS_WAREHOUSE, 1, f"SKU-{i}", "1") for i in range(101)]
    with pytest.raises(ValueError, match="at most 100"):
        connector.push_stocks(updates)


def test_read_back_shows_units_held_by_open_postings_as_reserved(ozon, seller, connector):
    order(ozon, seller, ("TSHIRT-BLK-L", 3))
    [reading] = connector.read_stocks([("TSHIRT-BLK-L", FBS_WAREHOUSE)])
    assert (reading.quantity, reading.reserved) == (7, 3)


# --- FBO ------------------------------------------------------------------------------------------------------------


def test_fbo_orders_arrive_as_fbo_and_their_progress_is_seen_on_the_next_window(ozon, seller, connector):
    number = order(ozon, seller, ("TSHIRT-BLK-M", 2), warehouse=FBO_WAREHOUSE, scheme="fbo")
    batch = connector.fetch_fbo_orders({})
    [fbo] = batch.items
    assert (fbo.external_id, fbo.scheme, fbo.status, fbo.warehouse_external_id) == (
        number, Scheme.FBO, OrderStatus.NEW, FBO_WAREHOUSE)
    ozon.order_action(seller["id"], number, "advance")
    ozon.order_action(seller["id"], number, "advance")
    [later] = connector.fetch_fbo_orders(batch.cursor).items
    assert later.status == OrderStatus.SHIPPED


def test_fbs_postings_are_not_fbo_orders(ozon, seller, connector):
    order(ozon, seller, ("MUG-WHT", 1))
    assert connector.fetch_fbo_orders({}).items == []


def test_fbo_stock_is_read_per_ozon_warehouse(ozon, seller, connector):
    order(ozon, seller, ("TSHIRT-BLK-M", 4), warehouse=FBO_WAREHOUSE, scheme="fbo")
    batch = connector.fetch_fbo_stocks()
    assert [(s.offer_id, s.warehouse_external_id, s.warehouse_name, s.quantity) for s in batch.items] == [
        ("TSHIRT-BLK-M", FBO_WAREHOUSE, "Ozon Хоругвино", 36)]


# --- returns --------------------------------------------------------------------------------------------------------


def test_a_return_after_delivery_arrives_per_product(ozon, seller, connector):
    number = order(ozon, seller, ("TSHIRT-BLK-M", 2), ("MUG-WHT", 1))
    for _ in range(3):
        ozon.order_action(seller["id"], number, "advance")
    ozon.order_action(seller["id"], number, "return")
    batch = connector.fetch_returns({})
    assert not batch.errors
    assert {(r.order_external_id, r.lines[0].offer_id, r.lines[0].quantity, r.kind, r.status) for r in batch.items} == {
        (number, "TSHIRT-BLK-M", 2, ReturnKind.RETURN, ReturnStatus.IN_TRANSIT),
        (number, "MUG-WHT", 1, ReturnKind.RETURN, ReturnStatus.IN_TRANSIT)}


def test_returns_page_by_last_id_without_repeats(ozon, seller, connector, monkeypatch):
    monkeypatch.setattr(ozon_connector, "RETURNS_PAGE", 2)
    for _ in range(5):
        number = order(ozon, seller, ("MUG-WHT", 1))
        ozon.order_action(seller["id"], number, "advance")
        ozon.order_action(seller["id"], number, "advance")
        ozon.order_action(seller["id"], number, "return")
    seen, cursor = [], {}
    for _ in range(10):
        batch = connector.fetch_returns(cursor)
        seen += [r.external_id for r in batch.items]
        cursor = batch.cursor
        if not batch.has_more:
            break
    assert len(seen) == len(set(seen)) == 5
    assert set(cursor["returns"]) == {"from"}  # the next round reads the returns changed since then


def test_repeated_and_reordered_postings_in_ozons_answers_arrive_once(ozon, seller, connector, monkeypatch):
    monkeypatch.setattr(ozon_connector, "PAGE_LIMIT", 3)
    numbers = {order(ozon, seller, ("MUG-WHT", 1)) for _ in range(7)}
    ozon.set_faults(duplicate_rate=1.0, reorder=True)
    new = connector.fetch_new_orders().items
    changed, cursor = [], {}
    while True:
        batch = connector.fetch_changed_orders(cursor)
        changed += [o.external_id for o in batch.items]
        cursor = batch.cursor
        if not batch.has_more:
            break
    assert sorted(o.external_id for o in new) == sorted(numbers)
    assert sorted(changed) == sorted(numbers)


def test_a_damaged_cursor_starts_a_new_window_instead_of_failing(ozon, seller, connector):
    number = order(ozon, seller, ("MUG-WHT", 1))
    batch = connector.fetch_changed_orders({"from": "yesterday", "to": 42, "page": "?"})
    assert [o.external_id for o in batch.items] == [number]
    assert not connector.fetch_returns({"from": None, "to": "x", "last_id": "many"}).errors


def test_an_fbo_sale_without_a_named_warehouse_comes_from_ozons_warehouse(ozon, seller, connector):
    order(ozon, seller, ("TSHIRT-BLK-M", 1), scheme="fbo")
    [fbo] = connector.fetch_fbo_orders({}).items
    assert fbo.warehouse_external_id == FBO_WAREHOUSE
