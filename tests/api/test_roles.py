"""Who may write what: viewers only read; warehouse staff run stock and bins; managers and owners everything."""

import pytest

from catalog.models import Product
from inventory.models import Location
from oms.choices import Role
from tests.api.conftest import client_for, create_payloads, user_with_role
from tests.factories import MembershipFactory

ALLOWED = {
    Role.VIEWER: set(),
    Role.WAREHOUSE: {"warehouses", "locations", "stock-adjustments"},
    Role.MANAGER: {"products", "variants", "listings", "warehouses", "locations", "connections", "stock-adjustments"},
    Role.OWNER: {"products", "variants", "listings", "warehouses", "locations", "connections", "stock-adjustments"},
}
CASES = [(role, endpoint) for role in ALLOWED for endpoint in sorted(ALLOWED[Role.OWNER])]


@pytest.mark.parametrize(("role", "endpoint"), CASES)
def test_role_may_create_only_what_its_capabilities_allow(org, world, role, endpoint):
    client = client_for(user_with_role(org, role))

    response = client.post(f"/api/v1/{endpoint}/", create_payloads(world)[endpoint], format="json")

    expected = 201 if endpoint in ALLOWED[role] else 403
    assert response.status_code == expected, response.content


@pytest.mark.parametrize("role", [Role.VIEWER, Role.WAREHOUSE, Role.MANAGER])
def test_every_role_reads(org, world, role):
    client = client_for(user_with_role(org, role))

    assert client.get("/api/v1/products/").json()["count"] == 1
    assert client.get(f"/api/v1/connections/{world.connection.pk}/").status_code == 200


def test_viewer_cannot_change_or_delete(viewer_api, world):
    patched = viewer_api.patch(f"/api/v1/products/{world.product.pk}/", {"title": "Renamed"}, format="json")
    deleted = viewer_api.delete(f"/api/v1/locations/{world.location.pk}/")

    assert (patched.status_code, deleted.status_code) == (403, 403)
    assert Product.all_tenants.get(pk=world.product.pk).title == world.product.title
    assert Location.all_tenants.filter(pk=world.location.pk).exists()


def test_warehouse_staff_cannot_change_connections(warehouse_api, world):
    response = warehouse_api.patch(f"/api/v1/connections/{world.connection.pk}/", {"enabled": False}, format="json")

    assert response.status_code == 403


def test_membership_role_in_the_chosen_organization_decides(org, other_org, world, other_world):
    user = user_with_role(org, Role.VIEWER)
    MembershipFactory(user=user, organization=other_org, role=Role.MANAGER)

    as_viewer = client_for(user, organization=org).post("/api/v1/products/", {"title": "A"}, format="json")
    as_manager = client_for(user, organization=other_org).post("/api/v1/products/", {"title": "B"}, format="json")

    assert (as_viewer.status_code, as_manager.status_code) == (403, 201)
    assert Product.all_tenants.get(pk=as_manager.json()["id"]).organization == other_org
