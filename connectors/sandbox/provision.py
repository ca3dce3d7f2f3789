"""Mirror an Okno organization's connections into a running sandbox: one seller per connection with the same
credentials, warehouses and product ids as Okno's listings, showing the quantities Okno offers today.

Used by ``make demo`` (``connect_sandbox``), the benchmarks and end-to-end tests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from catalog.models import Listing
from connectors.models import Connection
from connectors.sandbox.client import SandboxControl
from inventory import availability
from inventory.choices import WarehouseKind
from inventory.models import StockLevel, Warehouse


def _wb_ids(listing: Listing) -> dict[str, Any]:
    ids: dict[str, Any] = {}
    if listing.stock_key.isdigit():
        ids["chrt_id"] = int(listing.stock_key)
    if listing.external_product_id.isdigit():
        ids["nm_id"] = int(listing.external_product_id)
    return ids


def _ozon_ids(listing: Listing) -> dict[str, Any]:
    ids: dict[str, Any] = {}
    if listing.external_product_id.isdigit():
        ids["product_id"] = int(listing.external_product_id)
    if listing.external_sku.isdigit():
        ids["sku"] = int(listing.external_sku)
    return ids


def _ym_ids(listing: Listing) -> dict[str, Any]:
    return {"marketSku": int(listing.external_sku)} if listing.external_sku.isdigit() else {}


def _ae_ids(listing: Listing) -> dict[str, Any]:
    ids = {}
    if listing.external_product_id:
        ids["product_id"] = listing.external_product_id
    if listing.external_sku:
        ids["sku_id"] = listing.external_sku
    return ids


# Marketplace → (Okno listing → the sandbox's product ids), and (sandbox product JSON → Listing fields).
PRODUCT_IDS: dict[str, Callable[[Listing], dict[str, Any]]] = {
    "wb": _wb_ids, "ozon": _ozon_ids, "yandex_market": _ym_ids, "aliexpress": _ae_ids,
}
LISTING_FIELDS: dict[str, Callable[[dict[str, Any]], dict[str, str]]] = {
    "wb": lambda p: {"stock_key": str(p["ids"]["chrt_id"]), "external_product_id": str(p["ids"]["nm_id"]),
                     "external_sku": str(p["ids"]["chrt_id"])},
    "ozon": lambda p: {"stock_key": p["offer_id"], "external_product_id": str(p["ids"]["product_id"]),
                       "external_sku": str(p["ids"]["sku"])},
    "yandex_market": lambda p: {"stock_key": p["offer_id"], "external_product_id": str(p["ids"]["marketSku"]),
                                "external_sku": str(p["ids"]["marketSku"])},
    "aliexpress": lambda p: {"stock_key": p["offer_id"], "external_product_id": str(p["ids"]["product_id"]),
                             "external_sku": str(p["ids"]["sku_id"])},
}


def seller_spec(connection: Connection, *, seller_id: str | None = None, webhook_url: str = "") -> dict[str, Any]:
    """The sandbox seller that mirrors ``connection`` (organization in scope)."""
    links = list(connection.warehouse_links.values_list("warehouse_id", "external_id", "external_name"))
    fbo_warehouses = list(Warehouse.objects.filter(connection=connection, kind=WarehouseKind.FBO))
    listings = list(Listing.objects.filter(connection=connection).select_related("variant__product"))
    available = availability.available_quantities({x.variant_id for x in listings}, {w for w, _, _ in links})
    default, per_product = availability.policies_for(connection.pk)
    fbo_stock: dict[tuple[int, int], int] = {}
    if fbo_warehouses:
        for variant_id, warehouse_id, on_hand in StockLevel.objects.filter(
            warehouse__in=fbo_warehouses, variant_id__in={x.variant_id for x in listings}
        ).values_list("variant_id", "warehouse_id", "on_hand"):
            fbo_stock[(variant_id, warehouse_id)] = on_hand
    options = dict(connection.options or {})
    warehouses = [{"id": external_id, "name": name or external_id,
                   **({"campaign_id": options["campaign_id"]} if "campaign_id" in options else {})}
                  for _, external_id, name in links]
    warehouses += [{"id": w.external_id, "name": w.name, "fbo": True} for w in fbo_warehouses if w.external_id]
    products = []
    for listing in listings:
        policy = per_product.get(listing.variant.product_id, default)
        products.append({
            "offer_id": listing.offer_id,
            "name": listing.variant.display_name[:200],
            "price": str(listing.price or listing.variant.price or "1000"),
            "ids": PRODUCT_IDS[connection.marketplace](listing),
            "stocks": {external_id: policy.offered(available[(listing.variant_id, warehouse_id)])
                       for warehouse_id, external_id, _ in links},
            "fbo_stocks": {w.external_id: fbo_stock.get((listing.variant_id, w.pk), 0) for w in fbo_warehouses
                           if w.external_id},
        })
    return {
        "id": seller_id or f"okno-{connection.pk}",
        "credentials": dict(connection.credentials or {}),
        "account": options,
        "warehouses": warehouses,
        "products": products,
        "webhook_url": webhook_url,
    }


def register_connection(connection: Connection, control: SandboxControl, **kwargs) -> dict[str, Any]:
    """Create the mirror seller and take the sandbox's ids into the listings it had to invent them for."""
    created = control.create_seller(seller_spec(connection, **kwargs))
    to_fields = LISTING_FIELDS[connection.marketplace]
    by_offer = {p["offer_id"]: p for p in created["products"]}
    listings = list(Listing.objects.filter(connection=connection))
    for listing in listings:
        product = by_offer.get(listing.offer_id)
        if product:
            for name, value in to_fields(product).items():
                setattr(listing, name, value)
    Listing.objects.bulk_update(listings, ["stock_key", "external_product_id", "external_sku"], batch_size=1000)
    return created
