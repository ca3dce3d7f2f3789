"""Django admin: superusers see every organization, other staff only their active one; the ledger is read-only."""

import pytest
from django.contrib import admin
from django.urls import reverse

from catalog.models import Product, Variant
from connectors.models import Connection
from inventory.models import StockMovement
from oms.choices import Role
from oms.models import User
from tests.factories import MembershipFactory, ProductFactory, UserFactory
from tests.web.conftest import SECRET, login_as


def _root():
    return User.objects.get(email="root@okno.test")


@pytest.fixture
def superuser_client(client, db):
    client.force_login(UserFactory(email="root@okno.test", is_staff=True, is_superuser=True))
    return client


def admin_url(model, action="changelist", *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


def test_a_superuser_sees_every_organizations_products(superuser_client, shop, other_shop):
    html = superuser_client.get(admin_url(Product)).content.decode()

    assert "Alpha Lamp" in html
    assert "Beta Lamp" in html


def test_a_staff_owner_sees_only_the_active_organizations_products(client, org, shop, other_shop):
    login_as(client, org, Role.OWNER, "staff-owner@alpha.test", is_staff=True)

    html = client.get(admin_url(Product)).content.decode()

    assert "Alpha Lamp" in html
    assert "Beta Lamp" not in html
    assert "Beta Goods" not in html  # no organization column or filter either


def test_the_superusers_product_list_costs_the_same_for_many_rows(
    superuser_client, org, other_org, django_assert_max_num_queries
):
    for number in range(30):
        ProductFactory(organization=org if number % 2 else other_org, title=f"Bulk {number}")

    with django_assert_max_num_queries(12):
        html = superuser_client.get(admin_url(Product)).content.decode()

    assert "Bulk 29" in html and "Beta Goods" in html


def test_a_staff_owner_cannot_open_another_organizations_row(client, org, shop, other_shop):
    login_as(client, org, Role.OWNER, "staff-owner@alpha.test", is_staff=True)

    response = client.get(admin_url(Product, "change", other_shop.product.pk), follow=True)

    assert "Beta Lamp" not in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("admin:index")


@pytest.mark.parametrize("role", [Role.WAREHOUSE, Role.VIEWER])
def test_staff_without_an_owner_or_manager_role_cannot_enter_admin(client, org, role):
    login_as(client, org, role, f"{role}@alpha.test", is_staff=True)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_an_owner_who_is_not_staff_cannot_enter_admin(client, org):
    login_as(client, org, Role.OWNER, "plain-owner@alpha.test")

    assert client.get(reverse("admin:index")).status_code == 302


def test_the_stock_ledger_cannot_be_added_to_or_changed_in_admin(superuser_client, org, shop):
    movement = StockMovement.all_tenants.filter(organization=org).first()

    assert superuser_client.get(admin_url(StockMovement, "add")).status_code == 403
    change_page = superuser_client.get(admin_url(StockMovement, "change", movement.pk)).content.decode()
    assert 'name="_save"' not in change_page
    assert superuser_client.post(admin_url(StockMovement, "change", movement.pk), {"reason": "edited"}).status_code == 403
    assert superuser_client.post(admin_url(StockMovement, "delete", movement.pk), {"post": "yes"}).status_code == 403
    assert StockMovement.all_tenants.get(pk=movement.pk).reason == movement.reason


def test_stock_levels_are_read_only_in_admin(superuser_client, shop):
    from inventory.models import StockLevel

    level = StockLevel.all_tenants.get(variant=shop.variant)

    assert superuser_client.get(admin_url(StockLevel, "add")).status_code == 403
    assert superuser_client.post(admin_url(StockLevel, "change", level.pk), {"on_hand": 999}).status_code == 403
    assert StockLevel.all_tenants.get(pk=level.pk).on_hand == 7


def test_the_connection_admin_never_shows_the_stored_credentials(superuser_client, shop):
    html = superuser_client.get(admin_url(Connection, "change", shop.connection.pk)).content.decode()

    assert "Alpha Wildberries" in html
    assert SECRET not in html
    assert 'name="new_credentials"' in html
    assert 'name="credentials"' not in html


def test_new_credentials_replace_the_stored_ones_without_being_shown(client, org, shop):
    login_as(client, org, Role.OWNER, "staff-owner@alpha.test", is_staff=True)
    url = admin_url(Connection, "change", shop.connection.pk)
    form = {
        "marketplace": "wb",
        "name": "Alpha Wildberries",
        "enabled": "on",
        "new_credentials": '{"token": "ROTATED-TOKEN-99"}',
        "api_base_urls": "{}",
        "options": "{}",
        "orders_poll_seconds": 2,
        "statuses_poll_seconds": 60,
        "stocks_reconcile_seconds": 900,
        "fbo_poll_seconds": 1800,
        "returns_poll_seconds": 600,
        "warehouse_links-TOTAL_FORMS": 0,
        "warehouse_links-INITIAL_FORMS": 0,
    }

    response = client.post(url, form)

    assert response.status_code == 302, response.content.decode()[:3000]
    assert Connection.all_tenants.get(pk=shop.connection.pk).credentials == {"token": "ROTATED-TOKEN-99"}
    assert "ROTATED-TOKEN-99" not in client.get(url).content.decode()


@pytest.mark.parametrize("member_of_first_org", [False, True], ids=["no-membership", "active-elsewhere"])
def test_a_superuser_picks_the_organization_of_a_new_row(superuser_client, org, other_org, member_of_first_org):
    if member_of_first_org:
        MembershipFactory(user=_root(), organization=org, role=Role.OWNER)

    response = superuser_client.post(
        admin_url(Product, "add"),
        {
            "organization": other_org.pk,
            "title": "Made in admin",
            "vat_rate": "none",
            "attributes": "{}",
            "images": "[]",
            "variants-TOTAL_FORMS": 1,
            "variants-INITIAL_FORMS": 0,
            "variants-0-sku": "ADMIN-1",
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    product = Product.all_tenants.get(title="Made in admin")
    assert product.organization_id == other_org.pk
    assert Variant.all_tenants.get(sku="ADMIN-1").organization_id == other_org.pk


def test_a_row_cannot_point_at_another_organizations_row(superuser_client, org, other_shop):
    response = superuser_client.post(
        admin_url(Variant, "add"),
        {
            "organization": org.pk,
            "product": other_shop.product.pk,
            "sku": "CROSS-1",
            "barcodes-TOTAL_FORMS": 0,
            "barcodes-INITIAL_FORMS": 0,
            "components-TOTAL_FORMS": 0,
            "components-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 200
    assert not Variant.all_tenants.filter(sku="CROSS-1").exists()


def test_a_duplicate_sku_is_a_form_error_not_a_crash(client, org, shop):
    login_as(client, org, Role.MANAGER, "staff-manager@alpha.test", is_staff=True)

    response = client.post(
        admin_url(Variant, "add"),
        {
            "product": shop.product.pk,
            "sku": shop.variant.sku,
            "barcodes-TOTAL_FORMS": 0,
            "barcodes-INITIAL_FORMS": 0,
            "components-TOTAL_FORMS": 0,
            "components-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 200
    assert Variant.all_tenants.filter(sku=shop.variant.sku).count() == 1


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_every_admin_list_and_form_opens_for_a_superuser(superuser_client, shop, other_shop, model):
    assert superuser_client.get(admin_url(model)).status_code == 200
    row = model._base_manager.first()
    if row is not None:
        assert superuser_client.get(admin_url(model, "change", row.pk)).status_code == 200
    # Read-only admins refuse the add form; the others show it.
    assert superuser_client.get(admin_url(model, "add")).status_code in (200, 403)


def test_every_model_of_the_project_has_an_admin():
    from django.apps import apps

    project_apps = {"oms", "catalog", "inventory", "orders", "connectors", "returns", "feedback", "analytics"}
    models = [m for m in apps.get_models() if m._meta.app_label in project_apps]

    assert [m._meta.label for m in models if m not in admin.site._registry] == []


def test_the_ingest_error_admin_shows_the_payload_and_the_error(superuser_client, org, shop):
    from connectors.models import IngestError

    item = IngestError.all_tenants.create(
        organization=org,
        connection=shop.connection,
        job="orders",
        kind="order",
        external_id="42",
        payload='{"id": 42, "price": "not-a-number"}',
        error="price: not a number",
    )

    html = superuser_client.get(admin_url(IngestError, "change", item.pk)).content.decode()

    assert "&quot;price&quot;: &quot;not-a-number&quot;" in html
    assert "price: not a number" in html
