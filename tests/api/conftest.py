"""A small but complete tenant world (one of every object the API serves) for two organizations."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from catalog.models import Barcode, Listing, Product, Variant
from connectors.models import Connection
from inventory import services
from inventory.models import Location, StockLevel, StockMovement, Warehouse
from oms.choices import Role
from oms.tenancy import organization_scope
from orders.models import Order
from tests.factories import (
    BarcodeFactory,
    ConnectionFactory,
    KitComponentFactory,
    ListingFactory,
    LocationFactory,
    MembershipFactory,
    OrderLineFactory,
    ProductFactory,
    UserFactory,
    VariantFactory,
    WarehouseFactory,
)

SECRET = "SUPER-SECRET-API-KEY-7781"


@dataclass
class World:
    connection: Connection
    product: Product
    variant: Variant
    kit: Variant
    barcode: Barcode
    listing: Listing
    warehouse: Warehouse
    location: Location
    stock_level: StockLevel
    movement: StockMovement
    order: Order

    def obj(self, endpoint: str):
        return {
            "products": self.product,
            "variants": self.variant,
            "listings": self.listing,
            "warehouses": self.warehouse,
            "locations": self.location,
            "connections": self.connection,
            "stock-levels": self.stock_level,
            "stock-movements": self.movement,
            "orders": self.order,
        }[endpoint]


def build_world(org, tag: str) -> World:
    with organization_scope(org):
        connection = ConnectionFactory(organization=org, name=f"WB {tag}", credentials={"token": SECRET})
        product = ProductFactory(organization=org, title=f"Jacket {tag}", brand=f"Brand{tag}")
        variant = VariantFactory(organization=org, product=product, sku=f"JKT-{tag}-M", size="M")
        barcode = BarcodeFactory(organization=org, variant=variant, value=f"460000000{tag}")
        kit = KitComponentFactory(organization=org, kit__product=product, kit__sku=f"KIT-{tag}", component=variant).kit
        listing = ListingFactory(organization=org, variant=variant, connection=connection)
        warehouse = WarehouseFactory(organization=org, code=f"MAIN-{tag}")
        location = LocationFactory(organization=org, warehouse=warehouse, code=f"A-01-{tag}")
        [movement] = services.receive(variant=variant, warehouse=warehouse, quantity=10, reason="initial")
        stock_level = StockLevel.objects.get(variant=variant, warehouse=warehouse)
        order = OrderLineFactory(organization=org, variant=variant, order__connection=connection).order
    return World(connection, product, variant, kit, barcode, listing, warehouse, location, stock_level, movement, order)


def create_payloads(world) -> dict[str, dict]:
    """A valid POST body for every writable endpoint."""
    return {
        "products": {"title": "Winter coat"},
        "variants": {"product": world.product.pk, "sku": "COAT-L"},
        "listings": {"variant": world.kit.pk, "connection": world.connection.pk, "offer_id": "KIT-OFFER"},
        "warehouses": {"name": "Second", "code": "WH-2"},
        "locations": {"warehouse": world.warehouse.pk, "code": "B-02"},
        "connections": {"marketplace": "wb", "name": "WB second"},
        "stock-adjustments": {"variant": world.variant.pk, "warehouse": world.warehouse.pk, "delta": 1,
                              "reason": "found"},
    }


def client_for(user, organization=None) -> APIClient:
    """Token-authenticated client that asks for English messages (assertions read them)."""
    client = APIClient()
    headers = {
        "HTTP_AUTHORIZATION": f"Token {Token.objects.get_or_create(user=user)[0].key}",
        "HTTP_ACCEPT_LANGUAGE": "en",
    }
    if organization is not None:
        headers["HTTP_X_ORGANIZATION"] = str(organization.pk)
    client.credentials(**headers)
    return client


def user_with_role(org, role: str):
    user = UserFactory(email=f"{role}@{org.slug}.test")
    MembershipFactory(user=user, organization=org, role=role)
    return user


@pytest.fixture
def world(org):
    return build_world(org, "1")


@pytest.fixture
def other_world(other_org):
    return build_world(other_org, "2")


@pytest.fixture
def api(owner) -> APIClient:
    return client_for(owner)


@pytest.fixture
def viewer_api(org) -> APIClient:
    return client_for(user_with_role(org, Role.VIEWER))


@pytest.fixture
def warehouse_api(org) -> APIClient:
    return client_for(user_with_role(org, Role.WAREHOUSE))


@pytest.fixture
def manager_api(org) -> APIClient:
    return client_for(user_with_role(org, Role.MANAGER))
