"""Emulated Wildberries seller API (2026-08 surface) on one port for every API family.

What it keeps per seller (``Seller.data``): assembly tasks (``Seller.orders``, one per unit, ``status`` =
supplierStatus, ``substatus`` = wbStatus), supplies, Statistics order and sale rows (Moscow time without offset),
claims (``Seller.returns``) and token buckets. Stock shown per seller warehouse lives in ``SProduct.stocks`` keyed by
the product's chrtId (``SProduct.key``); WB-warehouse stock in ``SProduct.fbo_stocks``.

Limits are the documented ones (token bucket per seller and method group; 429 with X-Ratelimit-Retry/Limit/Reset,
X-Ratelimit-Remaining on other answers; a 4xx on Marketplace methods costs 10 tokens). A seller's ``account`` may
carry ``rate_limits``: ``false`` (off) or ``{group: [rate, period_s, burst]}`` overrides, ``statistics_page_size``
(default 80000) and ``processing_warehouses`` (ids answering 409 StoreIsProcessing).
"""

from __future__ import annotations

import base64
import json
import math
import struct
import time
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from typing import Any
from zoneinfo import ZoneInfo

from connectors.sandbox.server import HttpError, MarketplaceApp, Request, Response, Router
from connectors.sandbox.world import Seller, SLine, SOrder, SProduct, SReturn

MOSCOW = ZoneInfo("Europe/Moscow")
WB_WAREHOUSE_TYPE = "Склад WB"
SELLER_WAREHOUSE_TYPE = "Склад продавца"
AGGREGATED_WB_WAREHOUSE = -999999  # stocks-report/wb-warehouses: WB currently aggregates its warehouses (RN 570)
MAX_AMOUNT = 100_000
STATISTICS_PAGE = 80_000

# group → (rate, period seconds, burst), Personal token (the spec's "description_limit" tables).
LIMITS: dict[str, tuple[float, float, int]] = {
    "marketplace": (300, 60, 20),
    "marketplace_cancel": (100, 60, 20),
    "stocks": (300, 60, 20),
    "warehouses": (300, 60, 20),
    "statistics_orders": (1, 60, 10),
    "statistics_sales": (1, 60, 1),
    "analytics_wb_stocks": (3, 60, 1),
    "claims": (20, 60, 10),
    "content": (100, 60, 5),
    "seller_info": (1, 60, 10),
    "ping": (3, 30, 3),
}
# Base (acc=1, without a service secret) and Test (acc=2) tokens get less (api-information, 2026).
REDUCED_LIMITS: dict[int, dict[str, tuple[float, float, int]]] = {
    1: {"marketplace": (150, 60, 10), "stocks": (150, 60, 10), "warehouses": (150, 60, 10),
        "statistics_orders": (1, 10800, 1), "statistics_sales": (1, 7200, 1), "claims": (1, 3600, 1),
        "seller_info": (1, 86400, 1)},
    2: {"marketplace": (150, 60, 10), "stocks": (150, 60, 10), "warehouses": (150, 60, 10)},
}
# Token ``s`` bits (1-based) per API family.
CATEGORY_BITS = {"content": 1, "analytics": 2, "marketplace": 4, "statistics": 5, "returns": 11}
READ_ONLY_BIT = 30

CARGO_RESTRICTIONS = {1: "CargoWarehouseRestrictionMGT", 2: "CargoWarehouseRestrictionSGT",
                      3: "CargoWarehouseRestrictionKGTPlus"}
STICKER_SIZES = {(58, 40): (580, 400), (40, 30): (400, 300)}
CLAIM_ACTIONS = ["approve1", "approve2", "autorefund1", "reject1", "reject2", "reject3", "rejectcustom"]
# What an answered claim becomes: (status, status_ex).
CLAIM_OUTCOMES = {"approve1": (2, 8), "approve2": (2, 10), "autorefund1": (2, 5), "reject1": (1, 1),
                  "reject2": (1, 1), "reject3": (1, 1), "rejectcustom": (1, 1)}
CLAIM_APPROVALS = frozenset({"approve1", "approve2", "autorefund1"})
# What the buyer reads for WB's template answers (the spec's summaries).
CLAIM_ANSWERS = {"reject1": "Брак не обнаружен", "reject2": "Добавить фото/видео",
                 "reject3": "Направить в сервисный центр"}


def _now() -> datetime:
    return datetime.now(UTC)


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _moscow(moment: datetime, *, micro: bool = False) -> str:
    local = moment.astimezone(MOSCOW).replace(tzinfo=None)
    return local.isoformat(timespec="microseconds" if micro else "seconds")


def _parse_moscow(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return (moment if moment.tzinfo else moment.replace(tzinfo=MOSCOW)).astimezone(UTC)


def _token_claims(token: str) -> dict[str, Any] | None:
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, TypeError):
        return None
    return claims if isinstance(claims, dict) else None


@dataclass
class _Bucket:
    """WB's token bucket: ``burst`` tokens, refilled at ``rate`` per ``period``; a 4xx may put it in debt."""

    per_second: float
    burst: int
    tokens: float
    at: float

    def _refill(self) -> None:
        now = time.monotonic()
        self.tokens = min(float(self.burst), self.tokens + (now - self.at) * self.per_second)
        self.at = now

    def take(self) -> bool:
        self._refill()
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False

    def charge(self, cost: float) -> None:
        self._refill()
        self.tokens -= cost

    def seconds_until(self, tokens: float) -> int:
        return max(1, math.ceil((tokens - self.tokens) / self.per_second))


