"""Replay a kept payload: map the stored marketplace JSON again and hand it to the service the job would use.

A payload is kept (``IngestError``) when a connector could not map it or a service refused it. Once the cause is
fixed — a mapping learnt a new status, the listing exists, the database is back — the same verbatim JSON goes
through the same path as a poll: the marketplace's mapper, then ``orders.services.ingest_order``,
``update_order_status`` or ``returns.services.ingest_return``. Both are idempotent, so a replay of something a
later poll already took in changes nothing.

Which mapper reads which payload differs per marketplace; ``ROUTES`` is that table, keyed by the ``kind`` the
connectors put into ``PayloadError`` (and ``connectors.services`` uses for service refusals). Kinds not in the
table — a whole unreadable answer page, an FBO stock snapshot — cannot be replayed, and ``replay_ingest_error``
says why instead of pretending.

Preconditions: the error's organization is in scope.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from connectors.base import ConnectionConfig
from connectors.choices import Job
from connectors.dto import OrderDTO, OrderStatusDTO, ReturnDTO
from connectors.models import Connection, IngestError
from connectors.registry import connector_class
from orders.choices import EventSource, Scheme

logger = logging.getLogger(__name__)

ERROR_LIMIT = 5000  # what keep_payload_errors stores of an error text


# --- services the jobs use ---------------------------------------------------------------------------------------
def _ingest_orders(connection: Connection, dtos: Sequence[OrderDTO]) -> str:
    from orders.services import ingest_order

    done = []
    for dto in dtos:
        result = ingest_order(connection, dto, source=EventSource.SYSTEM)
        done.append(dto.number or dto.external_id)
        logger.info("replay: order %s %s", dto.external_id, "created" if result.created else "updated")
    return _("Order %(numbers)s taken in.") % {"numbers": ", ".join(done)}


def _update_statuses(connection: Connection, dtos: Sequence[OrderStatusDTO]) -> str:
    from orders.services import update_order_status

    for dto in dtos:
        if update_order_status(connection, dto, source=EventSource.SYSTEM) is None:
            # The job skips such a report silently (the order arrives with its data); a replay asked on purpose.
            raise ReplayRefused(
                _("Okno does not know order %(order)s yet, so its status cannot be applied. Run the new orders job "
                  "first.") % {"order": dto.external_id}
            )
    return _("Status of order %(orders)s applied.") % {"orders": ", ".join(d.external_id for d in dtos)}


def _ingest_returns(connection: Connection, dtos: Sequence[ReturnDTO]) -> str:
    from returns.services import ingest_return

    if not dtos:
        return _("The order carries no return, cancellation or dispute any more; nothing to take in.")
    for dto in dtos:
        ingest_return(connection, dto)
    return _("Return %(returns)s taken in.") % {"returns": ", ".join(d.external_id for d in dtos)}


class ReplayRefused(Exception):
    """The payload was read, but the service cannot take it yet; the message says why in the user's words."""


# --- per-marketplace mappers: (payload, connection) → DTOs --------------------------------------------------------
def _wb_order(payload: dict, connection: Connection) -> list[OrderDTO]:
    from connectors.wb import mapping

    # An assembly task carries no status (the job reads it from POST /api/v3/orders/status): a replayed task
    # starts as "new" unless the payload says more, and the status poll moves it on. Status never goes backwards.
    return [mapping.order_from_task(payload, str(payload.get("supplierStatus") or "new"),
                                    str(payload.get("wbStatus") or ""))]


def _wb_fbo_order(payload: dict, connection: Connection) -> list[OrderDTO]:
    from connectors.wb import mapping

    if not mapping.is_wb_warehouse_row(payload):
        raise ValueError(f"warehouseType {payload.get('warehouseType')!r} is not a WB warehouse")
    mapper = mapping.fbo_order_from_sale_row if "saleID" in payload else mapping.fbo_order_from_order_row
    return [mapper(payload)]


def _wb_status(payload: dict, connection: Connection) -> list[OrderStatusDTO]:
    from connectors.wb import mapping

    return [mapping.status_from_item(payload)]


def _wb_return(payload: dict, connection: Connection) -> list[ReturnDTO]:
    from catalog.models import Listing
    from connectors.wb import mapping

    # Claims name WB's nmId only; the job reads vendor codes from the content cards, a replay from our listings.
    codes = {}
    for offer_id, product_id in Listing.objects.filter(connection=connection).values_list(
        "offer_id", "external_product_id"
    ):
        if product_id.isdigit():
            codes[int(product_id)] = offer_id
    return [mapping.return_from_claim(payload, codes)]


