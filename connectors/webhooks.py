"""Push notifications from marketplaces (Ozon, Yandex Market) enter here.

Each connection gets a URL with an unguessable token (shown on its page); the marketplace's own module then
authenticates the request the way that marketplace documents and parses it. Notifications are thin hints: an
accepted one wakes the connection's jobs (the order itself is read from the API through the same ingest path as a
poll), so a forged or duplicated notification can never create data. A notification that cannot be parsed is
kept verbatim as an ingest error.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from connectors.base import ConnectionConfig
from connectors.choices import Job, Marketplace
from connectors.dto import PayloadError
from connectors.models import Connection
from oms.tenancy import organization_scope

logger = logging.getLogger(__name__)

MAX_BODY = 1_000_000

# Which jobs a notification type wakes.
JOBS_FOR_EVENT: dict[str, tuple[str, ...]] = {
    "order_created": (Job.ORDERS,),
    "order_status": (Job.ORDERS, Job.STATUSES),
    "order_cancelled": (Job.ORDERS, Job.STATUSES),
    "order_changed": (Job.ORDERS,),
    "order_updated": (Job.ORDERS,),
    "return": (Job.RETURNS,),
    "return_created": (Job.RETURNS,),
    "return_status": (Job.RETURNS,),
}


def webhook_token(connection_id: int) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"webhook:{connection_id}".encode(), hashlib.sha256).hexdigest()[:32]


def webhook_path(connection: Connection) -> str:
    return reverse("connector-webhook", args=[connection.marketplace, connection.pk, webhook_token(connection.pk)])


def _ozon(headers: Mapping[str, str], body: bytes, config: ConnectionConfig, remote_addr: str):
    from connectors.ozon import webhooks

    try:
        webhooks.verify(headers, body, config, remote_addr=remote_addr)
    except Exception as exc:  # any refusal is answered in Ozon's error shape
        return 403, webhooks.error_response(str(exc)), [], None
    try:
        events = webhooks.parse(body)
    except Exception as exc:  # kept verbatim for replay below
        return 400, webhooks.error_response(str(exc), "ERROR_PARAMETER_VALUE_MISSED"), [], str(exc)
    status, answer = webhooks.response_for(events)
    return status, answer, events, None


def _yandex_market(headers: Mapping[str, str], body: bytes, config: ConnectionConfig, remote_addr: str):
    from connectors.yandex_market import webhooks

    status, answer, events = webhooks.handle(headers, body, config, remote_addr)
    error = None
    if status == 400:
        error = json.dumps(answer, ensure_ascii=False)
    return status, answer, events, error


RECEIVERS = {Marketplace.OZON: _ozon, Marketplace.YANDEX_MARKET: _yandex_market}


@csrf_exempt  # marketplaces cannot send a CSRF token; the URL token and the marketplace's own check stand in
@require_POST
def receive(request: HttpRequest, marketplace: str, connection_id: int, token: str) -> JsonResponse:
    if not hmac.compare_digest(token, webhook_token(connection_id)) or marketplace not in RECEIVERS:
        return JsonResponse({"error": "unknown endpoint"}, status=404)
    if len(request.body) > MAX_BODY:
        return JsonResponse({"error": "body too large"}, status=413)
    # Deliberately unscoped lookup: the marketplace, not a user, calls; the token names the connection.
    connection = Connection.all_tenants.filter(pk=connection_id, marketplace=marketplace).first()
    if connection is None:
        return JsonResponse({"error": "unknown endpoint"}, status=404)
    with organization_scope(connection.organization_id):
        config = ConnectionConfig.from_connection(connection)
        headers = {k.lower(): v for k, v in request.headers.items()}
        status, answer, events, parse_error = RECEIVERS[marketplace](
            headers, request.body, config, request.META.get("REMOTE_ADDR", "")
        )
        if parse_error:
            from connectors.services import keep_payload_errors

            keep_payload_errors(connection, "webhook", [PayloadError(
                kind="webhook", payload=request.body.decode("utf-8", "replace"), error=parse_error)])
        if connection.enabled:
            _wake_jobs(connection, events)
    return JsonResponse(answer, status=status, json_dumps_params={"ensure_ascii": False})


def _wake_jobs(connection: Connection, events: list[dict[str, Any]]) -> None:
    from connectors.tasks import run_connection_job

    jobs = {job for event in events for job in JOBS_FOR_EVENT.get(event.get("type", ""), ())}
    for job in sorted(jobs):
        run_connection_job.apply_async((connection.pk, connection.organization_id, job), {"woken": True})
