"""Seller-warehouse stock through the connector against the WB sandbox: push by chrtId, read back, WB's refusals."""

from __future__ import annotations

import httpx

from connectors.dto import StockUpdate
from tests.connectors.wb.conftest import SECOND_WAREHOUSE, WAREHOUSE, build_connector, key_of, seller_spec


def test_pushed_quantities_are_what_wb_shows_when_read_back(wb, seller, connector):
    shirt, mug = key_of(seller, "TSHIRT-BLK-M"), key_of(seller, "MUG-WHITE")

    results = connector.push_stocks([StockUpdate(shirt, WAREHOUSE, 17), StockUpdate(mug, WAREHOUSE, 0),
                                     StockUpdate(shirt, SECOND_WAREHOUSE, 3)])

    assert [r.accepted for r in results] == [True, True, True]
    readings = connector.read_stocks([(shirt, WAREHOUSE), (mug, WAREHOUSE), (shirt, SECOND_WAREHOUSE)])
    assert [(r.stock_key, r.warehouse_external_id, r.quantity) for r in readings] == [
        (shirt, WAREHOUSE, 17), (mug, WAREHOUSE, 0), (shirt, SECOND_WAREHOUSE, 3)]


def test_the_sandbox_records_every_pushed_item_with_what_it_now_shows(wb, seller, connector):
    shirt = key_of(seller, "TSHIRT-BLK-M")

    connector.push_stocks([StockUpdate(shirt, WAREHOUSE, 9)])

    assert [(u["key"], u["warehouse_id"], u["sent"], u["shown"], u["accepted"]) for u in wb.stock_updates()] == [
        (shirt, WAREHOUSE, 9, 9, True)]


def test_an_item_wb_does_not_know_is_refused_and_the_rest_of_the_batch_still_lands(wb, seller, connector):
    shirt = key_of(seller, "TSHIRT-BLK-M")

    results = connector.push_stocks([StockUpdate("999999999", WAREHOUSE, 5), StockUpdate(shirt, WAREHOUSE, 4)])

    assert [(r.accepted, r.error) for r in results] == [(False, "NotFound: Not found"), (True, "")]
    assert connector.read_stocks([(shirt, WAREHOUSE)])[0].quantity == 4


def test_an_oversized_item_on_a_small_goods_warehouse_is_refused_with_wbs_cargo_code(wb, seller, connector):
    sofa = key_of(seller, "SOFA-1")

    [result] = connector.push_stocks([StockUpdate(sofa, WAREHOUSE, 1)])

    assert not result.accepted and result.error.startswith("CargoWarehouseRestrictionKGTPlus")


def test_a_warehouse_being_processed_refuses_the_batch_and_asks_to_come_back(sandbox, wb):
    seller = wb.create_seller(seller_spec(processing_warehouses=[WAREHOUSE]))
    connector = build_connector(sandbox, seller)

    results = connector.push_stocks([StockUpdate(key_of(seller, "TSHIRT-BLK-M"), WAREHOUSE, 1),
                                     StockUpdate(key_of(seller, "MUG-WHITE"), WAREHOUSE, 1)])

    assert {(r.accepted, r.error, r.retry_after) for r in results} == {
        (False, "StoreIsProcessing: The store is processing", 30.0)}


def test_a_key_that_is_not_a_chrt_id_is_refused_without_asking_wb(wb, seller, connector):
    results = connector.push_stocks([StockUpdate("2041237859014-barcode", WAREHOUSE, 1),
                                     StockUpdate(key_of(seller, "MUG-WHITE"), "fbo-koledino", 1)])

    assert [r.accepted for r in results] == [False, False] and wb.stock_updates() == []


def test_more_than_wb_accepts_is_offered_as_the_documented_maximum(wb, seller, connector):
    shirt = key_of(seller, "TSHIRT-BLK-M")

    connector.push_stocks([StockUpdate(shirt, WAREHOUSE, 250_000)])

    assert connector.read_stocks([(shirt, WAREHOUSE)])[0].quantity == 100_000


def test_wb_answers_success_to_a_misspelt_field_and_changes_nothing(sandbox, seller):
    """Why read-back matters: WB does not validate parameter names in the stock PUT."""
    shirt = key_of(seller, "TSHIRT-BLK-M")

    answer = httpx.put(f"{sandbox.url('wb')}/api/v3/stocks/{WAREHOUSE}",
                       json={"stocks": [{"chrtID": int(shirt), "amount": 3}]},
                       headers={"Authorization": seller["credentials"]["token"]})

    assert answer.status_code == 204
    assert sandbox.world.seller("wb", "s1").products[shirt].stocks[WAREHOUSE] == 20


def test_a_sale_lowers_what_wb_shows(wb, seller, connector):
    shirt = key_of(seller, "TSHIRT-BLK-M")
    wb.place_order("s1", [{"key": shirt, "quantity": 2}], WAREHOUSE)

    assert connector.read_stocks([(shirt, WAREHOUSE)])[0].quantity == 18
