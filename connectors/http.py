"""The one HTTP layer every marketplace goes through.

A marketplace describes itself once (``MarketplaceApi``: API families and their default hosts, documented rate
limits, auth headers, how its errors look); ``MarketplaceHttp`` then resolves the URL (per-family override >
connection base URL > real host), waits for the shared rate limiter, sends with a timeout, retries 5xx, timeouts
and rate-limit refusals with backoff that honours the marketplace's retry headers, never retries other 4xx, and
raises classified errors (``connectors.errors``).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
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
from connectors.ratelimit import Limit, get_limiter

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = httpx.Timeout(20.0, connect=5.0)


@dataclass(frozen=True)
class MarketplaceApi:
    """A marketplace's HTTP facts as data; subclasses override the hooks where the marketplace differs."""

    marketplace: str
    hosts: Mapping[str, str]  # API family → real origin, e.g. {"marketplace": "https://marketplace-api.wildberries.ru"}
    limits: Mapping[str, Limit] = field(default_factory=dict)
    #: Simultaneous requests allowed per account (Yandex Market: 4), None when unlimited.
    max_parallel: int | None = None
    #: Status codes meaning "slow down" (WB, Ozon: 429; Yandex Market: 420).
    rate_limit_statuses: frozenset[int] = frozenset({429})

    def auth_headers(self, credentials: Mapping[str, Any]) -> dict[str, str]:
        return {}

    def retry_after(self, response: httpx.Response) -> float | None:
        """Seconds the marketplace asks us to wait (standard ``Retry-After`` unless overridden)."""
        value = response.headers.get("Retry-After")
        try:
            return float(value) if value is not None else None
        except ValueError:
            return None

    def error_message(self, response: httpx.Response) -> str:
        """The marketplace's own words about a refused request."""
        try:
            body = response.json()
        except ValueError:
            return response.text[:500]
        return _first_message(body) or response.text[:500]

    def classify(self, response: httpx.Response) -> MarketplaceError | None:
        status = response.status_code
        if status < 400:
            return None
        message = self.error_message(response)
        if status in self.rate_limit_statuses:
            return RateLimited(message, http_status=status, retry_after=self.retry_after(response))
        if status in (401, 403):
            return AuthRejected(message, http_status=status)
        if status == 404:
            return NotFound(message, http_status=status)
        if status == 409:
            return Conflict(message, http_status=status)
        if status >= 500 or status == 499:
            return MarketplaceUnavailable(message, http_status=status)
        return BadRequest(message, http_status=status)


def _first_message(body: Any) -> str:
    """Find a human message in the error shapes marketplaces use (message/detail/errorText/errors[…])."""
    if isinstance(body, list):
        return "; ".join(filter(None, (_first_message(item) for item in body[:5])))
    if not isinstance(body, dict):
        return ""
    for key in ("message", "detail", "errorText", "error_message", "title", "description"):
        value = body.get(key)
        if isinstance(value, str) and value:
            return value
    for key in ("errors", "error"):
        nested = body.get(key)
        if isinstance(nested, list | dict):
            found = _first_message(nested)
            if found:
                return found
    return ""


@dataclass
class HttpStats:
    """Counters per client, read by sync jobs and benchmarks."""

    requests: int = 0
    rate_limited: int = 0
    retries: int = 0
    errors: int = 0


class MarketplaceHttp:
    def __init__(
        self,
        api: MarketplaceApi,
        *,
        credentials: Mapping[str, Any],
        account_key: str,
        base_url: str = "",
        api_base_urls: Mapping[str, str] | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        max_attempts: int = 4,
        max_wait_s: float = 30.0,
        limiter=None,
        client: httpx.Client | None = None,
    ):
        self.api = api
        self.credentials = credentials
        self.account_key = account_key
        self.base_url = base_url.rstrip("/")
        self.api_base_urls = {k: v.rstrip("/") for k, v in (api_base_urls or {}).items() if v}
        self.max_attempts = max_attempts
        self.max_wait_s = max_wait_s
        self.limiter = limiter or get_limiter()
        self.client = client or httpx.Client(timeout=timeout, follow_redirects=False)
        self.stats = HttpStats()

    def close(self) -> None:
        self.client.close()

    def url(self, family: str, path: str) -> str:
        origin = self.api_base_urls.get(family) or self.base_url or self.api.hosts[family]
        return f"{origin}{path}"

    def request(
        self,
        family: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        limits: Sequence[str] = (),
        cost: int = 1,
        retry: bool = True,
    ) -> httpx.Response:
        """Send one logical request; returns the successful response or raises a classified error."""
        url = self.url(family, path)
        all_headers = {"Accept": "application/json", **self.api.auth_headers(self.credentials), **(headers or {})}
        attempts = self.max_attempts if retry else 1
        last_error: MarketplaceError | None = None
        for attempt in range(1, attempts + 1):
            self._wait_for_limits(limits, cost)
            slot = self._take_slot()
            try:
                self.stats.requests += 1
                response = self.client.request(method, url, json=json, params=params, headers=all_headers)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                last_error = MarketplaceUnavailable(f"{type(exc).__name__}: {exc}")
            else:
                error = self.api.classify(response)
                if error is None:
                    return response
                last_error = error
                if isinstance(error, RateLimited):
                    self.stats.rate_limited += 1
                logger.info(
                    "%s %s %s → %s %s", self.api.marketplace, method, path, response.status_code, error.detail[:200]
                )
            finally:
                if slot is not None:
                    self.limiter.release_slot(self._slot_key(), slot)
            if not last_error.retryable or attempt == attempts:
                break
            delay = self._backoff(attempt, last_error)
            if delay > self.max_wait_s:
                break
            self.stats.retries += 1
            time.sleep(delay)
        self.stats.errors += 1
        assert last_error is not None
        raise last_error

    def json(self, family: str, method: str, path: str, **kwargs) -> Any:
        response = self.request(family, method, path, **kwargs)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise MarketplaceUnavailable(f"answer is not JSON: {response.text[:200]}") from exc

    # --- internals --------------------------------------------------------------------------------------------
    def _wait_for_limits(self, names: Sequence[str], cost: int) -> None:
        for name in names:
            limit = self.api.limits[name]
            waited = 0.0
            while True:
                wait = self.limiter.acquire(f"{self.api.marketplace}:{self.account_key}:{name}", limit, cost)
                if wait <= 0:
                    break
                if waited + wait > self.max_wait_s:
                    raise RateLimited(f"local limit {name} would need {wait:.1f}s more", retry_after=wait)
                time.sleep(wait)
                waited += wait

    def _slot_key(self) -> str:
        return f"{self.api.marketplace}:{self.account_key}"

    def _take_slot(self) -> str | None:
        if not self.api.max_parallel:
            return None
        deadline = time.monotonic() + self.max_wait_s
        while True:
            token = self.limiter.acquire_slot(self._slot_key(), self.api.max_parallel)
            if token is not None:
                return token
            if time.monotonic() > deadline:
                raise RateLimited("too many parallel requests waiting")
            time.sleep(0.02)

    @staticmethod
    def _backoff(attempt: int, error: MarketplaceError) -> float:
        if error.retry_after is not None:
            return max(0.0, error.retry_after) + random.uniform(0, 0.1)
        return min(8.0, 0.25 * 2 ** (attempt - 1)) + random.uniform(0, 0.1)
