"""Two organizations with one of everything the screens show, so every page can be checked for leaks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import Product, Variant
from connectors.choices import Marketplace
from connectors.models import Connection
from inventory import services
from inventory.models import Warehouse
from oms.tenancy import organization_scope
from orders.choices import EventSource, OrderStatus
from orders.models import Order, OrderEvent
from tests.factories import (
    BarcodeFactory,
    ConnectionFactory,
    ListingFactory,
    LocationFactory,
    MembershipFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    UserFactory,
    VariantFactory,
    WarehouseFactory,
)

SECRET = "TOKEN-NEVER-SHOWN-4411"


@dataclass
class Shop:
    """One organization's rows, named by what each test needs; ``tag`` makes its texts unique per shop."""

    tag: str
    connection: Connection
    product: Product
    variant: Variant
    warehouse: Warehouse
    order: Order


def build_shop(organization, tag: str) -> Shop:
    connection = ConnectionFactory(
        organization=organization, name=f"{tag} Wildberries", marketplace=Marketplace.WB, credentials={"token": SECRET}
    )
    product = ProductFactory(organization=organization, title=f"{tag} Lamp", brand=f"{tag}Brand")
    variant = VariantFactory(organization=organization, product=product, sku=f"{tag}-SKU-1", size="M")
    BarcodeFactory(organization=organization, variant=variant, value=f"{tag}4600000000017")
    ListingFactory(organization=organization, variant=variant, connection=connection)
    warehouse = WarehouseFactory(organization=organization, name=f"{tag} Warehouse", code=f"{tag}-WH")
    LocationFactory(organization=organization, warehouse=warehouse, code=f"{tag}-A-01")
    order = OrderFactory(
        organization=organization,
        connection=connection,
        number=f"{tag}-ORDER-1",
        ordered_at=timezone.now() - timedelta(hours=3),
        ship_by=timezone.now() + timedelta(hours=20),
        total=Decimal("1234.50"),
    )
    OrderLineFactory(organization=organization, order=order, variant=variant, quantity=2)
    OrderEvent.all_tenants.create(
        organization=organization,
        order=order,
        status=OrderStatus.NEW,
        marketplace_status=f"{tag}-waiting",
        source=EventSource.POLL,
        occurred_at=timezone.now() - timedelta(hours=3),
    )
    with organization_scope(organization):
        services.receive(variant=variant, warehouse=warehouse, quantity=7, reason=f"{tag} first delivery")
    return Shop(tag, connection, product, variant, warehouse, order)


@pytest.fixture
def shop(org) -> Shop:
    return build_shop(org, "Alpha")


@pytest.fixture
def other_shop(other_org) -> Shop:
    return build_shop(other_org, "Beta")


@pytest.fixture
def logged_in(client, owner):
    client.force_login(owner)
    return client


def login_as(client, organization, role: str, email: str, *, is_staff: bool = False):
    user = UserFactory(email=email, is_staff=is_staff)
    MembershipFactory(user=user, organization=organization, role=role)
    client.force_login(user)
    return user

