"""Hand-written AliExpress payloads with the documented field names (aliexpress.md §12, made-up values)."""

from __future__ import annotations

import copy
from typing import Any

NEW_ORDER: dict[str, Any] = {
    "id": 5000123456789012,
    "created_at": "2025-05-14T06:41:05.120000+00:00",
    "paid_at": "2025-05-14T06:41:30.004000+00:00",
    "updated_at": "2025-05-14T06:42:00.100000+00:00",
    "status": "Created",
    "payment_status": "Paid",
    "delivery_status": "Init",
    "antifraud_status": "Passed",
    "order_display_status": "WaitSendGoods",
    "buyer_name": "Иванова Мария Сергеевна",
    "buyer_phone": "+79990001122",
    "buyer_country_code": "Россия",
    "delivery_address": "Россия, Москва, ул. Тверская, д. 7, кв. 12, 125009",
    "order_lines": [
        {
            "id": 5000123456789013,
            "item_id": "1005004380425710",
            "sku_id": "12000028976155229",
            "sku_code": "TSHIRT-BLK-M",
            "name": "Футболка хлопковая чёрная",
            "img_url": "https://example.invalid/img/tshirt.jpg",
            "item_price": 119000,
            "quantity": 2,
            "total_amount": 238000,
            "properties": ["Цвет: чёрный", "Размер: M"],
            "buyer_comment": "",
            "height": 3, "weight": 0.4, "width": 25, "length": 30,
            "issue_status": "NoDispute",
            "promotions": None,
        }
    ],
    "total_amount": 238000,
    "seller_comment": None,
    "fully_prepared": True,
    "finish_reason": None,
    "cut_off_date": "2025-05-15T18:00:00+03:00",
    "cut_off_date_histories": [{"shift_number": 0, "cut_off_date": "2025-05-15T18:00:00+03:00"}],
    "shipping_deadline": "2025-05-17T18:00:00+03:00",
    "next_cut_off_date": "2025-05-16T18:00:00+03:00",
    "pre_split_postings": [
        {
            "id": 7001234,
            "delivery_fee": 0,
            "first_mile_type": "Dropoff",
            "posting_lines": [
                {"id": 99001, "order_line_id": 5000123456789013, "item_id": "1005004380425710",
                 "sku_id": "12000028976155229", "quantity": 2}
            ],
        }
    ],
    "logistic_orders": [],
    "commission": {"platform_fee": 19040, "affiliate_fee": 0, "estimate_revenue": 218960},
}


def order(**overrides: Any) -> dict[str, Any]:
    """A deep copy of the doc's new order with top-level fields replaced."""
    payload = copy.deepcopy(NEW_ORDER)
    payload.update(overrides)
    return payload


def shipment(status: str, shipment_id: int = 30000001, **extra: Any) -> dict[str, Any]:
    return {"id": shipment_id, "trade_order_id": NEW_ORDER["id"], "track_number": "RA123456789RU", "status": status,
            "creation_error": None, "lines": [{"sku_id": 12000028976155229, "quantity": 2}], **extra}
