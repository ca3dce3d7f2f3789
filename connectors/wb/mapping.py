"""Pure functions between WB JSON and Okno's DTOs. Units at the edge (wildberries.md §2.2, §2.3):

- FBS order prices are integers ×100 in the sale currency (``currencyCode``, ISO 4217 numeric): kopecks for RUB;
- statistics, claims and the FBW stock report carry roubles as JSON numbers;
- marketplace timestamps are RFC 3339 UTC; statistics and claims timestamps are Moscow time without an offset.

Every mapper raises on a missing field, a wrong type, an unknown status or an out-of-range number, so the caller
(``connectors.base.map_each``) keeps that item as a ``PayloadError`` and maps the rest.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
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
from connectors.wb import statuses
from oms.money import from_kopecks, quantize
from orders.choices import OrderStatus, PaymentStatus, Scheme

MOSCOW = ZoneInfo("Europe/Moscow")
MAX_ID = 2**63 - 1
# One unit never costs a billion roubles: a bigger number is a broken payload, not a price.
MAX_KOPECKS = 100_000_000_000
MAX_ROUBLES = Decimal(MAX_KOPECKS) / 100
MAX_STOCK_AMOUNT = 100_000  # PUT /api/v3/stocks: amount ≤ 100000
ZERO_DATE = "0001-01-01"  # statistics' "no date" (cancelDate of a live order)

# ISO 4217 numeric → alphabetic for the currencies WB sells in (currencyCode / convertedCurrencyCode).
CURRENCIES: dict[int, str] = {
    643: "RUB", 933: "BYN", 398: "KZT", 51: "AMD", 417: "KGS", 860: "UZS", 972: "TJS", 944: "AZN", 981: "GEL",
    156: "CNY", 949: "TRY", 840: "USD", 978: "EUR",
}
RUB = 643

WAREHOUSE_TYPE_WB = "Склад WB"  # statistics warehouseType of WB's own (FBW) warehouses
WAREHOUSE_TYPE_SELLER = "Склад продавца"


# --- primitives ---------------------------------------------------------------------------------------------------
def _req(data: Mapping[str, Any], key: str) -> Any:
    if not isinstance(data, Mapping):
        raise TypeError(f"expected an object, got {type(data).__name__}")
    if key not in data or data[key] is None:
        raise KeyError(f"missing field {key!r}")
    return data[key]


def integer(value: Any, name: str, *, low: int = 0, high: int = MAX_ID) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name}={value} is out of range")
    return value


def text(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {value!r}")
    return value


def kopecks(value: Any, name: str) -> Decimal:
    """An integer ×100 amount → Decimal roubles (exact for RUB kopecks)."""
    return from_kopecks(integer(value, name, high=MAX_KOPECKS))


def roubles(value: Any, name: str) -> Decimal:
    """A JSON number (or a decimal string) of roubles → Decimal with two places."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError(f"{name} must be a number, got {value!r}")
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"{name}={value!r} is not a number") from exc
    if not amount.is_finite() or abs(amount) > MAX_ROUBLES:
        raise ValueError(f"{name}={value!r} is out of range")
    return quantize(amount)


