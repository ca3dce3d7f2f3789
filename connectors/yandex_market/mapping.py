"""Pure functions between Yandex Market JSON and Okno's DTOs.

Units at this edge (``yandex-market.md`` §2.5): money in the current DTOs is ``{"value": 1490, "currencyId": "RUR"}``
in roubles (the deprecated return ``refundAmount`` is in kopecks); timestamps are ISO 8601 with an offset — a value
without one is read as Moscow time, Market's own zone; plain dates are ``YYYY-MM-DD`` in Moscow. Anything that does
not fit (missing required field, wrong type, unknown status, absurd number) raises, and ``map_each`` turns it into a
``PayloadError`` for that one item.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from connectors.dto import (
    FboStockDTO,
    OrderDTO,
    OrderLineDTO,
    OrderStatusDTO,
    ReturnDTO,
    ReturnLineDTO,
    StockReading,
    StockUpdate,
)
from connectors.yandex_market import statuses
from oms.money import from_kopecks, quantize
from orders.choices import PaymentStatus, Scheme
from returns.choices import ReasonCode, ReturnKind, ReturnStatus

MOSCOW = ZoneInfo("Europe/Moscow")
CURRENCY = "RUR"  # Market's spelling of the rouble
MAX_MONEY = Decimal("1000000000000")  # 10^12 roubles: the largest amount Okno stores (14 digits, 2 decimals)
MAX_ITEM_COUNT = 1_000_000  # units in one order line; more is a broken payload, not a sale
MAX_STOCK_COUNT = 2_000_000_000  # ``count`` maximum of the stock update
MAX_INT64 = 2**63 - 1
#: A buyer's cancellation request of a DBS order must be answered within 48 hours (``yandex-market.md`` §3.6).
CANCELLATION_ANSWER_TIME = timedelta(hours=48)

PROGRAM_SCHEMES: dict[str, str] = {
    "FBS": Scheme.FBS,
    "EXPRESS": Scheme.FBS,  # seller's stock, Yandex Go couriers
    "DBS": Scheme.DBS,
    "FBY": Scheme.FBO,
    "LAAS": Scheme.FBS,  # seller's stock handed to Yandex logistics
}
PAYMENT_TYPES: dict[str, str] = {
    "PREPAID": PaymentStatus.PREPAID,
    "POSTPAID": PaymentStatus.POSTPAID,
    "UNKNOWN": PaymentStatus.UNKNOWN,
}


# --- scalars -----------------------------------------------------------------------------------------------------
def require(mapping: Any, key: str, kind: type | tuple[type, ...] = object) -> Any:
    if not isinstance(mapping, Mapping):
        raise TypeError(f"expected an object holding {key!r}, got {type(mapping).__name__}")
    if key not in mapping or mapping[key] is None:
        raise KeyError(f"missing field {key!r}")
    value = mapping[key]
    if not _is_kind(value, kind):
        raise TypeError(f"field {key!r} has the wrong type: {value!r}")
    return value


def optional(mapping: Mapping[str, Any], key: str, kind: type | tuple[type, ...] = object, default: Any = None) -> Any:
    value = mapping.get(key)
    if value is None:
        return default
    if not _is_kind(value, kind):
        raise TypeError(f"field {key!r} has the wrong type: {value!r}")
    return value


def _is_kind(value: Any, kind: type | tuple[type, ...]) -> bool:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) and bool not in kinds:
        return False  # JSON true is not a number here
    return isinstance(value, kinds)


def market_id(value: Any, what: str = "id") -> str:
    """An int64 id as Okno's string external id."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_INT64:
        raise ValueError(f"{what} is not a positive int64: {value!r}")
    return str(value)


def count(value: Any, what: str = "count", *, minimum: int = 1, maximum: int = MAX_ITEM_COUNT) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise ValueError(f"{what} must be an integer {minimum}…{maximum}: {value!r}")
    return value


def money(amount: Any, what: str = "amount") -> Decimal:
    """``{"value": 1490, "currencyId": "RUR"}`` → Decimal roubles."""
    value = require(amount, "value", (int, float))
    currency = require(amount, "currencyId", str)
    if currency != CURRENCY:
        raise ValueError(f"{what} is in {currency}, Okno keeps roubles (RUR) only")
    return roubles(value, what)


