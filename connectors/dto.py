"""What connectors hand to the rest of Okno: plain, validated values in Okno's units.

Money is Decimal roubles, times are aware UTC datetimes, statuses are unified (``orders.choices``) with the
marketplace's own kept beside. Nothing here knows a marketplace's JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class OrderLineDTO:
    offer_id: str  # the seller's article on the marketplace (matches Listing.offer_id)
    quantity: int
    price: Decimal  # unit price the buyer pays, roubles
    name: str = ""
    external_line_id: str = ""
    marketplace_sku: str = ""  # marketplace's id of the item (WB chrtId/nmId, Ozon sku, YM marketSku…)
    barcode: str = ""


@dataclass(frozen=True)
class OrderDTO:
    external_id: str
    number: str
    scheme: str  # orders.choices.Scheme
    status: str  # orders.choices.OrderStatus
    marketplace_status: str
    lines: tuple[OrderLineDTO, ...]
    ordered_at: datetime | None = None
    ship_by: datetime | None = None
    marketplace_substatus: str = ""
    warehouse_external_id: str = ""  # the marketplace's id of the warehouse that ships it
    buyer_name: str = ""
    buyer_phone: str = ""
    buyer_email: str = ""
    delivery_address: str = ""
    delivery_details: dict[str, Any] = field(default_factory=dict)
    delivery_method: str = ""
    payment_status: str = "unknown"  # orders.choices.PaymentStatus
    currency: str = "RUB"
    items_total: Decimal = Decimal("0")
    delivery_total: Decimal = Decimal("0")
    discount_total: Decimal = Decimal("0")
    total: Decimal = Decimal("0")
    cancel_reason: str = ""
    status_changed_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OrderStatusDTO:
    external_id: str
    status: str
    marketplace_status: str
    marketplace_substatus: str = ""
    changed_at: datetime | None = None
    cancel_reason: str = ""


@dataclass(frozen=True)
class StockUpdate:
    """Quantity to offer for one listing at one marketplace warehouse."""

    stock_key: str  # what the stock API addresses (WB chrtId, Ozon offer_id, YM offerId, AE sku_code)
    warehouse_external_id: str
    quantity: int
    offer_id: str = ""
    external_product_id: str = ""


@dataclass(frozen=True)
class StockPushResult:
    stock_key: str
    warehouse_external_id: str
    accepted: bool
    error: str = ""
    retry_after: float | None = None  # e.g. Ozon's 30-second rule for this pair


@dataclass(frozen=True)
class StockReading:
    stock_key: str
    warehouse_external_id: str
    quantity: int
    reserved: int | None = None


@dataclass(frozen=True)
class FboStockDTO:
    offer_id: str
    warehouse_external_id: str
    warehouse_name: str
    quantity: int  # available for sale at that marketplace warehouse
    in_transit: int = 0
    reserved: int = 0
    marketplace_sku: str = ""


@dataclass(frozen=True)
class ReturnLineDTO:
    offer_id: str
    quantity: int
    price: Decimal = Decimal("0")
    name: str = ""
    marketplace_sku: str = ""


@dataclass(frozen=True)
class ReturnDTO:
    external_id: str
    order_external_id: str
    scheme: str
    marketplace_status: str
    lines: tuple[ReturnLineDTO, ...]
    status: str = "requested"  # returns.choices.ReturnStatus: the unified lifecycle step
    kind: str = "return"  # returns.choices.ReturnKind: return | cancellation | claim | non_purchase
    reason: str = ""
    reason_code: str = ""
    buyer_comment: str = ""
    photos: tuple[str, ...] = ()
    created_at: datetime | None = None
    deadline_at: datetime | None = None
    amount: Decimal = Decimal("0")
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ActionResult:
    """Per-order outcome of an action (confirm, ship, cancel): one failure never hides the others."""

    external_id: str
    ok: bool
    error: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LabelFile:
    content: bytes
    content_type: str  # application/pdf, image/png, text/plain (ZPL)
    external_ids: tuple[str, ...]
    width_mm: int | None = None
    height_mm: int | None = None


@dataclass(frozen=True)
class PayloadError:
    """A piece of marketplace data we could not understand, kept verbatim for the ingest-error record."""

    kind: str
    payload: str
    error: str
    external_id: str = ""


@dataclass
class Batch(Generic[T]):
    """Items mapped from one or more marketplace answers, plus the ones that failed to map, plus where to resume."""

    items: list[T] = field(default_factory=list)
    errors: list[PayloadError] = field(default_factory=list)
    cursor: dict[str, Any] = field(default_factory=dict)
    has_more: bool = False
