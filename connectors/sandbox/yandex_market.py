"""Yandex Market Partner API emulation (``yandex-market.md``, the official partner and notification specs).

What it reproduces:

- auth by ``Api-Key`` (credentials ``api_key``) or a legacy OAuth token (``Authorization: Bearer …`` or
  ``OAuth oauth_token=…``, credentials ``oauth_token``): 401 without one, 403 for an unknown one or another
  seller's shop;
- the cabinet (``account.business_id``) with its shops: an FBS shop (``account.campaign_id``) whose warehouses are the
  seller's non-FBO warehouses (Market warehouse ids are integers), and an FBY shop (``account.fby_campaign_id``) when
  the seller has FBO warehouses (Market's fulfilment warehouses);
- orders in the business-level DTO with status + substatus, money as ``{"value", "currencyId": "RUR"}`` roubles and
  ISO dates with the Moscow offset; cursor paging (``page_token``/``limit`` ≤ 50, ``paging.nextPageToken``), the
  30-day window, box layouts, PDF labels, the status batch (≤ 30, per-order ``updateStatus``), buyer cancellation
  requests of DBS orders, returns and non-purchases;
- stock: ``PUT …/offers/stocks`` (≤ 2000 unique SKUs, one item each, count 0…2·10⁹) applied after
  ``account.stock_apply_delay_s`` (Market: "up to a few minutes"; 0 by default), newest ``updatedAt`` wins; read
  back through ``POST …/offers/stocks`` (``AVAILABLE``/``FREEZE``/``FIT``). A request naming SKUs that are not in the
  catalogue is refused whole with one ``OFFER_NOT_FOUND`` error per SKU (Market's exact behaviour UNCONFIRMED);
- limits: 4 simultaneous requests per campaign / business (HTTP 420 "Hit rate limit of 4 parallel requests for
  campaignId N") and per-method budgets with ``X-RateLimit-Resource-Limit/-Remaining/-Until`` on every answer, 420
  when spent. ``account.resource_limits = {operationId: [amount, seconds]}`` lowers a budget for tests;
  ``account.latency_s`` holds each request inside its parallel slot;
- push notifications to ``webhook_url`` (+ ``/notification``): a PING handshake first (answer within 1 s with
  ``version``, ``name``, ``time``), then thin ORDER_* payloads.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import math
import queue
import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from email.utils import format_datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from connectors.sandbox.server import HttpError, MarketplaceApp, Request, Response, Router
from connectors.sandbox.world import Seller, SLine, SOrder, SProduct, SReturn, utcnow

logger = logging.getLogger(__name__)

MOSCOW = ZoneInfo("Europe/Moscow")
PARALLEL_LIMIT = 4
ORDER_WINDOW = timedelta(days=30)
STOCK_MAX_SKUS = 2000
STOCK_MAX_COUNT = 2_000_000_000

#: Per-method budgets of the "none" tier (spec ``x-resource-limit-config``): operationId → (amount, seconds).
RESOURCE_LIMITS: dict[str, tuple[int, int]] = {
    "getCampaigns": (1_000, 3600),
    "getCampaign": (5_000, 3600),
    "getBusinessOrders": (10_000, 3600),
    "updateOrderStatuses": (10_000, 3600),  # counted per order in the answer
    "setOrderBoxLayout": (10_000, 3600),
    "generateOrderLabels": (10_000, 3600),
    "acceptOrderCancellation": (500, 3600),
    "updateStocks": (100_000, 60),  # counted per SKU in the request
    "getStocks": (100_000, 60),  # counted per offer in the answer
    "getReturns": (5_000, 3600),
    "getReturnAvailableDecisions": (5_000, 3600),
    "submitReturnDecision": (5_000, 3600),
    "getPagedWarehouses": (100, 3600),
    "getFulfillmentWarehouses": (100, 3600),
}

#: Seller-side status changes Market accepts: (status, substatus) now → allowed (status, substatus) targets.
SELLER_TRANSITIONS: dict[tuple[str, str], set[tuple[str, str]]] = {
    ("PROCESSING", "STARTED"): {("PROCESSING", "READY_TO_SHIP"), ("CANCELLED", "SHOP_FAILED"),
                                ("CANCELLED", "USER_UNREACHABLE")},
    ("PROCESSING", "READY_TO_SHIP"): {("CANCELLED", "SHOP_FAILED"), ("CANCELLED", "USER_UNREACHABLE")},
}
#: DBS sellers also drive delivery (``dbs-order-status-model``).
DBS_TRANSITIONS: dict[tuple[str, str], set[tuple[str, str]]] = {
    ("PROCESSING", "READY_TO_SHIP"): {("DELIVERY", "DELIVERY_SERVICE_RECEIVED")},
    ("DELIVERY", "DELIVERY_SERVICE_RECEIVED"): {("PICKUP", "PICKUP_SERVICE_RECEIVED"),
                                                ("DELIVERED", "DELIVERY_SERVICE_DELIVERED")},
    ("PICKUP", "PICKUP_SERVICE_RECEIVED"): {("DELIVERED", "DELIVERY_SERVICE_DELIVERED")},
}
#: Market's own progress of an order (``advance``).
LIFECYCLE: dict[tuple[str, str], tuple[str, str]] = {
    ("PROCESSING", "STARTED"): ("PROCESSING", "READY_TO_SHIP"),
    ("PROCESSING", "READY_TO_SHIP"): ("PROCESSING", "SHIPPED"),
    ("PROCESSING", "SHIPPED"): ("DELIVERY", "DELIVERY_SERVICE_RECEIVED"),
    ("DELIVERY", "DELIVERY_SERVICE_RECEIVED"): ("PICKUP", "PICKUP_SERVICE_RECEIVED"),
    ("PICKUP", "PICKUP_SERVICE_RECEIVED"): ("DELIVERED", "DELIVERY_SERVICE_DELIVERED"),
}
RETURN_PROGRESS: dict[str, str] = {
    "CREATED": "RECEIVED",
    "RECEIVED": "IN_TRANSIT",
    "IN_TRANSIT": "READY_FOR_PICKUP",
    "READY_FOR_PICKUP": "PICKED",
}
#: What Market offers the seller for a return waiting for a decision (``ReturnRequestDecisionType``).
OFFERED_DECISIONS = ("REFUND_MONEY", "REFUND_MONEY_INCLUDING_SHIPMENT", "FAST_REFUND_MONEY", "SEND_TO_EXAMINATION",
                     "DECLINE_REFUND", "PARTIAL_MONEY_REFUND", "OTHER_DECISION")
#: ``ReturnRequestDecisionReasonType``: the reasons a refund may be declined for.
DECLINE_REASON_TYPES = ("ISSUE_WITH_THE_PRODUCT_WAS_NOT_CONFIRMED", "MECHANICAL_DAMAGE", "WARRANTY_PERIOD_HAS_EXPIRED",
                        "CONFIGURATION_OR_PACKAGING_COMPROMISED", "PRODUCT_APPEARANCE_COMPROMISED",
                        "WARRANTY_TERMS_VIOLATED", "DEVICE_ACTIVATED")
#: Decisions whose ``comment`` Market asks for (``ReturnItemDecisionComment``).
COMMENTED_DECISIONS = frozenset({"REFUND_MONEY_INCLUDING_SHIPMENT", "REPAIR", "DECLINE_REFUND", "OTHER_DECISION"})
#: ``refundStatus`` of a return waiting for the seller: DBS, and the premoderation of FBS/Express/FBY returns.
AWAITING_DECISION = {"DBS": "WAITING_FOR_DECISION"}
AWAITING_DECISION_DEFAULT = "PREMODERATION_DECISION_WAITING"
DECISION_MADE = {"DBS": "DECISION_MADE"}
DECISION_MADE_DEFAULT = "PREMODERATION_DECISION_MADE"
FF_WAREHOUSE_NAMES = {"147": "Ростов-на-Дону", "172": "Софьино", "300": "Екатеринбург", "304": "Новосибирск"}
LABEL_PAGES_MM = {"A9_HORIZONTALLY": (58, 40), "A9": (40, 58), "A7": (75, 120), "A4": (210, 297)}
ERROR_CODES = {400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED",
               420: "LIMIT_EXCEEDED", 423: "LOCKED", 500: "INTERNAL_ERROR", 502: "INTERNAL_ERROR",
               503: "INTERNAL_ERROR"}


def iso(moment: datetime) -> str:
    return moment.astimezone(MOSCOW).replace(microsecond=0).isoformat()


def moscow_day(moment: datetime) -> date:
    return moment.astimezone(MOSCOW).date()


def rub(amount: Decimal) -> dict[str, Any]:
    value = float(amount)
    return {"value": int(value) if value == int(value) else value, "currencyId": "RUR"}


def _token(next_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"nextId": next_id}).encode()).decode()


def _after(token: str | None) -> int | None:
    """The keyset position a ``page_token`` carries."""
    if not token:
        return None
    try:
        return int(json.loads(base64.urlsafe_b64decode(token.encode()))["nextId"])
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise HttpError(400, f"invalid page_token {token!r}", code="INVALID_QUERY_PARAMETER") from exc


def _page(items: list[Any], key, request: Request, default: int, maximum: int) -> tuple[list[Any], str | None]:
    """Keyset paging by ``key`` with ``page_token``/``pageToken`` and a truncated ``limit``."""
    limit = min(int(request.arg("limit") or default), maximum)
    after = _after(request.arg("page_token") or request.arg("pageToken"))
    ordered = sorted(items, key=key)
    if after is not None:
        ordered = [item for item in ordered if key(item) >= after]
    page, rest = ordered[:limit], ordered[limit:]
    return page, (_token(key(rest[0])) if rest else None)


@dataclass
class _Budget:
    started: float
    used: int = 0


class YandexMarketApp(MarketplaceApp):
    marketplace = "yandex_market"
    rate_limit_status = 420

    def __init__(self, world):
        self._guard = threading.Lock()
        self._outbox: queue.Queue[tuple[Seller, dict[str, Any]]] = queue.Queue()
        self._sender: threading.Thread | None = None
        super().__init__(world)

    # --- routes ---------------------------------------------------------------------------------------------------
    def register(self, router: Router) -> None:
        routes = (
            ("GET", "/v2/campaigns", "getCampaigns", self.get_campaigns),
            ("GET", "/v2/campaigns/{campaignId}", "getCampaign", self.get_campaign),
            ("POST", "/v1/businesses/{businessId}/orders", "getBusinessOrders", self.get_business_orders),
            ("POST", "/v2/campaigns/{campaignId}/orders/status-update", "updateOrderStatuses", self.update_statuses),
            ("PUT", "/v2/campaigns/{campaignId}/orders/{orderId}/boxes", "setOrderBoxLayout", self.set_boxes),
            ("GET", "/v2/campaigns/{campaignId}/orders/{orderId}/delivery/labels", "generateOrderLabels", self.labels),
            ("PUT", "/v2/campaigns/{campaignId}/orders/{orderId}/cancellation/accept", "acceptOrderCancellation",
             self.accept_cancellation),
            ("PUT", "/v2/campaigns/{campaignId}/offers/stocks", "updateStocks", self.update_stocks),
            ("POST", "/v2/campaigns/{campaignId}/offers/stocks", "getStocks", self.get_stocks),
            ("GET", "/v2/campaigns/{campaignId}/returns", "getReturns", self.get_returns),
            ("POST", "/v1/businesses/{businessId}/returns/decisions", "getReturnAvailableDecisions",
             self.available_decisions),
            ("POST", "/v2/campaigns/{campaignId}/orders/{orderId}/returns/{returnId}/decision/submit",
             "submitReturnDecision", self.submit_decision),
            ("POST", "/v2/businesses/{businessId}/warehouses", "getPagedWarehouses", self.get_warehouses),
            ("GET", "/v2/warehouses", "getFulfillmentWarehouses", self.get_ff_warehouses),
        )
        for method, template, resource, handler in routes:
            router.add(method, template, self._limited(resource, handler))

    # --- auth and errors ------------------------------------------------------------------------------------------
    def authenticate(self, request: Request) -> Seller:
        api_key = request.header("api-key")
        authorization = (request.header("authorization") or "").strip()
        if api_key:
            field, token = "api_key", api_key.strip()
        elif authorization:
            field, token = "oauth_token", _oauth_token(authorization)
        else:
            raise HttpError(401, "Authorization data is missing: pass the Api-Key header", code="UNAUTHORIZED")
        for seller in self.world.sellers_of(self.marketplace):
            if token and str(seller.credentials.get(field) or "") == token:
                return seller
        raise HttpError(403, "The token is invalid, expired or revoked", code="FORBIDDEN")

    def error_body(self, status: int, message: str, code: str = "") -> Any:
        return {"status": "ERROR", "errors": [{"code": code or ERROR_CODES.get(status, "BAD_REQUEST"),
                                               "message": message}]}

    def rate_limited(self, request: Request, retry_after: float = 1.0) -> Response:
        scope, ident = _scope(request)
        return Response(420, self.error_body(420, f"Hit rate limit of {PARALLEL_LIMIT} parallel requests for "
                                                  f"{scope} {ident}", "LIMIT_EXCEEDED"))

    def _limited(self, resource: str, handler):
        """The parallel cap per campaign/business and the method's budget around a handler."""

        def run(request: Request) -> Response:
            seller = request.seller
            assert seller is not None
            self._check_scope(seller, request)
            scope, ident = _scope(request)
            slot = f"{seller.id}:{scope}:{ident or seller.account.get('business_id')}"
            # Counters live on the seller, so a sandbox reset (new sellers) starts them afresh.
            inflight = seller.data.setdefault("inflight", {})
            with self._guard:
                if inflight.get(slot, 0) >= PARALLEL_LIMIT:
                    return self.rate_limited(request)
                inflight[slot] = inflight.get(slot, 0) + 1
            try:
                latency = float(seller.account.get("latency_s") or 0)
                if latency:
                    time.sleep(latency)
                return self._with_budget(seller, resource, slot, request, handler)
            finally:
                with self._guard:
                    inflight[slot] -= 1

        return run

    def _with_budget(self, seller: Seller, resource: str, slot: str, request: Request, handler) -> Response:
        amount, period = (seller.account.get("resource_limits") or {}).get(resource) or RESOURCE_LIMITS[resource]
        request_cost = len((request.json or {}).get("skus") or []) if resource == "updateStocks" else 1
        with self._guard:
            budgets = seller.data.setdefault("budgets", {})
            budget = budgets.get((resource, slot))
            now = time.time()
            if budget is None or now - budget.started >= period:
                budget = budgets[(resource, slot)] = _Budget(started=now)
            refused = budget.used + request_cost > amount if resource == "updateStocks" else budget.used >= amount
            if not refused and resource not in ("getStocks", "updateOrderStatuses"):
                budget.used += request_cost
        if refused:
            response = Response(420, self.error_body(420, f"Resource limit of {amount} per {period} s exceeded for "
                                                          f"{resource}", "LIMIT_EXCEEDED"))
        else:
            response = handler(request)
            answered = _answered_count(resource, response)
            if answered:
                with self._guard:
                    budget.used += answered
        until = datetime.fromtimestamp(math.ceil(budget.started + period), UTC)  # the header has whole seconds
        response.headers.update({
            "X-RateLimit-Resource-Limit": str(amount),
            "X-RateLimit-Resource-Remaining": str(max(0, amount - budget.used)),
            "X-RateLimit-Resource-Until": format_datetime(until, usegmt=True),
        })
        return response

    def _check_scope(self, seller: Seller, request: Request) -> None:
        if "campaignId" in request.params and request.params["campaignId"] not in self._campaigns(seller):
            raise HttpError(403, f"Access denied to campaign {request.params['campaignId']}", code="FORBIDDEN")
        if "businessId" in request.params and request.params["businessId"] != str(seller.account["business_id"]):
            raise HttpError(403, f"Access denied to business {request.params['businessId']}", code="FORBIDDEN")

    # --- sellers --------------------------------------------------------------------------------------------------
    def create_seller(self, spec: dict[str, Any]) -> Seller:
        seller = super().create_seller(spec)
        for warehouse_id in seller.warehouses:
            if not warehouse_id.isdigit():
                raise HttpError(400, f"Yandex Market warehouse ids are integers, not {warehouse_id!r}")
        account = seller.account
        account.setdefault("business_id", 7_000_000 + self.world.next_id())
        account.setdefault("campaign_id", 21_000_000 + self.world.next_id())
        account.setdefault("business_name", f"Seller {seller.id}")
        if any(w.get("fbo") for w in seller.warehouses.values()):
            account.setdefault("fby_campaign_id", 22_000_000 + self.world.next_id())
        if not any(not w.get("fbo") for w in seller.warehouses.values()):
            seller.warehouses[str(100_000 + self.world.next_id())] = {"name": "Мой склад", "fbo": False}
        for info in seller.warehouses.values():
            info.setdefault("name", "Склад")
            if not info.get("fbo"):
                info.setdefault("campaign_id", account["campaign_id"])
        for key in ("business_id", "campaign_id", "fby_campaign_id"):
            if key in account:
                account[key] = int(account[key])
        seller.data.update({"stamps": {}, "notifications": "off"})
        return seller

    def fill_product_ids(self, seller: Seller, product: SProduct) -> None:
        product.ids.setdefault("marketSku", 100_000_000_000 + self.world.next_id())

    def _campaigns(self, seller: Seller) -> dict[str, str]:
        """Campaign id → placement type."""
        account = seller.account
        found = {str(info["campaign_id"]): "FBS" for info in seller.warehouses.values() if not info.get("fbo")}
        found.setdefault(str(account["campaign_id"]), "FBS")
        if account.get("fby_campaign_id"):
            found[str(account["fby_campaign_id"])] = "FBY"
        return found

    def _seller_warehouses(self, seller: Seller, campaign_id: str) -> list[str]:
        return [w for w, info in seller.warehouses.items()
                if not info.get("fbo") and str(info.get("campaign_id")) == campaign_id]

    # --- buyer side -----------------------------------------------------------------------------------------------
    def place_order(self, seller: Seller, lines: list[tuple[SProduct, int]], warehouse_id: str, scheme: str = "fbs"
                    ) -> list[SOrder]:
        info = seller.warehouses.get(warehouse_id)
        if info is None:
            raise HttpError(404, f"no warehouse {warehouse_id}")
        fbo = bool(info.get("fbo"))
        if scheme == "fbo" and not fbo:
            raise HttpError(400, f"warehouse {warehouse_id} is the seller's own: FBY orders come from Market's warehouses")
        taken: list[tuple[SProduct, int]] = []
        for product, quantity in lines:
            if fbo:
                shown = product.fbo_stocks.get(warehouse_id, 0)
                ok = shown >= quantity
                if ok:
                    product.fbo_stocks[warehouse_id] = shown - quantity
            else:
                ok = self.take_stock(seller, product, warehouse_id, quantity)
            if not ok:
                self._give_back(seller, taken, warehouse_id, fbo)
                raise HttpError(409, f"{product.offer_id}: not enough stock at {warehouse_id}")
            taken.append((product, quantity))
        program = "FBY" if fbo else {"dbs": "DBS", "express": "EXPRESS"}.get(scheme, "FBS")
        campaign_id = seller.account["fby_campaign_id"] if fbo else info["campaign_id"]
        now = utcnow()
        items = [{"id": 800_000_000 + self.world.next_id(), "offerId": p.offer_id, "offerName": p.name or p.offer_id,
                  "count": q, "price": str(p.price), "key": p.key} for p, q in taken]
        order = SOrder(
            id=str(50_000_000_000 + self.new_order_id()), warehouse_id=warehouse_id,
            lines=[SLine(key=p.key, quantity=q, price=p.price) for p, q in taken],
            status="PROCESSING", substatus="STARTED", scheme="fbo" if fbo else ("dbs" if program == "DBS" else "fbs"),
            data={"campaignId": int(campaign_id), "programType": program, "items": items,
                  "deliveryType": "PICKUP" if self.world.random.random() < 0.7 else "DELIVERY",
                  "shipmentId": 7_700_000 + self.world.next_id(), "shipmentDate": (moscow_day(now) + timedelta(days=1))
                  .isoformat(), "cancelRequested": False, "paymentType": "PREPAID", "paymentMethod": "YANDEX"},
        )
        order.data["boxes"] = self._default_boxes(order)
        order.history.append((order.created_at, order.status, order.substatus))
        seller.orders[order.id] = order
        self._notify(seller, {"notificationType": "ORDER_CREATED", "campaignId": int(campaign_id),
                              "orderId": int(order.id), "items": _notification_items(order),
                              "createdAt": _utc_iso(order.created_at)})
        return [order]

    def _give_back(self, seller: Seller, taken: list[tuple[SProduct, int]], warehouse_id: str, fbo: bool) -> None:
        with self.world.lock:
            for product, quantity in taken:
                stocks = product.fbo_stocks if fbo else product.stocks
                stocks[warehouse_id] = stocks.get(warehouse_id, 0) + quantity

    def buyer_cancel(self, seller: Seller, order: SOrder) -> None:
        if order.status == "PROCESSING":
            self._cancel(seller, order, "USER_CHANGED_MIND")
        elif order.status in ("DELIVERY", "PICKUP") and order.data["programType"] == "DBS":
            # A DBS order on its way: Market asks the seller, who has 48 hours to answer.
            order.data["cancelRequested"] = True
            order.updated_at = utcnow()
            self._notify(seller, {"notificationType": "ORDER_CANCELLATION_REQUEST", "campaignId": _campaign(order),
                                  "orderId": int(order.id), "requestedAt": _utc_iso(order.updated_at)})
        elif order.status in ("DELIVERY", "PICKUP"):
            self._non_purchase(seller, order)
        else:
            raise HttpError(409, f"order {order.id} is {order.status}: the buyer can no longer cancel it")

    def _cancel(self, seller: Seller, order: SOrder, reason: str) -> None:
        """Cancel an order still in processing: the units it held are offered again."""
        self._set(seller, order, "CANCELLED", reason)
        fbo = order.data["programType"] == "FBY"
        self._give_back(seller, [(seller.products[line.key], line.quantity) for line in order.lines
                                 if line.key in seller.products], order.warehouse_id, fbo)
        self._notify(seller, {"notificationType": "ORDER_CANCELLED", "campaignId": _campaign(order),
                              "orderId": int(order.id), "items": _notification_items(order),
                              "cancelledAt": _utc_iso(order.updated_at)})

    def _set(self, seller: Seller, order: SOrder, status: str, substatus: str) -> None:
        order.set_status(status, substatus)
        self._notify(seller, {"notificationType": "ORDER_STATUS_UPDATED", "campaignId": _campaign(order),
                              "orderId": int(order.id), "status": status, "substatus": substatus,
                              "updatedAt": _utc_iso(order.updated_at)})

    def advance(self, seller: Seller, order: SOrder) -> None:
        returned = [r for r in seller.returns.values() if r.order_id == order.id and r.status in RETURN_PROGRESS
                    and not r.data.get("fastReturn")]
        if returned:
            self._advance_return(seller, order, returned[0])
            return
        step = LIFECYCLE.get((order.status, order.substatus))
        if step is None:
            raise HttpError(409, f"order {order.id} is {order.status}/{order.substatus}: nothing further")
        if step == ("PICKUP", "PICKUP_SERVICE_RECEIVED") and order.data.get("deliveryType") != "PICKUP":
            step = ("DELIVERED", "DELIVERY_SERVICE_DELIVERED")
        self._set(seller, order, *step)

    def create_return(self, seller: Seller, order: SOrder) -> SReturn:
        if order.status in ("DELIVERY", "PICKUP"):
            return self._non_purchase(seller, order)
        if order.status != "DELIVERED":
            raise HttpError(409, f"order {order.id} is {order.status}: only delivered orders can be returned")
        return self._new_return(seller, order, "RETURN")

    def _non_purchase(self, seller: Seller, order: SOrder) -> SReturn:
        """The buyer never collected the parcel: the order is cancelled and the parcel comes back."""
        self._set(seller, order, "CANCELLED", "PICKUP_EXPIRED" if order.status == "PICKUP" else "USER_REFUSED_DELIVERY")
        return self._new_return(seller, order, "UNREDEEMED")

    def _new_return(self, seller: Seller, order: SOrder, return_type: str) -> SReturn:
        items = []
        for item in order.data["items"]:
            product = seller.products.get(item["key"])
            items.append({"offerId": item["offerId"], "count": item["count"], "price": item["price"],
                          "marketSku": product.ids.get("marketSku") if product else None,
                          "returnItemId": 9_900_000 + self.world.next_id()})
        record = SReturn(
            id=str(3_300_000 + self.world.next_id()), order_id=order.id,
            lines=[SLine(key=line.key, quantity=line.quantity, price=line.price) for line in order.lines],
            status="CREATED", kind=return_type,
            reason="DOES_NOT_FIT" if return_type == "RETURN" else "",
            data={"campaignId": _campaign(order), "returnType": return_type, "items": items,
                  "programType": order.data["programType"],
                  # A buyer's return waits for the seller's decision; a non-purchase needs none.
                  "refundStatus": (AWAITING_DECISION.get(order.data["programType"], AWAITING_DECISION_DEFAULT)
                                   if return_type == "RETURN" else None)},
        )
        seller.returns[record.id] = record
        self._notify(seller, {"notificationType": "ORDER_RETURN_CREATED", "campaignId": _campaign(order),
                              "orderId": int(order.id), "returnId": int(record.id), "returnType": return_type,
                              "items": [{"offerId": i["offerId"], "count": i["count"]} for i in items],
                              "createdAt": _utc_iso(record.created_at)})
        return record

    def _advance_return(self, seller: Seller, order: SOrder, record: SReturn) -> None:
        record.status = RETURN_PROGRESS[record.status]
        record.updated_at = utcnow()
        changed: dict[str, str] = {"shipmentStatus": record.status}
        if record.status == "READY_FOR_PICKUP":
            record.data["pickupTillDate"] = iso(record.updated_at + timedelta(days=7))
        if record.data["returnType"] == "RETURN" and record.status == "RECEIVED":
            record.data["refundStatus"] = changed["refundStatus"] = "REFUNDED"
        if record.status == "PICKED" and record.data["returnType"] == "RETURN":
            self._set(seller, order, "RETURNED", "UNKNOWN")
        self._notify(seller, {"notificationType": "ORDER_RETURN_STATUS_UPDATED", "campaignId": _campaign(order),
                              "orderId": int(order.id), "returnId": int(record.id), "statuses": changed,
                              "updatedAt": _utc_iso(record.updated_at)})

    # --- campaigns ------------------------------------------------------------------------------------------------
    def _campaign_json(self, seller: Seller, campaign_id: str, placement: str) -> dict[str, Any]:
        return {"id": int(campaign_id), "domain": f"{seller.account['business_name']} ({placement})",
                "business": {"id": seller.account["business_id"], "name": seller.account["business_name"]},
                "placementType": placement, "apiAvailability": seller.account.get("api_availability", "AVAILABLE")}

    def get_campaigns(self, request: Request) -> Response:
        seller = request.seller
        campaigns = [self._campaign_json(seller, c, p) for c, p in self._campaigns(seller).items()]
        page, token = _page(campaigns, lambda c: c["id"], request, 100, 100)
        body: dict[str, Any] = {"campaigns": page, "pager": {"total": len(campaigns), "currentPage": 1}}
        if token:
            body["paging"] = {"nextPageToken": token}
        return Response(200, body)

    def get_campaign(self, request: Request) -> Response:
        campaign_id = request.params["campaignId"]
        placement = self._campaigns(request.seller)[campaign_id]
        return Response(200, {"campaign": self._campaign_json(request.seller, campaign_id, placement)})

    def get_warehouses(self, request: Request) -> Response:
        seller = request.seller
        rows = [{"id": int(w), "name": info["name"], "campaignId": int(info["campaign_id"]), "express": False}
                for w, info in seller.warehouses.items() if not info.get("fbo")]
        page, token = _page(rows, lambda r: r["id"], request, 15, 30)
        result: dict[str, Any] = {"warehouses": page}
        if token:
            result["paging"] = {"nextPageToken": token}
        return Response(200, {"status": "OK", "result": result})

    def get_ff_warehouses(self, request: Request) -> Response:
        known = dict(FF_WAREHOUSE_NAMES)
        known.update({w: info.get("name") or w for w, info in request.seller.warehouses.items() if info.get("fbo")})
        return Response(200, {"status": "OK", "result": {
            "warehouses": [{"id": int(w), "name": name} for w, name in sorted(known.items())]}})

    # --- orders ---------------------------------------------------------------------------------------------------
    def _order_json(self, seller: Seller, order: SOrder) -> dict[str, Any]:
        data = order.data
        items, paid_total = [], Decimal("0")
        for item in data["items"]:
            paid = Decimal(item["price"]) * item["count"]
            paid_total += paid
            items.append({"id": item["id"], "offerId": item["offerId"], "offerName": item["offerName"],
                          "count": item["count"], "prices": {"payment": rub(paid), "subsidy": rub(Decimal("0")),
                                                             "cashback": rub(Decimal("0")), "vat": "VAT_20"}})
        pickup = data["deliveryType"] == "PICKUP"
        delivery: dict[str, Any] = {
            "type": data["deliveryType"], "serviceName": "Доставка Маркета", "deliveryServiceId": 1005486,
            "deliveryPartnerType": "YANDEX_MARKET", "dispatchType": "MARKET_BRANDED_OUTLET" if pickup else "BUYER",
            "warehouseId": order.warehouse_id,
            "dates": {"fromDate": (date.fromisoformat(data["shipmentDate"]) + timedelta(days=2)).isoformat()},
            "shipment": {"id": data["shipmentId"], "shipmentDate": data["shipmentDate"]},
            "boxesLayout": [{"boxId": box["boxId"], "barcode": f"{order.id}-{n}", "items": box["items"]}
                            for n, box in enumerate(data["boxes"], 1)],
        }
        place = {"address": {"country": "Россия", "city": "Москва", "street": "Тверская улица", "house": "7"},
                 "region": {"id": 213, "name": "Москва", "type": "CITY"}}
        if pickup:
            delivery["pickup"] = {**place, "logisticPointId": 10_000_012_345}
        else:
            delivery["courier"] = place
        body = {
            "orderId": int(order.id), "campaignId": data["campaignId"], "programType": data["programType"],
            "status": order.status, "substatus": order.substatus or "UNKNOWN",
            "creationDate": iso(order.created_at), "updateDate": iso(order.updated_at),
            "paymentType": data["paymentType"], "paymentMethod": data["paymentMethod"], "fake": False,
            "items": items,
            "prices": {"payment": rub(paid_total), "subsidy": rub(Decimal("0")), "cashback": rub(Decimal("0")),
                       "delivery": {"payment": rub(Decimal("0")), "subsidy": rub(Decimal("0"))}},
            "delivery": delivery, "buyerType": "PERSON", "sourcePlatform": "MARKET",
        }
        if data["programType"] == "DBS":
            body["cancelRequested"] = data["cancelRequested"]
        return body

    def get_business_orders(self, request: Request) -> Response:
        seller = request.seller
        body = request.json or {}
        now = utcnow()
        orders = list(seller.orders.values())
        if body.get("orderIds"):
            wanted = {str(i) for i in body["orderIds"]}
            orders = [o for o in orders if o.id in wanted]
        dates = body.get("dates") or {}
        if not body.get("orderIds") and not dates:
            dates = {"creationDateFrom": (moscow_day(now) - ORDER_WINDOW).isoformat()}
        for field, getter, parse in (
            ("creationDate", lambda o: moscow_day(o.created_at), date.fromisoformat),
            ("shipmentDate", lambda o: date.fromisoformat(o.data["shipmentDate"]), date.fromisoformat),
            ("updateDate", lambda o: o.updated_at, _parse_instant),
        ):
            low, high = dates.get(f"{field}From"), dates.get(f"{field}To")
            if low is None and high is None:
                continue
            try:
                low = parse(low) if low else None
                high = parse(high) if high else None
            except ValueError as exc:
                raise HttpError(400, f"{field}: {exc}") from exc
            top = high or (now if field == "updateDate" else moscow_day(now))
            if low is not None and top - low > ORDER_WINDOW:
                raise HttpError(400, f"The period of {field} must not exceed 30 days")
            orders = [o for o in orders if (low is None or getter(o) >= low) and (high is None or getter(o) <= high)]
        for field, attr in (("statuses", "status"), ("substatuses", "substatus")):
            if body.get(field):
                orders = [o for o in orders if getattr(o, attr) in body[field]]
        if body.get("programTypes"):
            orders = [o for o in orders if o.data["programType"] in body["programTypes"]]
        if body.get("campaignIds"):
            orders = [o for o in orders if o.data["campaignId"] in body["campaignIds"]]
        if body.get("waitingForCancellationApprove"):
            orders = [o for o in orders if o.data.get("cancelRequested")]
        page, token = _page(orders, lambda o: int(o.id), request, 50, 50)
        answer: dict[str, Any] = {"orders": self._deliver_capped([self._order_json(seller, o) for o in page], 50)}
        if token:
            answer["paging"] = {"nextPageToken": token}
        return Response(200, answer)

    def _order(self, request: Request, order_id: str | None = None) -> SOrder:
        order_id = order_id or request.params["orderId"]
        order = request.seller.orders.get(str(order_id))
        if order is None or str(order.data["campaignId"]) != request.params["campaignId"]:
            raise HttpError(404, f"Order {order_id} not found", code="NOT_FOUND")
        return order

    def update_statuses(self, request: Request) -> Response:
        seller = request.seller
        answers = []
        with self.world.lock:
            for change in request.json["orders"]:
                order_id = str(change["id"])
                target = (change["status"], change.get("substatus") or "")
                try:
                    order = self._order(request, order_id)
                except HttpError as exc:
                    answers.append({"id": change["id"], "updateStatus": "ERROR", "errorDetails": exc.message})
                    continue
                error = self._transition_error(order, target)
                if error:
                    answers.append({"id": change["id"], "status": order.status, "substatus": order.substatus or "UNKNOWN",
                                    "updateStatus": "ERROR", "errorDetails": error})
                    continue
                if target[0] == "CANCELLED":
                    self._cancel(seller, order, target[1])
                else:
                    self._set(seller, order, *target)
                answers.append({"id": change["id"], "status": order.status, "substatus": order.substatus,
                                "updateStatus": "OK"})
        return Response(200, {"status": "OK", "result": {"orders": answers}})

    def _transition_error(self, order: SOrder, target: tuple[str, str]) -> str:
        if order.data["programType"] == "FBY":
            return "FBY orders are processed by Market"
        if order.data.get("cancelRequested"):
            return "CANCELLATION_REQUESTED: answer the buyer's cancellation request first"
        allowed = set(SELLER_TRANSITIONS.get((order.status, order.substatus), set()))
        if order.data["programType"] == "DBS":
            allowed |= DBS_TRANSITIONS.get((order.status, order.substatus), set())
        if target not in allowed:
            return (f"STATUS_NOT_ALLOWED: {order.status}/{order.substatus or '-'} → {target[0]}/{target[1] or '-'} "
                    "is not allowed")
        return ""

    def _default_boxes(self, order: SOrder) -> list[dict[str, Any]]:
        return [{"boxId": 60_000_000 + self.world.next_id(),
                 "items": [{"id": item["id"], "fullCount": item["count"]} for item in order.data["items"]]}]

    def set_boxes(self, request: Request) -> Response:
        body = request.json
        with self.world.lock:
            order = self._order(request)
            if (order.status, order.substatus) != ("PROCESSING", "STARTED"):
                raise HttpError(400, f"Order {order.id} is {order.status}/{order.substatus}: the box layout can change "
                                     "only before READY_TO_SHIP", code="STATUS_NOT_ALLOWED")
            counts = {item["id"]: item["count"] for item in order.data["items"]}
            units: dict[int, Decimal] = {item_id: Decimal(0) for item_id in counts}
            for box in body["boxes"]:
                whole = [i for i in box["items"] if "fullCount" in i]
                parts = [i for i in box["items"] if "partialCount" in i]
                if (whole and parts) or len(parts) > 1:
                    raise HttpError(400, "A box holds whole items or one part of one item, never both",
                                    code="INVALID_ITEM")
                for item in box["items"]:
                    if item["id"] not in counts:
                        raise HttpError(400, f"Item {item['id']} is not in order {order.id}", code="ITEM_NOT_FOUND")
                    if "fullCount" in item:
                        units[item["id"]] += item["fullCount"]
                    elif "partialCount" in item:
                        units[item["id"]] += Decimal(1) / Decimal(item["partialCount"]["total"])
                    else:
                        raise HttpError(400, f"Item {item['id']}: fullCount or partialCount is required",
                                        code="INVALID_ITEM")
            for item_id, laid in units.items():
                if laid > counts[item_id] or (laid < counts[item_id] and not body.get("allowRemove")):
                    raise HttpError(400, f"Item {item_id}: {laid} units laid out, the order has {counts[item_id]}",
                                    code="INVALID_ITEM")
            order.data["boxes"] = [{"boxId": 60_000_000 + self.world.next_id(), "items": box["items"]}
                                   for box in body["boxes"]]
            order.updated_at = utcnow()
        return Response(200, {"status": "OK", "result": {"boxes": order.data["boxes"]}})

    def labels(self, request: Request) -> Response:
        order = self._order(request)
        if order.status == "CANCELLED":
            raise HttpError(400, f"Order {order.id} is cancelled", code="ORDER_IN_TERMINAL_STATE")
        page_format = request.arg("format") or "A7"
        if page_format not in LABEL_PAGES_MM:
            raise HttpError(400, f"unknown label format {page_format}")
        boxes = order.data["boxes"]
        texts = [[f"Yandex Market  order {order.id}", f"box {n}/{len(boxes)}  id {box['boxId']}",
                  f"shipment {order.data['shipmentDate']}"] for n, box in enumerate(boxes, 1)]
        width, height = LABEL_PAGES_MM[page_format]
        return Response(200, minimal_pdf(texts, width, height), content_type="application/pdf")

    def accept_cancellation(self, request: Request) -> Response:
        body = request.json
        with self.world.lock:
            order = self._order(request)
            if not order.data.get("cancelRequested"):
                raise HttpError(400, f"Order {order.id} has no cancellation request", code="STATUS_NOT_ALLOWED")
            order.data["cancelRequested"] = False
            if body["accepted"]:
                self._set(request.seller, order, "CANCELLED", "USER_CHANGED_MIND")
            else:
                if body.get("reason") not in ("ORDER_DELIVERED", "ORDER_IN_DELIVERY"):
                    order.data["cancelRequested"] = True
                    raise HttpError(400, "reason is required when the cancellation is refused", code="MISSING_PARAM")
                order.updated_at = utcnow()
        return Response(200, {"status": "OK"})

    # --- stocks ---------------------------------------------------------------------------------------------------
    def update_stocks(self, request: Request) -> Response:
        seller = request.seller
        campaign_id = request.params["campaignId"]
        skus = request.json["skus"]
        if self._campaigns(seller)[campaign_id] == "FBY":
            raise HttpError(400, "Stock of FBY shops is Market's own", code="CAMPAIGN_TYPE_NOT_SUPPORTED")
        warehouses = self._seller_warehouses(seller, campaign_id)
        errors: list[dict[str, str]] = []
        if len(skus) > STOCK_MAX_SKUS:
            errors.append({"code": "BAD_REQUEST", "message": f"at most {STOCK_MAX_SKUS} skus per request"})
        seen: set[str] = set()
        for entry in skus:
            sku = entry["sku"]
            if sku in seen:
                errors.append({"code": "DUPLICATE_SHOP_SKU", "message": f"SKU {sku} is repeated in the request"})
            seen.add(sku)
            if seller.product_by_offer(sku) is None:
                errors.append({"code": "OFFER_NOT_FOUND", "message": f"Offer {sku} not found in the catalogue"})
            if len(entry["items"]) != 1 or not 0 <= entry["items"][0]["count"] <= STOCK_MAX_COUNT:
                errors.append({"code": "BAD_REQUEST", "message": f"SKU {sku}: exactly one item with count 0…2e9"})
        if errors:
            reason = "; ".join(e["message"] for e in errors)
            for entry in skus:
                product = seller.product_by_offer(entry["sku"]) or SProduct(key=entry["sku"], offer_id=entry["sku"])
                for warehouse_id in warehouses or [""]:
                    self.world.record_stock_update(seller, product, warehouse_id, _sent(entry), accepted=False,
                                                   error=reason[:500])
            return Response(400, {"status": "ERROR", "errors": errors})
        delay = float(seller.account.get("stock_apply_delay_s") or 0)
        received = utcnow()
        changes = [(seller.product_by_offer(e["sku"]), w, _sent(e), _stamp(e, received))
                   for e in skus for w in warehouses]
        if delay:
            timer = threading.Timer(delay, self._apply_stocks, args=(seller, changes))
            timer.daemon = True
            timer.start()
        else:
            self._apply_stocks(seller, changes)
        return Response(200, {"status": "OK"})

    def _apply_stocks(self, seller: Seller, changes: list[tuple[SProduct, str, int, datetime]]) -> None:
        """Market keeps the newest ``updatedAt`` per SKU and warehouse; an older value that arrives late is dropped."""
        with self.world.lock:
            stamps = seller.data["stamps"]
            for product, warehouse_id, count, stamp in changes:
                newer = stamps.get((product.key, warehouse_id))
                if newer is not None and stamp < newer:
                    self.world.record_stock_update(seller, product, warehouse_id, count, accepted=False,
                                                   error=f"older than the value of {iso(newer)} (updatedAt)")
                    continue
                stamps[(product.key, warehouse_id)] = stamp
                self.world.record_stock_update(seller, product, warehouse_id, count, accepted=True)

    def _frozen(self, seller: Seller, product: SProduct, warehouse_id: str) -> int:
        """Units held by orders Market has not handed to delivery yet."""
        return sum(line.quantity for order in seller.orders.values()
                   if order.warehouse_id == warehouse_id and order.status == "PROCESSING"
                   and order.substatus != "SHIPPED" for line in order.lines if line.key == product.key)

    def get_stocks(self, request: Request) -> Response:
        seller = request.seller
        campaign_id = request.params["campaignId"]
        body = request.json or {}
        fby = self._campaigns(seller)[campaign_id] == "FBY"
        if fby:
            warehouses = sorted(w for w, info in seller.warehouses.items() if info.get("fbo"))
        else:
            warehouses = self._seller_warehouses(seller, campaign_id)
        if body.get("stocksWarehouseId"):
            warehouses = [w for w in warehouses if w == str(body["stocksWarehouseId"])]
        products = sorted(seller.products.values(), key=lambda p: p.offer_id)
        token = None
        if body.get("offerIds"):
            wanted = set(body["offerIds"])
            products = [p for p in products if p.offer_id in wanted]
        else:
            order_of = {p.offer_id: n for n, p in enumerate(products)}
            products, token = _page(products, lambda p: order_of[p.offer_id], request, 100, 200)
        result_warehouses = []
        with self.world.lock:
            for warehouse_id in warehouses:
                offers = []
                for product in products:
                    if fby:
                        if warehouse_id not in product.fbo_stocks:
                            continue
                        available, frozen = product.fbo_stocks[warehouse_id], 0
                    else:
                        available = product.stocks.get(warehouse_id, 0)
                        frozen = self._frozen(seller, product, warehouse_id)
                    offer: dict[str, Any] = {"offerId": product.offer_id, "stocks": [
                        {"type": "FIT", "count": available + frozen}, {"type": "AVAILABLE", "count": available},
                        {"type": "FREEZE", "count": frozen}]}
                    stamp = product.stock_updated_at.get(warehouse_id)
                    if stamp:
                        offer["updatedAt"] = iso(datetime.fromtimestamp(stamp, UTC))
                    offers.append(offer)
                result_warehouses.append({"warehouseId": int(warehouse_id), "offers": self.deliver(offers)})
        result: dict[str, Any] = {"warehouses": result_warehouses}
        if token:
            result["paging"] = {"nextPageToken": token}
        return Response(200, {"status": "OK", "result": result})

    # --- returns --------------------------------------------------------------------------------------------------
    def _return_json(self, seller: Seller, record: SReturn) -> dict[str, Any]:
        data = record.data
        items, total = [], Decimal("0")
        for item in data["items"]:
            amount = Decimal(item["price"]) * item["count"]
            total += amount
            entry: dict[str, Any] = {"shopSku": item["offerId"], "count": item["count"]}
            if item.get("marketSku"):
                entry["marketSku"] = item["marketSku"]
            if data["returnType"] == "RETURN":
                decision = {"returnItemId": item["returnItemId"], "count": item["count"],
                            "reasonType": record.reason or "UNKNOWN", "subreasonType": "USER_DID_NOT_LIKE",
                            "comment": "Не подошёл размер", "amount": rub(amount)}
                if item.get("decisionType"):
                    decision["decisionType"] = item["decisionType"]
                entry["decisions"] = [decision]
            items.append(entry)
        body: dict[str, Any] = {
            "id": int(record.id), "orderId": int(record.order_id), "creationDate": iso(record.created_at),
            "updateDate": iso(record.updated_at), "returnType": data["returnType"],
            "amount": rub(total), "fastReturn": bool(data.get("fastReturn")), "items": items,
        }
        if not data.get("fastReturn"):  # the goods stay with the buyer: no parcel travels
            body.update({"shipmentStatus": record.status, "shipmentRecipientType": "SHOP"})
        if data.get("refundStatus"):
            body["refundStatus"] = data["refundStatus"]
        if data.get("pickupTillDate"):
            body["pickupTillDate"] = data["pickupTillDate"]
        return body

    def get_returns(self, request: Request) -> Response:
        seller = request.seller
        campaign_id = int(request.params["campaignId"])
        records = [r for r in seller.returns.values() if r.data["campaignId"] == campaign_id]
        try:
            low = date.fromisoformat(request.arg("fromDate") or request.arg("from_date") or "1970-01-01")
            high = date.fromisoformat(request.arg("toDate") or request.arg("to_date") or "9999-12-31")
        except ValueError as exc:
            raise HttpError(400, f"dates must be YYYY-MM-DD: {exc}") from exc
        records = [r for r in records if low <= moscow_day(r.updated_at) <= high]
        if request.arg("type"):
            records = [r for r in records if r.data["returnType"] == request.arg("type")]
        if request.arg("statuses"):
            wanted = set(str(request.arg("statuses")).split(","))
            records = [r for r in records if r.data.get("refundStatus") in wanted]
        if request.arg("shipmentStatuses"):
            wanted = set(str(request.arg("shipmentStatuses")).split(","))
            records = [r for r in records if not r.data.get("fastReturn") and r.status in wanted]
        page, token = _page(records, lambda r: int(r.id), request, 50, 100)
        result: dict[str, Any] = {"returns": self.deliver([self._return_json(seller, r) for r in page])}
        if token:
            result["paging"] = {"nextPageToken": token}
        return Response(200, {"status": "OK", "result": result})

    def _awaiting_decision(self, record: SReturn) -> bool:
        return record.data["returnType"] == "RETURN" and record.data.get("refundStatus") in (
            {*AWAITING_DECISION.values(), AWAITING_DECISION_DEFAULT, "STARTED_BY_USER"})

    @staticmethod
    def _offered(record: SReturn) -> list[dict[str, Any]]:
        offered = []
        for decision in OFFERED_DECISIONS:
            entry: dict[str, Any] = {"decisionType": decision}
            if decision == "DECLINE_REFUND":
                entry["decisionReasonTypes"] = list(DECLINE_REASON_TYPES)
            if decision == "PARTIAL_MONEY_REFUND":
                total = sum(Decimal(i["price"]) * i["count"] for i in record.data["items"])
                entry["partialCompensationBounds"] = {"minAmount": {"value": 1, "currencyId": "RUR"},
                                                      "maxAmount": rub(total / 2), "maxPercent": 50}
            offered.append(entry)
        return offered

    def available_decisions(self, request: Request) -> Response:
        """``getReturnAvailableDecisions``: what the seller may decide now (nothing once decided)."""
        body = request.json or {}
        seller = request.seller
        if str(body.get("campaignId")) not in self._campaigns(seller):
            raise HttpError(403, f"Access denied to campaign {body.get('campaignId')}", code="FORBIDDEN")
        record = seller.returns.get(str(body.get("returnId")))
        if record is None or record.data["campaignId"] != int(body["campaignId"]):
            raise HttpError(404, f"Return {body.get('returnId')} not found", code="NOT_FOUND")
        offered = self._offered(record) if self._awaiting_decision(record) else []
        return Response(200, {"status": "OK", "result": {"availableDecisions": offered}})

    def submit_decision(self, request: Request) -> Response:
        """``submitReturnDecision``: one offered decision per return item, with the reason and comment Market asks
        for; the refund status becomes "decision made" and the return goes on (or ends, when declined)."""
        seller = request.seller
        entries = (request.json or {}).get("returnItemDecisions") or []
        with self.world.lock:
            order = self._order(request)
            record = seller.returns.get(request.params["returnId"])
            if record is None or record.order_id != order.id:
                raise HttpError(404, f"Return {request.params['returnId']} not found in order {order.id}",
                                code="NOT_FOUND")
            if not self._awaiting_decision(record):
                raise HttpError(400, f"Return {record.id} is not waiting for a decision "
                                     f"(refundStatus {record.data.get('refundStatus')})", code="STATUS_NOT_ALLOWED")
            items = {item["returnItemId"]: item for item in record.data["items"]}
            offered = {entry["decisionType"]: entry for entry in self._offered(record)}
            decided: dict[int, dict[str, Any]] = {}
            for entry in entries:
                item_id, decision = entry.get("returnItemId"), entry.get("decisionType")
                if item_id not in items:
                    raise HttpError(400, f"returnItemId {item_id} is not in return {record.id}",
                                    code="INVALID_PARAMETER")
                if decision not in offered:
                    raise HttpError(400, f"decisionType {decision} is not available for return {record.id}; "
                                         f"available: {', '.join(offered)}", code="INVALID_PARAMETER")
                if decision == "DECLINE_REFUND" and entry.get("decisionReasonType") not in DECLINE_REASON_TYPES:
                    raise HttpError(400, "decisionReasonType is required for DECLINE_REFUND", code="MISSING_PARAM")
                if decision in COMMENTED_DECISIONS and not str(entry.get("comment") or "").strip():
                    raise HttpError(400, f"comment is required for {decision}", code="MISSING_PARAM")
                if decision == "PARTIAL_MONEY_REFUND" and not entry.get("compensation"):
                    raise HttpError(400, "compensation is required for PARTIAL_MONEY_REFUND", code="MISSING_PARAM")
                decided[item_id] = entry
            missing = set(items) - set(decided)
            if missing:
                raise HttpError(400, f"no decision for returnItemId {', '.join(map(str, sorted(missing)))}",
                                code="MISSING_PARAM")
            for item_id, entry in decided.items():
                items[item_id]["decisionType"] = entry["decisionType"]
                items[item_id]["sellerComment"] = entry.get("comment", "")
            kinds = {entry["decisionType"] for entry in decided.values()}
            program = record.data["programType"]
            record.data["refundStatus"] = DECISION_MADE.get(program, DECISION_MADE_DEFAULT)
            changed: dict[str, str] = {}
            if kinds == {"DECLINE_REFUND"}:
                record.status = changed["shipmentStatus"] = "CANCELLED"  # the goods stay with the buyer
            elif kinds == {"FAST_REFUND_MONEY"}:
                record.data.update(fastReturn=True, refundStatus="REFUNDED")
            changed["refundStatus"] = record.data["refundStatus"]
            record.updated_at = utcnow()
            self._notify(seller, {"notificationType": "ORDER_RETURN_STATUS_UPDATED", "campaignId": _campaign(order),
                                  "orderId": int(order.id), "returnId": int(record.id), "statuses": changed,
                                  "updatedAt": _utc_iso(record.updated_at)})
        return Response(200, {"status": "OK"})

    def _deliver_capped(self, items: list[Any], cap: int) -> list[Any]:
        """``deliver`` (duplicate/reorder faults) without growing a page past the documented maximum."""
        out, extra = [], cap - len(items)
        seen: list[Any] = []
        for item in self.deliver(items):
            if item in seen:
                if extra <= 0:
                    continue
                extra -= 1
            else:
                seen.append(item)
            out.append(item)
        return out

    # --- push notifications ---------------------------------------------------------------------------------------
    def _notify(self, seller: Seller, payload: dict[str, Any]) -> None:
        if not seller.webhook_url:
            return
        self._outbox.put((seller, payload))
        with self._guard:
            if self._sender is None or not self._sender.is_alive():
                self._sender = threading.Thread(target=self._send_loop, name="sandbox-ym-notifications", daemon=True)
                self._sender.start()

    def _send_loop(self) -> None:
        with httpx.Client(timeout=10.0) as client:
            while True:
                try:
                    seller, payload = self._outbox.get(timeout=30)
                except queue.Empty:
                    return
                try:
                    self._send(client, seller, payload)
                except Exception:  # the receiver's failure is the receiver's; keep sending
                    logger.exception("sandbox yandex_market: notification to %s failed", seller.webhook_url)

    def _send(self, client: httpx.Client, seller: Seller, payload: dict[str, Any]) -> None:
        url = seller.webhook_url.rstrip("/")
        url = url if url.endswith("/notification") else f"{url}/notification"
        if seller.data.get("notifications") != "on":
            # Market enables notifications only after a PING answered within 1 s with version, name and time.
            ping = {"notificationType": "PING", "time": _utc_iso(utcnow())}
            try:
                answer = client.post(url, json=ping, timeout=1.0)
                body = answer.json()
                ok = answer.status_code == 200 and all(body.get(k) for k in ("version", "name", "time"))
            except (httpx.HTTPError, ValueError, AttributeError):
                ok = False
            seller.data["notifications"] = "on" if ok else "refused"
            if not ok:
                return
        copies = 2 if self.world.random.random() < self.world.faults_for(self.marketplace).duplicate_rate else 1
        for _ in range(copies):
            client.post(url, json=payload)