class WildberriesApp(MarketplaceApp):
    marketplace = "wb"
    rate_limit_status = 429

    # --- routes -----------------------------------------------------------------------------------------------
    def register(self, router: Router) -> None:
        e = self._endpoint
        router.add("GET", "/ping", e(None, "ping", self.ping))
        router.add("GET", "/api/v1/seller-info", e(None, "seller_info", self.seller_info))
        router.add("GET", "/api/v3/warehouses", e("marketplace", "warehouses", self.list_warehouses))
        router.add("GET", "/api/v3/orders/new", e("marketplace", "marketplace", self.orders_new))
        router.add("GET", "/api/v3/orders", e("marketplace", "marketplace", self.orders_list))
        router.add("POST", "/api/v3/orders/status", e("marketplace", "marketplace", self.orders_status))
        router.add("PATCH", "/api/v3/orders/{orderId}/cancel",
                   e("marketplace", "marketplace_cancel", self.cancel_order, write=True))
        router.add("POST", "/api/v3/orders/stickers", e("marketplace", "marketplace", self.stickers))
        router.add("POST", "/api/v3/supplies", e("marketplace", "marketplace", self.create_supply, write=True))
        router.add("GET", "/api/v3/supplies", e("marketplace", "marketplace", self.list_supplies))
        router.add("GET", "/api/v3/supplies/{supplyId}", e("marketplace", "marketplace", self.get_supply))
        router.add("DELETE", "/api/v3/supplies/{supplyId}",
                   e("marketplace", "marketplace", self.delete_supply, write=True))
        router.add("PATCH", "/api/marketplace/v3/supplies/{supplyId}/orders",
                   e("marketplace", "marketplace", self.add_to_supply, write=True))
        router.add("GET", "/api/marketplace/v3/supplies/{supplyId}/order-ids",
                   e("marketplace", "marketplace", self.supply_order_ids))
        router.add("PATCH", "/api/v3/supplies/{supplyId}/deliver",
                   e("marketplace", "marketplace", self.deliver_supply, write=True))
        router.add("GET", "/api/v3/supplies/{supplyId}/barcode", e("marketplace", "marketplace", self.supply_barcode))
        router.add("PUT", "/api/v3/stocks/{warehouseId}", e("marketplace", "stocks", self.put_stocks, write=True))
        router.add("POST", "/api/v3/stocks/{warehouseId}", e("marketplace", "stocks", self.read_stocks))
        router.add("GET", "/api/v1/supplier/orders",
                   e("statistics", "statistics_orders", lambda r: self.statistics(r, "stat_orders")))
        router.add("GET", "/api/v1/supplier/sales",
                   e("statistics", "statistics_sales", lambda r: self.statistics(r, "stat_sales")))
        router.add("POST", "/api/analytics/v1/stocks-report/wb-warehouses",
                   e("analytics", "analytics_wb_stocks", self.wb_warehouse_stocks))
        router.add("POST", "/content/v2/get/cards/list", e("content", "content", self.cards_list))
        router.add("GET", "/api/v1/claims", e("returns", "claims", self.list_claims))
        router.add("PATCH", "/api/v1/claim", e("returns", "claims", self.answer_claim, write=True))

    def _endpoint(self, family: str | None, group: str, handler: Callable[[Request], Response], *,
                  write: bool = False) -> Callable[[Request], Response]:
        """Token scope, the group's bucket, the handler under the world lock, WB's rate-limit headers."""

        def run(request: Request) -> Response:
            claims = _token_claims(request.header("authorization") or "")
            if claims is not None:
                bits = claims.get("s")
                if isinstance(bits, int) and family in CATEGORY_BITS and not bits & (1 << (CATEGORY_BITS[family] - 1)):
                    return Response(401, self.gateway_error(401, "token scope not allowed for this API route"))
                if write and isinstance(bits, int) and bits & (1 << (READ_ONLY_BIT - 1)):
                    return Response(401, self.gateway_error(401, "read-only token scope not allowed for this route"))
            with self.world.lock:
                bucket = self._bucket(request.seller, group, claims)
                if bucket is not None and not bucket.take():
                    return self._too_many(bucket)
                try:
                    response = handler(request)
                except HttpError as exc:
                    response = Response(exc.status, self.error_body(exc.status, exc.message, exc.code), exc.headers)
                if bucket is not None:
                    if family == "marketplace" and 400 <= response.status < 500:
                        bucket.charge(9)  # "a request answered 4XX counts as 10 requests"
                    response.headers.setdefault("X-Ratelimit-Remaining", str(max(0, int(bucket.tokens))))
            return response

        return run

    def _bucket(self, seller: Seller | None, group: str, claims: dict[str, Any] | None) -> _Bucket | None:
        if seller is None:
            return None
        overrides = seller.account.get("rate_limits", {})
        if overrides is False:
            return None
        limit = LIMITS[group]
        token_type = claims.get("acc") if claims else None
        limit = REDUCED_LIMITS.get(token_type, {}).get(group, limit) if isinstance(token_type, int) else limit
        if isinstance(overrides, dict) and group in overrides:
            rate, period, burst = overrides[group]
            limit = (float(rate), float(period), int(burst))
        buckets = seller.data.setdefault("buckets", {})
        bucket = buckets.get(group)
        if bucket is None:
            rate, period, burst = limit
            bucket = buckets[group] = _Bucket(rate / period, burst, float(burst), time.monotonic())
        return bucket

    def _too_many(self, bucket: _Bucket) -> Response:
        return Response(429, self.gateway_error(429, f"limited by {uuid.uuid4()}"), {
            "X-Ratelimit-Retry": str(bucket.seconds_until(1)),
            "X-Ratelimit-Limit": str(bucket.burst),
            "X-Ratelimit-Reset": str(bucket.seconds_until(bucket.burst)),
        })

    def rate_limited(self, request: Request, retry_after: float = 1.0) -> Response:
        seconds = str(max(1, round(retry_after)))
        return Response(429, self.gateway_error(429, f"limited by {uuid.uuid4()}"),
                        {"X-Ratelimit-Retry": seconds, "X-Ratelimit-Limit": "20", "X-Ratelimit-Reset": seconds})

    # --- auth and errors ----------------------------------------------------------------------------------------
    def authenticate(self, request: Request) -> Seller:
        token = request.header("authorization") or ""
        if not token:
            raise HttpError(401, "empty Authorization header")
        for seller in self.world.sellers_of(self.marketplace):
            if token == str(seller.credentials.get("token") or ""):
                return seller
        raise HttpError(401, "token problem; token is malformed or unknown")

    def gateway_error(self, status: int, detail: str) -> dict[str, Any]:
        """The API gateway's error body (401, 429)."""
        return {"title": HTTPStatus(status).phrase.lower(), "detail": detail,
                "code": uuid.uuid4().hex[:12], "requestId": uuid.uuid4().hex, "origin": "s2s-api-auth-catalog",
                "status": status, "statusText": HTTPStatus(status).phrase, "timestamp": _rfc3339(_now())}

    def error_body(self, status: int, message: str, code: str = "") -> Any:
        if status in (401, 429):
            return self.gateway_error(status, message)
        default = {400: "IncorrectRequest", 403: "AccessDenied", 404: "NotFound", 409: "Conflict"}
        return {"code": code or default.get(status, "InternalServerError"), "message": message}

    @staticmethod
    def _body(request: Request) -> dict[str, Any]:
        body = request.json
        if not isinstance(body, dict):
            raise HttpError(400, "Некорректное тело запроса", code="IncorrectRequestBody")
        return body

    @staticmethod
    def _int_list(body: dict[str, Any], key: str, low: int, high: int) -> list[int]:
        values = body.get(key)
        if not isinstance(values, list) or not low <= len(values) <= high or not all(
                isinstance(v, int) and not isinstance(v, bool) for v in values):
            raise HttpError(400, "Некорректное тело запроса", code="IncorrectRequestBody")
        return values

    @staticmethod
    def _int_arg(request: Request, name: str, default: int | None = None, *, low: int | None = None,
                 high: int | None = None) -> int:
        raw = request.arg(name)
        if raw is None or raw == "":
            if default is None:
                raise HttpError(400, f"Передан некорректный параметр: {name}", code="IncorrectParameter")
            return default
        try:
            value = int(raw)
        except ValueError as exc:
            raise HttpError(400, f"Передан некорректный параметр: {name}", code="IncorrectParameter") from exc
        if (low is not None and value < low) or (high is not None and value > high):
            raise HttpError(400, f"Передан некорректный параметр: {name}", code="IncorrectParameter")
        return value

    # --- sellers and products -----------------------------------------------------------------------------------
    def create_seller(self, spec: dict[str, Any]) -> Seller:
        for warehouse in spec.get("warehouses") or []:
            if not warehouse.get("fbo") and not str(warehouse["id"]).isdigit():
                raise ValueError(f"a WB seller warehouse id is an integer, got {warehouse['id']!r}")
        seller = super().create_seller(spec)
        seller.account.setdefault("sid", str(uuid.uuid4()))
        seller.account.setdefault("name", f"ИП {seller.id}")
        seller.account.setdefault("trade_mark", f"Shop {seller.id}")
        seller.data.update({"supplies": {}, "stat_orders": [], "stat_sales": [], "buckets": {}})
        return seller

    def fill_product_ids(self, seller: Seller, product: SProduct) -> None:
        ids = product.ids
        base = self.world.next_id()
        # An explicit numeric key is the chrtId; without one the key is still the offer id.
        key = product.key if product.key.isdigit() and product.key != product.offer_id else ""
        chrt = ids.get("chrt_id") or ids.get("chrtId") or (int(key) if key else 300_000_000 + base)
        ids["chrt_id"] = int(chrt)
        ids["nm_id"] = int(ids.get("nm_id") or ids.get("nmId") or 200_000_000 + base)
        ids["imt_id"] = int(ids.get("imt_id") or 100_000_000 + base)
        ids["barcode"] = str(ids.get("barcode") or f"204{base:010d}")
        ids.setdefault("cargo_type", 1)
        product.key = str(ids["chrt_id"])

    def _warehouse(self, seller: Seller, warehouse_id: str, *, fbo: bool = False) -> dict[str, Any]:
        info = seller.warehouses.get(str(warehouse_id))
        if info is None or bool(info.get("fbo")) != fbo:
            raise HttpError(404, "Склад не найден", code="NotFound")
        return info

    def _product_by_chrt(self, seller: Seller, chrt_id: Any) -> SProduct | None:
        product = seller.products.get(str(chrt_id))
        return product if product is not None and product.ids.get("chrt_id") == chrt_id else None

    # --- buyers' side -------------------------------------------------------------------------------------------
    def place_order(self, seller: Seller, lines: list[tuple[SProduct, int]], warehouse_id: str, scheme: str = "fbs"
                    ) -> list[SOrder]:
        """One assembly task per unit (FBS), or one Statistics order row per unit (FBO, WB warehouse)."""
        fbo = scheme == "fbo"
        if fbo and not seller.warehouses.get(str(warehouse_id), {}).get("fbo"):
            warehouse_id = next((w for w, i in seller.warehouses.items() if i.get("fbo")), warehouse_id)
        info = self._warehouse(seller, warehouse_id, fbo=fbo)
        for product, quantity in lines:
            shown = (product.fbo_stocks if fbo else product.stocks).get(warehouse_id, 0)
            if quantity <= 0 or shown < quantity:
                raise HttpError(409, f"{product.offer_id}: {shown} shown, {quantity} ordered")
        basket = f"{self.world.random.randint(10**7, 10**8 - 1)}_{uuid.UUID(int=self.world.random.getrandbits(128)).hex}"
        placed = []
        for product, quantity in lines:
            if fbo:
                product.fbo_stocks[warehouse_id] -= quantity
            elif not self.take_stock(seller, product, warehouse_id, quantity):
                raise HttpError(409, f"{product.offer_id}: not enough stock shown")
            for _unit in range(quantity):
                placed.append(self._fbo_unit(seller, product, warehouse_id, info, basket) if fbo
                              else self._fbs_unit(seller, product, warehouse_id, info, basket))
        return placed

    def _fbs_unit(self, seller: Seller, product: SProduct, warehouse_id: str, info: dict[str, Any], basket: str
                  ) -> SOrder:
        task_id = 4_000_000_000 + self.new_order_id()
        now = _now()
        kopecks = int(product.price * 100)
        task = {
            "id": task_id, "rid": uuid.UUID(int=self.world.random.getrandbits(128)).hex, "orderUid": basket,
            "createdAt": _rfc3339(now), "warehouseId": int(warehouse_id), "officeId": int(info.get("office_id", 507)),
            "offices": [info.get("office", "Подольск")], "nmId": product.ids["nm_id"], "chrtId": product.ids["chrt_id"],
            "article": product.offer_id, "colorCode": "", "skus": [product.ids["barcode"]],
            "price": kopecks, "finalPrice": kopecks, "salePrice": kopecks, "convertedPrice": kopecks,
            "convertedFinalPrice": kopecks, "currencyCode": 643, "convertedCurrencyCode": 643, "scanPrice": None,
            "cargoType": int(product.ids.get("cargo_type", 1)), "crossBorderType": 0, "deliveryType": "fbs",
            "isZeroOrder": False, "isPickupPointShipmentAllowed": True, "comment": "", "address": None,
            "requiredMeta": [], "optionalMeta": [], "options": {"isB2B": False},
        }
        if task["cargoType"] == 2:  # oversized goods carry the planned and the recommended hand-over dates
            task["ddate"] = (now + timedelta(days=5)).astimezone(MOSCOW).strftime("%d.%m.%Y")
            task["sellerDate"] = (now + timedelta(days=2)).astimezone(MOSCOW).strftime("%d.%m.%Y")
        order = SOrder(id=str(task_id), warehouse_id=warehouse_id, lines=[SLine(product.key, 1, product.price)],
                       status="new", substatus="waiting", scheme="fbs", data={"task": task})
        order.history.append((order.created_at, "new", "waiting"))
        seller.orders[order.id] = order
        order.data["stat_row"] = self._stat_order_row(seller, product, info, task["rid"], now, SELLER_WAREHOUSE_TYPE)
        return order

    def _fbo_unit(self, seller: Seller, product: SProduct, warehouse_id: str, info: dict[str, Any], basket: str
                  ) -> SOrder:
        now = _now()
        srid = f"{self.new_order_id()}.{uuid.UUID(int=self.world.random.getrandbits(128)).hex}.0.0"
        order = SOrder(id=srid, warehouse_id=warehouse_id, lines=[SLine(product.key, 1, product.price)],
                       status="ordered", scheme="fbo")
        seller.orders[order.id] = order
        order.data["stat_row"] = self._stat_order_row(seller, product, info, srid, now, WB_WAREHOUSE_TYPE)
        return order

    def _stat_order_row(self, seller: Seller, product: SProduct, info: dict[str, Any], srid: str, now: datetime,
                        warehouse_type: str) -> dict[str, Any]:
        price = float(product.price)
        row = {
            "date": _moscow(now), "lastChangeDate": _moscow(now), "warehouseName": str(info.get("name") or "Склад")[:50],
            "warehouseType": warehouse_type, "countryName": "Россия", "oblastOkrugName": "Центральный федеральный округ",
            "regionName": "Московская", "supplierArticle": product.offer_id[:75], "nmId": product.ids["nm_id"],
            "barcode": product.ids["barcode"], "category": "Товары", "subject": (product.name or "Товар")[:50],
            "brand": str(seller.account.get("brand") or "Okno")[:50], "techSize": "0", "incomeID": 0,
            "isSupply": False, "isRealization": True, "totalPrice": price, "discountPercent": 0, "spp": 0,
            "finishedPrice": price, "priceWithDisc": price, "isCancel": False, "cancelDate": "0001-01-01T00:00:00",
            "sticker": "", "gNumber": str(self.world.random.randint(10**19, 10**20 - 1)), "srid": srid,
        }
        seller.data["stat_orders"].append(row)
        return row

    def _sale_row(self, seller: Seller, order: SOrder, kind: str) -> None:
        row = dict(order.data["stat_row"])
        now = _now()
        for name in ("isCancel", "cancelDate"):
            row.pop(name, None)
        sign = -1 if kind == "R" else 1
        price = row["finishedPrice"] * sign
        row.update({"date": _moscow(now), "lastChangeDate": _moscow(now), "finishedPrice": price,
                    "priceWithDisc": price, "totalPrice": row["totalPrice"] * sign, "paymentSaleAmount": 0,
                    "forPay": round(price * 0.8, 2), "saleID": f"{kind}{self.world.random.randint(10**9, 10**10 - 1)}"})
        seller.data["stat_sales"].append(row)

    @staticmethod
    def _touch(row: dict[str, Any]) -> None:
        row["lastChangeDate"] = _moscow(_now())

    def buyer_cancel(self, seller: Seller, order: SOrder) -> None:
        if order.scheme == "fbo":
            if order.status != "ordered":
                raise HttpError(409, f"order is {order.status}")
            order.set_status("cancelled")
        elif order.status == "new" and order.substatus == "waiting":
            order.set_status("new", "declined_by_client")  # within the first hour, before assembly
        elif order.status == "confirm" and order.substatus == "waiting":
            order.set_status("confirm", "canceled")
        elif order.status == "complete" and order.substatus in ("waiting", "sorted", "ready_for_pickup"):
            order.set_status("complete", "canceled_by_client")  # refused at receipt
        else:
            raise HttpError(409, f"order is {order.status}/{order.substatus}")
        row = order.data["stat_row"]
        row.update({"isCancel": True, "cancelDate": _moscow(_now())})
        self._touch(row)

    def advance(self, seller: Seller, order: SOrder) -> None:
        """WB's side of the lifecycle: supply scanned → sorted → at the pickup point → sold; a pending claim of a
        sold unit gets decided (approved, goods back to the seller)."""
        if order.scheme == "fbo":
            if order.status != "ordered":
                raise HttpError(409, f"order is {order.status}")
            order.set_status("sold")
            self._sale_row(seller, order, "S")
            return
        if order.status == "confirm" and order.substatus == "waiting":
            # The first acceptance scan closes the supply.
            supply = seller.data["supplies"].get(order.data.get("supply_id"))
            if supply is not None:
                self._close_supply(seller, supply, scanned=True)
            order.set_status("complete", "sorted")
            return
        steps = {"waiting": "sorted", "sorted": "ready_for_pickup", "ready_for_pickup": "sold"}
        if order.status == "complete" and order.substatus in steps:
            order.set_status("complete", steps[order.substatus])
            if order.substatus == "sold":
                self._sale_row(seller, order, "S")
            return
        claim = next((r for r in seller.returns.values() if r.order_id == order.id and r.data["claim"]["status"] == 0),
                     None)
        if order.substatus == "sold" and claim is not None:
            self._decide_claim(claim, "approve2")
            return
        raise HttpError(409, f"nothing to advance: {order.status}/{order.substatus}")

    def create_return(self, seller: Seller, order: SOrder) -> SReturn:
        """FBS: the buyer files a claim (returns-api). FBO: a return row in Statistics sales (saleID R…)."""
        product = seller.products[order.lines[0].key]
        if order.scheme == "fbo":
            if order.status != "sold":
                raise HttpError(409, f"order is {order.status}")
            order.set_status("returned")
            self._sale_row(seller, order, "R")
            created = SReturn(id=f"R-{order.id}", order_id=order.id, lines=list(order.lines), status="returned")
            seller.returns[created.id] = created
            return created
        if (order.status, order.substatus) != ("complete", "sold"):
            raise HttpError(409, f"order is {order.status}/{order.substatus}")
        now = _now()
        claim_id = str(uuid.UUID(int=self.world.random.getrandbits(128)))
        claim = {
            "id": claim_id, "claim_type": 1, "status": 0, "status_ex": 0, "nm_id": product.ids["nm_id"],
            "user_comment": "Шов разошёлся после первой стирки", "wb_comment": "", "dt": _moscow(now, micro=True),
            "imt_name": product.name or product.offer_id, "order_dt": _moscow(order.created_at),
            "dt_update": _moscow(now, micro=True), "photos": [f"//photos.wbstatic.net/claim/{claim_id}/1.webp"],
            "video_paths": [], "actions": list(CLAIM_ACTIONS), "price": float(order.lines[0].price),
            "currency_code": "643", "srid": order.data["task"]["rid"], "delivery_dt": _moscow(order.updated_at),
        }
        created = SReturn(id=claim_id, order_id=order.id, lines=list(order.lines), status="0/0", kind="claim",
                          data={"claim": claim, "archive": False})
        seller.returns[claim_id] = created
        return created

    def _decide_claim(self, claim_return: SReturn, action: str, comment: str = "") -> None:
        """An answered claim leaves review for the archive. A rejected one may be reconsidered ("Отклонённые заявки
        можно пересмотреть"): it keeps the approving answers it had; an approved one allows nothing more."""
        claim = claim_return.data["claim"]
        claim["status"], claim["status_ex"] = CLAIM_OUTCOMES[action]
        claim["dt_update"] = _moscow(_now(), micro=True)
        claim["actions"] = ([a for a in claim["actions"] if a in CLAIM_APPROVALS]
                            if CLAIM_OUTCOMES[action][0] == 1 else [])
        claim["wb_comment"] = comment or CLAIM_ANSWERS.get(action, "Продавец ответил на заявку")
        claim_return.status = f"{claim['status']}/{claim['status_ex']}"
        claim_return.updated_at = _now()
        claim_return.data["archive"] = True
        claim_return.data.setdefault("answers", []).append({"action": action, "comment": comment})

    # --- common -------------------------------------------------------------------------------------------------
    def ping(self, request: Request) -> Response:
        return Response(200, {"TS": _now().astimezone(MOSCOW).isoformat(timespec="seconds"), "Status": "OK"})

    def seller_info(self, request: Request) -> Response:
        account = request.seller.account
        return Response(200, {"name": account["name"], "sid": account["sid"], "tin": str(account.get("tin") or
                                                                                          "7700000000"),
                              "tradeMark": account["trade_mark"]})

    def list_warehouses(self, request: Request) -> Response:
        seller = request.seller
        processing = {str(w) for w in seller.account.get("processing_warehouses") or []}
        return Response(200, [
            {"name": str(info.get("name") or wid), "officeId": int(info.get("office_id", 507)), "id": int(wid),
             "cargoType": int(info.get("cargo_type", 1)), "deliveryType": 1, "isDeleting": False,
             "isProcessing": wid in processing}
            for wid, info in seller.warehouses.items() if not info.get("fbo")
        ])

    # --- assembly tasks -----------------------------------------------------------------------------------------
    def _tasks(self, seller: Seller) -> list[SOrder]:
        return sorted((o for o in seller.orders.values() if o.scheme == "fbs"), key=lambda o: int(o.id))

    @staticmethod
    def _task_json(order: SOrder, *, new: bool) -> dict[str, Any]:
        task = dict(order.data["task"])
        if new:
            return task
        for name in ("finalPrice", "salePrice", "convertedFinalPrice", "isPickupPointShipmentAllowed",
                     "requiredMeta", "optionalMeta", "ddate", "sellerDate"):
            task.pop(name, None)
        if order.data.get("supply_id"):
            task["supplyId"] = order.data["supply_id"]
        if order.status == "complete" and order.substatus in ("sorted", "ready_for_pickup", "sold"):
            task["scanPrice"] = task["price"]
        return task

    def orders_new(self, request: Request) -> Response:
        tasks = [self._task_json(o, new=True) for o in self._tasks(request.seller)
                 if o.status == "new" and o.substatus == "waiting"]
        return Response(200, {"orders": self.deliver(tasks)})

    def orders_list(self, request: Request) -> Response:
        limit = self._int_arg(request, "limit", low=1, high=1000)
        after = self._int_arg(request, "next", low=0)
        now = int(_now().timestamp())
        date_to = self._int_arg(request, "dateTo", now)
        date_from = self._int_arg(request, "dateFrom", date_to - 30 * 86400)
        if date_to < date_from or date_to - date_from > 30 * 86400:
            raise HttpError(400, "Период не должен превышать 30 дней", code="IncorrectParameter")
        page = [o for o in self._tasks(request.seller)
                if int(o.id) > after and date_from <= int(o.created_at.timestamp()) <= date_to][:limit]
        return Response(200, {"next": int(page[-1].id) if page else after,
                              "orders": self.deliver([self._task_json(o, new=False) for o in page])})

    def orders_status(self, request: Request) -> Response:
        ids = self._int_list(self._body(request), "orders", 1, 1000)
        found = []
        for task_id in ids:
            order = request.seller.orders.get(str(task_id))
            if order is None or order.scheme != "fbs":
                continue
            found.append({"id": task_id, "supplierStatus": order.status, "wbStatus": order.substatus,
                          "isCancellable": order.status in ("new", "confirm") and order.substatus == "waiting"})
        return Response(200, {"orders": self.deliver(found)})

    def _task(self, seller: Seller, raw_id: Any) -> SOrder:
        order = seller.orders.get(str(raw_id))
        if order is None or order.scheme != "fbs":
            raise HttpError(404, "Не найдено", code="NotFound")
        return order

    def cancel_order(self, request: Request) -> Response:
        seller = request.seller
        order = self._task(seller, request.params["orderId"])
        if order.status not in ("new", "confirm") or order.substatus != "waiting":
            raise HttpError(409, "Несоответствие статусов, проверьте их правильность", code="StatusMismatch")
        supply = seller.data["supplies"].get(order.data.get("supply_id"))
        if supply is not None:
            supply["orders"].remove(int(order.id))
            order.data.pop("supply_id", None)
        order.set_status("cancel", "canceled")
        row = order.data["stat_row"]
        row.update({"isCancel": True, "cancelDate": _moscow(_now())})
        self._touch(row)
        return Response(204)

    def stickers(self, request: Request) -> Response:
        kind = request.arg("type")
        size = (self._int_arg(request, "width"), self._int_arg(request, "height"))
        if kind not in ("svg", "zplv", "zplh", "png") or size not in STICKER_SIZES:
            raise HttpError(400, "Передан некорректный параметр", code="IncorrectParameter")
        ids = self._int_list(self._body(request), "orders", 1, 100)
        stickers = []
        for task_id in ids:
            order = request.seller.orders.get(str(task_id))
            if order is None or order.scheme != "fbs" or order.status not in ("confirm", "complete"):
                continue
            number = order.data.setdefault("sticker", str(self.world.random.randint(10**9, 10**10 - 1)))
            barcode = order.data.setdefault("sticker_barcode", "!" + uuid.UUID(int=int(number)).hex[-8:])
            stickers.append({"orderId": task_id, "partA": number[:6], "partB": number[6:], "barcode": barcode,
                             "file": base64.b64encode(_label(kind, STICKER_SIZES[size], barcode,
                                                             f"{number[:6]} {number[6:]}")).decode()})
        return Response(200, {"stickers": stickers})

    # --- supplies -----------------------------------------------------------------------------------------------
    @staticmethod
    def _supply_json(supply: dict[str, Any]) -> dict[str, Any]:
        return {key: supply[key] for key in ("id", "isB2b", "isPickupPointShipmentAllowed", "done", "createdAt",
                                             "closedAt", "scanDt", "name", "cargoType", "crossBorderType",
                                             "destinationOfficeId", "recommendedWhId")}

    def _supply(self, seller: Seller, supply_id: str) -> dict[str, Any]:
        supply = seller.data["supplies"].get(supply_id)
        if supply is None:
            raise HttpError(404, "Не найдено", code="NotFound")
        return supply

    def create_supply(self, request: Request) -> Response:
        name = self._body(request).get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= 128:
            raise HttpError(400, "Некорректное тело запроса", code="IncorrectRequestBody")
        number = 10_000_000 + self.world.next_id()
        supply = {"id": f"WB-GI-{number}", "seq": number, "name": name, "done": False, "createdAt": _rfc3339(_now()),
                  "closedAt": None, "scanDt": None, "cargoType": 0, "crossBorderType": None, "isB2b": None,
                  "isPickupPointShipmentAllowed": True, "destinationOfficeId": None, "recommendedWhId": 0,
                  "orders": [], "warehouse": None}
        request.seller.data["supplies"][supply["id"]] = supply
        return Response(201, {"id": supply["id"]})

    def list_supplies(self, request: Request) -> Response:
        limit = self._int_arg(request, "limit", low=1, high=1000)
        after = self._int_arg(request, "next", low=0)
        page = sorted((s for s in request.seller.data["supplies"].values() if s["seq"] > after),
                      key=lambda s: s["seq"])[:limit]
        return Response(200, {"next": page[-1]["seq"] if page else after,
                              "supplies": [self._supply_json(s) for s in page]})

    def get_supply(self, request: Request) -> Response:
        return Response(200, self._supply_json(self._supply(request.seller, request.params["supplyId"])))

    def delete_supply(self, request: Request) -> Response:
        supply = self._supply(request.seller, request.params["supplyId"])
        if supply["done"] or supply["orders"]:
            raise HttpError(409, "Не удалось обработать поставку. Убедитесь, что за ней не осталось закреплённых "
                                 "сборочных заданий.", code="SupplyHasOrders")
        del request.seller.data["supplies"][supply["id"]]
        return Response(204)

    def add_to_supply(self, request: Request) -> Response:
        seller = request.seller
        supply = self._supply(seller, request.params["supplyId"])
        ids = self._int_list(self._body(request), "orders", 1, 100)
        refused = HttpError(409, "Не удалось закрепить сборочное задание за поставкой. Убедитесь, что сборочное "
                                 "задание и поставка удовлетворяют всем необходимым требованиям.",
                            code="FailedToAddSupplyOrder")
        if supply["done"]:
            raise refused
        warehouse, cargo, cross = supply["warehouse"], supply["cargoType"] or None, supply["crossBorderType"]
        tasks = []
        for task_id in ids:
            order = seller.orders.get(str(task_id))
            if order is None or order.scheme != "fbs" or order.substatus != "waiting" \
                    or order.status not in ("new", "confirm"):
                raise refused
            task = order.data["task"]
            if order.status == "confirm":
                current = seller.data["supplies"].get(order.data.get("supply_id"))
                if current is None or current["done"]:
                    raise refused
            # One supply: one seller warehouse, one cargoType, one crossBorderType.
            warehouse = warehouse or task["warehouseId"]
            cargo = cargo or task["cargoType"]
            cross = task["crossBorderType"] if cross is None else cross
            if (task["warehouseId"], task["cargoType"], task["crossBorderType"]) != (warehouse, cargo, cross):
                raise refused
            tasks.append(order)
        for order in tasks:
            previous = seller.data["supplies"].get(order.data.get("supply_id"))
            if previous is not None and previous is not supply:
                previous["orders"].remove(int(order.id))
            if int(order.id) not in supply["orders"]:
                supply["orders"].append(int(order.id))
            order.data["supply_id"] = supply["id"]
            if order.status != "confirm":
                order.set_status("confirm", "waiting")
        supply.update({"warehouse": warehouse, "cargoType": cargo, "crossBorderType": cross, "isB2b": False})
        return Response(204)

    def supply_order_ids(self, request: Request) -> Response:
        return Response(200, {"orderIds": list(self._supply(request.seller, request.params["supplyId"])["orders"])})

    def deliver_supply(self, request: Request) -> Response:
        seller = request.seller
        supply = self._supply(seller, request.params["supplyId"])
        if supply["done"]:
            raise HttpError(409, "Поставка уже передана в доставку", code="SupplyIsClosed")
        if not supply["orders"]:
            raise HttpError(409, "Не удалось обработать поставку. Убедитесь, что за ней закреплён хотя бы одно "
                                 "сборочное задание.", code="SupplyHasZeroOrders")
        self._close_supply(seller, supply)
        return Response(204)

    def _close_supply(self, seller: Seller, supply: dict[str, Any], *, scanned: bool = False) -> None:
        now = _rfc3339(_now())
        supply.update({"done": True, "closedAt": supply["closedAt"] or now})
        if scanned:
            supply["scanDt"] = now
        for task_id in supply["orders"]:
            order = seller.orders[str(task_id)]
            if order.status == "confirm":
                order.set_status("complete", order.substatus)

    def supply_barcode(self, request: Request) -> Response:
        supply = self._supply(request.seller, request.params["supplyId"])
        kind = request.arg("type")
        if kind not in ("svg", "zplv", "zplh", "png"):
            raise HttpError(400, "Передан некорректный параметр", code="IncorrectParameter")
        if not supply["done"]:
            raise HttpError(409, "Поставка не передана в доставку", code="SupplyNotClosed")
        content = _label(kind, (580, 400), supply["id"], supply["id"])
        return Response(200, {"barcode": supply["id"], "file": base64.b64encode(content).decode()})

    # --- seller-warehouse stock ---------------------------------------------------------------------------------
    def put_stocks(self, request: Request) -> Response:
        """Absolute amounts per chrtId. Unknown field names are not validated (204, nothing changes); a 409 refuses
        the whole request and names the offending items."""
        seller = request.seller
        warehouse_id = request.params["warehouseId"]
        info = self._warehouse(seller, warehouse_id)
        stocks = self._body(request).get("stocks")
        if not isinstance(stocks, list) or not 1 <= len(stocks) <= 1000 or not all(isinstance(i, dict) for i in stocks):
            raise HttpError(400, "Incorrect required body", code="IncorrectRequestBody")
        wanted: list[tuple[dict[str, Any], SProduct | None]] = []
        for item in stocks:
            if "chrtId" not in item:
                if "sku" in item:
                    raise HttpError(400, "Uploading stock is not allowed by 'sku'. Please use the 'chrtId' key",
                                    code="SKUUploadDisabled")
                continue  # a misspelt field: silently nothing
            if "amount" not in item:
                continue
            chrt, amount = item["chrtId"], item["amount"]
            if not all(isinstance(v, int) and not isinstance(v, bool) for v in (chrt, amount)) or amount < 0:
                raise HttpError(400, "Incorrect required body", code="IncorrectRequestBody")
            wanted.append((item, self._product_by_chrt(seller, chrt)))
        errors: dict[str, list[dict[str, Any]]] = {}
        messages = {"NotFound": "Not found", "UploadDataLimit": "Upload limit exceeded.",
                    "StoreIsProcessing": "The store is processing"}
        processing = str(warehouse_id) in {str(w) for w in seller.account.get("processing_warehouses") or []}
        for item, product in wanted:
            entry = {"sku": product.ids["barcode"] if product else "", "chrtId": item["chrtId"],
                     "amount": item["amount"]}
            if product is None:
                errors.setdefault("NotFound", []).append(entry)
            elif item["amount"] > MAX_AMOUNT:
                errors.setdefault("UploadDataLimit", []).append(entry)
            elif int(product.ids.get("cargo_type", 1)) != int(info.get("cargo_type", 1)):
                errors.setdefault(CARGO_RESTRICTIONS[int(product.ids.get("cargo_type", 1))], []).append(entry)
        if processing:
            for item, product in wanted:
                if product is not None:
                    self.world.record_stock_update(seller, product, warehouse_id, item["amount"], accepted=False,
                                                   error="StoreIsProcessing")
            return Response(409, [{"code": "StoreIsProcessing", "message": messages["StoreIsProcessing"]}])
        if errors:
            refused = {e["chrtId"]: code for code, entries in errors.items() for e in entries}
            for item, product in wanted:
                if product is not None:
                    self.world.record_stock_update(
                        seller, product, warehouse_id, item["amount"], accepted=False,
                        error=refused.get(item["chrtId"], "refused with the rest of the request (409)"),
                    )
            return Response(409, [{"code": code, "message": messages.get(code, "Склад не подходит для товара"),
                                   "data": entries} for code, entries in errors.items()])
        for item, product in wanted:
            self.world.record_stock_update(seller, product, warehouse_id, item["amount"], accepted=True)
        return Response(204)

    def read_stocks(self, request: Request) -> Response:
        seller = request.seller
        warehouse_id = request.params["warehouseId"]
        self._warehouse(seller, warehouse_id)
        body = self._body(request)
        ids = self._int_list(body, "chrtIds", 0, 1000)
        found = []
        for chrt in ids:
            product = self._product_by_chrt(seller, chrt)
            if product is not None and warehouse_id in product.stocks:
                found.append({"chrtId": chrt, "amount": product.stocks[warehouse_id]})
        return Response(200, {"stocks": self.deliver(found)})

    # --- statistics ---------------------------------------------------------------------------------------------
    def statistics(self, request: Request, key: str) -> Response:
        raw = request.arg("dateFrom")
        if not raw:
            return Response(400, {"errors": ["dateFrom: field required"]})
        try:
            date_from = _parse_moscow(raw)
        except ValueError:
            return Response(400, {"errors": "dateFrom: Value not validated"})
        flag = request.arg("flag") or "0"
        rows = request.seller.data[key]
        if flag == "1":
            day = date_from.astimezone(MOSCOW).date()
            found = [r for r in rows if _parse_moscow(r["date"]).astimezone(MOSCOW).date() == day]
        else:
            page = int(request.seller.account.get("statistics_page_size") or STATISTICS_PAGE)
            found = sorted((r for r in rows if _parse_moscow(r["lastChangeDate"]) >= date_from),
                           key=lambda r: _parse_moscow(r["lastChangeDate"]))[:page]
        return Response(200, self.deliver([dict(r) for r in found]))

    def wb_warehouse_stocks(self, request: Request) -> Response:
        body = request.json if request.body else {}
        if not isinstance(body, dict):
            return Response(400, {"title": "Invalid request body", "detail": "body must be an object",
                                  "requestId": uuid.uuid4().hex, "origin": "analytic-open-api"})
        nm_ids, chrt_ids = set(body.get("nmIds") or []), set(body.get("chrtIds") or [])
        limit, offset = int(body.get("limit", 250_000)), int(body.get("offset", 0))
        items = []
        for product in request.seller.products.values():
            if not product.fbo_stocks or (nm_ids and product.ids["nm_id"] not in nm_ids) \
                    or (chrt_ids and product.ids["chrt_id"] not in chrt_ids):
                continue
            in_way = sum(1 for o in request.seller.orders.values()
                         if o.scheme == "fbo" and o.status == "ordered" and o.lines[0].key == product.key)
            items.append({"nmId": product.ids["nm_id"], "chrtId": product.ids["chrt_id"],
                          "warehouseId": AGGREGATED_WB_WAREHOUSE, "warehouseName": WB_WAREHOUSE_TYPE,
                          "regionName": WB_WAREHOUSE_TYPE, "quantity": sum(product.fbo_stocks.values()),
                          "inWayToClient": in_way, "inWayFromClient": 0})
        items.sort(key=lambda i: i["chrtId"])
        return Response(200, {"data": {"items": self.deliver(items[offset:offset + limit])}})

    # --- content ------------------------------------------------------------------------------------------------
    def cards_list(self, request: Request) -> Response:
        settings = self._body(request).get("settings") or {}
        cursor = settings.get("cursor") or {}
        limit = min(100, int(cursor.get("limit") or 10))
        cards: dict[int, dict[str, Any]] = {}
        for product in request.seller.products.values():
            nm_id = product.ids["nm_id"]
            card = cards.setdefault(nm_id, {
                "nmID": nm_id, "imtID": product.ids["imt_id"], "nmUUID": str(uuid.UUID(int=nm_id)),
                "subjectID": 105, "subjectName": "Товары", "vendorCode": product.offer_id, "brand": "Okno",
                "title": product.name, "description": "", "needKiz": False, "kizMarked": False, "photos": [],
                "video": "", "wholesale": {"enabled": False, "quantum": 0},
                "dimensions": {"length": 10, "width": 10, "height": 10, "weightBrutto": 0.5, "isValid": True},
                "characteristics": [], "sizes": [], "tags": [],
                "createdAt": "2026-01-10T10:00:00.000000Z",
                "updatedAt": f"2026-01-10T10:{nm_id % 3600 // 60:02d}:{nm_id % 60:02d}.{nm_id % 10**6:06d}Z",
            })
            card["sizes"].append({"chrtID": product.ids["chrt_id"], "techSize": "0", "wbSize": "",
                                  "skus": [product.ids["barcode"]]})
        ordered = sorted(cards.values(), key=lambda c: (c["updatedAt"], c["nmID"]))
        if cursor.get("updatedAt") and isinstance(cursor.get("nmID"), int):
            position = (cursor["updatedAt"], cursor["nmID"])
            ordered = [c for c in ordered if (c["updatedAt"], c["nmID"]) > position]
        page = ordered[:limit]
        last = page[-1] if page else {}
        return Response(200, {"cards": page, "cursor": {"updatedAt": last.get("updatedAt", ""),
                                                        "nmID": last.get("nmID", 0), "total": len(page)}})

    # --- claims -------------------------------------------------------------------------------------------------
    def list_claims(self, request: Request) -> Response:
        archive = request.arg("is_archive")
        if archive not in ("true", "false"):
            return Response(400, {"title": "Invalid query params",
                                  "detail": "Failed to deserialize query string: missing field `is_archive`",
                                  "requestId": uuid.uuid4().hex}, content_type="application/problem+json")
        limit = self._int_arg(request, "limit", 50, low=1, high=200)
        offset = self._int_arg(request, "offset", 0, low=0)
        wanted_id, nm_id = request.arg("id"), request.arg("nm_id")
        horizon = _now() - timedelta(days=14)
        claims = [r.data["claim"] for r in request.seller.returns.values() if r.kind == "claim"
                  and r.data["archive"] == (archive == "true") and _parse_moscow(r.data["claim"]["dt"]) >= horizon
                  and (not wanted_id or r.id == wanted_id)
                  and (not nm_id or str(r.data["claim"]["nm_id"]) == nm_id)]
        return Response(200, {"claims": self.deliver([dict(c) for c in claims[offset:offset + limit]]),
                              "total": len(claims)})

    def answer_claim(self, request: Request) -> Response:
        """PATCH /api/v1/claim: only one of the claim's current ``actions``; ``rejectcustom`` needs a comment."""
        body = self._body(request)
        action, comment = body.get("action"), str(body.get("comment") or "")

        def invalid(details: str) -> Response:
            return Response(400, {"title": "Validation error", "detail": f"Input model is not valid; Details: {details}",
                                  "requestId": uuid.uuid4().hex}, content_type="application/json; charset=utf-8")

        if not action:
            return invalid("The Action field is required.")
        with self.world.lock:
            claim_return = request.seller.returns.get(str(body.get("id") or "").lower())
            if claim_return is None or claim_return.kind != "claim":
                return invalid("claim not found")
            allowed = claim_return.data["claim"]["actions"]
            if action not in allowed:
                return invalid(f"action {action} is not available for this claim; available: "
                               f"{', '.join(allowed) or 'none'}")
            if action == "rejectcustom" and len(comment) < 10:
                return invalid("The Comment field is required.")
            self._decide_claim(claim_return, action, comment)
        return Response(200)


