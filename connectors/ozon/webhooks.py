"""Ozon push notifications: who may send them, what they say, and what Ozon expects back.

Authentication (ozon.md §13.1, spec tag ``push_start``): Ozon signs nothing — no HMAC, token or shared secret is
documented. The only documented control is the list of addresses pushes come from (195.34.21.0/24,
185.73.192.0/22, 91.223.93.0/24), plus TLS on the seller's URL. So ``verify`` checks the sender's IP against
``config.options["webhook_allowed_ips"]`` when that option is set (a list of addresses/CIDRs, or ``"ozon"`` for the
documented networks) and otherwise accepts: a push only ever *hints* that something changed — the webhook view
must take the order itself from the API (or the payload is re-checked by the next poll), never trust it blindly.
The sender IP is the socket's peer address (``remote_addr``); ``X-Forwarded-For`` is used only when the option
``webhook_trust_forwarded_for`` says a trusted proxy sets it.

Contract (spec tags ``push_start``, ``service_response``): ``TYPE_PING`` is answered 200
``{"version", "name", "time"}``; every other notification 200 ``{"result": true}``; an error 4xx/5xx
``{"error": {"code": "ERROR_UNKNOWN"|"ERROR_PARAMETER_VALUE_MISSED"|"ERROR_REQUEST_DUPLICATED", "message", "details"}}``.
Ozon suspends all pushes when answers take over 5 s, so the view should answer first and work afterwards.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from connectors.base import ConnectionConfig
from connectors.errors import AuthRejected
from connectors.ozon import mapping, statuses

#: Networks Ozon sends pushes from (spec tag ``push_start``).
OZON_PUSH_NETWORKS: tuple[str, ...] = ("195.34.21.0/24", "185.73.192.0/22", "91.223.93.0/24")

APP_NAME = "Okno OMS"
APP_VERSION = "1.0"

# message_type → Okno event type.
EVENT_TYPES: dict[str, str] = {
    "TYPE_PING": "ping",
    "TYPE_NEW_POSTING": "order_created",
    "TYPE_POSTING_CANCELLED": "order_cancelled",
    "TYPE_STATE_CHANGED": "order_status",
    "TYPE_CUTOFF_DATE_CHANGED": "order_changed",
    "TYPE_DELIVERY_DATE_CHANGED": "order_changed",
    "TYPE_POSTING_SHIPPED": "order_status",  # listed in /v1/notification/* only; payload UNCONFIRMED
    "TYPE_CREATE_OR_UPDATE_ITEM": "product_changed",
    "TYPE_CREATE_ITEM": "product_changed",
    "TYPE_UPDATE_ITEM": "product_changed",
    "TYPE_PRICE_INDEX_CHANGED": "product_changed",
    "TYPE_STOCKS_CHANGED": "stock_changed",
    "TYPE_NEW_MESSAGE": "chat",
    "TYPE_UPDATE_MESSAGE": "chat",
    "TYPE_MESSAGE_READ": "chat",
    "TYPE_CHAT_CLOSED": "chat",
}


class WebhookRejected(AuthRejected):
    """The push did not come from an allowed address."""


def _networks(option: Any) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    if option in (None, "", [], ()):
        return []
    values = OZON_PUSH_NETWORKS if option in ("ozon", True) else option
    if isinstance(values, str):
        values = values.replace(";", ",").split(",")
    networks = []
    for value in values:
        value = str(value).strip()
        if value == "ozon":
            networks.extend(ipaddress.ip_network(n) for n in OZON_PUSH_NETWORKS)
        elif value:
            networks.append(ipaddress.ip_network(value, strict=False))
    return networks


def sender_ip(request_headers: Mapping[str, Any], config: ConnectionConfig, remote_addr: str | None = None) -> str:
    """The address the push came from: the peer address, or the first X-Forwarded-For hop behind a trusted proxy."""
    headers = {str(k).lower().replace("_", "-"): v for k, v in (request_headers or {}).items()}
    if config.options.get("webhook_trust_forwarded_for"):
        forwarded = str(headers.get("x-forwarded-for") or headers.get("http-x-forwarded-for") or "")
        if forwarded.strip():
            return forwarded.split(",")[0].strip()
    return str(remote_addr or headers.get("remote-addr") or "").strip()


def verify(request_headers: Mapping[str, Any], body: bytes | str, config: ConnectionConfig, *,
           remote_addr: str | None = None) -> None:
    """Accept the push or raise ``WebhookRejected``: Ozon's only documented control is the sender's IP."""
    networks = _networks(config.options.get("webhook_allowed_ips"))
    if not networks:
        return
    address = sender_ip(request_headers, config, remote_addr)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        raise WebhookRejected(f"Ozon push from an unreadable address {address!r}")
    if not any(ip in network for network in networks):
        raise WebhookRejected(f"Ozon push from {address}, which is not an allowed Ozon address")


def _load(body: bytes | str | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(body, Mapping):
        return dict(body)
    try:
        data = json.loads(body)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"the push is not JSON: {exc}")
    if not isinstance(data, dict):
        raise ValueError("the push is not a JSON object")
    return data


def parse(body: bytes | str | Mapping[str, Any]) -> list[dict[str, Any]]:
    """Typed events of one push (Ozon sends one event per request). Raises ``ValueError`` for a body that is not a
    notification, and ``statuses.UnknownStatus`` for a state the docs do not list — keep those for replay.

    Each event: ``type`` (ping | order_created | order_cancelled | order_status | order_changed | product_changed |
    stock_changed | chat | unsupported), ``external_id`` (posting number where there is one), ``message_type``,
    ``raw``; order events add ``status``/``marketplace_status``/``marketplace_substatus``/``changed_at`` and, for
    new postings, ``lines`` and ``warehouse_external_id``.
    """
    data = _load(body)
    message_type = data.get("message_type")
    if not isinstance(message_type, str) or not message_type:
        raise ValueError("the push has no message_type")
    event: dict[str, Any] = {
        "type": EVENT_TYPES.get(message_type, "unsupported"),
        "message_type": message_type,
        "external_id": mapping.text(data, "posting_number") if isinstance(data.get("posting_number"), str) else "",
        "raw": data,
    }
    if message_type == "TYPE_PING":
        event["time"] = mapping.timestamp(data.get("time"), "time")
    elif message_type == "TYPE_NEW_POSTING":
        event["external_id"] = mapping.text(data, "posting_number", required=True)
        event["lines"] = [
            {"offer_id": mapping.text(p, "offer_id"), "sku": mapping.ident(p.get("sku"), "sku"),
             "quantity": mapping.quantity(mapping.field(p, "quantity"))}
            for p in mapping.items(data, "products")
        ]
        event["warehouse_external_id"] = mapping.ident(data.get("warehouse_id"), "warehouse_id")
        event["status"], event["marketplace_status"], event["marketplace_substatus"] = (
            statuses.fbs_status("awaiting_packaging"), "awaiting_packaging", "posting_created")
        event["changed_at"] = mapping.timestamp(data.get("in_process_at"), "in_process_at")
        event["ship_by"] = mapping.timestamp(data.get("shipment_date"), "shipment_date")
    elif message_type in ("TYPE_STATE_CHANGED", "TYPE_POSTING_CANCELLED"):
        event["external_id"] = mapping.text(data, "posting_number", required=True)
        state = mapping.text(data, "new_state", required=True)
        status, unified = statuses.push_state_status(state)
        event.update(status=unified, marketplace_status=status, marketplace_substatus=state,
                     changed_at=mapping.timestamp(data.get("changed_state_date"), "changed_state_date"),
                     warehouse_external_id=mapping.ident(data.get("warehouse_id"), "warehouse_id"))
        if message_type == "TYPE_POSTING_CANCELLED":
            reason = mapping.obj(data, "reason")
            event["cancel_reason"] = mapping.text(reason, "message")
            event["cancel_reason_id"] = mapping.ident(reason.get("id"), "reason.id")
    return [event]


def ping_response(now: datetime | None = None) -> dict[str, Any]:
    """The answer to ``TYPE_PING``: application version, name and the UTC time processing began."""
    return {"version": APP_VERSION, "name": APP_NAME, "time": mapping.iso(now or datetime.now(UTC))}


def ack_response() -> dict[str, Any]:
    return {"result": True}


def error_response(message: str, code: str = "ERROR_UNKNOWN") -> dict[str, Any]:
    """Ozon's error answer (send with a 4xx/5xx status)."""
    return {"error": {"code": code, "message": message, "details": None}}


def response_for(events: list[dict[str, Any]]) -> tuple[int, dict[str, Any]]:
    """(HTTP status, body) to answer a parsed push with."""
    if any(e.get("type") == "ping" for e in events):
        return 200, ping_response()
    return 200, ack_response()
