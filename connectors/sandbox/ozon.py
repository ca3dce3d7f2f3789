"""Emulated Ozon Seller API: the methods the Ozon connector uses, on the documented paths and shapes.

Everything is ``POST`` + JSON on one origin, authenticated by ``Client-Id`` + ``Api-Key`` (ozon.md §1); errors are
rpcStatus ``{"code", "message", "details"}`` with gRPC codes. Limits as documented (§6.1, §12.1): 50 requests per
second per account (429 ``{"code": 8, "message": "You have reached request rate limit per second"}``),
``/v2/products/stocks`` 80 requests a minute, 100 pairs a request and one update per product–warehouse pair per
30 s (per-item ``TOO_MANY_REQUESTS`` inside a 200). A posting (отправление) is the unit of FBS work: buyers' orders
become postings in ``awaiting_packaging``; assembly (``/v4/posting/fbs/ship``, optionally split into packages) moves
them to ``awaiting_deliver``, where labels print; the control API's ``advance`` hands them over and delivers them.

A seller's ``account`` may carry ``rate_limits``: ``false`` switches the request limits off (benchmarks), or
``{"account": per_second, "stocks": per_minute}`` overrides them; the per-pair 30-second rule always applies.

Stock follows Ozon's meaning of ``stock`` — what buyers may order, reserves excluded: ``SProduct.stocks`` is that
free stock; postings not yet handed over hold their units as ``reserved``.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
import uuid
from collections import deque
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from connectors.sandbox.server import HttpError, MarketplaceApp, Request, Response, Router
from connectors.sandbox.world import Seller, SLine, SOrder, SProduct, SReturn, utcnow

logger = logging.getLogger(__name__)

# HTTP status → gRPC code, as grpc-gateway writes them into rpcStatus.
_GRPC_CODES = {400: 3, 401: 16, 403: 7, 404: 5, 409: 10, 429: 8, 500: 13, 502: 14, 503: 14, 504: 4}

#: Seller cancellation reasons (/v2/posting/fbs/cancel-reason/list), ozon.md §4.
SELLER_CANCEL_REASONS = {352: "Товар закончился на складе продавца", 400: "Остался только бракованный товар",
                         401: "Отмена из арбитража", 402: "Другое (вина продавца)"}
BUYER_CANCEL_REASON = (507, "Покупатель отменил заказ")
#: Postings in these statuses hold their units as reserved at the seller's warehouse.
RESERVING = frozenset({"awaiting_approve", "awaiting_packaging", "awaiting_registration", "awaiting_deliver"})
#: Statuses /v4/posting/fbs/unfulfilled/list returns when no status filter is given.
UNFULFILLED = ("acceptance_in_progress", "awaiting_approve", "awaiting_packaging", "awaiting_registration",
               "awaiting_deliver", "arbitration", "client_arbitration", "delivering", "driver_pickup", "not_accepted")
#: Seller API status → the push model's state (spec tag push_types).
PUSH_STATE = {"awaiting_packaging": "posting_created", "awaiting_approve": "posting_created",
              "awaiting_deliver": "posting_transferring_to_delivery", "delivering": "posting_on_way_to_city",
              "delivered": "posting_received", "cancelled": "posting_canceled"}
# Lifecycle steps of ``advance``: status → (next status, its substatus).
FBS_NEXT = {"awaiting_approve": ("awaiting_packaging", "posting_created"),
            "awaiting_packaging": ("awaiting_deliver", "posting_transferring_to_delivery"),
            "awaiting_deliver": ("delivering", "posting_on_way_to_city"),
            "delivering": ("delivered", "posting_received")}
FBO_NEXT = {"awaiting_packaging": ("awaiting_deliver", "posting_transferring_to_delivery"),
            "awaiting_deliver": ("delivering", "posting_in_courier_service"),
            "delivering": ("delivered", "posting_delivered")}
RETURN_STATUS_NAMES = {"MovingToSeller": (3, "В пути"), "ArrivedAtReturnPlace": (4, "В пункте выдачи"),
                       "ReceivedBySeller": (5, "Получен продавцом"), "ReturnedToOzon": (6, "На складе Ozon")}
LABEL_MM = (75, 120)

# --- rFBS return and cancellation requests (ozon.md §8.2, §4) ----------------------------------------------------
#: Return request states: code → (group_state, state_name). The spec enumerates only the group states; the first
#: code and name are its example's, the others the sandbox's.
RFBS_STATES = {
    "ON_APPROVAL": ("New", "На проверке"),
    "WAITING_FOR_GOODS": ("Delivering", "Покупатель отправляет товар"),
    "RECEIVED": ("Checkout", "Товар получен, проверяется"),
    "MONEY_RETURNED": ("Approved", "Деньги возвращены"),
    "COMPENSATED": ("Approved", "Частичная компенсация выплачена"),
    "REJECTED": ("Rejected", "Заявка отклонена"),
}
RFBS_GROUPS = ("All", "New", "Delivering", "Checkout", "Arbitration", "Approved", "Rejected")
#: What the seller may do: name → (action id, its name, state it leads to). The spec names the ids -1 and -10
#: (reject, with a reason and a comment) and 1020 (partial compensation); the others are the sandbox's.
RFBS_ACTIONS = {
    "verify": (1, "Одобрить и получить товар на проверку", "WAITING_FOR_GOODS"),
    "receive": (2, "Подтвердить получение товара", "RECEIVED"),
    "return_money": (3, "Вернуть деньги покупателю", "MONEY_RETURNED"),
    "reject": (-1, "Отклонить заявку", "REJECTED"),
    "reject_after_check": (-10, "Отклонить после проверки", "REJECTED"),
    "compensate": (1020, "Вернуть часть стоимости", "COMPENSATED"),
}
RFBS_OFFERED = {
    "ON_APPROVAL": ("verify", "return_money", "compensate", "reject"),
    "WAITING_FOR_GOODS": ("receive",),
    "RECEIVED": ("return_money", "reject_after_check"),
}
RFBS_REJECTION_REASONS = [
    {"id": 101, "name": "Товар был в употреблении", "hint": "Приложите фото следов использования",
     "is_comment_required": False},
    {"id": 102, "name": "Нарушена комплектация", "hint": "Опишите, чего не хватает", "is_comment_required": False},
    {"id": 199, "name": "Другое", "hint": "Объясните причину покупателю", "is_comment_required": True},
]
RFBS_RETURN_REASON = {"id": 7, "is_defect": True, "name": "Товар с браком"}
#: Hours until Ozon approves a buyer's cancellation request by itself (the sandbox's value; the API reports it
#: in ``auto_approve_date``).
CANCELLATION_AUTO_APPROVE_HOURS = 48
#: gRPC FAILED_PRECONDITION: the request is not in a state that allows the action.
FAILED_PRECONDITION = "9"


def ts(moment: datetime | None) -> str:
    """Ozon's UTC timestamp with milliseconds and ``Z``."""
    moment = (moment or utcnow()).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def ms(moment: datetime) -> datetime:
    """The instant as Ozon reports it (milliseconds): filters compare what clients can see and send back."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def parse_ts(value: Any, name: str) -> datetime:
    if not isinstance(value, str) or not value:
        raise HttpError(400, f"{name}: invalid value {value!r}")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise HttpError(400, f"{name}: invalid timestamp {value!r}")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise HttpError(400, f"{name}: invalid value {value!r}")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise HttpError(400, f"{name}: invalid value {value!r}")


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def _encode_cursor(key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def _decode_cursor(cursor: Any) -> Any:
    if not cursor:
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(str(cursor).encode()))
    except (ValueError, TypeError):
        raise HttpError(400, "invalid cursor")


def label_pdf(postings: list[tuple[str, str]], width_mm: int = LABEL_MM[0], height_mm: int = LABEL_MM[1]) -> bytes:
    """A small valid PDF, one page per posting: its number and barcode value in Helvetica."""
    width, height = round(width_mm * 72 / 25.4, 2), round(height_mm * 72 / 25.4, 2)
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    kids = []
    for number, barcode in postings:
        page_id, content_id = len(objects) + 1, len(objects) + 2
        kids.append(f"{page_id} 0 R")
        stream = (f"BT /F1 14 Tf 12 {height - 40:.0f} Td (OZON) Tj ET\n"
                  f"BT /F1 11 Tf 12 {height - 70:.0f} Td ({number}) Tj ET\n"
                  f"BT /F1 9 Tf 12 {height - 90:.0f} Td ({barcode}) Tj ET\n").encode()
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] "
                       f"/Resources << /Font << /F1 {{font}} 0 R >> >> /Contents {content_id} 0 R >>".encode())
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream")
    font_id = len(objects) + 1
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>".encode()
    objects = [o.replace(b"{font}", str(font_id).encode()) for o in objects]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for index, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{index} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


class OzonApp(MarketplaceApp):
    marketplace = "ozon"
    rate_limit_status = 429

    # Documented limits; instance attributes so a test may lower them on the running sandbox.
    account_rps = 50
    stocks_per_minute = 80
    stock_batch_max = 100
    pair_interval_s = 30.0
    max_stock = 999_999
    #: Ozon recommends asking for labels 45–60 s after assembly; the sandbox prints at once unless told otherwise.
    label_delay_s = 0.0
    #: Hours a seller has to assemble a new posting (its ``shipment_date``).
    assembly_hours = 24

    def __init__(self, world):
        self._windows: dict[tuple[str, str], deque[float]] = {}
        self._limit_lock = threading.Lock()
        #: Posting numbers whose next assembly fails (``substatus = ship_failed``), for tests of the retry path.
        self.ship_failures: set[str] = set()
        super().__init__(world)

    # --- wiring -------------------------------------------------------------------------------------------------
    def register(self, router: Router) -> None:
        routes = {
            "/v1/seller/info": self.seller_info,
            "/v4/posting/fbs/unfulfilled/list": self.unfulfilled_list,
            "/v4/posting/fbs/list": self.fbs_list,
            "/v3/posting/fbs/get": self.fbs_get,
            "/v4/posting/fbs/ship": self.ship,
            "/v2/posting/fbs/package-label": self.package_label,
            "/v2/posting/fbs/cancel": self.cancel,
            "/v2/posting/fbs/cancel-reason/list": self.cancel_reason_list,
            "/v1/posting/fbs/cancel-reason": self.cancel_reasons_for,
            "/v2/products/stocks": self.products_stocks,
            "/v2/product/info/stocks-by-warehouse/fbs": self.stocks_by_warehouse,
            "/v4/product/info/stocks": self.product_info_stocks,
            "/v3/posting/fbo/list": self.fbo_list,
            "/v1/analytics/stocks": self.analytics_stocks,
            "/v1/returns/list": self.returns_list,
            "/v2/returns/rfbs/list": self.rfbs_list,
            "/v2/returns/rfbs/get": self.rfbs_get,
            "/v2/returns/rfbs/verify": self.rfbs_verify,
            "/v2/returns/rfbs/reject": self.rfbs_reject,
            "/v2/returns/rfbs/receive-return": self.rfbs_receive,
            "/v2/returns/rfbs/return-money": self.rfbs_return_money,
            "/v2/returns/rfbs/compensate": self.rfbs_compensate,
            "/v1/returns/rfbs/action/set": self.rfbs_action_set,
            "/v2/conditional-cancellation/list": self.cancellation_list,
            "/v2/conditional-cancellation/approve": self.cancellation_approve,
            "/v2/conditional-cancellation/reject": self.cancellation_reject,
        }
        for path, handler in routes.items():
            router.add("POST", path, self._guarded(handler, stocks=path == "/v2/products/stocks"))

    def _guarded(self, handler, *, stocks: bool = False):
        def guarded(request: Request) -> Response:
            seller = request.seller
            assert seller is not None
            limits = seller.account.get("rate_limits", {})
            if limits is not False:  # benchmarks switch request limits off; the 30-second pair rule stays
                limits = limits if isinstance(limits, dict) else {}
                if not self._admit(seller, "account", int(limits.get("account", self.account_rps)), 1.0):
                    return self._too_many("You have reached request rate limit per second")
                if stocks and not self._admit(seller, "stocks", int(limits.get("stocks", self.stocks_per_minute)),
                                              60.0):
                    return self._too_many("You have reached request rate limit per minute for /v2/products/stocks")
            body = request.json
            if body is None:
                body = {}
            if not isinstance(body, dict):
                raise HttpError(400, "request body must be a JSON object")
            return handler(seller, body)

        return guarded

    def _admit(self, seller: Seller, scope: str, limit: int, period_s: float) -> bool:
        """Sliding window: at most ``limit`` accepted requests in any ``period_s`` seconds."""
        now = time.monotonic()
        with self._limit_lock:
            window = self._windows.setdefault((seller.id, scope), deque())
            while window and window[0] <= now - period_s:
                window.popleft()
            if len(window) >= limit:
                return False
            window.append(now)
            return True

    def _too_many(self, message: str) -> Response:
        # No retry header: Ozon documents none for these limits.
        return Response(429, {"code": 8, "message": message, "details": []})

    def rate_limited(self, request: Request, retry_after: float = 1.0) -> Response:
        return self._too_many("You have reached request rate limit per second")

    def error_body(self, status: int, message: str, code: str = "") -> Any:
        grpc = int(code) if str(code).isdigit() else _GRPC_CODES.get(status, 2)
        return {"code": grpc, "message": message, "details": []}

    def authenticate(self, request: Request) -> Seller:
        client_id, api_key = request.header("Client-Id"), request.header("Api-Key")
        if not client_id or not api_key:
            raise HttpError(401, "Client-Id and Api-Key headers are required")
        for seller in self.world.sellers_of(self.marketplace):
            if str(seller.credentials.get("client_id")) == client_id:
                if str(seller.credentials.get("api_key")) != api_key:
                    break
                return seller
        raise HttpError(403, "Invalid Api-Key, please check the key and try again")

    # --- sellers and products -----------------------------------------------------------------------------------
    def create_seller(self, spec: dict[str, Any]) -> Seller:
        for warehouse in spec.get("warehouses") or []:
            if not str(warehouse.get("id", "")).isdigit():
                raise ValueError(f"Ozon warehouse ids are int64: {warehouse.get('id')!r} is not a number")
        seller = super().create_seller(spec)
        rnd = self.world.random
        seller.credentials.setdefault("client_id", str(rnd.randrange(100_000, 9_999_999)))
        seller.credentials.setdefault("api_key", str(uuid.UUID(int=rnd.getrandbits(128), version=4)))
        seller.account.setdefault("company", {
            "name": seller.account.get("name") or f"Магазин {seller.id}", "legal_name": f"ООО «{seller.id}»",
            "inn": "7707083893", "ogrn": "1027700132195", "country": "RU", "currency": "RUB",
            "ownership_form": "ООО", "tax_system": "USN",
        })
        return seller

    def fill_product_ids(self, seller: Seller, product: SProduct) -> None:
        # Ozon's stock API addresses a product by the seller's article (offer_id) or Ozon's product_id.
        product.key = product.offer_id
        rnd = self.world.random
        product.ids["product_id"] = int(product.ids.get("product_id") or rnd.randrange(800_000_000, 999_999_999))
        product.ids["sku"] = int(product.ids.get("sku") or rnd.randrange(1_500_000_000, 1_999_999_999))

    def _warehouse_name(self, seller: Seller, warehouse_id: str) -> str:
        return str((seller.warehouses.get(warehouse_id) or {}).get("name") or f"Склад {warehouse_id}")

    def _fbs_warehouses(self, seller: Seller) -> list[str]:
        return [w for w, info in seller.warehouses.items() if not info.get("fbo")]

    def _reserved(self, seller: Seller, key: str, warehouse_id: str) -> int:
        return sum(line.quantity for order in seller.orders.values()
                   if order.scheme != "fbo" and order.warehouse_id == warehouse_id and order.status in RESERVING
                   for line in order.lines if line.key == key)

    # --- buyer side ---------------------------------------------------------------------------------------------
    def place_order(self, seller: Seller, lines: list[tuple[SProduct, int]], warehouse_id: str, scheme: str = "fbs"
                    ) -> list[SOrder]:
        fbo = scheme == "fbo" or bool((seller.warehouses.get(warehouse_id) or {}).get("fbo"))
        if fbo and not (seller.warehouses.get(warehouse_id) or {}).get("fbo"):
            # Asked for an FBO sale without naming Ozon's warehouse: the first one holding the first product.
            warehouse_id = next((w for w, q in lines[0][0].fbo_stocks.items() if q > 0), warehouse_id)
        with self.world.lock:
            taken: list[tuple[SProduct, int]] = []
            for product, quantity in lines:
                if fbo:
                    ok = product.fbo_stocks.get(warehouse_id, 0) >= quantity
                    if ok:
                        product.fbo_stocks[warehouse_id] -= quantity
                else:
                    ok = self.take_stock(seller, product, warehouse_id, quantity)
                if not ok:
                    self._give_back(taken, warehouse_id, fbo)
                    raise HttpError(409, f"{product.offer_id}: not enough stock at {warehouse_id}")
                taken.append((product, quantity))
            number = self.new_order_id()
            order_number = f"{40_000_000 + number * 7919 % 59_999_999:08d}-{number % 9000 + 1000:04d}"
            now = utcnow()
            order = SOrder(
                id=f"{order_number}-1", warehouse_id=warehouse_id, scheme="fbo" if fbo else "fbs",
                lines=[SLine(key=p.key, quantity=q, price=p.price) for p, q in lines],
                status="awaiting_packaging", substatus="posting_created", created_at=now, updated_at=now,
                data={"order_id": 30_000_000_000 + number, "order_number": order_number,
                      "shipment_date": now + timedelta(hours=self.assembly_hours), "parent_posting_number": "",
                      "cancellation": None, "shipped_at": None},
            )
            order.history.append((now, order.status, order.substatus))
            seller.orders[order.id] = order
        if not fbo:
            self._push(seller, {"message_type": "TYPE_NEW_POSTING", "posting_number": order.id,
                                "products": [{"sku": seller.products[ln.key].ids["sku"],
                                              "offer_id": seller.products[ln.key].offer_id, "quantity": ln.quantity}
                                             for ln in order.lines],
                                "in_process_at": ts(order.created_at), "warehouse_id": int(warehouse_id),
                                "shipment_date": ts(order.data["shipment_date"]), "tpl_integration_type": "ozon",
                                "is_express": False, "tracking_number": ""})
        return [order]

    def _give_back(self, taken: list[tuple[SProduct, int]], warehouse_id: str, fbo: bool) -> None:
        for product, quantity in taken:
            stocks = product.fbo_stocks if fbo else product.stocks
            stocks[warehouse_id] = stocks.get(warehouse_id, 0) + quantity

    def buyer_cancel(self, seller: Seller, order: SOrder) -> None:
        if order.status in ("delivered", "cancelled"):
            raise HttpError(409, f"posting {order.id} is {order.status}")
        if self._rfbs(seller, order) and order.status == "delivering":
            # The seller already sent it: the buyer's cancellation is a request the seller answers (ozon.md §4).
            self._cancellation_request(seller, order)
            return
        self._cancel(seller, order, BUYER_CANCEL_REASON[0], BUYER_CANCEL_REASON[1], "client", "Покупатель")

    def _cancel(self, seller: Seller, order: SOrder, reason_id: int, reason: str, kind: str, initiator: str) -> None:
        with self.world.lock:
            old_state = PUSH_STATE.get(order.status, order.substatus)
            before_handover = order.status in RESERVING
            order.data["cancellation"] = {
                "cancel_reason_id": reason_id, "cancel_reason": reason, "cancellation_type": kind,
                "cancellation_initiator": initiator, "cancelled_after_ship": order.status == "awaiting_deliver",
                "affect_cancellation_rating": kind == "seller",
            }
            if before_handover:  # the units are free to sell again
                self._give_back([(seller.products[ln.key], ln.quantity) for ln in order.lines], order.warehouse_id,
                                order.scheme == "fbo")
            order.set_status("cancelled", "posting_canceled")
        if order.scheme != "fbo":
            self._push(seller, {"message_type": "TYPE_POSTING_CANCELLED", "posting_number": order.id,
                                "products": [{"sku": seller.products[ln.key].ids["sku"], "quantity": ln.quantity}
                                             for ln in order.lines],
                                "old_state": old_state, "new_state": "posting_canceled",
                                "changed_state_date": ts(order.updated_at),
                                "reason": {"id": reason_id, "message": reason},
                                "warehouse_id": int(order.warehouse_id)})

    def advance(self, seller: Seller, order: SOrder) -> None:
        steps = FBO_NEXT if order.scheme == "fbo" else FBS_NEXT
        if order.status not in steps:
            raise HttpError(409, f"posting {order.id} is {order.status}: nothing follows")
        status, substatus = steps[order.status]
        with self.world.lock:
            order.set_status(status, substatus)
            if status == "awaiting_deliver":
                order.data["shipped_at"] = order.updated_at
        if order.scheme != "fbo":
            self._push(seller, {"message_type": "TYPE_STATE_CHANGED", "posting_number": order.id,
                                "new_state": substatus, "changed_state_date": ts(order.updated_at),
                                "warehouse_id": int(order.warehouse_id)})

    def create_return(self, seller: Seller, order: SOrder) -> SReturn:
        if order.status not in ("delivering", "delivered"):
            raise HttpError(409, f"posting {order.id} is {order.status}: nothing to return yet")
        if self._rfbs(seller, order):
            if order.status != "delivered":
                raise HttpError(409, f"rFBS posting {order.id} is {order.status}: the buyer can ask to return "
                                     "it once delivered")
            return self._rfbs_request(seller, order)
        created = []
        with self.world.lock:
            for line in order.lines:
                return_id = str(1_000_000_000 + self.world.next_id())
                ret = SReturn(id=return_id, order_id=order.id, lines=[line], status="MovingToSeller",
                              reason="Не подошёл размер" if order.status == "delivered" else "Покупатель отказался",
                              kind="ClientReturn" if order.status == "delivered" else "FullReturn",
                              data={"schema": order.scheme.upper()})
                seller.returns[return_id] = ret
                created.append(ret)
        return created[0]

    # --- push notifications -------------------------------------------------------------------------------------
    def _push(self, seller: Seller, payload: dict[str, Any]) -> None:
        """Send a push to the seller's URL in the background (best effort, a few quick retries as Ozon does)."""
        if not seller.webhook_url:
            return
        payload = {**payload, "seller_id": int(seller.credentials.get("client_id") or 0)}
        url = seller.webhook_url

        def send() -> None:
            import httpx

            for delay in (0.0, 0.5, 1.0):
                time.sleep(delay)
                try:
                    answer = httpx.post(url, json=payload, timeout=5.0)
                    if answer.status_code == 200:
                        return
                except httpx.HTTPError as exc:
                    logger.info("sandbox ozon push to %s failed: %s", url, exc)

        threading.Thread(target=send, name="sandbox-ozon-push", daemon=True).start()

    # --- JSON shapes --------------------------------------------------------------------------------------------
    def _cancellation(self, order: SOrder) -> dict[str, Any]:
        return order.data.get("cancellation") or {
            "cancel_reason_id": 0, "cancel_reason": "", "cancellation_type": "", "cancellation_initiator": "",
            "cancelled_after_ship": False, "affect_cancellation_rating": False,
        }

    def _actions(self, order: SOrder) -> list[str]:
        return {"awaiting_packaging": ["ship", "cancel", "product_cancel"],
                "awaiting_deliver": ["cancel", "label_download", "arbitration"]}.get(order.status, [])

    def _posting(self, seller: Seller, order: SOrder, extras: dict[str, Any], *, legacy: bool = False
                 ) -> dict[str, Any]:
        """An FBS posting as the v4 lists write it (``legacy``: the v3 ``get`` shape with string prices)."""
        warehouse = int(order.warehouse_id)
        warehouse_name = self._warehouse_name(seller, order.warehouse_id)
        products = []
        for line in order.lines:
            product = seller.products[line.key]
            item: dict[str, Any] = {"sku": product.ids["sku"], "offer_id": product.offer_id, "name": product.name,
                                    "quantity": line.quantity, "is_marketplace_buyout": False,
                                    "is_blr_traceable": False}
            if legacy:
                item.update(price=f"{line.price:.4f}", currency_code="RUB", mandatory_mark=[])
            else:
                item.update(price={"amount": _money(line.price), "currency": "RUB"}, imei=[])
            products.append(item)
        posting: dict[str, Any] = {
            "posting_number": order.id,
            "order_id": order.data["order_id"],
            "order_number": order.data["order_number"],
            "parent_posting_number": order.data.get("parent_posting_number", ""),
            "status": order.status,
            "substatus": order.substatus,
            "in_process_at": ts(order.created_at),
            "shipment_date": ts(order.data["shipment_date"]),
            "shipment_date_without_delay": ts(order.data["shipment_date"]),
            "delivery_method": {"id": warehouse, "name": f"Ozon Логистика курьеру, {warehouse_name}",
                                "warehouse_id": warehouse, "warehouse": warehouse_name, "tpl_provider_id": 24,
                                "tpl_provider": "Ozon Логистика"},
            "tpl_integration_type": "non_integrated" if self._rfbs(seller, order) else "ozon",
            "tracking_number": "",
            "is_express": False,
            "is_multibox": False,
            "multi_box_qty": 0,
            "products": products,
            "cancellation": self._cancellation(order),
            "available_actions": self._actions(order),
            "requirements": {"products_requiring_mandatory_mark": [], "products_requiring_gtd": [],
                             "products_requiring_country": [], "products_requiring_rnpt": []},
            "delivery_schema": "FBS",
        }
        if order.data.get("shipped_at") and order.status not in RESERVING:
            posting["delivering_date"] = ts(order.data["shipped_at"])
        if extras.get("analytics_data"):
            posting["analytics_data"] = {
                "city": "", "delivery_type": "PVZ", "is_premium": False, "is_legal": False,
                "payment_type_group_name": "Карты оплаты", "warehouse_id": warehouse, "warehouse": warehouse_name,
                "tpl_provider": "Ozon Логистика", "tpl_provider_id": 24,
                "delivery_date_begin": ts(order.data["shipment_date"] + timedelta(days=1)),
                "delivery_date_end": ts(order.data["shipment_date"] + timedelta(days=2)),
            }
        if extras.get("financial_data"):
            posting["financial_data"] = {
                "cluster_from": "Москва, МО и Дальние регионы", "cluster_to": "Санкт-Петербург и СЗО",
                "products": [self._financial(seller, line, legacy=legacy) for line in order.lines],
            }
        if extras.get("barcodes"):
            posting["barcodes"] = {"upper_barcode": f"%101%{order.data['order_id']}",
                                   "lower_barcode": order.id.replace("-", "")}
        return posting

    def _financial(self, seller: Seller, line: SLine, *, legacy: bool) -> dict[str, Any]:
        product = seller.products[line.key]
        price = float(line.price)
        commission = round(price * 0.2, 2)
        row: dict[str, Any] = {"product_id": product.ids["sku"], "quantity": line.quantity, "price": price,
                               "old_price": price, "payout": round(price - commission, 2),
                               "total_discount_value": 0, "total_discount_percent": 0, "actions": []}
        if legacy:
            row.update(customer_price=price, commission_amount=commission, commission_percent=20, currency_code="RUB")
        else:
            row.update(customer_price={"amount": _money(line.price), "currency": "RUB"},
                       commission={"amount": commission, "currency": "RUB", "percent": 20})
        return row

    def _fbo_posting(self, seller: Seller, order: SOrder, extras: dict[str, Any]) -> dict[str, Any]:
        warehouse_name = self._warehouse_name(seller, order.warehouse_id)
        posting: dict[str, Any] = {
            "posting_number": order.id,
            "order_id": order.data["order_id"],
            "order_number": order.data["order_number"],
            "status": order.status,
            "substatus": order.substatus,
            "created_at": ts(order.created_at),
            "in_process_at": ts(order.created_at),
            "cancel_reason_id": self._cancellation(order)["cancel_reason_id"],
            "cancellation": {k: v for k, v in self._cancellation(order).items()
                             if k in ("cancel_reason", "cancellation_initiator", "cancellation_type")},
            "products": [{"sku": seller.products[ln.key].ids["sku"], "offer_id": seller.products[ln.key].offer_id,
                          "name": seller.products[ln.key].name, "quantity": ln.quantity,
                          "price": {"amount": _money(ln.price), "currency": "RUB"}, "digital_codes": [],
                          "is_marketplace_buyout": False} for ln in order.lines],
            "additional_data": [],
        }
        if extras.get("analytics_data"):
            posting["analytics_data"] = {"city": "Москва", "delivery_type": "PVZ", "is_premium": False,
                                         "is_legal": False, "payment_type_group_name": "Карты оплаты",
                                         "warehouse_id": int(order.warehouse_id), "warehouse_name": warehouse_name}
        if extras.get("financial_data"):
            posting["financial_data"] = {"cluster_from": "", "cluster_to": "", "products": [
                {k: v for k, v in self._financial(seller, ln, legacy=False).items()
                 if k not in ("customer_price", "quantity")} for ln in order.lines]}
        return posting

    # --- handlers: account --------------------------------------------------------------------------------------
    def seller_info(self, seller: Seller, body: dict[str, Any]) -> Response:
        return Response(200, {"company": seller.account["company"], "ratings": [],
                              "subscription": {"is_premium": False, "type": "UNSPECIFIED"}})

    # --- handlers: FBS postings ---------------------------------------------------------------------------------
    @staticmethod
    def _limit(body: dict[str, Any], high: int, *, default: int | None = None) -> int:
        value = body.get("limit", default)
        if value is None:
            raise HttpError(400, "limit: value is required")
        limit = _int(value, "limit")
        if not 1 <= limit <= high:
            raise HttpError(400, f"limit: value must be inside range [1, {high}]")
        return limit

    def _page(self, rows: list[tuple[Any, Any]], cursor: Any, limit: int, descending: bool
              ) -> tuple[list[Any], str, bool]:
        """Keyset paging over (sort key, item) rows: the cursor names the last key handed out, so postings that
        appear or change while a client pages never shift the pages it has not read yet."""
        rows.sort(key=lambda row: row[0], reverse=descending)
        after = _decode_cursor(cursor)
        if after is not None:
            after = tuple(after)
            rows = [r for r in rows if (r[0] < after if descending else r[0] > after)]
        page = rows[:limit]
        has_next = len(rows) > limit
        next_cursor = _encode_cursor(list(page[-1][0])) if page and has_next else ""
        return [item for _, item in page], next_cursor, has_next

    @staticmethod
    def _ids(values: Any, name: str) -> set[str]:
        if values in (None, []):
            return set()
        if not isinstance(values, list):
            raise HttpError(400, f"{name}: must be a list")
        return {str(_int(v, name)) for v in values}

    def _in_period(self, moment: datetime, period: Any, name: str, low: str = "from", high: str = "to") -> bool:
        if not period:
            return True
        if not isinstance(period, dict):
            raise HttpError(400, f"{name}: must be an object")
        start = parse_ts(period[low], f"{name}.{low}") if period.get(low) else None
        end = parse_ts(period[high], f"{name}.{high}") if period.get(high) else None
        moment = ms(moment)
        return (start is None or moment >= start) and (end is None or moment <= end)

    def _fbs_orders(self, seller: Seller) -> list[SOrder]:
        with self.world.lock:
            return [o for o in seller.orders.values() if o.scheme != "fbo"]

    def unfulfilled_list(self, seller: Seller, body: dict[str, Any]) -> Response:
        flt = body.get("filter") or {}
        limit = self._limit(body, 100, default=100)
        cutoff = flt.get("cutoff_from") or flt.get("cutoff_to")
        delivering = flt.get("delivering_date_from") or flt.get("delivering_date_to")
        if cutoff and delivering:
            raise HttpError(400, "use either cutoff or delivering_date filter, not both")
        wanted = set(flt.get("statuses") or UNFULFILLED)
        warehouses = self._ids(flt.get("warehouse_ids"), "filter.warehouse_ids")
        methods = self._ids(flt.get("delivery_method_ids"), "filter.delivery_method_ids")
        rows = []
        for order in self._fbs_orders(seller):
            if order.status not in wanted or (warehouses and order.warehouse_id not in warehouses):
                continue
            if methods and order.warehouse_id not in methods:
                continue
            if cutoff and not self._in_period(order.data["shipment_date"], flt, "filter", "cutoff_from",
                                              "cutoff_to"):
                continue
            if delivering and not (order.data.get("shipped_at") and self._in_period(
                    order.data["shipped_at"], flt, "filter", "delivering_date_from", "delivering_date_to")):
                continue
            if not self._in_period(order.updated_at, flt.get("last_changed_status_date"),
                                   "filter.last_changed_status_date"):
                continue
            rows.append(((ts(order.created_at), order.id), order))
        page, cursor, has_next = self._page(rows, body.get("cursor"), limit, body.get("sort_dir") == "DESC")
        extras = body.get("with") or {}
        postings = [self._posting(seller, o, extras) for o in page]
        return Response(200, {"postings": self.deliver(postings), "count": len(postings), "cursor": cursor,
                              "has_next": has_next})

    def fbs_list(self, seller: Seller, body: dict[str, Any]) -> Response:
        flt = body.get("filter")
        if not isinstance(flt, dict) or not flt.get("since") or not flt.get("to"):
            raise HttpError(400, "filter.since and filter.to are required")
        since, to = parse_ts(flt["since"], "filter.since"), parse_ts(flt["to"], "filter.to")
        if to - since > timedelta(days=366):
            raise HttpError(400, "PERIOD_IS_TOO_LONG: the period must not exceed one year")
        limit = self._limit(body, 100)
        wanted = set(flt.get("statuses") or [])
        warehouses = self._ids(flt.get("warehouse_ids"), "filter.warehouse_ids")
        order_numbers = set(flt.get("order_numbers") or [])
        rows = []
        for order in self._fbs_orders(seller):
            if not since <= ms(order.created_at) <= to:
                continue
            if (wanted and order.status not in wanted) or (warehouses and order.warehouse_id not in warehouses):
                continue
            if order_numbers and order.data["order_number"] not in order_numbers:
                continue
            if flt.get("order_id") and _int(flt["order_id"], "filter.order_id") != order.data["order_id"]:
                continue
            if not self._in_period(order.updated_at, flt.get("last_changed_status_date"),
                                   "filter.last_changed_status_date"):
                continue
            rows.append(((ts(order.created_at), order.id), order))
        page, cursor, has_next = self._page(rows, body.get("cursor"), limit, body.get("sort_dir") == "DESC")
        extras = body.get("with") or {}
        postings = [self._posting(seller, o, extras) for o in page]
        return Response(200, {"postings": self.deliver(postings), "cursor": cursor, "has_next": has_next})

    def _order(self, seller: Seller, posting_number: Any) -> SOrder:
        order = seller.orders.get(str(posting_number or ""))
        if order is None or order.scheme == "fbo":
            raise HttpError(404, f"POSTING_NOT_FOUND: {posting_number}")
        return order

    def fbs_get(self, seller: Seller, body: dict[str, Any]) -> Response:
        order = self._order(seller, body.get("posting_number"))
        extras = {"analytics_data": True, "financial_data": True, "barcodes": True, **(body.get("with") or {})}
        posting = self._posting(seller, order, extras, legacy=True)
        related = [o.id for o in seller.orders.values() if o.data.get("parent_posting_number") == order.id]
        posting["related_postings"] = {"related_posting_numbers": related}
        return Response(200, {"result": posting})

    def ship(self, seller: Seller, body: dict[str, Any]) -> Response:
        with self.world.lock:
            order = self._order(seller, body.get("posting_number"))
            if order.status != "awaiting_packaging":
                raise HttpError(400, f"POSTING_ALREADY_SHIPPED: posting {order.id} is {order.status}")
            packages = body.get("packages")
            if not isinstance(packages, list) or not packages:
                raise HttpError(400, "packages: value is required")
            by_sku = {seller.products[ln.key].ids["sku"]: ln for ln in order.lines}
            wanted = {sku: ln.quantity for sku, ln in by_sku.items()}
            split: list[list[tuple[SLine, int]]] = []
            for package in packages:
                items = package.get("products") if isinstance(package, dict) else None
                if not isinstance(items, list) or not items:
                    raise HttpError(400, "packages.products: value is required")
                lines = []
                for item in items:
                    sku, quantity = _int(item.get("product_id"), "product_id"), _int(item.get("quantity"), "quantity")
                    if sku not in by_sku or quantity < 1:
                        raise HttpError(400, f"INVALID_PRODUCT: product {sku} is not in posting {order.id}")
                    wanted[sku] -= quantity
                    lines.append((by_sku[sku], quantity))
                split.append(lines)
            if any(left != 0 for left in wanted.values()):
                raise HttpError(400, "INVALID_QUANTITY: packages must hold exactly the posting's products")
            if order.id in self.ship_failures:
                self.ship_failures.discard(order.id)
                order.set_status("awaiting_packaging", "ship_failed")
                return Response(200, {"result": [order.id]})
            numbers = [order.id]
            for index, package in enumerate(split[1:], start=2):
                number = f"{order.data['order_number']}-{index}"
                while number in seller.orders:
                    index += 100
                    number = f"{order.data['order_number']}-{index}"
                child = SOrder(id=number, warehouse_id=order.warehouse_id, scheme=order.scheme,
                               lines=[SLine(ln.key, q, ln.price) for ln, q in package], status=order.status,
                               substatus=order.substatus, created_at=order.created_at,
                               data={**order.data, "parent_posting_number": order.id})
                seller.orders[number] = child
                numbers.append(number)
                child.set_status("awaiting_deliver", "posting_transferring_to_delivery")
                child.data["shipped_at"] = child.updated_at
            order.lines = [SLine(ln.key, q, ln.price) for ln, q in split[0]]
            order.set_status("awaiting_deliver", "posting_transferring_to_delivery")
            order.data["shipped_at"] = order.updated_at
        return Response(200, {"result": numbers})

    def package_label(self, seller: Seller, body: dict[str, Any]) -> Response:
        numbers = body.get("posting_number")
        if not isinstance(numbers, list) or not numbers:
            raise HttpError(400, "posting_number: value is required")
        if len(numbers) > 20:
            raise HttpError(400, "posting_number: value must contain no more than 20 item(s)")
        orders = [self._order(seller, n) for n in numbers]
        not_ready = [o.id for o in orders if o.status != "awaiting_deliver" or (
            time.time() - o.data["shipped_at"].timestamp() < self.label_delay_s)]
        if not_ready:
            raise HttpError(400, f"The next postings aren't ready: {', '.join(not_ready)}")
        pdf = label_pdf([(o.id, o.id.replace("-", "")) for o in orders])
        return Response(200, pdf, {"Content-Disposition": 'attachment; filename="label.pdf"'}, "application/pdf")

    def cancel(self, seller: Seller, body: dict[str, Any]) -> Response:
        order = self._order(seller, body.get("posting_number"))
        reason_id = _int(body.get("cancel_reason_id"), "cancel_reason_id")
        if reason_id not in SELLER_CANCEL_REASONS:
            raise HttpError(400, f"HAS_INCORRECT_CANCEL_REASON: {reason_id}")
        message = str(body.get("cancel_reason_message") or "")
        if reason_id == 402 and not message.strip():
            raise HttpError(400, "cancel_reason_message is required when cancel_reason_id = 402")
        if order.status not in ("awaiting_approve", "awaiting_packaging", "awaiting_deliver", "awaiting_registration"):
            raise HttpError(400, f"POSTING_CANNOT_BE_CANCELLED: posting {order.id} is {order.status}")
        self._cancel(seller, order, reason_id, message or SELLER_CANCEL_REASONS[reason_id], "seller", "Продавец")
        return Response(200, {"result": True})

    def cancel_reason_list(self, seller: Seller, body: dict[str, Any]) -> Response:
        reasons = [{"id": i, "title": t, "type_id": "seller", "is_available_for_cancellation": True}
                   for i, t in SELLER_CANCEL_REASONS.items()]
        reasons.append({"id": BUYER_CANCEL_REASON[0], "title": BUYER_CANCEL_REASON[1], "type_id": "buyer",
                        "is_available_for_cancellation": False})
        return Response(200, {"result": reasons})

    def cancel_reasons_for(self, seller: Seller, body: dict[str, Any]) -> Response:
        numbers = body.get("related_posting_numbers")
        if not isinstance(numbers, list) or not numbers:
            raise HttpError(400, "related_posting_numbers: value is required")
        return Response(200, {"result": [
            {"posting_number": self._order(seller, n).id,
             "reasons": [{"id": i, "title": t, "type_id": "seller"} for i, t in SELLER_CANCEL_REASONS.items()]}
            for n in numbers
        ]})

    # --- handlers: stock ----------------------------------------------------------------------------------------
    def products_stocks(self, seller: Seller, body: dict[str, Any]) -> Response:
        items = body.get("stocks")
        if not isinstance(items, list) or not items:
            raise HttpError(400, "stocks: value is required")
        if len(items) > self.stock_batch_max:
            raise HttpError(400, f"stocks: value must contain no more than {self.stock_batch_max} item(s)")
        fbs = set(self._fbs_warehouses(seller))
        result = []
        with self.world.lock:
            for item in items:
                if not isinstance(item, dict):
                    raise HttpError(400, "stocks: each item must be an object")
                result.append(self._stock_one(seller, item, fbs))
        return Response(200, {"result": result})

    def _stock_one(self, seller: Seller, item: dict[str, Any], fbs: set[str]) -> dict[str, Any]:
        offer_id = str(item.get("offer_id") or "")
        product_id = _int(item.get("product_id") or 0, "product_id")
        warehouse_id = str(_int(item.get("warehouse_id"), "warehouse_id"))
        stock = _int(item.get("stock"), "stock")
        # Both given: the offer_id wins (documented).
        product = (seller.product_by_offer(offer_id) if offer_id
                   else next((p for p in seller.products.values() if p.ids.get("product_id") == product_id), None))
        row = {"warehouse_id": int(warehouse_id), "product_id": product.ids["product_id"] if product else product_id,
               "offer_id": product.offer_id if product else offer_id, "updated": False, "errors": []}
        error = None
        if product is None:
            error = ("offer_id_not_found", "offer_id not found") if offer_id else ("NOT_FOUND_ERROR",
                                                                                     "product not found")
        elif warehouse_id not in fbs:
            error = ("WAREHOUSE_NOT_FOUND", f"warehouse {warehouse_id} not found")
        elif stock < 0 or stock > self.max_stock:
            error = ("STOCK_TOO_BIG", "stock must be from 0 to 999999") if stock > 0 else (
                "INVALID_STOCK", "stock must not be negative")
        elif time.time() - product.stock_updated_at.get(warehouse_id, 0.0) < self.pair_interval_s:
            error = ("TOO_MANY_REQUESTS",
                     "stock of this item on this warehouse was updated less than 30 seconds ago")
        record_on = product or SProduct(key=offer_id or str(product_id), offer_id=offer_id)
        if error:
            row["errors"] = [{"code": error[0], "message": error[1]}]
            self.world.record_stock_update(seller, record_on, warehouse_id, stock, accepted=False,
                                           error=f"{error[0]}: {error[1]}")
        else:
            row["updated"] = True
            self.world.record_stock_update(seller, record_on, warehouse_id, stock, accepted=True)
        return row

    def stocks_by_warehouse(self, seller: Seller, body: dict[str, Any]) -> Response:
        limit = self._limit(body, 1000)
        offers = {str(o) for o in body.get("offer_id") or []}
        skus = {_int(s, "sku") for s in body.get("sku") or []}
        fbs = self._fbs_warehouses(seller)
        rows = []
        with self.world.lock:
            for product in seller.products.values():
                if (offers and product.offer_id not in offers) or (skus and product.ids["sku"] not in skus):
                    continue
                for warehouse_id in fbs:
                    reserved = self._reserved(seller, product.key, warehouse_id)
                    if warehouse_id not in product.stocks and not reserved:
                        continue
                    free = product.stocks.get(warehouse_id, 0)
                    rows.append({"sku": product.ids["sku"], "offer_id": product.offer_id,
                                 "product_id": product.ids["product_id"], "warehouse_id": int(warehouse_id),
                                 "warehouse_name": self._warehouse_name(seller, warehouse_id),
                                 "present": free + reserved, "reserved": reserved, "free_stock": free})
        start = int(_decode_cursor(body.get("cursor")) or 0)
        page = rows[start : start + limit]
        has_next = start + limit < len(rows)
        return Response(200, {"products": self.deliver(page), "cursor": _encode_cursor(start + limit) if has_next
                              else "", "has_next": has_next})

    def product_info_stocks(self, seller: Seller, body: dict[str, Any]) -> Response:
        flt = body.get("filter")
        if not isinstance(flt, dict):
            raise HttpError(400, "filter: value is required")
        limit = self._limit(body, 1000)
        offers = {str(o) for o in flt.get("offer_id") or []}
        product_ids = {_int(p, "product_id") for p in flt.get("product_id") or []}
        fbs = self._fbs_warehouses(seller)
        items = []
        with self.world.lock:
            for product in seller.products.values():
                if (offers and product.offer_id not in offers) or (
                        product_ids and product.ids["product_id"] not in product_ids):
                    continue
                reserved = sum(self._reserved(seller, product.key, w) for w in fbs)
                stocks = [{"type": "fbs", "sku": product.ids["sku"], "shipment_type": "SHIPMENT_TYPE_GENERAL",
                           "present": sum(product.stocks.get(w, 0) for w in fbs) + reserved, "reserved": reserved,
                           "warehouse_ids": [int(w) for w in fbs if w in product.stocks]}]
                if product.fbo_stocks:
                    stocks.append({"type": "fbo", "sku": product.ids["sku"], "shipment_type": "SHIPMENT_TYPE_GENERAL",
                                   "present": sum(product.fbo_stocks.values()), "reserved": 0,
                                   "warehouse_ids": [int(w) for w in product.fbo_stocks]})
                items.append({"offer_id": product.offer_id, "product_id": product.ids["product_id"],
                              "stocks": stocks})
        start = int(_decode_cursor(body.get("cursor")) or 0)
        page = items[start : start + limit]
        more = start + limit < len(items)
        return Response(200, {"items": page, "cursor": _encode_cursor(start + limit) if more else "",
                              "total": len(items)})

    # --- handlers: FBO ------------------------------------------------------------------------------------------
    def fbo_list(self, seller: Seller, body: dict[str, Any]) -> Response:
        flt = body.get("filter") or {}
        limit = self._limit(body, 100, default=100)
        since = parse_ts(flt["since"], "filter.since") if flt.get("since") else None
        to = parse_ts(flt["to"], "filter.to") if flt.get("to") else None
        if since and to and to - since > timedelta(days=366):
            raise HttpError(400, "PERIOD_IS_TOO_LONG: the period must not exceed one year")
        wanted = set(flt.get("statuses") or [])
        numbers = set(flt.get("posting_numbers") or [])
        rows = []
        with self.world.lock:
            for order in seller.orders.values():
                created = ms(order.created_at)
                if order.scheme != "fbo" or (since and created < since) or (to and created > to):
                    continue
                if (wanted and order.status not in wanted) or (numbers and order.id not in numbers):
                    continue
                rows.append(((ts(order.created_at), order.id), order))
        page, cursor, has_next = self._page(rows, body.get("cursor"), limit, body.get("sort_dir") == "DESC")
        extras = body.get("with") or {}
        postings = [self._fbo_posting(seller, o, extras) for o in page]
        return Response(200, {"postings": self.deliver(postings), "cursor": cursor, "has_next": has_next})

    def analytics_stocks(self, seller: Seller, body: dict[str, Any]) -> Response:
        skus = body.get("skus")
        if not isinstance(skus, list) or not skus:
            raise HttpError(400, "skus: value is required")
        if len(skus) > 100:
            raise HttpError(400, "skus: value must contain no more than 100 item(s)")
        wanted = {_int(s, "skus") for s in skus}
        warehouses = self._ids(body.get("warehouse_ids"), "warehouse_ids")
        items = []
        with self.world.lock:
            for product in seller.products.values():
                if product.ids["sku"] not in wanted:
                    continue
                for warehouse_id, quantity in product.fbo_stocks.items():
                    if warehouses and warehouse_id not in warehouses:
                        continue
                    items.append({
                        "sku": product.ids["sku"], "offer_id": product.offer_id, "name": product.name,
                        "warehouse_id": int(warehouse_id), "warehouse_name": self._warehouse_name(seller, warehouse_id),
                        "cluster_id": 154, "cluster_name": "Москва, МО и Дальние регионы", "macrolocal_cluster_id": 4,
                        "available_stock_count": quantity, "valid_stock_count": 0, "transit_stock_count": 0,
                        "requested_stock_count": 0, "return_from_customer_stock_count": 0,
                        "return_to_seller_stock_count": 0, "stock_defect_stock_count": 0,
                        "transit_defect_stock_count": 0, "excess_stock_count": 0, "expiring_stock_count": 0,
                        "waiting_docs_stock_count": 0, "other_stock_count": 0, "ads": 0.0, "ads_cluster": 0.0,
                        "idc": 0.0, "idc_cluster": 0.0, "days_without_sales": 0, "days_without_sales_cluster": 0,
                        "turnover_grade": "ACTUAL", "turnover_grade_cluster": "ACTUAL",
                        "item_tags": ["ITEM_ATTRIBUTE_NONE"],
                    })
        return Response(200, {"items": self.deliver(items)})

    # --- handlers: returns --------------------------------------------------------------------------------------
    def returns_list(self, seller: Seller, body: dict[str, Any]) -> Response:
        flt = body.get("filter") or {}
        limit = self._limit(body, 500)
        dates = [k for k in ("logistic_return_date", "storage_tariffication_start_date",
                             "visual_status_change_moment") if flt.get(k)]
        if len(dates) > 1:
            raise HttpError(400, "use only one of logistic_return_date, storage_tariffication_start_date, "
                                 "visual_status_change_moment")
        numbers = set(flt.get("posting_numbers") or [])
        if len(numbers) > 50:
            raise HttpError(400, "filter.posting_numbers: no more than 50")
        schema = str(flt.get("return_schema") or "").upper()
        last_id = _int(body.get("last_id") or 0, "last_id")
        rows = []
        with self.world.lock:
            for ret in sorted(seller.returns.values(), key=lambda r: int(r.id)):
                if int(ret.id) <= last_id or (numbers and ret.order_id not in numbers):
                    continue
                if schema and ret.data.get("schema") != schema:
                    continue
                if flt.get("visual_status_change_moment") and not self._in_period(
                        ret.updated_at, flt["visual_status_change_moment"], "filter.visual_status_change_moment",
                        "time_from", "time_to"):
                    continue
                if flt.get("logistic_return_date") and not self._in_period(
                        ret.created_at, flt["logistic_return_date"], "filter.logistic_return_date", "time_from",
                        "time_to"):
                    continue
                rows.append(ret)
        page = rows[:limit]
        items = [self._return_json(seller, r) for r in page]
        return Response(200, {"returns": self.deliver(items), "has_next": len(rows) > limit})

    def _return_json(self, seller: Seller, ret: SReturn) -> dict[str, Any]:
        order = seller.orders.get(ret.order_id)
        line = ret.lines[0]
        product = seller.products.get(line.key)
        status_id, display = RETURN_STATUS_NAMES.get(ret.status, (0, ret.status))
        price = float(line.price)
        warehouse = int(order.warehouse_id) if order else 0
        return {
            "id": int(ret.id),
            "company_id": int(seller.credentials.get("client_id") or 0),
            "return_reason_name": ret.reason,
            "type": ret.kind,
            "schema": ret.data.get("schema", "FBS"),
            "order_id": order.data["order_id"] if order else 0,
            "order_number": order.data["order_number"] if order else "",
            "posting_number": ret.order_id,
            "place": {"id": 23869688194000, "name": "ПВЗ Москва, Тверская 1", "address": "Москва, Тверская ул., 1"},
            "target_place": {"id": warehouse, "name": self._warehouse_name(seller, str(warehouse)), "address": ""},
            "product": {
                "sku": product.ids["sku"] if product else 0, "offer_id": product.offer_id if product else line.key,
                "name": product.name if product else "", "quantity": line.quantity,
                "price": {"currency_code": "RUB", "price": price},
                "price_without_commission": {"currency_code": "RUB", "price": round(price * 0.8, 2)},
                "commission_percent": 20, "commission": {"currency_code": "RUB", "price": round(price * 0.2, 2)},
            },
            "logistic": {"return_date": ts(ret.created_at), "barcode": f"ii{ret.id}"},
            "visual": {"status": {"id": status_id, "display_name": display, "sys_name": ret.status},
                       "change_moment": ts(ret.updated_at)},
            "storage": {"sum": {"currency_code": "RUB", "price": 0}, "days": 0},
            "additional_info": {"is_opened": False, "is_super_econom": False},
            "exemplars": [{"id": 1_019_562_967_000_000 + int(ret.id)}],
        }

    # --- rFBS return requests (ozon.md §8.2) ----------------------------------------------------------------------
    @staticmethod
    def _rfbs(seller: Seller, order: SOrder) -> bool:
        """A posting the seller delivers himself: from a warehouse marked ``rfbs`` (or any, for an rFBS account)."""
        return order.scheme != "fbo" and bool(
            seller.account.get("rfbs") or (seller.warehouses.get(order.warehouse_id) or {}).get("rfbs"))

    def _rfbs_request(self, seller: Seller, order: SOrder) -> SReturn:
        """The buyer asks to return the first product of a delivered rFBS posting."""
        requests = seller.data.setdefault("rfbs_returns", {})
        with self.world.lock:
            line = order.lines[0]
            return_id = str(8_000_000_000 + self.world.next_id())
            request = SReturn(id=return_id, order_id=order.id, lines=[SLine(line.key, 1, line.price)],
                              status="ON_APPROVAL", reason=RFBS_RETURN_REASON["name"], kind="rfbs",
                              data={"number": f"RET-{order.data['order_number']}-{len(requests) + 1}",
                                    "comment": "Шов разошёлся после первой стирки", "history": []})
            requests[return_id] = request
        return request

    def _rfbs_json(self, seller: Seller, request: SReturn, *, detail: bool = False) -> dict[str, Any]:
        order = seller.orders.get(request.order_id)
        product = seller.products.get(request.lines[0].key)
        group, name = RFBS_STATES[request.status]
        item: dict[str, Any] = {
            "return_id": int(request.id),
            "return_number": request.data["number"],
            "posting_number": request.order_id,
            "order_number": order.data["order_number"] if order else "",
            "created_at": ts(request.created_at),
            "product": {"sku": product.ids["sku"] if product else 0,
                        "offer_id": product.offer_id if product else request.lines[0].key,
                        "name": product.name if product else "", "price": int(request.lines[0].price),
                        "currency_code": "RUB"},
            "state": {"state": request.status, "state_name": name},
        }
        if not detail:
            item["state"]["group_state"] = group
            item["state"]["money_return_state_name"] = ("Деньги возвращены" if group == "Approved"
                                                        else "Деньги не возвращены")
            return item
        item.update({
            "available_actions": [{"id": RFBS_ACTIONS[a][0], "name": RFBS_ACTIONS[a][1]}
                                  for a in RFBS_OFFERED.get(request.status, ())],
            "client_photo": [f"https://cdn1.ozone.ru/s3/returns/{request.id}/1.jpg"],
            "client_return_method_type": {"id": 1, "name": "Почта России"},
            "comment": request.data["comment"],
            "rejection_reason": RFBS_REJECTION_REASONS if request.status in ("ON_APPROVAL", "RECEIVED") else [],
            "rejection_comment": request.data.get("rejection_comment", ""),
            "return_method_description": request.data.get("return_method_description", ""),
            "return_reason": RFBS_RETURN_REASON,
            "ru_post_tracking_number": "",
            "warehouse_id": int(order.warehouse_id) if order else 0,
        })
        return item

    def _rfbs_request_of(self, seller: Seller, body: dict[str, Any]) -> SReturn:
        return_id = str(_int(body.get("return_id"), "return_id"))
        request = seller.data.get("rfbs_returns", {}).get(return_id)
        if request is None:
            raise HttpError(404, f"return request {return_id} not found")
        return request

    def _rfbs_move(self, seller: Seller, body: dict[str, Any], action: str, **data: Any) -> Response:
        """Apply ``action`` when the request's state offers it; Ozon refuses anything else."""
        with self.world.lock:
            request = self._rfbs_request_of(seller, body)
            if action not in RFBS_OFFERED.get(request.status, ()):
                raise HttpError(400, f"action is not available for return request {request.id} in state "
                                     f"{request.status}", code=FAILED_PRECONDITION)
            request.status = RFBS_ACTIONS[action][2]
            request.updated_at = utcnow()
            request.data.update({k: v for k, v in data.items() if v not in (None, "")})
            request.data["history"].append(action)
        return Response(200, {})

    @staticmethod
    def _require_rfbs_role(seller: Seller) -> None:
        """An API key made without the rFBS returns role (``"rfbs_role": false`` on the account) is refused."""
        if seller.account.get("rfbs_role") is False:
            raise HttpError(403, "Api-Key is missing a required role for a method")

    def rfbs_list(self, seller: Seller, body: dict[str, Any]) -> Response:
        self._require_rfbs_role(seller)
        flt = body.get("filter") or {}
        limit = self._limit(body, 1000)
        groups = set(flt.get("group_state") or ["All"])
        unknown = groups - set(RFBS_GROUPS)
        if unknown:
            raise HttpError(400, f"filter.group_state: unknown value {sorted(unknown)[0]}")
        last_id = _int(body.get("last_id") or 0, "last_id")
        with self.world.lock:
            found = []
            for request in sorted(seller.data.get("rfbs_returns", {}).values(), key=lambda r: int(r.id)):
                if int(request.id) <= last_id or ("All" not in groups and RFBS_STATES[request.status][0] not in groups):
                    continue
                if flt.get("posting_number") and request.order_id != flt["posting_number"]:
                    continue
                if flt.get("offer_id") and seller.products[request.lines[0].key].offer_id != flt["offer_id"]:
                    continue
                if not self._in_period(request.created_at, flt.get("created_at"), "filter.created_at"):
                    continue
                found.append(self._rfbs_json(seller, request))
        return Response(200, {"returns": self.deliver(found[:limit])})

    def rfbs_get(self, seller: Seller, body: dict[str, Any]) -> Response:
        with self.world.lock:
            return Response(200, {"returns": self._rfbs_json(seller, self._rfbs_request_of(seller, body), detail=True)})

    def rfbs_verify(self, seller: Seller, body: dict[str, Any]) -> Response:
        return self._rfbs_move(seller, body, "verify", return_method_description=body.get("return_method_description"))

    def rfbs_receive(self, seller: Seller, body: dict[str, Any]) -> Response:
        return self._rfbs_move(seller, body, "receive")

    def rfbs_return_money(self, seller: Seller, body: dict[str, Any]) -> Response:
        return self._rfbs_move(seller, body, "return_money", return_for_back_way=body.get("return_for_back_way"))

    def rfbs_compensate(self, seller: Seller, body: dict[str, Any]) -> Response:
        if not body.get("compensation_amount"):
            raise HttpError(400, "compensation_amount: value is required")
        return self._rfbs_move(seller, body, "compensate", compensation_amount=body["compensation_amount"])

    def _rejection(self, body: dict[str, Any]) -> dict[str, Any]:
        reason_id = body.get("rejection_reason_id")
        reason = next((r for r in RFBS_REJECTION_REASONS if r["id"] == reason_id), None)
        if reason is None:
            raise HttpError(400, f"rejection_reason_id: unknown reason {reason_id}")
        comment = str(body.get("comment") or "").strip()
        if reason["is_comment_required"] and not comment:
            raise HttpError(400, f"comment is required for the rejection reason {reason_id}")
        return {"rejection_reason_id": reason_id, "rejection_comment": comment}

    def rfbs_reject(self, seller: Seller, body: dict[str, Any]) -> Response:
        rejection = self._rejection(body)
        with self.world.lock:
            status = self._rfbs_request_of(seller, body).status
        return self._rfbs_move(seller, body, "reject_after_check" if status == "RECEIVED" else "reject", **rejection)

    def rfbs_action_set(self, seller: Seller, body: dict[str, Any]) -> Response:
        """``/v1/returns/rfbs/action/set``: one of the request's ``available_actions`` by id, with what it needs."""
        action_id = _int(body.get("id"), "id") if body.get("id") is not None else None
        action = next((name for name, (ident, _n, _s) in RFBS_ACTIONS.items() if ident == action_id), None)
        extra: dict[str, Any] = {}
        if action_id in (-1, -10):
            if not str(body.get("comment") or "").strip():
                raise HttpError(400, "comment is required for id -1 and -10")
            extra = self._rejection(body)
        if action_id == 1020:
            if not body.get("compensation_amount"):
                raise HttpError(400, "compensation_amount is required for id 1020")
            extra = {"compensation_amount": body["compensation_amount"]}
        if action is None:
            raise HttpError(400, f"id: unknown action {action_id}")
        return self._rfbs_move(seller, body, action, comment=body.get("comment"), **extra)

    # --- rFBS cancellation requests (ozon.md §4) ------------------------------------------------------------------
    def _cancellation_request(self, seller: Seller, order: SOrder) -> None:
        requests = seller.data.setdefault("conditional_cancellations", {})
        with self.world.lock:
            if any(r["posting_number"] == order.id and r["state"]["state"] == "ON_APPROVAL"
                   for r in requests.values()):
                raise HttpError(409, f"posting {order.id} already has a cancellation request")
            now = utcnow()
            cancellation_id = 70_000_000 + self.world.next_id()
            requests[str(cancellation_id)] = {
                "cancellation_id": cancellation_id, "posting_number": order.id,
                "cancellation_reason": {"id": BUYER_CANCEL_REASON[0], "name": BUYER_CANCEL_REASON[1]},
                "cancellation_reason_message": "Передумал, нашёл дешевле", "cancellation_initiator": "CLIENT",
                "cancelled_at": ts(now), "order_date": ts(order.created_at),
                "auto_approve_date": ts(now + timedelta(hours=CANCELLATION_AUTO_APPROVE_HOURS)),
                "state": {"id": 1, "name": "На согласовании", "state": "ON_APPROVAL"},
                "tpl_integration_type": "non_integrated", "source_id": cancellation_id,
            }

    def cancellation_list(self, seller: Seller, body: dict[str, Any]) -> Response:
        self._require_rfbs_role(seller)
        filters = body.get("filters") or {}
        limit = self._limit(body, 500)
        state = filters.get("state") or "ALL"
        postings = set(filters.get("posting_number") or [])
        initiators = set(filters.get("cancellation_initiator") or [])
        last_id = _int(body.get("last_id") or 0, "last_id")
        with self.world.lock:
            rows = [dict(r) for r in sorted(seller.data.get("conditional_cancellations", {}).values(),
                                            key=lambda r: r["cancellation_id"])
                    if r["cancellation_id"] > last_id and state in ("ALL", r["state"]["state"])
                    and (not postings or r["posting_number"] in postings)
                    and (not initiators or r["cancellation_initiator"] in initiators)]
            waiting = sum(1 for r in seller.data.get("conditional_cancellations", {}).values()
                          if r["state"]["state"] == "ON_APPROVAL")
        page = rows[:limit]
        answer: dict[str, Any] = {"result": self.deliver(page), "last_id": page[-1]["cancellation_id"] if page else 0}
        if (body.get("with") or {}).get("counter"):
            answer["counter"] = waiting
        return Response(200, answer)

    def _answer_cancellation(self, seller: Seller, body: dict[str, Any], state: str, name: str) -> dict[str, Any]:
        cancellation_id = str(_int(body.get("cancellation_id"), "cancellation_id"))
        request = seller.data.get("conditional_cancellations", {}).get(cancellation_id)
        if request is None:
            raise HttpError(404, f"cancellation request {cancellation_id} not found")
        if request["state"]["state"] != "ON_APPROVAL":
            raise HttpError(400, f"cancellation request {cancellation_id} is {request['state']['state']}, not "
                                 "ON_APPROVAL", code=FAILED_PRECONDITION)
        request.update(state={"id": 2 if state == "APPROVED" else 3, "name": name, "state": state},
                       approve_date=ts(utcnow()), approve_comment=str(body.get("comment") or ""))
        return request

    def cancellation_approve(self, seller: Seller, body: dict[str, Any]) -> Response:
        """The posting is cancelled and the buyer's money returned."""
        with self.world.lock:
            request = self._answer_cancellation(seller, body, "APPROVED", "Подтверждена")
            order = seller.orders[request["posting_number"]]
            self._cancel(seller, order, BUYER_CANCEL_REASON[0], BUYER_CANCEL_REASON[1], "client", "Покупатель")
        return Response(200, {})

    def cancellation_reject(self, seller: Seller, body: dict[str, Any]) -> Response:
        """The posting stays as it is and must be delivered."""
        with self.world.lock:
            self._answer_cancellation(seller, body, "REJECTED", "Отклонена")
        return Response(200, {})