# --- sticker files ------------------------------------------------------------------------------------------------
def _bars(code: str) -> list[int]:
    """A deterministic bar pattern for a code (not a real symbology: the sandbox only needs valid files)."""
    bits = []
    for byte in code.encode():
        bits += [(byte >> shift) & 1 for shift in range(7, -1, -1)]
    return [1, 0, 1, *bits, 1, 0, 1]


def _label(kind: str, size: tuple[int, int], code: str, caption: str) -> bytes:
    width, height = size
    bars = _bars(code)
    step = max(1, (width - 40) // len(bars))
    if kind == "svg":
        rects = "".join(f'<rect x="{20 + i * step}" y="20" width="{step}" height="{height // 2}" fill="#000"/>'
                        for i, bit in enumerate(bars) if bit)
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
                f'viewBox="0 0 {width} {height}"><rect width="{width}" height="{height}" fill="#fff"/>{rects}'
                f'<text x="20" y="{height - 40}" font-family="sans-serif" font-size="{height // 8}">{caption}</text>'
                f"</svg>").encode()
    if kind == "png":
        return _png(width, height, bars, step)
    orientation = "R" if kind == "zplv" else "N"
    return (f"^XA^CI28^FW{orientation}^FO20,20^BY2^BCN,{height // 2},N,N,N^FD{code}^FS"
            f"^FO20,{height - 80}^A0N,40,40^FD{caption}^FS^XZ").encode()


def _png(width: int, height: int, bars: list[int], step: int) -> bytes:
    """A grayscale PNG: white with black bars over the upper half."""
    row = bytearray(b"\xff" * width)
    for i, bit in enumerate(bars):
        if bit:
            start = 20 + i * step
            row[start:start + step] = b"\x00" * len(row[start:start + step])
    blank = b"\x00" + b"\xff" * width
    barred = b"\x00" + bytes(row)
    raw = b"".join(barred if 20 <= y < 20 + height // 2 else blank for y in range(height))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")

