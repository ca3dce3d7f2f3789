"""Another organization's objects are never listed, and answer 404 to read, change and delete."""

import pytest

from oms.choices import Role
from tests.api.conftest import client_for
from tests.factories import MembershipFactory

LIST_ENDPOINTS = [
    "products", "variants", "listings", "warehouses", "locations", "connections", "stock-levels", "stock-movements",
    "orders",
]
WRITABLE_ENDPOINTS = ["products", "variants", "listings", "warehouses", "locations", "connections"]


def listed_ids(client, endpoint: str) -> set[int]:
    response = client.get(f"/api/v1/{endpoint}/", {"page_size": 500})
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("endpoint", LIST_ENDPOINTS)
def test_list_shows_only_own_organization(api, world, other_world, endpoint):
    ids = listed_ids(api, endpoint)

    assert world.obj(endpoint).pk in ids
    assert other_world.obj(endpoint).pk not in ids


@pytest.mark.parametrize("endpoint", LIST_ENDPOINTS)
def test_detail_of_another_organization_is_not_found(api, world, other_world, endpoint):
    assert api.get(f"/api/v1/{endpoint}/{world.obj(endpoint).pk}/").status_code == 200
    assert api.get(f"/api/v1/{endpoint}/{other_world.obj(endpoint).pk}/").status_code == 404


@pytest.mark.parametrize("endpoint", WRITABLE_ENDPOINTS)
def test_another_organizations_object_cannot_be_changed(api, other_world, endpoint):
    url = f"/api/v1/{endpoint}/{other_world.obj(endpoint).pk}/"

    assert api.patch(url, {"name": "Hijacked"}, format="json").status_code == 404
    assert api.put(url, {"name": "Hijacked"}, format="json").status_code == 404


@pytest.mark.parametrize("endpoint", WRITABLE_ENDPOINTS)
def test_another_organizations_object_cannot_be_deleted(api, other_world, endpoint):
    obj = other_world.obj(endpoint)

    assert api.delete(f"/api/v1/{endpoint}/{obj.pk}/").status_code == 404
    assert type(obj).all_tenants.filter(pk=obj.pk).exists()


# (endpoint, body builder given (own world, other world), the field naming the other organization's object)
FOREIGN_IDS = {
    "variant-product": ("variants", lambda own, other: {"product": other.product.pk, "sku": "NEW-1"}, "product"),
    "listing-variant": (
        "listings", lambda own, other: {"variant": other.variant.pk, "connection": own.connection.pk, "offer_id": "X"},
        "variant",
    ),
    "listing-connection": (
        "listings", lambda own, other: {"variant": own.kit.pk, "connection": other.connection.pk, "offer_id": "X"},
        "connection",
    ),
    "warehouse-connection": (
        "warehouses",
        lambda own, other: {"name": "FBO", "code": "F1", "kind": "fbo", "connection": other.connection.pk},
        "connection",
    ),
    "location-warehouse": ("locations", lambda own, other: {"warehouse": other.warehouse.pk, "code": "B"}, "warehouse"),
    "adjustment-variant": (
        "stock-adjustments",
        lambda own, other: {"variant": other.variant.pk, "warehouse": own.warehouse.pk, "delta": 1, "reason": "x"},
        "variant",
    ),
    "adjustment-warehouse": (
        "stock-adjustments",
        lambda own, other: {"variant": own.variant.pk, "warehouse": other.warehouse.pk, "delta": 1, "reason": "x"},
        "warehouse",
    ),
}


@pytest.mark.parametrize("case", FOREIGN_IDS)
def test_related_id_of_another_organization_is_rejected(api, world, other_world, case):
    endpoint, build, field = FOREIGN_IDS[case]

    response = api.post(f"/api/v1/{endpoint}/", build(world, other_world), format="json")

    assert response.status_code == 400
    assert "does not exist" in response.json()[field][0]


def test_changing_a_relation_to_another_organizations_object_is_rejected(api, world, other_world):
    response = api.patch(f"/api/v1/variants/{world.variant.pk}/", {"product": other_world.product.pk}, format="json")

    assert response.status_code == 400
    assert "does not exist" in response.json()["product"][0]


def test_kit_component_of_another_organization_is_rejected(api, world, other_world):
    response = api.patch(
        f"/api/v1/variants/{world.kit.pk}/", {"components": [{"variant": other_world.variant.pk, "quantity": 1}]},
        format="json",
    )

    assert response.status_code == 400
    assert "does not exist" in response.json()["components"]["0"]["variant"][0]


def test_organization_header_switches_between_the_users_organizations(owner, org, other_org, world, other_world):
    MembershipFactory(user=owner, organization=other_org, role=Role.MANAGER)

    in_alpha = listed_ids(client_for(owner, organization=org), "products")
    in_beta = listed_ids(client_for(owner, organization=other_org), "products")

    assert in_alpha == {world.product.pk}
    assert in_beta == {other_world.product.pk}


def test_organization_header_of_a_foreign_organization_is_forbidden(owner, other_org, world, other_world):
    client = client_for(owner, organization=other_org)

    response = client.get("/api/v1/products/")

    assert response.status_code == 403
    assert "results" not in response.json()


def test_organization_header_that_is_not_an_id_is_forbidden(owner, world):
    client = client_for(owner)

    response = client.get("/api/v1/products/", HTTP_X_ORGANIZATION="alpha")

    assert response.status_code == 403
