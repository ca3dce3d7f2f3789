"""AliExpress JSON → Okno DTOs and back, on hand-written payloads with the documented field names."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from connectors.aliexpress import mapping
from connectors.base import map_each
from connectors.dto import StockUpdate
from orders.choices import OrderStatus, PaymentStatus, Scheme
from returns.choices import ReasonCode, ReturnKind, ReturnStatus
from tests.connectors.aliexpress.payloads import order, shipment


def test_order_money_in_kopecks_becomes_roubles():
    dto = mapping.order_from_json(order())

    assert dto.lines[0].price == Decimal("1190.00")
    assert dto.items_total == Decimal("2380.00")
    assert dto.total == Decimal("2380.00")


def test_order_timestamps_with_offsets_become_utc_instants():
    dto = mapping.order_from_json(order())

    assert dto.ordered_at == datetime(2025, 5, 14, 6, 41, 5, 120000, tzinfo=UTC)
    assert dto.ship_by == datetime(2025, 5, 17, 15, 0, tzinfo=UTC)  # 18:00 Moscow (+03:00)


def test_a_plus_seven_offset_is_converted_to_utc():
    assert mapping.parse_time("2022-08-17T13:00:00+07:00") == datetime(2022, 8, 17, 6, 0, tzinfo=UTC)


def test_a_timestamp_without_offset_is_read_as_moscow_time():
    assert mapping.parse_time("2025-05-15T18:00:00") == datetime(2025, 5, 15, 15, 0, tzinfo=UTC)


def test_order_line_is_matched_by_the_sellers_sku_code():
    line = mapping.order_from_json(order()).lines[0]

    assert (line.offer_id, line.quantity, line.marketplace_sku, line.external_line_id) == (
        "TSHIRT-BLK-M", 2, "12000028976155229", "5000123456789013")


def test_new_paid_order_maps_to_new_with_buyer_and_ids_as_strings():
    dto = mapping.order_from_json(order(), warehouse_id="ae-main")

    assert dto.external_id == "5000123456789012"
    assert dto.status == OrderStatus.NEW
    assert dto.marketplace_status == "Created"
    assert dto.marketplace_substatus == "WaitSendGoods"
    assert dto.payment_status == PaymentStatus.PREPAID
    assert dto.scheme == Scheme.FBS
    assert dto.buyer_name == "Иванова Мария Сергеевна"
    assert dto.delivery_method == "Dropoff"
    assert dto.warehouse_external_id == "ae-main"


def test_logistics_type_dbs_makes_a_seller_logistics_order():
    payload = order()
    payload["pre_split_postings"][0]["logistics_type"] = "DBS"

    assert mapping.order_from_json(payload).scheme == Scheme.DBS


def test_connection_default_scheme_applies_when_the_order_does_not_say():
    assert mapping.order_from_json(order(), default_scheme=Scheme.DBS).scheme == Scheme.DBS


def test_cancelled_order_carries_its_finish_reason():
    dto = mapping.order_from_json(order(status="Cancelled", order_display_status="Close",
                                        finish_reason="Buyer cancelled"))

    assert (dto.status, dto.cancel_reason) == (OrderStatus.CANCELLED, "Buyer cancelled")


def test_delivery_fee_of_postings_is_the_delivery_total():
    payload = order()
    payload["pre_split_postings"][0]["delivery_fee"] = 25000

    assert mapping.order_from_json(payload).delivery_total == Decimal("250.00")


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        ({"id": None}, "id"),
        ({"id": "not-a-number"}, "id"),
        ({"id": 2**70}, "int64"),
        ({"status": "Teleported"}, "Teleported"),
        ({"order_display_status": "SomethingNew"}, "SomethingNew"),
        ({"order_lines": []}, "order_lines"),
        ({"order_lines": "lines"}, "order_lines"),
        ({"total_amount": "2380.00"}, "total_amount"),
        ({"total_amount": 10**30}, "out of range"),
        ({"created_at": 1715668865}, "created_at"),
        ({"created_at": "yesterday"}, "isoformat"),
        ({"logistic_orders": [shipment("Flying")]}, "Flying"),
    ],
)
def test_defective_order_raises_so_it_becomes_an_ingest_error(broken, expected):
    with pytest.raises((TypeError, ValueError), match=expected):
        mapping.order_from_json(order(**broken))


@pytest.mark.parametrize(
    ("line_change", "expected"),
    [
        ({"sku_code": None}, "sku_code"),
        ({"quantity": "2"}, "quantity"),
        ({"quantity": 10**12}, "out of range"),
        ({"item_price": 1190.0}, "item_price"),
        ({"item_price": True}, "item_price"),
    ],
)
def test_defective_order_line_raises(line_change, expected):
    payload = order()
    payload["order_lines"][0].update(line_change)

    with pytest.raises((TypeError, ValueError), match=expected):
        mapping.order_from_json(payload)


def test_map_each_keeps_defective_orders_verbatim_and_maps_the_rest():
    good = order()
    truncated = {"id": 5000123456789099, "status": "Created"}  # a page cut off mid-order
    unknown = order(id=5000123456789100, delivery_status="Lost")

    batch = map_each([good, truncated, "garbage", unknown], mapping.order_from_json, kind="order",
                     external_id=lambda raw: raw.get("id") if isinstance(raw, dict) else "")

    assert [dto.external_id for dto in batch.items] == ["5000123456789012"]
    assert [(e.external_id, e.kind) for e in batch.errors] == [
        ("5000123456789099", "order"), ("", "order"), ("5000123456789100", "order")]
    assert json.loads(batch.errors[0].payload) == truncated
    assert "Lost" in batch.errors[2].error


def test_order_status_dto_follows_the_shipment():
    dto = mapping.order_status_from_json(order(status="InProgress",
                                               logistic_orders=[shipment("AwaitingDispatch")]))

    assert (dto.status, dto.marketplace_substatus) == (OrderStatus.PACKED, "WaitSendGoods/AwaitingDispatch")


def test_returned_parcel_becomes_a_non_purchase_return():
    payload = order(status="Cancelled", order_display_status="Close", finish_reason="Not picked up",
                    logistic_orders=[shipment("ProviderPostingReturned")])

    [found] = mapping.returns_from_order(payload)

    assert found.external_id == "5000123456789012:non_purchase"
    assert (found.kind, found.status, found.reason_code) == (
        ReturnKind.NON_PURCHASE, ReturnStatus.ARRIVED, ReasonCode.NOT_PICKED_UP)
    assert found.lines[0].offer_id == "TSHIRT-BLK-M"
    assert found.amount == Decimal("2380.00")


def test_buyer_cancellation_becomes_a_cancellation_return():
    [found] = mapping.returns_from_order(order(status="Cancelled", order_display_status="Close"))

    assert (found.kind, found.status, found.marketplace_status) == (
        ReturnKind.CANCELLATION, ReturnStatus.APPROVED, "Cancelled")


def test_dispute_on_a_delivered_order_becomes_a_claim():
    [found] = mapping.returns_from_order(order(status="Finished", delivery_status="Delivered",
                                               order_display_status="InIssue"))

    assert (found.kind, found.external_id) == (ReturnKind.CLAIM, "5000123456789012:claim")


def test_an_ordinary_order_has_no_returns():
    assert mapping.returns_from_order(order()) == []


def test_shipment_request_takes_one_shipment_per_posting_with_box_from_the_lines():
    [request] = mapping.shipment_requests(order())

    assert request == {"trade_order_id": 5000123456789012, "total_length": 30, "total_width": 25,
                       "total_height": 6, "total_weight": 0.8,
                       "items": [{"sku_id": 12000028976155229, "quantity": 2}]}


def test_shipment_request_uses_the_given_parcel_size():
    [request] = mapping.shipment_requests(order(), {"length": 40, "width": 30, "height": 20, "weight": 1.25})

    assert (request["total_length"], request["total_width"], request["total_height"], request["total_weight"]) == (
        40, 30, 20, 1.25)


def test_stock_plan_groups_skus_by_product_as_the_doc_shows():
    plan = mapping.stock_plan([
        StockUpdate("TSHIRT-BLK-M", "ae-main", 37, external_product_id="1005004380425710"),
        StockUpdate("TSHIRT-BLK-L", "ae-main", 0, external_product_id="1005004380425710"),
    ])

    assert plan.body == {"products": [{"product_id": 1005004380425710, "skus": [
        {"sku_code": "TSHIRT-BLK-M", "inventory": 37}, {"sku_code": "TSHIRT-BLK-L", "inventory": 0}]}]}
    assert plan.refused == []


def test_stock_plan_refuses_what_cannot_be_addressed_or_is_out_of_range():
    plan = mapping.stock_plan([
        StockUpdate("NO-PRODUCT", "ae-main", 1, external_product_id=""),
        StockUpdate("HUGE", "ae-main", 1_000_000, external_product_id="1005004380425710"),
        StockUpdate("TWICE", "ae-main", 3, external_product_id="1005004380425710"),
        StockUpdate("TWICE", "ae-other", 4, external_product_id="1005004380425710"),
    ])

    assert [(r.stock_key, r.warehouse_external_id) for r in plan.refused] == [
        ("NO-PRODUCT", "ae-main"), ("HUGE", "ae-main"), ("TWICE", "ae-other")]
    assert all(not r.accepted and r.error for r in plan.refused)
    assert plan.body["products"][0]["skus"] == [{"sku_code": "TWICE", "inventory": 3}]


@pytest.mark.parametrize(
    ("errors", "text"),
    [(["bad sku"], "bad sku"), ([{"code": 400, "message": "bad sku"}], "400: bad sku"),
     ({"code": "ErrorCode.OrderNotFound", "message": "no"}, "ErrorCode.OrderNotFound: no"), (None, "")],
)
def test_error_text_reads_both_error_shapes(errors, text):
    assert mapping.error_text(errors) == text
