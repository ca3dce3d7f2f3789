"""The sandbox's store: sellers, their products, stock, orders and returns on each emulated marketplace.

One ``World`` is shared by the four marketplace apps of a sandbox process and by the simulated buyers. Everything
is in memory behind one lock; marketplace-specific details live in each record's ``data`` dict and are owned by
that marketplace's app.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class SProduct:
    """A product card as the marketplace knows it. ``key`` is what its stock API addresses."""

    key: str
    offer_id: str
    name: str = ""
    price: Decimal = Decimal("1000")
    ids: dict[str, Any] = field(default_factory=dict)  # marketplace ids: nm_id, chrt_id, barcode, product_id, sku…
    stocks: dict[str, int] = field(default_factory=dict)  # seller warehouse id → quantity the marketplace shows
    fbo_stocks: dict[str, int] = field(default_factory=dict)  # marketplace warehouse id → quantity
    stock_updated_at: dict[str, float] = field(default_factory=dict)  # warehouse id → time.time() of last update


@dataclass
class SLine:
    key: str
    quantity: int
    price: Decimal


@dataclass
class SOrder:
    id: str
    warehouse_id: str
    lines: list[SLine]
    status: str
    scheme: str = "fbs"
    substatus: str = ""
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)
    created_monotonic: float = field(default_factory=time.time)
    data: dict[str, Any] = field(default_factory=dict)
    history: list[tuple[datetime, str, str]] = field(default_factory=list)

    def set_status(self, status: str, substatus: str = "") -> None:
        self.status, self.substatus, self.updated_at = status, substatus, utcnow()
        self.history.append((self.updated_at, status, substatus))


@dataclass
class SReturn:
    id: str
    order_id: str
    lines: list[SLine]
    status: str
    reason: str = ""
    kind: str = "return"
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class StockUpdateRecord:
    """One quantity the seller sent, when it arrived, and what the marketplace shows afterwards."""

    seq: int
    at: float  # time.time()
    marketplace: str
    seller: str
    key: str
    offer_id: str
    warehouse_id: str
    sent: int | None
    shown: int
    accepted: bool
    error: str = ""


@dataclass
class SaleRecord:
    seq: int
    at: float
    marketplace: str
    seller: str
    order_id: str
    key: str
    offer_id: str
    warehouse_id: str
    quantity: int
    shown_after: int


@dataclass
class RequestRecord:
    seq: int
    at: float
    marketplace: str
    method: str
    path: str
    status: int
    seller: str = ""
    rate_limited: bool = False


@dataclass
class Seller:
    """One seller account on one marketplace."""

    id: str  # our name for it in the control API
    marketplace: str
    credentials: dict[str, Any]
    account: dict[str, Any] = field(default_factory=dict)  # business/campaign ids, client id…
    warehouses: dict[str, dict[str, Any]] = field(default_factory=dict)  # id → {"name":…, "fbo": bool}
    products: dict[str, SProduct] = field(default_factory=dict)
    orders: dict[str, SOrder] = field(default_factory=dict)
    returns: dict[str, SReturn] = field(default_factory=dict)
    webhook_url: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def product_by_offer(self, offer_id: str) -> SProduct | None:
        return next((p for p in self.products.values() if p.offer_id == offer_id), None)


@dataclass
class Faults:
    """Injected misbehaviour, as probabilities per request (control endpoints are never affected)."""

    error_rate: float = 0.0  # answer 500/502/503
    timeout_rate: float = 0.0  # hold the request past the client's timeout, then drop it
    timeout_s: float = 25.0
    slow_rate: float = 0.0
    slow_s: float = 2.0
    rate_limit_rate: float = 0.0  # refuse as the marketplace does when over its limits
    duplicate_rate: float = 0.0  # repeat items in list answers
    reorder: bool = False  # shuffle items in list answers

    @property
    def active(self) -> bool:
        return any((self.error_rate, self.timeout_rate, self.slow_rate, self.rate_limit_rate, self.duplicate_rate,
                    self.reorder))


class World:
    def __init__(self, seed: int | None = None):
        self.lock = threading.RLock()
        self.random = random.Random(seed)
        self.sellers: dict[tuple[str, str], Seller] = {}  # (marketplace, seller id) → Seller
        self.faults: dict[str, Faults] = {}
        self.stock_log: list[StockUpdateRecord] = []
        self.sales: list[SaleRecord] = []
        self.requests: list[RequestRecord] = []
        self.spec_violations: list[str] = []
        self._seq = itertools.count(1)
        self._ids = itertools.count(1)

    # --- ids and sequences ------------------------------------------------------------------------------------
    def next_seq(self) -> int:
        return next(self._seq)

    def next_id(self) -> int:
        return next(self._ids)

    # --- sellers ----------------------------------------------------------------------------------------------
    def add_seller(self, seller: Seller) -> Seller:
        with self.lock:
            self.sellers[(seller.marketplace, seller.id)] = seller
            return seller

    def sellers_of(self, marketplace: str) -> list[Seller]:
        with self.lock:
            return [s for (mp, _), s in self.sellers.items() if mp == marketplace]

    def seller(self, marketplace: str, seller_id: str) -> Seller | None:
        return self.sellers.get((marketplace, seller_id))

    def faults_for(self, marketplace: str) -> Faults:
        return self.faults.setdefault(marketplace, Faults())

    # --- records ----------------------------------------------------------------------------------------------
    def record_stock_update(
        self, seller: Seller, product: SProduct, warehouse_id: str, sent: int | None, *, accepted: bool, error: str = ""
    ) -> StockUpdateRecord:
        with self.lock:
            if accepted and sent is not None:
                product.stocks[warehouse_id] = sent
                product.stock_updated_at[warehouse_id] = time.time()
            record = StockUpdateRecord(
                seq=self.next_seq(), at=time.time(), marketplace=seller.marketplace, seller=seller.id, key=product.key,
                offer_id=product.offer_id, warehouse_id=warehouse_id, sent=sent,
                shown=product.stocks.get(warehouse_id, 0), accepted=accepted, error=error,
            )
            self.stock_log.append(record)
            return record

    def record_sale(self, seller: Seller, order: SOrder, line: SLine, product: SProduct) -> None:
        with self.lock:
            self.sales.append(
                SaleRecord(
                    seq=self.next_seq(), at=order.created_monotonic, marketplace=seller.marketplace, seller=seller.id,
                    order_id=order.id, key=line.key, offer_id=product.offer_id, warehouse_id=order.warehouse_id,
                    quantity=line.quantity, shown_after=product.stocks.get(order.warehouse_id, 0),
                )
            )

    def record_request(self, record: RequestRecord) -> None:
        with self.lock:
            self.requests.append(record)

    def reset(self) -> None:
        with self.lock:
            self.sellers.clear()
            self.faults.clear()
            self.stock_log.clear()
            self.sales.clear()
            self.requests.clear()
            self.spec_violations.clear()
