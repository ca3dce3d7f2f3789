"""WB's HTTP rules through the shared layer, against the sandbox: documented rate limits and their headers, the
4xx-costs-ten rule, retries, auth, hosts per API family."""

from __future__ import annotations

import dataclasses
import re
import time

import httpx
import pytest

from connectors.errors import AuthRejected, MarketplaceUnavailable
from connectors.ratelimit import Limit, get_limiter
from connectors.sandbox.registry import app_class
from connectors.sandbox.world import World
from connectors.specs import SpecValidator, specs_available
from connectors.wb.api import WB_API, WbHttp
from tests.connectors.wb.conftest import build_connector, fast_api, make_token, seller_spec


@pytest.fixture
def limited_seller(wb):
    """A seller on the documented limits."""
    return wb.create_seller(seller_spec(rate_limits={}))


def test_the_sandbox_refuses_past_the_documented_burst_with_wbs_429_headers(sandbox, limited_seller):
    headers = {"Authorization": limited_seller["credentials"]["token"]}
    with httpx.Client(base_url=sandbox.url("wb"), headers=headers) as client:
        answers = [client.get("/api/v3/orders/new") for _ in range(25)]

    assert [a.status_code for a in answers[:20]] == [200] * 20
    assert [int(a.headers["X-Ratelimit-Remaining"]) for a in answers[:3]] == [19, 18, 17]
    refused = next(a for a in answers[20:] if a.status_code == 429)
    assert refused.headers["X-Ratelimit-Limit"] == "20" and int(refused.headers["X-Ratelimit-Retry"]) >= 1
    assert int(refused.headers["X-Ratelimit-Reset"]) >= 1 and "X-Ratelimit-Remaining" not in refused.headers
    assert refused.json()["title"] == "too many requests"


def test_a_refused_marketplace_request_costs_ten_tokens_on_wb(sandbox, limited_seller):
    headers = {"Authorization": limited_seller["credentials"]["token"]}
    with httpx.Client(base_url=sandbox.url("wb"), headers=headers) as client:
        refused = [client.patch(f"/api/v3/supplies/WB-GI-{n}/deliver").status_code for n in (1, 2)]
        after = client.get("/api/v3/orders/new")

    assert refused == [404, 404] and after.status_code == 429


def test_the_connector_waits_out_wbs_429_and_gets_its_answer(sandbox, limited_seller):
    connector = build_connector(sandbox, limited_seller)  # no local limit: it runs into WB's

    for _call in range(24):
        connector.fetch_new_orders()

    assert connector.http.stats.rate_limited >= 1 and connector.http.stats.errors == 0


def test_the_local_limiter_keeps_the_connector_under_wbs_limit(sandbox, wb):
    seller = wb.create_seller(seller_spec(rate_limits={"marketplace": [10, 1, 2]}))
    # A little under WB's pace: WB counts a request when it arrives, after the network's jitter.
    api = dataclasses.replace(fast_api(), limits={**fast_api().limits, "marketplace": Limit("marketplace", 8, 1, 2)})
    connector = build_connector(sandbox, seller, api=api)
    httpx.get(f"{sandbox.url('wb')}/api/v1/seller-info", headers={"Authorization": seller["credentials"]["token"]})
    started = time.monotonic()

    for _call in range(6):
        connector.fetch_new_orders()

    assert connector.http.stats.rate_limited == 0 and time.monotonic() - started >= 0.3


def test_a_refused_marketplace_request_costs_ten_tokens_locally_too(sandbox, seller):
    api = dataclasses.replace(fast_api(), limits={**fast_api().limits,
                                                  "marketplace_cancel": Limit("marketplace_cancel", 1, 1, 10)})
    connector = build_connector(sandbox, seller, api=api)

    refused = connector.cancel_order("4999999999")

    wait = get_limiter().acquire(f"wb:{connector.http.account_key}:marketplace_cancel", api.limits["marketplace_cancel"])
    assert not refused.ok and "NotFound" in refused.error and wait > 0.5


def test_server_errors_are_retried_then_reported_as_unavailable(sandbox, wb, seller):
    connector = build_connector(sandbox, seller, max_attempts=3)
    wb.set_faults(error_rate=1.0)

    with pytest.raises(MarketplaceUnavailable):
        connector.fetch_new_orders()

    assert (connector.http.stats.requests, connector.http.stats.retries) == (3, 2)


def test_a_token_without_the_statistics_category_is_rejected_there(sandbox, wb):
    spec = seller_spec("s3")
    spec["credentials"]["token"] = make_token(1 << 3, seller="s3")  # marketplace only
    connector = build_connector(sandbox, wb.create_seller(spec))

    assert connector.fetch_new_orders().errors == []
    with pytest.raises(AuthRejected, match="scope"):
        connector.fetch_fbo_orders({})


def test_a_bearer_prefixed_token_is_not_what_wb_documents(sandbox, seller):
    answer = httpx.get(f"{sandbox.url('wb')}/api/v3/orders/new",
                       headers={"Authorization": f"Bearer {seller['credentials']['token']}"})

    assert answer.status_code == 401 and answer.json()["title"] == "unauthorized"


def test_a_family_override_wins_over_the_base_url(sandbox, seller):
    dead = "http://127.0.0.1:9"
    connector = build_connector(sandbox, seller, base_url=dead, api_base_urls={"marketplace": sandbox.url("wb")},
                                max_attempts=1)

    assert connector.fetch_new_orders().errors == []
    with pytest.raises(MarketplaceUnavailable):
        connector.fetch_fbo_orders({})


def test_without_overrides_every_family_goes_to_its_real_wb_host():
    http = WbHttp(WB_API, credentials={"token": "t"}, account_key="1")

    assert [http.url(f, "/x") for f in ("marketplace", "statistics", "analytics", "returns", "content", "common")] == [
        "https://marketplace-api.wildberries.ru/x", "https://statistics-api.wildberries.ru/x",
        "https://seller-analytics-api.wildberries.ru/x", "https://returns-api.wildberries.ru/x",
        "https://content-api.wildberries.ru/x", "https://common-api.wildberries.ru/x"]
    assert http.api.auth_headers({"token": " jwt "}) == {"Authorization": "jwt"}


@pytest.mark.skipif(not specs_available("wb"), reason="the official WB specs are absent")
def test_the_sandbox_serves_only_paths_the_official_spec_documents():
    routes = app_class("wb")(World()).router.routes
    validator = SpecValidator.for_marketplace("wb")

    undocumented = [f"{method} {template}" for method, _pattern, template, _handler in routes
                    if validator.find_operation(method, re.sub(r"\{\w+\}", "1", template)) is None]

    assert undocumented == []
