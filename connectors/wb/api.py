"""Wildberries' HTTP facts as data: hosts per API family, documented limits, auth, retry headers, error shapes.

Every WB API family ("category" of a token) lives on its own host. A connection's ``base_url`` replaces all of them
(the paths stay as documented); ``api_base_urls`` overrides single families by the names in ``HOSTS``.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from connectors.errors import ConfigurationError, MarketplaceError, RateLimited
from connectors.http import MarketplaceApi, MarketplaceHttp
from connectors.ratelimit import Limit

logger = logging.getLogger(__name__)

# API family → production host (wildberries.md §1.1). The family names are what ``api_base_urls`` keys use.
HOSTS: dict[str, str] = {
    "marketplace": "https://marketplace-api.wildberries.ru",
    "content": "https://content-api.wildberries.ru",
    "prices": "https://discounts-prices-api.wildberries.ru",
    "statistics": "https://statistics-api.wildberries.ru",
    "analytics": "https://seller-analytics-api.wildberries.ru",
    "finance": "https://finance-api.wildberries.ru",
    "documents": "https://documents-api.wildberries.ru",
    "feedbacks": "https://feedbacks-api.wildberries.ru",
    "chat": "https://buyer-chat-api.wildberries.ru",
    "returns": "https://returns-api.wildberries.ru",
    "supplies": "https://supplies-api.wildberries.ru",
    "promotion": "https://advert-api.wildberries.ru",
    "common": "https://common-api.wildberries.ru",
    "users": "https://user-management-api.wildberries.ru",
}

# Documented limits for a Personal token (spec "description_limit" tables, wildberries.md §12.3). Each name is one
# token bucket per seller account; the connector names the bucket of every call it makes.
LIMITS: dict[str, Limit] = {
    # FBS assembly tasks, supplies, passes, auto-return settings: 300/min, 200 ms, burst 20.
    "marketplace": Limit("marketplace", 300, 60, 20),
    # PATCH /api/v3/orders/{orderId}/cancel: 100/min, 600 ms, burst 20.
    "marketplace_cancel": Limit("marketplace_cancel", 100, 60, 20),
    # Seller-warehouse stock methods except delete: 300/min, 200 ms, burst 20.
    "stocks": Limit("stocks", 300, 60, 20),
    # Seller warehouse methods: 300/min, 200 ms, burst 20.
    "warehouses": Limit("warehouses", 300, 60, 20),
    # GET /api/v1/supplier/orders: 1/min, burst 10.
    "statistics_orders": Limit("statistics_orders", 1, 60, 10),
    # GET /api/v1/supplier/sales: 1/min, burst 1.
    "statistics_sales": Limit("statistics_sales", 1, 60, 1),
    # POST /api/analytics/v1/stocks-report/wb-warehouses: 3/min, 20 s, burst 1.
    "analytics_wb_stocks": Limit("analytics_wb_stocks", 3, 60, 1),
    # GET /api/v1/claims, PATCH /api/v1/claim: 20/min, 3 s, burst 10.
    "claims": Limit("claims", 20, 60, 10),
    # Content API in general (cards list): 100/min, 600 ms, burst 5.
    "content": Limit("content", 100, 60, 5),
    # GET /api/v1/seller-info: 1/min, burst 10.
    "seller_info": Limit("seller_info", 1, 60, 10),
    # GET /ping: 3 per 30 s per host.
    "ping": Limit("ping", 3, 30, 3),
}

# "A request answered with any 4xx counts as 10 requests" — on Marketplace-category methods only.
PENALISED_FAMILIES = frozenset({"marketplace"})
FOUR_XX_COST = 10

# Bits of the token's ``s`` claim (1-based), wildberries.md §1.3.
TOKEN_CATEGORIES: dict[int, str] = {
    1: "content",
    2: "analytics",
    3: "prices",
    4: "marketplace",
    5: "statistics",
    6: "promotion",
    7: "feedbacks",
    9: "chat",
    10: "supplies",
    11: "returns",
    12: "documents",
    13: "finance",
    16: "users",
}
READ_ONLY_BIT = 30


@dataclass(frozen=True)
class WbApi(MarketplaceApi):
    marketplace: str = "wb"
    hosts: Mapping[str, str] = field(default_factory=lambda: dict(HOSTS))
    limits: Mapping[str, Limit] = field(default_factory=lambda: dict(LIMITS))

    def auth_headers(self, credentials: Mapping[str, Any]) -> dict[str, str]:
        # The raw token, no scheme word (securitySchemes.HeaderApiKey: apiKey in header Authorization).
        token = str(credentials.get("token") or credentials.get("api_key") or "").strip()
        if not token:
            raise ConfigurationError("the connection has no WB API token (credentials.token)")
        return {"Authorization": token}

    def retry_after(self, response: httpx.Response) -> float | None:
        # On 429 WB sends X-Ratelimit-Retry (seconds until a retry may succeed); Retry-After as a fallback.
        for name in ("X-Ratelimit-Retry", "Retry-After"):
            value = response.headers.get(name)
            if value is not None:
                try:
                    return max(0.0, float(value))
                except ValueError:
                    continue
        return None

    def error_message(self, response: httpx.Response) -> str:
        try:
            body = response.json()
        except ValueError:
            return response.text[:500]
        return error_text(body) or response.text[:500]

    def classify(self, response: httpx.Response) -> MarketplaceError | None:
        remaining = response.headers.get("X-Ratelimit-Remaining")
        if remaining is not None:
            logger.debug("wb %s %s: X-Ratelimit-Remaining=%s", response.request.method, response.request.url.path,
                         remaining)
        error = super().classify(response)
        if error is not None:
            # The stock PUT's 409 names the refused chrtIds in its body: keep it for the connector.
            try:
                error.body = response.json()
            except ValueError:
                error.body = None
        return error


def error_text(body: Any) -> str:
    """WB's three error families (§12.4): gateway {title, detail}, business {code, message, data} (a list of them
    for stocks 409), statistics {errors: [...] | "..."}, content {error, errorText}."""
    if isinstance(body, list):
        return "; ".join(filter(None, (error_text(item) for item in body[:5])))
    if not isinstance(body, dict):
        return ""
    code = body.get("code") if isinstance(body.get("code"), str) else ""
    for key in ("message", "errorText", "detail", "title"):
        value = body.get(key)
        if isinstance(value, str) and value:
            return f"{code}: {value}" if code and code != value and key == "message" else value
    errors = body.get("errors")
    if isinstance(errors, str):
        return errors
    if isinstance(errors, list):
        return "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors[:5])
    return code


class WbHttp(MarketplaceHttp):
    """The shared HTTP layer plus WB's rule that a 4xx answer on Marketplace methods costs 10 tokens."""

    def request(self, family: str, method: str, path: str, *, limits: Sequence[str] = (), **kwargs) -> httpx.Response:
        try:
            return super().request(family, method, path, limits=limits, **kwargs)
        except MarketplaceError as exc:
            status = exc.http_status or 0
            if family in PENALISED_FAMILIES and 400 <= status < 500 and not isinstance(exc, RateLimited):
                self._charge(limits, FOUR_XX_COST - 1)
            raise

    def _charge(self, limits: Sequence[str], cost: int) -> None:
        """Debit the local bucket like WB debited its own, so the next calls do not run into 429."""
        try:
            self._wait_for_limits(limits, cost)
        except RateLimited:
            pass


WB_API = WbApi()


def token_claims(token: str) -> dict[str, Any] | None:
    """The payload of a WB token (a JWT; read without checking the signature), or None when it is not one."""
    parts = token.strip().split(".")
    if len(parts) != 3:
        return None
    try:
        padded = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(padded))
    except (ValueError, TypeError):
        return None
    return claims if isinstance(claims, dict) else None


def token_categories(claims: Mapping[str, Any]) -> set[str] | None:
    """API families a token may call (its ``s`` bitmask), None when the token does not say."""
    bits = claims.get("s")
    if not isinstance(bits, int) or isinstance(bits, bool):
        return None
    return {name for bit, name in TOKEN_CATEGORIES.items() if bits & (1 << (bit - 1))}


def token_is_read_only(claims: Mapping[str, Any]) -> bool:
    bits = claims.get("s")
    return isinstance(bits, int) and not isinstance(bits, bool) and bool(bits & (1 << (READ_ONLY_BIT - 1)))
