"""An AliExpress seller in the sandbox and connectors pointed at it over real HTTP."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace

import pytest

from connectors.aliexpress.api import ALIEXPRESS_API
from connectors.aliexpress.connector import AliExpressConnector
from connectors.base import ConnectionConfig
from connectors.http import MarketplaceHttp

MP = "aliexpress"
TOKEN = "ae-jwt-token-of-the-test-seller"
WAREHOUSE = "ae-main"
PRODUCT_ID = "1005004380425710"
# Each connector gets its own account key so one test's rate-limiter state never slows another.
_ids = itertools.count(random.randint(10**6, 10**7) * 1000)


@pytest.fixture
def ae(control):
    return control[MP]


@pytest.fixture
def seller(ae):
    """Two SKUs of one product and one of another, stock at the seller's one warehouse; tasks finish quickly."""
    return ae.create_seller({
        "id": "ae-seller",
        "credentials": {"token": TOKEN},
        "account": {"task_delay_s": 0.05},
        "warehouses": [{"id": WAREHOUSE, "name": "Склад Москва"}],
        "products": [
            {"offer_id": "TSHIRT-BLK-M", "name": "Футболка M", "price": "1190", "stocks": {WAREHOUSE: 10},
             "ids": {"product_id": PRODUCT_ID}},
            {"offer_id": "TSHIRT-BLK-L", "name": "Футболка L", "price": "1190", "stocks": {WAREHOUSE: 5},
             "ids": {"product_id": PRODUCT_ID}},
            {"offer_id": "MUG-WHITE", "name": "Кружка", "price": "450.50", "stocks": {WAREHOUSE: 3}},
            {"offer_id": "SOCKS", "name": "Носки", "price": "99.90", "stocks": {WAREHOUSE: 500}},
        ],
    })


def product_id_of(seller: dict, offer_id: str) -> str:
    return next(p["ids"]["product_id"] for p in seller["products"] if p["offer_id"] == offer_id)


def sku_id_of(seller: dict, offer_id: str) -> str:
    return next(p["ids"]["sku_id"] for p in seller["products"] if p["offer_id"] == offer_id)


def make_config(sandbox, *, token: str = TOKEN, **options) -> ConnectionConfig:
    return ConnectionConfig(
        id=next(_ids), organization_id=1, marketplace=MP, credentials={"token": token},
        base_url=sandbox.url(MP), warehouse_ids=(WAREHOUSE,), options=options,
    )


def make_connector(sandbox, *, api=None, token: str = TOKEN, max_attempts: int = 4, timeout: float = 5.0,
                   **options) -> AliExpressConnector:
    config = make_config(sandbox, token=token, **options)
    if api is None:
        return AliExpressConnector(config)
    http = MarketplaceHttp(api, credentials=config.credentials, account_key=str(config.id), base_url=config.base_url,
                           max_attempts=max_attempts, timeout=timeout)
    return AliExpressConnector(config, http=http)


@pytest.fixture
def connector(sandbox, seller):
    made = make_connector(sandbox)
    yield made
    made.http.close()


def fast_api(**changes):
    """A test-only copy of the AliExpress API definition: short back-off, no local pacing unless given."""
    changes.setdefault("rate_limit_backoff_s", 0.2)
    changes.setdefault("limits", {name: replace(limit, rate=10_000, burst=10_000)
                                  for name, limit in ALIEXPRESS_API.limits.items()})
    return replace(ALIEXPRESS_API, **changes)
