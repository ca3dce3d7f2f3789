"""Which connector speaks for which marketplace. Imported lazily: a connection only loads its own package."""

from __future__ import annotations

import inspect
from functools import lru_cache
from importlib import import_module

from connectors.base import ConnectionConfig, Connector

PACKAGES: dict[str, str] = {
    "wb": "connectors.wb.connector",
    "ozon": "connectors.ozon.connector",
    "yandex_market": "connectors.yandex_market.connector",
    "aliexpress": "connectors.aliexpress.connector",
}


@lru_cache(maxsize=8)
def connector_class(marketplace: str) -> type[Connector]:
    module = import_module(PACKAGES[marketplace])
    for _name, value in inspect.getmembers(module, inspect.isclass):
        if issubclass(value, Connector) and value is not Connector and getattr(value, "marketplace", None) == marketplace:
            return value
    raise LookupError(f"{PACKAGES[marketplace]} defines no Connector for {marketplace}")


def connector_for(connection) -> Connector:
    config = ConnectionConfig.from_connection(connection)
    return connector_class(config.marketplace)(config)
