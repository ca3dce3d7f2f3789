"""The Ozon Seller API connector: FBS/rFBS postings, assembly and labels, stock, FBO and returns.

Every call is ``POST`` + JSON on one host (ozon.md §1). A posting (отправление) is Okno's order: Ozon ships, labels
and cancels postings, and splits an order into several of them. Paths, bodies and limits follow the official spec
(``specs/ozon/2026-06-11-ru-enriched``): current methods only — v4 posting lists with cursors, v4 ship, v2 labels,
v2 stocks with the per-pair 30-second rule, v3 FBO list, v1 analytics stocks, v1 returns (read-only), and the rFBS
return and cancellation requests, the only returns Ozon lets the seller answer.
"""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from connectors.base import ConnectionConfig, Connector, map_each
from connectors.dto import (
    ActionResult,
    Batch,
    FboStockDTO,
    LabelFile,
    OrderDTO,
    OrderStatusDTO,
    PayloadError,
    ReturnDTO,
    StockPushResult,
    StockReading,
    StockUpdate,
)
from connectors.errors import AuthRejected, BadRequest, MarketplaceUnavailable, NotFound, RateLimited
from connectors.http import MarketplaceHttp
from connectors.ozon import mapping, statuses
from connectors.ozon.api import (
    ACCOUNT_LIMIT,
    OZON_API,
    SELLER,
    STOCK_BATCH_SIZE,
    STOCK_PAIR_INTERVAL_S,
    STOCKS_LIMIT,
)
from connectors.ratelimit import Limit

logger = logging.getLogger(__name__)
T = TypeVar("T")

PAGE_LIMIT = 100  # v4 posting lists and v3 FBO list: limit 1–100
MAX_PAGES = 50  # one call of fetch_new_orders reads at most this many pages (5 000 postings)
NEW_ORDERS_CUTOFF_WINDOW = timedelta(days=60)  # assembly deadlines looked at on either side of now
CHANGED_LOOKBACK = timedelta(days=30)  # first run of fetch_changed_orders / fetch_returns without a cursor
CREATED_WINDOW = timedelta(days=364)  # filter.since/to of /v4/posting/fbs/list: at most a year apart
OVERLAP = timedelta(seconds=60)  # re-read the tail of the last window: Ozon's lists are eventually consistent
FBO_LOOKBACK = timedelta(days=30)
FBO_RESCAN = timedelta(days=14)  # FBO lists have no "changed since" filter: re-read recent postings for status news
RETURNS_PAGE = 500  # /v1/returns/list: limit ≤ 500
RFBS_PAGE = 500  # /v2/returns/rfbs/list: the spec names no maximum; its example asks for 1000
RFBS_LOOKBACK = timedelta(days=60)  # rFBS return requests re-read each round (the list filters by creation only)
CANCELLATIONS_PAGE = 500  # /v2/conditional-cancellation/list: limit ≤ 500
CANCELLATION_POSTINGS = 50  # postings per re-read of ended cancellation requests
MAX_OPEN_CANCELLATIONS = 1000
RETURNS_SOURCE, RFBS_SOURCE, CANCELLATIONS_SOURCE = "returns", "rfbs", "cancellations"
LABEL_CHUNK = 20  # /v2/posting/fbs/package-label: ≤ 20 postings per request
STOCK_READ_CHUNK = 100  # offer ids per /v2/product/info/stocks-by-warehouse/fbs request
PRODUCT_PAGE = 1000  # /v4/product/info/stocks: limit 1–1000
ANALYTICS_SKUS = 100  # /v1/analytics/stocks: skus ≤ 100
#: Ozon's FBS package label is 75 × 120 mm unless its PDF says otherwise (UNCONFIRMED in the spec; read from the PDF).
LABEL_SIZE_MM = (75, 120)
#: The per-pair clock: one stock update per product–warehouse pair per 30 s, shared by all processes.
PAIR_LIMIT = Limit("stock_pair", rate=1, period_s=STOCK_PAIR_INTERVAL_S, burst=1)
TOO_MANY_REQUESTS = "TOO_MANY_REQUESTS"

_MEDIABOX = re.compile(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]")


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _dedupe(raw_items: Iterable[Any], key: str) -> list[Any]:
    """Drop repeated items (an answer may repeat one), keeping the last copy and the first position."""
    seen: dict[Any, int] = {}
    out: list[Any] = []
    for item in raw_items:
        ident = item.get(key) if isinstance(item, dict) else None
        if ident is None:
            out.append(item)
        elif ident in seen:
            out[seen[ident]] = item
        else:
            seen[ident] = len(out)
            out.append(item)
    return out


def _posting_number(item: Any) -> str:
    return str(item.get("posting_number") or "") if isinstance(item, dict) else ""


def _list(body: Any, key: str) -> list[Any]:
    """A list field of an answer; a malformed answer is the marketplace misbehaving, not a payload to keep."""
    value = body.get(key) if isinstance(body, dict) else None
    if value is None:
        return []
    if not isinstance(value, list):
        raise MarketplaceUnavailable(f"Ozon answered {key!r} that is not a list")
    return value


