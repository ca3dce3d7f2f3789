"""Shared set-up for the Wildberries connector tests: a sandbox seller, WB-shaped tokens, a connector pointed at the
sandbox over real HTTP."""

from __future__ import annotations

import base64
import dataclasses
import itertools
import json
import random
import time
from typing import Any

import pytest

from connectors.base import ConnectionConfig
from connectors.ratelimit import Limit, get_limiter
from connectors.wb.api import WB_API, WbApi, WbHttp
from connectors.wb.connector import WildberriesConnector

WAREHOUSE = "1098342"
SECOND_WAREHOUSE = "1098343"
FBO_WAREHOUSE = "koledino"
# Token categories (bits of the JWT "s" claim): content 1, analytics 2, marketplace 4, statistics 5, returns 11.
ALL_CATEGORIES = (1 << 0) | (1 << 1) | (1 << 3) | (1 << 4) | (1 << 10)

_config_ids = itertools.count(random.randint(10**6, 10**9))


def make_token(categories: int = ALL_CATEGORIES, *, token_type: int = 3, seller: str = "s1") -> str:
    """A token shaped like WB's (a JWT whose payload names its categories); the signature is not checked."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    payload = {"acc": token_type, "for": "self", "id": f"token-{seller}", "s": categories, "sid": f"sid-{seller}",
               "t": False, "exp": int(time.time()) + 180 * 86400}
    return f"{part({'alg': 'ES256', 'kid': '1', 'typ': 'JWT'})}.{part(payload)}.c2lnbmF0dXJl"


def seller_spec(seller_id: str = "s1", **account: Any) -> dict[str, Any]:
    return {
        "id": seller_id,
        "credentials": {"token": make_token(seller=seller_id)},
        "account": {"rate_limits": False, "trade_mark": "NordLine", "name": "ИП Иванов", **account},
        "warehouses": [
            {"id": WAREHOUSE, "name": "Склад Подольск"},
            {"id": SECOND_WAREHOUSE, "name": "Склад Химки"},
            {"id": FBO_WAREHOUSE, "name": "Коледино", "fbo": True},
        ],
        "products": [
            {"offer_id": "TSHIRT-BLK-M", "name": "Футболка чёрная", "price": "1299",
             "stocks": {WAREHOUSE: 20, SECOND_WAREHOUSE: 5}, "fbo_stocks": {FBO_WAREHOUSE: 7}},
            {"offer_id": "MUG-WHITE", "name": "Кружка белая", "price": "450.50", "stocks": {WAREHOUSE: 10}},
            {"offer_id": "SOFA-1", "name": "Диван", "price": "35000", "ids": {"cargo_type": 3},
             "stocks": {WAREHOUSE: 2}},
            {"offer_id": "WARDROBE-1", "name": "Шкаф", "price": "52000", "ids": {"cargo_type": 2},
             "stocks": {WAREHOUSE: 1}},
        ],
    }


def fast_api(api: WbApi = WB_API) -> WbApi:
    """A test-only copy whose local limits never make the client wait (the sandbox's own limits still apply)."""
    return dataclasses.replace(api, limits={name: Limit(name, 10_000, 1, 10_000) for name in api.limits})


def build_connector(sandbox, seller: dict[str, Any], *, api: WbApi | None = None, options: dict[str, Any] | None = None,
                    base_url: str | None = None, api_base_urls: dict[str, str] | None = None,
                    max_attempts: int = 4) -> WildberriesConnector:
    config = ConnectionConfig(
        id=next(_config_ids), organization_id=1, marketplace="wb", credentials=dict(seller["credentials"]),
        base_url=sandbox.url("wb") if base_url is None else base_url, api_base_urls=api_base_urls or {},
        options=options or {}, warehouse_ids=(WAREHOUSE, SECOND_WAREHOUSE),
    )
    http = WbHttp(api or fast_api(), credentials=config.credentials, account_key=str(config.id),
                  base_url=config.base_url, api_base_urls=config.api_base_urls, max_attempts=max_attempts,
                  timeout=5.0)
    return WildberriesConnector(config, http=http)


@pytest.fixture(autouse=True)
def fresh_wb_limits():
    """Connection ids restart with every test database; WB buckets left in Redis by an earlier run must not count."""
    get_limiter().reset("wb:")


@pytest.fixture
def wb(control):
    return control["wb"]


@pytest.fixture
def seller(wb) -> dict[str, Any]:
    return wb.create_seller(seller_spec())


@pytest.fixture
def connector(sandbox, seller):
    built = build_connector(sandbox, seller)
    yield built
    built.http.close()


def key_of(seller: dict[str, Any], offer_id: str) -> str:
    """The sandbox product key of an offer: its chrtId."""
    return next(p["key"] for p in seller["products"] if p["offer_id"] == offer_id)


def world_seller(sandbox, seller_id: str = "s1"):
    return sandbox.world.seller("wb", seller_id)
