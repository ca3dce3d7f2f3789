"""An Ozon seller in the sandbox and a connector pointed at it over real HTTP."""

from __future__ import annotations

import itertools
import uuid

import pytest

from connectors.base import ConnectionConfig
from connectors.ozon.connector import OzonConnector
from connectors.sandbox.client import SandboxControl

FBS_WAREHOUSE = "1020001239876000"
SECOND_WAREHOUSE = "1020001239877000"
FBO_WAREHOUSE = "15431806189000"

# Redis keeps rate-limiter and per-pair clocks by connection id: every test gets ids nobody used before.
_ids = itertools.count(int(uuid.uuid4().int % 10**9) * 1000)


def seller_spec(seller_id: str, **extra) -> dict:
    return {
        "id": seller_id,
        "credentials": {"client_id": "1874412", "api_key": f"key-{seller_id}"},
        "warehouses": [
            {"id": FBS_WAREHOUSE, "name": "Склад Подольск"},
            {"id": SECOND_WAREHOUSE, "name": "Склад Москва"},
            {"id": FBO_WAREHOUSE, "name": "Ozon Хоругвино", "fbo": True},
        ],
        "products": [
            {"offer_id": "TSHIRT-BLK-M", "name": "Футболка хлопковая чёрная, M", "price": "1299.00",
             "stocks": {FBS_WAREHOUSE: 20, SECOND_WAREHOUSE: 5}, "fbo_stocks": {FBO_WAREHOUSE: 40}},
            {"offer_id": "TSHIRT-BLK-L", "name": "Футболка хлопковая чёрная, L", "price": "1349.50",
             "stocks": {FBS_WAREHOUSE: 10}},
            {"offer_id": "MUG-WHT", "name": "Кружка белая", "price": "499", "stocks": {FBS_WAREHOUSE: 200}},
        ],
        **extra,
    }


@pytest.fixture
def ozon(sandbox):
    """The control client of the emulated Ozon (one client: building an httpx client costs ~0.1 s)."""
    client = SandboxControl(sandbox.url("ozon"))
    yield client
    client.client.close()


@pytest.fixture
def seller(ozon):
    """A fresh seller (unique Client-Id per test, so the sandbox's per-account limits never carry over)."""
    seller_id = f"ozon-{uuid.uuid4().hex[:8]}"
    spec = seller_spec(seller_id)
    spec["credentials"]["client_id"] = str(next(_ids))
    return ozon.create_seller(spec)


def make_config(sandbox, seller: dict, **overrides) -> ConnectionConfig:
    values = {
        "id": next(_ids),
        "organization_id": 1,
        "marketplace": "ozon",
        "credentials": dict(seller["credentials"]),
        "base_url": sandbox.url("ozon"),
        "warehouse_ids": (FBS_WAREHOUSE, SECOND_WAREHOUSE),
    }
    values.update(overrides)
    return ConnectionConfig(**values)


@pytest.fixture
def config(sandbox, seller) -> ConnectionConfig:
    return make_config(sandbox, seller)


@pytest.fixture
def connector(config):
    connector = OzonConnector(config)
    yield connector
    connector.http.close()


@pytest.fixture
def app(sandbox):
    """The running emulated Ozon (to set test-only switches such as ``ship_failures``)."""
    return sandbox.apps["ozon"]