class OzonConnector(Connector):
    marketplace = "ozon"
    stock_batch_size = STOCK_BATCH_SIZE
    stock_pair_interval_s = STOCK_PAIR_INTERVAL_S
    label_formats = frozenset({"pdf"})

    def __init__(self, config: ConnectionConfig, http: MarketplaceHttp | None = None):
        super().__init__(config, http)
        self._product_ids: dict[str, str] = {}  # offer_id → product_id, learnt from Ozon

    @classmethod
    def build_http(cls, config: ConnectionConfig) -> MarketplaceHttp:
        return MarketplaceHttp(
            OZON_API, credentials=config.credentials, account_key=str(config.id), base_url=config.base_url,
            api_base_urls=config.api_base_urls,
        )

    def _post(self, path: str, body: dict[str, Any], *, limits: Sequence[str] = (ACCOUNT_LIMIT,)) -> Any:
        answer = self.http.json(SELLER, "POST", path, json=body, limits=limits)
        if answer is None:
            return {}
        if not isinstance(answer, dict):  # every documented answer is an object: this one is not Ozon's
            raise MarketplaceUnavailable(f"Ozon answered {path} with {type(answer).__name__}, not an object")
        return answer

    # --- health -------------------------------------------------------------------------------------------------
    def check(self) -> str:
        info = self._post("/v1/seller/info", {})
        company = info.get("company") if isinstance(info, dict) else None
        company = company if isinstance(company, dict) else {}
        name = company.get("name") or company.get("legal_name") or f"Client-Id {self.config.credentials.get('client_id')}"
        return f"{name} (ИНН {company['inn']})" if company.get("inn") else str(name)

    # --- orders -------------------------------------------------------------------------------------------------
    def fetch_new_orders(self, *, since: datetime | None = None) -> Batch[OrderDTO]:
        """Postings waiting for assembly (``/v4/posting/fbs/unfulfilled/list``), every page."""
        now = _utcnow()
        body: dict[str, Any] = {
            "filter": {
                "cutoff_from": mapping.iso(now - NEW_ORDERS_CUTOFF_WINDOW),
                "cutoff_to": mapping.iso(now + NEW_ORDERS_CUTOFF_WINDOW),
                "statuses": list(statuses.NEW_POSTING_STATUSES),
            },
            "limit": PAGE_LIMIT,
            "sort_dir": "ASC",
            "with": {"analytics_data": True, "financial_data": True, "barcodes": True},
        }
        raw: list[Any] = []
        page, has_more = "", False
        for _ in range(MAX_PAGES):
            answer = self._post("/v4/posting/fbs/unfulfilled/list", {**body, "cursor": page})
            raw.extend(_list(answer, "postings"))
            next_page = str(answer.get("cursor") or "")
            has_more = bool(answer.get("has_next")) and bool(next_page) and next_page != page
            if not has_more:
                break
            page = next_page
        batch = map_each(_dedupe(raw, "posting_number"), mapping.posting_to_order, kind="order",
                         external_id=_posting_number)
        batch.has_more = has_more
        return batch

    def fetch_changed_orders(self, cursor: dict[str, Any], *, since: datetime | None = None) -> Batch[OrderDTO]:
        """One page of postings whose status changed in a window (``/v4/posting/fbs/list``).

        Cursor ``{"from", "to", "page"}``: a window of ``last_changed_status_date`` is fixed on its first page and
        read to its end with Ozon's cursor; the next window starts a minute before the last one ended.
        """
        window_from, window_to, page = self._window(cursor, since, CHANGED_LOOKBACK)
        # Ozon refuses periods over a year: a cursor that old catches up a year at a time.
        window_to = min(window_to, window_from + CREATED_WINDOW)
        body = {
            "filter": {
                # Required creation period (≤ 1 year): whatever changed in the window was created before its end.
                "since": mapping.iso(window_to - CREATED_WINDOW),
                "to": mapping.iso(window_to),
                "last_changed_status_date": {"from": mapping.iso(window_from), "to": mapping.iso(window_to)},
            },
            "limit": PAGE_LIMIT,
            "cursor": page,
            "sort_dir": "ASC",
            "with": {"analytics_data": True, "financial_data": True, "barcodes": True},
        }
        answer = self._post("/v4/posting/fbs/list", body)
        batch = map_each(_dedupe(_list(answer, "postings"), "posting_number"), mapping.posting_to_order,
                         kind="order", external_id=_posting_number)
        return self._paged(batch, answer, window_from, window_to, page, "cursor")

    def fetch_order_statuses(self, external_ids: Sequence[str]) -> Batch[OrderStatusDTO]:
        """``/v3/posting/fbs/get`` per posting; a posting Ozon refuses (unknown number…) becomes a ``PayloadError``."""
        batch: Batch[OrderStatusDTO] = Batch()
        for posting_number in dict.fromkeys(external_ids):
            try:
                answer = self._post("/v3/posting/fbs/get", {"posting_number": posting_number})
            except BadRequest as exc:  # this posting only (unknown, malformed number): the others go on
                known = not isinstance(exc, NotFound) and "NOT_FOUND" not in exc.detail.upper()
                error = exc.detail if known else f"Ozon does not know this posting: {exc.detail}"
                batch.errors.append(PayloadError(kind="order_status", payload="", external_id=posting_number,
                                                 error=error))
                continue
            result = answer.get("result") if isinstance(answer, dict) else None
            map_each([result], mapping.posting_status, kind="order_status",
                     external_id=lambda _item, n=posting_number: n, batch=batch)
        return batch

    def confirm_orders(self, external_ids: Sequence[str]) -> list[ActionResult]:
        raise self.unsupported(
            "confirm_orders",
            "Ozon FBS postings need no confirmation: they arrive in awaiting_packaging and the next step is assembly "
            "(ship_orders, /v4/posting/fbs/ship)",
        )

    def cancel_order(self, external_id: str, reason: str = "") -> ActionResult:
        """``/v2/posting/fbs/cancel`` with a documented reason id (352 "out of stock" unless told otherwise)."""
        reason_id, message = cancel_reason(reason)
        body: dict[str, Any] = {"cancel_reason_id": reason_id, "posting_number": external_id}
        if message:
            body["cancel_reason_message"] = message
        try:
            answer = self._post("/v2/posting/fbs/cancel", body)
        except (BadRequest, MarketplaceUnavailable, RateLimited) as exc:
            return ActionResult(external_id, False, exc.user_message())
        ok = isinstance(answer, dict) and answer.get("result") is True
        return ActionResult(external_id, ok, "" if ok else f"Ozon answered {answer!r}",
                            data={"cancel_reason_id": reason_id})

    def ship_orders(self, external_ids: Sequence[str], *, options: dict[str, Any] | None = None) -> list[ActionResult]:
        """Assemble each posting (``/v4/posting/fbs/ship``), then check it really was (the 200 guarantees nothing).

        ``options["packages"]`` may give, per posting number, a list of packages — each a list of
        ``{"sku", "quantity"}`` — to split a posting into several; by default all its products go in one package.
        """
        packages = (options or {}).get("packages") or {}
        return [self._ship_one(number, packages.get(number)) for number in dict.fromkeys(external_ids)]

    def _ship_one(self, posting_number: str, packages: list[list[dict[str, Any]]] | None) -> ActionResult:
        try:
            if not packages:  # everything in one package: the posting's own products (SKU as product_id)
                packages = [mapping.items(self._get_posting(posting_number), "products")]
            body = {"posting_number": posting_number, "packages": [
                {"products": [{"product_id": mapping.integer(p.get("sku", p.get("product_id")), "sku", low=1),
                               "quantity": mapping.quantity(p.get("quantity"))} for p in package]}
                for package in packages
            ]}
            answer = self._post("/v4/posting/fbs/ship", body)
            shipped = [str(n) for n in (answer.get("result") or [])] if isinstance(answer, dict) else []
            if not shipped:
                return ActionResult(posting_number, False, f"Ozon assembled nothing: {answer!r}")
            checked = {number: self._get_posting(number) for number in shipped}
        except (BadRequest, MarketplaceUnavailable, RateLimited) as exc:
            return ActionResult(posting_number, False, exc.user_message())
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            return ActionResult(posting_number, False, f"cannot build the packages: {exc}")
        failed = [n for n, p in checked.items() if p.get("substatus") == "ship_failed"]
        data = {"postings": shipped,
                "statuses": {n: [p.get("status", ""), p.get("substatus", "")] for n, p in checked.items()}}
        if failed:
            return ActionResult(posting_number, False, f"Ozon could not assemble {', '.join(failed)} (ship_failed); "
                                "assemble again", data=data)
        return ActionResult(posting_number, True, data=data)

    def _get_posting(self, posting_number: str) -> dict[str, Any]:
        answer = self._post("/v3/posting/fbs/get", {"posting_number": posting_number})
        result = answer.get("result") if isinstance(answer, dict) else None
        if not isinstance(result, dict):
            raise MarketplaceUnavailable(f"Ozon answered no posting for {posting_number}")
        return result

    def get_labels(self, external_ids: Sequence[str], label_format: str = "pdf") -> list[LabelFile]:
        """``/v2/posting/fbs/package-label``: one PDF per ≤20 postings, all in ``awaiting_deliver``."""
        if label_format not in self.label_formats:
            raise self.unsupported("get_labels", f"Ozon prints package labels as PDF only, not {label_format!r}")
        numbers = list(dict.fromkeys(external_ids))
        files = []
        for start in range(0, len(numbers), LABEL_CHUNK):
            chunk = numbers[start : start + LABEL_CHUNK]
            response = self.http.request(
                SELLER, "POST", "/v2/posting/fbs/package-label", json={"posting_number": chunk},
                headers={"Accept": "application/pdf, application/json"}, limits=(ACCOUNT_LIMIT,),
            )
            content = label_content(response.content, response.headers.get("Content-Type", ""))
            width, height = label_size_mm(content)
            files.append(LabelFile(content=content, content_type="application/pdf", external_ids=tuple(chunk),
                                   width_mm=width, height_mm=height))
        return files

    # --- stock --------------------------------------------------------------------------------------------------
    def push_stocks(self, updates: Sequence[StockUpdate]) -> list[StockPushResult]:
        """One ``/v2/products/stocks`` request; per-pair results, Ozon's per-item errors included.

        A pair updated less than 30 s ago is refused by Ozon with ``TOO_MANY_REQUESTS``: reported as not accepted with
        ``retry_after`` = the seconds left by our shared per-pair clock (30 when we did not make the last update).
        """
        if len(updates) > self.stock_batch_size:
            raise ValueError(f"Ozon takes at most {self.stock_batch_size} stock pairs per request, got {len(updates)}")
        self._learn_product_ids([u.offer_id or u.stock_key for u in updates if not u.external_product_id])
        results: dict[int, StockPushResult] = {}
        sent: list[tuple[int, StockUpdate, dict[str, Any]]] = []
        for index, update in enumerate(updates):
            offer_id = update.offer_id or update.stock_key
            product_id = update.external_product_id or self._product_ids.get(offer_id, "")
            if not product_id:
                results[index] = self._refused(update, "offer_id_not_found: Ozon has no product with this offer_id")
                continue
            try:
                sent.append((index, update, mapping.stock_item(update, product_id)))
            except (TypeError, ValueError) as exc:
                results[index] = self._refused(update, f"not sent: {exc}")
        if sent:
            answer = self._post("/v2/products/stocks", {"stocks": [item for _, _, item in sent]},
                                limits=(ACCOUNT_LIMIT, STOCKS_LIMIT))
            rows = _list(answer, "result")
            for position, (index, update, item) in enumerate(sent):
                row = _stock_row(rows, position, item)
                results[index] = self._stock_result(update, row)
        return [results[i] for i in range(len(updates))]

    def _stock_result(self, update: StockUpdate, row: dict[str, Any] | None) -> StockPushResult:
        if row is None:
            return self._refused(update, "Ozon returned no result for this pair")
        errors = [e for e in (row.get("errors") or []) if isinstance(e, dict)]
        pair = f"{self.config.id}:{update.stock_key}:{update.warehouse_external_id}"
        if row.get("updated") is True and not errors:
            self.http.limiter.acquire(f"ozon:pair:{pair}", PAIR_LIMIT)  # start the pair's 30-second clock
            return StockPushResult(update.stock_key, update.warehouse_external_id, True)
        text = "; ".join(f"{e.get('code', '')}: {e.get('message', '')}".strip(": ") for e in errors) or "not updated"
        retry_after = None
        if any(e.get("code") == TOO_MANY_REQUESTS for e in errors):
            wait = self.http.limiter.acquire(f"ozon:pair:{pair}", PAIR_LIMIT)
            retry_after = wait if wait > 0 else STOCK_PAIR_INTERVAL_S
        return StockPushResult(update.stock_key, update.warehouse_external_id, False, text, retry_after)

    @staticmethod
    def _refused(update: StockUpdate, error: str) -> StockPushResult:
        return StockPushResult(update.stock_key, update.warehouse_external_id, False, error)

    def learned_product_ids(self) -> dict[str, str]:
        return dict(self._product_ids)

    def _learn_product_ids(self, offer_ids: Sequence[str]) -> None:
        """The spec requires ``product_id`` in a stock update: look up those Okno does not know (once per offer)."""
        missing = [o for o in dict.fromkeys(offer_ids) if o and o not in self._product_ids]
        for start in range(0, len(missing), PRODUCT_PAGE):
            for item in self._product_stock_items({"offer_id": missing[start : start + PRODUCT_PAGE],
                                                   "visibility": "ALL"}):
                try:
                    self._product_ids[mapping.text(item, "offer_id", required=True)] = mapping.ident(
                        item.get("product_id"), "product_id")
                except (KeyError, TypeError, ValueError):
                    logger.warning("ozon: unreadable product in /v4/product/info/stocks: %r", item)

    def _product_stock_items(self, product_filter: dict[str, Any]) -> list[dict[str, Any]]:
        """Every item of ``/v4/product/info/stocks`` for a filter, across pages."""
        found, page = [], ""
        for _ in range(MAX_PAGES):
            answer = self._post("/v4/product/info/stocks",
                                {"filter": product_filter, "limit": PRODUCT_PAGE, "cursor": page})
            found.extend(i for i in _list(answer, "items") if isinstance(i, dict))
            next_page = str(answer.get("cursor") or "")
            if not next_page or next_page == page or len(_list(answer, "items")) < PRODUCT_PAGE:
                break
            page = next_page
        return found

    def read_stocks(self, keys: Sequence[tuple[str, str]]) -> list[StockReading]:
        """``/v2/product/info/stocks-by-warehouse/fbs``: free stock (what we set) and reserves per warehouse.

        A pair Ozon does not list shows nothing to buyers: it reads as 0.
        """
        wanted = list(dict.fromkeys((str(k), str(w)) for k, w in keys))
        offers = list(dict.fromkeys(k for k, _ in wanted))
        found: dict[tuple[str, str], StockReading] = {}
        for start in range(0, len(offers), STOCK_READ_CHUNK):
            page = ""
            for _ in range(MAX_PAGES):
                body = {"offer_id": offers[start : start + STOCK_READ_CHUNK], "limit": PRODUCT_PAGE, "cursor": page}
                answer = self._post("/v2/product/info/stocks-by-warehouse/fbs", body)
                for row in _list(answer, "products"):
                    try:
                        reading = mapping.stock_reading(row)
                    except (KeyError, TypeError, ValueError) as exc:
                        logger.warning("ozon: unreadable stock row %r: %s", row, exc)
                        continue
                    found[(reading.stock_key, reading.warehouse_external_id)] = reading
                next_page = str(answer.get("cursor") or "")
                if not answer.get("has_next") or not next_page or next_page == page:
                    break
                page = next_page
        return [found.get(pair) or StockReading(pair[0], pair[1], 0, 0) for pair in wanted]

    # --- FBO ----------------------------------------------------------------------------------------------------
    def fetch_fbo_orders(self, cursor: dict[str, Any], *, since: datetime | None = None) -> Batch[OrderDTO]:
        """One page of ``/v3/posting/fbo/list`` by creation date. Having no "changed since" filter, each new window
        starts 14 days before the last one ended so that status changes of recent postings are seen."""
        window_from, window_to, page = self._window(cursor, since, FBO_LOOKBACK, overlap=FBO_RESCAN)
        if window_to - window_from > CREATED_WINDOW:
            window_to = window_from + CREATED_WINDOW
        body = {
            "filter": {"since": mapping.iso(window_from), "to": mapping.iso(window_to)},
            "limit": PAGE_LIMIT,
            "cursor": page,
            "sort_dir": "ASC",
            "with": {"analytics_data": True, "financial_data": True},
        }
        answer = self._post("/v3/posting/fbo/list", body)
        batch = map_each(_dedupe(_list(answer, "postings"), "posting_number"), mapping.fbo_posting_to_order,
                         kind="fbo_order", external_id=_posting_number)
        return self._paged(batch, answer, window_from, window_to, page, "cursor", overlap=FBO_RESCAN)

    def fetch_fbo_stocks(self) -> Batch[FboStockDTO]:
        """Stock at Ozon's warehouses: SKUs from ``/v4/product/info/stocks``, then ``/v1/analytics/stocks`` by 100."""
        skus: list[int] = []
        for item in self._product_stock_items({"visibility": "ALL"}):
            for stock in item.get("stocks") or []:
                try:
                    sku = mapping.integer(stock.get("sku"), "sku", low=1)
                except (TypeError, ValueError, AttributeError):
                    continue
                if sku not in skus:
                    skus.append(sku)
        batch: Batch[FboStockDTO] = Batch()
        for start in range(0, len(skus), ANALYTICS_SKUS):
            answer = self._post("/v1/analytics/stocks", {"skus": [str(s) for s in skus[start : start + ANALYTICS_SKUS]]})
            rows = [r for r in _list(answer, "items")
                    if not (isinstance(r, dict) and r.get("warehouse_id") in (None, 0, "0", ""))]
            map_each(rows, mapping.fbo_stock, kind="fbo_stock",
                     external_id=lambda r: r.get("offer_id", "") if isinstance(r, dict) else "", batch=batch)
        return batch

    # --- returns ------------------------------------------------------------------------------------------------
    def fetch_returns(self, cursor: dict[str, Any], *, since: datetime | None = None) -> Batch[ReturnDTO]:
        """One page of one of three sources, read in turn each round:

        1. ``/v1/returns/list`` — FBS and FBO returns whose status changed in a window, paged by ``last_id``;
        2. ``/v2/returns/rfbs/list`` — rFBS return requests created in the last ``RFBS_LOOKBACK`` (the list has no
           "changed since" filter), paged by ``last_id``; the ones waiting for the seller are read in full
           (``/v2/returns/rfbs/get``: reason, photos, the actions and rejection reasons offered);
        3. ``/v2/conditional-cancellation/list`` — rFBS cancellation requests waiting for the seller, and the ones
           that waited last round re-read by posting to learn how they ended.

        Cursor: ``{"source", "returns": the window cursor of source 1, "page": last_id within source 2 or 3,
        "open": postings whose cancellation request waited last round, "seen": … this round}``. A cursor of the
        older single-source shape (``{"from", "to", "last_id"}``) is source 1's.
        """
        cursor = dict(cursor or {})
        if "source" not in cursor:  # the older shape: all of it is the returns window
            cursor = {"source": RETURNS_SOURCE, "returns": cursor}
        source = cursor.get("source")
        state = {"returns": dict(cursor.get("returns") or {}), "open": _posting_list(cursor.get("open")),
                 "seen": _posting_list(cursor.get("seen"))}
        page = cursor.get("page") if isinstance(cursor.get("page"), int) and cursor.get("page", 0) > 0 else 0
        if source == RFBS_SOURCE:
            batch, next_page = self._rfbs_only(lambda: self._rfbs_page(page), (Batch(), 0))
            following = (RFBS_SOURCE, next_page) if next_page else (CANCELLATIONS_SOURCE, 0)
        elif source == CANCELLATIONS_SOURCE:
            batch, next_page, waiting = self._rfbs_only(lambda: self._cancellations_page(page), (Batch(), 0, []))
            state["seen"] = list(dict.fromkeys([*state["seen"], *waiting]))[:MAX_OPEN_CANCELLATIONS]
            if next_page:
                following = (CANCELLATIONS_SOURCE, next_page)
            else:
                ended = [p for p in state["open"] if p not in state["seen"]]
                self._rfbs_only(lambda: self._ended_cancellations(ended, batch), None)
                state["open"], state["seen"] = state["seen"], []
                following = (RETURNS_SOURCE, 0)
        else:
            batch, state["returns"], more = self._returns_page(state["returns"], since)
            following = (RETURNS_SOURCE, 0) if more else (RFBS_SOURCE, 0)
        next_source, next_page = following
        batch.cursor = {"source": next_source, "returns": state["returns"], "open": state["open"]}
        if next_page:
            batch.cursor["page"] = next_page
        if state["seen"]:
            batch.cursor["seen"] = state["seen"]
        # A round ends after the cancellation requests; the next call starts the next round.
        batch.has_more = not (source == CANCELLATIONS_SOURCE and next_source == RETURNS_SOURCE)
        return batch

    def _returns_page(self, cursor: dict[str, Any], since: datetime | None
                      ) -> tuple[Batch[ReturnDTO], dict[str, Any], bool]:
        """One page of ``/v1/returns/list`` (FBS and FBO) whose status changed in a window; (batch, cursor, more)."""
        window_from, window_to, _page = self._window(cursor, since, CHANGED_LOOKBACK)
        last_id = cursor.get("last_id") if cursor.get("to") else 0
        last_id = last_id if isinstance(last_id, int) and last_id > 0 else 0
        body: dict[str, Any] = {
            "filter": {"visual_status_change_moment": {"time_from": mapping.iso(window_from),
                                                       "time_to": mapping.iso(window_to)}},
            "limit": RETURNS_PAGE,
        }
        if last_id:
            body["last_id"] = last_id
        answer = self._post("/v1/returns/list", body)
        raw = _list(answer, "returns")
        batch = map_each(_dedupe(raw, "id"), mapping.return_to_dto, kind="return",
                         external_id=lambda r: r.get("id", "") if isinstance(r, dict) else "")
        next_id = last_id
        if raw and isinstance(raw[-1], dict):
            try:
                next_id = mapping.integer(raw[-1].get("id"), "id", low=1)
            except (TypeError, ValueError):
                next_id = last_id
        if answer.get("has_next") and raw and next_id != last_id:
            return batch, {"from": mapping.iso(window_from), "to": mapping.iso(window_to), "last_id": next_id}, True
        return batch, {"from": mapping.iso(window_to - OVERLAP)}, False

    def _rfbs_only(self, read: Callable[[], T], nothing: T) -> T:
        """The rFBS sources, for a seller whose key may not reach them: Ozon's refusal of these methods (a key
        without the role, an account without rFBS) leaves the FBS/FBO returns going and is only logged."""
        try:
            return read()
        except (AuthRejected, BadRequest) as exc:
            logger.warning("ozon %s: rFBS requests unavailable: %s", self.config.id, exc)
            return nothing

    def _rfbs_page(self, last_id: int) -> tuple[Batch[ReturnDTO], int]:
        """One page of rFBS return requests created within ``RFBS_LOOKBACK``; (batch, next last_id or 0)."""
        now = _utcnow()
        body: dict[str, Any] = {
            "filter": {"created_at": {"from": mapping.iso(now - RFBS_LOOKBACK), "to": mapping.iso(now)}},
            "limit": RFBS_PAGE,
        }
        if last_id:
            body["last_id"] = last_id
        answer = self._post("/v2/returns/rfbs/list", body)
        if isinstance(answer.get("returns"), dict):  # the spec's schema says one object; the API sends a list
            answer = {**answer, "returns": [answer["returns"]]}
        raw = _dedupe(_list(answer, "returns"), "return_id")
        batch: Batch[ReturnDTO] = Batch()

        def mapped(item: Any) -> ReturnDTO:
            waiting = isinstance(item, dict) and (item.get("state") or {}).get("group_state") == "New"
            return mapping.rfbs_return_to_dto(item, self._rfbs_detail(item.get("return_id")) if waiting else None)

        map_each(raw, mapped, kind="return", batch=batch,
                 external_id=lambda r: f"{mapping.RFBS_PREFIX}{r.get('return_id', '')}" if isinstance(r, dict) else "")
        ids = [r.get("return_id") for r in raw if isinstance(r, dict) and isinstance(r.get("return_id"), int)]
        full = len(raw) >= RFBS_PAGE and ids and max(ids) > last_id
        return batch, (max(ids) if full else 0)

    def _rfbs_detail(self, return_id: Any) -> dict[str, Any] | None:
        """``/v2/returns/rfbs/get`` of one request, or None when Ozon will not tell (the list item still maps)."""
        try:
            answer = self._post("/v2/returns/rfbs/get", {"return_id": mapping.integer(return_id, "return_id", low=1)})
        except (BadRequest, TypeError, ValueError) as exc:
            logger.warning("ozon: rFBS return %s has no details: %s", return_id, exc)
            return None
        detail = answer.get("returns")
        return detail if isinstance(detail, dict) else None

    def _cancellations_page(self, last_id: int) -> tuple[Batch[ReturnDTO], int, list[str]]:
        """One page of the cancellation requests waiting for the seller; (batch, next last_id or 0, their postings)."""
        body: dict[str, Any] = {"filters": {"state": "ON_APPROVAL"}, "limit": CANCELLATIONS_PAGE}
        if last_id:
            body["last_id"] = last_id
        answer = self._post("/v2/conditional-cancellation/list", body)
        raw = _dedupe(_list(answer, "result"), "cancellation_id")
        batch = self._map_cancellations(raw)
        next_id = answer.get("last_id") if isinstance(answer.get("last_id"), int) else 0
        more = len(raw) >= CANCELLATIONS_PAGE and next_id > last_id
        return batch, (next_id if more else 0), [_posting_number(item) for item in raw if _posting_number(item)]

    def _ended_cancellations(self, postings: list[str], batch: Batch[ReturnDTO]) -> None:
        """The requests that waited last round and no longer do: read by posting, whatever their state now."""
        for start in range(0, len(postings), CANCELLATION_POSTINGS):
            chunk = postings[start:start + CANCELLATION_POSTINGS]
            answer = self._post("/v2/conditional-cancellation/list",
                                {"filters": {"posting_number": chunk, "state": "ALL"}, "limit": CANCELLATIONS_PAGE})
            found = self._map_cancellations(_dedupe(_list(answer, "result"), "cancellation_id"))
            batch.items.extend(found.items)
            batch.errors.extend(found.errors)

    def _map_cancellations(self, raw: list[Any]) -> Batch[ReturnDTO]:
        lines: dict[str, tuple] = {}
        for number in dict.fromkeys(_posting_number(item) for item in raw):
            if number:
                lines[number] = self._posting_lines(number)
        return map_each(raw, lambda item: mapping.cancellation_request_to_dto(item, lines.get(_posting_number(item),
                                                                                                ())),
                        kind="return",
                        external_id=lambda r: (f"{mapping.CANCELLATION_PREFIX}{r.get('cancellation_id', '')}"
                                               if isinstance(r, dict) else ""))

    def _posting_lines(self, posting_number: str) -> tuple:
        """A cancellation request names no products: they are the posting's (none when Ozon will not tell)."""
        try:
            answer = self._post("/v3/posting/fbs/get", {"posting_number": posting_number})
            return mapping.posting_return_lines(answer.get("result") or {})
        except (BadRequest, KeyError, TypeError, ValueError) as exc:
            logger.warning("ozon: posting %s of a cancellation request is unreadable: %s", posting_number, exc)
            return ()

    # --- answers to return and cancellation requests ------------------------------------------------------------
    _READ_ONLY = ("Ozon's returns list (/v1/returns/list) is read-only: FBS and FBO returns take no answer from the "
                  "seller through the API (ozon.md §8.1); only rFBS return requests (§8.2) and rFBS cancellation "
                  "requests (§4) do")

    def approve_return(self, external_id: str, *, comment: str = "") -> ActionResult:
        """rFBS return request: ``/v2/returns/rfbs/verify`` (approve and have the goods sent back for a check;
        ``comment`` tells the buyer how to send them). Cancellation request: ``/v2/conditional-cancellation/approve``."""
        source, number = _request_id(external_id)
        comment = (comment or "").strip()
        if source == mapping.CANCELLATION_PREFIX:
            return self._act(external_id, "/v2/conditional-cancellation/approve",
                             {"cancellation_id": number, **({"comment": comment} if comment else {})})
        if source == mapping.RFBS_PREFIX:
            return self._act(external_id, "/v2/returns/rfbs/verify",
                             {"return_id": number, **({"return_method_description": comment} if comment else {})})
        raise self.unsupported("approve_return", self._READ_ONLY)

    def reject_return(self, external_id: str, *, reason: str, comment: str = "") -> ActionResult:
        """rFBS return request: ``/v2/returns/rfbs/reject`` with one of the rejection reasons Ozon offers for it (its
        id or name; ``comment`` where Ozon requires one). Cancellation request: ``/v2/conditional-cancellation/reject``
        with the reason as the comment Ozon asks for."""
        source, number = _request_id(external_id)
        reason, comment = (reason or "").strip(), (comment or "").strip()
        if source == mapping.CANCELLATION_PREFIX:
            text = comment or reason
            if not text:
                return ActionResult(external_id, False, "Ozon asks for the reason of refusing a cancellation")
            return self._act(external_id, "/v2/conditional-cancellation/reject",
                             {"cancellation_id": number, "comment": text})
        if source != mapping.RFBS_PREFIX:
            raise self.unsupported("reject_return", self._READ_ONLY)
        detail = self._request_detail(external_id, number)
        if isinstance(detail, ActionResult):
            return detail
        offered = [r for r in detail.get("rejection_reason") or [] if isinstance(r, dict)]
        chosen = next((r for r in offered if reason and (str(r.get("id")) == reason
                                                         or str(r.get("name", "")).lower() == reason.lower())), None)
        if chosen is None:
            return ActionResult(external_id, False, "Ozon rejects this request only for one of its reasons: "
                                + ("; ".join(f"{r.get('id')} — {r.get('name')}" for r in offered) or "none offered"))
        if chosen.get("is_comment_required") and not comment:
            return ActionResult(external_id, False, f"Ozon needs a comment for the reason {chosen.get('name')!r}")
        return self._act(external_id, "/v2/returns/rfbs/reject",
                         {"return_id": number, "rejection_reason_id": chosen["id"],
                          **({"comment": comment} if comment else {})})

    def answer_claim(self, external_id: str, *, decision: str, comment: str = "") -> ActionResult:
        """rFBS return request: one of the actions Ozon offers for it now (``available_actions``, by id or name) through
        ``/v1/returns/rfbs/action/set``; rejecting needs a reason (``reject_return``), a compensation an amount.
        Cancellation request: ``APPROVE`` or ``REJECT`` (the comment is the reason)."""
        source, number = _request_id(external_id)
        decision, comment = (decision or "").strip(), (comment or "").strip()
        if source == mapping.CANCELLATION_PREFIX:
            if decision.upper() == "APPROVE":
                return self.approve_return(external_id, comment=comment)
            if decision.upper() == "REJECT":
                return self.reject_return(external_id, reason="", comment=comment)
            return ActionResult(external_id, False, "A cancellation request takes APPROVE or REJECT")
        if source != mapping.RFBS_PREFIX:
            raise self.unsupported("answer_claim", self._READ_ONLY)
        detail = self._request_detail(external_id, number)
        if isinstance(detail, ActionResult):
            return detail
        offered = [a for a in detail.get("available_actions") or [] if isinstance(a, dict)]
        chosen = next((a for a in offered if decision and (str(a.get("id")) == decision
                                                           or str(a.get("name", "")).lower() == decision.lower())),
                      None)
        if chosen is None:
            return ActionResult(external_id, False, "Ozon offers only these actions for this request now: "
                                + ("; ".join(f"{a.get('id')} — {a.get('name')}" for a in offered) or "none"))
        if chosen.get("id") in statuses.RFBS_REJECT_ACTIONS:
            return ActionResult(external_id, False, "Rejecting needs one of Ozon's reasons: reject the return instead")
        if chosen.get("id") == statuses.RFBS_COMPENSATE_ACTION:
            return ActionResult(external_id, False, "A partial compensation needs an amount, which Okno does not "
                                                    "send; decide it in the Ozon cabinet")
        return self._act(external_id, "/v1/returns/rfbs/action/set",
                         {"return_id": number, "id": chosen["id"], **({"comment": comment} if comment else {})})

    def _request_detail(self, external_id: str, return_id: int) -> dict[str, Any] | ActionResult:
        try:
            answer = self._post("/v2/returns/rfbs/get", {"return_id": return_id})
        except (BadRequest, MarketplaceUnavailable, RateLimited) as exc:
            return ActionResult(external_id, False, exc.user_message())
        detail = answer.get("returns")
        if not isinstance(detail, dict):
            return ActionResult(external_id, False, "Ozon answered the return request in an unknown shape")
        return detail

    def _act(self, external_id: str, path: str, body: dict[str, Any]) -> ActionResult:
        try:
            self._post(path, body)
        except (BadRequest, MarketplaceUnavailable, RateLimited) as exc:
            return ActionResult(external_id, False, exc.user_message())
        return ActionResult(external_id, True, data={"method": path})

    # --- cursors ------------------------------------------------------------------------------------------------
    @staticmethod
    def _window(cursor: dict[str, Any], since: datetime | None, lookback: timedelta,
                overlap: timedelta = OVERLAP) -> tuple[datetime, datetime, str]:
        """(from, to, Ozon page cursor) of the window a cursor is in, or of a new window starting where it ended."""
        cursor = cursor or {}
        now = _utcnow()
        try:
            window_from = mapping.timestamp(cursor.get("from"), "cursor.from")
            window_to = mapping.timestamp(cursor.get("to"), "cursor.to")
        except (TypeError, ValueError):  # a damaged cursor: start over (repeats are harmless, losses are not)
            logger.warning("ozon: unreadable cursor %r, starting a new window", cursor)
            window_from = window_to = None
        if window_from and window_to:  # in the middle of a window
            return window_from, window_to, str(cursor.get("page") or "")
        start = window_from or since or now - lookback
        return min(start, now), now, ""

    @staticmethod
    def _paged(batch: Batch, answer: Any, window_from: datetime, window_to: datetime, page: str, key: str,
               overlap: timedelta = OVERLAP) -> Batch:
        next_page = str(answer.get(key) or "") if isinstance(answer, dict) else ""
        if isinstance(answer, dict) and answer.get("has_next") and next_page and next_page != page:
            batch.cursor = {"from": mapping.iso(window_from), "to": mapping.iso(window_to), "page": next_page}
            batch.has_more = True
        else:
            # The next window re-reads a little of this one: repeats are harmless (ingestion is idempotent),
            # a posting written late into this window is not lost.
            batch.cursor = {"from": mapping.iso(max(window_from, window_to - overlap))}
        return batch

    # --- extras -------------------------------------------------------------------------------------------------
    def cancel_reasons(self) -> list[dict[str, Any]]:
        """Ozon's seller cancellation reasons (``/v2/posting/fbs/cancel-reason/list``) for the cancel dialog."""
        answer = self._post("/v2/posting/fbs/cancel-reason/list", {})
        return [r for r in _list(answer, "result") if isinstance(r, dict)]