def parse_utc(value: Any, name: str) -> datetime:
    """RFC 3339 (marketplace API): keeps its offset; a bare value is UTC, as the API documents."""
    moment = datetime.fromisoformat(text(value, name).replace("z", "Z"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_moscow(value: Any, name: str) -> datetime | None:
    """Statistics/claims time: Moscow time without an offset (an explicit offset wins). "0001-01-01…" is no date."""
    raw = text(value, name)
    if not raw or raw.startswith(ZERO_DATE):
        return None
    moment = datetime.fromisoformat(raw.replace("z", "Z"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=MOSCOW)
    return moment.astimezone(UTC)


def moscow_text(moment: datetime) -> str:
    """An aware instant as the statistics API's ``dateFrom``: Moscow wall time, no offset."""
    return moment.astimezone(MOSCOW).replace(tzinfo=None).isoformat(timespec="seconds")


def day_end_moscow(value: str) -> datetime:
    """``dd.mm.yyyy`` (sellerDate) → the end of that Moscow day as UTC."""
    day, month, year = (int(part) for part in value.split("."))
    return datetime(year, month, day, 23, 59, 59, tzinfo=MOSCOW).astimezone(UTC)


def currency(code: Any) -> str:
    code = integer(code, "currencyCode", high=999)
    return CURRENCIES.get(code, str(code))


def absolute_url(path: str) -> str:
    return f"https:{path}" if path.startswith("//") else path


# --- FBS assembly tasks -------------------------------------------------------------------------------------------
def order_from_task(task: Mapping[str, Any], supplier_status: str = "new", wb_status: str = "") -> OrderDTO:
    """One assembly task (GET /api/v3/orders/new or /api/v3/orders) = one unit = one Okno order.

    ``external_id`` is the task ``id`` (what every action addresses); ``number`` is ``rid``, WB's order id that
    statistics, claims and finance call ``srid``, so returns find their order by it.
    """
    task_id = integer(_req(task, "id"), "id", low=1)
    rid = text(_req(task, "rid"), "rid")
    if not rid:
        raise ValueError("rid is empty")
    status = statuses.unified_status(supplier_status, wb_status)
    code = integer(_req(task, "currencyCode"), "currencyCode", high=999)
    converted_code = task.get("convertedCurrencyCode")
    # Okno counts roubles: a sale in another currency is taken in its rouble conversion when WB gives one.
    if code != RUB and converted_code == RUB and task.get("convertedPrice") is not None:
        price = kopecks(task["convertedPrice"], "convertedPrice")
        paid = task.get("convertedFinalPrice")
        paid = kopecks(paid, "convertedFinalPrice") if paid is not None else price
        money_currency = "RUB"
    else:
        price = kopecks(_req(task, "price"), "price")
        paid = task.get("finalPrice")
        paid = kopecks(paid, "finalPrice") if paid is not None else price
        money_currency = currency(code)
    seller_price = task.get("salePrice")
    seller_price = kopecks(seller_price, "salePrice") if seller_price is not None else None
    skus = task.get("skus") or []
    if not isinstance(skus, list) or not all(isinstance(s, str) for s in skus):
        raise TypeError(f"skus must be a list of strings, got {skus!r}")
    chrt_id = integer(_req(task, "chrtId"), "chrtId", low=1)
    nm_id = integer(_req(task, "nmId"), "nmId", low=1)
    line = OrderLineDTO(
        offer_id=text(_req(task, "article"), "article"),
        quantity=1,  # one assembly task is one unit
        price=paid,
        external_line_id=str(task_id),
        marketplace_sku=str(chrt_id),
        barcode=skus[0] if skus else "",
    )
    address = task.get("address")
    if address is not None and not isinstance(address, Mapping):
        raise TypeError(f"address must be an object, got {address!r}")
    cargo_type = task.get("cargoType")
    seller_date = task.get("sellerDate")
    options = task.get("options") if isinstance(task.get("options"), Mapping) else {}
    details = {
        "nm_id": nm_id,
        "chrt_id": chrt_id,
        "order_uid": task.get("orderUid") or "",
        "rid": rid,
        "office_id": task.get("officeId"),
        "offices": task.get("offices") or [],
        "cargo_type": cargo_type,
        "cross_border_type": task.get("crossBorderType"),
        "is_zero_order": bool(task.get("isZeroOrder")),
        # 2026-08 spells it isB2B, 2025-12 isB2b: accept both.
        "is_b2b": bool(options.get("isB2B", options.get("isB2b", False))),
        "comment": task.get("comment") or "",
        "required_meta": task.get("requiredMeta") or [],
        "optional_meta": task.get("optionalMeta") or [],
    }
    if task.get("supplyId"):
        details["supply_id"] = task["supplyId"]
    if task.get("ddate"):
        details["planned_delivery_date"] = task["ddate"]
    if seller_price is not None:
        details["seller_price"] = str(seller_price)
    return OrderDTO(
        external_id=str(task_id),
        number=rid,
        scheme=Scheme.FBS,
        status=status,
        marketplace_status=supplier_status,
        marketplace_substatus=wb_status,
        lines=(line,),
        ordered_at=parse_utc(_req(task, "createdAt"), "createdAt"),
        ship_by=day_end_moscow(seller_date) if isinstance(seller_date, str) and seller_date else None,
        warehouse_external_id=str(integer(_req(task, "warehouseId"), "warehouseId", low=1)),
        delivery_address=(address or {}).get("fullAddress") or "",
        delivery_details=details,
        delivery_method=str(task.get("deliveryType") or "fbs"),
        payment_status=PaymentStatus.PREPAID,  # WB takes the buyer's money; the seller is paid by WB
        currency=money_currency,
        items_total=paid,
        discount_total=max(Decimal("0"), price - paid),
        total=paid,
        cancel_reason=cancel_reason(supplier_status, wb_status) if status == OrderStatus.CANCELLED else "",
        raw=dict(task),
    )


def status_from_item(item: Mapping[str, Any]) -> OrderStatusDTO:
    """One element of POST /api/v3/orders/status → both axes kept, the unified status read from them."""
    task_id = integer(_req(item, "id"), "id", low=1)
    supplier_status = text(_req(item, "supplierStatus"), "supplierStatus")
    wb_status = text(_req(item, "wbStatus"), "wbStatus")
    status = statuses.unified_status(supplier_status, wb_status)
    return OrderStatusDTO(
        external_id=str(task_id), status=status, marketplace_status=supplier_status,
        marketplace_substatus=wb_status,
        cancel_reason=cancel_reason(supplier_status, wb_status) if status == OrderStatus.CANCELLED else "",
    )


def cancel_reason(supplier_status: str, wb_status: str) -> str:
    """Who cancelled, in WB's words: the WB status when it says more than "waiting", else the seller's."""
    return wb_status if wb_status and wb_status != "waiting" else supplier_status


def statuses_by_id(items: Iterable[Mapping[str, Any]]) -> dict[int, tuple[str, str]]:
    """id → (supplierStatus, wbStatus) for the well-formed items of a status answer."""
    found: dict[int, tuple[str, str]] = {}
    for item in items:
        if isinstance(item, Mapping) and isinstance(item.get("id"), int):
            found[item["id"]] = (str(item.get("supplierStatus") or ""), str(item.get("wbStatus") or ""))
    return found


# --- FBW (FBO) statistics -----------------------------------------------------------------------------------------
def is_wb_warehouse_row(row: Any) -> bool:
    """Statistics also list FBS orders (warehouseType "Склад продавца"): only WB's own warehouses are FBO."""
    return isinstance(row, Mapping) and row.get("warehouseType") == WAREHOUSE_TYPE_WB


def _fbo_order(row: Mapping[str, Any], kind: str, changed_at: datetime | None) -> OrderDTO:
    srid = text(_req(row, "srid"), "srid")
    if not srid:
        raise ValueError("srid is empty")
    status = statuses.fbo_status(kind)
    price = None
    for name in ("finishedPrice", "priceWithDisc", "totalPrice"):
        if row.get(name) not in (None, 0):
            # Returns carry negative amounts; the unit price is the same either way. Fields may be 0 for 24 h.
            price = abs(roubles(row[name], name))
            break
    price = price if price is not None else Decimal("0.00")
    warehouse_name = text(_req(row, "warehouseName"), "warehouseName")
    nm_id = integer(_req(row, "nmId"), "nmId", low=1)
    line = OrderLineDTO(
        offer_id=text(_req(row, "supplierArticle"), "supplierArticle"),
        quantity=1,  # one statistics row = one unit
        price=price,
        name=str(row.get("subject") or ""),
        external_line_id=srid,
        marketplace_sku=str(nm_id),
        barcode=str(row.get("barcode") or ""),
    )
    return OrderDTO(
        external_id=srid,
        number=srid,
        scheme=Scheme.FBO,
        status=status,
        marketplace_status=kind,
        lines=(line,),
        ordered_at=parse_moscow(_req(row, "date"), "date"),
        warehouse_external_id=warehouse_name,  # statistics name the WB warehouse, they carry no id
        delivery_address=", ".join(str(row[k]) for k in ("countryName", "oblastOkrugName", "regionName") if row.get(k)),
        delivery_details={"warehouse_name": warehouse_name, "g_number": row.get("gNumber") or "",
                          "sticker": row.get("sticker") or "", "income_id": row.get("incomeID")},
        delivery_method="fbo",
        payment_status=PaymentStatus.REFUNDED if kind == "return" else PaymentStatus.PREPAID,
        items_total=price,
        total=price,
        cancel_reason="cancelled" if status == OrderStatus.CANCELLED else "",
        status_changed_at=changed_at,
        raw=dict(row),
    )


def fbo_order_from_order_row(row: Mapping[str, Any]) -> OrderDTO:
    """A GET /api/v1/supplier/orders row of a WB warehouse."""
    cancelled = _req(row, "isCancel")
    if not isinstance(cancelled, bool):
        raise TypeError(f"isCancel must be a boolean, got {cancelled!r}")
    changed = parse_moscow(row["cancelDate"], "cancelDate") if cancelled and row.get("cancelDate") else None
    return _fbo_order(row, "order_cancelled" if cancelled else "order", changed)


def fbo_order_from_sale_row(row: Mapping[str, Any]) -> OrderDTO:
    """A GET /api/v1/supplier/sales row of a WB warehouse: saleID S… is a sale, R… a return to WB."""
    sale_id = text(_req(row, "saleID"), "saleID")
    kind = {"S": "sale", "R": "return"}.get(sale_id[:1])
    if kind is None:
        raise statuses.UnknownStatus(f"unknown WB saleID kind {sale_id!r}")
    return _fbo_order(row, kind, parse_moscow(_req(row, "lastChangeDate"), "lastChangeDate"))


def statistics_row_key(row: Mapping[str, Any]) -> str:
    """What identifies one version of a statistics row across pages: its id (a sale/return by saleID, an order by
    srid) and a digest of its content — a row changed within the same second must not pass for the one seen."""
    digest = hashlib.sha1(json.dumps(row, sort_keys=True, default=str).encode(), usedforsecurity=False)
    return f"{row.get('saleID') or row.get('srid') or ''}:{digest.hexdigest()[:12]}"


# --- FBW stock report ---------------------------------------------------------------------------------------------
def fbo_stock_from_item(item: Mapping[str, Any], vendor_codes: Mapping[int, str]) -> FboStockDTO:
    """A row of POST /api/analytics/v1/stocks-report/wb-warehouses (one size on one WB warehouse)."""
    nm_id = integer(_req(item, "nmId"), "nmId", low=1)
    chrt_id = integer(_req(item, "chrtId"), "chrtId", low=1)
    warehouse_id = integer(_req(item, "warehouseId"), "warehouseId", low=-MAX_ID)
    return FboStockDTO(
        offer_id=vendor_codes.get(chrt_id) or vendor_codes.get(nm_id) or "",
        warehouse_external_id=str(warehouse_id),
        warehouse_name=text(_req(item, "warehouseName"), "warehouseName"),
        quantity=integer(_req(item, "quantity"), "quantity", high=10**9),
        in_transit=integer(item.get("inWayFromClient") or 0, "inWayFromClient", high=10**9),
        reserved=integer(item.get("inWayToClient") or 0, "inWayToClient", high=10**9),
        marketplace_sku=str(chrt_id),
    )


def vendor_codes_from_cards(cards: Iterable[Any]) -> dict[int, str]:
    """nmID and chrtID → vendorCode from content cards (the stock report and claims carry only WB ids)."""
    found: dict[int, str] = {}
    for card in cards:
        if not isinstance(card, Mapping) or not isinstance(card.get("vendorCode"), str):
            continue
        if isinstance(card.get("nmID"), int):
            found[card["nmID"]] = card["vendorCode"]
        for size in card.get("sizes") or ():
            if isinstance(size, Mapping) and isinstance(size.get("chrtID"), int):
                found[size["chrtID"]] = card["vendorCode"]
    return found


# --- claims -------------------------------------------------------------------------------------------------------
def return_from_claim(claim: Mapping[str, Any], vendor_codes: Mapping[int, str]) -> ReturnDTO:
    """A buyer's return claim (GET /api/v1/claims) → a claim-kind return of one unit."""
    claim_id = text(_req(claim, "id"), "id")
    if not claim_id:
        raise ValueError("claim id is empty")
    status = integer(_req(claim, "status"), "status", high=1000)
    status_ex = integer(_req(claim, "status_ex"), "status_ex", high=1000)
    unified = statuses.claim_status(status, status_ex)
    nm_id = integer(_req(claim, "nm_id"), "nm_id", low=1)
    amount = roubles(claim["price"], "price") if claim.get("price") is not None else Decimal("0.00")
    photos = claim.get("photos") or []
    videos = claim.get("video_paths") or []
    if not isinstance(photos, list) or not isinstance(videos, list):
        raise TypeError("photos and video_paths must be lists")
    actions = claim.get("actions") or []
    if not isinstance(actions, list):
        raise TypeError("actions must be a list")
    filed_at = parse_moscow(_req(claim, "dt"), "dt")
    return ReturnDTO(
        external_id=claim_id,
        order_external_id=text(_req(claim, "srid"), "srid"),
        scheme=Scheme.FBS,
        marketplace_status=f"{status}/{status_ex}",
        status=unified,
        lines=(ReturnLineDTO(offer_id=vendor_codes.get(nm_id, ""), quantity=1, price=amount,
                             name=str(claim.get("imt_name") or ""), marketplace_sku=str(nm_id)),),
        kind="claim",
        reason_code=statuses.CLAIM_REASON_CODE,
        buyer_comment=str(claim.get("user_comment") or ""),
        photos=tuple(absolute_url(str(p)) for p in [*photos, *videos]),
        created_at=filed_at,
        deadline_at=claim_deadline(status, actions, filed_at),
        amount=amount,
        raw=dict(claim),
    )


def claim_deadline(status: int, actions: Sequence[Any], filed_at: datetime | None) -> datetime | None:
    """When an undecided claim stops being answerable through the API (it leaves the 14-day list); None once WB
    has decided or the claim allows no answer."""
    if status != 0 or not actions or filed_at is None:
        return None
    return filed_at + statuses.CLAIM_ANSWER_WINDOW


def claim_answer(claim_id: str, action: str, comment: str = "") -> dict[str, Any]:
    """The body of PATCH /api/v1/claim; ``comment`` only where WB reads it (rejectcustom, approvecc1)."""
    body: dict[str, Any] = {"id": claim_id, "action": action}
    if comment and action in statuses.CLAIM_COMMENT_ACTIONS:
        body["comment"] = comment
    return body


# --- stocks -------------------------------------------------------------------------------------------------------
def chrt_id(stock_key: str) -> int:
    """Listing.stock_key of a WB listing is its chrtId (stock is keyed by size since 2026-02-09)."""
    value = str(stock_key).strip()
    if not value.isdigit():
        raise ValueError(f"stock key {stock_key!r} is not a WB chrtId")
    return integer(int(value), "chrtId", low=1)


def stock_amount(quantity: int) -> int:
    """WB refuses amounts above 100000 (409 UploadDataLimit); nothing can be offered below 0."""
    return max(0, min(int(quantity), MAX_STOCK_AMOUNT))


def stock_request(updates: Sequence[StockUpdate]) -> dict[str, Any]:
    """Body of PUT /api/v3/stocks/{warehouseId}: absolute amounts per chrtId."""
    return {"stocks": [{"chrtId": chrt_id(u.stock_key), "amount": stock_amount(u.quantity)} for u in updates]}


def stock_conflicts(body: Any) -> tuple[dict[int, str], str]:
    """A 409 answer of the stock PUT (an array of {code, message, data[{sku, chrtId, amount}]}) → the error of each
    named chrtId, and the error of the whole request when an entry names no item (e.g. StoreIsProcessing)."""
    per_item: dict[int, str] = {}
    general: list[str] = []
    for entry in body if isinstance(body, list) else [body]:
        if not isinstance(entry, Mapping):
            continue
        message = ": ".join(str(entry[k]) for k in ("code", "message") if entry.get(k))
        items = entry.get("data") if isinstance(entry.get("data"), list) else []
        named = [i["chrtId"] for i in items if isinstance(i, Mapping) and isinstance(i.get("chrtId"), int)]
        for chrt in named:
            per_item[chrt] = message
        if not named:
            general.append(message)
    return per_item, "; ".join(filter(None, general))


def readings_from_stocks(body: Any, warehouse_id: str, wanted: Iterable[int]) -> list[StockReading]:
    """POST /api/v3/stocks/{warehouseId} answer → one reading per asked chrtId; an absent one shows 0."""
    shown: dict[int, int] = {}
    listed = body.get("stocks") if isinstance(body, Mapping) else None
    for item in listed if isinstance(listed, list) else []:
        if isinstance(item, Mapping) and isinstance(item.get("chrtId"), int) and isinstance(item.get("amount"), int):
            shown[item["chrtId"]] = item["amount"]
    return [StockReading(stock_key=str(c), warehouse_external_id=warehouse_id, quantity=shown.get(c, 0))
            for c in wanted]


def unix(moment: datetime) -> int:
    return int(moment.timestamp())