# --- helpers -----------------------------------------------------------------------------------------------------------
def _oauth_token(header: str) -> str:
    """``Bearer X``, ``OAuth X`` or the old ``OAuth oauth_token=X, oauth_client_id=Y``."""
    scheme, _, rest = header.partition(" ")
    rest = rest.strip()
    if scheme.lower() == "oauth" and "oauth_token=" in rest:
        for part in rest.split(","):
            name, _, value = part.strip().partition("=")
            if name == "oauth_token":
                return value.strip().strip('"')
    return rest if scheme.lower() in ("bearer", "oauth") else ""


def _scope(request: Request) -> tuple[str, str]:
    """What the parallel cap counts: the campaign, the business, or the cabinet of the token."""
    if "campaignId" in request.params:
        return "campaignId", request.params["campaignId"]
    if "businessId" in request.params:
        return "businessId", request.params["businessId"]
    seller = request.seller
    return "businessId", str(seller.account.get("business_id")) if seller else ""


def _answered_count(resource: str, response: Response) -> int:
    """Budgets the spec counts on the answer: offers of ``getStocks``, orders of ``updateOrderStatuses``."""
    if response.status != 200 or not isinstance(response.body, dict):
        return 0
    result = response.body.get("result") or {}
    if resource == "getStocks":
        return sum(len(w.get("offers") or []) for w in result.get("warehouses") or [])
    if resource == "updateOrderStatuses":
        return len(result.get("orders") or [])
    return 0


