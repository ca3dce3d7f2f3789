"""Pure translations between Ozon Seller API JSON and Okno's DTOs.

Units at this edge (ozon.md §2.2, §1): Ozon money is in roubles (not kopecks) — decimal strings in v4 price objects
(``{"amount": "1299.00", "currency": "RUB"}``), doubles elsewhere; every timestamp is UTC, usually with ``Z``; a
timestamp without an offset is therefore read as UTC too. int64 ids may arrive as JSON numbers or strings.
A mapper raises on anything it cannot trust (missing field, wrong type, unknown status, absurd number); the
connector turns that into a ``PayloadError`` and maps the rest.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

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
from connectors.ozon import statuses
from oms.money import quantize
from orders.choices import PaymentStatus, Scheme
from returns.choices import ReasonCode, ReturnKind, ReturnStatus

INT64_MAX = 2**63 - 1
#: Larger amounts do not fit Okno's money columns (14 digits, 2 decimals) and are no real order.
MAX_AMOUNT = Decimal("1000000000000")
#: Units of one product in one posting or return; Ozon's stock values must stay below 1 000 000 (§6.1).
MAX_QUANTITY = 1_000_000
#: Ozon's stock values must be below 1 000 000 (``STOCK_TOO_BIG``).
MAX_STOCK = 999_999

#: Delivery by the seller (rFBS): the integration types where Ozon does not carry the parcel (§3.4).
RFBS_INTEGRATION_TYPES = frozenset({"3pl_tracking", "non_integrated", "aggregator"})

_TIMESTAMP = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[T ](?P<time>\d{2}:\d{2}(?::\d{2})?)(?:[.,](?P<fraction>\d+))?"
    r"(?P<zone>Z|z|[+-]\d{2}:?\d{2})?"
)


# --- scalar readers ------------------------------------------------------------------------------------------------


def field(data: Mapping[str, Any], name: str) -> Any:
    """A field that must be present (``None`` counts as missing)."""
    if not isinstance(data, Mapping):
        raise TypeError(f"expected an object, got {type(data).__name__}")
    value = data.get(name)
    if value is None:
        raise KeyError(f"missing field {name!r}")
    return value


def obj(data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    """An optional nested object ({} when absent or null)."""
    value = data.get(name)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TypeError(f"{name!r} must be an object, got {type(value).__name__}")
    return value


def text(data: Mapping[str, Any], name: str, *, required: bool = False) -> str:
    value = field(data, name) if required else data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError(f"{name!r} must be a string, got {type(value).__name__}")
    if required and not value.strip():
        raise ValueError(f"{name!r} is empty")
    return value.strip()


def integer(value: Any, name: str, *, low: int = 0, high: int = INT64_MAX) -> int:
    """An int64 from a JSON number or string (protobuf JSON writes int64 either way)."""
    if isinstance(value, bool) or value is None:
        raise TypeError(f"{name!r} must be an integer, got {value!r}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and re.fullmatch(r"[+-]?\d{1,20}", value.strip()):
        number = int(value)
    else:
        raise TypeError(f"{name!r} must be an integer, got {value!r}")
    if not low <= number <= high:
        raise ValueError(f"{name!r} = {number} is outside {low}..{high}")
    return number


def ident(value: Any, name: str) -> str:
    """An Ozon int64 id as text ("" when absent or 0)."""
    if value in (None, "", 0, "0"):
        return ""
    return str(integer(value, name, low=1))


def money(value: Any, name: str) -> Decimal:
    """Roubles from a decimal string or a JSON number; rejects NaN, infinities, negatives and absurd amounts."""
    if isinstance(value, bool) or value is None:
        raise TypeError(f"{name!r} must be an amount, got {value!r}")
    if isinstance(value, Mapping):  # v4 price object {"amount": "1299.00", "currency": "RUB"}
        value = field(value, "amount")
        if isinstance(value, Mapping):
            raise TypeError(f"{name!r} must be an amount")
    if not isinstance(value, int | float | str):
        raise TypeError(f"{name!r} must be an amount, got {type(value).__name__}")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"{name!r} is not a number: {value!r}")
    if not amount.is_finite():
        raise ValueError(f"{name!r} is not a finite number: {value!r}")
    if amount < 0 or amount >= MAX_AMOUNT:
        raise ValueError(f"{name!r} = {value!r} is outside 0..{MAX_AMOUNT}")
    return quantize(amount)


def timestamp(value: Any, name: str = "timestamp") -> datetime | None:
    """An aware UTC datetime from Ozon's timestamps; ``None`` for null, "" and protobuf's zero time (year 1)."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise TypeError(f"{name!r} must be a timestamp string, got {type(value).__name__}")
    match = _TIMESTAMP.fullmatch(value.strip())
    if not match:
        raise ValueError(f"{name!r} is not a timestamp: {value!r}")
    if match["date"].startswith("0001-"):
        return None
    clock = match["time"] if match["time"].count(":") == 2 else match["time"] + ":00"
    micro = (match["fraction"] or "0")[:6].ljust(6, "0")  # protobuf may send nanoseconds: keep microseconds
    moment = datetime.fromisoformat(f"{match['date']}T{clock}.{micro}")
    zone = match["zone"]
    if zone in (None, "Z", "z"):
        return moment.replace(tzinfo=UTC)  # Ozon's times are UTC (ozon.md §1), offset or not
    sign = 1 if zone[0] == "+" else -1
    digits = zone[1:].replace(":", "")
    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return (moment - sign * offset).replace(tzinfo=UTC)


