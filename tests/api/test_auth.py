import pytest
from rest_framework.test import APIClient

from tests.conftest import PASSWORD


def test_token_is_issued_for_email_and_password_and_opens_the_api(owner, world):
    client = APIClient()

    response = client.post("/api/v1/auth/token/", {"username": owner.email, "password": PASSWORD}, format="json")

    assert response.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get("/api/v1/products/").json()["count"] == 1


def test_wrong_password_gets_no_token(owner):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": owner.email, "password": "wrong"}, format="json"
    )

    assert response.status_code == 400
    assert "token" not in response.json()


def test_request_without_credentials_is_unauthorized(world):
    response = APIClient().get("/api/v1/products/")

    assert response.status_code == 401


def test_unknown_token_is_unauthorized(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")

    assert client.get("/api/v1/orders/").status_code == 401


def test_session_login_reads_the_api(owner, world):
    client = APIClient()
    client.force_login(owner)

    assert client.get("/api/v1/products/").json()["count"] == 1


def test_session_write_without_csrf_token_is_refused(owner, world):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(owner)

    response = client.post("/api/v1/products/", {"title": "Coat"}, format="json")

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_browsable_api_renders_for_a_token_user(api, world):
    response = api.get("/api/v1/variants/", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert world.variant.sku in response.content.decode()


ENDPOINTS = [
    "products", "variants", "listings", "warehouses", "locations", "connections", "stock-levels", "stock-movements",
    "orders", "stock-adjustments",
]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_every_endpoint_describes_itself_to_options(api, world, endpoint):
    response = api.options(f"/api/v1/{endpoint}/")

    assert response.status_code == 200


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e != "stock-adjustments"])
def test_every_detail_renders_in_the_browsable_api(api, world, endpoint):
    response = api.get(f"/api/v1/{endpoint}/{world.obj(endpoint).pk}/", HTTP_ACCEPT="text/html")

    assert response.status_code == 200


def test_token_login_ignores_the_case_of_the_email(owner):
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/", {"username": owner.email.upper(), "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200 and response.json()["token"]
