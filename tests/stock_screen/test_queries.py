"""The stock screen costs the same few queries however many rows, channels and pushed pairs it shows."""

from __future__ import annotations

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inventory import services
from inventory.models import PushedStock
from tests.factories import ConnectionFactory, KitComponentFactory, ListingFactory, VariantFactory, WarehouseFactory
from tests.web.test_queries import MAX_QUERIES  # the bound every list page keeps

MARKETPLACES = ("wb", "ozon", "yandex_market", "aliexpress")


@pytest.fixture
def world(org, in_org):
    """Two own warehouses, each feeding a marketplace warehouse of four connections."""
    warehouses = [WarehouseFactory(organization=org, name=f"W{n}") for n in range(2)]
    connections = []
    for marketplace in MARKETPLACES:
        connection = ConnectionFactory(organization=org, name=marketplace, marketplace=marketplace)
        for number, warehouse in enumerate(warehouses):
            connection.warehouse_links.create(organization=org, warehouse=warehouse, external_id=f"{marketplace}-{number}")
        connections.append(connection)
    return org, warehouses, connections


def add_variants(world, numbers):
    """Each number: a variant and a kit of it, stocked in both warehouses, listed and pushed on every connection."""
    org, warehouses, connections = world
    now = timezone.now()
    for number in numbers:
        variant = VariantFactory(organization=org, sku=f"V-{number:03d}")
        kit = VariantFactory(organization=org, sku=f"K-{number:03d}", is_kit=True)
        KitComponentFactory(organization=org, kit=kit, component=variant, quantity=2)
        for warehouse in warehouses:
            services.receive(variant=variant, warehouse=warehouse, quantity=number + 3)
        for connection in connections:
            for item in (variant, kit):
                listing = ListingFactory(organization=org, variant=item, connection=connection)
                for link in ("0", "1"):
                    PushedStock.objects.create(listing=listing, warehouse_external_id=f"{connection.marketplace}-{link}",
                                               quantity=1, pushed_at=now, verified=number % 2 == 0)


def queries_for(client, params=None) -> int:
    with CaptureQueriesContext(db) as captured:
        response = client.get(reverse("inventory:stock_list"), params or {})
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("params", [{}, {"drift": "false", "sort": "-pushed"}, {"q": "V-0", "low_stock": 100}])
def test_the_stock_screen_runs_a_bounded_number_of_queries(page, world, params):
    add_variants(world, range(15))  # 60 rows: a full page of 4 channel cells each

    assert queries_for(page, params) <= MAX_QUERIES


def test_more_rows_cost_no_more_queries(page, world):
    add_variants(world, range(2))
    few = queries_for(page)
    add_variants(world, range(2, 12))

    assert queries_for(page) == few
