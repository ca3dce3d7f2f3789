"""Emulated AliExpress Russia local seller API (aliexpress.md, the only source: there is no official spec).

What it emulates, on the documented paths with the documented field names:
- auth by ``x-auth-token`` (the seller's ``credentials["token"]``), 401 in the ``{"data", "error"}`` envelope;
- orders in ``get-order-list`` (page/page_size, ``total_count``, filters, several status fields, kopecks, ISO
  timestamps with offsets); buyer cancellations and returns as order states (§3.4, §6);
- platform logistics: shipments (``logistic-order/create``), labels (``label_url`` → a PDF), handover lists
  (create / add / transfer / print), shipment statuses moved on by ``advance``;
- seller logistics: ``offline-ship`` status changes;
- stock: ``update-sku-stock`` → a task group finished asynchronously (``GET /api/v1/tasks``), ``POST
  /api/v1/stocks`` to read back, ``scroll-short-product-by-filter`` to find sku ids by seller SKU.
Limits: ≤1000 products per update (§5.1), the 100 000 products / 4 h product-update quota (§2.2; applied to stock
updates like one client does — UNCONFIRMED) and 429 on bursts of stock updates (§2.2, §11; the doc gives no number:
``account["stock_rps"]``, default 10/s — UNCONFIRMED). No Retry-After header is documented, so none is sent.
Request bodies are checked strictly (unknown fields, wrong types → 400) so connector drift shows up in tests.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from connectors.sandbox.server import HttpError, MarketplaceApp, Request, Response, Router
from connectors.sandbox.world import Seller, SLine, SOrder, SProduct, SReturn, utcnow

MOSCOW = ZoneInfo("Europe/Moscow")
MAX_STOCK_PRODUCTS = 1000
MAX_PAGE_SIZE = 50  # get-order-list maximum: UNCONFIRMED (the retired TOP method allowed 50)
MAX_LIST_LIMIT = 50  # product list page: 50 per one client's comment, UNCONFIRMED
MAX_INVENTORY = 999_999
QUOTA_WINDOW_S = 4 * 3600.0
MAX_FILES = 500

ORDER_STATUSES = ("Created", "InProgress", "Finished", "Cancelled")
PAYMENT_STATUSES = ("NotPaid", "Hold", "Paid", "Cancelled", "Failed")
DELIVERY_STATUSES = ("Init", "PartialShipped", "Shipped", "Delivered", "Cancelled")
ANTIFRAUD_STATUSES = ("NotChecked", "Checking", "Blocked", "Passed")
# The carrier's progress after the seller handed a shipment over (a subset of §3.2's logistic statuses).
CARRIER_STEPS = ("AwaitingDispatch", "OrderReceivedFromSeller", "ProviderPostingReceive", "ProviderPostingArrived",
                 "ProviderPostingDelivered")
AWAITING_LIST = ("AwaitingHandoverList", "AddingToHandoverProblems")
# Handover list statuses are not documented (UNCONFIRMED): the sandbox uses these two.
LIST_CREATED, LIST_TRANSFERRED = "Created", "Transferred"

ORDER_LIST_FIELDS = {
    "page", "page_size", "date_start", "date_end", "update_at_from", "update_at_to", "shipping_day_from",
    "shipping_day_to", "order_ids", "order_statuses", "payment_statuses", "delivery_statuses", "antifraud_statuses",
    "tracking_numbers", "sorting_order", "sorting_field", "trade_order_info",
}


def _iso(moment: datetime, zone=None) -> str:
    return moment.astimezone(zone).isoformat() if zone else moment.isoformat()


def _parse_iso(value: Any, field: str) -> datetime:
    if not isinstance(value, str):
        raise HttpError(400, f"{field} must be an ISO 8601 string")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise HttpError(400, f"{field} is not an ISO 8601 date-time: {value!r}")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=MOSCOW)


def _kopecks(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


# --- strict body checks ----------------------------------------------------------------------------------------------
def _object(value: Any, where: str, allowed: set[str], required: tuple[str, ...] = ()) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise HttpError(400, f"{where} must be a JSON object")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise HttpError(400, f"{where}: unknown field(s) {', '.join(unknown)}")
    for name in required:
        if value.get(name) is None:
            raise HttpError(400, f"{where}.{name} is required")
    return value


def _int(value: Any, where: str, minimum: int | None = None, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise HttpError(400, f"{where} must be an integer")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise HttpError(400, f"{where} is out of range")
    return value


def _int_list(value: Any, where: str, allow_empty: bool = False) -> list[int]:
    if not isinstance(value, list) or (not value and not allow_empty):
        raise HttpError(400, f"{where} must be a non-empty array of integers")
    return [_int(item, f"{where}[]", 1) for item in value]


def _str_list(value: Any, where: str, allowed: tuple[str, ...] | None = None) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise HttpError(400, f"{where} must be an array of strings")
    if allowed is not None:
        wrong = [item for item in value if item not in allowed]
        if wrong:
            raise HttpError(400, f"{where}: unknown value(s) {', '.join(wrong)}")
    return value


class AliExpressApp(MarketplaceApp):
    marketplace = "aliexpress"
    rate_limit_status = 429

    def __init__(self, world):
        super().__init__(world)
        self.files: dict[str, tuple[str, bytes]] = {}  # token → (seller id, PDF)

    # --- wiring ------------------------------------------------------------------------------------------------------
    def register(self, router: Router) -> None:
        def add(method: str, template: str, handler) -> None:
            router.add(method, template, self._locked(handler))

        add("POST", "/seller-api/v1/order/get-order-list", self.order_list)
        add("POST", "/seller-api/v1/logistic-order/create", self.logistic_order_create)
        add("POST", "/seller-api/v1/labels/orders/get", self.labels_orders)
        add("POST", "/seller-api/v1/handover-list/create", self.handover_create)
        add("POST", "/seller-api/v1/handover-list/add-logistic-orders", self.handover_add)
        add("POST", "/seller-api/v1/handover-list/transfer", self.handover_transfer)
        add("POST", "/seller-api/v1/labels/handover-lists/get", self.handover_print)
        add("POST", "/api/v1/offline-ship/to-in-transit", self.offline_in_transit)
        add("POST", "/api/v1/offline-ship/to-ready-for-pickup", self.offline_ready_for_pickup)
        add("POST", "/api/v1/offline-ship/to-delivered", self.offline_delivered)
        add("POST", "/api/v1/product/update-sku-stock", self.update_sku_stock)
        add("GET", "/api/v1/tasks", self.tasks)
        add("POST", "/api/v1/stocks", self.stocks)
        add("POST", "/api/v1/scroll-short-product-by-filter", self.product_list)
        # label_url targets: a download link handed out by the API, not an API method (no token needed).
        add("GET", "/files/{token}", self.download)

    def _locked(self, handler):
        """Handlers read and change the shared world: one at a time (simulated buyers and timers run alongside)."""

        def run(request: Request) -> Response:
            with self.world.lock:
                return handler(request)

        return run

    def authenticate(self, request: Request) -> Seller:
        if request.path.startswith("/files/"):
            owner = self.files.get(request.path.removeprefix("/files/"), ("", b""))[0]
            seller = self.world.seller(self.marketplace, owner)
            if seller is None:
                raise HttpError(404, "file not found")
            return seller
        token = request.header("x-auth-token")
        if token:
            for seller in self.world.sellers_of(self.marketplace):
                if seller.credentials.get("token") == token:
                    return seller
        # Third-party code recognises an invalid/expired token by these words (§2.2).
        raise HttpError(401, "cannot GetTokenByID: the token is invalid or expired", code="401")

    def error_body(self, status: int, message: str, code: str = "") -> Any:
        # Envelope of §2.1; the code is an integer for most methods, "ErrorCode.*" text for logistics ones.
        value: Any = int(code) if code.isdigit() else (code or status)
        return {"data": None, "error": {"code": value, "message": message}}

    def rate_limited(self, request: Request, retry_after: float = 1.0) -> Response:
        # 429 in the envelope; the doc names no retry header, so none is sent.
        return Response(429, self.error_body(429, "Too many requests"))

    # --- sellers and products ----------------------------------------------------------------------------------------
    def fill_product_ids(self, seller: Seller, product: SProduct) -> None:
        # item_id/product_id groups SKUs of one product; sku_id is the platform's variant id (§2.4: 16–17 digits).
        product.ids.setdefault("product_id", str(1005000000000000 + self.world.next_id()))
        product.ids.setdefault("sku_id", str(12000000000000000 + self.world.next_id()))
        product.ids["product_id"], product.ids["sku_id"] = str(product.ids["product_id"]), str(product.ids["sku_id"])

    def create_seller(self, spec: dict[str, Any]) -> Seller:
        seller = super().create_seller(spec)
        seller.data.update(logistic_orders={}, handover_lists={}, tasks={}, groups={},
                           stock_calls=deque(), quota=deque())
        return seller

    @staticmethod
    def _warehouse(seller: Seller) -> str:
        """AliExpress keeps one stock per SKU: the seller's first own warehouse holds it."""
        return next((w for w, info in seller.warehouses.items() if not info.get("fbo")), "main")

    @staticmethod
    def _product(seller: Seller, product_id: Any, sku_code: str) -> SProduct | None:
        return next((p for p in seller.products.values()
                     if str(p.ids.get("product_id")) == str(product_id) and p.offer_id == sku_code), None)

    # --- orders --------------------------------------------------------------------------------------------------------
    def place_order(self, seller: Seller, lines: list[tuple[SProduct, int]], warehouse_id: str, scheme: str = "fbs"
                    ) -> list[SOrder]:
        if scheme == "fbo":
            raise HttpError(400, "AliExpress Russia has no FBO orders")
        taken: list[tuple[SProduct, int]] = []
        for product, quantity in lines:
            if not self.take_stock(seller, product, warehouse_id, quantity):
                for done, units in taken:
                    done.stocks[warehouse_id] = done.stocks.get(warehouse_id, 0) + units
                raise HttpError(409, f"not enough stock of {product.offer_id}")
            taken.append((product, quantity))
        dbs = scheme == "dbs" or seller.account.get("logistics") == "seller"
        order_id = str(5000000000000000 + self.world.next_id())
        now = utcnow()
        deadline_day = now.astimezone(MOSCOW).replace(hour=18, minute=0, second=0, microsecond=0)
        order = SOrder(id=order_id, warehouse_id=warehouse_id, status="Created", substatus="WaitSendGoods",
                       scheme="dbs" if dbs else "fbs",
                       lines=[SLine(key=p.key, quantity=q, price=p.price) for p, q in lines])
        order.data.update({
            "payment_status": "Paid", "delivery_status": "Init", "antifraud_status": "Passed",
            "finish_reason": None, "paid_at": now, "logistic_order_ids": [], "offline": [],
            "cut_off_date": deadline_day + timedelta(days=1),
            "shipping_deadline": deadline_day + timedelta(days=3),
            "line_ids": [str(5100000000000000 + self.world.next_id()) for _ in lines],
            "posting_id": 7000000 + self.world.next_id(),
            "buyer_name": "Иванова Мария Сергеевна", "buyer_phone": "+79990001122",
            "delivery_address": "Россия, Москва, ул. Тверская, д. 7, кв. 12, 125009",
        })
        order.history.append((now, order.status, order.substatus))
        seller.orders[order_id] = order
        return [order]

    def _set(self, order: SOrder, *, status: str | None = None, display: str | None = None, **fields: Any) -> None:
        order.data.update(fields)
        order.set_status(status or order.status, display or order.substatus)

    def _shipments(self, seller: Seller, order: SOrder, active: bool = True) -> list[dict[str, Any]]:
        found = [seller.data["logistic_orders"][i] for i in order.data["logistic_order_ids"]]
        return [s for s in found if s["status"] != "Cancelled"] if active else found

    def buyer_cancel(self, seller: Seller, order: SOrder) -> None:
        if order.data["delivery_status"] != "Init" or order.status in ("Cancelled", "Finished"):
            raise HttpError(409, "the order has already left the seller; it can only be returned")
        for shipment in self._shipments(seller, order):
            shipment["status"] = "Cancelled"
        # Doc §3.4/§12: a buyer's cancellation ends as status Cancelled, display Close, with finish_reason.
        self._set(order, status="Cancelled", display="Close", delivery_status="Cancelled",
                  finish_reason="Buyer cancelled")

    def advance(self, seller: Seller, order: SOrder) -> None:
        if order.scheme == "dbs":
            if order.data["delivery_status"] != "Shipped":
                raise HttpError(409, "the seller has not shipped this order yet (offline-ship/to-in-transit)")
            self._set(order, status="Finished", display="Finish", delivery_status="Delivered")
            return
        shipments = self._shipments(seller, order)
        if not shipments or any(s["status"] not in CARRIER_STEPS for s in shipments):
            raise HttpError(409, "the order has not been handed over yet (handover list not transferred)")
        for shipment in shipments:
            step = CARRIER_STEPS.index(shipment["status"])
            shipment["status"] = CARRIER_STEPS[min(step + 1, len(CARRIER_STEPS) - 1)]
        current = {s["status"] for s in shipments}
        if current == {"ProviderPostingDelivered"}:
            self._set(order, status="Finished", display="Finish", delivery_status="Delivered")
        elif "AwaitingDispatch" not in current:
            self._set(order, status="InProgress", display="WaitAcceptGoods", delivery_status="Shipped")
        else:
            self._set(order)

    def create_return(self, seller: Seller, order: SOrder) -> SReturn:
        delivery = order.data["delivery_status"]
        shipments = self._shipments(seller, order)
        if delivery == "Delivered":
            # A delivered order comes back through a dispute in the cabinet (no API for disputes, §6).
            self._set(order, display="InIssue")
            kind, status = "claim", "InIssue"
        elif delivery == "Shipped" or any(s["status"] in CARRIER_STEPS[1:] for s in shipments):
            # Doc §12: a returned order is "Cancelled"/"Close" with its shipment in ProviderPostingReturned.
            for shipment in shipments:
                shipment["status"] = "ProviderPostingReturned"
            self._set(order, status="Cancelled", display="Close", finish_reason="Not picked up, returned to seller")
            kind, status = "non_purchase", "ProviderPostingReturned"
        else:
            raise HttpError(409, "the order has not shipped: the buyer can only cancel it")
        created = SReturn(id=f"{order.id}:{kind}", order_id=order.id, lines=list(order.lines), status=status,
                          kind=kind, reason=order.data.get("finish_reason") or "")
        seller.returns[created.id] = created
        return created

    def _order_json(self, seller: Seller, order: SOrder, logistic_info: bool) -> dict[str, Any]:
        data = order.data
        lines = []
        posting_lines = []
        for index, line in enumerate(order.lines):
            product = seller.products[line.key]
            price = _kopecks(line.price)
            line_id = int(data["line_ids"][index])
            lines.append({
                "id": line_id, "item_id": product.ids["product_id"], "sku_id": product.ids["sku_id"],
                "sku_code": product.offer_id, "name": product.name, "img_url": "https://example.invalid/img.jpg",
                "item_price": price, "quantity": line.quantity, "total_amount": price * line.quantity,
                "properties": [f"Артикул: {product.offer_id}"], "buyer_comment": "",
                "height": 3, "weight": 0.4, "width": 25, "length": 30,
                "issue_status": "NoDispute", "promotions": None,
            })
            posting_lines.append({"id": line_id + 1, "order_line_id": line_id, "item_id": product.ids["product_id"],
                                  "sku_id": product.ids["sku_id"], "quantity": line.quantity})
        total = sum(item["total_amount"] for item in lines)
        fee = round(total * 0.08)
        body = {
            "id": int(order.id), "created_at": _iso(order.created_at), "paid_at": _iso(data["paid_at"]),
            "updated_at": _iso(order.updated_at), "status": order.status,
            "payment_status": data["payment_status"], "delivery_status": data["delivery_status"],
            "antifraud_status": data["antifraud_status"], "order_display_status": order.substatus,
            "buyer_name": data["buyer_name"], "buyer_phone": data["buyer_phone"], "buyer_country_code": "Россия",
            "delivery_address": data["delivery_address"], "order_lines": lines, "total_amount": total,
            "seller_comment": None, "fully_prepared": True, "finish_reason": data["finish_reason"],
            "cut_off_date": _iso(data["cut_off_date"], MOSCOW),
            "cut_off_date_histories": [{"shift_number": 0, "cut_off_date": _iso(data["cut_off_date"], MOSCOW)}],
            "shipping_deadline": _iso(data["shipping_deadline"], MOSCOW),
            "next_cut_off_date": _iso(data["cut_off_date"] + timedelta(days=1), MOSCOW),
            "pre_split_postings": [{
                "id": data["posting_id"], "delivery_fee": 0, "first_mile_type": "Dropoff",
                "logistics_type": "DBS" if order.scheme == "dbs" else "FBS", "posting_lines": posting_lines,
            }],
            "commission": {"platform_fee": fee, "affiliate_fee": 0, "estimate_revenue": total - fee},
        }
        if logistic_info:
            body["logistic_orders"] = [dict(s) for s in self._shipments(seller, order, active=False)]
        return body

    def order_list(self, request: Request) -> Response:
        seller = request.seller
        body = _object(request.json or {}, "body", ORDER_LIST_FIELDS)
        page = _int(body.get("page", 1), "page", 1)
        page_size = _int(body.get("page_size", 20), "page_size", 1, MAX_PAGE_SIZE)
        orders = list(seller.orders.values())
        if "order_ids" in body:
            wanted = {str(i) for i in _int_list(body["order_ids"], "order_ids", allow_empty=True)}
            orders = [o for o in orders if o.id in wanted]
        for field, allowed, value_of in (
            ("order_statuses", ORDER_STATUSES, lambda o: o.status),
            ("payment_statuses", PAYMENT_STATUSES, lambda o: o.data["payment_status"]),
            ("delivery_statuses", DELIVERY_STATUSES, lambda o: o.data["delivery_status"]),
            ("antifraud_statuses", ANTIFRAUD_STATUSES, lambda o: o.data["antifraud_status"]),
        ):
            if field in body:
                chosen = set(_str_list(body[field], field, allowed))
                orders = [o for o in orders if value_of(o) in chosen]
        for field, attribute, compare in (
            ("date_start", "created_at", lambda a, b: a >= b), ("date_end", "created_at", lambda a, b: a <= b),
            ("update_at_from", "updated_at", lambda a, b: a >= b), ("update_at_to", "updated_at", lambda a, b: a <= b),
        ):
            if field in body:
                bound = _parse_iso(body[field], field)
                orders = [o for o in orders if compare(getattr(o, attribute), bound)]
        info = body.get("trade_order_info", "Common")
        if info not in ("Common", "LogisticInfo"):
            raise HttpError(400, "trade_order_info must be Common or LogisticInfo")
        order = body.get("sorting_order", "Desc")
        if order not in ("Asc", "Desc"):
            raise HttpError(400, "sorting_order must be Asc or Desc")
        field = body.get("sorting_field", "created_at")  # accepted values are UNCONFIRMED: these two are emulated
        if field not in ("created_at", "updated_at"):
            raise HttpError(400, "sorting_field must be created_at or updated_at")
        orders.sort(key=lambda o: (getattr(o, field), o.id), reverse=order == "Desc")
        chunk = orders[(page - 1) * page_size : page * page_size]
        items = [self._order_json(seller, o, info == "LogisticInfo") for o in chunk]
        return Response(200, {"data": {"total_count": len(orders), "orders": self.deliver(items)}, "error": None})

    # --- platform logistics ------------------------------------------------------------------------------------------
    def logistic_order_create(self, request: Request) -> Response:
        seller = request.seller
        body = _object(request.json, "body", {"orders"}, ("orders",))
        if not isinstance(body["orders"], list) or not body["orders"]:
            raise HttpError(400, "orders must be a non-empty array")
        entries = []
        for index, raw in enumerate(body["orders"]):
            where = f"orders[{index}]"
            entry = _object(raw, where, {"trade_order_id", "total_length", "total_width", "total_height",
                                         "total_weight", "items", "undeliverable_option", "danger_type"},
                            ("trade_order_id", "total_length", "total_width", "total_height", "total_weight",
                             "items"))
            _int(entry["trade_order_id"], f"{where}.trade_order_id", 1)
            for dimension in ("total_length", "total_width", "total_height"):
                _int(entry[dimension], f"{where}.{dimension}", 1, 700)
            weight = entry["total_weight"]
            if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= 700:
                raise HttpError(400, f"{where}.total_weight must be a number of kilograms in (0, 700]")
            if not isinstance(entry["items"], list) or not entry["items"]:
                raise HttpError(400, f"{where}.items must be a non-empty array")
            for position, item in enumerate(entry["items"]):
                item = _object(item, f"{where}.items[{position}]",
                               {"sku_id", "quantity", "product_source_id", "jewelry_codes"}, ("sku_id", "quantity"))
                _int(item["sku_id"], f"{where}.items[{position}].sku_id", 1)
                _int(item["quantity"], f"{where}.items[{position}].quantity", 1)
            entries.append(entry)
        created: dict[str, list[dict[str, Any]]] = {}
        errors = []
        for entry in entries:
            order_id = str(entry["trade_order_id"])
            problem = self._shipment_problem(seller, order_id, entry["items"])
            if problem:
                errors.append({"trade_order_id": entry["trade_order_id"], "code": problem[0], "message": problem[1]})
                continue
            order = seller.orders[order_id]
            shipment = {
                "id": 30000000 + self.world.next_id(), "trade_order_id": entry["trade_order_id"],
                "track_number": f"RA{self.world.random.randint(10**8, 10**9 - 1)}RU", "status": "AwaitingHandoverList",
                "creation_error": None,
                "lines": [{"sku_id": item["sku_id"], "quantity": item["quantity"]} for item in entry["items"]],
                "handover_list_id": None, "handover_list_status": None,
            }
            seller.data["logistic_orders"][str(shipment["id"])] = shipment
            order.data["logistic_order_ids"].append(str(shipment["id"]))
            self._set(order, status="InProgress")
            created.setdefault(order_id, []).append(shipment)
        data = {"orders": [{"trade_order_id": int(i), "logistic_orders": [dict(s) for s in shipments]}
                           for i, shipments in created.items()], "errors": errors}
        return Response(200, {"data": data, "error": None})

    def _shipment_problem(self, seller: Seller, order_id: str, items: list[dict[str, Any]]) -> tuple[str, str] | None:
        order = seller.orders.get(order_id)
        if order is None:
            if any(order_id in s.orders for s in self.world.sellers_of(self.marketplace)):
                return "ErrorCode.SellerMismatch", f"order {order_id} belongs to another seller"
            return "ErrorCode.OrderNotFound", f"order {order_id} not found"
        # The codes below are not in the doc's list (UNCONFIRMED); the messages say what is wrong.
        if order.scheme == "dbs":
            return "ErrorCode.WrongLogisticModel", "the order ships by the seller's own logistics (offline-ship)"
        if order.status in ("Cancelled", "Finished") or order.data["delivery_status"] != "Init":
            return "ErrorCode.WrongOrderStatus", f"order {order_id} is not awaiting shipment"
        if order.data["antifraud_status"] != "Passed":
            return "ErrorCode.WrongOrderStatus", f"order {order_id} has not passed the fraud check"
        ordered: dict[int, int] = {}
        for line in order.lines:
            sku = int(seller.products[line.key].ids["sku_id"])
            ordered[sku] = ordered.get(sku, 0) + line.quantity
        for shipment in self._shipments(seller, order):
            for line in shipment["lines"]:
                ordered[line["sku_id"]] = ordered.get(line["sku_id"], 0) - line["quantity"]
        for item in items:
            left = ordered.get(item["sku_id"])
            if left is None:
                return "ErrorCode.SkuNotFound", f"sku {item['sku_id']} is not in order {order_id}"
            if item["quantity"] > left:
                # §4.2: a shipment cannot contain more units than its pre-split posting.
                return "ErrorCode.QuantityExceeded", f"sku {item['sku_id']}: only {left} unit(s) left to ship"
            ordered[item["sku_id"]] = left - item["quantity"]
        return None

    def _own_shipments(self, seller: Seller, ids: list[int]) -> list[dict[str, Any]]:
        found = []
        for shipment_id in ids:
            shipment = seller.data["logistic_orders"].get(str(shipment_id))
            if shipment is None:
                raise HttpError(400, f"logistic order {shipment_id} not found", code="ErrorCode.OrderNotFound")
            found.append(shipment)
        return found

    def _file_url(self, request: Request, seller: Seller, content: bytes) -> str:
        token = f"{secrets.token_hex(12)}.pdf"
        self.files[token] = (seller.id, content)
        while len(self.files) > MAX_FILES:  # links expire: keep the newest documents only
            self.files.pop(next(iter(self.files)))
        return f"http://{request.header('host')}/files/{token}"

    def labels_orders(self, request: Request) -> Response:
        seller = request.seller
        body = _object(request.json, "body", {"logistic_order_ids"}, ("logistic_order_ids",))
        shipments = self._own_shipments(seller, _int_list(body["logistic_order_ids"], "logistic_order_ids"))
        dead = [s["id"] for s in shipments if s["status"] == "Cancelled"]
        if dead:
            raise HttpError(400, f"logistic orders {dead} are cancelled", code="ErrorCode.OrderNotFound")
        pages = [[f"AliExpress / Pochta Rossii  {s['track_number']}", f"Order {s['trade_order_id']}",
                  f"Shipment {s['id']}"] for s in shipments]
        # Label size is UNCONFIRMED; the sandbox prints 100 x 150 mm thermal labels.
        url = self._file_url(request, seller, _pdf(pages, 100, 150))
        return Response(200, {"data": {"label_url": url}, "error": None})

    def handover_create(self, request: Request) -> Response:
        seller = request.seller
        body = _object(request.json, "body", {"logistic_order_ids", "arrival_date"}, ("logistic_order_ids",))
        shipments = self._own_shipments(seller, _int_list(body["logistic_order_ids"], "logistic_order_ids"))
        arrival = _parse_iso(body["arrival_date"], "arrival_date") if "arrival_date" in body else utcnow()
        self._check_listable(shipments)
        list_id = 880000 + self.world.next_id()
        seller.data["handover_lists"][str(list_id)] = {
            "id": list_id, "status": LIST_CREATED, "arrival_date": arrival.isoformat(),
            "gmt_create": utcnow().isoformat(), "logistic_order_ids": [],
        }
        self._put_on_list(seller, list_id, shipments)
        return Response(200, {"data": {"handover_list_id": list_id}, "error": None})

    def handover_add(self, request: Request) -> Response:
        seller = request.seller
        body = _object(request.json, "body", {"handover_list_id", "order_ids"}, ("handover_list_id", "order_ids"))
        handover = self._handover_list(seller, body["handover_list_id"])
        if handover["status"] != LIST_CREATED:
            raise HttpError(400, "the handover list is already transferred", code="ErrorCode.WrongHandoverListStatusError")
        shipments = self._own_shipments(seller, _int_list(body["order_ids"], "order_ids"))
        self._check_listable(shipments)
        self._put_on_list(seller, handover["id"], shipments)
        return Response(200, {"data": {"handover_list_id": handover["id"]}, "error": None})

    def handover_transfer(self, request: Request) -> Response:
        seller = request.seller
        body = _object(request.json, "body", {"handover_list_id"}, ("handover_list_id",))
        handover = self._handover_list(seller, body["handover_list_id"])
        if handover["status"] != LIST_CREATED:
            raise HttpError(400, "the handover list is already transferred", code="ErrorCode.WrongHandoverListStatusError")
        handover["status"] = LIST_TRANSFERRED
        for shipment_id in handover["logistic_order_ids"]:
            shipment = seller.data["logistic_orders"][str(shipment_id)]
            if shipment["status"] == "AwaitingConfirmation":
                shipment["status"] = "AwaitingDispatch"
                shipment["handover_list_status"] = LIST_TRANSFERRED
                self._touch_order(seller, shipment)
        return Response(200, {"data": {"handover_list_id": handover["id"]}, "error": None})

    def handover_print(self, request: Request) -> Response:
        seller = request.seller
        body = _object(request.json, "body", {"handover_list_id"}, ("handover_list_id",))
        handover = self._handover_list(seller, body["handover_list_id"])
        rows = [f"Handover list {handover['id']} ({handover['status']})"]
        rows += [f"{s['track_number']}  order {s['trade_order_id']}"
                 for s in self._own_shipments(seller, handover["logistic_order_ids"])]
        url = self._file_url(request, seller, _pdf([rows], 210, 297))
        return Response(200, {"data": {"label_url": url}, "error": None})

    def _handover_list(self, seller: Seller, list_id: Any) -> dict[str, Any]:
        _int(list_id, "handover_list_id", 1)
        handover = seller.data["handover_lists"].get(str(list_id))
        if handover is None:
            raise HttpError(400, f"handover list {list_id} not found", code="ErrorCode.HandoverListNotFound")
        return handover

    @staticmethod
    def _check_listable(shipments: list[dict[str, Any]]) -> None:
        wrong = [s["id"] for s in shipments if s["status"] not in AWAITING_LIST]
        if wrong:
            raise HttpError(400, f"logistic orders {wrong} are not awaiting a handover list",
                            code="ErrorCode.WrongLogisticOrderStatus")

    def _put_on_list(self, seller: Seller, list_id: int, shipments: list[dict[str, Any]]) -> None:
        handover = seller.data["handover_lists"][str(list_id)]
        for shipment in shipments:
            shipment.update(status="AwaitingConfirmation", handover_list_id=list_id, handover_list_status=LIST_CREATED)
            handover["logistic_order_ids"].append(shipment["id"])
            self._touch_order(seller, shipment)

    def _touch_order(self, seller: Seller, shipment: dict[str, Any]) -> None:
        order = seller.orders.get(str(shipment["trade_order_id"]))
        if order is not None:
            self._set(order)

    def download(self, request: Request) -> Response:
        _owner, content = self.files[request.params["token"]]
        return Response(200, content, content_type="application/pdf")

    # --- seller logistics ("offline ship", §4.3) -------------------------------------------------------------------------
    def _offline_order(self, request: Request, allowed: set[str]) -> tuple[SOrder, dict[str, Any]]:
        body = _object(request.json, "body", allowed, ("trade_order_id",))
        order_id = str(_int(body["trade_order_id"], "trade_order_id", 1))
        order = request.seller.orders.get(order_id)
        if order is None:
            raise HttpError(400, f"order {order_id} not found", code="ErrorCode.OrderNotFound")
        if order.scheme != "dbs":
            raise HttpError(400, "the order ships by platform logistics", code="ErrorCode.WrongLogisticModel")
        if order.status in ("Cancelled", "Finished"):
            raise HttpError(400, f"order {order_id} is closed", code="ErrorCode.WrongOrderStatus")
        return order, body

    def offline_in_transit(self, request: Request) -> Response:
        order, body = self._offline_order(request, {"trade_order_id", "tracking_number", "provider_name",
                                                    "tracking_url", "support_phone_number"})
        for name in ("tracking_number", "provider_name"):
            if not isinstance(body.get(name), str) or not body[name]:
                raise HttpError(400, f"{name} is required")
        if order.data["delivery_status"] != "Init":
            raise HttpError(400, "the order is already in transit", code="ErrorCode.WrongOrderStatus")
        record = {
            "id": 40000000 + self.world.next_id(), "trade_order_id": int(order.id),
            "external_provider": body["provider_name"], "created_at": utcnow().isoformat(),
            "lines": [{"sku_id": int(request.seller.products[line.key].ids["sku_id"]), "quantity": line.quantity}
                      for line in order.lines],
        }
        order.data["offline"].append(record)
        self._set(order, status="InProgress", display="WaitAcceptGoods", delivery_status="Shipped")
        return Response(200, {"data": {"created_orders": [record]}, "error": None})

    def offline_ready_for_pickup(self, request: Request) -> Response:
        order, _body = self._offline_order(request, {"trade_order_id"})
        if order.data["delivery_status"] != "Shipped":
            raise HttpError(400, "the order is not in transit", code="ErrorCode.WrongOrderStatus")
        self._set(order)
        return Response(200, {"data": {}, "error": None})

    def offline_delivered(self, request: Request) -> Response:
        order, _body = self._offline_order(request, {"trade_order_id"})
        if order.data["delivery_status"] != "Shipped":
            raise HttpError(400, "the order is not in transit", code="ErrorCode.WrongOrderStatus")
        self._set(order, status="Finished", display="Finish", delivery_status="Delivered")
        return Response(200, {"data": {}, "error": None})

    # --- stock (§5) ------------------------------------------------------------------------------------------------------
    def _over_limits(self, seller: Seller, products: int) -> str:
        now = time.monotonic()
        calls: deque = seller.data["stock_calls"]
        rps = float(seller.account.get("stock_rps", 10))
        while calls and calls[0] <= now - 1.0:
            calls.popleft()
        if len(calls) >= rps:
            return "Too many requests"
        quota: deque = seller.data["quota"]
        while quota and quota[0][0] <= now - QUOTA_WINDOW_S:
            quota.popleft()
        allowance = int(seller.account.get("product_update_quota", 100_000))
        if sum(n for _, n in quota) + products > allowance:
            return f"product update limit exceeded: at most {allowance} products per 4 hours"
        calls.append(now)
        quota.append((now, products))
        return ""

    def update_sku_stock(self, request: Request) -> Response:
        seller = request.seller
        body = _object(request.json, "body", {"products"}, ("products",))
        products = body["products"]
        if not isinstance(products, list) or not products:
            raise HttpError(400, "products must be a non-empty array")
        if len(products) > MAX_STOCK_PRODUCTS:
            raise HttpError(400, f"at most {MAX_STOCK_PRODUCTS} products per request")
        entries = []
        for index, raw in enumerate(products):
            entry = _object(raw, f"products[{index}]", {"product_id", "skus"}, ("product_id", "skus"))
            _int(entry["product_id"], f"products[{index}].product_id", 1)
            if not isinstance(entry["skus"], list) or not entry["skus"]:
                raise HttpError(400, f"products[{index}].skus must be a non-empty array")
            for position, sku in enumerate(entry["skus"]):
                sku = _object(sku, f"products[{index}].skus[{position}]", {"sku_code", "inventory"},
                              ("sku_code", "inventory"))
                if not isinstance(sku["sku_code"], str):
                    raise HttpError(400, f"products[{index}].skus[{position}].sku_code must be a string")
                _int(sku["inventory"], f"products[{index}].skus[{position}].inventory")
            entries.append(entry)
        with self.world.lock:
            refusal = self._over_limits(seller, len(entries))
        if refusal:
            for entry in entries:
                for sku in entry["skus"]:
                    self._record(seller, entry["product_id"], sku, accepted=False, error=f"429 {refusal}")
            return Response(429, self.error_body(429, refusal))
        group_id = 880000 + self.world.next_id()
        results, task_ids = [], []
        delay = float(seller.account.get("task_delay_s", 0.2))
        for entry in entries:
            known = [p for p in seller.products.values() if str(p.ids.get("product_id")) == str(entry["product_id"])]
            if not known:
                error = f"product {entry['product_id']} not found"
                for sku in entry["skus"]:
                    self._record(seller, entry["product_id"], sku, accepted=False, error=error)
                results.append({"ok": False, "task_id": None, "errors": [error]})
                continue
            task_id = 5500000 + self.world.next_id()
            now = utcnow().isoformat()
            seller.data["tasks"][str(task_id)] = {
                "id": task_id, "group_id": group_id, "action": 3, "status": 1, "product_id": entry["product_id"],
                "sku_codes": [sku["sku_code"] for sku in entry["skus"]], "error": None, "warnings": [],
                "created_at": now, "updated_at": now, "_skus": entry["skus"], "_started": time.monotonic() + delay / 2,
            }
            task_ids.append(task_id)
            results.append({"ok": True, "task_id": task_id, "errors": []})
        seller.data["groups"][str(group_id)] = task_ids
        for task_id in task_ids:
            if delay > 0:
                timer = threading.Timer(delay, self._finish_task, (seller, str(task_id)))
                timer.daemon = True
                timer.start()
            else:
                self._finish_task(seller, str(task_id))
        # Product mutations answer at top level, not in the data envelope (§2.1, client libraries).
        return Response(200, {"group_id": group_id, "results": results})

    def _record(self, seller: Seller, product_id: Any, sku: dict[str, Any], *, accepted: bool, error: str = "") -> None:
        code = str(sku.get("sku_code"))
        product = self._product(seller, product_id, code) or SProduct(key=code, offer_id=code)
        inventory = sku.get("inventory")
        self.world.record_stock_update(seller, product, self._warehouse(seller),
                                       inventory if isinstance(inventory, int) else None,
                                       accepted=accepted, error=error)

    def _finish_task(self, seller: Seller, task_id: str) -> None:
        with self.world.lock:
            task = seller.data["tasks"].get(task_id)
            if task is None or task["status"] in (3, 4) or self.world.seller(self.marketplace, seller.id) is not seller:
                return  # finished already, or the world was reset while the timer ran
            problems = []
            for sku in task["_skus"]:
                if self._product(seller, task["product_id"], sku["sku_code"]) is None:
                    problems.append(f"sku_code {sku['sku_code']} not found in product {task['product_id']}")
                elif not 0 <= sku["inventory"] <= MAX_INVENTORY:
                    problems.append(f"sku_code {sku['sku_code']}: inventory must be 0–{MAX_INVENTORY}")
            # A task covers one product: it fails or succeeds as a whole.
            error = "; ".join(problems)
            for sku in task["_skus"]:
                self._record(seller, task["product_id"], sku, accepted=not problems, error=error)
            task.update(status=4 if problems else 3, updated_at=utcnow().isoformat(),
                        error={"code": 400, "message": error} if problems else None)

    def tasks(self, request: Request) -> Response:
        seller = request.seller
        group_id = request.arg("group_id")
        if not group_id or not group_id.isdigit():
            raise HttpError(400, "group_id is required")
        now = time.monotonic()
        found = []
        with self.world.lock:
            for task_id in seller.data["groups"].get(group_id, []):
                task = seller.data["tasks"][str(task_id)]
                shown = {k: v for k, v in task.items() if not k.startswith("_")}
                if shown["status"] == 1 and now >= task["_started"]:
                    shown["status"] = 2  # picked up by AliExpress's worker, not finished yet
                found.append(shown)
        return Response(200, {"data": self.deliver(found), "error": None})

    def stocks(self, request: Request) -> Response:
        seller = request.seller
        body = _object(request.json, "body", {"stocks"}, ("stocks",))
        if not isinstance(body["stocks"], list) or not body["stocks"]:
            raise HttpError(400, "stocks must be a non-empty array")
        warehouse = self._warehouse(seller)
        infos = []
        for index, raw in enumerate(body["stocks"]):
            item = _object(raw, f"stocks[{index}]", {"sku", "sc_item_id"}, ("sku",))
            if not isinstance(item["sku"], str):
                raise HttpError(400, f"stocks[{index}].sku must be a string")
            product = next((p for p in seller.products.values() if p.ids["sku_id"] == item["sku"]), None)
            if product is not None:
                infos.append({"sku": item["sku"], "max_sellable_quantity": product.stocks.get(warehouse, 0)})
        return Response(200, {"data": {"skus_info": self.deliver(infos)}, "error": None})

    def product_list(self, request: Request) -> Response:
        seller = request.seller
        body = _object(request.json or {}, "body", {"filter", "last_product_id", "limit"})
        limit = _int(body.get("limit", MAX_LIST_LIMIT), "limit", 1, MAX_LIST_LIMIT)
        filters = _object(body.get("filter") or {}, "filter", {
            "status", "search_content", "top_category_ids", "leaf_category_ids", "owner_id", "shipping_template_ids",
            "group_ids", "has_quantity", "time_range_condition", "offline_reason"})
        skus = list(seller.products.values())
        if "search_content" in filters:
            search = _object(filters["search_content"], "filter.search_content", {"content_type", "content_values"},
                             ("content_type", "content_values"))
            values = set(_str_list(search["content_values"], "filter.search_content.content_values"))
            attribute = {"PRODUCT_ID": lambda p: str(p.ids["product_id"]), "SKU_SELLER_SKU": lambda p: p.offer_id,
                         "PRODUCT_TITLE": lambda p: p.name}.get(search["content_type"])
            if attribute is None:
                raise HttpError(400, "content_type must be PRODUCT_ID, SKU_SELLER_SKU or PRODUCT_TITLE")
            matching = {str(p.ids["product_id"]) for p in skus if attribute(p) in values}
            skus = [p for p in skus if str(p.ids["product_id"]) in matching]
        by_product: dict[int, list[SProduct]] = {}
        for product in skus:
            by_product.setdefault(int(product.ids["product_id"]), []).append(product)
        after = body.get("last_product_id")
        if after is not None:
            after = _int(int(after) if isinstance(after, str) and after.isdigit() else after, "last_product_id", 1)
        ids = sorted(i for i in by_product if after is None or i > after)
        warehouse = self._warehouse(seller)
        data = [{
            "id": str(product_id), "category_id": 200000345, "freight_template_id": 1000, "group_ids": [],
            "subject": by_product[product_id][0].name, "status": "ONLINE",
            "sku": [{"id": p.ids["sku_id"], "sku_id": p.ids["sku_id"], "code": p.offer_id, "price": f"{p.price:.2f}",
                     "discount_price": f"{p.price:.2f}", "ipm_sku_stock": p.stocks.get(warehouse, 0)}
                    for p in by_product[product_id]],
        } for product_id in ids[:limit]]
        return Response(200, {"data": self.deliver(data), "error": None})


# --- a minimal valid PDF, written by hand (labels and handover lists) -------------------------------------------------
def _pdf(pages: list[list[str]], width_mm: float, height_mm: float) -> bytes:
    width, height = width_mm * 72 / 25.4, height_mm * 72 / 25.4
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for rows in pages:
        text = " ".join(
            f"BT /F1 10 Tf 12 {height - 24 - 14 * n:.1f} Td ({_escape(row)}) Tj ET" for n, row in enumerate(rows)
        )
        stream = text.encode("latin-1", "replace")
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream.decode('latin-1')}\nendstream")
        content_ref = len(objects)
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width:.2f} {height:.2f}] "
                       f"/Resources << /Font << /F1 3 0 R >> >> /Contents {content_ref} 0 R >>")
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1", "replace")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
