"""With no official spec for AliExpress, the sandbox's answers are held to the doc's JSON examples (aliexpress.md
§12, §5.1): the same field names with the same JSON types."""

from __future__ import annotations

import httpx

from tests.connectors.aliexpress.conftest import TOKEN, product_id_of
from tests.connectors.aliexpress.payloads import NEW_ORDER
from tests.connectors.aliexpress.test_orders import place

HEADERS = {"x-auth-token": TOKEN}


def _types(value) -> object:
    """Field name → JSON type, recursively (nulls in the doc's example say nothing about the type)."""
    if isinstance(value, dict):
        return {key: _types(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_types(value[0])] if value else []
    return "number" if isinstance(value, int | float) and not isinstance(value, bool) else type(value).__name__


def _post(sandbox, path: str, body: dict) -> dict:
    response = httpx.post(f"{sandbox.url('aliexpress')}{path}", json=body, headers=HEADERS)
    assert response.status_code == 200, response.text
    return response.json()


def test_sandbox_order_has_the_fields_and_types_of_the_doc_example(sandbox, seller, ae):
    place(ae, "TSHIRT-BLK-M", 2)

    answer = _post(sandbox, "/seller-api/v1/order/get-order-list",
                   {"page": 1, "page_size": 20, "trade_order_info": "LogisticInfo"})

    assert set(answer) == {"data", "error"} and answer["error"] is None
    [sandbox_order] = answer["data"]["orders"]
    expected = _types(NEW_ORDER)
    actual = _types(sandbox_order)
    # logistics_type is the newer posting field the doc lists as seen in third-party code (§3.3).
    actual["pre_split_postings"][0].pop("logistics_type")
    for key, value in expected.items():
        assert actual.get(key) == value, key
    assert set(sandbox_order) == set(NEW_ORDER)


def test_stock_update_answers_the_doc_typical_result_and_tasks_carry_the_documented_fields(sandbox, seller):
    body = {"products": [{"product_id": int(product_id_of(seller, "MUG-WHITE")),
                          "skus": [{"sku_code": "MUG-WHITE", "inventory": 37}]}]}

    answer = _post(sandbox, "/api/v1/product/update-sku-stock", body)
    tasks = httpx.get(f"{sandbox.url('aliexpress')}/api/v1/tasks", params={"group_id": answer["group_id"]},
                      headers=HEADERS).json()

    assert _types(answer) == {"group_id": "number", "results": [{"ok": "bool", "task_id": "number", "errors": []}]}
    [task] = tasks["data"]
    assert set(task) == {"id", "group_id", "action", "status", "product_id", "sku_codes", "error", "warnings",
                         "created_at", "updated_at"}
    assert (task["action"], task["sku_codes"]) == (3, ["MUG-WHITE"])  # action 3 = stocks