def iso(moment: datetime) -> str:
    """UTC timestamp as Ozon's examples write it: ``2026-09-14T08:22:03.000Z``."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def quantity(value: Any, name: str = "quantity") -> int:
    return integer(value, name, low=1, high=MAX_QUANTITY)


def items(data: Mapping[str, Any], name: str, *, required: bool = True) -> list[Any]:
    value = field(data, name) if required else (data.get(name) or [])
    if not isinstance(value, list):
        raise TypeError(f"{name!r} must be a list, got {type(value).__name__}")
    if required and not value:
        raise ValueError(f"{name!r} is empty")
    return value


# --- FBS / rFBS postings ---------------------------------------------------------------------------------------------


def _line(product: Mapping[str, Any]) -> OrderLineDTO:
    sku = ident(product.get("sku"), "sku")
    return OrderLineDTO(
        offer_id=text(product, "offer_id", required=True),
        quantity=quantity(field(product, "quantity")),
        price=money(field(product, "price"), "price"),
        name=text(product, "name"),
        external_line_id=sku,
        marketplace_sku=sku,
    )


def _scheme(posting: Mapping[str, Any]) -> str:
    return Scheme.DBS if text(posting, "tpl_integration_type") in RFBS_INTEGRATION_TYPES else Scheme.FBS


def _payment_status(analytics: Mapping[str, Any]) -> str:
    # Ozon collects the money; only "при получении" (on receipt) means the buyer has not paid yet.
    method = text(analytics, "payment_type_group_name").lower()
    return PaymentStatus.POSTPAID if "при получении" in method else PaymentStatus.PREPAID


def _address(customer: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    address = obj(customer, "address")
    tail = text(address, "address_tail")
    if not tail:
        parts = [text(address, key) for key in ("zip_code", "region", "city", "district")]
        tail = ", ".join(p for p in parts if p)
    details = {k: v for k, v in address.items() if v not in (None, "", 0)}
    return tail, details


def _cancel_reason(posting: Mapping[str, Any]) -> str:
    cancellation = obj(posting, "cancellation")
    reason = text(cancellation, "cancel_reason")
    initiator = text(cancellation, "cancellation_initiator")
    return f"{reason} ({initiator})" if reason and initiator else reason


def posting_to_order(posting: Mapping[str, Any]) -> OrderDTO:
    """One FBS/rFBS posting of ``/v4/posting/fbs/list``, ``/v4/posting/fbs/unfulfilled/list`` or ``/v3/posting/fbs/get``.

    A posting is Okno's order: Ozon splits an order into postings and ships, labels and cancels each on its own.
    """
    number = text(posting, "posting_number", required=True)
    status = text(posting, "status", required=True)
    substatus = text(posting, "substatus")
    unified = statuses.fbs_status(status, substatus)
    lines = tuple(_line(p) for p in items(posting, "products"))
    delivery = obj(posting, "delivery_method")
    analytics = obj(posting, "analytics_data")
    customer = obj(posting, "customer")
    address, address_details = _address(customer)
    items_total = quantize(sum((line.price * line.quantity for line in lines), Decimal("0")))
    if items_total >= MAX_AMOUNT:
        raise ValueError(f"posting total {items_total} is absurd")
    warehouse = ident(delivery.get("warehouse_id"), "delivery_method.warehouse_id") or ident(
        analytics.get("warehouse_id"), "analytics_data.warehouse_id"
    )
    details = {
        key: value
        for key, value in {
            "order_id": ident(posting.get("order_id"), "order_id"),
            "order_number": text(posting, "order_number"),
            "parent_posting_number": text(posting, "parent_posting_number"),
            "tpl_integration_type": text(posting, "tpl_integration_type"),
            "delivery_method_id": ident(delivery.get("id"), "delivery_method.id"),
            "tpl_provider": text(delivery, "tpl_provider"),
            "tracking_number": text(posting, "tracking_number"),
            "is_express": bool(posting.get("is_express")),
            "address": address_details,
            "delivery_date_begin": analytics.get("delivery_date_begin") or "",
            "delivery_date_end": analytics.get("delivery_date_end") or "",
        }.items()
        if value not in ("", {}, False)
    }
    return OrderDTO(
        external_id=number,
        number=number,
        scheme=_scheme(posting),
        status=unified,
        marketplace_status=status,
        marketplace_substatus=substatus,
        lines=lines,
        ordered_at=timestamp(posting.get("in_process_at"), "in_process_at"),
        ship_by=timestamp(posting.get("shipment_date"), "shipment_date"),
        warehouse_external_id=warehouse,
        buyer_name=text(customer, "name") or text(obj(posting, "addressee"), "name"),
        buyer_phone=text(customer, "phone"),
        buyer_email=text(customer, "customer_email"),
        delivery_address=address,
        delivery_details=details,
        delivery_method=text(delivery, "name"),
        payment_status=_payment_status(analytics),
        currency=_currency(posting),
        items_total=items_total,
        total=items_total,
        cancel_reason=_cancel_reason(posting) if unified == "cancelled" else "",
        raw=dict(posting),
    )


def _currency(posting: Mapping[str, Any]) -> str:
    """v4 price objects carry ``currency``; the v3 shape (``/v3/posting/fbs/get``) has ``currency_code`` beside."""
    for product in posting.get("products") or []:
        if not isinstance(product, Mapping):
            continue
        price = product.get("price")
        currency = price.get("currency") if isinstance(price, Mapping) else product.get("currency_code")
        if isinstance(currency, str) and currency:
            return currency
    return "RUB"


def posting_status(posting: Mapping[str, Any]) -> OrderStatusDTO:
    """Status of one posting (``/v3/posting/fbs/get`` result or a list item)."""
    number = text(posting, "posting_number", required=True)
    status = text(posting, "status", required=True)
    substatus = text(posting, "substatus")
    unified = statuses.fbs_status(status, substatus)
    return OrderStatusDTO(
        external_id=number,
        status=unified,
        marketplace_status=status,
        marketplace_substatus=substatus,
        cancel_reason=_cancel_reason(posting) if unified == "cancelled" else "",
    )


# --- FBO postings ----------------------------------------------------------------------------------------------------


def fbo_posting_to_order(posting: Mapping[str, Any]) -> OrderDTO:
    """One posting of ``/v3/posting/fbo/list``: sold from Ozon's warehouse, read-only for the seller."""
    number = text(posting, "posting_number", required=True)
    status = text(posting, "status", required=True)
    lines = tuple(_line(p) for p in items(posting, "products"))
    analytics = obj(posting, "analytics_data")
    items_total = quantize(sum((line.price * line.quantity for line in lines), Decimal("0")))
    if items_total >= MAX_AMOUNT:
        raise ValueError(f"posting total {items_total} is absurd")
    unified = statuses.fbo_status(status)
    created = timestamp(posting.get("created_at"), "created_at")
    return OrderDTO(
        external_id=number,
        number=number,
        scheme=Scheme.FBO,
        status=unified,
        marketplace_status=status,
        marketplace_substatus=text(posting, "substatus"),
        lines=lines,
        ordered_at=timestamp(posting.get("in_process_at"), "in_process_at") or created,
        warehouse_external_id=ident(analytics.get("warehouse_id"), "analytics_data.warehouse_id"),
        delivery_method=text(analytics, "delivery_type"),
        delivery_details={k: v for k, v in {"order_number": text(posting, "order_number"),
                                             "warehouse_name": text(analytics, "warehouse_name"),
                                             "city": text(analytics, "city")}.items() if v},
        payment_status=_payment_status(analytics),
        currency=_currency(posting),
        items_total=items_total,
        total=items_total,
        cancel_reason=_cancel_reason(posting) if unified == "cancelled" else "",
        raw=dict(posting),
    )