def _ozon_order(payload: dict, connection: Connection) -> list[OrderDTO]:
    from connectors.ozon import mapping

    return [mapping.posting_to_order(payload)]


def _ozon_fbo_order(payload: dict, connection: Connection) -> list[OrderDTO]:
    from connectors.ozon import mapping

    return [mapping.fbo_posting_to_order(payload)]


def _ozon_status(payload: dict, connection: Connection) -> list[OrderStatusDTO]:
    from connectors.ozon import mapping

    return [mapping.posting_status(payload)]


def _ozon_return(payload: dict, connection: Connection) -> list[ReturnDTO]:
    from connectors.ozon import mapping

    return [mapping.return_to_dto(payload)]


def _ym_order(payload: dict, connection: Connection) -> list[OrderDTO]:
    from connectors.yandex_market import mapping

    return [mapping.order_from_json(payload, default_scheme=Scheme.FBS)]


def _ym_fbo_order(payload: dict, connection: Connection) -> list[OrderDTO]:
    from connectors.yandex_market import mapping

    return [mapping.order_from_json(payload, default_scheme=Scheme.FBO)]


def _ym_status(payload: dict, connection: Connection) -> list[OrderStatusDTO]:
    from connectors.yandex_market import mapping

    return [mapping.order_status_from_json(payload)]


def _ym_return(payload: dict, connection: Connection) -> list[ReturnDTO]:
    from connectors.yandex_market import mapping

    # The returns job keeps two shapes under "return": a return (has returnType) and a DBS order whose buyer asked
    # to cancel (an order). The campaign only builds photo links; the shop's own campaign stands in.
    if "returnType" not in payload and "status" in payload:
        return [mapping.cancellation_request_from_json(payload)]
    campaign = str((connection.options or {}).get("campaign_id") or "")
    return [mapping.return_from_json(payload, campaign_id=campaign)]


def _offline_aliexpress(connection: Connection):
    """The AliExpress connector's own reading of the connection (logistics model, linked warehouse), no HTTP."""
    config = ConnectionConfig.from_connection(connection)
    return connector_class("aliexpress")(config, http=_NO_HTTP)


def _ae_order(payload: dict, connection: Connection) -> list[OrderDTO]:
    from connectors.aliexpress import mapping

    connector = _offline_aliexpress(connection)
    return [mapping.order_from_json(payload, default_scheme=connector.default_scheme,
                                    warehouse_id=connector.warehouse_id)]


def _ae_status(payload: dict, connection: Connection) -> list[OrderStatusDTO]:
    from connectors.aliexpress import mapping

    return [mapping.order_status_from_json(payload)]


def _ae_returns(payload: dict, connection: Connection) -> list[ReturnDTO]:
    from connectors.aliexpress import mapping

    return mapping.returns_from_order(payload, default_scheme=_offline_aliexpress(connection).default_scheme)


class _NoHttp:
    """Stands in for the HTTP layer where only a connector's reading of its configuration is wanted."""

    def __getattr__(self, name: str):
        raise RuntimeError("a replay works on the stored payload and never calls the marketplace")


_NO_HTTP = _NoHttp()


@dataclass(frozen=True)
class Route:
    mapper: Callable[[dict, Connection], list[Any]]
    service: Callable[[Connection, list[Any]], str]


ORDER, STATUS, RETURN = _ingest_orders, _update_statuses, _ingest_returns

ROUTES: dict[str, dict[str, Route]] = {
    "wb": {
        "order": Route(_wb_order, ORDER),
        "fbo_order": Route(_wb_fbo_order, ORDER),
        "order_status": Route(_wb_status, STATUS),
        "return": Route(_wb_return, RETURN),
    },
    "ozon": {
        "order": Route(_ozon_order, ORDER),
        "fbo_order": Route(_ozon_fbo_order, ORDER),
        "order_status": Route(_ozon_status, STATUS),
        "return": Route(_ozon_return, RETURN),
    },
    "yandex_market": {
        "order": Route(_ym_order, ORDER),
        "fbo_order": Route(_ym_fbo_order, ORDER),
        "order_status": Route(_ym_status, STATUS),
        "return": Route(_ym_return, RETURN),
    },
    "aliexpress": {
        "order": Route(_ae_order, ORDER),
        "order_status": Route(_ae_status, STATUS),
        "return": Route(_ae_returns, RETURN),
    },
}

WEBHOOK_KIND = "webhook"
WEBHOOK_MARKETPLACES = ("ozon", "yandex_market")


