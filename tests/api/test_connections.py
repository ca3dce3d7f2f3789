"""Marketplace credentials go in, are encrypted, and never come back out."""

import json

import pytest
from django.db import connection as db

from connectors.models import Connection
from oms.tenancy import all_tenants_scope

SECRET_VALUE = "zz-Recognizable-Secret-0451"
CREDENTIALS = {"api_key": SECRET_VALUE, "client_id": "1234"}


@pytest.fixture
def created(api, org):
    response = api.post(
        "/api/v1/connections/",
        {"marketplace": "ozon", "name": "Ozon main", "credentials": CREDENTIALS, "base_url": "http://127.0.0.1:8300"},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response


def stored_credentials(pk: int) -> dict:
    return Connection.all_tenants.get(pk=pk).credentials


def test_create_answers_with_credential_names_but_not_values(created):
    body = created.json()

    assert SECRET_VALUE.encode() not in created.content
    assert "credentials" not in body
    assert body["has_credentials"] is True
    assert body["credential_fields"] == ["api_key", "client_id"]


def test_list_and_detail_never_show_the_secret(api, created):
    pk = created.json()["id"]

    for url in ("/api/v1/connections/", f"/api/v1/connections/{pk}/", "/api/v1/connections/?format=json"):
        response = api.get(url)
        assert response.status_code == 200
        assert SECRET_VALUE.encode() not in response.content


def test_browsable_api_never_shows_the_secret(api, created):
    pk = created.json()["id"]

    response = api.get(f"/api/v1/connections/{pk}/", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert SECRET_VALUE.encode() not in response.content


def test_schema_never_shows_the_secret(api, created):
    response = api.get("/api/schema/?format=json")

    assert response.status_code == 200
    assert SECRET_VALUE.encode() not in response.content


def test_patch_without_credentials_keeps_them(api, created):
    pk = created.json()["id"]

    response = api.patch(f"/api/v1/connections/{pk}/", {"name": "Ozon renamed", "enabled": False}, format="json")

    assert response.status_code == 200
    assert SECRET_VALUE.encode() not in response.content
    assert response.json()["has_credentials"] is True
    assert stored_credentials(pk) == CREDENTIALS


def test_patch_with_credentials_replaces_them(api, created):
    pk = created.json()["id"]

    response = api.patch(f"/api/v1/connections/{pk}/", {"credentials": {"token": "new-one"}}, format="json")

    assert response.status_code == 200
    assert response.json()["credential_fields"] == ["token"]
    assert stored_credentials(pk) == {"token": "new-one"}


def test_database_holds_only_ciphertext(created):
    pk = created.json()["id"]

    with db.cursor() as cursor:
        cursor.execute("SELECT credentials FROM connectors_connection WHERE id = %s", [pk])
        [raw] = cursor.fetchone()

    assert SECRET_VALUE not in raw
    assert "api_key" not in raw
    with all_tenants_scope():
        assert Connection.objects.get(pk=pk).credentials == CREDENTIALS


def test_validation_errors_do_not_echo_the_secret(api):
    response = api.post(
        "/api/v1/connections/",
        {"marketplace": "nowhere", "name": "", "credentials": CREDENTIALS, "orders_poll_seconds": 0},
        format="json",
    )

    assert response.status_code == 400
    assert SECRET_VALUE.encode() not in response.content
    assert {"marketplace", "name", "orders_poll_seconds"} <= set(response.json())


def test_connection_without_credentials_says_so(api):
    response = api.post("/api/v1/connections/", {"marketplace": "wb", "name": "WB empty"}, format="json")

    assert response.status_code == 201
    assert response.json()["has_credentials"] is False
    assert response.json()["credential_fields"] == []


def test_api_base_urls_must_all_be_http_urls(api):
    response = api.post(
        "/api/v1/connections/",
        {
            "marketplace": "wb", "name": "WB",
            "api_base_urls": {"statistics": "http://sandbox:8300", "marketplace": "ftp://files.example", "x": 5},
        },
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()["api_base_urls"]) == {"marketplace", "x"}


def test_base_urls_accept_container_hostnames(api):
    response = api.post(
        "/api/v1/connections/",
        {"marketplace": "wb", "name": "WB", "base_url": "http://sandbox:8300",
         "api_base_urls": {"statistics": "https://statistics-api.wildberries.ru"}},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["api_base_urls"] == {"statistics": "https://statistics-api.wildberries.ru"}


@pytest.mark.parametrize("value", ["javascript:alert(1)", "sandbox:8300", "http://", "http://host:99999"])
def test_base_url_must_be_an_http_url(api, value):
    response = api.post("/api/v1/connections/", {"marketplace": "wb", "name": "WB", "base_url": value}, format="json")

    assert response.status_code == 400
    assert "base_url" in response.json()


def test_marketplace_of_a_connection_cannot_change(api, created):
    pk = created.json()["id"]

    response = api.patch(f"/api/v1/connections/{pk}/", {"marketplace": "wb"}, format="json")

    assert response.status_code == 400
    assert "marketplace" in response.json()


def test_connection_names_are_unique_per_organization(api, created, other_world):
    response = api.post("/api/v1/connections/", {"marketplace": "wb", "name": "Ozon main"}, format="json")
    foreign_name = api.post("/api/v1/connections/", {"marketplace": "wb", "name": "WB 2"}, format="json")

    assert response.status_code == 400
    assert "name" in response.json()
    assert foreign_name.status_code == 201


def test_connection_with_orders_cannot_be_deleted(api, world):
    response = api.delete(f"/api/v1/connections/{world.connection.pk}/")

    assert response.status_code == 409
    assert Connection.all_tenants.filter(pk=world.connection.pk).exists()


def test_credentials_must_be_an_object(api):
    response = api.post(
        "/api/v1/connections/", {"marketplace": "wb", "name": "WB", "credentials": json.dumps(CREDENTIALS)},
        format="json",
    )

    assert response.status_code == 400
    assert "credentials" in response.json()
    assert SECRET_VALUE.encode() not in response.content
