"""The AliExpress Russia connector: orders by polling ``get-order-list``, platform-logistics shipments, labels and
handover lists, seller-logistics ("offline ship") status changes, asynchronous stock updates.

Everything here follows aliexpress.md; what the doc marks UNCONFIRMED is said at the place it is used.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

import httpx

from connectors.aliexpress import mapping, statuses
from connectors.aliexpress.api import (
    ACCOUNT_LIMIT,
    ALIEXPRESS_API,
    API,
    PRODUCT_UPDATES_LIMIT,
    SELLER,
    AliExpressApi,
)
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
from connectors.errors import (
    AuthRejected,
    Conflict,
    MarketplaceError,
    MarketplaceUnavailable,
    RateLimited,
)
from connectors.http import MarketplaceHttp
from orders.choices import OrderStatus, Scheme

# --- paths (aliexpress.md §3–§5) --------------------------------------------------------------------------------
ORDER_LIST = "/seller-api/v1/order/get-order-list"
LOGISTIC_ORDER_CREATE = "/seller-api/v1/logistic-order/create"
LABELS_ORDERS = "/seller-api/v1/labels/orders/get"
HANDOVER_CREATE = "/seller-api/v1/handover-list/create"
HANDOVER_ADD = "/seller-api/v1/handover-list/add-logistic-orders"
HANDOVER_TRANSFER = "/seller-api/v1/handover-list/transfer"
HANDOVER_PRINT = "/seller-api/v1/labels/handover-lists/get"
OFFLINE_IN_TRANSIT = "/api/v1/offline-ship/to-in-transit"
UPDATE_STOCK = "/api/v1/product/update-sku-stock"
TASKS = "/api/v1/tasks"
STOCKS = "/api/v1/stocks"
PRODUCT_LIST = "/api/v1/scroll-short-product-by-filter"

#: Orders per page. Clients default to 20 and the maximum is UNCONFIRMED (the retired TOP method allowed 50):
#: 20 is the value known to work.
ORDER_PAGE_SIZE = 20
#: Pages one fetch_new_orders call reads before it stops (the next poll continues).
NEW_ORDER_PAGES = 25
#: First sync without a cursor looks this far back.
DEFAULT_LOOKBACK = timedelta(days=30)
#: Each scan restarts this much before the previous scan began (clock resolution and in-flight updates; the
#: repeats are harmless, ingestion is idempotent). ``options["scan_overlap_s"]`` overrides it.
SCAN_OVERLAP = timedelta(seconds=5)
#: Orders per logistic-order/create request, shipments per label request, SKUs per stock read and product-list
#: page: no maxima are documented (UNCONFIRMED); the product list documents 50 per page per one client.
CHUNK = 20
LIST_LIMIT = 50
#: Task statuses of GET /api/v1/tasks (§5.1): 1 created, 2 processing, 3 successful, 4 failed.
TASK_SUCCESSFUL, TASK_FAILED = 3, 4
#: Shipments in these states still need a handover list (and so have not been handed over).
NEEDS_HANDOVER_LIST = frozenset({"New", "AwaitingCreateOrder", "AwaitingHandoverList", "AddingToHandoverProblems"})
FINAL = (OrderStatus.CANCELLED, OrderStatus.RETURNED, OrderStatus.DELIVERED)


class AliExpressConnector(Connector):
    marketplace = "aliexpress"
    # Client libraries chunk stock updates at 1000 products and product create documents ≤1000 per request; the
    # per-request maximum of update-sku-stock is UNCONFIRMED. 1000 SKUs never exceed 1000 products.
    stock_batch_size = 1000
    stock_pair_interval_s = 0.0  # no per-SKU interval is documented
    label_formats: ClassVar[frozenset[str]] = frozenset({"pdf"})  # label_url points to a PDF (§4.2)
    api: ClassVar[AliExpressApi] = ALIEXPRESS_API

    @classmethod
    def build_http(cls, config: ConnectionConfig) -> MarketplaceHttp:
        return MarketplaceHttp(
            cls.api, credentials=config.credentials, account_key=str(config.id), base_url=config.base_url,
            api_base_urls=config.api_base_urls,
        )

    # --- connection facts ----------------------------------------------------------------------------------------
    @property
    def default_scheme(self) -> str:
        """The seller's logistics model: "FBS LAliExpress и Почта России" (fbs) or "FBS Логистика продавца" (dbs).
        Orders say it themselves in ``logistics_type`` where present; this is the fallback."""
        option = str(self.config.options.get("scheme") or self.config.options.get("logistics") or "").lower()
        return Scheme.DBS if option in ("dbs", "seller") else Scheme.FBS

    @property
    def warehouse_id(self) -> str:
        """AliExpress has no warehouse in its order or stock APIs: the connection's one linked warehouse stands in."""
        return self.config.warehouse_ids[0] if self.config.warehouse_ids else ""

    # --- transport -------------------------------------------------------------------------------------------------
    def _post(self, family: str, path: str, body: dict[str, Any]) -> Any:
        return self.http.json(family, "POST", path, json=body, limits=(ACCOUNT_LIMIT,))

    @staticmethod
    def _data(answer: Any) -> Any:
        return answer.get("data") if isinstance(answer, dict) else None

    def _order_page(self, body: dict[str, Any]) -> tuple[Any, datetime, str]:
        """One ``get-order-list`` answer: parsed JSON (None when it is not JSON), the server's clock, the raw text."""
        response = self.http.request(SELLER, "POST", ORDER_LIST, json=body, limits=(ACCOUNT_LIMIT,))
        try:
            answer = response.json()
        except ValueError:
            answer = None
        return answer, _server_time(response), response.text

    def _list_orders(self, **filters: Any) -> Iterable[tuple[list[Any], Any, PayloadError | None]]:
        """Pages of orders for ``filters``: (orders, total_count, a PayloadError when the page was unreadable)."""
        page = 1
        while True:
            answer, _at, text = self._order_page({**filters, "page": page, "page_size": ORDER_PAGE_SIZE,
                                                  "trade_order_info": "LogisticInfo"})
            orders, total, error = _orders_of(answer, text)
            yield orders, total, error
            if error or not _more(page, orders, total):
                return
            page += 1

    # --- health ----------------------------------------------------------------------------------------------------
    def check(self) -> str:
        answer = self._post(SELLER, ORDER_LIST, {"page": 1, "page_size": 1})
        data = self._data(answer) or {}
        return f"AliExpress: {data.get('total_count', 0)} orders"

    # --- orders ----------------------------------------------------------------------------------------------------
    def _map_order(self, raw: Any) -> OrderDTO:
        return mapping.order_from_json(raw, default_scheme=self.default_scheme, warehouse_id=self.warehouse_id)

    def fetch_new_orders(self, *, since: datetime | None = None) -> Batch[OrderDTO]:
        """Paid orders nothing has been shipped of yet (the doc's "new": Created/InProgress + Paid + not shipped,
        display status WaitSendGoods); earlier states arrive through fetch_changed_orders. The list holds every
        order waiting to ship, 20 a page: with ``since`` only those updated after it (less a clock overlap)."""
        batch: Batch[OrderDTO] = Batch()
        filters: dict[str, Any] = {"order_statuses": ["Created", "InProgress"], "payment_statuses": ["Paid"],
                                   "delivery_statuses": ["Init"]}
        if since is not None:
            overlap = timedelta(seconds=float(self.config.options.get("scan_overlap_s", SCAN_OVERLAP.total_seconds())))
            filters["update_at_from"] = mapping.format_time(since - overlap)
        for number, (orders, _total, error) in enumerate(self._list_orders(**filters), start=1):
            map_each(_unique(orders), self._map_order, kind="order", external_id=_order_id, batch=batch)
            if error:
                batch.errors.append(error)
            if number >= NEW_ORDER_PAGES:
                batch.has_more = True
                break
        return batch

    def fetch_changed_orders(self, cursor: dict[str, Any], *, since: datetime | None = None) -> Batch[OrderDTO]:
        """One page of orders updated since the cursor (``update_at_from``, page numbers).

        The cursor is ``{"updated_from", "page", "scan_started"}``. A scan pages through everything updated since
        ``updated_from`` with no upper bound, so the set only grows while we read: an order updated meanwhile may
        move but then carries an ``updated_at`` after ``scan_started`` and is read by the next scan, which starts
        at ``scan_started`` (the server's clock, minus a small overlap). Nothing is lost; repeats are bounded."""
        return self._changed_page(cursor, since, self._map_order, kind="order")

    def _changed_page(self, cursor: dict[str, Any], since: datetime | None, mapper: Callable[[Any], Any],
                      kind: str) -> Batch:
        cursor = dict(cursor or {})
        page = max(1, int(cursor.get("page") or 1))
        updated_from = cursor.get("updated_from") or mapping.format_time(
            since or datetime.now(UTC) - DEFAULT_LOOKBACK
        )
        answer, server_time, text = self._order_page({
            "update_at_from": updated_from, "page": page, "page_size": ORDER_PAGE_SIZE,
            "trade_order_info": "LogisticInfo",
        })
        scan_started = cursor.get("scan_started") if page > 1 else None
        scan_started = scan_started or mapping.format_time(server_time)
        orders, total, error = _orders_of(answer, text)
        batch: Batch = Batch()
        if error:
            # Unreadable page: keep it for the ingest-error record and retry the same page next time.
            batch.errors.append(error)
            batch.cursor = cursor or {"updated_from": updated_from, "page": page}
            return batch
        map_each(_unique(orders), mapper, kind=kind, external_id=_order_id, batch=batch)
        if _more(page, orders, total):
            batch.cursor = {"updated_from": updated_from, "page": page + 1, "scan_started": scan_started}
            batch.has_more = True
        else:
            overlap = timedelta(seconds=float(self.config.options.get("scan_overlap_s", SCAN_OVERLAP.total_seconds())))
            restart = mapping.parse_time(scan_started) - overlap
            batch.cursor = {"updated_from": mapping.format_time(restart), "page": 1}
        return batch

    def fetch_order_statuses(self, external_ids: Sequence[str]) -> Batch[OrderStatusDTO]:
        batch: Batch[OrderStatusDTO] = Batch()
        numbers = []
        for external_id in external_ids:
            try:
                numbers.append(mapping.id_number(external_id, "order id"))
            except (TypeError, ValueError) as exc:
                batch.errors.append(PayloadError(kind="order_status", payload=str(external_id), error=str(exc),
                                                 external_id=str(external_id)))
        for start in range(0, len(numbers), ORDER_PAGE_SIZE):
            for orders, _total, error in self._list_orders(order_ids=numbers[start : start + ORDER_PAGE_SIZE]):
                map_each(_unique(orders), mapping.order_status_from_json, kind="order_status",
                         external_id=_order_id, batch=batch)
                if error:
                    batch.errors.append(error)
        return batch

    def _orders_by_id(self, external_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Raw orders (with logistic info) by id; ids AliExpress does not return are absent."""
        found: dict[str, dict[str, Any]] = {}
        numbers = [mapping.id_number(i, "order id") for i in external_ids]
        for start in range(0, len(numbers), ORDER_PAGE_SIZE):
            for orders, _total, error in self._list_orders(order_ids=numbers[start : start + ORDER_PAGE_SIZE]):
                if error:
                    raise MarketplaceUnavailable(error.error)
                for order in orders:
                    if isinstance(order, dict) and _order_id(order):
                        found[_order_id(order)] = order
        return found

    def confirm_orders(self, external_ids: Sequence[str]) -> list[ActionResult]:
        raise self.unsupported(
            "confirm_orders",
            "AliExpress has no order acceptance step: a paid order in WaitSendGoods is already the seller's to ship; "
            "the next action is creating its shipment (ship_orders)",
        )

    def cancel_order(self, external_id: str, reason: str = "") -> ActionResult:
        raise self.unsupported(
            "cancel_order",
            "the AliExpress Russia seller API has no seller-side cancellation method (aliexpress.md §3.4); cancel "
            "the order in the seller cabinet",
        )

    # --- shipping ----------------------------------------------------------------------------------------------------
    def ship_orders(self, external_ids: Sequence[str], *, options: dict[str, Any] | None = None) -> list[ActionResult]:
        """Hand orders over, per order.

        Platform logistics (FBS): create the shipments (``logistic-order/create``, one per pre-split posting,
        reusing shipments that already exist), put them on a handover list (a new one, or ``handover_list_id``
        from ``options``) and transfer (close) it unless ``options["transfer"]`` is False. Box size per order from
        ``options["parcels"][order_id]`` ({length, width, height} cm, weight kg), else from the lines.

        Seller logistics (DBS): report the order in transit (``offline-ship/to-in-transit``) with
        ``options["tracking"][order_id]`` = {tracking_number, provider_name, tracking_url?}.
        """
        options = options or {}
        ids = [str(i) for i in external_ids]
        results: dict[str, ActionResult] = {}
        try:
            orders = self._orders_by_id([i for i in ids if i.isdigit()])
        except AuthRejected:
            raise
        except MarketplaceError as exc:
            return [ActionResult(i, ok=False, error=exc.user_message()) for i in ids]
        platform: dict[str, dict[str, Any]] = {}
        for external_id in ids:
            order = orders.get(external_id)
            if order is None:
                results[external_id] = ActionResult(external_id, ok=False, error="AliExpress does not know this order")
                continue
            try:
                status = statuses.unified_status(order)
            except (TypeError, ValueError) as exc:
                results[external_id] = ActionResult(external_id, ok=False, error=str(exc))
                continue
            if status in FINAL:
                results[external_id] = ActionResult(external_id, ok=False, error=f"the order is {status}")
            elif mapping.order_scheme(order, self.default_scheme) == Scheme.DBS:
                results[external_id] = self._ship_seller_logistics(external_id, order, options)
            else:
                platform[external_id] = order
        if platform:
            results.update(self._ship_platform_logistics(platform, options))
        return [results[i] for i in ids]

    def _ship_seller_logistics(self, external_id: str, order: dict[str, Any], options: dict[str, Any]) -> ActionResult:
        if order.get("delivery_status") in ("Shipped", "Delivered"):
            return ActionResult(external_id, ok=True, data={"already": order.get("delivery_status")})
        tracking = dict((options.get("tracking") or {}).get(external_id) or {})
        if not tracking.get("tracking_number") or not tracking.get("provider_name"):
            return ActionResult(external_id, ok=False, error="a seller-logistics order needs tracking_number and "
                                                             "provider_name (options['tracking'][order id])")
        body = {"trade_order_id": mapping.id_number(external_id), "tracking_number": str(tracking["tracking_number"]),
                "provider_name": str(tracking["provider_name"])}
        for optional in ("tracking_url", "support_phone_number"):
            if tracking.get(optional):
                body[optional] = str(tracking[optional])
        try:
            data = self._data(self._post(API, OFFLINE_IN_TRANSIT, body)) or {}
        except AuthRejected:
            raise
        except MarketplaceError as exc:
            return ActionResult(external_id, ok=False, error=exc.user_message())
        return ActionResult(external_id, ok=True, data={"created_orders": data.get("created_orders") or []})

    def _ship_platform_logistics(self, orders: dict[str, dict[str, Any]], options: dict[str, Any]
                                 ) -> dict[str, ActionResult]:
        failed: dict[str, str] = {}
        shipments: dict[str, list[str]] = {}  # order → its shipment ids
        to_list: dict[str, list[str]] = {}  # order → shipments still needing a handover list
        lists_to_transfer: dict[str, set[str]] = {}  # order → handover lists it waits on
        to_create: dict[str, list[dict[str, Any]]] = {}
        parcels = options.get("parcels") or {}
        for external_id, order in orders.items():
            existing = [s for s in order.get("logistic_orders") or [] if s.get("status") != "Cancelled"]
            problems = [s for s in existing if s.get("status") == "OrderCreationProblems"]
            if problems:
                failed[external_id] = "shipment creation failed on AliExpress: " + "; ".join(
                    mapping.error_text((s.get("creation_error") or {}).get("description") or s.get("creation_error"))
                    or str(s.get("id")) for s in problems)
                continue
            if existing:
                shipments[external_id] = [mapping.ident(s.get("id"), "logistic_orders[].id") for s in existing]
                to_list[external_id] = [str(s["id"]) for s in existing if s.get("status") in NEEDS_HANDOVER_LIST]
                lists_to_transfer[external_id] = {
                    str(s["handover_list_id"]) for s in existing
                    if s.get("status") == "AwaitingConfirmation" and s.get("handover_list_id")
                }
                continue
            try:
                to_create[external_id] = mapping.shipment_requests(order, parcels.get(external_id))
            except (TypeError, ValueError) as exc:
                failed[external_id] = f"cannot build the shipment: {exc}"
        created = self._create_shipments(to_create, failed)
        for external_id, ids in created.items():
            shipments[external_id] = ids
            to_list[external_id] = ids
            lists_to_transfer[external_id] = set()
        handover: dict[str, str] = {}
        if options.get("handover", True):
            handover = self._hand_over(to_list, lists_to_transfer, options, failed)
        results = {}
        for external_id in orders:
            data = {"logistic_order_ids": shipments.get(external_id, [])}
            if external_id in handover:
                data["handover_list_id"] = handover[external_id]
            if external_id in failed:
                results[external_id] = ActionResult(external_id, ok=False, error=failed[external_id], data=data)
            else:
                results[external_id] = ActionResult(external_id, ok=True, data=data)
        return results

    def _create_shipments(self, to_create: dict[str, list[dict[str, Any]]], failed: dict[str, str]
                          ) -> dict[str, list[str]]:
        created: dict[str, list[str]] = {}
        pending = [i for i in to_create if to_create[i]]
        for start in range(0, len(pending), CHUNK):
            chunk = pending[start : start + CHUNK]
            body = {"orders": [entry for i in chunk for entry in to_create[i]]}
            try:
                data = self._data(self._post(SELLER, LOGISTIC_ORDER_CREATE, body)) or {}
            except AuthRejected:
                raise
            except MarketplaceError as exc:
                failed.update({i: exc.user_message() for i in chunk})
                continue
            for entry in data.get("orders") or []:
                order_id = str(entry.get("trade_order_id"))
                ids = [str(s.get("id")) for s in entry.get("logistic_orders") or [] if s.get("id") is not None]
                if ids:
                    created.setdefault(order_id, []).extend(ids)
            # data.errors[] may name the order (trade_order_id) — UNCONFIRMED shape; unnamed errors go to every
            # order of the chunk that got no shipment.
            unnamed = []
            for error in data.get("errors") or []:
                order_id = str(error.get("trade_order_id") or "") if isinstance(error, dict) else ""
                if order_id in chunk:
                    failed[order_id] = mapping.error_text(error)
                else:
                    unnamed.append(mapping.error_text(error))
            for order_id in chunk:
                if order_id not in created and order_id not in failed:
                    failed[order_id] = "; ".join(unnamed) or "AliExpress created no shipment for this order"
        for order_id in to_create:
            if not to_create[order_id]:
                failed[order_id] = "the order has nothing left to ship"
        return {i: ids for i, ids in created.items() if i not in failed}

    def _hand_over(self, to_list: dict[str, list[str]], lists_to_transfer: dict[str, set[str]],
                   options: dict[str, Any], failed: dict[str, str]) -> dict[str, str]:
        """Put shipments on a handover list and transfer it; returns order → handover list id."""
        handover: dict[str, str] = {}
        waiting = {i: ids for i, ids in to_list.items() if ids and i not in failed}
        if waiting:
            shipment_ids = [mapping.id_number(s) for ids in waiting.values() for s in ids]
            try:
                if options.get("handover_list_id"):
                    list_id = str(options["handover_list_id"])
                    self._post(SELLER, HANDOVER_ADD, {"handover_list_id": mapping.id_number(list_id),
                                                      "order_ids": shipment_ids})
                else:
                    arrival = options.get("arrival_date") or mapping.format_time(datetime.now(UTC))
                    data = self._data(self._post(SELLER, HANDOVER_CREATE, {"logistic_order_ids": shipment_ids,
                                                                           "arrival_date": arrival})) or {}
                    list_id = str(data.get("handover_list_id") or "")
                    if not list_id:
                        raise MarketplaceUnavailable("handover-list/create answered without handover_list_id")
            except AuthRejected:
                raise
            except MarketplaceError as exc:
                failed.update({i: exc.user_message() for i in waiting})
                return handover
            for order_id in waiting:
                handover[order_id] = list_id
                lists_to_transfer.setdefault(order_id, set()).add(list_id)
        if options.get("transfer", True):
            for list_id in sorted({lid for i, ids in lists_to_transfer.items() if i not in failed for lid in ids}):
                try:
                    self._post(SELLER, HANDOVER_TRANSFER, {"handover_list_id": mapping.id_number(list_id)})
                except AuthRejected:
                    raise
                except MarketplaceError as exc:
                    failed.update({i: exc.user_message() for i, ids in lists_to_transfer.items() if list_id in ids})
            for order_id, ids in lists_to_transfer.items():
                if ids and order_id not in handover:
                    handover[order_id] = sorted(ids)[0]
        return handover

    # --- documents ---------------------------------------------------------------------------------------------------
    def get_labels(self, external_ids: Sequence[str], label_format: str = "pdf") -> list[LabelFile]:
        """One PDF per ``CHUNK`` orders with the labels of their shipments. Orders without a shipment yet are left
        out (``LabelFile.external_ids`` says which orders a file covers); none at all → ``Conflict``."""
        if label_format not in self.label_formats:
            raise self.unsupported("get_labels", f"format {label_format!r}: AliExpress offers PDF labels only")
        orders = self._orders_by_id([str(i) for i in external_ids])
        covered = {i: mapping.active_shipment_ids(orders[i]) for i in map(str, external_ids) if orders.get(i)}
        covered = {i: ids for i, ids in covered.items() if ids}
        if not covered:
            raise Conflict("no shipments exist yet for these orders: ship them first (logistic-order/create)")
        files = []
        order_ids = list(covered)
        for start in range(0, len(order_ids), CHUNK):
            chunk = order_ids[start : start + CHUNK]
            body = {"logistic_order_ids": [mapping.id_number(s) for i in chunk for s in covered[i]]}
            data = self._data(self._post(SELLER, LABELS_ORDERS, body)) or {}
            files.append(self._pdf(data.get("label_url"), tuple(chunk)))
        return files

    def get_handover_act(self, handover_list_id: str) -> LabelFile:
        """The printed handover list (лист передачи), the act the carrier signs (§4.2)."""
        data = self._data(self._post(SELLER, HANDOVER_PRINT,
                                     {"handover_list_id": mapping.id_number(handover_list_id)})) or {}
        return self._pdf(data.get("label_url"), ())

    def _pdf(self, url: Any, external_ids: tuple[str, ...]) -> LabelFile:
        content = self._download(url)
        width_mm, height_mm = _pdf_size_mm(content)
        return LabelFile(content=content, content_type="application/pdf", external_ids=external_ids,
                         width_mm=width_mm, height_mm=height_mm)

    def _download(self, url: Any) -> bytes:
        """Fetch a ``label_url``. The link is handed out by AliExpress for this document; the token is not sent
        along (it may point to a file host other than the API's)."""
        if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
            raise MarketplaceUnavailable(f"AliExpress answered without a usable label_url: {url!r}")
        last: MarketplaceError | None = None
        for attempt in range(3):
            try:
                response = self.http.client.get(url)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                last = MarketplaceUnavailable(f"{type(exc).__name__}: {exc}")
            else:
                error = self.api.classify(response)
                if error is None:
                    return response.content
                last = error
                if not error.retryable:
                    break
            time.sleep(0.2 * (attempt + 1))
        assert last is not None
        raise last

    # --- stock -------------------------------------------------------------------------------------------------------
    def push_stocks(self, updates: Sequence[StockUpdate]) -> list[StockPushResult]:
        """One ``update-sku-stock`` request, then the asynchronous task outcomes (§5.1).

        ``results[i]`` answers ``products[i]`` (positional — UNCONFIRMED, the doc shows no product id in results);
        ``ok: false`` refuses that product's SKUs at once. Accepted products become tasks: we poll
        ``GET /api/v1/tasks?group_id=`` until each is successful (3) or failed (4), for at most
        ``options["stock_task_wait_s"]`` (default 10 s); a task still running then is reported not accepted with a
        "pending" error, so the sync engine pushes that quantity again."""
        if len(updates) > self.stock_batch_size:
            raise ValueError(f"at most {self.stock_batch_size} updates per push")
        plan = mapping.stock_plan(updates)
        results = list(plan.refused)
        if not plan.groups:
            return results
        self._take_quota(PRODUCT_UPDATES_LIMIT, len(plan.groups))
        answer = self.http.json(API, "POST", UPDATE_STOCK, json=plan.body, limits=(ACCOUNT_LIMIT,))
        # Top level per the client libraries; possibly wrapped in "data" on the current version (UNCONFIRMED).
        payload = answer.get("data") if isinstance(answer, dict) and isinstance(answer.get("data"), dict) else answer
        payload = payload if isinstance(payload, dict) else {}
        group_id = payload.get("group_id")
        answered = payload.get("results") if isinstance(payload.get("results"), list) else []
        waiting: dict[str, list[StockUpdate]] = {}
        for index, group in enumerate(plan.groups):
            result = answered[index] if index < len(answered) and isinstance(answered[index], dict) else None
            if result is None:
                results.extend(_refused(group, "AliExpress returned no result for this product"))
            elif not result.get("ok"):
                results.extend(_refused(group, mapping.error_text(result.get("errors")) or "refused by AliExpress"))
            elif result.get("task_id") is None:
                results.extend(_accepted(group))  # no task to wait for: accepted as answered
            else:
                waiting[str(result["task_id"])] = group
        if waiting:
            results.extend(self._await_tasks(group_id, waiting))
        return results

    def _await_tasks(self, group_id: Any, waiting: dict[str, list[StockUpdate]]) -> list[StockPushResult]:
        results: list[StockPushResult] = []
        deadline = time.monotonic() + float(self.config.options.get("stock_task_wait_s", 10.0))
        delay = 0.1
        while waiting:
            answer = self.http.json(API, "GET", TASKS, params={"group_id": group_id}, limits=(ACCOUNT_LIMIT,))
            tasks = self._data(answer)
            tasks = tasks.get("tasks") if isinstance(tasks, dict) else tasks
            for task in tasks if isinstance(tasks, list) else []:
                if not isinstance(task, dict) or str(task.get("id")) not in waiting:
                    continue
                if task.get("status") == TASK_SUCCESSFUL:
                    results.extend(_accepted(waiting.pop(str(task["id"]))))
                elif task.get("status") == TASK_FAILED:
                    error = mapping.error_text(task.get("error")) or "AliExpress task failed"
                    results.extend(_refused(waiting.pop(str(task["id"])), error))
            if not waiting or time.monotonic() + delay > deadline:
                break
            time.sleep(delay)
            delay = min(1.0, delay * 2)
        for task_id, group in waiting.items():
            results.extend(_refused(group, f"pending: AliExpress task {task_id} (group {group_id}) is still being "
                                           "processed; the quantity is not confirmed yet"))
        return results

    def _take_quota(self, name: str, cost: int) -> None:
        """Spend ``cost`` units of a quota limit (products, not requests), waiting up to the HTTP layer's patience."""
        limit = self.api.limits[name]
        key = f"{self.api.marketplace}:{self.http.account_key}:{name}"
        waited = 0.0
        while (wait := self.http.limiter.acquire(key, limit, cost)) > 0:
            if waited + wait > self.http.max_wait_s:
                raise RateLimited(f"local quota {name} would need {wait:.0f}s more", retry_after=wait)
            time.sleep(wait)
            waited += wait

    def read_stocks(self, keys: Sequence[tuple[str, str]]) -> list[StockReading]:
        """What AliExpress shows (``max_sellable_quantity`` of ``POST /api/v1/stocks``, §5.2) per requested
        (sku_code, warehouse). The stock method wants platform ``sku_id``s: the seller's codes are resolved through
        the product list searched by seller SKU. Codes AliExpress does not know get no reading."""
        codes = list(dict.fromkeys(code for code, _wh in keys))
        sku_ids = self._sku_ids(codes)
        shown: dict[str, int] = {}
        ids = list(dict.fromkeys(sku_ids.values()))
        for start in range(0, len(ids), LIST_LIMIT):
            body = {"stocks": [{"sku": sku} for sku in ids[start : start + LIST_LIMIT]]}
            data = self._data(self._post(API, STOCKS, body)) or {}
            for info in data.get("skus_info") or []:
                if isinstance(info, dict) and isinstance(info.get("max_sellable_quantity"), int):
                    shown[str(info.get("sku"))] = info["max_sellable_quantity"]
        readings = []
        for code, warehouse in keys:
            sku = sku_ids.get(code)
            if sku is not None and sku in shown:
                readings.append(StockReading(code, warehouse, shown[sku]))
        return readings

    def _sku_ids(self, codes: list[str]) -> dict[str, str]:
        """Seller sku_code → platform sku_id, from ``scroll-short-product-by-filter`` (§9)."""
        found: dict[str, str] = {}
        wanted = set(codes)
        for start in range(0, len(codes), LIST_LIMIT):
            last_product_id = None
            while True:
                body: dict[str, Any] = {
                    "filter": {"search_content": {"content_type": "SKU_SELLER_SKU",
                                                  "content_values": codes[start : start + LIST_LIMIT]}},
                    "limit": LIST_LIMIT,
                }
                if last_product_id is not None:
                    body["last_product_id"] = last_product_id
                products = self._data(self._post(API, PRODUCT_LIST, body))
                products = products if isinstance(products, list) else []
                for product in products:
                    for sku in (product.get("sku") or []) if isinstance(product, dict) else []:
                        if isinstance(sku, dict) and sku.get("code") in wanted and sku.get("sku_id") is not None:
                            found[str(sku["code"])] = str(sku["sku_id"])
                ids = [int(p["id"]) for p in products if isinstance(p, dict) and str(p.get("id", "")).isdigit()]
                if len(products) < LIST_LIMIT or not ids:
                    break
                # Keyset by product id; the largest id of the page, whatever order the page came in.
                last_product_id = max(ids)
        return found

    # --- FBO ---------------------------------------------------------------------------------------------------------
    _NO_FBO = ("AliExpress Russia's seller API has no FBO (platform warehouse) methods: no fulfilment orders, stock "
               "or supplies were found in the local API (fbo.md §5)")

    def fetch_fbo_orders(self, cursor: dict[str, Any], *, since: datetime | None = None) -> Batch[OrderDTO]:
        raise self.unsupported("fetch_fbo_orders", self._NO_FBO)

    def fetch_fbo_stocks(self) -> Batch[FboStockDTO]:
        raise self.unsupported("fetch_fbo_stocks", self._NO_FBO)

    # --- returns -----------------------------------------------------------------------------------------------------
    def fetch_returns(self, cursor: dict[str, Any], *, since: datetime | None = None) -> Batch[ReturnDTO]:
        """AliExpress has no return objects (§6): parcels coming back, buyer cancellations and disputes are states
        of the order, read from the same ``update_at_from`` scan as changed orders (the cursor has the same shape)."""
        scheme = self.default_scheme
        page = self._changed_page(cursor, since, lambda raw: mapping.returns_from_order(raw, default_scheme=scheme),
                                  kind="return")
        flat: Batch[ReturnDTO] = Batch(errors=page.errors, cursor=page.cursor, has_more=page.has_more)
        for found in page.items:
            flat.items.extend(found)
        return flat

    _NO_RETURN_ANSWERS = ("AliExpress Russia's local API publishes no method for returns, refunds or disputes "
                          "(aliexpress.md §6) and none to accept or refuse a buyer's cancellation (§3.4); answer "
                          "them in the AliExpress seller cabinet")

    def approve_return(self, external_id: str, *, comment: str = "") -> ActionResult:
        raise self.unsupported("approve_return", self._NO_RETURN_ANSWERS)

    def reject_return(self, external_id: str, *, reason: str, comment: str = "") -> ActionResult:
        raise self.unsupported("reject_return", self._NO_RETURN_ANSWERS)

    def answer_claim(self, external_id: str, *, decision: str, comment: str = "") -> ActionResult:
        raise self.unsupported("answer_claim", self._NO_RETURN_ANSWERS)


# --- helpers ---------------------------------------------------------------------------------------------------------
def _order_id(order: Any) -> str:
    value = order.get("id") if isinstance(order, dict) else None
    return str(value) if value is not None else ""


def _unique(orders: list[Any]) -> list[Any]:
    """A list answer may repeat an order (pages shift while we read); hand each one over once."""
    seen, unique = set(), []
    for order in orders:
        key = _order_id(order) or id(order)
        if key not in seen:
            seen.add(key)
            unique.append(order)
    return unique


def _orders_of(answer: Any, text: str) -> tuple[list[Any], Any, PayloadError | None]:
    """``data.orders`` and ``data.total_count`` of a get-order-list answer, or a PayloadError for an answer that is
    not the documented shape (kept verbatim for the ingest-error record)."""
    data = answer.get("data") if isinstance(answer, dict) else None
    orders = data.get("orders") if isinstance(data, dict) else None
    if orders is None and isinstance(data, dict) and "total_count" in data:
        orders = []  # an empty page may omit the list
    if not isinstance(orders, list):
        return [], 0, PayloadError(kind="order_page", payload=text[:100_000],
                                   error="get-order-list answer is not {data: {orders: [...], total_count}}")
    return orders, data.get("total_count"), None


def _more(page: int, orders: list[Any], total: Any) -> bool:
    if not orders:
        return False
    if isinstance(total, int) and not isinstance(total, bool):
        return page * ORDER_PAGE_SIZE < total
    return len(orders) >= ORDER_PAGE_SIZE


def _server_time(response: httpx.Response) -> datetime:
    """The marketplace's clock (``Date`` header) so the next scan never starts after an update we have not seen."""
    try:
        moment = parsedate_to_datetime(response.headers.get("date", ""))
    except (TypeError, ValueError, IndexError):
        moment = None
    now = datetime.now(UTC)
    if moment is None or moment.tzinfo is None:
        return now
    return min(moment.astimezone(UTC), now)


def _accepted(group: list[StockUpdate]) -> list[StockPushResult]:
    return [StockPushResult(u.stock_key, u.warehouse_external_id, accepted=True) for u in group]


def _refused(group: list[StockUpdate], error: str) -> list[StockPushResult]:
    return [StockPushResult(u.stock_key, u.warehouse_external_id, accepted=False, error=error) for u in group]


def _pdf_size_mm(content: bytes) -> tuple[int | None, int | None]:
    """The first page's size: AliExpress does not document the label size, the PDF says it."""
    try:
        from pypdf import PdfReader

        box = PdfReader(io.BytesIO(content)).pages[0].mediabox
        return round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)
    except Exception:  # an unreadable PDF still prints; the size is only a hint
        return None, None
