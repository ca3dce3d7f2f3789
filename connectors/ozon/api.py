"""Ozon Seller API's HTTP facts as data: one host, ``Client-Id`` + ``Api-Key``, rpcStatus errors, documented limits.

Sources: ozon.md §1 (host, headers), §6.1 (stock limits), §12 (account limit, error body). Every business method is
``POST`` with a JSON body on ``https://api-seller.ozon.ru``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from connectors.errors import AuthRejected, ConfigurationError, MarketplaceError, MarketplaceUnavailable, RateLimited
from connectors.http import MarketplaceApi
from connectors.ratelimit import Limit

MARKETPLACE = "ozon"
HOST = "https://api-seller.ozon.ru"
SELLER = "seller"  # the one API family

#: ≤50 requests per second per Client-Id across all methods (§12.1). GCRA lets ``burst`` through at once and then
#: ``rate`` per period, so a window of one second may see burst + rate: 45 + 2 keeps every second within 50 even
#: when network jitter bunches requests that left evenly spaced (48 + 2 once drew a 429 in a long read-back).
ACCOUNT_LIMIT = "account"
#: ``/v2/products/stocks``: ≤80 requests per minute per account (§6.1); 78 + a burst of 2 stays within 80 a minute.
STOCKS_LIMIT = "stocks"

LIMITS: dict[str, Limit] = {
    ACCOUNT_LIMIT: Limit(ACCOUNT_LIMIT, rate=45, period_s=1.0, burst=2),
    STOCKS_LIMIT: Limit(STOCKS_LIMIT, rate=78, period_s=60.0, burst=2),
}

#: Stock pairs per ``/v2/products/stocks`` request, and seconds between two updates of one product–warehouse pair.
STOCK_BATCH_SIZE = 100
STOCK_PAIR_INTERVAL_S = 30.0

# Words of Ozon's messages that mean the credentials, not the request, are wrong (§12.2): some come with 400.
_AUTH_WORDS = ("api-key", "api key", "client-id", "client id", "offer not signed")
# "Circle is open": Ozon's circuit breaker has blocked the method for a few minutes (§12.1).
_CIRCUIT_OPEN = "circle is open"
CIRCUIT_OPEN_WAIT_S = 120.0


@dataclass(frozen=True)
class OzonApi(MarketplaceApi):
    def auth_headers(self, credentials: Mapping[str, Any]) -> dict[str, str]:
        client_id = str(credentials.get("client_id") or "").strip()
        api_key = str(credentials.get("api_key") or "").strip()
        if not client_id or not api_key:
            raise ConfigurationError("Ozon needs the seller's Client-Id (client_id) and Api-Key (api_key)")
        return {"Client-Id": client_id, "Api-Key": api_key}

    def retry_after(self, response: httpx.Response) -> float | None:
        # Ozon documents no retry header for the account limit (only Item-Retry-After, in minutes, on product-card
        # methods we do not call); honour a standard Retry-After if a proxy adds one, else back off exponentially.
        return super().retry_after(response)

    def error_message(self, response: httpx.Response) -> str:
        """rpcStatus ``{"code", "message", "details"}``; ``code`` may be an int (8) or a string (RESOURCE_EXHAUSTED)."""
        try:
            body = response.json()
        except ValueError:
            return response.text[:500]
        if isinstance(body, dict) and isinstance(body.get("message"), str) and body["message"]:
            code = body.get("code")
            return f"{body['message']} (code {code})" if code not in (None, "", 0) else body["message"]
        return super().error_message(response)

    def classify(self, response: httpx.Response) -> MarketplaceError | None:
        error = super().classify(response)
        if error is None:
            return None
        text = error.detail.lower()
        if _CIRCUIT_OPEN in text:
            return MarketplaceUnavailable(error.detail, http_status=response.status_code,
                                          retry_after=CIRCUIT_OPEN_WAIT_S)
        if response.status_code == 400 and any(word in text for word in _AUTH_WORDS):
            return AuthRejected(error.detail, http_status=response.status_code)
        if isinstance(error, RateLimited) and error.retry_after is None and "per second" in text:
            # The per-second bucket refills within a second: waiting a second is enough, no need to guess longer.
            return RateLimited(error.detail, http_status=response.status_code, retry_after=1.0)
        return error


OZON_API = OzonApi(marketplace=MARKETPLACE, hosts={SELLER: HOST}, limits=LIMITS, rate_limit_statuses=frozenset({429}))