def _posting_list(value: Any) -> list[str]:
    return [str(v) for v in value if isinstance(v, str) and v][:MAX_OPEN_CANCELLATIONS] if isinstance(value, list) else []


def _request_id(external_id: str) -> tuple[str, int]:
    """(prefix, Ozon id) of an rFBS return or cancellation request's return id; ("", 0) for anything else."""
    value = str(external_id)
    for prefix in (mapping.RFBS_PREFIX, mapping.CANCELLATION_PREFIX):
        if value.startswith(prefix) and value[len(prefix):].isdigit() and int(value[len(prefix):]) > 0:
            return prefix, int(value[len(prefix):])
    return "", 0


def cancel_reason(reason: str) -> tuple[int, str]:
    """(cancel_reason_id, cancel_reason_message) for Okno's reason: an Ozon id, a known word, or free text (402)."""
    reason = (reason or "").strip()
    if not reason:
        return statuses.DEFAULT_CANCEL_REASON, ""
    if reason.isdigit():
        reason_id = int(reason)
        return reason_id, (statuses.CANCEL_REASONS.get(reason_id, "") if reason_id == statuses.OTHER_CANCEL_REASON
                           else "")
    if reason.lower() in statuses.CANCEL_REASON_ALIASES:
        reason_id = statuses.CANCEL_REASON_ALIASES[reason.lower()]
        return reason_id, statuses.CANCEL_REASONS[reason_id] if reason_id == statuses.OTHER_CANCEL_REASON else ""
    return statuses.OTHER_CANCEL_REASON, reason[:500]


