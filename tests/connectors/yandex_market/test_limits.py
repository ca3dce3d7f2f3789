"""Market's limits (420 for 4 parallel requests and for spent resource budgets), retries and failures."""

from __future__ import annotations

import random
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import httpx
import pytest

from connectors.errors import MarketplaceUnavailable
from connectors.ratelimit import Limit
from connectors.yandex_market.api import LIMITS, resource_wait
from tests.connectors.yandex_market.conftest import API_KEY, MP, fast_api, make_config, make_connector, seller_spec


@pytest.fixture
def slow_seller(ym):
    """Every request of this seller holds its parallel slot for a moment, so requests overlap."""
    return ym.create_seller(seller_spec(account={"latency_s": 0.25}))


def test_a_fifth_simultaneous_request_is_refused_with_420(sandbox, slow_seller):
    campaign_id = slow_seller["account"]["campaign_id"]
    url = f"{sandbox.url(MP)}/v2/campaigns/{campaign_id}"

    with ThreadPoolExecutor(5) as pool:
        answers = list(pool.map(lambda _: httpx.get(url, headers={"Api-Key": API_KEY}, timeout=5), range(5)))

    refused = [a for a in answers if a.status_code == 420]
    assert len(refused) == 1
    assert refused[0].json() == {"status": "ERROR", "errors": [{
        "code": "LIMIT_EXCEEDED", "message": f"Hit rate limit of 4 parallel requests for campaignId {campaign_id}"}]}


def test_the_connector_keeps_to_four_requests_in_flight(sandbox, ym, slow_seller):
    config = make_config(sandbox.url(MP), slow_seller["account"])

    with ThreadPoolExecutor(8) as pool:
        checks = list(pool.map(lambda _: make_connector(config).check(), range(8)))

    assert len(checks) == 8
    assert not [r for r in ym.requests(marketplace=MP) if r["rate_limited"]]


def test_a_parallel_refusal_is_retried_until_it_goes_through(sandbox, ym, slow_seller):
    config = make_config(sandbox.url(MP), slow_seller["account"])
    unguarded = fast_api(max_parallel=None)  # as if another program used the same shop

    with ThreadPoolExecutor(6) as pool:
        checks = list(pool.map(lambda _: make_connector(config, api=unguarded).check(), range(6)))

    assert len(checks) == 6
    assert [r for r in ym.requests(marketplace=MP) if r["rate_limited"]]


def test_every_answer_carries_the_resource_headers(sandbox, seller):
    answer = httpx.get(f"{sandbox.url(MP)}/v2/campaigns/{seller['account']['campaign_id']}",
                       headers={"Api-Key": API_KEY})

    assert answer.headers["X-RateLimit-Resource-Limit"] == "5000"
    assert answer.headers["X-RateLimit-Resource-Remaining"] == "4999"
    assert answer.headers["X-RateLimit-Resource-Until"].endswith("GMT")


def test_a_spent_budget_is_waited_out_from_the_until_header(sandbox, ym):
    account = ym.create_seller(seller_spec(account={"resource_limits": {"getCampaign": [2, 1]}}))["account"]
    connector = make_connector(make_config(sandbox.url(MP), account))

    started = time.monotonic()
    for _ in range(3):
        connector.check()
    elapsed = time.monotonic() - started

    refused = [r for r in ym.requests(marketplace=MP) if r["status"] == 420]
    assert len(refused) == 1
    assert elapsed < 3.0


def test_the_until_header_tells_how_long_to_wait():
    headers = {"X-RateLimit-Resource-Remaining": "0", "X-RateLimit-Resource-Until": "Thu, 10 Jul 2018 00:42:42 GMT"}

    wait = resource_wait(headers, now=datetime(2018, 7, 10, 0, 42, 30, tzinfo=UTC))

    assert wait == pytest.approx(12.5)  # to the stated second, plus half a second for its precision
    assert resource_wait({**headers, "X-RateLimit-Resource-Remaining": "3"}) is None
    assert resource_wait({}) is None


def test_the_local_limiter_spaces_requests_at_the_documented_rate(sandbox, ym, seller):
    tight = fast_api(limits={**LIMITS, "campaign": Limit("campaign", 5, 1, 1)})
    connector = make_connector(make_config(sandbox.url(MP), seller["account"]), api=tight)

    started = time.monotonic()
    for _ in range(3):
        connector.check()

    assert time.monotonic() - started >= 0.35
    assert not [r for r in ym.requests(marketplace=MP) if r["status"] == 420]


def test_server_errors_are_retried_then_reported_unavailable(sandbox, ym, seller):
    ym.set_faults(error_rate=1.0)
    connector = make_connector(make_config(sandbox.url(MP), seller["account"]), max_attempts=3)

    with pytest.raises(MarketplaceUnavailable):
        connector.check()

    assert [r["status"] >= 500 for r in ym.requests(marketplace=MP)] == [True, True, True]


def test_a_passing_server_error_is_retried_and_the_call_succeeds(sandbox, ym, seller):
    seed = next(s for s in range(100) if random.Random(s).random() < 0.5)  # the first answer fails
    sandbox.world.random.seed(seed)
    ym.set_faults(error_rate=0.5)
    connector = make_connector(make_config(sandbox.url(MP), seller["account"]), max_attempts=8)

    assert "campaign" in connector.check()
    statuses = [r["status"] for r in ym.requests(marketplace=MP)]
    assert statuses[0] >= 500 and statuses[-1] == 200
