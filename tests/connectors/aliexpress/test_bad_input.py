"""Malformed AliExpress answers never stop a batch: each defect becomes a PayloadError, the rest is mapped.

The answers come from a test double of the marketplace (an httpx transport answering with fixed bytes), since the
sandbox only ever answers well-formed JSON.
"""

from __future__ import annotations

import json

import httpx

from connectors.aliexpress.api import ALIEXPRESS_API
from connectors.aliexpress.connector import AliExpressConnector
from connectors.base import ConnectionConfig
from connectors.http import MarketplaceHttp
from tests.connectors.aliexpress.payloads import order, shipment

CONFIG = ConnectionConfig(id=424242, organization_id=1, marketplace="aliexpress", credentials={"token": "t"},
                          base_url="http://ae.test")


def connector_answering(body: bytes) -> AliExpressConnector:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"Content-Type": "application/json"})

    client = httpx.Client(transport=httpx.MockTransport(answer))
    http = MarketplaceHttp(ALIEXPRESS_API, credentials=CONFIG.credentials, account_key="bad-input", client=client,
                           base_url=CONFIG.base_url)
    return AliExpressConnector(CONFIG, http=http)


def page(*orders) -> bytes:
    return json.dumps({"data": {"total_count": len(orders), "orders": list(orders)}, "error": None}).encode()


def test_defective_orders_become_payload_errors_and_the_good_one_is_mapped():
    good = order()
    body = page(
        good,
        order(id=5000000000000002, status="Vanished"),  # unknown status
        order(id=5000000000000003, total_amount=10**40),  # huge number
        order(id=5000000000000004, order_lines=[{"id": 1, "quantity": "two"}]),  # wrong types, missing fields
        {"id": 5000000000000005},  # truncated order
    )

    batch = connector_answering(body).fetch_changed_orders({})

    assert [dto.external_id for dto in batch.items] == ["5000123456789012"]
    assert [e.external_id for e in batch.errors] == [
        "5000000000000002", "5000000000000003", "5000000000000004", "5000000000000005"]
    assert json.loads(batch.errors[0].payload)["status"] == "Vanished"


def test_a_truncated_answer_is_kept_as_one_payload_error_and_the_page_is_read_again():
    body = page(order())[:150]
    cursor = {"updated_from": "2025-05-14T00:00:00+00:00", "page": 2, "scan_started": "2025-05-14T07:00:00+00:00"}

    batch = connector_answering(body).fetch_changed_orders(cursor)

    assert batch.items == []
    assert [e.kind for e in batch.errors] == ["order_page"]
    assert batch.errors[0].payload == body.decode()
    assert batch.cursor == cursor and not batch.has_more


def test_defective_orders_in_the_returns_scan_become_payload_errors():
    returned = order(status="Cancelled", order_display_status="Close",
                     logistic_orders=[shipment("ProviderPostingReturned")])
    body = page(returned, order(id=5000000000000006, logistic_orders=[shipment("Teleported")]))

    batch = connector_answering(body).fetch_returns({})

    assert [r.external_id for r in batch.items] == ["5000123456789012:non_purchase"]
    assert [e.external_id for e in batch.errors] == ["5000000000000006"]


def test_new_orders_survive_an_answer_that_is_not_json():
    batch = connector_answering(b"<html>502 Bad Gateway</html>").fetch_new_orders()

    assert batch.items == [] and [e.kind for e in batch.errors] == ["order_page"]
