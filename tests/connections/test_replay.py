"""Replaying kept marketplace payloads from the connection page, with real payloads from the sandbox."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from connectors.models import IngestError
from connectors.registry import connector_for
from connectors.replay import replay_ingest_error
from connectors.services import run_job
from orders.choices import OrderStatus, StockState
from orders.models import Order
from returns.models import Return
from tests.factories import ConnectionFactory
from tests.sync.conftest import ACCOUNTS, build_market

HTMX = {"HTTP_HX_REQUEST": "true"}
SERVICE_FAILURE = "OperationalError: server closed the connection unexpectedly"


def keep(connection, kind: str, payload, *, job: str = "orders", error: str = SERVICE_FAILURE) -> IngestError:
    text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    return IngestError.objects.create(connection=connection, job=job, kind=kind, payload=text, error=error)


def sell(market, marketplace: str, variant, quantity: int = 1) -> dict:
    seller = f"okno-{market.connections[marketplace].pk}"
    return market.controls[marketplace].place_order(seller, [{"offer_id": variant.sku, "quantity": quantity}])[0]


def marketplace_order_json(connection) -> dict:
    """The order exactly as the marketplace's API hands it to the connector (the job keeps this verbatim)."""
    connector = connector_for(connection)
    try:
        batch = connector.fetch_new_orders()
        if not batch.items:
            batch = connector.fetch_changed_orders({})
    finally:
        connector.http.close()
    assert batch.items and not batch.errors
    return batch.items[0].raw


def replay(client, error):
    return client.post(reverse("connectors:ingest_error_replay", args=[error.connection_id, error.pk]), **HTMX)


@pytest.fixture
def market(sandbox, in_org):
    return build_market(sandbox, in_org)


@pytest.mark.parametrize("marketplace", list(ACCOUNTS))
def test_replaying_a_kept_order_takes_it_in_and_resolves_the_error(logged_in, market, marketplace):
    connection, variant = market.connections[marketplace], market.variants[0]
    sell(market, marketplace, variant)
    error = keep(connection, "order", marketplace_order_json(connection))

    response = replay(logged_in, error)

    order = Order.objects.get(connection=connection)
    assert [line.variant_id for line in order.lines.all()] == [variant.pk]
    assert order.stock_state == StockState.RESERVED
    error.refresh_from_db()
    assert error.resolved_at is not None and error.replay_count == 1
    assert 'class="check-result ok"' in response.content.decode()


def test_an_order_kept_before_its_listing_existed_is_matched_once_the_listing_is_created(logged_in, market):
    connection, variant = market.connections["ozon"], market.variants[1]
    sell(market, "ozon", variant)
    payload = marketplace_order_json(connection)
    listing = market.listing("ozon", variant)
    listing_fields = {"variant": variant, "offer_id": listing.offer_id, "stock_key": listing.stock_key}
    listing.delete()
    variant.sku = "RENAMED-IN-OKNO"  # nothing in Okno knows the offer now
    variant.save()
    error = keep(connection, "order", payload, error="ValueError: unknown offer")
    listing = connection.listings.create(**listing_fields)  # the fix: the seller creates the listing

    replay(logged_in, error)

    order = Order.objects.get(connection=connection)
    assert order.lines.get().listing_id == listing.pk
    error.refresh_from_db()
    assert error.resolved_at is not None


def test_a_payload_with_a_malformed_field_stays_open_with_the_new_error(logged_in, market, sandbox):
    connection = market.connections["wb"]
    placed = sell(market, "wb", market.variants[0])
    sandbox.world.seller("wb", f"okno-{connection.pk}").orders[str(placed["id"])].data["task"]["price"] = "много"
    run_job(connection, "orders")
    # The sandbox records that its own answer broke WB's spec: that is the point of this test, not a finding.
    assert all("'много'" in v for v in sandbox.world.spec_violations)
    sandbox.world.spec_violations.clear()
    error = IngestError.objects.filter(connection=connection, kind="order").first()
    assert error is not None, "the job kept the broken task"
    error.error = "an older error"
    error.save()

    response = replay(logged_in, error)

    error.refresh_from_db()
    assert error.resolved_at is None
    assert error.replay_count == 1
    assert "price" in error.error and error.error != "an older error"
    assert 'class="check-result fail"' in response.content.decode()
    assert not Order.objects.filter(connection=connection).exists()


def test_a_kept_status_moves_the_order_on_and_releases_its_stock(logged_in, market):
    connection = market.connections["ozon"]
    sell(market, "ozon", market.variants[0])
    posting = marketplace_order_json(connection)
    run_job(connection, "orders")
    error = keep(connection, "order_status", {**posting, "status": "cancelled", "substatus": "posting_canceled"},
                 job="statuses")

    replay(logged_in, error)

    order = Order.objects.get(connection=connection)
    assert order.status == OrderStatus.CANCELLED
    assert order.stock_state == StockState.RELEASED
    error.refresh_from_db()
    assert error.resolved_at is not None


