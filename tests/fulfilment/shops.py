"""A seller's shop on each emulated marketplace and the matching Okno connection, for end-to-end fulfilment tests.

Orders are placed by a buyer in the sandbox (control API) and recorded in Okno with the marketplace's own id, as
the ingest would: the documents and the handover then talk to the marketplace about real orders.
"""

from __future__ import annotations

import base64
import itertools
import json
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal

from connectors.models import WarehouseLink
from orders.models import Order
from tests.factories import ConnectionFactory, OrderFactory, OrderLineFactory, VariantFactory

MARKETPLACES = ("wb", "ozon", "yandex_market", "aliexpress")
SELLER_WAREHOUSE = {"wb": "1098342", "ozon": "1020001239876000", "yandex_market": "50101", "aliexpress": "ae-main"}
PRODUCTS = (("TSHIRT-BLK-M", "Футболка хлопковая чёрная, M", "1299"), ("MUG-WHT", "Кружка белая", "499"))
_ids = itertools.count(uuid.uuid4().int % 10**6 * 1000)


def wb_token(seller: str) -> str:
    """Shaped like WB's JWT with every category the connector uses (the sandbox does not check the signature)."""

    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    claims = {"acc": 3, "for": "self", "id": f"token-{seller}", "s": (1 << 0) | (1 << 1) | (1 << 3) | (1 << 4) | (1 << 10),
              "sid": f"sid-{seller}", "t": False, "exp": int(time.time()) + 180 * 86400}
    return f"{part({'alg': 'ES256', 'kid': '1', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


def credentials(marketplace: str, seller_id: str) -> dict:
    return {
        "wb": lambda: {"token": wb_token(seller_id)},
        "ozon": lambda: {"client_id": str(next(_ids)), "api_key": f"key-{seller_id}"},
        "yandex_market": lambda: {"api_key": f"ym-key-{seller_id}"},
        "aliexpress": lambda: {"token": f"ae-token-{seller_id}"},
    }[marketplace]()


@dataclass
class Shop:
    marketplace: str
    connection: object
    seller: dict
    control: object
    warehouse: object
    variants: dict

    def order(self, offer_id: str = "TSHIRT-BLK-M", **fields) -> Order:
        """A buyer orders one unit in the sandbox; Okno knows the order by the marketplace's id."""
        placed = self.control.place_order(self.seller["id"], [{"offer_id": offer_id, "quantity": 1}],
                                          warehouse_id=SELLER_WAREHOUSE[self.marketplace])[0]
        variant = self.variants[offer_id]
        order = OrderFactory(organization=self.connection.organization, connection=self.connection,
                             external_id=str(placed["id"]), number=str(placed["id"]), warehouse=self.warehouse,
                             **fields)
        OrderLineFactory(organization=order.organization, order=order, variant=variant, sku=variant.sku,
                         offer_id=offer_id, name=variant.product.title, price=Decimal("990.00"))
        return order

    def buyer_cancels(self, order: Order) -> None:
        self.control.order_action(self.seller["id"], order.external_id, "cancel")


def open_shop(marketplace: str, control: dict, sandbox, organization, warehouse) -> Shop:
    seller_id = f"{marketplace}-{uuid.uuid4().hex[:8]}"
    where = SELLER_WAREHOUSE[marketplace]
    spec = {
        "id": seller_id,
        "credentials": credentials(marketplace, seller_id),
        "warehouses": [{"id": where, "name": "Склад Подольск"}],
        "products": [{"offer_id": offer, "name": name, "price": price, "stocks": {where: 100}}
                     for offer, name, price in PRODUCTS],
    }
    if marketplace == "wb":
        spec["account"] = {"rate_limits": False}
    seller = control[marketplace].create_seller(spec)
    options = {}
    if marketplace == "yandex_market":
        options = {"business_id": seller["account"]["business_id"], "campaign_id": seller["account"]["campaign_id"]}
    connection = ConnectionFactory(organization=organization, marketplace=marketplace, name=f"Shop {seller_id}",
                                   credentials=spec["credentials"], base_url=sandbox.url(marketplace), options=options)
    WarehouseLink.all_tenants.create(organization=organization, connection=connection, warehouse=warehouse,
                                     external_id=where)
    variants = {}
    for offer, name, _price in PRODUCTS:
        existing = VariantFactory._meta.model.all_tenants.filter(organization=organization, sku=offer).first()
        variants[offer] = existing or VariantFactory(organization=organization, sku=offer, product__title=name)
    return Shop(marketplace, connection, seller, control[marketplace], warehouse, variants)
