"""Ozon push notifications: sender check by IP (the only documented control), typed events, documented answers."""

from __future__ import annotations

import json
import queue
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from connectors.base import ConnectionConfig
from connectors.ozon import webhooks
from connectors.ozon.statuses import UnknownStatus
from orders.choices import OrderStatus
from tests.connectors.ozon.conftest import FBS_WAREHOUSE, seller_spec

NEW_POSTING = {
    "message_type": "TYPE_NEW_POSTING",
    "posting_number": "24319409-0021-1",
    "products": [{"sku": 147451939, "offer_id": "Товар2", "quantity": 2}],
    "in_process_at": "2021-01-26T06:56:36.294Z",
    "warehouse_id": 12850503335000,
    "shipment_date": "2021-01-26T06:56:36.294Z",
    "tpl_integration_type": "3pl_tracking",
    "is_express": False,
    "tracking_number": "ZZV-23",
    "delivery_date_begin": "2025-01-26T06:56:36.294Z",
    "delivery_date_end": "2025-01-26T06:56:36.294Z",
    "seller_id": 1,
}
CANCELLED = {
    "message_type": "TYPE_POSTING_CANCELLED", "posting_number": "24219509-0020-1",
    "products": [{"sku": 147451959, "quantity": 1}], "old_state": "posting_transferred_to_courier_service",
    "new_state": "posting_canceled", "changed_state_date": "2021-01-26T06:56:36.294Z",
    "reason": {"id": 352, "message": "Товар закончился на складе продавца"}, "warehouse_id": 0, "seller_id": 15,
}
STATE_CHANGED = {"message_type": "TYPE_STATE_CHANGED", "posting_number": "24219509-0020-2",
                 "new_state": "posting_delivered", "changed_state_date": "2021-02-02T15:07:46.765Z",
                 "warehouse_id": 0, "seller_id": 15}


def config(**options) -> ConnectionConfig:
    return ConnectionConfig(id=1, organization_id=1, marketplace="ozon", credentials={}, options=options)


def test_without_an_allow_list_any_sender_is_accepted():
    webhooks.verify({}, b"{}", config(), remote_addr="203.0.113.7")


def test_with_ozons_networks_allowed_a_push_from_ozon_is_accepted():
    webhooks.verify({}, b"{}", config(webhook_allowed_ips="ozon"), remote_addr="185.73.193.14")


def test_with_ozons_networks_allowed_a_push_from_elsewhere_is_rejected():
    with pytest.raises(webhooks.WebhookRejected, match=r"203\.0\.113\.7"):
        webhooks.verify({}, b"{}", config(webhook_allowed_ips="ozon"), remote_addr="203.0.113.7")


def test_the_allow_list_takes_the_sellers_own_networks():
    allowed = config(webhook_allowed_ips=["10.1.0.0/16", "192.0.2.5"])
    webhooks.verify({}, b"{}", allowed, remote_addr="10.1.200.3")
    with pytest.raises(webhooks.WebhookRejected):
        webhooks.verify({}, b"{}", allowed, remote_addr="192.0.2.6")


def test_a_forwarded_address_counts_only_behind_a_trusted_proxy():
    forged = {"X-Forwarded-For": "195.34.21.10"}
    with pytest.raises(webhooks.WebhookRejected):
        webhooks.verify(forged, b"{}", config(webhook_allowed_ips="ozon"), remote_addr="203.0.113.7")
    webhooks.verify(forged, b"{}", config(webhook_allowed_ips="ozon", webhook_trust_forwarded_for=True),
                    remote_addr="10.0.0.1")


def test_a_ping_is_answered_with_version_name_and_utc_time():
    events = webhooks.parse(json.dumps({"message_type": "TYPE_PING", "time": "2019-08-24T14:15:22Z"}))
    assert [e["type"] for e in events] == ["ping"]
    status, body = webhooks.response_for(events)
    assert status == 200 and set(body) == {"version", "name", "time"}
    assert body["time"].endswith("Z")


