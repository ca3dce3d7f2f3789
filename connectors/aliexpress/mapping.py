"""Pure translations between AliExpress Russia JSON (aliexpress.md §2.4, §3, §4, §5) and Okno's DTOs.

Units at this edge:
- order money (``item_price``, ``total_amount``, ``delivery_fee``) are integers read as **kopecks** — the doc's best
  reading (third-party code divides by 100), UNCONFIRMED;
- timestamps are ISO 8601 with an offset (``+00:00``, ``+03:00``, ``+07:00``); an offset-less one (never seen) is
  read as Moscow time, the platform's home zone — UNCONFIRMED;
- ids are 64-bit numbers, sometimes strings: kept as strings in Okno, sent as numbers.
Any defect raises; ``map_each`` turns it into a ``PayloadError`` and the rest of the batch goes on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from connectors.aliexpress import statuses
from connectors.dto import OrderDTO, OrderLineDTO, OrderStatusDTO, ReturnDTO, ReturnLineDTO, StockPushResult, StockUpdate
from oms.money import from_kopecks
from orders.choices import OrderStatus, Scheme
from returns.choices import ReturnKind

MOSCOW = ZoneInfo("Europe/Moscow")
MAX_KOPECKS = 10**14  # Okno's money fields hold < 10^12 roubles
MAX_QUANTITY = 999_999  # the documented inventory range (0–999 999) bounds any sane quantity
MAX_ID = 2**63 - 1  # ids are int64


# --- scalars ----------------------------------------------------------------------------------------------------
def parse_time(value: Any, field_name: str = "time") -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise TypeError(f"{field_name} is not a string: {value!r}")
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=MOSCOW)
    return parsed.astimezone(UTC)


def format_time(moment: datetime) -> str:
    """Request bodies take ISO 8601 with an offset; we always send UTC."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def money(value: Any, field_name: str) -> Decimal:
    """Kopecks (an integer) → Decimal roubles."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{field_name} is not an integer amount: {value!r}")
    if not -MAX_KOPECKS < value < MAX_KOPECKS:
        raise ValueError(f"{field_name} is out of range: {value}")
    return from_kopecks(value)


def optional_money(value: Any, field_name: str) -> Decimal:
    return Decimal("0.00") if value is None else money(value, field_name)


def ident(value: Any, field_name: str) -> str:
    """A 64-bit id serialised as a number or a digit string → its string form."""
    if isinstance(value, bool):
        raise TypeError(f"{field_name} is not an id: {value!r}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isdigit():
        number = int(value)
    else:
        raise TypeError(f"{field_name} is not an id: {value!r}")
    if not 0 < number <= MAX_ID:
        raise ValueError(f"{field_name} is out of the int64 range: {value}")
    return str(number)


def id_number(value: str, field_name: str = "id") -> int:
    """Okno's string id → the number AliExpress expects in request bodies."""
    return int(ident(value, field_name))


