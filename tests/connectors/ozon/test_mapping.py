"""Ozon JSON → Okno DTOs with hand-written payloads in the documented field names (ozon.md §3.4, §8.1, §14)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from connectors.base import map_each
from connectors.dto import StockUpdate
from connectors.ozon import mapping
from connectors.ozon.connector import cancel_reason, label_content, label_size_mm
from connectors.sandbox.ozon import label_pdf
from orders.choices import OrderStatus, PaymentStatus, Scheme
from returns.choices import ReturnKind, ReturnStatus

POSTING = {
    "posting_number": "05821743-0117-1",
    "order_id": 41187263519,
    "order_number": "05821743-0117",
    "parent_posting_number": "",
    "status": "awaiting_packaging",
    "substatus": "posting_created",
    "in_process_at": "2026-09-14T08:22:03Z",
    "shipment_date": "2026-09-15T14:00:00Z",
    "delivery_method": {"id": 1020001239876000, "name": "Ozon Логистика курьеру, Подольск",
                        "warehouse_id": 1020001239876000, "warehouse": "Склад Подольск", "tpl_provider_id": 24,
                        "tpl_provider": "Ozon Логистика"},
    "tpl_integration_type": "ozon",
    "tracking_number": "",
    "products": [
        {"sku": 1736452901, "offer_id": "TSHIRT-BLK-M", "name": "Футболка хлопковая чёрная, M", "quantity": 2,
         "price": {"amount": "1299.00", "currency": "RUB"}},
        {"sku": 1736452902, "offer_id": "TSHIRT-BLK-L", "name": "Футболка хлопковая чёрная, L", "quantity": 1,
         "price": {"amount": "1349.50", "currency": "RUB"}},
    ],
    "analytics_data": {"payment_type_group_name": "картой онлайн", "warehouse_id": 1020001239876000},
    "cancellation": {"cancel_reason_id": 0, "cancel_reason": "", "cancellation_type": "",
                     "cancellation_initiator": "", "cancelled_after_ship": False},
}

RETURN = {
    "id": 1000431988,
    "company_id": 1874412,
    "return_reason_name": "Покупатель отказался при вручении: не подошёл размер",
    "type": "FullReturn",
    "schema": "FBS",
    "order_id": 41187263519,
    "order_number": "05821743-0117",
    "posting_number": "05821743-0117-1",
    "product": {"sku": 1736452901, "offer_id": "TSHIRT-BLK-M", "name": "Футболка хлопковая чёрная, M",
                "price": {"currency_code": "RUB", "price": 1189}, "quantity": 2},
    "logistic": {"return_date": "2026-09-18T10:12:44Z", "barcode": "ii6012348812"},
    "visual": {"status": {"id": 3, "display_name": "В пути", "sys_name": "MovingToSeller"},
               "change_moment": "2026-09-18T10:15:00Z"},
}


def posting(**changes):
    data = copy.deepcopy(POSTING)
    data.update(changes)
    return data


def test_a_posting_becomes_one_order_with_every_product_and_its_quantity():
    order = mapping.posting_to_order(POSTING)
    assert order.external_id == order.number == "05821743-0117-1"
    assert [(line.offer_id, line.quantity, line.price) for line in order.lines] == [
        ("TSHIRT-BLK-M", 2, Decimal("1299.00")), ("TSHIRT-BLK-L", 1, Decimal("1349.50"))]
    assert order.items_total == order.total == Decimal("3947.50")
    assert order.lines[0].marketplace_sku == "1736452901"


def test_a_posting_keeps_ozons_status_beside_the_unified_one():
    order = mapping.posting_to_order(POSTING)
    assert (order.status, order.marketplace_status, order.marketplace_substatus) == (
        OrderStatus.NEW, "awaiting_packaging", "posting_created")
    assert order.scheme == Scheme.FBS
    assert order.warehouse_external_id == "1020001239876000"
    assert order.payment_status == PaymentStatus.PREPAID


def test_posting_times_are_aware_utc_and_the_assembly_deadline_is_ship_by():
    order = mapping.posting_to_order(POSTING)
    assert order.ordered_at == datetime(2026, 9, 14, 8, 22, 3, tzinfo=UTC)
    assert order.ship_by == datetime(2026, 9, 15, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-09-14T08:22:03Z", datetime(2026, 9, 14, 8, 22, 3, tzinfo=UTC)),
        ("2026-09-14T08:22:03.294Z", datetime(2026, 9, 14, 8, 22, 3, 294000, tzinfo=UTC)),
        ("2026-09-14T08:22:03.294123456Z", datetime(2026, 9, 14, 8, 22, 3, 294123, tzinfo=UTC)),
        ("2026-09-14T11:22:03+03:00", datetime(2026, 9, 14, 8, 22, 3, tzinfo=UTC)),
        ("2026-09-14 08:22:03", datetime(2026, 9, 14, 8, 22, 3, tzinfo=UTC)),  # Ozon's times are UTC
        ("0001-01-01T00:00:00Z", None),
        (None, None),
        ("", None),
    ],
)
def test_ozon_timestamps_become_utc_instants(raw, expected):
    assert mapping.timestamp(raw) == expected


def test_the_v3_posting_shape_with_string_prices_maps_the_same():
    legacy = posting(products=[{"sku": 1736452901, "offer_id": "TSHIRT-BLK-M", "quantity": 2, "price": "1299.0000",
                                "currency_code": "RUB"}])
    order = mapping.posting_to_order(legacy)
    assert order.lines[0].price == Decimal("1299.00")
    assert order.currency == "RUB"


def test_an_rfbs_posting_delivered_by_the_sellers_carrier_is_dbs():
    assert mapping.posting_to_order(posting(tpl_integration_type="non_integrated")).scheme == Scheme.DBS


def test_a_cancelled_posting_carries_the_reason_and_who_cancelled():
    cancelled = posting(status="cancelled", substatus="posting_canceled",
                        cancellation={"cancel_reason_id": 507, "cancel_reason": "Покупатель отменил заказ",
                                      "cancellation_type": "client", "cancellation_initiator": "Покупатель"})
    order = mapping.posting_to_order(cancelled)
    assert order.status == OrderStatus.CANCELLED
    assert order.cancel_reason == "Покупатель отменил заказ (Покупатель)"


def test_an_fbo_posting_is_a_read_only_fbo_order_at_ozons_warehouse():
    fbo = {"posting_number": "0112233445-0001-1", "order_number": "0112233445-0001", "status": "delivering",
           "substatus": "posting_in_courier_service", "created_at": "2026-09-10T09:00:00Z",
           "in_process_at": "2026-09-10T09:00:05Z",
           "products": [{"sku": 1736452901, "offer_id": "TSHIRT-BLK-M", "name": "Футболка", "quantity": 3,
                         "price": {"amount": "1199.00", "currency": "RUB"}}],
           "analytics_data": {"warehouse_id": 15431806189000, "warehouse_name": "Хоругвино"}}
    order = mapping.fbo_posting_to_order(fbo)
    assert (order.scheme, order.status, order.warehouse_external_id) == (Scheme.FBO, OrderStatus.SHIPPED,
                                                                        "15431806189000")
    assert order.total == Decimal("3597.00")


def test_a_return_becomes_a_return_with_kind_status_and_amount_in_roubles():
    ret = mapping.return_to_dto(RETURN)
    assert (ret.external_id, ret.order_external_id, ret.scheme) == ("1000431988", "05821743-0117-1", "fbs")
    assert (ret.kind, ret.status, ret.marketplace_status) == (ReturnKind.NON_PURCHASE, ReturnStatus.IN_TRANSIT,
                                                              "MovingToSeller")
    assert ret.lines[0].quantity == 2
    assert ret.amount == Decimal("2378.00")
    assert ret.created_at == datetime(2026, 9, 18, 10, 12, 44, tzinfo=UTC)


def test_a_stock_update_is_sent_as_the_documented_pair_without_reserves_below_zero():
    item = mapping.stock_item(StockUpdate("TSHIRT-BLK-M", "1020001239876000", -3, "TSHIRT-BLK-M"), "1287734561")
    assert item == {"offer_id": "TSHIRT-BLK-M", "product_id": 1287734561, "stock": 0,
                    "warehouse_id": 1020001239876000}


def test_a_stock_update_for_a_non_numeric_warehouse_is_refused_before_sending():
    with pytest.raises(TypeError):
        mapping.stock_item(StockUpdate("TSHIRT-BLK-M", "msk", 3), "1287734561")


BAD_POSTINGS = {
    "truncated": {"posting_number": "11111111-0001-1", "status": "awaiting_pack"},
    "missing products": {k: v for k, v in POSTING.items() if k != "products"} | {"posting_number": "22222222-0001-1"},
    "quantity as text": posting(posting_number="33333333-0001-1",
                                products=[{"sku": 1, "offer_id": "A", "quantity": "two",
                                           "price": {"amount": "1.00", "currency": "RUB"}}]),
    "price as a list": posting(posting_number="44444444-0001-1",
                               products=[{"sku": 1, "offer_id": "A", "quantity": 1, "price": [1299]}]),
    "unknown status": posting(posting_number="55555555-0001-1", status="teleported"),
    "huge quantity": posting(posting_number="66666666-0001-1",
                             products=[{"sku": 1, "offer_id": "A", "quantity": 10**15,
                                        "price": {"amount": "1.00", "currency": "RUB"}}]),
    "huge price": posting(posting_number="77777777-0001-1",
                          products=[{"sku": 1, "offer_id": "A", "quantity": 1,
                                     "price": {"amount": "1e30", "currency": "RUB"}}]),
    "NaN price": posting(posting_number="88888888-0001-1",
                         products=[{"sku": 1, "offer_id": "A", "quantity": 1,
                                    "price": {"amount": "NaN", "currency": "RUB"}}]),
    "not an object": "05821743-0117-1",
    "bad timestamp": posting(posting_number="99999999-0001-1", shipment_date="tomorrow"),
}


def test_malformed_postings_become_payload_errors_and_the_good_ones_still_map():
    raw = [POSTING, *BAD_POSTINGS.values(), posting(posting_number="05821743-0117-2")]
    batch = map_each(raw, mapping.posting_to_order, kind="order",
                     external_id=lambda p: p.get("posting_number", "") if isinstance(p, dict) else "")
    assert [o.external_id for o in batch.items] == ["05821743-0117-1", "05821743-0117-2"]
    assert len(batch.errors) == len(BAD_POSTINGS)
    unknown = next(e for e in batch.errors if e.external_id == "55555555-0001-1")
    assert "teleported" in unknown.error and '"teleported"' in unknown.payload


BAD_RETURNS = [
    {"id": 1, "type": "ClientReturn"},  # truncated: no product, no status
    RETURN | {"id": 2, "type": "Exchange"},  # unknown type
    RETURN | {"id": 3, "visual": {"status": {"sys_name": "Lost in space"}}},  # unknown status
    RETURN | {"id": 4, "product": RETURN["product"] | {"quantity": 10**12}},  # huge quantity
    RETURN | {"id": "five"},  # wrong type
    RETURN | {"id": 6, "product": RETURN["product"] | {"price": {"price": "a lot"}}},
]


def test_malformed_returns_become_payload_errors_and_the_good_ones_still_map():
    batch = map_each([*BAD_RETURNS, RETURN], mapping.return_to_dto, kind="return",
                     external_id=lambda r: r.get("id", ""))
    assert [r.external_id for r in batch.items] == ["1000431988"]
    assert [e.external_id for e in batch.errors] == ["1", "2", "3", "4", "five", "6"]


@pytest.mark.parametrize(
    ("reason", "expected"),
    [("", (352, "")), ("352", (352, "")), ("out_of_stock", (352, "")),
     ("Покупатель попросил отменить по телефону", (402, "Покупатель попросил отменить по телефону"))],
)
def test_okno_reasons_become_ozons_cancel_reason_ids(reason, expected):
    assert cancel_reason(reason) == expected


def test_a_label_answer_is_accepted_as_raw_pdf_or_as_the_specs_base64_wrapper():
    import base64
    import json

    pdf = label_pdf([("05821743-0117-1", "058217430117001")])
    wrapped = json.dumps({"content_type": "application/pdf", "file_name": "label.pdf",
                          "file_content": base64.b64encode(pdf).decode()}).encode()
    assert label_content(pdf, "application/pdf") == pdf
    assert label_content(wrapped, "application/json") == pdf
    assert label_size_mm(pdf) == (75, 120)
