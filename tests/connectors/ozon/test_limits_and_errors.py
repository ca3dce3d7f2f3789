"""Ozon's documented limits as the sandbox enforces them, and how the connector's HTTP layer copes; error classes."""

from __future__ import annotations

import dataclasses
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from connectors.errors import AuthRejected, MarketplaceUnavailable, NotFound, RateLimited
from connectors.http import MarketplaceHttp
from connectors.ozon.api import ACCOUNT_LIMIT, OZON_API, STOCKS_LIMIT
from connectors.ozon.connector import OzonConnector
from connectors.ratelimit import Limit

PER_SECOND = {"code": 8, "message": "You have reached request rate limit per second", "details": []}


def raw_client(sandbox, seller) -> httpx.Client:
    return httpx.Client(base_url=sandbox.url("ozon"), timeout=10, headers={
        "Client-Id": seller["credentials"]["client_id"], "Api-Key": seller["credentials"]["api_key"]})


def connector_with(config, api=OZON_API, **http_options) -> OzonConnector:
    http = MarketplaceHttp(api, credentials=config.credentials, account_key=str(config.id),
                           base_url=config.base_url, **http_options)
    return OzonConnector(config, http=http)


def test_the_sandbox_refuses_past_fifty_requests_a_second_as_ozon_does(sandbox, seller):
    with raw_client(sandbox, seller) as client, ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda _: client.post("/v1/seller/info", json={}), range(70)))
    refused = [a for a in answers if a.status_code == 429]
    assert refused and sum(a.status_code == 200 for a in answers) <= 50
    assert refused[0].json() == PER_SECOND
    assert "Retry-After" not in refused[0].headers  # Ozon documents no retry header


def test_the_sandbox_refuses_the_81st_stock_update_request_in_a_minute(sandbox, seller, app, monkeypatch):
    monkeypatch.setattr(app, "account_rps", 10_000)  # isolate the per-method limit from the account one
    body = {"stocks": [{"offer_id": "MUG-WHT", "product_id": 1, "stock": 1, "warehouse_id": 1020001239876000}]}
    with raw_client(sandbox, seller) as client:
        statuses = [client.post("/v2/products/stocks", json=body).status_code for _ in range(81)]
    assert statuses[:80] == [200] * 80
    assert statuses[80] == 429


def test_the_sandbox_refuses_more_than_a_hundred_pairs_in_one_request(sandbox, seller):
    body = {"stocks": [{"offer_id": f"A-{i}", "product_id": 1, "stock": 1, "warehouse_id": 1} for i in range(101)]}
    with raw_client(sandbox, seller) as client:
        answer = client.post("/v2/products/stocks", json=body)
    assert answer.status_code == 400 and answer.json()["code"] == 3


def test_after_a_429_the_connector_waits_and_its_requests_still_succeed(sandbox, config, app, monkeypatch, ozon):
    monkeypatch.setattr(app, "account_rps", 3)
    unpaced = dataclasses.replace(OZON_API, limits={**OZON_API.limits,
                                                     ACCOUNT_LIMIT: Limit(ACCOUNT_LIMIT, 1000, 1.0, 1000)})
    connector = connector_with(config, unpaced)
    names = [connector.check() for _ in range(5)]
    assert len(set(names)) == 1
    assert connector.http.stats.rate_limited >= 1
    assert any(r["status"] == 429 for r in ozon.requests(marketplace="ozon"))


def test_the_connector_paces_itself_so_ozon_never_refuses(sandbox, config, app, monkeypatch):
    monkeypatch.setattr(app, "account_rps", 6)
    slow = dataclasses.replace(OZON_API, limits={**OZON_API.limits, ACCOUNT_LIMIT: Limit(ACCOUNT_LIMIT, 5, 1.0, 1)})
    connector = connector_with(config, slow)
    started = time.monotonic()
    for _ in range(6):
        connector.check()
    assert connector.http.stats.rate_limited == 0
    assert time.monotonic() - started >= 0.9


def test_the_local_limits_never_let_more_through_than_ozon_documents():
    # GCRA passes ``burst`` at once and then ``rate`` per period: the worst window holds both.
    stocks, account = OZON_API.limits[STOCKS_LIMIT], OZON_API.limits[ACCOUNT_LIMIT]
    assert stocks.rate * 60 / stocks.period_s + stocks.burst <= 80
    assert account.rate / account.period_s + account.burst <= 50


def test_server_errors_are_retried_then_reported_as_ozon_unavailable(sandbox, config, ozon):
    ozon.set_faults(error_rate=1.0)
    connector = connector_with(config, max_attempts=3)
    with pytest.raises(MarketplaceUnavailable):
        connector.check()
    assert [r["status"] >= 500 for r in ozon.requests(marketplace="ozon")] == [True, True, True]


def ozon_answer(status: int, body: dict) -> httpx.Response:
    return httpx.Response(status, json=body, request=httpx.Request("POST", "https://api-seller.ozon.ru/v1/x"))


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (403, {"code": 7, "message": "Invalid Api-Key, please check the key and try again"}, AuthRejected),
        (400, {"code": 3, "message": "Api-Key is restricted to specific IP addresses"}, AuthRejected),
        (401, {"code": 16, "message": "Client-Id and Api-Key headers are required"}, AuthRejected),
        (404, {"code": 5, "message": "POSTING_NOT_FOUND"}, NotFound),
        (429, {"code": "RESOURCE_EXHAUSTED", "message": "You have reached operation items limits"}, RateLimited),
        (503, {"code": 14, "message": "Circle is open"}, MarketplaceUnavailable),
    ],
)
def test_ozon_error_answers_are_classified(status, body, error):
    found = OZON_API.classify(ozon_answer(status, body))
    assert type(found) is error
    assert body["message"] in found.detail


def test_the_per_second_limit_is_retried_after_a_second():
    assert OZON_API.classify(ozon_answer(429, PER_SECOND)).retry_after == 1.0


def test_the_sandbox_answers_a_request_without_keys_as_unauthenticated(sandbox):
    with httpx.Client(base_url=sandbox.url("ozon")) as client:
        answer = client.post("/v1/seller/info", json={})
    assert answer.status_code == 401
    assert answer.json() == {"code": 16, "message": "Client-Id and Api-Key headers are required", "details": []}


def test_every_method_the_sandbox_emulates_is_a_current_method_of_the_official_spec(app):
    from connectors.specs import SpecValidator

    validator = SpecValidator.for_marketplace("ozon")
    if validator is None:
        pytest.skip("the official Ozon spec is not present (../shared/marketplaces/specs/ozon)")
    templates = [template for _method, _pattern, template, _handler in app.router.routes]
    assert len(templates) == 26  # 15 for orders, stock and returns; 11 for rFBS return and cancellation requests
    for template in templates:
        operation = validator.find_operation("POST", template)
        assert operation is not None and operation.spec_file.startswith("ozon/2026-06-11"), template
