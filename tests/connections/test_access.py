"""Who may do what on the connection pages: other organizations see nothing, viewers only read."""

from __future__ import annotations

import pytest
from django.urls import reverse

from connectors.models import Connection, IngestError, WarehouseLink
from oms.choices import Role
from tests.factories import ConnectionFactory, WarehouseFactory

SECRET = "beta-secret-991"


@pytest.fixture
def foreign(other_org):
    """Another organization's connection with a warehouse link and a kept payload."""
    connection = ConnectionFactory(organization=other_org, name="Beta WB", credentials={"token": SECRET})
    link = WarehouseLink.all_tenants.create(organization=other_org, connection=connection,
                                            warehouse=WarehouseFactory(organization=other_org), external_id="1")
    error = IngestError.all_tenants.create(organization=other_org, connection=connection, job="orders", kind="order",
                                           payload='{"id": 1}', error="boom")
    return connection, link, error


def connection_urls(connection, link, error) -> tuple[list[str], list[str]]:
    pk = connection.pk
    reads = [
        reverse("connectors:connection_detail", args=[pk]),
        reverse("connectors:connection_edit", args=[pk]),
        reverse("connectors:connection_jobs", args=[pk]),
        reverse("connectors:connection_errors", args=[pk]),
    ]
    writes = [
        reverse("connectors:connection_edit", args=[pk]),
        reverse("connectors:connection_check", args=[pk]),
        reverse("connectors:connection_toggle", args=[pk]),
        reverse("connectors:connection_run", args=[pk, "orders"]),
        reverse("connectors:warehouse_link_add", args=[pk]),
        reverse("connectors:warehouse_link_remove", args=[pk, link.pk]),
        reverse("connectors:stock_policy_save", args=[pk]),
        reverse("connectors:ingest_error_replay", args=[pk, error.pk]),
        reverse("connectors:ingest_error_resolve", args=[pk, error.pk]),
    ]
    return reads, writes


def test_another_organizations_connection_is_not_found_on_every_url(logged_in, foreign):
    reads, writes = connection_urls(*foreign)

    for url in reads:
        assert logged_in.get(url).status_code == 404, url
    for url in writes:
        assert logged_in.post(url, {"name": "x", "token": "x"}).status_code == 404, url

    connection, link, error = foreign
    connection = Connection.all_tenants.get(pk=connection.pk)
    assert connection.enabled and connection.name == "Beta WB" and connection.credentials == {"token": SECRET}
    assert WarehouseLink.all_tenants.filter(pk=link.pk).exists()
    assert IngestError.all_tenants.get(pk=error.pk).resolved_at is None


def test_my_connection_cannot_reach_another_organizations_link_or_error(logged_in, org, foreign):
    mine = ConnectionFactory(organization=org)
    _connection, link, error = foreign

    assert logged_in.post(reverse("connectors:warehouse_link_remove", args=[mine.pk, link.pk])).status_code == 404
    assert logged_in.post(reverse("connectors:ingest_error_replay", args=[mine.pk, error.pk])).status_code == 404
    assert logged_in.post(reverse("connectors:ingest_error_resolve", args=[mine.pk, error.pk])).status_code == 404


def test_another_organizations_connection_is_not_listed(logged_in, foreign):
    html = logged_in.get(reverse("connectors:connection_list")).content.decode()

    assert "Beta WB" not in html


@pytest.fixture
def own(org):
    connection = ConnectionFactory(organization=org, name="Alpha WB")
    link = WarehouseLink.all_tenants.create(organization=org, connection=connection,
                                            warehouse=WarehouseFactory(organization=org), external_id="1")
    error = IngestError.all_tenants.create(organization=org, connection=connection, job="orders", kind="order",
                                           payload='{"id": 1}', error="boom")
    return connection, link, error


def test_a_viewer_reads_the_pages_but_every_write_is_forbidden(as_role, own):
    client = as_role(Role.VIEWER)
    reads, writes = connection_urls(*own)
    reads.remove(reverse("connectors:connection_edit", args=[own[0].pk]))

    for url in reads:
        assert client.get(url).status_code == 200, url
    for url in [*writes, reverse("connectors:connection_add_form", args=["wb"])]:
        assert client.post(url, {"name": "x", "token": "x"}).status_code == 403, url
    assert client.get(reverse("connectors:connection_add")).status_code == 403
    assert client.get(reverse("connectors:connection_edit", args=[own[0].pk])).status_code == 403
    assert Connection.all_tenants.count() == 1
    assert IngestError.all_tenants.get().replay_count == 0


def test_a_viewer_sees_no_action_buttons(as_role, own):
    client = as_role(Role.VIEWER)
    connection = own[0]

    detail = client.get(reverse("connectors:connection_detail", args=[connection.pk])).content.decode()
    listing = client.get(reverse("connectors:connection_list")).content.decode()

    assert reverse("connectors:connection_check", args=[connection.pk]) not in detail
    assert reverse("connectors:connection_run", args=[connection.pk, "orders"]) not in detail
    assert reverse("connectors:ingest_error_replay", args=[connection.pk, own[2].pk]) not in detail
    assert reverse("connectors:connection_edit", args=[connection.pk]) not in detail
    assert reverse("connectors:connection_add") not in listing


def test_a_manager_may_manage_connections(as_role, own):
    client = as_role(Role.MANAGER)
    connection = own[0]

    detail = client.get(reverse("connectors:connection_detail", args=[connection.pk])).content.decode()
    response = client.post(reverse("connectors:connection_toggle", args=[connection.pk]))

    assert reverse("connectors:connection_check", args=[connection.pk]) in detail
    assert response.status_code == 302


def test_warehouse_staff_cannot_change_connections(as_role, own):
    client = as_role(Role.WAREHOUSE)

    assert client.post(reverse("connectors:connection_toggle", args=[own[0].pk])).status_code == 403