# --- returns -----------------------------------------------------------------------------------------------------------


def return_to_dto(item: Mapping[str, Any]) -> ReturnDTO:
    """One return of ``/v1/returns/list`` (FBS and FBO; one product per return)."""
    return_id = ident(field(item, "id"), "id")
    if not return_id:
        raise ValueError("return id is 0")
    product = obj(item, "product")
    if not product:
        raise KeyError("missing field 'product'")
    visual = obj(item, "visual")
    sys_name = text(obj(visual, "status"), "sys_name", required=True)
    count = quantity(product.get("quantity", 1))
    price_obj = obj(product, "price")
    price = money(price_obj.get("price", 0), "product.price.price")
    logistic = obj(item, "logistic")
    schema = text(item, "schema").lower() or Scheme.FBS
    if schema not in (Scheme.FBS, Scheme.FBO):
        raise ValueError(f"unknown return schema {item.get('schema')!r}")
    amount = quantize(price * count)
    if amount >= MAX_AMOUNT:
        raise ValueError(f"return amount {amount} is absurd")
    sku = ident(product.get("sku"), "product.sku")
    status = statuses.return_status(sys_name)
    kind = statuses.return_kind(text(item, "type", required=True))
    reason = text(item, "return_reason_name")
    # Ozon disposes of a return nobody collects: the planned date is the seller's deadline to pick it up.
    disposal = timestamp(obj(item, "storage").get("utilization_forecast_date"), "storage.utilization_forecast_date")
    return ReturnDTO(
        external_id=return_id,
        order_external_id=text(item, "posting_number"),
        scheme=schema,
        marketplace_status=sys_name,
        status=status,
        kind=kind,
        lines=(
            ReturnLineDTO(offer_id=text(product, "offer_id", required=True), quantity=count, price=price,
                          name=text(product, "name"), marketplace_sku=sku),
        ),
        reason=reason,
        reason_code=statuses.return_reason_code(reason, kind),
        created_at=timestamp(logistic.get("return_date"), "logistic.return_date")
        or timestamp(visual.get("change_moment"), "visual.change_moment"),
        deadline_at=disposal if status in (ReturnStatus.IN_TRANSIT, ReturnStatus.ARRIVED) else None,
        amount=amount,
        raw=dict(item),
    )