# --- what cannot be replayed -------------------------------------------------------------------------------------
def why_not_replayable(error: IngestError, marketplace: str) -> str:
    """The plain reason a kept payload cannot be replayed, or "" when it can be tried."""
    kind = error.kind
    if kind == WEBHOOK_KIND and marketplace in WEBHOOK_MARKETPLACES:
        return "" if error.payload.strip() else _("The notification arrived empty; there is nothing to read again.")
    if kind.endswith("_page"):
        return _(
            "This is a whole marketplace answer that could not be read (cut short or not in the documented shape); "
            "it holds no single order or return to take in. The next poll asks the marketplace again."
        )
    if kind == "fbo_stock":
        return _(
            "FBO stock rows are a snapshot: replaying an old one would overwrite newer counts. The next FBO poll "
            "reads the current report."
        )
    if kind not in ROUTES.get(marketplace, {}):
        return _("Okno cannot replay a payload of kind “%(kind)s” from this marketplace.") % {"kind": kind}
    text = error.payload.strip()
    if text == "{}":  # a service refused something that carries no raw JSON (a status report)
        return _(
            "The marketplace's data was not kept with this error, so there is nothing to map again. The next poll "
            "asks the marketplace for it."
        )
    if not text.startswith("{"):  # refusals that kept only an id ("not a Market order id")
        return _(
            "Only the id was kept, not the marketplace's data, so there is nothing to map again. The next poll "
            "asks the marketplace for it."
        )
    return ""


# --- the replay ---------------------------------------------------------------------------------------------------
def replay_ingest_error(error: IngestError) -> tuple[bool, str]:
    """Map the kept payload again and take it in. On success the error is resolved; every attempt counts as a replay
    and a failure replaces the stored error with the new one. A payload that cannot be replayed changes nothing."""
    connection = error.connection
    reason = why_not_replayable(error, connection.marketplace)
    if reason:
        return False, reason
    try:
        with transaction.atomic():  # a refused write leaves nothing half-done and the outer transaction usable
            message = _replay(error, connection)
    except ReplayRefused as exc:
        return _record(error, ok=False, error_text=str(exc)), str(exc)
    except Exception as exc:
        logger.info("replay of ingest error %s failed", error.pk, exc_info=True)
        text = f"{type(exc).__name__}: {exc}"
        return _record(error, ok=False, error_text=text), _("Replay failed again: %(error)s") % {"error": text}
    return _record(error, ok=True), message


def _replay(error: IngestError, connection: Connection) -> str:
    if error.kind == WEBHOOK_KIND:
        return _replay_notification(error, connection)
    route = ROUTES[connection.marketplace][error.kind]
    payload = json.loads(error.payload)
    if not isinstance(payload, dict):
        raise TypeError(f"expected a JSON object, got {type(payload).__name__}")
    return route.service(connection, route.mapper(payload, connection))


def _replay_notification(error: IngestError, connection: Connection) -> str:
    """Read the notification again; if it parses now, wake the jobs it names (notifications are only hints)."""
    from connectors.tasks import run_connection_job
    from connectors.webhooks import JOBS_FOR_EVENT

    if connection.marketplace == "ozon":
        from connectors.ozon.webhooks import parse
    else:
        from connectors.yandex_market.webhooks import parse
    events = parse(error.payload)
    jobs = sorted({job for event in events for job in JOBS_FOR_EVENT.get(event.get("type", ""), ())})
    if not jobs:
        return _("The notification reads correctly now; it asks for nothing to be fetched.")
    if not connection.enabled:
        return _("The notification reads correctly now; the connection is disabled, so nothing was fetched.")
    for job in jobs:
        transaction.on_commit(lambda job=job: run_connection_job.delay(connection.pk, connection.organization_id, job,
                                                                               woken=True))
    labels = ", ".join(str(Job(job).label) for job in jobs)
    return _("The notification reads correctly now; queued: %(jobs)s.") % {"jobs": labels}


def _record(error: IngestError, *, ok: bool, error_text: str = "") -> bool:
    updates: dict[str, Any] = {"replay_count": F("replay_count") + 1}
    if ok:
        updates["resolved_at"] = timezone.now()
    else:
        updates["error"] = error_text[:ERROR_LIMIT]
    IngestError.objects.filter(pk=error.pk).update(**updates)
    error.refresh_from_db(fields=["replay_count", "resolved_at", "error"])
    return ok


def resolve_ingest_error(error: IngestError) -> None:
    """A person decided the payload needs nothing more (handled by hand, or obsolete)."""
    if error.resolved_at is None:
        IngestError.objects.filter(pk=error.pk, resolved_at__isnull=True).update(resolved_at=timezone.now())
        error.refresh_from_db(fields=["resolved_at"])
