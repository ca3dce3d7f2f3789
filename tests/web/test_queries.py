"""List pages cost a fixed number of queries however many rows they show."""

import pytest
from django.urls import reverse

from inventory import services
from oms.tenancy import organization_scope
from tests.factories import BarcodeFactory, KitComponentFactory, ListingFactory, VariantFactory
from tests.web.conftest import build_shop

# Session, user, membership (middleware), memberships for the switcher, and the page's own queries.
MAX_QUERIES = 10


@pytest.fixture
def busy_org(org):
    for number in range(12):
        build_shop(org, f"Shop{number:02d}")
    return org


@pytest.mark.parametrize(
    "name",
    ["home", "catalog:product_list", "inventory:stock_list", "orders:order_list", "connectors:connection_list"],
)
def test_a_list_page_runs_a_bounded_number_of_queries(logged_in, busy_org, django_assert_max_num_queries, name):
    with django_assert_max_num_queries(MAX_QUERIES):
        response = logged_in.get(reverse(name))

    assert response.status_code == 200
    assert "Shop11" in response.content.decode() or name == "home"


def test_the_product_page_runs_a_bounded_number_of_queries(logged_in, org, django_assert_max_num_queries):
    shop = build_shop(org, "Many")
    warehouse = shop.warehouse
    kit = VariantFactory(organization=org, product=shop.product, sku="MANY-KIT", is_kit=True)
    for number in range(6):
        variant = VariantFactory(organization=org, product=shop.product, sku=f"MANY-{number}")
        BarcodeFactory(organization=org, variant=variant)
        ListingFactory(organization=org, variant=variant, connection=shop.connection)
        KitComponentFactory(organization=org, kit=kit, component=variant)
        with organization_scope(org):
            services.receive(variant=variant, warehouse=warehouse, quantity=number + 1)

    with django_assert_max_num_queries(MAX_QUERIES):
        response = logged_in.get(reverse("catalog:product_detail", args=[shop.product.pk]))

    assert response.status_code == 200
    assert "MANY-5" in response.content.decode()
