"""WB JSON → Okno DTOs, with hand-written payloads in WB's documented shapes (wildberries.md §14, spec examples)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from connectors.base import map_each
from connectors.dto import StockUpdate
from connectors.wb import mapping
from orders.choices import OrderStatus, Scheme
from returns.choices import ReturnStatus

NEW_TASK = {
    "id": 4187265531,
    "rid": "8c2f6a1e0b7d4e55a9c3f1d2e4b6a890",
    "orderUid": "73015521_9e41c0d2b7a84f6c8d13e5f2a0b4c7d9",
    "createdAt": "2026-09-14T08:21:47Z",
    "warehouseId": 1098342,
    "officeId": 507,
    "offices": ["Подольск"],
    "nmId": 214563872,
    "chrtId": 339874521,
    "article": "TSHIRT-BLK-M",
    "colorCode": "",
    "skus": ["2041237859014"],
    "price": 129900,
    "finalPrice": 124900,
    "salePrice": 149900,
    "convertedPrice": 129900,
    "convertedFinalPrice": 124900,
    "currencyCode": 643,
    "convertedCurrencyCode": 643,
    "scanPrice": None,
    "cargoType": 1,
    "crossBorderType": 0,
    "deliveryType": "fbs",
    "isZeroOrder": False,
    "isPickupPointShipmentAllowed": True,
    "comment": "",
    "address": None,
    "requiredMeta": [],
    "optionalMeta": ["sgtin"],
    "options": {"isB2B": False},
}

FBO_ORDER_ROW = {
    "date": "2026-09-14T11:21:47",
    "lastChangeDate": "2026-09-14T11:25:00",
    "warehouseName": "Коледино",
    "warehouseType": "Склад WB",
    "countryName": "Россия",
    "oblastOkrugName": "Центральный федеральный округ",
    "regionName": "Московская",
    "supplierArticle": "TSHIRT-BLK-M",
    "nmId": 214563872,
    "barcode": "2041237859014",
    "category": "Одежда",
    "subject": "Футболки",
    "brand": "NordLine",
    "techSize": "M",
    "incomeID": 56735459,
    "isSupply": False,
    "isRealization": True,
    "totalPrice": 1887,
    "discountPercent": 18,
    "spp": 26,
    "finishedPrice": 1145.5,
    "priceWithDisc": 1547,
    "isCancel": False,
    "cancelDate": "0001-01-01T00:00:00",
    "sticker": "926912515",
    "gNumber": "34343462218572569531",
    "srid": "11.rf9ef11fce1684117b0nhj96222982382.3.0",
}

CLAIM = {
    "id": "3b9d2c41-7f0e-4a55-9b1c-2e6f8d4a7c10",
    "claim_type": 1,
    "status": 0,
    "status_ex": 0,
    "nm_id": 214563872,
    "user_comment": "Шов разошёлся после первой стирки",
    "wb_comment": "",
    "dt": "2026-09-20T11:04:33.512871",
    "imt_name": "Футболка хлопковая чёрная",
    "order_dt": "2026-09-14T11:21:47",
    "delivery_dt": "2026-09-17T15:40:02",
    "dt_update": "2026-09-20T11:04:33.512871",
    "photos": ["//photos.wbstatic.net/claim/3b9d2c41-7f0e-4a55-9b1c-2e6f8d4a7c10/1.webp"],
    "video_paths": [],
    "actions": ["approve1", "approve2", "autorefund1", "reject1", "reject2", "reject3", "rejectcustom"],
    "price": 1249,
    "currency_code": "643",
    "srid": "8c2f6a1e0b7d4e55a9c3f1d2e4b6a890",
}


def with_changes(payload: dict, **changes) -> dict:
    changed = copy.deepcopy(payload)
    changed.update(changes)
    return changed


# --- FBS assembly tasks --------------------------------------------------------------------------------------------
def test_a_new_task_is_one_unit_priced_in_roubles_from_kopecks():
    order = mapping.order_from_task(NEW_TASK)

    assert [(line.offer_id, line.quantity, line.price) for line in order.lines] == [
        ("TSHIRT-BLK-M", 1, Decimal("1249.00"))
    ]
    assert (order.total, order.discount_total, order.currency) == (Decimal("1249.00"), Decimal("50.00"), "RUB")


def test_a_task_is_addressed_by_its_id_and_numbered_by_its_rid():
    order = mapping.order_from_task(NEW_TASK)

    assert (order.external_id, order.number) == ("4187265531", "8c2f6a1e0b7d4e55a9c3f1d2e4b6a890")
    assert order.raw["orderUid"] == "73015521_9e41c0d2b7a84f6c8d13e5f2a0b4c7d9"


def test_a_task_keeps_its_seller_warehouse_chrt_id_and_barcode():
    order = mapping.order_from_task(NEW_TASK)

    assert (order.warehouse_external_id, order.lines[0].marketplace_sku, order.lines[0].barcode) == (
        "1098342", "339874521", "2041237859014")
    assert (order.scheme, order.status, order.marketplace_status) == (Scheme.FBS, OrderStatus.NEW, "new")


def test_a_task_creation_time_is_an_aware_utc_instant():
    assert mapping.order_from_task(NEW_TASK).ordered_at == datetime(2026, 9, 14, 8, 21, 47, tzinfo=UTC)


def test_a_sale_in_another_currency_is_taken_in_its_rouble_conversion():
    task = with_changes(NEW_TASK, price=1014, finalPrice=1014, currencyCode=933, convertedPrice=28322,
                        convertedFinalPrice=28322, convertedCurrencyCode=643)

    order = mapping.order_from_task(task)

    assert (order.total, order.currency) == (Decimal("283.22"), "RUB")


def test_an_oversized_task_must_be_handed_over_by_the_end_of_its_seller_date_in_moscow():
    order = mapping.order_from_task(with_changes(NEW_TASK, cargoType=2, sellerDate="02.10.2026", ddate="05.10.2026"))

    assert order.ship_by == datetime(2026, 10, 2, 20, 59, 59, tzinfo=UTC)


def test_the_2025_spelling_of_the_b2b_flag_is_understood():
    order = mapping.order_from_task(with_changes(NEW_TASK, options={"isB2b": True}))

    assert order.delivery_details["is_b2b"] is True


def test_a_status_item_keeps_both_axes_and_unifies_them():
    status = mapping.status_from_item({"id": 4187265531, "supplierStatus": "complete", "wbStatus": "sold",
                                       "isCancellable": False})

    assert (status.external_id, status.status, status.marketplace_status, status.marketplace_substatus) == (
        "4187265531", OrderStatus.DELIVERED, "complete", "sold")


def test_a_buyer_cancellation_names_who_cancelled():
    status = mapping.status_from_item({"id": 1, "supplierStatus": "new", "wbStatus": "declined_by_client"})

    assert (status.status, status.cancel_reason) == (OrderStatus.CANCELLED, "declined_by_client")


# --- bad input ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "broken",
    [
        '{"id": 4187265531, "rid": "8c2f6a1e0b7d',  # truncated JSON text where an object belongs
        with_changes(NEW_TASK, rid=None),  # missing field
        {k: v for k, v in NEW_TASK.items() if k != "article"},  # missing field
        with_changes(NEW_TASK, price="1299.00"),  # wrong type
        with_changes(NEW_TASK, createdAt=1726300000),  # wrong type
        with_changes(NEW_TASK, price=10**30),  # huge number
        with_changes(NEW_TASK, id=2**70),  # huge id
        with_changes(NEW_TASK, skus="2041237859014"),  # wrong type
    ],
    ids=["truncated-json", "null-rid", "no-article", "price-string", "time-number", "huge-price", "huge-id",
         "skus-string"],
)
def test_a_broken_task_becomes_a_payload_error_and_the_others_are_still_mapped(broken):
    batch = map_each([NEW_TASK, broken, with_changes(NEW_TASK, id=4187265532)], mapping.order_from_task,
                     kind="order", external_id=lambda t: t.get("id") if isinstance(t, dict) else "")

    assert [o.external_id for o in batch.items] == ["4187265531", "4187265532"]
    assert len(batch.errors) == 1 and batch.errors[0].kind == "order"
    assert json.loads(batch.errors[0].payload) == broken


def test_an_unknown_status_becomes_a_payload_error_not_a_new_order():
    batch = map_each([{"id": 1, "supplierStatus": "teleported", "wbStatus": "waiting"}], mapping.status_from_item,
                     kind="order_status")

    assert batch.items == [] and "teleported" in batch.errors[0].error


# --- FBW statistics ----------------------------------------------------------------------------------------------
def test_a_statistics_order_time_in_moscow_without_offset_becomes_utc():
    order = mapping.fbo_order_from_order_row(FBO_ORDER_ROW)

    assert order.ordered_at == datetime(2026, 9, 14, 8, 21, 47, tzinfo=UTC)


def test_a_statistics_order_row_is_an_fbo_order_of_one_unit_in_roubles():
    order = mapping.fbo_order_from_order_row(FBO_ORDER_ROW)

    assert (order.external_id, order.scheme, order.status, order.warehouse_external_id) == (
        FBO_ORDER_ROW["srid"], Scheme.FBO, OrderStatus.NEW, "Коледино")
    assert [(line.offer_id, line.quantity, line.price) for line in order.lines] == [
        ("TSHIRT-BLK-M", 1, Decimal("1145.50"))]


def test_a_cancelled_statistics_order_is_cancelled_at_its_moscow_cancel_date():
    order = mapping.fbo_order_from_order_row(with_changes(FBO_ORDER_ROW, isCancel=True,
                                                          cancelDate="2026-09-15T00:30:00"))

    assert (order.status, order.status_changed_at) == (OrderStatus.CANCELLED,
                                                       datetime(2026, 9, 14, 21, 30, tzinfo=UTC))


@pytest.mark.parametrize(("sale_id", "status"), [("S9993700024", OrderStatus.DELIVERED),
                                                 ("R9993700025", OrderStatus.RETURNED)])
def test_a_sales_row_is_a_delivery_or_a_return_by_its_sale_id(sale_id, status):
    row = with_changes(FBO_ORDER_ROW, saleID=sale_id, forPay=-916.4 if sale_id[0] == "R" else 916.4,
                       finishedPrice=-1145.5 if sale_id[0] == "R" else 1145.5)

    order = mapping.fbo_order_from_sale_row(row)

    assert (order.status, order.lines[0].price) == (status, Decimal("1145.50"))


def test_a_sales_row_of_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="saleID"):
        mapping.fbo_order_from_sale_row(with_changes(FBO_ORDER_ROW, saleID="X1"))


def test_a_moscow_text_for_statistics_has_no_offset():
    assert mapping.moscow_text(datetime(2026, 9, 14, 21, 30, tzinfo=UTC)) == "2026-09-15T00:30:00"


# --- FBW stock report ------------------------------------------------------------------------------------------
def test_a_wb_warehouse_stock_row_names_the_offer_through_the_cards():
    item = {"nmId": 214563872, "chrtId": 339874521, "warehouseId": -999999, "warehouseName": "Склад WB",
            "regionName": "Склад WB", "quantity": 43, "inWayToClient": 14, "inWayFromClient": 11}
    codes = mapping.vendor_codes_from_cards([{"nmID": 214563872, "vendorCode": "TSHIRT-BLK-M",
                                              "sizes": [{"chrtID": 339874521, "skus": ["2041237859014"]}]}])

    stock = mapping.fbo_stock_from_item(item, codes)

    assert (stock.offer_id, stock.warehouse_external_id, stock.quantity, stock.reserved, stock.in_transit,
            stock.marketplace_sku) == ("TSHIRT-BLK-M", "-999999", 43, 14, 11, "339874521")


# --- claims ------------------------------------------------------------------------------------------------------
def test_a_claim_is_a_claim_kind_return_linked_to_the_order_by_srid():
    claim = mapping.return_from_claim(CLAIM, {214563872: "TSHIRT-BLK-M"})

    assert (claim.external_id, claim.order_external_id, claim.kind, claim.status) == (
        CLAIM["id"], CLAIM["srid"], "claim", ReturnStatus.REQUESTED)
    assert [(line.offer_id, line.quantity, line.price) for line in claim.lines] == [
        ("TSHIRT-BLK-M", 1, Decimal("1249.00"))]


def test_a_claim_time_in_moscow_becomes_utc_and_its_photos_absolute_urls():
    claim = mapping.return_from_claim(CLAIM, {})

    assert claim.created_at == datetime(2026, 9, 20, 8, 4, 33, 512871, tzinfo=UTC)
    assert claim.photos == ("https://photos.wbstatic.net/claim/3b9d2c41-7f0e-4a55-9b1c-2e6f8d4a7c10/1.webp",)


@pytest.mark.parametrize(
    "broken",
    [with_changes(CLAIM, status=7), with_changes(CLAIM, price=1e40), with_changes(CLAIM, srid=None),
     with_changes(CLAIM, nm_id="214563872"), "[{\"id\": \"3b9d"],
    ids=["unknown-status", "huge-price", "no-srid", "nm-id-string", "truncated-json"],
)
def test_a_broken_claim_becomes_a_payload_error_and_the_others_are_still_mapped(broken):
    batch = map_each([broken, CLAIM], lambda c: mapping.return_from_claim(c, {}), kind="return")

    assert [r.external_id for r in batch.items] == [CLAIM["id"]] and len(batch.errors) == 1


# --- stocks ------------------------------------------------------------------------------------------------------
def test_a_stock_update_is_keyed_by_chrt_id_with_an_absolute_amount_capped_at_the_documented_maximum():
    body = mapping.stock_request([StockUpdate("339874521", "1098342", 17), StockUpdate("339874522", "1098342", -3),
                                  StockUpdate("339874523", "1098342", 250_000)])

    assert body == {"stocks": [{"chrtId": 339874521, "amount": 17}, {"chrtId": 339874522, "amount": 0},
                               {"chrtId": 339874523, "amount": 100_000}]}


def test_a_barcode_is_not_a_stock_key_any_more():
    with pytest.raises(ValueError, match="chrtId"):
        mapping.stock_request([StockUpdate("TSHIRT-BLK-M", "1098342", 1)])


def test_a_stock_conflict_names_each_refused_chrt_id():
    body = [{"code": "NotFound", "message": "Not found", "data": [{"sku": "", "chrtId": 5, "amount": 1}]},
            {"code": "UploadDataLimit", "message": "Upload limit exceeded.",
             "data": [{"sku": "x", "chrtId": 6, "amount": 100001}]}]

    per_item, general = mapping.stock_conflicts(body)

    assert per_item == {5: "NotFound: Not found", 6: "UploadDataLimit: Upload limit exceeded."} and general == ""


def test_a_stock_conflict_without_items_refuses_the_whole_request():
    per_item, general = mapping.stock_conflicts([{"code": "StoreIsProcessing", "message": "The store is processing"}])

    assert per_item == {} and general == "StoreIsProcessing: The store is processing"
