"""A Yandex Market seller in the sandbox and a connector pointed at it."""

from __future__ import annotations

import itertools
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from connectors.base import ConnectionConfig
from connectors.http import MarketplaceHttp
from connectors.specs import specs_dir
from connectors.yandex_market.api import API
from connectors.yandex_market.connector import YandexMarketConnector

MP = "yandex_market"
API_KEY = "ym-test-key"
WAREHOUSE = "50101"  # the seller's own warehouse on Market
FF_WAREHOUSE = "172"  # Market's fulfilment warehouse (FBY)

# Unique per test process and test: the rate limiter in Redis keys its buckets by connection id.
_ids = itertools.count(os.getpid() * 1000 + 7_000_000)


def connection_id() -> int:
    return next(_ids)


def seller_spec(seller_id: str = "ym1", **extra: Any) -> dict[str, Any]:
    spec = {
        "id": seller_id,
        "credentials": {"api_key": API_KEY, "oauth_token": "y0_legacy-oauth"},
        "warehouses": [{"id": WAREHOUSE, "name": "Склад на Складской"},
                       {"id": FF_WAREHOUSE, "name": "Софьино", "fbo": True}],
        "products": [
            {"offer_id": "TSHIRT-BLK-M", "name": "Футболка чёрная M", "price": "1190",
             "stocks": {WAREHOUSE: 20}, "fbo_stocks": {FF_WAREHOUSE: 7}},
            {"offer_id": "TSHIRT-BLK-L", "name": "Футболка чёрная L", "price": "1290.50",
             "stocks": {WAREHOUSE: 5}, "fbo_stocks": {FF_WAREHOUSE: 0}},
            {"offer_id": "MUG-01", "name": "Кружка", "price": "490", "stocks": {WAREHOUSE: 200}},
        ],
    }
    spec.update(extra)
    return spec


def make_config(url: str, account: dict[str, Any], *, credentials: dict[str, Any] | None = None,
                **options: Any) -> ConnectionConfig:
    return ConnectionConfig(
        id=connection_id(), organization_id=1, marketplace=MP,
        credentials=credentials if credentials is not None else {"api_key": API_KEY},
        base_url=url,
        options={"business_id": account["business_id"], "campaign_id": account["campaign_id"], **options},
        warehouse_ids=(WAREHOUSE,),
    )


def make_connector(config: ConnectionConfig, *, api=API, **http_options: Any) -> YandexMarketConnector:
    http = MarketplaceHttp(api, credentials=config.credentials, account_key=str(config.id), base_url=config.base_url,
                           **http_options)
    return YandexMarketConnector(config, http=http)


@pytest.fixture
def ym(control):
    return control[MP]


@pytest.fixture
def seller(ym) -> dict[str, Any]:
    return ym.create_seller(seller_spec())


@pytest.fixture
def config(sandbox, seller) -> ConnectionConfig:
    return make_config(sandbox.url(MP), seller["account"])


@pytest.fixture
def connector(config) -> YandexMarketConnector:
    connector = YandexMarketConnector(config)
    yield connector
    connector.http.close()


def order_items(*pairs: tuple[str, int]) -> list[dict[str, Any]]:
    return [{"key": key, "quantity": quantity} for key, quantity in pairs]


def fast_api(**changes: Any):
    """A copy of the real API description with test-sized limits (the code under test stays the same)."""
    return replace(API, **changes)


# --- the official spec, read at test time --------------------------------------------------------------------------
def spec_schema(*parts: str) -> dict[str, Any] | None:
    folder = specs_dir()
    if folder is None:
        return None
    path = Path(folder, "yandex-market", *parts)
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None


def spec_enum(name: str, api: str = "partner-api") -> list[Any]:
    """The values of a spec enum as pytest params, or one skipped param when the specs folder is absent."""
    schema = spec_schema(api, "openapi", "components", "schemas", f"{name}.yaml")
    if schema is None:
        return [pytest.param(None, marks=pytest.mark.skip(
            reason="official specs folder (../shared/marketplaces/specs) is absent"))]
    return list(schema["enum"])
