"""List endpoints run a fixed number of queries, however many rows they return."""

import pytest

from inventory import services
from oms.tenancy import organization_scope
from tests.factories import (
    BarcodeFactory,
    ConnectionFactory,
    KitComponentFactory,
    ListingFactory,
    LocationFactory,
    OrderLineFactory,
    VariantFactory,
    WarehouseFactory,
)

ROWS = 12
MAX_QUERIES = 8  # auth, membership, count, rows, prefetches: well below one query per row


@pytest.fixture
def many_rows(org, world):
    with organization_scope(org):
        for n in range(ROWS):
            variant = VariantFactory(organization=org, sku=f"MANY-{n}")
            BarcodeFactory(organization=org, variant=variant)
            KitComponentFactory(organization=org, component=variant, kit__sku=f"MANYKIT-{n}")
            ListingFactory(organization=org, variant=variant, connection=world.connection)
            LocationFactory(organization=org, warehouse=world.warehouse)
            services.receive(variant=variant, warehouse=world.warehouse, quantity=3, reason="initial")
            order = OrderLineFactory(organization=org, variant=variant, order__connection=world.connection).order
            OrderLineFactory(organization=org, variant=variant, order=order)
            WarehouseFactory(organization=org, kind="fbo", connection=ConnectionFactory(organization=org))


@pytest.mark.parametrize(
    "endpoint",
    ["products", "variants", "listings", "warehouses", "locations", "connections", "stock-levels", "stock-movements",
     "orders"],
)
def test_list_query_count_does_not_grow_with_rows(api, many_rows, endpoint, django_assert_max_num_queries):
    with django_assert_max_num_queries(MAX_QUERIES):
        response = api.get(f"/api/v1/{endpoint}/", {"page_size": 100})

    assert response.status_code == 200
    assert len(response.json()["results"]) >= min(ROWS, 2)


def test_order_detail_query_count_is_bounded(api, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(MAX_QUERIES):
        assert api.get(f"/api/v1/orders/{world.order.pk}/").status_code == 200
