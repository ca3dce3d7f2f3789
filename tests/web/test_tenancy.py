"""Every page shows the active organization only; another organization's object does not exist."""

import pytest
from django.urls import reverse

from oms.choices import Role
from oms.organizations import SESSION_KEY
from tests.factories import MembershipFactory, OrganizationFactory

LIST_PAGES = [
    "home",
    "orders:order_list",
    "catalog:product_list",
    "inventory:stock_list",
    "connectors:connection_list",
]


def detail_urls(shop):
    return [
        reverse("catalog:product_detail", args=[shop.product.pk]),
        reverse("inventory:variant_ledger", args=[shop.variant.pk]),
        reverse("orders:order_detail", args=[shop.order.pk]),
        reverse("connectors:connection_detail", args=[shop.connection.pk]),
    ]


@pytest.mark.parametrize("index", range(4))
def test_a_detail_page_of_another_organization_is_not_found(logged_in, shop, other_shop, index):
    assert logged_in.get(detail_urls(shop)[index]).status_code == 200

    assert logged_in.get(detail_urls(other_shop)[index]).status_code == 404


@pytest.mark.parametrize("name", LIST_PAGES)
def test_a_list_page_never_shows_another_organizations_rows(logged_in, shop, other_shop, name):
    response = logged_in.get(reverse(name))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Beta" not in html
    if name != "home":
        assert "Alpha" in html


def test_a_search_cannot_reach_another_organization(logged_in, shop, other_shop):
    response = logged_in.get(reverse("catalog:product_list"), {"q": other_shop.variant.sku})

    assert other_shop.product.title not in response.content.decode()


def test_the_organization_switcher_refuses_an_organization_the_user_is_not_in(logged_in, org, shop, other_shop):
    response = logged_in.post(reverse("switch_organization"), {"organization": other_shop.product.organization_id})

    assert response.status_code == 404
    assert logged_in.session.get(SESSION_KEY) != other_shop.product.organization_id
    assert "Alpha Lamp" in logged_in.get(reverse("catalog:product_list")).content.decode()


def test_switching_organization_shows_the_other_organizations_data(logged_in, owner, shop, other_shop, other_org):
    MembershipFactory(user=owner, organization=other_org, role=Role.VIEWER)

    response = logged_in.post(reverse("switch_organization"), {"organization": other_org.pk})

    assert response.status_code == 302
    assert logged_in.session[SESSION_KEY] == other_org.pk
    html = logged_in.get(reverse("catalog:product_list")).content.decode()
    assert "Beta Lamp" in html
    assert "Alpha Lamp" not in html


def test_the_switcher_lists_only_the_users_own_organizations(logged_in, owner, org, other_org):
    OrganizationFactory(name="Gamma Stranger", slug="gamma")
    MembershipFactory(user=owner, organization=other_org, role=Role.VIEWER)

    html = logged_in.get(reverse("home")).content.decode()

    assert 'name="organization"' in html
    assert "Beta Goods" in html
    assert "Gamma Stranger" not in html


def test_switching_organization_needs_a_post(logged_in, org):
    assert logged_in.get(reverse("switch_organization"), {"organization": org.pk}).status_code == 405
