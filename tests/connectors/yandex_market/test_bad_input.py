"""Broken answers from Market: bad items become payload errors, the rest of the page is taken, nothing crashes.

The sandbox only speaks valid JSON, so these answers come from an ``httpx.MockTransport`` in place of the network.
"""

from __future__ import annotations

import copy
import json

import httpx

from connectors.base import ConnectionConfig
from connectors.http import MarketplaceHttp
from connectors.yandex_market.api import API
from connectors.yandex_market.connector import YandexMarketConnector
from tests.connectors.yandex_market.conftest import connection_id
from tests.connectors.yandex_market.payloads import ORDER, RETURN


def connector_answering(answer) -> YandexMarketConnector:
    """A connector whose every request gets ``answer(request)``."""
    config = ConnectionConfig(id=connection_id(), organization_id=1, marketplace="yandex_market",
                              credentials={"api_key": "k"}, base_url="http://market.test",
                              options={"business_id": 7001, "campaign_id": 21001})
    http = MarketplaceHttp(API, credentials=config.credentials, account_key=str(config.id), base_url=config.base_url,
                           client=httpx.Client(transport=httpx.MockTransport(answer)), max_attempts=2)
    return YandexMarketConnector(config, http=http)


def order(order_id, **changes):
    raw = copy.deepcopy(ORDER) | {"orderId": order_id}
    raw.update(changes)
    return raw


def test_bad_orders_in_a_page_are_kept_and_the_good_ones_ingested():
    no_delivery = order(2)
    del no_delivery["delivery"]
    wrong_type = order(3, creationDate=20250514)
    unknown = order(4, status="PROCESSING", substatus="BEAMED_UP")
    huge = order(5)
    huge["prices"]["delivery"]["payment"]["value"] = 9e20
    page = {"orders": [no_delivery, wrong_type, order(1), unknown, huge, "garbage"]}
    connector = connector_answering(lambda request: httpx.Response(200, json=page))

    batch = connector.fetch_changed_orders({})

    assert [dto.external_id for dto in batch.items] == ["1"]
    assert [error.external_id for error in batch.errors] == ["2", "3", "4", "5", ""]
    assert json.loads(batch.errors[2].payload)["substatus"] == "BEAMED_UP"
    assert "next_from" in batch.cursor


def test_a_cut_off_page_is_kept_verbatim_and_the_cursor_does_not_move():
    cursor = {"next_from": "2025-05-14T06:00:00+00:00"}
    connector = connector_answering(lambda request: httpx.Response(200, content=b'{"orders": [{"orderId": 1, "sta'))

    batch = connector.fetch_changed_orders(cursor)

    assert batch.items == [] and batch.cursor == cursor and not batch.has_more
    assert batch.errors[0].payload == '{"orders": [{"orderId": 1, "sta'


def test_a_page_without_its_list_is_a_payload_error_not_a_crash():
    connector = connector_answering(lambda request: httpx.Response(200, json={"result": {"orders": "later"}}))

    batch = connector.fetch_new_orders()

    assert batch.items == [] and len(batch.errors) == 1


def test_bad_returns_in_a_page_are_kept_and_the_good_ones_ingested():
    broken = copy.deepcopy(RETURN) | {"id": 2, "refundStatus": "PAID_IN_GOLD"}
    answers = {
        "/v2/campaigns": {"campaigns": []},
        "/v1/businesses/7001/orders": {"orders": []},
        "/v2/campaigns/21001/returns": {"status": "OK", "result": {"returns": [broken, copy.deepcopy(RETURN)]}},
    }
    connector = connector_answering(lambda request: httpx.Response(200, json=answers[request.url.path]))

    batch = connector.fetch_returns({})

    assert [dto.external_id for dto in batch.items] == ["3300221"]
    assert [error.external_id for error in batch.errors] == ["2"]
    assert "PAID_IN_GOLD" in batch.errors[0].error