def test_a_status_for_an_order_okno_does_not_know_stays_open(logged_in, market):
    connection = market.connections["yandex_market"]
    sell(market, "yandex_market", market.variants[0])
    error = keep(connection, "order_status", marketplace_order_json(connection), job="statuses")

    replay(logged_in, error)

    error.refresh_from_db()
    assert error.resolved_at is None and error.replay_count == 1
    assert "order" in error.error.lower() or "заказ" in error.error.lower()


def test_a_kept_return_is_taken_in_and_linked_to_its_order(logged_in, market):
    connection = market.connections["ozon"]
    placed = sell(market, "ozon", market.variants[0])
    run_job(connection, "orders")
    seller = f"okno-{connection.pk}"
    for _step in range(6):
        try:
            market.controls["ozon"].order_action(seller, str(placed["id"]), "return")
            break
        except RuntimeError:
            market.controls["ozon"].order_action(seller, str(placed["id"]), "advance")
    connector = connector_for(connection)
    try:
        raw = connector.fetch_returns({}).items[0].raw
    finally:
        connector.http.close()
    error = keep(connection, "return", raw, job="returns")

    replay(logged_in, error)

    returned = Return.objects.get(connection=connection)
    assert returned.order == Order.objects.get(connection=connection)
    error.refresh_from_db()
    assert error.resolved_at is not None


def test_a_truncated_page_is_not_replayed_and_says_why(in_org):
    connection = ConnectionFactory(organization=in_org, marketplace="aliexpress")
    error = keep(connection, "order_page", '{"data": {"orders": [{"id": 51', error="not JSON")

    ok, message = replay_ingest_error(error)

    assert not ok
    assert "poll" in message or "опрос" in message
    error.refresh_from_db()
    assert (error.replay_count, error.resolved_at, error.error) == (0, None, "not JSON")


def test_a_record_that_kept_only_an_id_is_not_replayed(in_org):
    connection = ConnectionFactory(organization=in_org, marketplace="yandex_market")
    error = keep(connection, "order_status", "ABC-1", job="statuses", error="not a Yandex Market order id")

    ok, _message = replay_ingest_error(error)

    assert not ok
    error.refresh_from_db()
    assert error.replay_count == 0


def test_the_page_offers_no_replay_for_what_cannot_be_replayed(logged_in, in_org):
    connection = ConnectionFactory(organization=in_org, marketplace="wb")
    page = keep(connection, "order_page", "<html>502</html>")
    order = keep(connection, "order", {"id": 1})

    html = logged_in.get(reverse("connectors:connection_detail", args=[connection.pk])).content.decode()

    assert reverse("connectors:ingest_error_replay", args=[connection.pk, page.pk]) not in html
    assert reverse("connectors:ingest_error_replay", args=[connection.pk, order.pk]) in html


def test_a_kept_notification_that_reads_correctly_now_is_resolved(in_org):
    connection = ConnectionFactory(organization=in_org, marketplace="ozon", enabled=False)
    error = keep(connection, "webhook", {"message_type": "TYPE_PING", "time": "2026-05-01T10:00:00Z"}, job="webhook")

    ok, _message = replay_ingest_error(error)

    assert ok
    error.refresh_from_db()
    assert error.resolved_at is not None


def test_marking_resolved_closes_the_error_without_replaying(logged_in, in_org):
    connection = ConnectionFactory(organization=in_org)
    error = keep(connection, "order", {"id": 1})

    logged_in.post(reverse("connectors:ingest_error_resolve", args=[connection.pk, error.pk]), **HTMX)

    error.refresh_from_db()
    assert error.resolved_at is not None and error.replay_count == 0


def test_errors_are_listed_newest_first_and_paged(logged_in, in_org):
    connection = ConnectionFactory(organization=in_org)
    errors = [keep(connection, "order", {"id": n}, error=f"failure number {n:02d}") for n in range(25)]

    first = logged_in.get(reverse("connectors:connection_errors", args=[connection.pk])).content.decode()
    second = logged_in.get(reverse("connectors:connection_errors", args=[connection.pk]) + "?page=2").content.decode()

    assert first.index("failure number 24") < first.index("failure number 23")
    assert "failure number 05" in first and "failure number 04" not in first
    assert "failure number 04" in second and "failure number 00" in second
    assert errors


def test_resolved_errors_are_hidden_until_asked_for(logged_in, in_org):
    connection = ConnectionFactory(organization=in_org)
    keep(connection, "order", {"id": 1}, error="old and solved")
    IngestError.objects.update(resolved_at="2026-01-01T00:00:00Z")
    url = reverse("connectors:connection_errors", args=[connection.pk])

    assert "old and solved" not in logged_in.get(url).content.decode()
    assert "old and solved" in logged_in.get(url + "?errors=all").content.decode()
