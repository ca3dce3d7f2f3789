"""Push notifications: payloads checked against the official notification spec, the PING handshake, verification,
and the sandbox notifying a real receiver that answers through ``webhooks.handle``."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from connectors.base import ConnectionConfig
from connectors.specs import SpecValidator
from connectors.yandex_market import webhooks
from orders.choices import OrderStatus
from returns.choices import ReturnKind
from tests.connectors.yandex_market.conftest import MP, make_config, order_items, seller_spec

CONFIG = ConnectionConfig(id=1, organization_id=1, marketplace=MP, credentials={},
                          options={"business_id": 7001, "campaign_id": 21000123})

NOTIFICATIONS = {
    "ORDER_CREATED": {"notificationType": "ORDER_CREATED", "campaignId": 21000123, "orderId": 51234567890,
                      "items": [{"offerId": "TSHIRT-BLK-M", "count": 2}], "createdAt": "2025-05-14T06:41:05.213Z"},
    "ORDER_STATUS_UPDATED": {"notificationType": "ORDER_STATUS_UPDATED", "campaignId": 21000123,
                             "orderId": 51234567890, "status": "PROCESSING", "substatus": "READY_TO_SHIP",
                             "updatedAt": "2025-05-14T07:00:00Z"},
    "ORDER_CANCELLED": {"notificationType": "ORDER_CANCELLED", "campaignId": 21000123, "orderId": 51234567890,
                        "items": [{"offerId": "TSHIRT-BLK-M", "count": 2}], "cancelledAt": "2025-05-14T07:02:00.000Z"},
    "ORDER_CANCELLATION_REQUEST": {"notificationType": "ORDER_CANCELLATION_REQUEST", "campaignId": 21000123,
                                   "orderId": 51234567890, "requestedAt": "2025-05-16T10:00:00+03:00"},
    "ORDER_RETURN_CREATED": {"notificationType": "ORDER_RETURN_CREATED", "campaignId": 21000123,
                             "orderId": 51234567890, "returnId": 3300221, "returnType": "UNREDEEMED",
                             "items": [{"offerId": "TSHIRT-BLK-M", "count": 1}],
                             "createdAt": "2025-05-25T09:03:11Z"},
    "ORDER_RETURN_STATUS_UPDATED": {"notificationType": "ORDER_RETURN_STATUS_UPDATED", "campaignId": 21000123,
                                    "orderId": 51234567890, "returnId": 3300221,
                                    "statuses": {"shipmentStatus": "READY_FOR_PICKUP"},
                                    "updatedAt": "2025-05-27T05:15:00Z"},
}


@pytest.fixture(scope="module")
def spec():
    validator = SpecValidator.for_marketplace("yandex_market_notifications")
    if validator is None:
        pytest.skip("official specs folder (../shared/marketplaces/specs) is absent")
    return validator


@pytest.mark.parametrize("kind", list(NOTIFICATIONS))
def test_the_test_payloads_are_valid_notifications(spec, kind):
    assert spec.validate_request("POST", "/notification", body=NOTIFICATIONS[kind]) == []


def test_a_new_order_notification_names_the_order_and_its_items():
    [event] = webhooks.parse(json.dumps(NOTIFICATIONS["ORDER_CREATED"]))

    assert (event["type"], event["external_id"], event["campaign_id"]) == ("order_created", "51234567890", "21000123")
    assert event["items"] == [{"offer_id": "TSHIRT-BLK-M", "quantity": 2}]
    assert event["occurred_at"] == datetime(2025, 5, 14, 6, 41, 5, 213000, tzinfo=UTC)


def test_a_status_notification_carries_the_unified_status():
    [event] = webhooks.parse(json.dumps(NOTIFICATIONS["ORDER_STATUS_UPDATED"]))

    assert (event["type"], event["status"], event["marketplace_substatus"]) == ("order_status", OrderStatus.PACKED,
                                                                                "READY_TO_SHIP")


@pytest.mark.parametrize(("kind", "event_type", "external_id"), [
    ("ORDER_CANCELLED", "order_cancelled", "51234567890"),
    ("ORDER_CANCELLATION_REQUEST", "cancellation_requested", "51234567890"),
    ("ORDER_RETURN_CREATED", "return", "3300221"),
    ("ORDER_RETURN_STATUS_UPDATED", "return_status", "3300221"),
])
def test_every_order_notification_becomes_an_event_with_the_id_to_fetch(kind, event_type, external_id):
    [event] = webhooks.parse(NOTIFICATIONS[kind])

    assert (event["type"], event["external_id"], event["order_external_id"]) == (event_type, external_id,
                                                                                 "51234567890")


def test_a_non_purchase_notification_says_so():
    [event] = webhooks.parse(NOTIFICATIONS["ORDER_RETURN_CREATED"])

    assert event["kind"] == ReturnKind.NON_PURCHASE


def test_ping_is_answered_with_version_name_and_time(spec):
    status, body, events = webhooks.handle({}, json.dumps({"notificationType": "PING", "time": "2025-05-14T06:41:05Z"}),
                                           CONFIG)

    assert (status, [e["type"] for e in events]) == (200, ["ping"])
    assert spec.validate_response("POST", "/notification", 200, body) == []


@pytest.mark.parametrize("body", ["{not json", json.dumps({"orderId": 1}),
                                  json.dumps(NOTIFICATIONS["ORDER_STATUS_UPDATED"] | {"updatedAt": "yesterday"}),
                                  json.dumps(NOTIFICATIONS["ORDER_CREATED"] | {"orderId": "NaN"})])
def test_a_malformed_notification_is_answered_400_in_markets_shape(spec, body):
    status, answer, events = webhooks.handle({}, body, CONFIG)

    assert (status, answer["error"]["type"], events) == (400, "WRONG_EVENT_FORMAT", [])
    assert spec.validate_response("POST", "/notification", 400, answer) == []


def test_a_status_our_tables_do_not_know_is_taken_with_the_reason_so_the_order_gets_fetched():
    body = json.dumps(NOTIFICATIONS["ORDER_STATUS_UPDATED"] | {"status": "TELEPORTED"})

    status, _answer, [event] = webhooks.handle({}, body, CONFIG)

    assert (status, event["type"], event["external_id"], event["status"]) == (200, "order_status", "51234567890",
                                                                              None)
    assert "TELEPORTED" in event["error"]


def test_without_an_allow_list_any_caller_is_heard():
    webhooks.verify({}, json.dumps(NOTIFICATIONS["ORDER_CREATED"]), CONFIG, remote_addr="203.0.113.9")


def test_with_markets_networks_allowed_other_callers_are_refused():
    config = ConnectionConfig(id=1, organization_id=1, marketplace=MP, credentials={},
                              options={"webhook_allowed_ips": "market"})
    body = json.dumps(NOTIFICATIONS["ORDER_CREATED"])

    webhooks.verify({}, body, config, remote_addr="141.8.142.17")
    with pytest.raises(webhooks.NotificationRejected) as refused:
        webhooks.verify({}, body, config, remote_addr="203.0.113.9")
    assert refused.value.status == 403


def test_the_forwarded_address_is_used_behind_our_proxy():
    config = ConnectionConfig(id=1, organization_id=1, marketplace=MP, credentials={},
                              options={"webhook_allowed_ips": ["10.1.0.0/16"]})

    status, _body, _events = webhooks.handle({"X-Forwarded-For": "10.1.2.3, 10.0.0.1"},
                                             json.dumps(NOTIFICATIONS["ORDER_CREATED"]), config)

    assert status == 200


def test_a_notification_for_another_cabinet_is_refused():
    body = json.dumps({"notificationType": "QUESTION_CREATED", "businessId": 999, "questionId": 5,
                       "createdAt": "2025-05-14T06:41:05Z"})

    status, answer, _events = webhooks.handle({}, body, CONFIG)

    assert (status, answer["error"]["type"]) == (400, "WRONG_EVENT_FORMAT")


class Receiver:
    """The seller's notification endpoint: answers through ``webhooks.handle`` and keeps what arrived."""

    def __init__(self):
        self.bodies: list[dict] = []
        self.events: list[dict] = []
        self.config: ConnectionConfig | None = None
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, body, events = webhooks.handle(dict(self.headers), raw, receiver.config,
                                                       remote_addr=self.client_address[0])
                receiver.bodies.append({"path": self.path, **json.loads(raw)})
                receiver.events.extend(events)
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/webhooks/ym"

    def wait_for(self, count: int, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.bodies) < count and time.monotonic() < deadline:
            time.sleep(0.02)


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


def test_the_sandbox_pings_then_notifies_and_every_body_fits_the_spec(sandbox, ym, receiver, spec):
    seller = ym.create_seller(seller_spec(webhook_url=receiver.url))
    receiver.config = make_config(sandbox.url(MP), seller["account"], webhook_allowed_ips=["127.0.0.1/32"])
    order = ym.place_order("ym1", order_items(("TSHIRT-BLK-M", 1)))[0]
    ym.order_action("ym1", order["id"], "cancel")

    receiver.wait_for(4)

    assert [b["notificationType"] for b in receiver.bodies] == ["PING", "ORDER_CREATED", "ORDER_STATUS_UPDATED",
                                                                "ORDER_CANCELLED"]
    assert {b["path"] for b in receiver.bodies} == {"/webhooks/ym/notification"}
    for body in receiver.bodies:
        payload = {k: v for k, v in body.items() if k != "path"}
        assert spec.validate_request("POST", "/notification", body=payload) == []
    assert [(e["type"], e["external_id"]) for e in receiver.events[1:]] == [
        ("order_created", order["id"]), ("order_status", order["id"]), ("order_cancelled", order["id"])]
