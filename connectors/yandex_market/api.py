"""Yandex Market Partner API as data: the host, the documented limits, auth headers and how it refuses.

Facts (``yandex-market.md`` §1–2, the official spec's ``x-resource-limit-config``):

- one host, ``https://api.partner.market.yandex.ru``; auth by ``Api-Key: <token>`` (a cabinet token) or the legacy
  OAuth token as ``Authorization: Bearer <token>``;
- at most 4 simultaneous requests per campaign / business / cabinet, else HTTP 420 "Hit rate limit of 4 parallel
  requests for campaignId N";
- per-method budgets per period ("resources"), some counted in items (stock update: SKUs in ``skus``); every answer
  carries ``X-RateLimit-Resource-Limit``, ``-Remaining`` and ``-Until`` (RFC 822 date), and the excess is a 420 too;
- errors are ``{"status": "ERROR", "errors": [{"code", "message"}]}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from connectors.http import MarketplaceApi
from connectors.ratelimit import Limit

HOST = "https://api.partner.market.yandex.ru"
FAMILY = "partner"  # the only API family; ``api_base_urls={"partner": …}`` overrides it per connection

MAX_PARALLEL = 4
RATE_LIMIT_STATUS = 420

# Documented per-method budgets ("none" tier) for the methods the connector calls; cost is per request unless the
# spec counts items (noted). Market counts per hour or minute, so a burst of a few percent of the budget is taken at
# once (shipping a pick batch) and the rest is paced at the average rate.
LIMITS: dict[str, Limit] = {
    limit.name: limit
    for limit in (
        Limit("orders", 10_000, 3600, 200),  # POST /v1/businesses/{businessId}/orders
        Limit("order_status", 10_000, 3600, 300),  # POST …/orders/status-update, counted per order in the answer
        Limit("boxes", 10_000, 3600, 300),  # PUT …/orders/{orderId}/boxes
        Limit("labels", 10_000, 3600, 300),  # GET …/orders/{orderId}/delivery/labels
        Limit("cancellation", 500, 3600, 20),  # PUT …/orders/{orderId}/cancellation/accept
        Limit("stocks_update", 100_000, 60, 100_000),  # PUT …/offers/stocks, counted per SKU
        Limit("stocks_read", 100_000, 60, 100_000),  # POST …/offers/stocks, counted per offer answered
        Limit("returns", 5_000, 3600, 100),  # GET /v2/campaigns/{campaignId}/returns
        Limit("return_decisions", 5_000, 3600, 50),  # POST /v1/businesses/{businessId}/returns/decisions
        Limit("return_decision", 5_000, 3600, 50),  # POST …/returns/{returnId}/decision/submit
        Limit("warehouses", 100, 3600, 5),  # POST /v2/businesses/{businessId}/warehouses
        Limit("ff_warehouses", 100, 3600, 5),  # GET /v2/warehouses
        Limit("campaign", 5_000, 3600, 50),  # GET /v2/campaigns/{campaignId}
        Limit("campaigns", 1_000, 3600, 20),  # GET /v2/campaigns
    )
}

# Parallel-limit refusals carry no waiting hint; a short pause is enough for a slot to free up.
PARALLEL_RETRY_S = 0.5
UNTIL_PRECISION_S = 0.5


@dataclass(frozen=True)
class YandexMarketApi(MarketplaceApi):
    marketplace: str = "yandex_market"
    hosts: Mapping[str, str] = field(default_factory=lambda: {FAMILY: HOST})
    limits: Mapping[str, Limit] = field(default_factory=lambda: dict(LIMITS))
    max_parallel: int | None = MAX_PARALLEL
    rate_limit_statuses: frozenset[int] = frozenset({RATE_LIMIT_STATUS})

    def auth_headers(self, credentials: Mapping[str, Any]) -> dict[str, str]:
        if credentials.get("api_key"):
            return {"Api-Key": str(credentials["api_key"])}
        if credentials.get("oauth_token"):  # legacy Yandex ID token, still accepted by Market
            return {"Authorization": f"Bearer {credentials['oauth_token']}"}
        return {}

    def retry_after(self, response: httpx.Response) -> float | None:
        """Seconds to wait after a 420: until the resource window ends when it is spent, else a short pause."""
        standard = super().retry_after(response)
        if standard is not None:
            return standard
        if response.status_code != RATE_LIMIT_STATUS:
            return None
        return resource_wait(response.headers) or PARALLEL_RETRY_S

    def error_message(self, response: httpx.Response) -> str:
        try:
            body = response.json()
        except ValueError:
            return response.text[:500]
        errors = body.get("errors") if isinstance(body, dict) else None
        if isinstance(errors, list) and errors:
            parts = []
            for error in errors[:10]:
                if isinstance(error, dict):
                    code, message = error.get("code") or "", error.get("message") or ""
                    parts.append(f"{code}: {message}" if code and message else str(code or message))
            if parts:
                return "; ".join(parts)
        return super().error_message(response)


def resource_wait(headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    """When ``X-RateLimit-Resource-Remaining`` is 0, the seconds until ``X-RateLimit-Resource-Until``.

    The header has whole seconds, so half a second more is waited to land after the window really ends.
    """
    remaining, until = headers.get("X-RateLimit-Resource-Remaining"), headers.get("X-RateLimit-Resource-Until")
    if remaining is None or until is None:
        return None
    try:
        if int(remaining) > 0:
            return None
        ends = parsedate_to_datetime(until)
    except (TypeError, ValueError):
        return None
    if ends.tzinfo is None:
        ends = ends.replace(tzinfo=UTC)
    return max(0.0, (ends - (now or datetime.now(UTC))).total_seconds()) + UNTIL_PRECISION_S


API = YandexMarketApi()
