"""An organization selling the same catalogue on all four sandbox marketplaces, mirrored over real HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import Listing
from connectors.models import Connection, WarehouseLink
from connectors.sandbox.client import SandboxControl
from connectors.sandbox.provision import register_connection
from inventory import services as stock
from tests.connectors.conftest import control, sandbox, sandbox_server  # noqa: F401 - shared sandbox fixtures
from tests.factories import VariantFactory, WarehouseFactory

# Per marketplace: credentials, account options and the id of the seller's warehouse there.
ACCOUNTS = {
    "wb": ({"token": "sync-wb-token"}, {}, "700001"),
    "ozon": ({"client_id": "90001", "api_key": "sync-ozon-key"}, {}, "22113489765000"),
    "yandex_market": ({"api_key": "sync-ym-key"}, {"business_id": 7300001, "campaign_id": 2100001}, "981245"),
    "aliexpress": ({"token": "sync-ae-token"}, {"stock_task_wait_s": 5}, "ae-main"),
}


@dataclass
class Market:
    org: object
    warehouse: object
    variants: list
    connections: dict[str, Connection]
    controls: dict[str, SandboxControl]

    def listing(self, marketplace: str, variant) -> Listing:
        return Listing.objects.get(connection=self.connections[marketplace], variant=variant)

    def shown(self, marketplace: str, variant) -> int:
        """What the sandbox marketplace shows buyers for this variant at the seller's warehouse."""
        seller = self.controls[marketplace].seller(f"okno-{self.connections[marketplace].pk}")
        product = next(p for p in seller["products"] if p["offer_id"] == variant.sku)
        return product["stocks"][ACCOUNTS[marketplace][2]]


def build_market(server, in_org, stock_per_variant=(3, 5, 1), marketplaces=tuple(ACCOUNTS)) -> Market:
    warehouse = WarehouseFactory(organization=in_org)
    variants = [VariantFactory(organization=in_org, sku=f"SYNC-{i}") for i in range(len(stock_per_variant))]
    for variant, quantity in zip(variants, stock_per_variant, strict=True):
        if quantity:
            stock.receive(variant=variant, warehouse=warehouse, quantity=quantity)
    connections, controls = {}, {}
    for marketplace in marketplaces:
        credentials, options, warehouse_id = ACCOUNTS[marketplace]
        connection = Connection.objects.create(
            marketplace=marketplace, name=marketplace, credentials=credentials, options=dict(options),
            base_url=server.url(marketplace),
        )
        WarehouseLink.objects.create(connection=connection, warehouse=warehouse, external_id=warehouse_id)
        for variant in variants:
            Listing.objects.create(variant=variant, connection=connection, offer_id=variant.sku, stock_key=variant.sku)
        controls[marketplace] = SandboxControl(server.url(marketplace))
        register_connection(connection, controls[marketplace])
        connections[marketplace] = connection
    # Listed for a day: a sale in a test is then a slow seller's, unless the test makes it a rush.
    Listing.objects.update(stock_dirty_at=None, created_at=timezone.now() - timedelta(days=1))
    return Market(in_org, warehouse, variants, connections, controls)


@pytest.fixture
def market(sandbox, in_org):  # noqa: F811 - the shared fixture, requested by name
    return build_market(sandbox, in_org)
