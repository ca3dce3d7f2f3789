"""Which app emulates which marketplace (data, imported lazily so one broken app never hides the others' errors)."""

from __future__ import annotations

from importlib import import_module

from connectors.sandbox.world import World

APPS: dict[str, str] = {
    "wb": "connectors.sandbox.wb.WildberriesApp",
    "ozon": "connectors.sandbox.ozon.OzonApp",
    "yandex_market": "connectors.sandbox.yandex_market.YandexMarketApp",
    "aliexpress": "connectors.sandbox.aliexpress.AliExpressApp",
}


def app_class(marketplace: str):
    module_name, class_name = APPS[marketplace].rsplit(".", 1)
    return getattr(import_module(module_name), class_name)


def build_apps(world: World, marketplaces: list[str] | None = None) -> dict:
    return {marketplace: app_class(marketplace)(world) for marketplace in (marketplaces or list(APPS))}