RFBS_PREFIX = "rfbs-"
CANCELLATION_PREFIX = "cancellation-"


def rfbs_return_to_dto(item: Mapping[str, Any], detail: Mapping[str, Any] | None = None) -> ReturnDTO:
    """One rFBS return request of ``/v2/returns/rfbs/list`` (one product each), with what ``/v2/returns/rfbs/get``
    adds when it was read (reason, the buyer's comment and photos, the actions and rejection reasons offered)."""
    return_id = ident(field(item, "return_id"), "return_id")
    if not return_id:
        raise ValueError("return_id is 0")
    state = obj(item, "state")
    group = text(state, "group_state", required=True)
    product = obj(item, "product")
    if not product:
        raise KeyError("missing field 'product'")
    price = money(product.get("price", 0), "product.price")
    detail = detail or {}
    reason = obj(detail, "return_reason")
    reason_name = text(reason, "name")
    if reason.get("is_defect") is True:
        reason_code = ReasonCode.DEFECT
    else:
        reason_code = statuses.return_reason_code(reason_name, ReturnKind.RETURN) if reason_name else ""
    photos = items(detail, "client_photo", required=False)
    raw = dict(item)
    if detail:
        raw["detail"] = dict(detail)
    return ReturnDTO(
        external_id=f"{RFBS_PREFIX}{return_id}",
        order_external_id=text(item, "posting_number"),
        scheme=Scheme.DBS,  # rFBS: the seller delivers, and takes returns back, himself
        marketplace_status="/".join(filter(None, (group, text(state, "state")))),
        status=statuses.rfbs_status(group),
        kind=ReturnKind.RETURN,
        lines=(
            ReturnLineDTO(offer_id=text(product, "offer_id", required=True), quantity=1, price=price,
                          name=text(product, "name"), marketplace_sku=ident(product.get("sku"), "product.sku")),
        ),
        reason=reason_name,
        reason_code=reason_code,
        buyer_comment=text(detail, "comment"),
        photos=tuple(str(p) for p in photos if p),
        created_at=timestamp(item.get("created_at"), "created_at"),
        amount=price,
        raw=raw,
    )


