"""The Yandex Market connector: one seller cabinet (business) with its shops (campaigns).

Configuration (``Connection.options``):

- ``business_id`` — the cabinet; orders are listed cabinet-wide (``POST /v1/businesses/{businessId}/orders``);
- ``campaign_id`` — the FBS/Express/DBS shop: the account check and returns use it;
- ``fby_campaign_id`` (optional) — the FBY shop for FBO stock and returns; found through ``GET /v2/campaigns``
  when absent;
- ``campaign_ids`` (optional) — further shops whose returns to read;
- ``warehouse_campaigns`` (optional) — {Market warehouse id: campaign id}; otherwise read from
  ``POST /v2/businesses/{businessId}/warehouses``.

Okno's warehouse links hold Market's warehouse ids (what ``getStocks`` answers as ``warehouseId``). Stock is sent
per shop — ``PUT /v2/campaigns/{campaignId}/offers/stocks`` has no warehouse field: the shop's warehouse (or any
warehouse of its group) takes it.

Order flow: Market confirms an order itself and hands it over as ``PROCESSING/STARTED``. The seller's answer that
moves it on is ``PROCESSING/READY_TO_SHIP`` ("confirmed and prepared", ``updateOrderStatus`` docs), after the box
layout (``PUT …/boxes``) and labels; Market sets ``SHIPPED`` at handover. So ``confirm_orders`` sends
READY_TO_SHIP with the one-box layout Market assumes, and ``ship_orders`` sends the seller's box layout first.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from django.utils.translation import gettext as _

from connectors.base import ConnectionConfig, Connector, map_each
from connectors.dto import (
    ActionResult,
    Batch,
    FboStockDTO,
    LabelFile,
    OrderDTO,
    OrderStatusDTO,
    PayloadError,
    ReturnDTO,
    StockPushResult,
    StockReading,
    StockUpdate,
)
from connectors.errors import (
    AuthRejected,
    BadRequest,
    ConfigurationError,
    MarketplaceError,
    MarketplaceUnavailable,
)
from connectors.http import MarketplaceHttp
from connectors.yandex_market import mapping, statuses
from connectors.yandex_market.api import API, FAMILY, YandexMarketApi
from orders.choices import Scheme

logger = logging.getLogger(__name__)

ORDER_PAGE = 50  # getBusinessOrders: limit ≤ 50
ORDER_IDS_PER_REQUEST = 50  # orderIds ≤ 50
STATUS_BATCH = 30  # updateOrderStatuses: orders ≤ 30
STOCK_BATCH = 2000  # updateStocks: skus ≤ 2000
STOCK_READ_IDS = 500  # getStocks: offerIds ≤ 500
STOCK_PAGE = 200  # getStocks: limit ≤ 200
RETURNS_PAGE = 100  # getReturns: limit ≤ 100
WAREHOUSE_PAGE = 30  # getPagedWarehouses: limit ≤ 30
CAMPAIGN_PAGE = 100  # getCampaigns: limit ≤ 100
ORDER_WINDOW = timedelta(days=30)  # widest date window the order list accepts
# Market indexes order updates with a little delay: each new window starts this much before the last one ended.
WINDOW_OVERLAP = timedelta(minutes=2)
INITIAL_LOOKBACK = timedelta(days=30)
MAX_PAGES = 20  # pages one call follows where the protocol has no cursor (new orders, FBO stock)
SELLER_PROGRAMS = ("FBS", "EXPRESS", "DBS")
LOOKUP_TTL_S = 3600.0  # warehouse/campaign lists: 100 requests per hour at most

#: Okno label format → Market's ``format`` and the label's size in mm (``PageFormatType``).
LABEL_FORMATS: dict[str, tuple[str, int, int]] = {
    "pdf": ("A7", 75, 120),
    "pdf_a7": ("A7", 75, 120),
    "pdf_a9": ("A9", 40, 58),
    "pdf_a9_horizontally": ("A9_HORIZONTALLY", 58, 40),
    "pdf_a4": ("A4", 210, 297),
}

_lookups: dict[tuple[str, int, str], tuple[float, Any]] = {}


def _not_found() -> str:
    return _("The order is not found on Yandex Market")
_lookups_lock = threading.Lock()


class MalformedAnswer(MarketplaceUnavailable):
    """A successful answer that is not the documented JSON (cut short, wrong shape). Feeds keep it verbatim as a
    payload error and ask again on the next poll; actions report it like an unavailable marketplace."""

    def __init__(self, detail: str, payload: str):
        super().__init__(detail)
        self.payload = payload

    def payload_error(self, kind: str) -> PayloadError:
        return PayloadError(kind=kind, payload=self.payload, error=f"MalformedAnswer: {self.detail}")


class YandexMarketConnector(Connector):
    marketplace = "yandex_market"
    stock_batch_size = STOCK_BATCH
    stock_pair_interval_s = 0.0
    label_formats = frozenset(LABEL_FORMATS)
    api: ClassVar[YandexMarketApi] = API

    @classmethod
    def build_http(cls, config: ConnectionConfig) -> MarketplaceHttp:
        return MarketplaceHttp(cls.api, credentials=config.credentials, account_key=str(config.id),
                               base_url=config.base_url, api_base_urls=config.api_base_urls)

    # --- configuration ------------------------------------------------------------------------------------------
    def _option_id(self, name: str) -> int:
        value = self.config.options.get(name)
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if number <= 0:
            raise ConfigurationError(_("Option %(name)s (a Yandex Market id) is not set") % {"name": name})
        return number

    @property
    def business_id(self) -> int:
        return self._option_id("business_id")

    @property
    def campaign_id(self) -> int:
        return self._option_id("campaign_id")

    def _call(self, method: str, path: str, limit: str, *, cost: int = 1, **kwargs) -> Any:
        response = self.http.request(FAMILY, method, path, limits=(limit,), cost=max(1, cost), **kwargs)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise MalformedAnswer(f"{method} {path}: the answer is not JSON", response.text)

    def _cached(self, name: str, load: Callable[[], Any]) -> Any:
        """Lists Market lets us read only ~100 times an hour, kept per connection for an hour."""
        key = (name, self.config.id, str(self.config.options.get("business_id")))
        now = time.monotonic()
        with _lookups_lock:
            hit = _lookups.get(key)
        if hit and now - hit[0] < LOOKUP_TTL_S:
            return hit[1]
        value = load()
        with _lookups_lock:
            _lookups[key] = (now, value)
        return value

    # --- health -------------------------------------------------------------------------------------------------
    def check(self) -> str:
        business_id, campaign_id = self.business_id, self.campaign_id
        data = self._call("GET", f"/v2/campaigns/{campaign_id}", "campaign")
        campaign = (data or {}).get("campaign") or {}
        business = campaign.get("business") or {}
        if business.get("id") not in (None, business_id):
            raise ConfigurationError(_("Campaign %(campaign)s belongs to business %(other)s, not %(business)s") % {
                "campaign": campaign_id, "other": business.get("id"), "business": business_id})
        availability = campaign.get("apiAvailability", "AVAILABLE")
        if availability != "AVAILABLE":
            raise ConfigurationError(_("API access of campaign %(campaign)s is %(state)s") % {
                "campaign": campaign_id, "state": availability})
        name = campaign.get("domain") or business.get("name") or str(campaign_id)
        return f"{name} ({campaign.get('placementType', '?')}, campaign {campaign_id}, business {business_id})"

    # --- orders -------------------------------------------------------------------------------------------------
    def _orders_page(self, body: dict[str, Any], page_token: str | None = None) -> tuple[list[Any], str | None]:
        params: dict[str, Any] = {"limit": ORDER_PAGE}
        if page_token:
            params["page_token"] = page_token
        if self.config.options.get("include_fake_orders"):
            body = {**body, "fake": True}
        data = self._call("POST", f"/v1/businesses/{self.business_id}/orders", "orders", json=body, params=params)
        orders = data.get("orders") if isinstance(data, dict) else None
        if not isinstance(orders, list):
            raise MalformedAnswer("the order list answer has no orders", _dump(data))
        paging = data.get("paging") or {}
        return _unique_orders(orders), (paging.get("nextPageToken") or None)

    def _map_orders(self, raw_orders: list[Any], batch: Batch[OrderDTO], scheme: str) -> None:
        map_each(raw_orders, lambda raw: mapping.order_from_json(raw, default_scheme=scheme), kind="order",
                 external_id=_order_id, batch=batch)

    def fetch_new_orders(self, *, since: datetime | None = None) -> Batch[OrderDTO]:
        """FBS/Express/DBS orders in PROCESSING/STARTED: Market has confirmed them, the seller has not acted yet."""
        body = {"statuses": ["PROCESSING"], "substatuses": ["STARTED"], "programTypes": list(SELLER_PROGRAMS)}
        batch: Batch[OrderDTO] = Batch()
        token = None
        for _page in range(MAX_PAGES):
            try:
                raw_orders, token = self._orders_page(body, token)
            except MalformedAnswer as exc:
                batch.errors.append(exc.payload_error("orders_page"))
                break
            self._map_orders(raw_orders, batch, Scheme.FBS)
            if not token:
                break
        batch.has_more = bool(token)
        return batch

    def fetch_changed_orders(self, cursor: dict[str, Any], *, since: datetime | None = None) -> Batch[OrderDTO]:
        return self._changed_page(cursor, since, list(SELLER_PROGRAMS), Scheme.FBS)

    def fetch_fbo_orders(self, cursor: dict[str, Any], *, since: datetime | None = None) -> Batch[OrderDTO]:
        """FBY orders: same order list, ``programTypes: ["FBY"]``; Market fulfils them, Okno only records them."""
        return self._changed_page(cursor, since, ["FBY"], Scheme.FBO)

    def _changed_page(self, cursor: dict[str, Any], since: datetime | None, programs: list[str],
                      scheme: str) -> Batch[OrderDTO]:
        """One page of orders whose ``updateDate`` falls in the cursor's window (≤ 30 days, cursor paging).

        Cursor: ``{"window_from", "window_to", "page_token"}`` while a window is being paged, then
        ``{"next_from"}``: the next window starts a little before the last one ended, so an update Market indexed
        late is still seen; repeats are harmless (ingestion is idempotent), losses are not.
        """
        # Whole seconds (Market's precision), rounded up so an order updated this very second is inside.
        now = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
        token = cursor.get("page_token")
        if token and cursor.get("window_from") and cursor.get("window_to"):
            start, end = mapping.parse_datetime(cursor["window_from"]), mapping.parse_datetime(cursor["window_to"])
        else:
            token = None
            resume = mapping.parse_datetime(cursor["next_from"]) if cursor.get("next_from") else None
            start = min(resume or since or now - INITIAL_LOOKBACK, now).replace(microsecond=0)
            end = min(now, start + ORDER_WINDOW)
        body = {
            "programTypes": programs,
            "dates": {"updateDateFrom": mapping.moscow_iso(start), "updateDateTo": mapping.moscow_iso(end)},
        }
        batch: Batch[OrderDTO] = Batch()
        try:
            raw_orders, next_token = self._orders_page(body, token)
        except MalformedAnswer as exc:
            # Kept for the ingest-error list; the cursor stays where it was, so the next poll asks again.
            batch.errors.append(exc.payload_error("orders_page"))
            batch.cursor = dict(cursor)
            return batch
        self._map_orders(raw_orders, batch, scheme)
        if next_token:
            batch.cursor = {"window_from": start.isoformat(), "window_to": end.isoformat(),
                            "page_token": next_token}
            batch.has_more = True
        else:
            batch.cursor = {"next_from": max(start, end - WINDOW_OVERLAP).isoformat()}
            batch.has_more = end < now - WINDOW_OVERLAP  # a clipped window: more days to catch up
        return batch

    def _orders_by_id(self, external_ids: Iterable[str], errors: list[PayloadError] | None = None
                      ) -> dict[str, dict[str, Any]]:
        """Full orders by id (50 per request); ids that are not Market order ids are reported in ``errors``."""
        numeric = []
        for external_id in dict.fromkeys(external_ids):
            if str(external_id).isdigit():
                numeric.append(int(external_id))
            elif errors is not None:
                errors.append(PayloadError(kind="order_status", payload=str(external_id), external_id=str(external_id),
                                           error="not a Yandex Market order id"))
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(numeric), ORDER_IDS_PER_REQUEST):
            chunk = numeric[start : start + ORDER_IDS_PER_REQUEST]
            token = None
            for _page in range(MAX_PAGES):
                raw_orders, token = self._orders_page({"orderIds": chunk}, token)
                for raw in raw_orders:
                    if isinstance(raw, dict) and raw.get("orderId") is not None:
                        found[str(raw["orderId"])] = raw
                if not token:
                    break
        return found

    def fetch_order_statuses(self, external_ids: Sequence[str]) -> Batch[OrderStatusDTO]:
        errors: list[PayloadError] = []
        try:
            found = self._orders_by_id(external_ids, errors)
        except MalformedAnswer as exc:
            return Batch(errors=[*errors, exc.payload_error("orders_page")])
        batch: Batch[OrderStatusDTO] = Batch(errors=errors)
        return map_each(found.values(), mapping.order_status_from_json, kind="order_status", external_id=_order_id,
                        batch=batch)

    # --- order actions ------------------------------------------------------------------------------------------
    def confirm_orders(self, external_ids: Sequence[str]) -> list[ActionResult]:
        """PROCESSING/STARTED → PROCESSING/READY_TO_SHIP (batch ≤ 30, per-order answers).

        Market has no separate acceptance step: READY_TO_SHIP is the seller's confirmation. Orders go in the one box
        Market assumes; ``ship_orders`` is the call that lays out several boxes.
        """
        results: dict[str, ActionResult] = {}
        orders = self._orders_by_id(external_ids)
        todo: dict[int, list[str]] = {}
        for external_id in external_ids:
            raw = orders.get(str(external_id))
            state = _state(raw)
            if raw is None:
                results[external_id] = _fail(external_id, _not_found())
            elif state == ("PROCESSING", "READY_TO_SHIP"):
                results[external_id] = ActionResult(external_id, True, data={"already": "READY_TO_SHIP"})
            elif state == ("PROCESSING", "STARTED"):
                todo.setdefault(int(raw["campaignId"]), []).append(external_id)
            else:
                results[external_id] = _fail(external_id, _(
                    "The order is %(state)s; only PROCESSING/STARTED orders can be confirmed") % {"state": "/".join(state)})
        results.update(self._set_statuses(todo, "PROCESSING", "READY_TO_SHIP"))
        return [results[external_id] for external_id in external_ids]

    def ship_orders(self, external_ids: Sequence[str], *, options: dict[str, Any] | None = None) -> list[ActionResult]:
        """Box layout (``PUT …/boxes``) then READY_TO_SHIP for every order still in PROCESSING/STARTED.

        ``options["boxes"]`` may give ``{order id: [[{"offer_id" | "line_id", "quantity"}, …], …]}``; by default
        everything goes in one box. Market sets SHIPPED itself when the courier or sorting centre takes the parcel.
        """
        boxes_wanted = {str(k): v for k, v in ((options or {}).get("boxes") or {}).items()}
        results: dict[str, ActionResult] = {}
        boxes_of: dict[str, list[int]] = {}
        orders = self._orders_by_id(external_ids)
        todo: dict[int, list[str]] = {}
        for external_id in external_ids:
            raw = orders.get(str(external_id))
            status, substatus = _state(raw)
            if raw is None:
                results[external_id] = _fail(external_id, _not_found())
                continue
            if (status, substatus) == ("PROCESSING", "READY_TO_SHIP") or status in ("DELIVERY", "PICKUP", "DELIVERED") \
                    or (status, substatus) == ("PROCESSING", "SHIPPED"):
                if external_id in boxes_wanted and (status, substatus) == ("PROCESSING", "READY_TO_SHIP"):
                    results[external_id] = _fail(external_id, _("Boxes cannot change after READY_TO_SHIP"))
                else:
                    results[external_id] = ActionResult(external_id, True, data={"already": f"{status}/{substatus}"})
                continue
            if (status, substatus) != ("PROCESSING", "STARTED"):
                results[external_id] = _fail(external_id, _("The order is %(state)s; it cannot be shipped") % {
                    "state": f"{status}/{substatus}"})
                continue
            campaign_id = int(raw["campaignId"])
            try:
                wanted = boxes_wanted.get(external_id)
                layout = mapping.box_layout(raw, wanted) if wanted else mapping.default_box_layout(raw)
                answer = self._call("PUT", f"/v2/campaigns/{campaign_id}/orders/{external_id}/boxes", "boxes",
                                    json={"boxes": layout})
            except (ValueError, TypeError) as exc:
                results[external_id] = _fail(external_id, _("Box layout: %(error)s") % {"error": exc})
                continue
            except MarketplaceError as exc:
                _reraise_systemic(exc)
                results[external_id] = _fail(external_id, exc.user_message())
                continue
            boxes_of[external_id] = [box.get("boxId") for box in ((answer or {}).get("result") or {}).get("boxes", [])]
            todo.setdefault(campaign_id, []).append(external_id)
        for external_id, result in self._set_statuses(todo, "PROCESSING", "READY_TO_SHIP").items():
            results[external_id] = ActionResult(result.external_id, result.ok, result.error,
                                                {**result.data, "box_ids": boxes_of.get(external_id, [])})
        return [results[external_id] for external_id in external_ids]

    def _set_statuses(self, todo: dict[int, list[str]], status: str, substatus: str) -> dict[str, ActionResult]:
        """``POST /v2/campaigns/{campaignId}/orders/status-update`` in batches of 30; one result per order."""
        results: dict[str, ActionResult] = {}
        for campaign_id, ids in todo.items():
            for start in range(0, len(ids), STATUS_BATCH):
                chunk = ids[start : start + STATUS_BATCH]
                try:
                    data = self._call("POST", f"/v2/campaigns/{campaign_id}/orders/status-update", "order_status",
                                      cost=len(chunk), json=mapping.status_update_body(chunk, status, substatus))
                except MarketplaceError as exc:
                    _reraise_systemic(exc)
                    results.update({i: _fail(i, exc.user_message()) for i in chunk})
                    continue
                answered = {str(o.get("id")): o for o in ((data or {}).get("result") or {}).get("orders") or []
                            if isinstance(o, dict)}
                for external_id in chunk:
                    answer = answered.get(external_id)
                    if answer is None:
                        results[external_id] = _fail(external_id, _("Yandex Market did not answer for this order"))
                    elif answer.get("updateStatus") == "OK":
                        results[external_id] = ActionResult(external_id, True, data={
                            "status": answer.get("status", status), "substatus": answer.get("substatus", substatus)})
                    else:
                        results[external_id] = _fail(external_id,
                                                     answer.get("errorDetails") or _("The status was not changed"))
        return results

    def cancel_order(self, external_id: str, reason: str = "") -> ActionResult:
        """Seller's cancellation (PROCESSING → CANCELLED/SHOP_FAILED), or — when the buyer asked to cancel a DBS order
        already on its way (``cancelRequested``) — accepting that request."""
        raw = self._orders_by_id([external_id]).get(str(external_id))
        status, substatus = _state(raw)
        if raw is None:
            return _fail(external_id, _not_found())
        if status == "CANCELLED":
            return ActionResult(external_id, True, data={"already": f"{status}/{substatus}"})
        if raw.get("cancelRequested"):
            return self.answer_cancellation(external_id, accept=True, campaign_id=int(raw["campaignId"]))
        if status != "PROCESSING" or substatus not in ("STARTED", "READY_TO_SHIP"):
            return _fail(external_id, _("The order is %(state)s; Yandex Market lets the seller cancel only "
                                        "PROCESSING/STARTED or READY_TO_SHIP orders") % {"state": f"{status}/{substatus}"})
        reason_code = reason if reason in statuses.SELLER_CANCEL_REASONS else "SHOP_FAILED"
        return self._set_statuses({int(raw["campaignId"]): [external_id]}, "CANCELLED", reason_code)[external_id]

    def answer_cancellation(self, external_id: str, *, accept: bool, reason: str = "",
                            campaign_id: int | None = None) -> ActionResult:
        """Answer a buyer's cancellation request of a DBS order within 48 h (``PUT …/cancellation/accept``).

        Refusing needs a reason: ``ORDER_DELIVERED`` or ``ORDER_IN_DELIVERY`` (default: from the order's status).
        """
        if campaign_id is None or (not accept and not reason):
            raw = self._orders_by_id([external_id]).get(str(external_id))
            if raw is None:
                return _fail(external_id, _not_found())
            campaign_id = int(raw["campaignId"])
            if not reason:
                reason = "ORDER_DELIVERED" if raw.get("status") == "DELIVERED" else "ORDER_IN_DELIVERY"
        body: dict[str, Any] = {"accepted": accept}
        if not accept:
            body["reason"] = reason
        try:
            self._call("PUT", f"/v2/campaigns/{campaign_id}/orders/{external_id}/cancellation/accept", "cancellation",
                       json=body)
        except MarketplaceError as exc:
            _reraise_systemic(exc)
            return _fail(external_id, exc.user_message())
        return ActionResult(external_id, True, data={"cancellation_accepted": accept, **body})

    def get_labels(self, external_ids: Sequence[str], label_format: str = "pdf") -> list[LabelFile]:
        """One PDF per order with a label for each of its boxes (``GET …/delivery/labels?format=``)."""
        if label_format not in LABEL_FORMATS:
            raise self.unsupported("get_labels", _("format %(format)s: Yandex Market gives labels as PDF only "
                                                   "(%(formats)s)") % {"format": label_format,
                                                                       "formats": ", ".join(sorted(LABEL_FORMATS))})
        page_format, width, height = LABEL_FORMATS[label_format]
        orders = self._orders_by_id(external_ids)
        files = []
        for external_id in external_ids:
            raw = orders.get(str(external_id))
            if raw is None:
                raise BadRequest(_("Order %(order)s is not found on Yandex Market") % {"order": external_id})
            response = self.http.request(
                FAMILY, "GET", f"/v2/campaigns/{raw['campaignId']}/orders/{external_id}/delivery/labels",
                params={"format": page_format}, headers={"Accept": "application/pdf"}, limits=("labels",))
            if not response.content.startswith(b"%PDF"):
                raise MarketplaceUnavailable(f"label of order {external_id} is not a PDF")
            files.append(LabelFile(content=response.content, content_type="application/pdf",
                                   external_ids=(str(external_id),), width_mm=width, height_mm=height))
        return files

    # --- stock --------------------------------------------------------------------------------------------------
    def _warehouse_campaigns(self) -> dict[str, int]:
        """Market warehouse id → the campaign whose stock it holds."""
        configured = self.config.options.get("warehouse_campaigns")
        if configured:
            return {str(k): int(v) for k, v in dict(configured).items()}
        return self._cached("warehouses", self._load_warehouse_campaigns)

    def _load_warehouse_campaigns(self) -> dict[str, int]:
        found: dict[str, int] = {}
        token = None
        for _page in range(MAX_PAGES):
            params: dict[str, Any] = {"limit": WAREHOUSE_PAGE}
            if token:
                params["page_token"] = token
            data = self._call("POST", f"/v2/businesses/{self.business_id}/warehouses", "warehouses", params=params,
                              json={})
            result = (data or {}).get("result") or {}
            for warehouse in result.get("warehouses") or []:
                if isinstance(warehouse, dict) and warehouse.get("id") and warehouse.get("campaignId"):
                    found[str(warehouse["id"])] = int(warehouse["campaignId"])
            token = (result.get("paging") or {}).get("nextPageToken")
            if not token:
                break
        return found

    def push_stocks(self, updates: Sequence[StockUpdate]) -> list[StockPushResult]:
        """Quantities per shop (``PUT /v2/campaigns/{campaignId}/offers/stocks``, ≤ 2000 unique SKUs a request).

        Market applies them within minutes; ``updatedAt`` lets it keep the newest when two updates cross. A request
        Market refuses because of some SKUs is sent once more without them, so one bad SKU does not block the rest.
        """
        results: dict[int, StockPushResult] = {}
        campaigns = self._warehouse_campaigns()
        per_campaign: dict[int, dict[str, list[int]]] = {}
        for index, update in enumerate(updates):
            campaign_id = campaigns.get(str(update.warehouse_external_id))
            if campaign_id is None:
                results[index] = _refused(update, _("Warehouse %(warehouse)s is not a warehouse of business "
                                                    "%(business)s") % {"warehouse": update.warehouse_external_id,
                                                                        "business": self.business_id})
            elif not 0 <= update.quantity <= mapping.MAX_STOCK_COUNT:
                results[index] = _refused(update, _("Quantity %(quantity)s is outside 0…%(maximum)s") % {
                    "quantity": update.quantity, "maximum": mapping.MAX_STOCK_COUNT})
            elif not update.stock_key.strip():
                results[index] = _refused(update, _("Empty SKU"))
            else:
                # One SKU per request: a second quantity for the same shop (warehouse group) replaces the first.
                per_campaign.setdefault(campaign_id, {}).setdefault(update.stock_key, []).append(index)
        now = datetime.now(UTC)
        for campaign_id, by_sku in per_campaign.items():
            skus = list(by_sku)
            for start in range(0, len(skus), STOCK_BATCH):
                chunk = skus[start : start + STOCK_BATCH]
                sent = [updates[by_sku[sku][-1]] for sku in chunk]
                for sku, outcome in self._send_stocks(campaign_id, sent, now).items():
                    for index in by_sku[sku]:
                        results[index] = StockPushResult(updates[index].stock_key,
                                                         updates[index].warehouse_external_id, *outcome)
        return [results[index] for index in range(len(updates))]

    def _send_stocks(self, campaign_id: int, sent: list[StockUpdate], now: datetime
                     ) -> dict[str, tuple[bool, str, float | None]]:
        """SKU → (accepted, error, retry_after) for one request, resent once without the SKUs Market named."""
        outcome: dict[str, tuple[bool, str, float | None]] = {}
        for _attempt in range(2):
            if not sent:
                break
            try:
                self._call("PUT", f"/v2/campaigns/{campaign_id}/offers/stocks", "stocks_update", cost=len(sent),
                           json=mapping.stock_update_body(sent, now))
            except BadRequest as exc:
                named = {u.stock_key for u in sent if _names_sku(exc.detail, u.stock_key)}
                if not named or len(named) == len(sent):
                    outcome.update({u.stock_key: (False, exc.detail or exc.user_message(), None) for u in sent})
                    break
                outcome.update({sku: (False, _message_for(exc.detail, sku), None) for sku in named})
                sent = [u for u in sent if u.stock_key not in named]
                continue
            except MarketplaceError as exc:
                _reraise_systemic(exc)
                outcome.update({u.stock_key: (False, exc.user_message(), exc.retry_after) for u in sent})
                break
            outcome.update({u.stock_key: (True, "", None) for u in sent})
            break
        return outcome

    def read_stocks(self, keys: Sequence[tuple[str, str]]) -> list[StockReading]:
        """What Market shows: ``AVAILABLE`` per (SKU, warehouse), read by ``offerIds`` (≤ 500, one page)."""
        campaigns = self._warehouse_campaigns()
        per_campaign: dict[int, dict[str, None]] = {}  # ordered sets of SKUs
        for sku, warehouse_id in keys:
            campaign_id = campaigns.get(str(warehouse_id))
            if campaign_id is not None:
                per_campaign.setdefault(campaign_id, {})[sku] = None
        wanted = {(sku, str(warehouse_id)) for sku, warehouse_id in keys}
        readings: list[StockReading] = []
        for campaign_id, sku_set in per_campaign.items():
            skus = list(sku_set)
            for start in range(0, len(skus), STOCK_READ_IDS):
                chunk = skus[start : start + STOCK_READ_IDS]
                data = self._call("POST", f"/v2/campaigns/{campaign_id}/offers/stocks", "stocks_read", cost=len(chunk),
                                  json={"offerIds": chunk})
                try:
                    readings.extend(mapping.stock_readings(data["result"], wanted))
                except (KeyError, TypeError, ValueError) as exc:
                    raise MalformedAnswer(f"stock read-back: {type(exc).__name__}: {exc}", _dump(data))
        return readings

    # --- FBO ----------------------------------------------------------------------------------------------------
    def _fby_campaign(self) -> int | None:
        configured = self.config.options.get("fby_campaign_id")
        if configured:
            return self._option_id("fby_campaign_id")
        return self._cached("fby_campaign", self._find_fby_campaign)

    def _find_fby_campaign(self) -> int | None:
        business_id, token = self.business_id, None
        for _page in range(MAX_PAGES):
            params: dict[str, Any] = {"limit": CAMPAIGN_PAGE}
            if token:
                params["page_token"] = token
            data = self._call("GET", "/v2/campaigns", "campaigns", params=params) or {}
            for campaign in data.get("campaigns") or []:
                if (campaign.get("placementType") == "FBY" and (campaign.get("business") or {}).get("id") == business_id
                        and campaign.get("id")):
                    return int(campaign["id"])
            token = (data.get("paging") or {}).get("nextPageToken")
            if not token:
                break
        return None

    def _ff_warehouse_names(self) -> dict[str, str]:
        def load() -> dict[str, str]:
            data = self._call("GET", "/v2/warehouses", "ff_warehouses") or {}
            return {str(w["id"]): str(w.get("name") or "") for w in ((data.get("result") or {}).get("warehouses") or [])
                    if isinstance(w, dict) and w.get("id")}

        try:
            return self._cached("ff_warehouses", load)
        except MarketplaceError as exc:
            _reraise_systemic(exc)
            logger.info("yandex_market: warehouse names unavailable: %s", exc)  # ids alone still do
            return {}

    def fetch_fbo_stocks(self) -> Batch[FboStockDTO]:
        """Stock at Market's fulfilment warehouses: the FBY shop's ``getStocks`` (all pages).

        A cabinet without an FBY shop has no FBO stock: the batch is empty.
        """
        batch: Batch[FboStockDTO] = Batch()
        campaign_id = self._fby_campaign()
        if campaign_id is None:
            return batch
        names = self._ff_warehouse_names()
        token = None
        for _page in range(MAX_PAGES * 5):
            params: dict[str, Any] = {"limit": STOCK_PAGE}
            if token:
                params["page_token"] = token
            try:
                data = self._call("POST", f"/v2/campaigns/{campaign_id}/offers/stocks", "stocks_read",
                                  cost=STOCK_PAGE, params=params, json={})
            except MalformedAnswer as exc:
                batch.errors.append(exc.payload_error("fbo_stock_page"))
                token = None
                break
            result = (data or {}).get("result") or {}
            for warehouse in result.get("warehouses") or []:
                try:
                    batch.items.extend(mapping.fbo_stock_rows(warehouse, names))
                except (KeyError, TypeError, ValueError) as exc:
                    batch.errors.append(PayloadError(kind="fbo_stock", payload=_dump(warehouse),
                                                     error=f"{type(exc).__name__}: {exc}"))
            token = (result.get("paging") or {}).get("nextPageToken")
            if not token:
                break
        batch.has_more = bool(token)
        return batch

    # --- returns ------------------------------------------------------------------------------------------------
    def _return_campaigns(self) -> list[tuple[int, str]]:
        campaigns = [(self.campaign_id, Scheme.FBS)]
        fby = self._fby_campaign()
        if fby:
            campaigns.append((fby, Scheme.FBO))
        for extra in self.config.options.get("campaign_ids") or []:
            campaigns.append((int(extra), Scheme.FBS))
        return list(dict.fromkeys(campaigns))

    def fetch_returns(self, cursor: dict[str, Any], *, since: datetime | None = None) -> Batch[ReturnDTO]:
        """One page of returns and non-purchases of one shop (``GET …/returns``, ≤ 100, by update date), shop by shop;
        each round also brings the DBS orders whose buyer asked to cancel (``waitingForCancellationApprove``).

        Cursor: ``{"round": [campaign ids], "index", "from", "to", "page_token", "next_from": {campaign: date}}``.
        Dates are whole Moscow days, so a round re-reads the last day; repeats are harmless.
        """
        batch: Batch[ReturnDTO] = Batch()
        today = mapping.moscow_date(datetime.now(UTC))
        next_from: dict[str, str] = dict(cursor.get("next_from") or {})
        campaigns = self._return_campaigns()
        schemes = {str(c): s for c, s in campaigns}
        current = cursor.get("round")
        if not current or int(cursor.get("index", 0)) >= len(current):
            current = [str(c) for c, _ in campaigns]
            index, token = 0, None
            self._cancellation_requests(batch)
        else:
            index, token = int(cursor.get("index", 0)), cursor.get("page_token")
        campaign = current[index]
        if token:
            start, end = cursor["from"], cursor["to"]
        else:
            default = (since.astimezone(mapping.MOSCOW).date() if since else today - INITIAL_LOOKBACK)
            start, end = next_from.get(campaign) or default.isoformat(), today.isoformat()
        params: dict[str, Any] = {"limit": RETURNS_PAGE, "fromDate": start, "toDate": end}
        if token:
            params["page_token"] = token
        try:
            data = self._call("GET", f"/v2/campaigns/{campaign}/returns", "returns", params=params) or {}
            result = data.get("result") if isinstance(data, dict) else None
            if not isinstance(result, dict) or not isinstance(result.get("returns", []), list):
                raise MalformedAnswer("the returns answer has no result.returns", _dump(data))
        except MalformedAnswer as exc:
            batch.errors.append(exc.payload_error("returns_page"))
            batch.cursor = dict(cursor)
            return batch
        raw_returns = _unique(result.get("returns") or [], "id")
        scheme = schemes.get(campaign, Scheme.FBS)
        map_each(raw_returns, lambda raw: mapping.return_from_json(raw, campaign_id=campaign, scheme=scheme),
                 kind="return", external_id=lambda raw: raw.get("id") if isinstance(raw, dict) else "", batch=batch)
        next_token = (result.get("paging") or {}).get("nextPageToken")
        if next_token:
            batch.cursor = {"round": current, "index": index, "from": start, "to": end, "page_token": next_token,
                            "next_from": next_from}
            batch.has_more = True
            return batch
        next_from[campaign] = end
        if index + 1 < len(current):
            batch.cursor = {"round": current, "index": index + 1, "next_from": next_from}
            batch.has_more = True
        else:
            batch.cursor = {"next_from": next_from}
        return batch

    # --- return decisions -----------------------------------------------------------------------------------------
    def approve_return(self, external_id: str, *, comment: str = "") -> ActionResult:
        """A return: refund and take the goods back (``REFUND_MONEY``, else ``REFUND_MONEY_INCLUDING_SHIPMENT`` with
        the shipping cost as ``comment``), whichever Market offers now. A buyer's cancellation request: accept it."""
        order_id = _cancellation_order(external_id)
        if order_id:
            return _as(external_id, self.answer_cancellation(order_id, accept=True))
        found = self._decision_context(external_id)
        if isinstance(found, ActionResult):
            return found
        offered = [d for d in statuses.APPROVALS if d in found.available]
        if not offered:
            return _fail(external_id, _("Yandex Market offers no refund with the goods' return for this return; "
                                        "available decisions: %(allowed)s") % {"allowed": found.allowed()})
        decision = next((d for d in offered if d not in statuses.DECISIONS_NEEDING_COMMENT or comment.strip()),
                        offered[0])
        return self._submit_decision(external_id, found, decision, comment=comment)

    def reject_return(self, external_id: str, *, reason: str, comment: str = "") -> ActionResult:
        """A return: ``DECLINE_REFUND`` with ``reason`` one of the decline reasons Market offers for it (the comment
        defaults to the reason's wording). A cancellation request: refuse it with ``ORDER_DELIVERED`` or
        ``ORDER_IN_DELIVERY`` (empty: taken from the order's status)."""
        reason = (reason or "").strip()
        order_id = _cancellation_order(external_id)
        if order_id:
            if reason and reason not in statuses.CANCELLATION_REFUSALS:
                return _fail(external_id, _("Yandex Market refuses a cancellation only with one of: %(allowed)s")
                             % {"allowed": ", ".join(sorted(statuses.CANCELLATION_REFUSALS))})
            return _as(external_id, self.answer_cancellation(order_id, accept=False, reason=reason))
        found = self._decision_context(external_id)
        if isinstance(found, ActionResult):
            return found
        if statuses.DECLINE not in found.available:
            return _fail(external_id, _("Yandex Market does not let the seller decline this return now; available "
                                        "decisions: %(allowed)s") % {"allowed": found.allowed()})
        reasons = found.available[statuses.DECLINE]
        if reason not in reasons:
            return _fail(external_id, _("Yandex Market declines a refund only for one of these reasons: "
                                        "%(allowed)s") % {"allowed": ", ".join(reasons) or "—"})
        return self._submit_decision(external_id, found, statuses.DECLINE, reason=reason,
                                     comment=comment.strip() or statuses.DECLINE_REASONS.get(reason, reason))

    def answer_claim(self, external_id: str, *, decision: str, comment: str = "") -> ActionResult:
        """A return: one of the decisions Market offers for it now (``getReturnAvailableDecisions``); declining needs
        a reason (``reject_return``) and a partial refund an amount, so neither is taken here. A cancellation
        request: ``ACCEPT``, ``ORDER_DELIVERED`` or ``ORDER_IN_DELIVERY``."""
        decision = (decision or "").strip()
        order_id = _cancellation_order(external_id)
        if order_id:
            if decision == statuses.CANCELLATION_ACCEPT:
                return _as(external_id, self.answer_cancellation(order_id, accept=True))
            if decision in statuses.CANCELLATION_REFUSALS:
                return _as(external_id, self.answer_cancellation(order_id, accept=False, reason=decision))
            allowed = ", ".join([statuses.CANCELLATION_ACCEPT, *sorted(statuses.CANCELLATION_REFUSALS)])
            return _fail(external_id, _("A cancellation request takes one of: %(allowed)s") % {"allowed": allowed})
        found = self._decision_context(external_id)
        if isinstance(found, ActionResult):
            return found
        if decision not in found.available:
            return _fail(external_id, _("Yandex Market does not offer %(decision)s for this return now; available "
                                        "decisions: %(allowed)s") % {"decision": decision or "—",
                                                                     "allowed": found.allowed()})
        if decision == statuses.DECLINE:
            return _fail(external_id, _("Declining a refund needs one of Market's reasons: reject the return "
                                        "instead (reasons: %(allowed)s)") % {
                                            "allowed": ", ".join(found.available[decision]) or "—"})
        if decision in statuses.DECISIONS_NEEDING_AMOUNT:
            return _fail(external_id, _("%(decision)s needs an amount, which Okno does not send; decide it in the "
                                        "Yandex Market cabinet") % {"decision": decision})
        return self._submit_decision(external_id, found, decision, comment=comment)

    def _decision_context(self, external_id: str) -> _DecisionContext | ActionResult:
        """The return (found among each shop's returns waiting for a decision) and the decisions Market offers."""
        if not str(external_id).isdigit():
            return _fail(external_id, _("%(id)s is not a Yandex Market return id") % {"id": external_id})
        try:
            located = self._return_waiting_for_decision(int(external_id))
            if located is None:
                return _fail(external_id, _("Yandex Market lists no return %(id)s waiting for the seller's decision")
                             % {"id": external_id})
            campaign, raw = located
            answer = self._call("POST", f"/v1/businesses/{self.business_id}/returns/decisions", "return_decisions",
                                json={"campaignId": campaign, "returnId": int(external_id)}) or {}
        except MarketplaceError as exc:
            _reraise_systemic(exc)
            return _fail(external_id, exc.user_message())
        result = answer.get("result") if isinstance(answer, dict) else None
        listed = result.get("availableDecisions") if isinstance(result, dict) else None
        if not isinstance(listed, list):
            return _fail(external_id, _("Yandex Market answered the available decisions in an unknown shape"))
        available: dict[str, list[str]] = {}
        for entry in listed:
            if isinstance(entry, dict) and isinstance(entry.get("decisionType"), str):
                reasons = entry.get("decisionReasonTypes") or []
                available[entry["decisionType"]] = [str(r) for r in reasons] if isinstance(reasons, list) else []
        if not available:
            return _fail(external_id, _("Yandex Market offers no decision for this return now"))
        item_ids = mapping.return_item_ids(raw)
        if not item_ids:
            return _fail(external_id, _("The return lists no items to decide on"))
        return _DecisionContext(campaign=campaign, order_id=int(raw["orderId"]), item_ids=item_ids,
                                available=available)

    def _return_waiting_for_decision(self, return_id: int) -> tuple[int, dict[str, Any]] | None:
        """Market has no "return by id" without its order, so the shops' lists of returns waiting for a decision
        (few by nature) are searched."""
        for campaign, _scheme in self._return_campaigns():
            token = None
            for _page in range(MAX_PAGES):
                params: dict[str, Any] = {"limit": RETURNS_PAGE, "type": "RETURN",
                                          "statuses": ",".join(statuses.DECISION_PENDING)}
                if token:
                    params["page_token"] = token
                data = self._call("GET", f"/v2/campaigns/{campaign}/returns", "returns", params=params) or {}
                result = data.get("result") if isinstance(data, dict) else None
                listed = result.get("returns") if isinstance(result, dict) else None
                for raw in listed if isinstance(listed, list) else []:
                    if isinstance(raw, dict) and raw.get("id") == return_id and isinstance(raw.get("orderId"), int):
                        return campaign, raw
                token = (result.get("paging") or {}).get("nextPageToken") if isinstance(result, dict) else None
                if not token:
                    break
        return None

    def _submit_decision(self, external_id: str, found: _DecisionContext, decision: str, *, reason: str = "",
                         comment: str = "") -> ActionResult:
        comment = comment.strip()
        if decision in statuses.DECISIONS_NEEDING_COMMENT and not comment:
            return _fail(external_id, _("Yandex Market needs a comment for %(decision)s: %(what)s") % {
                "decision": decision, "what": statuses.RETURN_DECISIONS.get(decision, "")})
        body = mapping.return_decision_body(found.item_ids, decision, reason=reason, comment=comment)
        try:
            self._call("POST", f"/v2/campaigns/{found.campaign}/orders/{found.order_id}/returns/{external_id}"
                               "/decision/submit", "return_decision", json=body)
        except MarketplaceError as exc:
            _reraise_systemic(exc)
            return _fail(external_id, exc.user_message())
        return ActionResult(external_id, True, data={"decision": decision, **({"reason": reason} if reason else {})})

    def _cancellation_requests(self, batch: Batch[ReturnDTO]) -> None:
        token = None
        for _page in range(MAX_PAGES):
            raw_orders, token = self._orders_page({"programTypes": ["DBS"], "waitingForCancellationApprove": True},
                                                  token)
            map_each(raw_orders, mapping.cancellation_request_from_json, kind="return", external_id=_order_id,
                     batch=batch)
            if not token:
                break


# --- helpers ----------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _DecisionContext:
    campaign: int
    order_id: int
    item_ids: tuple[int, ...]
    available: dict[str, list[str]]  # decisionType → its decline reasons

    def allowed(self) -> str:
        return ", ".join(self.available) or "—"


def _cancellation_order(external_id: str) -> str:
    """The order id of a cancellation request's return id (``cancellation-<orderId>``), else ""."""
    prefix = mapping.CANCELLATION_PREFIX
    value = str(external_id)
    return value[len(prefix):] if value.startswith(prefix) and value[len(prefix):].isdigit() else ""


def _as(external_id: str, result: ActionResult) -> ActionResult:
    return ActionResult(external_id, result.ok, result.error, result.data)


def _order_id(raw: Any) -> Any:
    return raw.get("orderId") if isinstance(raw, dict) else ""


def _unique(items: list[Any], key: str) -> list[Any]:
    """Drop repeated items (Market may hand the same one twice); items without the key are kept for mapping."""
    seen, out = set(), []
    for item in items:
        ident = item.get(key) if isinstance(item, dict) else None
        if ident is not None and not isinstance(ident, list | dict):
            if ident in seen:
                continue
            seen.add(ident)
        out.append(item)
    return out


def _unique_orders(items: list[Any]) -> list[Any]:
    return _unique(items, "orderId")


def _state(raw: dict[str, Any] | None) -> tuple[str, str]:
    if not raw:
        return "", ""
    return str(raw.get("status") or ""), str(raw.get("substatus") or "")


def _fail(external_id: str, error: str) -> ActionResult:
    return ActionResult(external_id, False, error)


def _refused(update: StockUpdate, error: str) -> StockPushResult:
    return StockPushResult(update.stock_key, update.warehouse_external_id, False, error)


def _reraise_systemic(exc: MarketplaceError) -> None:
    """Credentials or configuration problems concern the whole connection, not one order: let them through."""
    if isinstance(exc, AuthRejected | ConfigurationError):
        raise exc


def _names_sku(detail: str, sku: str) -> bool:
    return bool(re.search(rf"(?<![\w-]){re.escape(sku)}(?![\w-])", detail or ""))


def _message_for(detail: str, sku: str) -> str:
    parts = [p for p in (detail or "").split("; ") if _names_sku(p, sku)]
    return "; ".join(parts) or detail


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