def test_any_other_notification_is_answered_result_true():
    assert webhooks.response_for(webhooks.parse(json.dumps(STATE_CHANGED))) == (200, {"result": True})


def test_a_new_posting_push_names_the_posting_its_products_and_warehouse():
    [event] = webhooks.parse(json.dumps(NEW_POSTING).encode())
    assert (event["type"], event["external_id"], event["status"]) == ("order_created", "24319409-0021-1",
                                                                      OrderStatus.NEW)
    assert event["lines"] == [{"offer_id": "Товар2", "sku": "147451939", "quantity": 2}]
    assert event["warehouse_external_id"] == "12850503335000"
    assert event["ship_by"] == datetime(2021, 1, 26, 6, 56, 36, 294000, tzinfo=UTC)


def test_a_cancellation_push_carries_the_reason():
    [event] = webhooks.parse(CANCELLED)
    assert (event["type"], event["status"], event["cancel_reason"]) == (
        "order_cancelled", OrderStatus.CANCELLED, "Товар закончился на складе продавца")


def test_a_state_change_push_maps_the_push_state_to_the_posting_status():
    [event] = webhooks.parse(STATE_CHANGED)
    assert (event["type"], event["marketplace_status"], event["marketplace_substatus"], event["status"]) == (
        "order_status", "delivered", "posting_delivered", OrderStatus.DELIVERED)


def test_a_push_of_a_kind_okno_does_not_handle_is_still_acknowledged():
    [event] = webhooks.parse({"message_type": "TYPE_SOMETHING_NEW", "seller_id": 1})
    assert event["type"] == "unsupported"
    assert webhooks.response_for([event]) == (200, {"result": True})


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b'{"message_type": "TYPE_NEW_POS', ValueError),  # truncated
        (b"[1, 2]", ValueError),
        (json.dumps({"posting_number": "1-1-1"}), ValueError),  # no message_type
        (json.dumps({**NEW_POSTING, "products": [{"sku": 1, "offer_id": "A", "quantity": 10**12}]}), ValueError),
        (json.dumps({**STATE_CHANGED, "new_state": "posting_teleported"}), UnknownStatus),
        (json.dumps({**NEW_POSTING, "products": "many"}), TypeError),
    ],
)
def test_a_malformed_push_raises_so_it_can_be_kept_for_replay(body, error):
    with pytest.raises(error):
        webhooks.parse(body)


def test_the_error_answer_has_ozons_shape():
    assert webhooks.error_response("broken", "ERROR_PARAMETER_VALUE_MISSED") == {
        "error": {"code": "ERROR_PARAMETER_VALUE_MISSED", "message": "broken", "details": None}}


@pytest.fixture
def receiver():
    """A seller's webhook endpoint: records pushes and answers as Ozon expects."""
    received: queue.Queue = queue.Queue()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            events = webhooks.parse(body)
            received.put(events[0])
            status, answer = webhooks.response_for(events)
            payload = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/ozon/push", received
    server.shutdown()
    server.server_close()


def test_the_sandbox_pushes_new_and_cancelled_postings_that_parse_as_events(ozon, receiver):
    url, received = receiver
    seller = ozon.create_seller(seller_spec("ozon-push", webhook_url=url))
    number = ozon.place_order(seller["id"], [{"offer_id": "MUG-WHT", "quantity": 3}])[0]["id"]
    created = received.get(timeout=5)
    assert (created["type"], created["external_id"], created["warehouse_external_id"]) == (
        "order_created", number, FBS_WAREHOUSE)
    assert created["lines"][0]["quantity"] == 3
    ozon.order_action(seller["id"], number, "cancel")
    cancelled = received.get(timeout=5)
    assert (cancelled["type"], cancelled["external_id"], cancelled["status"]) == (
        "order_cancelled", number, OrderStatus.CANCELLED)