def cancellation_request_to_dto(item: Mapping[str, Any], lines: tuple[ReturnLineDTO, ...] = ()) -> ReturnDTO:
    """One rFBS cancellation request of ``/v2/conditional-cancellation/list``: Ozon approves it by itself at
    ``auto_approve_date`` unless the seller answers first. The request names no products: ``lines`` come from the
    posting."""
    cancellation_id = ident(field(item, "cancellation_id"), "cancellation_id")
    if not cancellation_id:
        raise ValueError("cancellation_id is 0")
    state = text(obj(item, "state"), "state", required=True)
    status = statuses.cancellation_status(state)
    initiator = text(item, "cancellation_initiator", required=True)
    reason = text(obj(item, "cancellation_reason"), "name")
    message = text(item, "cancellation_reason_message")
    return ReturnDTO(
        external_id=f"{CANCELLATION_PREFIX}{cancellation_id}",
        order_external_id=text(item, "posting_number", required=True),
        scheme=Scheme.DBS,
        marketplace_status=state,
        status=status,
        kind=ReturnKind.CANCELLATION,
        lines=lines,
        reason=": ".join(filter(None, (reason, message))),
        reason_code=statuses.cancellation_reason_code(initiator),
        buyer_comment=message,
        created_at=timestamp(item.get("cancelled_at"), "cancelled_at"),
        deadline_at=(timestamp(item.get("auto_approve_date"), "auto_approve_date")
                     if status == ReturnStatus.REQUESTED else None),
        amount=quantize(sum((line.price * line.quantity for line in lines), Decimal("0"))),
        raw=dict(item),
    )


def posting_return_lines(posting: Mapping[str, Any]) -> tuple[ReturnLineDTO, ...]:
    """The products of a posting (``/v3/posting/fbs/get`` ``result``) as return lines."""
    order = posting_to_order(posting)
    return tuple(ReturnLineDTO(offer_id=line.offer_id, quantity=line.quantity, price=line.price, name=line.name,
                               marketplace_sku=line.marketplace_sku) for line in order.lines)


# --- stocks ------------------------------------------------------------------------------------------------------------


def stock_item(update: StockUpdate, product_id: str) -> dict[str, Any]:
    """One pair of ``/v2/products/stocks``. ``stock`` is what buyers may order, reserves excluded (§6.1).

    The spec requires ``product_id``; when ``offer_id`` is sent too Ozon uses the ``offer_id`` — both name the same
    card here, so the seller's article stays the key.
    """
    item: dict[str, Any] = {
        "offer_id": update.offer_id or update.stock_key,
        "product_id": integer(product_id, "product_id", low=1),
        "stock": max(0, min(int(update.quantity), MAX_STOCK)),
        "warehouse_id": integer(update.warehouse_external_id, "warehouse_id", low=1),
    }
    return item


def stock_reading(row: Mapping[str, Any]) -> StockReading:
    """One row of ``/v2/product/info/stocks-by-warehouse/fbs``: ``free_stock`` is what we set, ``reserved`` is held."""
    return StockReading(
        stock_key=text(row, "offer_id", required=True),
        warehouse_external_id=ident(field(row, "warehouse_id"), "warehouse_id"),
        quantity=integer(row.get("free_stock", 0), "free_stock", high=10 * MAX_QUANTITY),
        reserved=integer(row.get("reserved", 0), "reserved", high=10 * MAX_QUANTITY),
    )


def fbo_stock(row: Mapping[str, Any]) -> FboStockDTO:
    """One row of ``/v1/analytics/stocks`` (per SKU and Ozon warehouse)."""
    return FboStockDTO(
        offer_id=text(row, "offer_id", required=True),
        warehouse_external_id=ident(field(row, "warehouse_id"), "warehouse_id"),
        warehouse_name=text(row, "warehouse_name"),
        quantity=integer(row.get("available_stock_count", 0), "available_stock_count", high=10 * MAX_QUANTITY),
        in_transit=integer(row.get("transit_stock_count", 0), "transit_stock_count", high=10 * MAX_QUANTITY),
        marketplace_sku=ident(row.get("sku"), "sku"),
    )
