"""Push notifications wake the connection's jobs; the order itself is read from the API through the same ingest."""

from __future__ import annotations

import json

from connectors.models import IngestError
from connectors.webhooks import webhook_path
from orders.models import Order
from tests.sync.conftest import build_market


def post(client, path, payload):
    body = payload if isinstance(payload, str) else json.dumps(payload)
    return client.post(path, data=body, content_type="application/json")


def test_an_ozon_new_posting_push_brings_the_order_in_at_once(client, sandbox, in_org, django_capture_on_commit_callbacks):
    market = build_market(sandbox, in_org, marketplaces=("ozon",))
    variant = market.variants[0]
    posting = market.controls["ozon"].place_order(f"okno-{market.connections['ozon'].pk}",
                                                  [{"offer_id": variant.sku, "quantity": 1}])[0]
    push = {"message_type": "TYPE_NEW_POSTING", "seller_id": 90001, "posting_number": posting["id"],
            "products": [{"sku": 1, "quantity": 1}], "in_process_at": "2026-11-23T10:00:00Z", "warehouse_id": 1}

    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, webhook_path(market.connections["ozon"]), push)  # Celery is eager in tests

    assert response.status_code == 200 and response.json() == {"result": True}
    assert Order.objects.filter(connection=market.connections["ozon"], external_id=posting["id"]).exists()


def test_ozon_ping_is_answered_as_ozon_expects(client, sandbox, in_org):
    market = build_market(sandbox, in_org, marketplaces=("ozon",))
    response = post(client, webhook_path(market.connections["ozon"]),
                    {"message_type": "TYPE_PING", "time": "2026-11-23T10:00:00Z"})
    assert response.status_code == 200
    assert set(response.json()) == {"version", "name", "time"}


def test_a_yandex_market_ping_is_answered(client, sandbox, in_org):
    market = build_market(sandbox, in_org, marketplaces=("yandex_market",))
    response = post(client, webhook_path(market.connections["yandex_market"]) + "notification",
                    {"notificationType": "PING", "time": "2026-11-23T10:00:00+03:00"})
    assert response.status_code == 200
    assert {"version", "name", "time"} <= set(response.json())


def test_a_wrong_token_is_not_found(client, sandbox, in_org):
    market = build_market(sandbox, in_org, marketplaces=("ozon",))
    connection_path = webhook_path(market.connections["ozon"]).rsplit("/", 2)[0]  # without the token
    response = post(client, f"{connection_path}/0000000000000000/", {"message_type": "TYPE_PING"})
    assert response.status_code == 404


def test_a_malformed_push_is_refused_and_kept_for_replay(client, sandbox, in_org):
    market = build_market(sandbox, in_org, marketplaces=("ozon",))
    response = post(client, webhook_path(market.connections["ozon"]), '{"message_type": "TYPE_NEW_POSTING", "posti')
    assert response.status_code == 400
    kept = IngestError.objects.get(connection=market.connections["ozon"])
    assert kept.kind == "webhook" and kept.payload.startswith('{"message_type"')


def test_a_push_arriving_while_the_poll_runs_makes_the_poll_run_once_more(client, sandbox, in_org):
    from django.core.cache import cache

    from connectors.tasks import run_connection_job

    market = build_market(sandbox, in_org, marketplaces=("ozon",))
    connection = market.connections["ozon"]
    running = f"okno:running:{connection.pk}:orders"
    cache.add(running, 1)  # a poll is in flight; it may have fetched the list a moment before the new posting
    try:
        woken = run_connection_job(connection.pk, in_org.pk, "orders", woken=True)
        scheduled = run_connection_job(connection.pk, in_org.pk, "orders")
    finally:
        cache.delete(running)
    assert woken == {"skipped": "already running; runs again when done"}
    assert scheduled == {"skipped": "already running"}

    before = len(market.controls["ozon"].requests(marketplace="ozon"))
    run_connection_job(connection.pk, in_org.pk, "orders")  # the poll in flight, finishing: and once more

    polls = [r for r in market.controls["ozon"].requests(marketplace="ozon")[before:] if "/posting/fbs/" in r["path"]]
    new_order_lists = [r for r in polls if r["path"].endswith("unfulfilled/list")]
    assert len(new_order_lists) == 2, [r["path"] for r in polls]