def quantity(value: Any, field_name: str = "quantity") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{field_name} is not an integer: {value!r}")
    if not 0 < value <= MAX_QUANTITY:
        raise ValueError(f"{field_name} is out of range: {value}")
    return value


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _mapping(value: Any, field_name: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise TypeError(f"{field_name} is not an object")
    return value


def _list(value: Any, field_name: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise TypeError(f"{field_name} is not a list")
    return value


# --- orders -----------------------------------------------------------------------------------------------------
def order_scheme(order: Mapping[str, Any], default: str = Scheme.FBS) -> str:
    """FBS (platform logistics) or DBS ("FBS Логистика продавца"). ``pre_split_postings[].logistics_type`` carries
    it in newer payloads (UNCONFIRMED); otherwise the connection's logistics model decides."""
    for posting in _list(order.get("pre_split_postings"), "pre_split_postings"):
        kind = str(_mapping(posting, "pre_split_postings[]").get("logistics_type") or "").upper()
        if kind in ("FBS", "DBS"):
            return Scheme.DBS if kind == "DBS" else Scheme.FBS
    return default


def order_line(line: Any) -> OrderLineDTO:
    line = _mapping(line, "order_lines[]")
    sku_code = line.get("sku_code")
    if not isinstance(sku_code, str) or not sku_code:
        # sku_code is the seller's SKU, the only thing that ties the line to an Okno variant.
        raise ValueError("order line has no sku_code")
    return OrderLineDTO(
        offer_id=sku_code,
        quantity=quantity(line.get("quantity"), "order_lines[].quantity"),
        price=money(line.get("item_price"), "order_lines[].item_price"),
        name=_text(line.get("name")),
        external_line_id=ident(line.get("id"), "order_lines[].id"),
        marketplace_sku=ident(line.get("sku_id"), "order_lines[].sku_id") if line.get("sku_id") is not None else "",
    )


def order_from_json(order: Any, *, default_scheme: str = Scheme.FBS, warehouse_id: str = "") -> OrderDTO:
    """One element of ``data.orders`` of ``get-order-list`` → OrderDTO."""
    order = _mapping(order, "order")
    external_id = ident(order.get("id"), "id")
    raw_lines = _list(order.get("order_lines"), "order_lines")
    if not raw_lines:
        raise ValueError("order has no order_lines")
    lines = tuple(order_line(line) for line in raw_lines)
    items_total = Decimal("0.00")
    for raw, line in zip(raw_lines, lines, strict=True):
        line_total = raw.get("total_amount")
        items_total += (
            money(line_total, "order_lines[].total_amount") if line_total is not None else line.price * line.quantity
        )
    postings = [_mapping(p, "pre_split_postings[]") for p in _list(order.get("pre_split_postings"), "postings")]
    delivery_total = sum(
        (optional_money(p.get("delivery_fee"), "pre_split_postings[].delivery_fee") for p in postings),
        Decimal("0.00"),
    )
    total = order.get("total_amount")
    status = statuses.unified_status(order)
    delivery_info = order.get("delivery_info")
    return OrderDTO(
        external_id=external_id,
        number=external_id,
        scheme=order_scheme(order, default_scheme),
        status=status,
        marketplace_status=str(order["status"]),
        marketplace_substatus=statuses.substatus(order),
        lines=lines,
        ordered_at=parse_time(order.get("created_at"), "created_at"),
        ship_by=parse_time(order.get("shipping_deadline"), "shipping_deadline"),
        status_changed_at=parse_time(order.get("updated_at"), "updated_at"),
        warehouse_external_id=warehouse_id,
        buyer_name=_text(order.get("buyer_name")),
        buyer_phone=_text(order.get("buyer_phone")),
        delivery_address=_text(order.get("delivery_address")),
        delivery_details=dict(delivery_info) if isinstance(delivery_info, Mapping) else {},
        delivery_method=next((_text(p.get("first_mile_type")) for p in postings if p.get("first_mile_type")), ""),
        payment_status=statuses.payment_status(order),
        items_total=items_total,
        delivery_total=delivery_total,
        total=money(total, "total_amount") if total is not None else items_total + delivery_total,
        cancel_reason=_text(order.get("finish_reason")) if status == OrderStatus.CANCELLED else "",
        raw=dict(order),
    )


def order_status_from_json(order: Any) -> OrderStatusDTO:
    order = _mapping(order, "order")
    status = statuses.unified_status(order)
    return OrderStatusDTO(
        external_id=ident(order.get("id"), "id"),
        status=status,
        marketplace_status=str(order["status"]),
        marketplace_substatus=statuses.substatus(order),
        changed_at=parse_time(order.get("updated_at"), "updated_at"),
        cancel_reason=_text(order.get("finish_reason")) if status == OrderStatus.CANCELLED else "",
    )


# --- returns, cancellations, claims (§6: no return object exists; they are states of the order) -------------------
def returns_from_order(order: Any, *, default_scheme: str = Scheme.FBS) -> list[ReturnDTO]:
    """The return-like facts an order carries: a parcel coming back (non-purchase), a buyer's cancellation, a
    dispute (claim). External ids are ``<order id>:<kind>`` so re-reading the order updates the same return."""
    order = _mapping(order, "order")
    order_id = ident(order.get("id"), "id")
    statuses.unified_status(order)  # validates every status field
    raw_lines = _list(order.get("order_lines"), "order_lines")
    lines = tuple(
        ReturnLineDTO(offer_id=line.offer_id, quantity=line.quantity, price=line.price, name=line.name,
                      marketplace_sku=line.marketplace_sku)
        for line in (order_line(raw) for raw in raw_lines)
    )
    amount = sum((line.price * line.quantity for line in lines), Decimal("0.00"))
    display = order.get("order_display_status")
    found: list[tuple[str, str, str]] = []  # (kind, marketplace status, unified return status)
    shipment_states = [s for s in statuses.logistic_statuses(order) if s in statuses.NON_PURCHASE_STATUS]
    if shipment_states:
        # The most advanced leg decides (a parcel already back outranks one still travelling).
        state = max(shipment_states, key=lambda s: s == "ProviderPostingReturned")
        found.append((ReturnKind.NON_PURCHASE, state, statuses.NON_PURCHASE_STATUS[state]))
    elif order.get("status") == "Cancelled":
        found.append((ReturnKind.CANCELLATION, "Cancelled", statuses.CANCELLATION_STATUS["Cancelled"]))
    elif display == "InCancel":
        found.append((ReturnKind.CANCELLATION, "InCancel", statuses.CANCELLATION_STATUS["InCancel"]))
    disputed = display == "InIssue" or any(
        _text(_mapping(raw, "order_lines[]").get("issue_status")) not in statuses.NO_DISPUTE for raw in raw_lines
    )
    if disputed:
        found.append((ReturnKind.CLAIM, _text(display) or "InIssue", statuses.CLAIM_STATUS["InIssue"]))
    scheme = order_scheme(order, default_scheme)
    changed_at = parse_time(order.get("updated_at"), "updated_at")
    return [
        ReturnDTO(
            external_id=f"{order_id}:{kind}",
            order_external_id=order_id,
            scheme=scheme,
            marketplace_status=marketplace_status,
            status=return_status,
            kind=kind,
            lines=lines,
            reason=_text(order.get("finish_reason")),
            reason_code=statuses.RETURN_REASON_CODE[kind],
            created_at=changed_at,
            amount=amount,
            raw=dict(order),
        )
        for kind, marketplace_status, return_status in found
    ]


# --- shipments (§4.2) ---------------------------------------------------------------------------------------------
def _dimension(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        return 0.0
    return float(value)


def shipment_requests(order: Mapping[str, Any], parcel: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """``logistic-order/create`` entries for an order: one shipment per pre-split posting (postings may be split
    but never merged, §4.2). Box size comes from ``parcel`` ({length, width, height} cm, weight kg) or is derived
    from the posting lines' own dimensions (per unit, UNCONFIRMED): longest length and width, stacked heights."""
    trade_order_id = id_number(ident(order.get("id"), "id"))
    lines_by_id = {
        ident(line.get("id"), "order_lines[].id"): line for line in _list(order.get("order_lines"), "order_lines")
    }
    postings = _list(order.get("pre_split_postings"), "pre_split_postings")
    if not postings:  # no proposed split: everything in one shipment
        postings = [{"posting_lines": [dict(line, order_line_id=line.get("id")) for line in lines_by_id.values()]}]
    requests = []
    for posting in postings:
        posting_lines = _list(_mapping(posting, "pre_split_postings[]").get("posting_lines"), "posting_lines")
        items, length, width, height, weight = [], 0.0, 0.0, 0.0, 0.0
        for line in posting_lines:
            units = quantity(line.get("quantity"), "posting_lines[].quantity")
            source = lines_by_id.get(_text(line.get("order_line_id")), {})
            sku_id = line.get("sku_id", source.get("sku_id"))
            items.append({"sku_id": id_number(ident(sku_id, "sku_id")), "quantity": units})
            length = max(length, _dimension(line.get("length", source.get("length"))))
            width = max(width, _dimension(line.get("width", source.get("width"))))
            height += _dimension(line.get("height", source.get("height"))) * units
            weight += _dimension(line.get("weight", source.get("weight"))) * units
        if not items:
            continue
        box = dict(parcel or {})
        requests.append({
            "trade_order_id": trade_order_id,
            # Centimetres as integers, at least 1; kilograms as a double (§4.2).
            "total_length": max(1, round(float(box.get("length", length)))),
            "total_width": max(1, round(float(box.get("width", width)))),
            "total_height": max(1, round(float(box.get("height", height)))),
            "total_weight": max(0.01, round(float(box.get("weight", weight)), 3)),
            "items": items,
        })
    return requests


def active_shipment_ids(order: Mapping[str, Any]) -> list[str]:
    """Ids of the order's shipments that still exist (not cancelled)."""
    return [
        ident(shipment.get("id"), "logistic_orders[].id")
        for shipment in _list(order.get("logistic_orders"), "logistic_orders")
        if shipment.get("status") != "Cancelled"
    ]


# --- stock (§5.1) -------------------------------------------------------------------------------------------------
@dataclass
class StockPlan:
    """One ``update-sku-stock`` body, which updates went into which ``products[]`` entry, and the ones refused
    before sending (with their reason)."""

    body: dict[str, Any]
    groups: list[list[StockUpdate]] = field(default_factory=list)  # same order as body["products"]
    refused: list[StockPushResult] = field(default_factory=list)


def stock_plan(updates: Sequence[StockUpdate]) -> StockPlan:
    """Stock is addressed by product id + seller ``sku_code`` (§5.1), one quantity per SKU: AliExpress has no
    warehouse dimension, so a second quantity for the same SKU in one batch is refused, not silently merged."""
    products: dict[int, list[StockUpdate]] = {}
    seen: dict[tuple[int, str], StockUpdate] = {}
    refused: list[StockPushResult] = []
    for update in updates:
        try:
            product_id = id_number(update.external_product_id, "product id")
        except (TypeError, ValueError):
            refused.append(_refuse(update, "the listing has no AliExpress product id (product_id) to address the SKU"))
            continue
        if not 0 <= update.quantity <= MAX_QUANTITY:
            refused.append(_refuse(update, f"quantity {update.quantity} is outside AliExpress's 0–{MAX_QUANTITY}"))
            continue
        earlier = seen.get((product_id, update.stock_key))
        if earlier is not None:
            refused.append(_refuse(update, "AliExpress keeps one stock per SKU; this batch already sets it for "
                                           f"warehouse {earlier.warehouse_external_id}"))
            continue
        seen[(product_id, update.stock_key)] = update
        products.setdefault(product_id, []).append(update)
    body = {
        "products": [
            {"product_id": product_id, "skus": [{"sku_code": u.stock_key, "inventory": u.quantity} for u in group]}
            for product_id, group in products.items()
        ]
    }
    return StockPlan(body=body, groups=list(products.values()), refused=refused)


def _refuse(update: StockUpdate, error: str) -> StockPushResult:
    return StockPushResult(update.stock_key, update.warehouse_external_id, accepted=False, error=error)


def error_text(errors: Any) -> str:
    """``results[].errors`` / a task's ``error``: strings or ``{code, message}`` objects (both seen)."""
    if errors in (None, "", [], {}):
        return ""
    if isinstance(errors, str):
        return errors
    if isinstance(errors, Mapping):
        code, message = _text(errors.get("code")), _text(errors.get("message"))
        return f"{code}: {message}" if code and message else (message or code)
    if isinstance(errors, list):
        return "; ".join(filter(None, (error_text(item) for item in errors)))
    return str(errors)