def _campaign(order: SOrder) -> int:
    return int(order.data["campaignId"])


def _notification_items(order: SOrder) -> list[dict[str, Any]]:
    return [{"offerId": item["offerId"], "count": item["count"]} for item in order.data["items"]]


def _utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse_instant(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=MOSCOW)


def _sent(entry: dict[str, Any]) -> int | None:
    items = entry.get("items") or []
    return items[0].get("count") if items else None


def _stamp(entry: dict[str, Any], default: datetime) -> datetime:
    items = entry.get("items") or []
    value = items[0].get("updatedAt") if items else None
    if not value:
        return default
    try:
        return _parse_instant(value)
    except ValueError:
        return default


def minimal_pdf(pages: list[list[str]], width_mm: int, height_mm: int) -> bytes:
    """A small valid PDF: one page per label, a few lines of Helvetica each."""
    width, height = round(width_mm * 72 / 25.4), round(height_mm * 72 / 25.4)
    objects: list[bytes] = []
    page_ids = [4 + 2 * n for n in range(len(pages))]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(b"<< /Type /Pages /Kids [" + b" ".join(f"{p} 0 R".encode() for p in page_ids)
                   + f"] /Count {len(pages)} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for n, lines in enumerate(pages):
        size = max(5, min(10, width // 24))
        commands = [f"BT /F1 {size} Tf {size // 2 + 2} {height - size - 4} Td {size + 2} TL".encode()]
        for line in lines:
            safe = line.encode("latin-1", "replace").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
            commands.append(b"(" + safe + b") Tj T*")
        commands.append(b"ET")
        stream = b"\n".join(commands)
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] /Resources << /Font << /F1 3 0 "
                       f"R >> >> /Contents {page_ids[n] + 1} 0 R >>".encode())
        objects.append(f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
