"""Yandex Market JSON → DTOs, with payloads written from the documented fields (``yandex-market.md`` §3.4, §6, §13)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from connectors.base import map_each
from connectors.dto import StockUpdate
from connectors.yandex_market import mapping
from orders.choices import OrderStatus, PaymentStatus, Scheme
from returns.choices import ReasonCode, ReturnKind, ReturnStatus
from tests.connectors.yandex_market.payloads import ORDER, RETURN


def order(**changes):
    raw = copy.deepcopy(ORDER)
    raw.update(changes)
    return raw


def test_an_fbs_order_maps_to_roubles_utc_and_the_unified_status():
    dto = mapping.order_from_json(order())

    assert (dto.external_id, dto.number, dto.scheme) == ("51234567890", "51234567890", Scheme.FBS)
    assert (dto.status, dto.marketplace_status, dto.marketplace_substatus) == (OrderStatus.NEW, "PROCESSING",
                                                                               "STARTED")
    assert dto.ordered_at == datetime(2025, 5, 14, 6, 41, 5, tzinfo=UTC)
    assert dto.lines[0].offer_id == "TSHIRT-BLK-M"
    assert (dto.lines[0].quantity, dto.lines[0].price) == (2, Decimal("1190.00"))
    assert dto.lines[0].external_line_id == "800100200"
    assert (dto.items_total, dto.delivery_total, dto.discount_total, dto.total) == (
        Decimal("2380.00"), Decimal("99.00"), Decimal("220.00"), Decimal("2479.00"))
    assert dto.payment_status == PaymentStatus.PREPAID
    assert dto.warehouse_external_id == "50101"


def test_the_ship_by_deadline_is_the_end_of_the_moscow_shipment_day():
    dto = mapping.order_from_json(order())

    assert dto.ship_by == datetime(2025, 5, 15, 20, 59, 59, tzinfo=UTC)


def test_an_express_shipment_time_is_the_deadline():
    raw = order(programType="EXPRESS")
    raw["delivery"]["shipment"]["shipmentTime"] = "14:30"

    dto = mapping.order_from_json(raw)

    assert dto.scheme == Scheme.FBS
    assert dto.ship_by == datetime(2025, 5, 15, 11, 30, tzinfo=UTC)


def test_a_timestamp_without_an_offset_is_read_as_moscow_time():
    assert mapping.parse_datetime("2025-05-14T09:41:05") == datetime(2025, 5, 14, 6, 41, 5, tzinfo=UTC)
    assert mapping.parse_datetime("2025-05-14T06:41:05.213Z") == datetime(2025, 5, 14, 6, 41, 5, 213000, tzinfo=UTC)


def test_cashback_is_part_of_what_the_buyer_pays():
    raw = order()
    raw["items"][0]["prices"]["payment"]["value"] = 2000
    raw["items"][0]["prices"]["cashback"]["value"] = 380

    assert mapping.order_from_json(raw).lines[0].price == Decimal("1190.00")


def test_fby_orders_are_fbo_and_dbs_orders_are_dbs():
    assert mapping.order_from_json(order(programType="FBY")).scheme == Scheme.FBO
    assert mapping.order_from_json(order(programType="DBS")).scheme == Scheme.DBS


def test_a_cancelled_order_keeps_its_reason():
    dto = mapping.order_from_json(order(status="CANCELLED", substatus="USER_CHANGED_MIND"))

    assert (dto.status, dto.cancel_reason) == (OrderStatus.CANCELLED, "USER_CHANGED_MIND")


def test_money_in_another_currency_is_refused():
    raw = order()
    raw["items"][0]["prices"]["payment"]["currencyId"] = "BYN"

    with pytest.raises(ValueError, match="BYN"):
        mapping.order_from_json(raw)


def test_a_bad_order_becomes_a_payload_error_and_the_rest_are_mapped():
    missing_items = order(orderId=2)
    del missing_items["items"]
    wrong_type = order(orderId=3)
    wrong_type["items"][0]["count"] = "2"
    unknown_status = order(orderId=4, status="TELEPORTED")
    huge = order(orderId=5)
    huge["items"][0]["prices"]["payment"]["value"] = 10**15
    huge_id = order(orderId=2**64)
    truncated = '{"orderId": 6, "status": "PROCE'
    raw_items = [missing_items, wrong_type, order(), unknown_status, huge, huge_id, truncated, None]

    batch = map_each(raw_items, mapping.order_from_json, kind="order",
                     external_id=lambda raw: raw.get("orderId") if isinstance(raw, dict) else "")

    assert [dto.external_id for dto in batch.items] == ["51234567890"]
    assert [error.external_id for error in batch.errors] == ["2", "3", "4", "5", str(2**64), "", ""]
    assert "TELEPORTED" in batch.errors[2].error
    assert '"PROCE' in batch.errors[5].payload


def test_a_return_maps_with_its_step_reason_photos_and_amount():
    dto = mapping.return_from_json(copy.deepcopy(RETURN), campaign_id="21000123")

    assert (dto.external_id, dto.order_external_id) == ("3300221", "51234567890")
    assert (dto.kind, dto.status, dto.reason_code) == (ReturnKind.RETURN, ReturnStatus.IN_TRANSIT, ReasonCode.SIZE)
    assert dto.marketplace_status == "REFUND_IN_PROGRESS / IN_TRANSIT"
    assert dto.amount == Decimal("1190.00")
    assert dto.lines[0].offer_id == "TSHIRT-BLK-M"
    assert (dto.lines[0].quantity, dto.lines[0].price, dto.lines[0].marketplace_sku) == (1, Decimal("1190.00"),
                                                                                        "101234567890")
    assert dto.buyer_comment == "Маломерит"
    assert dto.photos == ("/v2/campaigns/21000123/orders/51234567890/returns/3300221/decision/9911/image/a1b2c3d4",)
    assert dto.created_at == datetime(2025, 5, 25, 9, 3, 11, tzinfo=UTC)


def test_the_deprecated_refund_amount_is_in_kopecks():
    raw = copy.deepcopy(RETURN)
    del raw["amount"]
    raw["refundAmount"] = 119050

    assert mapping.return_from_json(raw, campaign_id="1").amount == Decimal("1190.50")


def test_a_non_purchase_waiting_for_the_seller_has_its_pickup_deadline():
    raw = {"id": 77, "orderId": 55, "returnType": "UNREDEEMED", "shipmentStatus": "READY_FOR_PICKUP",
           "pickupTillDate": "2025-06-01T21:00:00+03:00", "items": [{"shopSku": "MUG-01", "count": 2}]}

    dto = mapping.return_from_json(raw, campaign_id="1")

    assert (dto.kind, dto.status, dto.reason_code) == (ReturnKind.NON_PURCHASE, ReturnStatus.ARRIVED,
                                                       ReasonCode.NOT_PICKED_UP)
    assert dto.deadline_at == datetime(2025, 6, 1, 18, 0, tzinfo=UTC)


def test_bad_returns_become_payload_errors_and_the_rest_are_mapped():
    unknown = copy.deepcopy(RETURN) | {"id": 2, "shipmentStatus": "SENT_TO_MARS"}
    no_items = copy.deepcopy(RETURN) | {"id": 3}
    del no_items["items"]
    huge = copy.deepcopy(RETURN) | {"id": 4, "amount": {"value": 1e300, "currencyId": "RUR"}}

    batch = map_each([unknown, no_items, copy.deepcopy(RETURN), huge],
                     lambda raw: mapping.return_from_json(raw, campaign_id="1"), kind="return",
                     external_id=lambda raw: raw.get("id"))

    assert [dto.external_id for dto in batch.items] == ["3300221"]
    assert [error.external_id for error in batch.errors] == ["2", "3", "4"]


def test_a_stock_update_carries_counts_and_a_moscow_timestamp():
    moment = datetime(2025, 5, 14, 7, 0, 0, 123456, tzinfo=UTC)

    body = mapping.stock_update_body([StockUpdate("TSHIRT-BLK-M", "50101", 37), StockUpdate("TSHIRT-BLK-L", "50101", 0)],
                                     moment)

    assert body == {"skus": [
        {"sku": "TSHIRT-BLK-M", "items": [{"count": 37, "updatedAt": "2025-05-14T10:00:00+03:00"}]},
        {"sku": "TSHIRT-BLK-L", "items": [{"count": 0, "updatedAt": "2025-05-14T10:00:00+03:00"}]},
    ]}


def test_stock_read_back_takes_available_and_frozen_units_of_the_wanted_pairs():
    result = {"warehouses": [
        {"warehouseId": 50101, "offers": [
            {"offerId": "A", "stocks": [{"type": "FIT", "count": 12}, {"type": "AVAILABLE", "count": 9},
                                        {"type": "FREEZE", "count": 3}]},
            {"offerId": "B", "stocks": [{"type": "AVAILABLE", "count": 1}]},
        ]},
        {"warehouseId": 90001, "offers": [{"offerId": "A", "stocks": [{"type": "DEFECT", "count": 1}]}]},
    ]}

    readings = mapping.stock_readings(result, [("A", "50101")])

    assert [(r.stock_key, r.warehouse_external_id, r.quantity, r.reserved) for r in readings] == [("A", "50101", 9, 3)]


def test_the_one_box_layout_holds_every_unit():
    assert mapping.default_box_layout(ORDER) == [{"items": [{"id": 800100200, "fullCount": 2}]}]


def test_a_box_layout_by_offer_uses_the_order_line_ids():
    boxes = mapping.box_layout(ORDER, [[{"offer_id": "TSHIRT-BLK-M", "quantity": 1}],
                                       [{"offer_id": "TSHIRT-BLK-M", "quantity": 1}]])

    assert boxes == [{"items": [{"id": 800100200, "fullCount": 1}]}, {"items": [{"id": 800100200, "fullCount": 1}]}]


def test_a_box_layout_with_a_foreign_offer_is_refused():
    with pytest.raises(ValueError, match="MUG"):
        mapping.box_layout(ORDER, [[{"offer_id": "MUG-01", "quantity": 1}]])