def roubles(value: Any, what: str = "amount") -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float) or (isinstance(value, float)
                                                                        and not math.isfinite(value)):
        raise ValueError(f"{what} is not a number: {value!r}")
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"{what} is not a number: {value!r}") from exc
    if amount < 0 or amount >= MAX_MONEY:
        raise ValueError(f"{what} out of range: {value!r}")
    return quantize(amount)


def optional_money(container: Mapping[str, Any], key: str) -> Decimal:
    value = container.get(key)
    return Decimal("0.00") if value is None else money(value, key)


def parse_datetime(value: Any) -> datetime:
    """ISO 8601 → aware UTC. Market writes an offset; a value without one is Moscow time."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"not a date-time: {value!r}")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"not an ISO 8601 date-time: {value!r}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=MOSCOW)
    return parsed.astimezone(UTC)


def parse_date(value: Any) -> date:
    if not isinstance(value, str):
        raise ValueError(f"not a date: {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"not a YYYY-MM-DD date: {value!r}") from exc


def parse_time(value: Any) -> time:
    if not isinstance(value, str):
        raise ValueError(f"not a time: {value!r}")
    try:
        return time.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"not an HH:MM time: {value!r}") from exc


def moscow_iso(moment: datetime) -> str:
    """An aware instant as Market writes it: Moscow wall time with its offset, seconds precision."""
    return moment.astimezone(MOSCOW).replace(microsecond=0).isoformat()


def moscow_date(moment: datetime) -> date:
    return moment.astimezone(MOSCOW).date()


# --- orders --------------------------------------------------------------------------------------------------------
def order_from_json(raw: Any, *, default_scheme: str = Scheme.FBS) -> OrderDTO:
    """One ``BusinessOrderDTO`` (element of ``orders`` of ``POST /v1/businesses/{businessId}/orders``)."""
    external_id = market_id(require(raw, "orderId"), "orderId")
    market_id(require(raw, "campaignId"), "campaignId")
    status = require(raw, "status", str)
    substatus = optional(raw, "substatus", str, "")
    unified = statuses.unified_order_status(status, substatus)
    program = optional(raw, "programType", str)
    if program is not None and program not in PROGRAM_SCHEMES:
        raise ValueError(f"unknown programType {program!r}")
    scheme = PROGRAM_SCHEMES[program] if program else default_scheme
    payment_type = optional(raw, "paymentType", str, "UNKNOWN")
    if payment_type not in PAYMENT_TYPES:
        raise ValueError(f"unknown paymentType {payment_type!r}")
    items = require(raw, "items", list)
    if not items:
        raise ValueError("order has no items")
    lines = tuple(_order_line(item) for item in items)
    delivery = require(raw, "delivery", dict)
    prices = optional(raw, "prices", dict, {})
    if prices:
        items_total = optional_money(prices, "payment") + optional_money(prices, "cashback")
        discount_total = optional_money(prices, "subsidy")
        delivery_total = optional_money(optional(prices, "delivery", dict, {}), "payment")
    else:
        items_total = sum((line.price * line.quantity for line in lines), Decimal("0.00"))
        discount_total = delivery_total = Decimal("0.00")
    total = items_total + delivery_total
    if total >= MAX_MONEY:
        raise ValueError(f"order total out of range: {total}")
    return OrderDTO(
        external_id=external_id,
        number=external_id,
        scheme=scheme,
        status=unified,
        marketplace_status=status,
        marketplace_substatus=substatus,
        lines=lines,
        ordered_at=parse_datetime(require(raw, "creationDate")),
        ship_by=_ship_by(delivery),
        warehouse_external_id=str(optional(delivery, "warehouseId", (str, int), "")),
        delivery_address=_address(delivery),
        delivery_details=_delivery_details(raw, delivery),
        delivery_method=_delivery_method(raw, delivery),
        payment_status=PAYMENT_TYPES[payment_type],
        currency="RUB",
        items_total=quantize(items_total),
        delivery_total=quantize(delivery_total),
        discount_total=quantize(discount_total),
        total=quantize(total),
        cancel_reason=substatus if status == "CANCELLED" else "",
        status_changed_at=parse_datetime(raw["updateDate"]) if raw.get("updateDate") else None,
        raw=dict(raw),
    )


def _order_line(item: Any) -> OrderLineDTO:
    offer_id = require(item, "offerId", str).strip()
    if not offer_id:
        raise ValueError("empty offerId")
    quantity = count(require(item, "count"), "items[].count")
    prices = optional(item, "prices", dict, {})
    # Line prices are totals for all units; what the buyer pays for the goods is payment + cashback (Plus points).
    paid = optional_money(prices, "payment") + optional_money(prices, "cashback")
    return OrderLineDTO(
        offer_id=offer_id,
        quantity=quantity,
        price=quantize(paid / quantity),
        name=optional(item, "offerName", str, ""),
        external_line_id=market_id(require(item, "id"), "items[].id"),
    )


def _ship_by(delivery: Mapping[str, Any]) -> datetime | None:
    """The day (and for Express the time) the seller must hand the order over, as an instant.

    Without a time the deadline is the end of that Moscow day.
    """
    shipment = optional(delivery, "shipment", dict)
    if not shipment or not shipment.get("shipmentDate"):
        return None
    day = parse_date(shipment["shipmentDate"])
    at = parse_time(shipment["shipmentTime"]) if shipment.get("shipmentTime") else time(23, 59, 59)
    return datetime.combine(day, at, tzinfo=MOSCOW).astimezone(UTC)


def _address(delivery: Mapping[str, Any]) -> str:
    for key in ("courier", "pickup"):
        place = optional(delivery, key, dict)
        if not place:
            continue
        address = optional(place, "address", dict, {})
        parts = [address.get(k) for k in ("postcode", "country", "city", "district", "street", "house", "block")]
        if address.get("apartment"):
            parts.append(f"кв. {address['apartment']}")
        text = ", ".join(str(p) for p in parts if p)
        if text:
            return text
        region = optional(place, "region", dict, {})
        if region.get("name"):
            return str(region["name"])
    return ""


def _delivery_method(raw: Mapping[str, Any], delivery: Mapping[str, Any]) -> str:
    program = raw.get("programType") or ""
    kind = delivery.get("type") or ""
    service = delivery.get("serviceName") or ""
    return " · ".join(str(p) for p in (program, kind, service) if p)


def _delivery_details(raw: Mapping[str, Any], delivery: Mapping[str, Any]) -> dict[str, Any]:
    details: dict[str, Any] = {
        "campaign_id": raw["campaignId"],
        "program_type": raw.get("programType", ""),
        "payment_method": raw.get("paymentMethod", ""),
        "fake": bool(raw.get("fake")),
        "cancel_requested": bool(raw.get("cancelRequested")),
    }
    for key in ("type", "serviceName", "deliveryServiceId", "deliveryPartnerType", "dispatchType", "dates",
                "shipment", "tracks", "boxesLayout"):
        if delivery.get(key) is not None:
            details[key] = delivery[key]
    pickup = delivery.get("pickup")
    if isinstance(pickup, dict):
        for key in ("logisticPointId", "outletCode", "outletStorageLimitDate"):
            if pickup.get(key) is not None:
                details[key] = pickup[key]
    if raw.get("notes"):
        details["notes"] = raw["notes"]
    return details


def order_status_from_json(raw: Any) -> OrderStatusDTO:
    status = require(raw, "status", str)
    substatus = optional(raw, "substatus", str, "")
    return OrderStatusDTO(
        external_id=market_id(require(raw, "orderId"), "orderId"),
        status=statuses.unified_order_status(status, substatus),
        marketplace_status=status,
        marketplace_substatus=substatus,
        changed_at=parse_datetime(raw["updateDate"]) if raw.get("updateDate") else None,
        cancel_reason=substatus if status == "CANCELLED" else "",
    )


CANCELLATION_PREFIX = "cancellation-"


def cancellation_request_from_json(raw: Any) -> ReturnDTO:
    """A DBS order the buyer asked to cancel after it left (``cancelRequested``): the seller answers within 48 h."""
    order = order_from_json(raw, default_scheme=Scheme.DBS)
    requested_at = order.status_changed_at or order.ordered_at
    return ReturnDTO(
        external_id=f"{CANCELLATION_PREFIX}{order.external_id}",
        order_external_id=order.external_id,
        scheme=order.scheme,
        marketplace_status=f"{order.marketplace_status}/{order.marketplace_substatus}".rstrip("/"),
        lines=tuple(ReturnLineDTO(offer_id=line.offer_id, quantity=line.quantity, price=line.price, name=line.name)
                    for line in order.lines),
        status=ReturnStatus.REQUESTED,
        kind=ReturnKind.CANCELLATION,
        reason="cancelRequested",
        reason_code=ReasonCode.CANCELLED_BY_BUYER,
        created_at=requested_at,
        deadline_at=requested_at + CANCELLATION_ANSWER_TIME if requested_at else None,
        amount=order.items_total,
        raw=order.raw,
    )


# --- returns -------------------------------------------------------------------------------------------------------
def return_from_json(raw: Any, *, campaign_id: str, scheme: str = Scheme.FBS) -> ReturnDTO:
    """One ``ReturnDTO`` of ``GET /v2/campaigns/{campaignId}/returns``."""
    return_id = market_id(require(raw, "id"), "id")
    order_id = market_id(require(raw, "orderId"), "orderId")
    kind = statuses.return_kind(require(raw, "returnType", str))
    refund_status = optional(raw, "refundStatus", str)
    shipment_status = optional(raw, "shipmentStatus", str)
    items = require(raw, "items", list)
    lines, reason_types, subreasons, comments, photos, decision_types = [], [], [], [], [], []
    for item in items:
        offer_id = require(item, "shopSku", str).strip()
        quantity = count(require(item, "count"), "items[].count")
        refunded = Decimal("0.00")
        for decision in optional(item, "decisions", list, []):
            if not isinstance(decision, dict):
                raise TypeError(f"decision is not an object: {decision!r}")
            refunded += optional_money(decision, "amount")
            if decision.get("reasonType"):
                reason_types.append(str(decision["reasonType"]))
            if decision.get("subreasonType"):
                subreasons.append(str(decision["subreasonType"]))
            if decision.get("comment"):
                comments.append(str(decision["comment"]))
            if decision.get("decisionType"):
                decision_types.append(str(decision["decisionType"]))
            item_id = decision.get("returnItemId")
            for image in optional(decision, "images", list, []):
                photos.append(f"/v2/campaigns/{campaign_id}/orders/{order_id}/returns/{return_id}/decision/"
                              f"{item_id}/image/{image}")
        market_sku = optional(item, "marketSku", int)
        lines.append(ReturnLineDTO(offer_id=offer_id, quantity=quantity, price=quantize(refunded / quantity),
                                   marketplace_sku=str(market_sku) if market_sku else ""))
    if raw.get("amount") is not None:
        amount = money(raw["amount"], "amount")
    elif raw.get("refundAmount") is not None:  # deprecated, kopecks
        kopecks = count(raw["refundAmount"], "refundAmount", minimum=0, maximum=int(MAX_MONEY * 100) - 1)
        amount = from_kopecks(kopecks)
    else:
        amount = sum((line.price * line.quantity for line in lines), Decimal("0.00"))
    status = statuses.unified_return_status(refund_status, shipment_status, decision_types)
    reason_type = reason_types[0] if reason_types else None
    reason_code = statuses.return_reason(reason_type, subreasons[0] if subreasons else None, kind)
    return ReturnDTO(
        external_id=return_id,
        order_external_id=order_id,
        scheme=scheme,
        marketplace_status=" / ".join(s or "—" for s in (refund_status, shipment_status)),
        lines=tuple(lines),
        status=status,
        kind=kind,
        reason=", ".join(dict.fromkeys(reason_types + subreasons)),
        reason_code=reason_code,
        buyer_comment="\n".join(comments),
        photos=tuple(photos),
        created_at=parse_datetime(raw["creationDate"]) if raw.get("creationDate") else None,
        deadline_at=parse_datetime(raw["pickupTillDate"]) if raw.get("pickupTillDate") else None,
        amount=quantize(amount),
        raw=dict(raw),
    )


def return_item_ids(raw: Mapping[str, Any]) -> tuple[int, ...]:
    """The ``returnItemId`` of every item decision of a return (what ``submitReturnDecision`` decides on)."""
    found: list[int] = []
    for item in raw.get("items") or []:
        for decision in (item.get("decisions") or []) if isinstance(item, dict) else []:
            item_id = decision.get("returnItemId") if isinstance(decision, dict) else None
            if isinstance(item_id, int) and not isinstance(item_id, bool) and item_id not in found:
                found.append(item_id)
    return tuple(found)


def return_decision_body(item_ids: Sequence[int], decision: str, *, reason: str = "", comment: str = ""
                         ) -> dict[str, Any]:
    """``SubmitReturnDecisionRequest``: the same decision for every item of the return."""
    entries = []
    for item_id in item_ids:
        entry: dict[str, Any] = {"returnItemId": item_id, "decisionType": decision}
        if reason:
            entry["decisionReasonType"] = reason
        if comment:
            entry["comment"] = comment
        entries.append(entry)
    return {"returnItemDecisions": entries}


# --- stocks --------------------------------------------------------------------------------------------------------
def stock_update_body(updates: Sequence[StockUpdate], updated_at: datetime) -> dict[str, Any]:
    """``PUT /v2/campaigns/{campaignId}/offers/stocks`` body; SKUs must already be unique."""
    stamp = moscow_iso(updated_at)
    return {"skus": [{"sku": u.stock_key, "items": [{"count": int(u.quantity), "updatedAt": stamp}]} for u in updates]}


def stock_counts(offer: Mapping[str, Any]) -> dict[str, int]:
    """``stocks[]`` of one offer as {type: count}."""
    counts: dict[str, int] = {}
    for entry in require(offer, "stocks", list):
        kind = require(entry, "type", str)
        counts[kind] = counts.get(kind, 0) + count(require(entry, "count"), "stocks[].count", minimum=0,
                                                   maximum=MAX_STOCK_COUNT * 10)
    return counts


def stock_readings(result: Mapping[str, Any], wanted: Iterable[tuple[str, str]]) -> list[StockReading]:
    """Pick the (offer, warehouse) pairs asked for out of a ``getStocks`` result.

    ``AVAILABLE`` is what buyers can order (what the seller sends); ``FREEZE`` is held for orders.
    """
    wanted = set(wanted)
    readings = []
    for warehouse in require(result, "warehouses", list):
        warehouse_id = str(require(warehouse, "warehouseId", int))
        for offer in require(warehouse, "offers", list):
            key = (require(offer, "offerId", str), warehouse_id)
            if key not in wanted:
                continue
            counts = stock_counts(offer)
            readings.append(StockReading(stock_key=key[0], warehouse_external_id=warehouse_id,
                                         quantity=counts.get("AVAILABLE", 0), reserved=counts.get("FREEZE", 0)))
    return readings


def fbo_stock_rows(warehouse: Any, names: Mapping[str, str]) -> list[FboStockDTO]:
    """One warehouse of an FBY campaign's ``getStocks`` result → rows per offer."""
    warehouse_id = str(require(warehouse, "warehouseId", int))
    rows = []
    for offer in require(warehouse, "offers", list):
        counts = stock_counts(offer)
        rows.append(FboStockDTO(
            offer_id=require(offer, "offerId", str),
            warehouse_external_id=warehouse_id,
            warehouse_name=names.get(warehouse_id, ""),
            quantity=counts.get("AVAILABLE", 0),
            reserved=counts.get("FREEZE", 0),
        ))
    return rows


