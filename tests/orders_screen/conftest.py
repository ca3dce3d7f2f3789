"""An organization with two marketplace connections, two warehouses and a small catalogue, and a way to add orders
with lines — enough rows for every filter, sort and search of the orders screen to have something to tell apart."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from connectors.choices import Marketplace
from orders.choices import OrderStatus, Scheme
from orders.models import Order
from tests.connectors.conftest import control, sandbox, sandbox_server  # noqa: F401 - shared sandbox fixtures
from tests.factories import (
    BarcodeFactory,
    ConnectionFactory,
    MembershipFactory,
    OrderFactory,
    OrderLineFactory,
    UserFactory,
    VariantFactory,
    WarehouseFactory,
)

_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@dataclass
class Desk:
    """One organization's shipping desk: what the screen lists, named by what tests need."""

    org: object
    wb: object
    ozon: object
    main: object  # warehouse
    second: object  # warehouse
    lamp: object  # variant LAMP-01, barcode 4600000000011
    mug: object  # variant MUG-02, barcode 4600000000028

    def order(self, connection=None, *, number: str | None = None, lines=None, warehouse=None, **fields) -> Order:
        """An open FBS order (override anything), with (variant, quantity) lines — one lamp by default."""
        number = number or f"{self.org.slug.upper()}-{next(_numbers):05d}"
        values = {"status": OrderStatus.NEW, "scheme": Scheme.FBS, "ship_by": timezone.now() + timedelta(days=2),
                  "ordered_at": timezone.now() - timedelta(hours=1), "buyer_name": "Покупатель"}
        values.update(fields)
        order = OrderFactory(organization=self.org, connection=connection or self.wb, number=number,
                             external_id=values.pop("external_id", f"ext-{number}"),
                             warehouse=self.main if warehouse is None else warehouse, **values)
        for variant, quantity in lines if lines is not None else [(self.lamp, 1)]:
            OrderLineFactory(organization=self.org, order=order, variant=variant, sku=variant.sku, offer_id=variant.sku,
                             quantity=quantity, price=Decimal("500.00"), total=Decimal("500.00") * quantity)
        return order


def build_desk(org, tag: str = "") -> Desk:
    wb = ConnectionFactory(organization=org, marketplace=Marketplace.WB, name=f"{tag}WB основной")
    ozon = ConnectionFactory(organization=org, marketplace=Marketplace.OZON, name=f"{tag}Ozon основной")
    main = WarehouseFactory(organization=org, name=f"{tag}Склад Подольск", code=f"{tag}POD")
    second = WarehouseFactory(organization=org, name=f"{tag}Склад Казань", code=f"{tag}KZN")
    lamp = VariantFactory(organization=org, sku=f"{tag}LAMP-01", product__title="Лампа настольная")
    mug = VariantFactory(organization=org, sku=f"{tag}MUG-02", product__title="Кружка")
    BarcodeFactory(organization=org, variant=lamp, value=f"{tag}4600000000011")
    BarcodeFactory(organization=org, variant=mug, value=f"{tag}4600000000028")
    return Desk(org, wb, ozon, main, second, lamp, mug)


@pytest.fixture
def desk(org) -> Desk:
    return build_desk(org)


@pytest.fixture
def other_desk(other_org) -> Desk:
    return build_desk(other_org, "B")


@pytest.fixture
def logged_in(client, owner):
    client.force_login(owner)
    return client


def login_as(client, organization, role: str, email: str):
    user = UserFactory(email=email)
    MembershipFactory(user=user, organization=organization, role=role)
    client.force_login(user)
    return user


def moscow(year, month, day, hour=0, minute=0) -> datetime:
    """An aware datetime on the seller's (Moscow) clock."""
    return timezone.make_aware(datetime(year, month, day, hour, minute), timezone.get_default_timezone())


def row_numbers(response) -> list[str]:
    """Order numbers of the rows of the orders screen, top to bottom."""
    return [order.number for order in response.context["page_obj"]]
