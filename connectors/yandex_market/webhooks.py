"""Yandex Market API notifications (``POST <your URL>/notification``, notification-api spec).

Market signs nothing: the docs tell the receiver to check that the request comes from Market's networks
(``5.45.207.0/25``, ``141.8.142.0/25``, ``5.255.253.0/25``). ``verify`` does that when the connection's
``options.webhook_allowed_ips`` is set — a list of addresses/networks, or ``"market"`` for the documented ranges — and
checks the body is a notification. Notifications are thin (ids and a time); ``parse`` turns one into typed events that
name what to fetch. Every answer is HTTP 200 with ``{"version", "name", "time"}`` — also for PING, which must be
answered within one second for Market to enable the integration — or 400/500 with
``{"error": {"type", "message"}}``.

The view's whole job: ``status, body, events = handle(headers, raw_body, config, remote_addr=…)``, answer
``body`` with ``status`` as JSON, then process ``events`` (``order_*`` → fetch the orders by id, ``return*`` →
the returns job).
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from connectors.base import ConnectionConfig
from connectors.yandex_market import mapping, statuses

MARKET_NETWORKS = ("5.45.207.0/25", "141.8.142.0/25", "5.255.253.0/25")
INTEGRATION_NAME = "Okno OMS"
INTEGRATION_VERSION = "1.0"

#: notificationType → Okno event type. Types not listed here are answered 200 and ignored.
EVENT_TYPES: dict[str, str] = {
    "PING": "ping",
    "ORDER_CREATED": "order_created",
    "ORDER_STATUS_UPDATED": "order_status",
    "ORDER_CANCELLED": "order_cancelled",
    "ORDER_CANCELLATION_REQUEST": "cancellation_requested",
    "ORDER_UPDATED": "order_updated",
    "ORDER_RETURN_CREATED": "return",
    "ORDER_RETURN_STATUS_UPDATED": "return_status",
    "GOODS_FEEDBACK_CREATED": "review",
    "GOODS_FEEDBACK_COMMENT_CREATED": "review_comment",
    "QUESTION_CREATED": "question",
    "QUESTION_ANSWER_CREATED": "question_answer",
    "QUESTION_COMMENT_CREATED": "question_comment",
    "CHAT_CREATED": "chat",
    "CHAT_MESSAGE_SENT": "chat_message",
    "CHAT_ARBITRAGE_STARTED": "chat_arbitrage",
    "CHAT_ARBITRAGE_FINISHED": "chat_arbitrage",
}
#: Where each type keeps its id and its time (all required by the spec).
_ID_FIELDS: dict[str, tuple[str, str]] = {
    "ORDER_CREATED": ("orderId", "createdAt"),
    "ORDER_STATUS_UPDATED": ("orderId", "updatedAt"),
    "ORDER_CANCELLED": ("orderId", "cancelledAt"),
    "ORDER_CANCELLATION_REQUEST": ("orderId", "requestedAt"),
    "ORDER_UPDATED": ("orderId", "updatedAt"),
    "ORDER_RETURN_CREATED": ("returnId", "createdAt"),
    "ORDER_RETURN_STATUS_UPDATED": ("returnId", "updatedAt"),
    "GOODS_FEEDBACK_CREATED": ("feedbackId", "createdAt"),
    "GOODS_FEEDBACK_COMMENT_CREATED": ("commentId", "createdAt"),
    "QUESTION_CREATED": ("questionId", "createdAt"),
    "QUESTION_ANSWER_CREATED": ("answerId", "createdAt"),
    "QUESTION_COMMENT_CREATED": ("commentId", "createdAt"),
    "CHAT_CREATED": ("chatId", "createdAt"),
    "CHAT_MESSAGE_SENT": ("messageId", "sentAt"),
    "CHAT_ARBITRAGE_STARTED": ("chatId", "startedAt"),
    "CHAT_ARBITRAGE_FINISHED": ("chatId", "finishedAt"),
}


class NotificationRejected(Exception):
    """The request is not taken: answer ``status`` with ``body`` (Market's error shape)."""

    def __init__(self, status: int, error_type: str, message: str):
        super().__init__(message)
        self.status = status
        self.body = error_body(error_type, message)


def error_body(error_type: str, message: str) -> dict[str, Any]:
    """``{"error": {"type": WRONG_EVENT_FORMAT | DUPLICATED_EVENT | UNKNOWN, "message"}}``."""
    return {"error": {"type": error_type, "message": message}}


def response_body(now: datetime | None = None) -> dict[str, Any]:
    """What Market expects in a 200 answer, PING included: integration version, name and the UTC time."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return {"version": INTEGRATION_VERSION, "name": INTEGRATION_NAME,
            "time": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")}


def allowed_networks(config: ConnectionConfig) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network] | None:
    option = config.options.get("webhook_allowed_ips")
    if not option:
        return None
    if option is True or option == "market":
        option = MARKET_NETWORKS
    if isinstance(option, str):
        option = [part.strip() for part in option.split(",")]
    return [ipaddress.ip_network(str(entry), strict=False) for entry in option if str(entry).strip()]


def client_address(request_headers: Mapping[str, str], remote_addr: str | None) -> str:
    """The caller's address: the connection's peer, else the first ``X-Forwarded-For`` hop set by our proxy."""
    if remote_addr:
        return remote_addr
    headers = {k.lower(): v for k, v in request_headers.items()}
    forwarded = headers.get("x-forwarded-for") or headers.get("x-real-ip") or ""
    return forwarded.split(",")[0].strip()


def verify(request_headers: Mapping[str, str], body: bytes | str, config: ConnectionConfig,
           remote_addr: str | None = None) -> None:
    """Raise ``NotificationRejected`` unless the request may be a Market notification for this connection."""
    networks = allowed_networks(config)
    if networks is not None:
        address = client_address(request_headers, remote_addr)
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            raise NotificationRejected(403, "UNKNOWN", f"caller address {address!r} is not an IP address")
        if not any(ip in network for network in networks):
            raise NotificationRejected(403, "UNKNOWN", f"{address} is not one of Yandex Market's networks")
    payload = _load(body)
    # Cabinet-level notifications cover every shop of the cabinet, so only the cabinet itself is checked.
    business = str(config.options.get("business_id") or "")
    if "businessId" in payload and business and str(payload["businessId"]) != business:
        raise NotificationRejected(400, "WRONG_EVENT_FORMAT", f"business {payload['businessId']} is not this cabinet")


def _load(body: bytes | str | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(body, Mapping):
        payload = dict(body)
    else:
        try:
            payload = json.loads(body)
        except (TypeError, ValueError) as exc:
            raise NotificationRejected(400, "WRONG_EVENT_FORMAT", f"body is not JSON: {exc}")
    if not isinstance(payload, dict) or not isinstance(payload.get("notificationType"), str):
        raise NotificationRejected(400, "WRONG_EVENT_FORMAT", "notificationType is missing")
    return payload


def parse(body: bytes | str | Mapping[str, Any]) -> list[dict[str, Any]]:
    """Typed events of one notification; raises ``NotificationRejected`` (400) for a malformed one.

    Each event: ``type``, ``external_id`` (the id to fetch: order, return, review…), ``occurred_at`` (aware UTC),
    ``campaign_id``, ``raw``, and per type ``order_external_id``, ``status``/``marketplace_status``/
    ``marketplace_substatus``, ``items``, ``return_type``/``kind``. A status value the tables do not know leaves
    ``status`` (or ``kind``) None with the reason in ``error``.
    """
    payload = _load(body)
    kind = payload["notificationType"]
    if kind not in EVENT_TYPES:
        return []
    event: dict[str, Any] = {"type": EVENT_TYPES[kind], "external_id": "", "raw": payload}
    try:
        if kind == "PING":
            return [{**event, "occurred_at": mapping.parse_datetime(payload["time"]) if payload.get("time") else None}]
        id_field, time_field = _ID_FIELDS[kind]
        event["external_id"] = mapping.market_id(mapping.require(payload, id_field), id_field)
        event["occurred_at"] = mapping.parse_datetime(mapping.require(payload, time_field))
        if "campaignId" in payload:
            event["campaign_id"] = mapping.market_id(payload["campaignId"], "campaignId")
        if "orderId" in payload:
            event["order_external_id"] = mapping.market_id(payload["orderId"], "orderId")
        if kind == "ORDER_STATUS_UPDATED":
            status, substatus = mapping.require(payload, "status", str), mapping.require(payload, "substatus", str)
            event.update(marketplace_status=status, marketplace_substatus=substatus,
                         status=_known(event, lambda: statuses.unified_order_status(status, substatus)))
        if kind in ("ORDER_CREATED", "ORDER_CANCELLED", "ORDER_RETURN_CREATED"):
            event["items"] = [{"offer_id": mapping.require(item, "offerId", str),
                               "quantity": mapping.count(mapping.require(item, "count"), "items[].count")}
                              for item in mapping.require(payload, "items", list)]
        if kind == "ORDER_RETURN_CREATED":
            event["return_type"] = mapping.require(payload, "returnType", str)
            event["kind"] = _known(event, lambda: statuses.return_kind(event["return_type"]))
        if kind == "ORDER_RETURN_STATUS_UPDATED":
            changed = mapping.require(payload, "statuses", dict)
            event["refund_status"] = changed.get("refundStatus")
            event["shipment_status"] = changed.get("shipmentStatus")
        if kind == "ORDER_UPDATED":
            event["update_type"] = mapping.require(payload, "updateType", str)
    except (KeyError, TypeError, ValueError) as exc:
        raise NotificationRejected(400, "WRONG_EVENT_FORMAT", f"{kind}: {exc}")
    return [event]


def _known(event: dict[str, Any], unify) -> str | None:
    """A value Market sent but our tables do not know: the event still goes through (the full order or return is
    fetched and kept as a payload error there); answering 400 would only make Market send it again."""
    try:
        return unify()
    except statuses.UnknownStatus as exc:
        event["error"] = str(exc)
        return None


def handle(request_headers: Mapping[str, str], body: bytes | str, config: ConnectionConfig,
           remote_addr: str | None = None) -> tuple[int, dict[str, Any], list[dict[str, Any]]]:
    """(HTTP status, JSON answer, events) for one notification request."""
    try:
        verify(request_headers, body, config, remote_addr)
        events = parse(body)
    except NotificationRejected as exc:
        return exc.status, exc.body, []
    return 200, response_body(), events