# --- order actions -------------------------------------------------------------------------------------------------
def default_box_layout(raw_order: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Everything in one box: what most parcels are."""
    return [{"items": [{"id": item["id"], "fullCount": item["count"]} for item in raw_order["items"]]}]


def box_layout(raw_order: Mapping[str, Any], boxes: Sequence[Sequence[Mapping[str, Any]]]) -> list[dict[str, Any]]:
    """The seller's boxes (each a list of ``{"offer_id" or "line_id", "quantity"}``) as ``setOrderBoxLayout`` boxes."""
    by_offer = {item["offerId"]: item["id"] for item in raw_order["items"]}
    line_ids = {item["id"] for item in raw_order["items"]}
    out = []
    for box in boxes:
        items = []
        for entry in box:
            line_id = entry.get("line_id")
            if line_id is None:
                offer_id = entry.get("offer_id")
                if offer_id not in by_offer:
                    raise ValueError(f"offer {offer_id!r} is not in order {raw_order['orderId']}")
                line_id = by_offer[offer_id]
            line_id = int(line_id)
            if line_id not in line_ids:
                raise ValueError(f"line {line_id} is not in order {raw_order['orderId']}")
            items.append({"id": line_id, "fullCount": int(entry.get("quantity", 1))})
        if not items:
            raise ValueError("an empty box")
        out.append({"items": items})
    if not out:
        raise ValueError("no boxes")
    return out


def status_update_body(order_ids: Sequence[str], status: str, substatus: str) -> dict[str, Any]:
    """``POST /v2/campaigns/{campaignId}/orders/status-update`` body (≤ 30 orders)."""
    return {"orders": [{"id": int(order_id), "status": status, "substatus": substatus} for order_id in order_ids]}
