"""AliExpress Russia's HTTP facts as data: host, auth header, limits, the ``{"data", "error"}`` envelope.

Sources: aliexpress.md §1 (host, ``x-auth-token``), §2 (envelope, HTTP codes, limits). AliExpress publishes no
numeric per-method rate limits (UNCONFIRMED, §2.2): we pace like the integrators the doc cites (≈4 concurrent,
≥100 ms between calls, 60 s back-off on 429) and count stock updates against the one documented quota, 100 000
products per 4 hours (documented for product create/edit; whether stock updates count is UNCONFIRMED — one client
applies it to every product update, so do we).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from connectors.errors import (
    AuthRejected,
    BadRequest,
    Conflict,
    MarketplaceError,
    MarketplaceUnavailable,
    NotFound,
    RateLimited,
)
from connectors.http import MarketplaceApi
from connectors.ratelimit import Limit

MARKETPLACE = "aliexpress"

# Both path families live on one host. The current docs name openapi.ru.laliexpress.com; the historic
# openapi.aliexpress.ru (used by every client library) may still answer — UNCONFIRMED, so the host is configurable
# per connection (base_url / api_base_urls) and we default to what the current official docs say.
HOST = "https://openapi.ru.laliexpress.com"
API = "api"  # /api/v1/... — catalogue, stock, prices, tasks, offline-ship
SELLER = "seller"  # /seller-api/v1/... — orders, logistic orders, labels, handover lists

#: Every call of the account (UNCONFIRMED numbers: the integrators' pacing, ≥100 ms between calls).
ACCOUNT_LIMIT = "account"
#: Products sent in stock updates: ≤100 000 per 4 hours (documented for create/edit; applied to stock, UNCONFIRMED).
PRODUCT_UPDATES_LIMIT = "product_updates"

# Error codes the logistics docs list (§2.1) and what they mean for us.
_NOT_FOUND_CODES = frozenset({"OrderNotFound", "HandoverListNotFound", "SellerMismatch", "LogisticProviderNotFound"})
_CONFLICT_CODES = frozenset({"WrongHandoverListStatusError", "RemoveOrdersFromBatch"})
# Third-party code detects an expired/invalid token by these words in the message (§2.2).
_TOKEN_WORDS = ("GetTokenByID", "cannot GetToken")


def envelope_error(body: Any) -> dict[str, Any] | None:
    """The envelope's ``error`` object when the answer reports a failure, else None."""
    if not isinstance(body, dict):
        return None
    error = body.get("error")
    if error in (None, "", {}, []):
        return None
    if isinstance(error, dict):
        return error
    return {"code": None, "message": str(error)}


def error_code(error: Mapping[str, Any]) -> str:
    """``ErrorCode.OrderNotFound`` → ``OrderNotFound``; integer codes (``999``, ``429``) → their text."""
    code = error.get("code")
    text = "" if code is None else str(code)
    return text.removeprefix("ErrorCode.")


@dataclass(frozen=True)
class AliExpressApi(MarketplaceApi):
    #: Seconds to wait after a 429 that names no wait. No retry header is documented; integrators wait 60 s.
    rate_limit_backoff_s: float = 60.0

    def auth_headers(self, credentials: Mapping[str, Any]) -> dict[str, str]:
        token = str(credentials.get("token") or "")
        # x-request-locale picks the language of error texts; the seller reads them in Russian.
        return {"x-auth-token": token, "x-request-locale": "ru_RU"}

    def retry_after(self, response: httpx.Response) -> float | None:
        stated = super().retry_after(response)
        return self.rate_limit_backoff_s if stated is None else stated

    def error_message(self, response: httpx.Response) -> str:
        body = _json_or_none(response)
        error = envelope_error(body)
        if error is not None:
            code, message = error_code(error), str(error.get("message") or "")
            return f"{code}: {message}" if code and message else (message or code)
        return super().error_message(response)

    def classify(self, response: httpx.Response) -> MarketplaceError | None:
        status = response.status_code
        body = _json_or_none(response) if _looks_like_json(response) else None
        error = envelope_error(body)
        if status < 400 and error is None:
            return None
        message = self.error_message(response)
        code = error_code(error) if error else ""
        # A 200 may still carry a request-level failure in the envelope (§2.1 "200 OK does not mean success");
        # a code of 429 there is the rate limit (one client library maps it so).
        if status == 429 or code == "429":
            return RateLimited(message, http_status=status, retry_after=self.retry_after(response))
        if status in (401, 403) or code == "401" or any(word in message for word in _TOKEN_WORDS):
            return AuthRejected(message, http_status=status)
        if status >= 500 or status == 499:
            return MarketplaceUnavailable(message, http_status=status)
        if status == 404 or code in _NOT_FOUND_CODES:
            return NotFound(message, http_status=status)
        if status == 409 or code in _CONFLICT_CODES:
            return Conflict(message, http_status=status)
        return BadRequest(message, http_status=status)


def _looks_like_json(response: httpx.Response) -> bool:
    return "json" in response.headers.get("content-type", "") and b'"error"' in response.content


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content) if response.content else None
    except ValueError:
        return None


ALIEXPRESS_API = AliExpressApi(
    marketplace=MARKETPLACE,
    hosts={API: HOST, SELLER: HOST},
    limits={
        ACCOUNT_LIMIT: Limit(ACCOUNT_LIMIT, rate=10, period_s=1.0, burst=1),
        PRODUCT_UPDATES_LIMIT: Limit(PRODUCT_UPDATES_LIMIT, rate=100_000, period_s=4 * 3600.0, burst=100_000),
    },
    max_parallel=4,
    rate_limit_statuses=frozenset({429}),
)
