"""Adding and editing a connection in the browser: account fields per marketplace, secrets write-only."""

from __future__ import annotations

import pytest
from django.db import connection as db
from django.urls import reverse

from connectors.models import Connection
from tests.factories import ConnectionFactory

SECRET = "wb-secret-token-7781"
POLLS = {"orders_poll_seconds": 2, "statuses_poll_seconds": 60, "stocks_reconcile_seconds": 900,
         "fbo_poll_seconds": 1800, "returns_poll_seconds": 600}


def add(client, marketplace: str, **fields):
    return client.post(reverse("connectors:connection_add_form", args=[marketplace]), {**POLLS, **fields})


def test_adding_a_wb_connection_stores_the_token_encrypted(logged_in, org):
    response = add(logged_in, "wb", name="Main WB", token=SECRET)

    connection = Connection.all_tenants.get(organization=org, name="Main WB")
    assert response.status_code == 302
    assert response["Location"] == reverse("connectors:connection_detail", args=[connection.pk])
    assert connection.marketplace == "wb"
    assert connection.credentials == {"token": SECRET}
    with db.cursor() as cursor:
        cursor.execute("SELECT credentials FROM connectors_connection WHERE id = %s", [connection.pk])
        stored = cursor.fetchone()[0]
    assert SECRET not in stored


def test_no_connection_page_ever_shows_the_secret(logged_in, org):
    add(logged_in, "wb", name="Main WB", token=SECRET)
    pk = Connection.all_tenants.get(organization=org).pk

    pages = [
        reverse("connectors:connection_list"),
        reverse("connectors:connection_detail", args=[pk]),
        reverse("connectors:connection_edit", args=[pk]),
        reverse("connectors:connection_errors", args=[pk]),
        reverse("connectors:connection_jobs", args=[pk]),
    ]
    for url in pages:
        response = logged_in.get(url)
        assert response.status_code == 200, url
        assert SECRET not in response.content.decode(), url


def test_a_refused_form_does_not_echo_the_typed_secret(logged_in, org):
    response = add(logged_in, "wb", name="Main WB", token=SECRET, base_url="ftp://files.example")

    assert response.status_code == 200
    assert not Connection.all_tenants.filter(organization=org).exists()
    assert SECRET not in response.content.decode()


def test_the_form_asks_each_marketplace_for_its_own_keys(logged_in):
    expected = {"wb": ["token"], "ozon": ["client_id", "api_key"],
                "yandex_market": ["api_key", "business_id", "campaign_id"], "aliexpress": ["token"]}
    for marketplace, names in expected.items():
        html = logged_in.get(reverse("connectors:connection_add_form", args=[marketplace])).content.decode()
        for name in names:
            assert f'name="{name}"' in html, (marketplace, name)
    assert 'name="client_id"' not in logged_in.get(reverse("connectors:connection_add_form", args=["wb"])).content.decode()


def test_ozon_without_its_api_key_is_not_added(logged_in, org):
    response = add(logged_in, "ozon", name="Ozon", client_id="90001")

    assert response.status_code == 200
    assert response.context["form"].errors["api_key"]
    assert not Connection.all_tenants.filter(organization=org).exists()


def test_yandex_market_account_ids_are_kept_as_options_and_the_key_as_a_secret(logged_in, org):
    add(logged_in, "yandex_market", name="Market", api_key="ym-key-1", business_id="7300001", campaign_id="2100001")

    connection = Connection.all_tenants.get(organization=org)
    assert connection.credentials == {"api_key": "ym-key-1"}
    assert connection.options == {"business_id": 7300001, "campaign_id": 2100001}


def test_base_url_and_a_family_override_are_saved_for_a_sandbox(logged_in, org):
    add(logged_in, "wb", name="WB sandbox", token=SECRET, base_url="http://127.0.0.1:9001/",
        family__statistics="http://127.0.0.1:9002")

    connection = Connection.all_tenants.get(organization=org)
    assert connection.base_url == "http://127.0.0.1:9001"
    assert connection.api_base_urls == {"statistics": "http://127.0.0.1:9002"}


def test_a_second_connection_with_the_same_name_is_refused(logged_in, org):
    ConnectionFactory(organization=org, name="Main")

    response = add(logged_in, "aliexpress", name="Main", token="t")

    assert response.status_code == 200
    assert response.context["form"].errors["name"]


def test_the_ozon_allow_list_switch_limits_notifications_to_ozon_networks(logged_in, org):
    add(logged_in, "ozon", name="Ozon", client_id="90001", api_key="k", webhook_only_from_marketplace="on")

    assert Connection.all_tenants.get(organization=org).options["webhook_allowed_ips"] == "ozon"


@pytest.fixture
def ozon(org):
    return ConnectionFactory(organization=org, marketplace="ozon", name="Ozon",
                             credentials={"client_id": "90001", "api_key": "old-key"})


def edit(client, connection, **fields):
    return client.post(reverse("connectors:connection_edit", args=[connection.pk]), {**POLLS, **fields})


def test_editing_without_credentials_keeps_the_stored_ones(logged_in, ozon):
    response = edit(logged_in, ozon, name="Ozon renamed", client_id="", api_key="")

    assert response.status_code == 302
    ozon.refresh_from_db()
    assert ozon.name == "Ozon renamed"
    assert ozon.credentials == {"client_id": "90001", "api_key": "old-key"}


def test_editing_one_key_replaces_only_that_key(logged_in, ozon):
    edit(logged_in, ozon, name="Ozon", api_key="new-key")

    ozon.refresh_from_db()
    assert ozon.credentials == {"client_id": "90001", "api_key": "new-key"}


def test_the_edit_page_leaves_every_secret_input_empty(logged_in, ozon):
    html = logged_in.get(reverse("connectors:connection_edit", args=[ozon.pk])).content.decode()

    assert "old-key" not in html and "90001" not in html
    assert 'type="password" name="api_key"' in html


def test_poll_intervals_are_edited(logged_in, ozon):
    edit(logged_in, ozon, name="Ozon", **{**POLLS, "orders_poll_seconds": 5})

    ozon.refresh_from_db()
    assert ozon.orders_poll_seconds == 5
