"""AliExpress limits, auth and failures through the shared HTTP layer, against the sandbox over real HTTP."""

from __future__ import annotations

import time

import httpx
import pytest

from connectors.aliexpress.api import ALIEXPRESS_API
from connectors.errors import AuthRejected, BadRequest, Conflict, MarketplaceUnavailable, NotFound, RateLimited
from tests.connectors.aliexpress.conftest import WAREHOUSE, fast_api, make_connector
from tests.connectors.aliexpress.test_stocks_and_returns import update


def _seller(ae, **account):
    return ae.create_seller({
        "id": "ae-limited", "credentials": {"token": "limited-token"}, "account": {"task_delay_s": 0, **account},
        "warehouses": [{"id": WAREHOUSE}],
        "products": [{"offer_id": f"SKU-{n}", "stocks": {WAREHOUSE: 1}} for n in range(5)],
    })


def test_unknown_token_is_rejected_as_auth(sandbox, seller):
    connector = make_connector(sandbox, token="expired-token")

    with pytest.raises(AuthRejected, match="GetTokenByID"):
        connector.check()


def test_auth_rejection_is_not_retried(sandbox, seller, ae):
    connector = make_connector(sandbox, token="expired-token")

    with pytest.raises(AuthRejected):
        connector.fetch_new_orders()

    assert [r["status"] for r in ae.requests(marketplace="aliexpress")] == [401]


def test_server_errors_are_retried_then_reported_unavailable(sandbox, seller, ae):
    connector = make_connector(sandbox, api=fast_api(), max_attempts=3)
    ae.set_faults(error_rate=1.0)

    with pytest.raises(MarketplaceUnavailable):
        connector.check()

    assert connector.http.stats.retries == 2
    assert len(ae.requests(marketplace="aliexpress")) == 3


def test_a_timeout_is_reported_unavailable(sandbox, seller, ae):
    connector = make_connector(sandbox, api=fast_api(), max_attempts=1, timeout=0.3)
    ae.set_faults(timeout_rate=1.0, timeout_s=0.6)

    with pytest.raises(MarketplaceUnavailable):
        connector.check()


def test_bursts_of_stock_updates_get_429_and_the_connector_backs_off_and_succeeds(sandbox, ae):
    seller = _seller(ae, stock_rps=2)
    # No retry header is documented: the connector waits its own back-off (60 s for real, 0.3 s here).
    connector = make_connector(sandbox, api=fast_api(rate_limit_backoff_s=0.3), token="limited-token", max_attempts=6)

    results = [connector.push_stocks([update(seller, f"SKU-{n}", n)])[0] for n in range(4)]

    assert all(r.accepted for r in results)
    assert connector.http.stats.rate_limited >= 1
    refused = [r for r in ae.requests(marketplace="aliexpress") if r["status"] == 429]
    assert refused and all(r["path"] == "/api/v1/product/update-sku-stock" for r in refused)


def test_over_the_product_update_quota_the_push_is_refused_as_rate_limited(sandbox, ae):
    seller = _seller(ae, product_update_quota=2)
    connector = make_connector(sandbox, api=fast_api(), token="limited-token", max_attempts=2)
    connector.push_stocks([update(seller, "SKU-0", 1), update(seller, "SKU-1", 1)])

    with pytest.raises(RateLimited, match="4 hours"):
        connector.push_stocks([update(seller, "SKU-2", 1)])

    refused = [r for r in ae.stock_updates(marketplace="aliexpress") if not r["accepted"]]
    assert {r["offer_id"] for r in refused} == {"SKU-2"}


def test_the_sandbox_refuses_more_than_1000_products_per_stock_update(sandbox, seller):
    body = {"products": [{"product_id": 1005000000000000 + n, "skus": [{"sku_code": "X", "inventory": 1}]}
                         for n in range(1001)]}

    response = httpx.post(f"{sandbox.url('aliexpress')}/api/v1/product/update-sku-stock", json=body,
                          headers={"x-auth-token": "ae-jwt-token-of-the-test-seller"})

    assert response.status_code == 400
    assert response.json() == {"data": None, "error": {"code": 400, "message": "at most 1000 products per request"}}


def test_the_documented_pacing_spaces_calls_by_100_ms(sandbox, seller):
    connector = make_connector(sandbox)  # the real AliExpress API definition
    started = time.monotonic()

    for _ in range(5):
        connector.check()

    assert time.monotonic() - started >= 0.4
    assert ALIEXPRESS_API.max_parallel == 4


def _response(status: int, body: dict, headers: dict | None = None) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


def test_a_429_code_inside_a_200_envelope_is_a_rate_limit():
    error = ALIEXPRESS_API.classify(_response(200, {"data": None, "error": {"code": 429, "message": "limit"}}))

    assert isinstance(error, RateLimited) and error.retry_after == 60.0


def test_a_stated_retry_after_wins_over_the_default_back_off():
    error = ALIEXPRESS_API.classify(_response(429, {"data": None, "error": {"code": 429, "message": "slow"}},
                                              {"Retry-After": "3"}))

    assert error.retry_after == 3.0


@pytest.mark.parametrize(
    ("code", "kind"),
    [("ErrorCode.OrderNotFound", NotFound), ("ErrorCode.HandoverListNotFound", NotFound),
     ("ErrorCode.SellerMismatch", NotFound), ("ErrorCode.WrongHandoverListStatusError", Conflict), (999, BadRequest)],
)
def test_logistics_error_codes_are_classified(code, kind):
    error = ALIEXPRESS_API.classify(_response(400, {"data": None, "error": {"code": code, "message": "no"}}))

    assert type(error) is kind and error.detail.endswith("no")


def test_a_successful_envelope_is_not_an_error():
    assert ALIEXPRESS_API.classify(_response(200, {"data": {"total_count": 0, "orders": []}, "error": None})) is None
