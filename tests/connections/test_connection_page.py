"""The connection page: check, run now, webhook address, warehouse links, stock policy, enable/disable."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from catalog.models import Listing
from connectors.models import Connection, JobState, WarehouseLink
from connectors.sandbox.provision import register_connection
from connectors.webhooks import webhook_path
from inventory.models import ChannelStockPolicy
from orders.models import Order
from tests.connections.test_add_and_edit import POLLS
from tests.factories import ConnectionFactory, VariantFactory, WarehouseFactory
from tests.sync.conftest import ACCOUNTS, build_market

HTMX = {"HTTP_HX_REQUEST": "true"}


def sandbox_connection(sandbox, control, marketplace: str) -> Connection:
    """A connection whose credentials the sandbox seller accepts."""
    credentials, options, _warehouse_id = ACCOUNTS[marketplace]
    connection = Connection.objects.create(marketplace=marketplace, name=marketplace, credentials=credentials,
                                           options=dict(options), base_url=sandbox.url(marketplace))
    register_connection(connection, control[marketplace])
    return connection


def check(client, connection):
    return client.post(reverse("connectors:connection_check", args=[connection.pk]), **HTMX)


@pytest.mark.parametrize("marketplace", list(ACCOUNTS))
def test_checking_good_credentials_says_connected_in_green(logged_in, in_org, sandbox, control, marketplace):
    connection = sandbox_connection(sandbox, control, marketplace)

    html = check(logged_in, connection).content.decode()

    assert 'class="check-result ok"' in html
    assert "Подключено" in html
    connection.refresh_from_db()
    assert connection.status == "ok"


@pytest.mark.parametrize("marketplace", list(ACCOUNTS))
def test_checking_rejected_credentials_says_so_in_russian_in_red(logged_in, in_org, sandbox, control, marketplace):
    connection = sandbox_connection(sandbox, control, marketplace)
    secret_key = next(iter(ACCOUNTS[marketplace][0]))
    connection.credentials = {**connection.credentials, secret_key: "not-the-right-one"}
    connection.save()

    html = check(logged_in, connection).content.decode()

    assert 'class="check-result fail"' in html
    assert "Маркетплейс отклонил учётные данные" in html
    # The status badge beside the name is swapped out of band.
    assert 'id="connection-status" class="badge st-auth_failed" hx-swap-oob="true"' in html
    connection.refresh_from_db()
    assert connection.status == "auth_failed"


def test_a_connection_added_through_the_form_checks_against_the_sandbox(logged_in, in_org, sandbox, control):
    logged_in.post(reverse("connectors:connection_add_form", args=["wb"]),
                   {**POLLS, "name": "WB", "token": "form-token", "base_url": sandbox.url("wb")})
    connection = Connection.objects.get(name="WB")
    register_connection(connection, control["wb"])

    assert 'class="check-result ok"' in check(logged_in, connection).content.decode()


def test_the_last_error_is_shown_in_plain_words_on_the_page(logged_in, in_org, sandbox, control):
    connection = sandbox_connection(sandbox, control, "ozon")
    connection.credentials = {"client_id": "90001", "api_key": "wrong"}
    connection.save()
    check(logged_in, connection)

    html = logged_in.get(reverse("connectors:connection_detail", args=[connection.pk])).content.decode()

    assert 'id="last-error" class="check-result fail"' in html
    assert "Маркетплейс отклонил учётные данные" in html


def job_row(html: str, job: str) -> str:
    match = re.search(rf'<tr data-job="{job}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {job}"
    return match.group(1)


def test_run_now_runs_the_job_and_the_table_shows_its_result(logged_in, in_org, sandbox):
    market = build_market(sandbox, in_org, marketplaces=("ozon",))
    connection = market.connections["ozon"]
    market.controls["ozon"].place_order(f"okno-{connection.pk}", [{"offer_id": market.variants[0].sku, "quantity": 1}])
    assert "—" in job_row(logged_in.get(reverse("connectors:connection_jobs", args=[connection.pk])).content.decode(),
                          "orders")

    response = logged_in.post(reverse("connectors:connection_run", args=[connection.pk, "orders"]), **HTMX)

    row = job_row(response.content.decode(), "orders")
    assert "created 1" in row
    assert Order.objects.filter(connection=connection).count() == 1
    assert JobState.objects.get(connection=connection, job="orders").last_success_at is not None


def test_run_now_on_a_disabled_connection_runs_nothing(logged_in, in_org):
    connection = ConnectionFactory(organization=in_org, enabled=False)

    response = logged_in.post(reverse("connectors:connection_run", args=[connection.pk, "orders"]), **HTMX)

    assert response.status_code == 200
    assert not JobState.objects.filter(connection=connection).exists()


def test_an_unknown_job_is_not_found(logged_in, in_org):
    connection = ConnectionFactory(organization=in_org)

    response = logged_in.post(reverse("connectors:connection_run", args=[connection.pk, "everything"]))

    assert response.status_code == 404


@pytest.mark.parametrize("marketplace", ["ozon", "yandex_market"])
def test_ozon_and_market_pages_give_the_absolute_webhook_address(logged_in, in_org, marketplace):
    connection = ConnectionFactory(organization=in_org, marketplace=marketplace)

    html = logged_in.get(reverse("connectors:connection_detail", args=[connection.pk])).content.decode()

    assert f'value="http://testserver{webhook_path(connection)}"' in html


@pytest.mark.parametrize("marketplace", ["wb", "aliexpress"])
def test_marketplaces_without_notifications_show_no_webhook_address(logged_in, in_org, marketplace):
    connection = ConnectionFactory(organization=in_org, marketplace=marketplace)

    html = logged_in.get(reverse("connectors:connection_detail", args=[connection.pk])).content.decode()

    assert 'id="webhook-url"' not in html


def test_linking_a_warehouse_marks_the_listings_for_a_push(logged_in, in_org):
    connection = ConnectionFactory(organization=in_org)
    warehouse = WarehouseFactory(organization=in_org, name="Main")
    listing = Listing.objects.create(variant=VariantFactory(organization=in_org), connection=connection, offer_id="A-1")

    response = logged_in.post(reverse("connectors:warehouse_link_add", args=[connection.pk]),
                              {"warehouse": warehouse.pk, "external_id": "700001", "external_name": "Коледино FBS"})

    assert response.status_code == 302
    link = WarehouseLink.objects.get(connection=connection)
    assert (link.warehouse, link.external_id, link.external_name) == (warehouse, "700001", "Коледино FBS")
    listing.refresh_from_db()
    assert listing.stock_dirty_at is not None


def test_the_same_marketplace_warehouse_cannot_be_linked_twice(logged_in, in_org):
    connection = ConnectionFactory(organization=in_org)
    warehouse = WarehouseFactory(organization=in_org)
    WarehouseLink.objects.create(connection=connection, warehouse=warehouse, external_id="700001")

    logged_in.post(reverse("connectors:warehouse_link_add", args=[connection.pk]),
                   {"warehouse": warehouse.pk, "external_id": "700001"})

    assert WarehouseLink.objects.filter(connection=connection).count() == 1


def test_another_organizations_warehouse_cannot_be_linked(logged_in, in_org, other_org):
    connection = ConnectionFactory(organization=in_org)
    foreign = WarehouseFactory(organization=other_org)

    logged_in.post(reverse("connectors:warehouse_link_add", args=[connection.pk]),
                   {"warehouse": foreign.pk, "external_id": "1"})

    assert not WarehouseLink.all_tenants.exists()


def test_removing_a_warehouse_link(logged_in, in_org):
    connection = ConnectionFactory(organization=in_org)
    link = WarehouseLink.objects.create(connection=connection, warehouse=WarehouseFactory(organization=in_org),
                                        external_id="700001")

    logged_in.post(reverse("connectors:warehouse_link_remove", args=[connection.pk, link.pk]))

    assert not WarehouseLink.objects.filter(pk=link.pk).exists()


def test_the_stock_policy_is_edited_on_the_page(logged_in, in_org):
    connection = ConnectionFactory(organization=in_org)

    logged_in.post(reverse("connectors:stock_policy_save", args=[connection.pk]),
                   {"buffer": 2, "share_percent": 50, "stop_below": 3, "frozen_quantity": ""})
    logged_in.post(reverse("connectors:stock_policy_save", args=[connection.pk]),
                   {"buffer": 1, "share_percent": 80, "stop_below": 0, "frozen": "on", "frozen_quantity": 4})

    policy = ChannelStockPolicy.objects.get(connection=connection)
    assert (policy.buffer, policy.share_percent, policy.stop_below, policy.frozen, policy.frozen_quantity) == (
        1, 80, 0, True, 4)


def test_a_share_over_100_percent_is_refused(logged_in, in_org):
    connection = ConnectionFactory(organization=in_org)

    logged_in.post(reverse("connectors:stock_policy_save", args=[connection.pk]),
                   {"buffer": 0, "share_percent": 150, "stop_below": 0})

    assert not ChannelStockPolicy.objects.filter(connection=connection).exists()


def test_disabling_and_enabling_a_connection(logged_in, in_org):
    connection = ConnectionFactory(organization=in_org)
    url = reverse("connectors:connection_toggle", args=[connection.pk])

    logged_in.post(url)
    connection.refresh_from_db()
    assert connection.enabled is False

    logged_in.post(url)
    connection.refresh_from_db()
    assert connection.enabled is True