def _stock_row(rows: list[Any], position: int, item: dict[str, Any]) -> dict[str, Any] | None:
    """The result row of a sent pair: Ozon answers in request order; match on the pair to be safe."""
    def same(row: Any) -> bool:
        return (isinstance(row, dict) and str(row.get("warehouse_id")) == str(item["warehouse_id"])
                and (row.get("offer_id") == item["offer_id"] or str(row.get("product_id")) == str(item["product_id"])))

    if position < len(rows) and same(rows[position]):
        return rows[position]
    return next((row for row in rows if same(row)), None)


def label_content(content: bytes, content_type: str) -> bytes:
    """The PDF of a package-label answer: raw PDF (what Ozon sends) or the spec's JSON ``file_content`` (base64)."""
    if content.startswith(b"%PDF"):
        return content
    if "json" in content_type.lower() or content[:1] == b"{":
        import json

        try:
            body = json.loads(content)
            pdf = base64.b64decode(body["file_content"])
        except (ValueError, KeyError, TypeError) as exc:
            raise MarketplaceUnavailable(f"Ozon's label answer is not a PDF: {exc}") from exc
        if pdf.startswith(b"%PDF"):
            return pdf
    raise MarketplaceUnavailable(f"Ozon's label answer is not a PDF ({content_type}, {len(content)} bytes)")


def label_size_mm(pdf: bytes) -> tuple[int, int]:
    """Page size of the label PDF (first ``/MediaBox``, points → mm); Ozon's 75 × 120 mm when not readable."""
    match = _MEDIABOX.search(pdf)
    if not match:
        return LABEL_SIZE_MM
    try:
        x0, y0, x1, y1 = (float(v) for v in match.groups())
    except ValueError:
        return LABEL_SIZE_MM
    width, height = round(abs(x1 - x0) * 25.4 / 72), round(abs(y1 - y0) * 25.4 / 72)
    return (width, height) if width > 0 and height > 0 else LABEL_SIZE_MM

