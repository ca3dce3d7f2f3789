"""The Wildberries connector: FBS assembly tasks, supplies and stickers on the Marketplace API, seller-warehouse stock
by chrtId, FBW orders/sales from Statistics, the WB-warehouse stock report from Analytics, claims from Returns.

One WB assembly task is one unit and one Okno order (``external_id`` = task id, ``number`` = ``rid``).
"""

from __future__ import annotations

import base64
import json
import logging
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

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
    BadRequest,
    Conflict,
    MarketplaceUnavailable,
    RateLimited,
)
from connectors.wb import mapping, statuses
from connectors.wb.api import WB_API, WbApi, WbHttp, token_categories, token_claims, token_is_read_only

logger = logging.getLogger(__name__)

STATUS_BATCH = 1000  # POST /api/v3/orders/status: 1–1000 ids
SUPPLY_BATCH = 100  # PATCH /api/marketplace/v3/supplies/{supplyId}/orders: up to 100 tasks
STICKER_BATCH = 100  # POST /api/v3/orders/stickers: at most 100 per request
STOCK_BATCH = 1000  # PUT /api/v3/stocks/{warehouseId}: 1–1000 items
ORDERS_WINDOW = timedelta(days=30)  # GET /api/v3/orders: at most 30 days per call
ORDERS_BACKFILL = timedelta(days=7)
FBO_BACKFILL = timedelta(days=30)  # statistics keep 90 days
STATISTICS_PAGE_CAP = 80_000  # "conditional limit of 80 000 rows" per statistics answer
FBO_STOCK_PAGE = 250_000  # stocks-report/wb-warehouses: limit ≤ 250000
CLAIMS_PAGE = 200  # GET /api/v1/claims: limit 1–200
CARDS_PAGE = 100  # POST /content/v2/get/cards/list: cursor.limit ≤ 100
MAX_PAGES = 1000
STORE_PROCESSING_RETRY_S = 30.0  # "isProcessing … for a few minutes"
# Okno needs these token categories; the rest of the token is none of its business.
NEEDED_CATEGORIES = ("marketplace", "statistics", "analytics", "returns", "content")

STICKER_TYPES = {"pdf": "svg", "svg": "svg", "png": "png", "zpl": "zplv", "zplv": "zplv", "zplh": "zplh"}
STICKER_SIZES = {"58x40": (58, 40), "40x30": (40, 30)}
LABEL_CONTENT_TYPES = {"svg": "image/svg+xml", "png": "image/png", "zplv": "text/plain", "zplh": "text/plain"}
_LABEL_FORMAT = re.compile(r"(?P<kind>pdf|svg|png|zpl|zplv|zplh)(?:_(?P<size>58x40|40x30))?")


def _chunks(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)[:100_000]


class WildberriesConnector(Connector):
    marketplace = "wb"
    stock_batch_size = STOCK_BATCH
    stock_pair_interval_s = 0.0  # WB documents no per-item update frequency
    label_formats = frozenset(
        [*STICKER_TYPES, *(f"{kind}_{size}" for kind in STICKER_TYPES for size in STICKER_SIZES)]
    )
    api: ClassVar[WbApi] = WB_API

    def __init__(self, config: ConnectionConfig, http: WbHttp | None = None):
        super().__init__(config, http)
        self._vendor_code_cache: dict[int, str] | None = None

    @classmethod
    def build_http(cls, config: ConnectionConfig) -> WbHttp:
        return WbHttp(cls.api, credentials=config.credentials, account_key=str(config.id), base_url=config.base_url,
                      api_base_urls=config.api_base_urls)

    # --- plumbing ---------------------------------------------------------------------------------------------
    def _json(self, family: str, method: str, path: str, limit: str, **kwargs) -> Any:
        return self.http.json(family, method, path, limits=(limit,), **kwargs)

    def _option(self, name: str, default: int, low: int, high: int) -> int:
        value = self.config.options.get(name, default)
        try:
            return max(low, min(high, int(value)))
        except (TypeError, ValueError):
            return default

    @staticmethod
    def _now() -> datetime:
        return datetime.now(UTC)

    @staticmethod
    def _list(body: Any, key: str | None, kind: str, batch: Batch) -> list[Any]:
        """The list an answer carries; a broken answer becomes one PayloadError (kept verbatim), never a crash."""
        value = body.get(key) if key is not None and isinstance(body, Mapping) else body
        if key is not None and isinstance(body, Mapping) and value is None:
            return []
        if isinstance(value, list):
            return value
        batch.errors.append(PayloadError(kind=f"{kind}_page", payload=_dump(body),
                                         error=f"expected a list{f' in {key!r}' if key else ''}"))
        return []

    @staticmethod
    def _dedupe(batch: Batch) -> Batch:
        """The same item twice in one answer is one item (WB or a proxy may repeat)."""
        seen: set[Any] = set()
        unique = []
        for item in batch.items:
            key = (getattr(item, "external_id", None), getattr(item, "warehouse_external_id", None),
                   getattr(item, "marketplace_sku", None), getattr(item, "status", None))
            if key not in seen:
                seen.add(key)
                unique.append(item)
        batch.items = unique
        return batch

    @staticmethod
    def _task_ids(external_ids: Sequence[str]) -> tuple[dict[str, int], dict[str, ActionResult]]:
        parsed, refused = {}, {}
        for external_id in external_ids:
            value = str(external_id).strip()
            if value.isdigit() and 0 < int(value) <= mapping.MAX_ID:
                parsed[external_id] = int(value)
            else:
                refused[external_id] = ActionResult(external_id, False, f"{external_id!r} is not a WB assembly task id")
        return parsed, refused

    # --- health -------------------------------------------------------------------------------------------------
    def check(self) -> str:
        """GET /api/v1/seller-info (any token category, 1/min burst 10), plus what the token itself says."""
        info = self._json("common", "GET", "/api/v1/seller-info", "seller_info")
        info = info if isinstance(info, Mapping) else {}
        name = info.get("tradeMark") or info.get("name") or info.get("sid") or "WB"
        if info.get("name") and info.get("tradeMark") and info["name"] != info["tradeMark"]:
            name = f"{info['tradeMark']} ({info['name']})"
        credentials = self.config.credentials
        claims = token_claims(str(credentials.get("token") or credentials.get("api_key") or ""))
        notes = []
        if claims is not None:
            categories = token_categories(claims)
            if categories is not None:
                if "marketplace" not in categories:
                    raise AuthRejected("the token has no Marketplace category: orders and stock cannot work")
                missing = [c for c in NEEDED_CATEGORIES if c not in categories]
                if missing:
                    notes.append("token lacks " + ", ".join(missing))
            if token_is_read_only(claims):
                notes.append("read-only token: order actions and stock pushes will be refused")
            if isinstance(claims.get("exp"), int):
                notes.append("token valid until " + datetime.fromtimestamp(claims["exp"], UTC).date().isoformat())
        return f"{name} — {'; '.join(notes)}" if notes else str(name)

    # --- orders -------------------------------------------------------------------------------------------------
    def fetch_new_orders(self, *, since: datetime | None = None) -> Batch[OrderDTO]:
        """GET /api/v3/orders/new: every task still ``new`` (no params, no paging; no wbStatus in this answer)."""
        batch: Batch[OrderDTO] = Batch()
        body = self._json("marketplace", "GET", "/api/v3/orders/new", "marketplace")
        tasks = self._list(body, "orders", "order", batch)
        map_each(tasks, mapping.order_from_task, kind="order", external_id=lambda t: t.get("id"), batch=batch)
        return self._dedupe(batch)

    def fetch_changed_orders(self, cursor: dict[str, Any], *, since: datetime | None = None) -> Batch[OrderDTO]:
        """Tasks created since the cursor (GET /api/v3/orders, paged by ``next``), each with its current status from
        POST /api/v3/orders/status (that list carries none). Status changes of known tasks come from
        ``fetch_order_statuses``. Cursor: ``{"date_from": unix seconds, "next": int}``."""
        now = self._now()
        oldest = mapping.unix(now - ORDERS_WINDOW) + 60
        date_from = cursor.get("date_from")
        if not isinstance(date_from, int) or isinstance(date_from, bool):
            date_from = mapping.unix(since or now - ORDERS_BACKFILL)
        date_from = max(date_from, oldest)
        next_value = cursor.get("next")
        next_value = next_value if isinstance(next_value, int) and not isinstance(next_value, bool) else 0
        limit = self._option("orders_page_size", 1000, 1, 1000)
        body = self._json("marketplace", "GET", "/api/v3/orders", "marketplace",
                          params={"limit": limit, "next": next_value, "dateFrom": date_from, "dateTo": mapping.unix(now)})
        batch: Batch[OrderDTO] = Batch(cursor={"date_from": date_from, "next": next_value})
        tasks = self._list(body, "orders", "order", batch)
        if not tasks:
            return batch
        status_of = self._statuses([t["id"] for t in tasks if isinstance(t, Mapping) and isinstance(t.get("id"), int)])

        def with_status(task: Any) -> OrderDTO:
            supplier_status, wb_status = status_of.get(task.get("id") if isinstance(task, Mapping) else None,
                                                       ("new", ""))
            return mapping.order_from_task(task, supplier_status, wb_status)

        map_each(tasks, with_status, kind="order", external_id=lambda t: t.get("id"), batch=batch)
        returned_next = body.get("next") if isinstance(body, Mapping) else None
        advanced = isinstance(returned_next, int) and not isinstance(returned_next, bool) and returned_next > 0 \
            and returned_next != next_value
        # ``next`` is WB's position: kept with the same window so the next call goes on after the last task seen.
        batch.cursor = {"date_from": date_from, "next": returned_next if advanced else next_value}
        batch.has_more = advanced and len(tasks) >= limit  # a position that does not move would repeat the page
        return self._dedupe(batch)

    def _statuses(self, task_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
        found: dict[int, tuple[str, str]] = {}
        for chunk in _chunks(list(dict.fromkeys(task_ids)), STATUS_BATCH):
            body = self._json("marketplace", "POST", "/api/v3/orders/status", "marketplace", json={"orders": list(chunk)})
            items = body.get("orders") if isinstance(body, Mapping) else None
            found.update(mapping.statuses_by_id(items if isinstance(items, list) else []))
        return found

    def fetch_order_statuses(self, external_ids: Sequence[str]) -> Batch[OrderStatusDTO]:
        """POST /api/v3/orders/status in batches of 1000: both status axes and the unified status of each task."""
        batch: Batch[OrderStatusDTO] = Batch()
        parsed, refused = self._task_ids(external_ids)
        for external_id, result in refused.items():
            batch.errors.append(PayloadError(kind="order_status", payload=_dump(external_id), error=result.error,
                                             external_id=str(external_id)))
        for chunk in _chunks(list(dict.fromkeys(parsed.values())), STATUS_BATCH):
            body = self._json("marketplace", "POST", "/api/v3/orders/status", "marketplace", json={"orders": list(chunk)})
            items = self._list(body, "orders", "order_status", batch)
            map_each(items, mapping.status_from_item, kind="order_status", external_id=lambda i: i.get("id"),
                     batch=batch)
        return self._dedupe(batch)

    # --- actions ------------------------------------------------------------------------------------------------
    def confirm_orders(self, external_ids: Sequence[str]) -> list[ActionResult]:
        """WB has no separate "accept": a task is confirmed by adding it to a supply (``new`` → ``confirm``).

        New tasks are grouped the way WB requires one supply to be homogeneous (seller warehouse, cargoType,
        crossBorderType); each group gets a new supply (POST /api/v3/supplies) and its tasks are added in batches of
        100. A task already in a supply or handed over is confirmed already.
        """
        parsed, results = self._task_ids(external_ids)
        if parsed:
            results.update(self._confirm(parsed))
        return [results[e] for e in external_ids]

    def _confirm(self, parsed: dict[str, int], label: str = "") -> dict[str, ActionResult]:
        results: dict[str, ActionResult] = {}
        body = self._json("marketplace", "GET", "/api/v3/orders/new", "marketplace")
        listed = body.get("orders") if isinstance(body, Mapping) else None
        new_tasks = {t["id"]: t for t in listed if isinstance(t, Mapping) and isinstance(t.get("id"), int)} \
            if isinstance(listed, list) else {}
        groups: dict[tuple[Any, Any, Any], list[str]] = defaultdict(list)
        others = [e for e, task_id in parsed.items() if task_id not in new_tasks]
        for external_id, task_id in parsed.items():
            task = new_tasks.get(task_id)
            if task is not None:
                groups[(task.get("warehouseId"), task.get("cargoType"), task.get("crossBorderType"))].append(external_id)
        if others:
            status_of = self._statuses([parsed[e] for e in others])
            for external_id in others:
                supplier_status, wb_status = status_of.get(parsed[external_id], ("", ""))
                if supplier_status in ("confirm", "complete"):
                    results[external_id] = ActionResult(external_id, True, data={"supplierStatus": supplier_status,
                                                                                 "already": True})
                elif supplier_status == "new" and wb_status == "waiting":
                    groups[(None, None, None)].append(external_id)  # appeared after the /orders/new snapshot
                else:
                    state = f"{supplier_status}/{wb_status}" if supplier_status else "unknown to WB"
                    results[external_id] = ActionResult(external_id, False, f"the assembly task is {state}")
        for (warehouse_id, _cargo, _cross), members in groups.items():
            results.update(self._into_new_supply(members, parsed, warehouse_id, label))
        return results

    def _supply_name(self, warehouse_id: Any, label: str = "") -> str:
        prefix = str(self.config.options.get("supply_name") or "Okno")[:60]
        stamp = mapping.moscow_text(self._now()).replace("T", " ")[:16]
        parts = [prefix, str(label)[:40] if label else stamp, str(warehouse_id) if warehouse_id else ""]
        return " · ".join(p for p in parts if p)[:128]

    def _into_new_supply(self, members: list[str], parsed: dict[str, int], warehouse_id: Any, label: str = ""
                         ) -> dict[str, ActionResult]:
        try:
            body = self._json("marketplace", "POST", "/api/v3/supplies", "marketplace",
                              json={"name": self._supply_name(warehouse_id, label)})
            supply_id = str((body or {}).get("id") or "") if isinstance(body, Mapping) else ""
            if not supply_id:
                raise MarketplaceUnavailable(f"no supply id in {_dump(body)[:200]}")
        except (BadRequest, MarketplaceUnavailable, RateLimited) as exc:
            return {e: ActionResult(e, False, exc.user_message()) for e in members}
        results = self._add_to_supply(supply_id, members, parsed)
        if not any(r.ok for r in results.values()):
            # Leave no empty supply behind in the seller's cabinet (WB deletes only open, empty ones).
            try:
                self.http.request("marketplace", "DELETE", f"/api/v3/supplies/{supply_id}", limits=("marketplace",))
            except (BadRequest, MarketplaceUnavailable, RateLimited):
                logger.info("wb %s: empty supply %s left behind", self.config.id, supply_id)
        return results

    def _add_to_supply(self, supply_id: str, members: list[str], parsed: dict[str, int]) -> dict[str, ActionResult]:
        """PATCH …/supplies/{id}/orders in batches of 100; a refused batch is retried task by task so one task WB
        refuses (FailedToAddSupplyOrder) does not take the others down with it."""
        results: dict[str, ActionResult] = {}
        path = f"/api/marketplace/v3/supplies/{supply_id}/orders"
        for chunk in _chunks(members, SUPPLY_BATCH):
            try:
                self.http.request("marketplace", "PATCH", path, json={"orders": [parsed[e] for e in chunk]},
                                  limits=("marketplace",))
            except BadRequest as exc:
                if len(chunk) == 1:
                    results[chunk[0]] = ActionResult(chunk[0], False, exc.user_message(), {"supply_id": supply_id})
                    continue
                results.update(self._add_one_by_one(supply_id, chunk, parsed))
                continue
            except (MarketplaceUnavailable, RateLimited) as exc:
                results.update({e: ActionResult(e, False, exc.user_message(), {"supply_id": supply_id})
                                for e in chunk})
                continue
            results.update({e: ActionResult(e, True, data={"supply_id": supply_id}) for e in chunk})
        return results

    def _add_one_by_one(self, supply_id: str, chunk: Sequence[str], parsed: dict[str, int]
                        ) -> dict[str, ActionResult]:
        results = {}
        for external_id in chunk:
            results.update(self._add_to_supply(supply_id, [external_id], parsed))
        return results

    def ship_orders(self, external_ids: Sequence[str], *, options: dict[str, Any] | None = None) -> list[ActionResult]:
        """Hand tasks over: new ones are first put into supplies (as ``confirm_orders``), then every supply holding
        the tasks is delivered (PATCH /api/v3/supplies/{supplyId}/deliver → tasks ``complete``). A supply holds
        whatever was added to it, so delivering it hands over all its tasks; ``data["supply_orders"]`` lists them.
        ``options["supply_id"]`` (or ``shipment_ref``, a previous hand-over's supply) names the supply to look in
        first; ``options["batch_number"]`` goes into the name of new supplies."""
        options = options or {}
        parsed, results = self._task_ids(external_ids)
        status_of = self._statuses(list(parsed.values())) if parsed else {}
        supply_of: dict[str, str] = {}
        to_confirm, in_supply = {}, []
        for external_id, task_id in parsed.items():
            supplier_status, wb_status = status_of.get(task_id, ("", ""))
            if supplier_status == "new" and wb_status == "waiting":
                to_confirm[external_id] = task_id
            elif supplier_status == "confirm" and wb_status == "waiting":
                in_supply.append(external_id)
            elif supplier_status == "complete":
                results[external_id] = ActionResult(external_id, True, data={"supplierStatus": "complete",
                                                                             "already": True})
            else:
                state = f"{supplier_status}/{wb_status}" if supplier_status else "unknown to WB"
                results[external_id] = ActionResult(external_id, False, f"the assembly task is {state}")
        if to_confirm:
            for external_id, result in self._confirm(to_confirm, str(options.get("batch_number") or "")).items():
                if result.ok and result.data.get("supply_id"):
                    supply_of[external_id] = result.data["supply_id"]
                else:
                    results[external_id] = result
        supply_orders: dict[str, list[int]] = {}
        if in_supply:
            hint = options.get("supply_id") or options.get("shipment_ref")
            located, supply_orders = self._locate_in_supplies({parsed[e] for e in in_supply}, hint)
            for external_id in in_supply:
                if parsed[external_id] in located:
                    supply_of[external_id] = located[parsed[external_id]]
                else:
                    results[external_id] = ActionResult(external_id, False, "the task is not in an open supply")
        members: dict[str, list[str]] = defaultdict(list)
        for external_id, supply_id in supply_of.items():
            members[supply_id].append(external_id)
        for supply_id, group in members.items():
            data = {"supply_id": supply_id,
                    "supply_orders": supply_orders.get(supply_id) or sorted(parsed[e] for e in group)}
            try:
                self.http.request("marketplace", "PATCH", f"/api/v3/supplies/{supply_id}/deliver",
                                  limits=("marketplace",))
            except (BadRequest, MarketplaceUnavailable, RateLimited) as exc:
                results.update({e: ActionResult(e, False, exc.user_message(), data) for e in group})
            else:
                results.update({e: ActionResult(e, True, data=data) for e in group})
        return [results[e] for e in external_ids]

    def _locate_in_supplies(self, task_ids: set[int], hint: Any) -> tuple[dict[int, str], dict[str, list[int]]]:
        """task id → open supply id, from the supplies list (GET /api/v3/supplies, paged) and each open supply's
        task ids (GET /api/marketplace/v3/supplies/{supplyId}/order-ids)."""
        candidates: list[str] = [str(hint)] if hint else []
        next_value = 0
        for _page in range(MAX_PAGES):
            body = self._json("marketplace", "GET", "/api/v3/supplies", "marketplace",
                              params={"limit": 1000, "next": next_value})
            supplies = body.get("supplies") if isinstance(body, Mapping) else None
            if not isinstance(supplies, list) or not supplies:
                break
            candidates += [str(s["id"]) for s in supplies if isinstance(s, Mapping) and s.get("id")
                           and s.get("done") is False and str(s["id"]) not in candidates]
            returned_next = body.get("next")
            if len(supplies) < 1000 or not isinstance(returned_next, int) or returned_next == next_value:
                break
            next_value = returned_next
        located: dict[int, str] = {}
        contents: dict[str, list[int]] = {}
        for supply_id in candidates:
            if task_ids <= set(located):
                break
            try:
                body = self._json("marketplace", "GET", f"/api/marketplace/v3/supplies/{supply_id}/order-ids",
                                  "marketplace")
            except BadRequest:
                continue
            listed = body.get("orderIds") if isinstance(body, Mapping) else None
            ids = [i for i in listed if isinstance(i, int)] if isinstance(listed, list) else []
            contents[supply_id] = ids
            located.update({i: supply_id for i in ids if i in task_ids})
        return located, contents

    def cancel_order(self, external_id: str, reason: str = "") -> ActionResult:
        """PATCH /api/v3/orders/{orderId}/cancel → ``cancel`` (WB takes no reason; penalties apply unless the task
        ``isZeroOrder``)."""
        parsed, refused = self._task_ids([external_id])
        if refused:
            return refused[external_id]
        try:
            self.http.request("marketplace", "PATCH", f"/api/v3/orders/{parsed[external_id]}/cancel",
                              limits=("marketplace_cancel",))
        except (BadRequest, MarketplaceUnavailable, RateLimited) as exc:
            return ActionResult(external_id, False, exc.user_message())
        return ActionResult(external_id, True, data={"supplierStatus": "cancel"})

    def get_labels(self, external_ids: Sequence[str], label_format: str = "pdf") -> list[LabelFile]:
        """POST /api/v3/orders/stickers (≤100 per request; only tasks in ``confirm``/``complete``) in svg, png, zplv
        or zplh, 58×40 or 40×30 mm. ``pdf`` is assembled from the svg stickers, one sticker per page; ``zpl`` is
        WB's vertical ZPL. Svg/png come one file per task; ZPL and PDF one file for all."""
        found = _LABEL_FORMAT.fullmatch(label_format or "pdf")
        if found is None:
            raise self.unsupported("get_labels", f"format {label_format!r}: WB offers svg, png, zplv and zplh "
                                                 f"stickers of 58×40 or 40×30 mm (Okno adds pdf)")
        kind, size = found["kind"], found["size"] or "58x40"
        width, height = STICKER_SIZES[size]
        wb_type = STICKER_TYPES[kind]
        parsed, refused = self._task_ids(external_ids)
        if refused:
            raise BadRequest("; ".join(r.error for r in refused.values()))
        stickers: dict[int, bytes] = {}
        for chunk in _chunks(list(dict.fromkeys(parsed.values())), STICKER_BATCH):
            body = self._json("marketplace", "POST", "/api/v3/orders/stickers", "marketplace",
                              params={"type": wb_type, "width": width, "height": height}, json={"orders": list(chunk)})
            listed = body.get("stickers") if isinstance(body, Mapping) else None
            for sticker in listed if isinstance(listed, list) else []:
                if isinstance(sticker, Mapping) and isinstance(sticker.get("orderId"), int) and sticker.get("file"):
                    try:
                        stickers[sticker["orderId"]] = base64.b64decode(sticker["file"], validate=True)
                    except (ValueError, TypeError):
                        logger.warning("wb sticker of %s is not base64", sticker["orderId"])
        ordered = [(e, stickers[t]) for e, t in parsed.items() if t in stickers]
        if not ordered:
            raise BadRequest("WB gave no stickers: they exist only for tasks in a supply (confirm) or handed over "
                             "(complete)")
        if kind == "pdf":
            return [LabelFile(_stickers_pdf([c for _, c in ordered], width, height), "application/pdf",
                              tuple(e for e, _ in ordered), width, height)]
        if wb_type in ("zplv", "zplh"):
            return [LabelFile(b"\n".join(c.strip() for _, c in ordered) + b"\n", "text/plain",
                              tuple(e for e, _ in ordered), width, height)]
        return [LabelFile(content, LABEL_CONTENT_TYPES[wb_type], (e,), width, height) for e, content in ordered]

    # --- stock --------------------------------------------------------------------------------------------------
    def push_stocks(self, updates: Sequence[StockUpdate]) -> list[StockPushResult]:
        """PUT /api/v3/stocks/{warehouseId} with absolute amounts per chrtId (one request per seller warehouse).

        WB answers 204 even when it ignored a misspelt field, so ``read_stocks`` is the proof. A 409 is an array of
        errors naming the refused chrtIds; the others are sent again, since WB may have refused the whole request.
        """
        results: dict[int, StockPushResult] = {}
        by_warehouse: dict[int, list[tuple[int, StockUpdate, int]]] = defaultdict(list)
        for index, update in enumerate(updates):
            try:
                chrt = mapping.chrt_id(update.stock_key)
                warehouse = str(update.warehouse_external_id).strip()
                if not warehouse.isdigit():
                    raise ValueError(f"warehouse {update.warehouse_external_id!r} is not a WB seller warehouse id")
            except ValueError as exc:
                results[index] = StockPushResult(update.stock_key, update.warehouse_external_id, False, str(exc))
                continue
            by_warehouse[int(warehouse)].append((index, update, chrt))
        for warehouse_id, items in by_warehouse.items():
            for chunk in _chunks(items, STOCK_BATCH):
                self._put_stocks(warehouse_id, list(chunk), results)
        return [results[i] for i in range(len(updates))]

    def _put_stocks(self, warehouse_id: int, pending: list[tuple[int, StockUpdate, int]],
                    results: dict[int, StockPushResult]) -> None:
        def refuse(items, error: str, retry_after: float | None = None) -> None:
            for index, update, _chrt in items:
                results[index] = StockPushResult(update.stock_key, update.warehouse_external_id, False, error,
                                                 retry_after)

        for _attempt in range(3):
            body = {"stocks": [{"chrtId": chrt, "amount": mapping.stock_amount(u.quantity)} for _, u, chrt in pending]}
            try:
                self.http.request("marketplace", "PUT", f"/api/v3/stocks/{warehouse_id}", json=body, limits=("stocks",))
            except Conflict as exc:
                per_item, general = mapping.stock_conflicts(getattr(exc, "body", None))
                if not per_item:
                    retry = STORE_PROCESSING_RETRY_S if "StoreIsProcessing" in general else None
                    refuse(pending, general or exc.user_message(), retry)
                    return
                for index, update, chrt in pending:
                    if chrt in per_item:
                        results[index] = StockPushResult(update.stock_key, update.warehouse_external_id, False,
                                                         per_item[chrt])
                pending = [p for p in pending if p[2] not in per_item]
                if not pending:
                    return
                continue
            except BadRequest as exc:
                refuse(pending, exc.user_message())
                return
            except (MarketplaceUnavailable, RateLimited) as exc:
                refuse(pending, exc.user_message(), exc.retry_after)
                return
            for index, update, _chrt in pending:
                results[index] = StockPushResult(update.stock_key, update.warehouse_external_id, True)
            return
        refuse(pending, "WB kept refusing the batch")

    def read_stocks(self, keys: Sequence[tuple[str, str]]) -> list[StockReading]:
        """POST /api/v3/stocks/{warehouseId} with ≤1000 chrtIds: what WB shows per (chrtId, seller warehouse)."""
        by_warehouse: dict[str, list[int]] = defaultdict(list)
        for stock_key, warehouse in keys:
            try:
                chrt = mapping.chrt_id(stock_key)
            except ValueError:
                logger.warning("wb read_stocks: %r is not a chrtId", stock_key)
                continue
            if str(warehouse).strip().isdigit() and chrt not in by_warehouse[str(warehouse).strip()]:
                by_warehouse[str(warehouse).strip()].append(chrt)
        readings: list[StockReading] = []
        for warehouse, chrt_ids in by_warehouse.items():
            for chunk in _chunks(chrt_ids, STOCK_BATCH):
                body = self._json("marketplace", "POST", f"/api/v3/stocks/{warehouse}", "stocks",
                                  json={"chrtIds": list(chunk)})
                readings += mapping.readings_from_stocks(body, warehouse, chunk)
        return readings

    # --- FBO (FBW) ----------------------------------------------------------------------------------------------
    def fetch_fbo_orders(self, cursor: dict[str, Any], *, since: datetime | None = None) -> Batch[OrderDTO]:
        """FBW orders from Statistics: order rows (GET /api/v1/supplier/orders → new/cancelled) then sale rows
        (GET /api/v1/supplier/sales → delivered/returned), rows of WB warehouses only.

        Each source pages by ``lastChangeDate`` (Moscow time, no offset): the next ``dateFrom`` is the newest value
        seen, and the rows at exactly that instant are remembered so the inclusive filter does not repeat them. A
        source whose answer reached the ~80 000-row cap is asked again (``has_more``) without asking the other.
        Cursor: ``{"orders": {"from", "seen", "more"}, "sales": {…}}``.
        """
        start = mapping.moscow_text(since or self._now() - FBO_BACKFILL)
        cap = self._option("statistics_page_size", STATISTICS_PAGE_CAP, 1, STATISTICS_PAGE_CAP)
        sources: tuple[tuple[str, str, str, Callable[[Any], OrderDTO]], ...] = (
            ("orders", "/api/v1/supplier/orders", "statistics_orders", mapping.fbo_order_from_order_row),
            ("sales", "/api/v1/supplier/sales", "statistics_sales", mapping.fbo_order_from_sale_row),
        )
        states = {name: dict(cursor.get(name)) if isinstance(cursor.get(name), Mapping) else {}
                  for name, *_ in sources}
        round_start = not any(state.get("more") for state in states.values())
        batch: Batch[OrderDTO] = Batch()
        for name, path, limit, mapper in sources:
            state = states[name]
            if not round_start and not state.get("more"):
                continue
            date_from = state.get("from") if isinstance(state.get("from"), str) and state.get("from") else start
            body = self._json("statistics", "GET", path, limit, params={"dateFrom": date_from, "flag": 0})
            rows = self._list(body, None, f"fbo_{name}", batch)
            seen = set(state.get("seen") or []) if state.get("from") == date_from else set()
            fresh = [r for r in rows if not (isinstance(r, Mapping) and r.get("lastChangeDate") == date_from
                                             and mapping.statistics_row_key(r) in seen)]
            fbo_rows = [r for r in fresh
                        if not (isinstance(r, Mapping) and r.get("warehouseType") == mapping.WAREHOUSE_TYPE_SELLER)]
            map_each(fbo_rows, _only_wb_warehouse(mapper), kind="fbo_order", external_id=lambda r: r.get("srid"),
                     batch=batch)
            states[name] = self._advance_statistics(state, date_from, rows, seen, more=len(rows) >= cap)
        batch.cursor = states
        batch.has_more = any(state.get("more") for state in states.values())
        return self._dedupe(batch)

    @staticmethod
    def _advance_statistics(state: dict[str, Any], date_from: str, rows: list[Any], seen: set[str], *, more: bool
                            ) -> dict[str, Any]:
        stamps = []
        for row in rows:
            if isinstance(row, Mapping) and isinstance(row.get("lastChangeDate"), str):
                try:
                    stamps.append((datetime.fromisoformat(row["lastChangeDate"]).replace(tzinfo=None),
                                   row["lastChangeDate"]))
                except ValueError:
                    continue
        if not stamps:
            return {**state, "more": False} if state else {}
        newest = max(stamps)[1]
        at_newest = {mapping.statistics_row_key(r) for r in rows
                     if isinstance(r, Mapping) and r.get("lastChangeDate") == newest}
        if newest == date_from:
            if more and at_newest <= seen:
                # A full answer of rows already seen, all at one instant: asking again from that instant would
                # return them forever. Step a microsecond past it (dateFrom takes fractions); rows of that instant
                # beyond WB's row cap cannot be reached through this API at all.
                logger.warning("wb statistics: a whole answer changed at %s; paging steps past it", newest)
                stepped = datetime.fromisoformat(newest) + timedelta(microseconds=1)
                return {"from": stepped.isoformat(timespec="microseconds"), "seen": [], "more": True}
            at_newest |= seen
        return {"from": newest, "seen": sorted(k for k in at_newest if k), "more": more}

    def fetch_fbo_stocks(self) -> Batch[FboStockDTO]:
        """POST /api/analytics/v1/stocks-report/wb-warehouses (limit/offset; 3/min, burst 1). One row per size and
        WB warehouse — currently WB aggregates all its warehouses into ``-999999`` "Склад WB". The report names
        nmId/chrtId only, so the seller's vendorCode comes from the content cards."""
        batch: Batch[FboStockDTO] = Batch()
        limit = self._option("fbo_stocks_page_size", FBO_STOCK_PAGE, 1, FBO_STOCK_PAGE)
        items: list[Any] = []
        for page in range(MAX_PAGES):
            body = self._json("analytics", "POST", "/api/analytics/v1/stocks-report/wb-warehouses",
                              "analytics_wb_stocks", json={"limit": limit, "offset": page * limit})
            data = body.get("data") if isinstance(body, Mapping) else None
            rows = self._list(data if isinstance(data, Mapping) else body, "items" if isinstance(data, Mapping)
                              else None, "fbo_stock", batch)
            items += rows
            if len(rows) < limit:
                break
        codes = self._vendor_codes() if items else {}
        map_each(items, lambda item: mapping.fbo_stock_from_item(item, codes), kind="fbo_stock",
                 external_id=lambda item: item.get("chrtId"), batch=batch)
        return self._dedupe(batch)

    def _vendor_codes(self) -> dict[int, str]:
        """nmID/chrtID → vendorCode from POST /content/v2/get/cards/list (cursor paging, 100 per page). Without the
        Content category the map is empty and the items keep only WB's ids."""
        if self._vendor_code_cache is not None:
            return self._vendor_code_cache
        cards: list[Any] = []
        cursor: dict[str, Any] = {"limit": CARDS_PAGE}
        try:
            for _page in range(MAX_PAGES):
                body = self._json("content", "POST", "/content/v2/get/cards/list", "content",
                                  json={"settings": {"sort": {"ascending": True}, "filter": {"withPhoto": -1},
                                                     "cursor": cursor}})
                page = body.get("cards") if isinstance(body, Mapping) else None
                if not isinstance(page, list):
                    break
                cards += page
                position = body.get("cursor") if isinstance(body.get("cursor"), Mapping) else {}
                total = position.get("total")
                if len(page) < CARDS_PAGE or not isinstance(total, int) or total < CARDS_PAGE \
                        or not position.get("updatedAt") or not isinstance(position.get("nmID"), int):
                    break
                cursor = {"limit": CARDS_PAGE, "updatedAt": position["updatedAt"], "nmID": position["nmID"]}
        except (AuthRejected, BadRequest) as exc:
            logger.warning("wb %s: content cards unavailable (%s); items keep WB ids only", self.config.id, exc)
        self._vendor_code_cache = mapping.vendor_codes_from_cards(cards)
        return self._vendor_code_cache

    # --- returns ------------------------------------------------------------------------------------------------
    def fetch_returns(self, cursor: dict[str, Any], *, since: datetime | None = None) -> Batch[ReturnDTO]:
        """Buyer return claims (GET /api/v1/claims, last 14 days): the claims under review, then the archive, paged by
        limit/offset. WB offers no "changed since" filter, so every round reads the 14-day window again (ingest is
        idempotent). Cursor: ``{"archive": bool, "offset": int}``."""
        archive = cursor.get("archive") is True
        offset = cursor.get("offset")
        offset = offset if isinstance(offset, int) and not isinstance(offset, bool) and offset >= 0 else 0
        limit = self._option("claims_page_size", CLAIMS_PAGE, 1, CLAIMS_PAGE)
        body = self._json("returns", "GET", "/api/v1/claims", "claims",
                          params={"is_archive": "true" if archive else "false", "limit": limit, "offset": offset})
        batch: Batch[ReturnDTO] = Batch()
        claims = self._list(body, "claims", "return", batch)
        codes = self._vendor_codes() if claims else {}
        map_each(claims, lambda claim: mapping.return_from_claim(claim, codes), kind="return",
                 external_id=lambda claim: claim.get("id"), batch=batch)
        if len(claims) >= limit:
            batch.cursor, batch.has_more = {"archive": archive, "offset": offset + limit}, True
        elif not archive:
            batch.cursor, batch.has_more = {"archive": True, "offset": 0}, True
        else:
            batch.cursor, batch.has_more = {"archive": False, "offset": 0}, False
        return self._dedupe(batch)

    def approve_return(self, external_id: str, *, comment: str = "") -> ActionResult:
        """Approve a buyer's claim so the goods come back (PATCH /api/v1/claim): ``approve2`` (back to the seller),
        else ``approve1`` (WB checks the defect first), else ``approvecc1`` (click & collect) — whichever the claim
        allows. Refunding without a return (``autorefund1``) is a deliberate ``answer_claim``."""
        claim, refused = self._claim_for_answer(external_id)
        if refused:
            return refused
        allowed = claim["actions"]
        action = next((a for a in statuses.CLAIM_APPROVALS if a in allowed), None)
        if action is None:
            return ActionResult(external_id, False, _refusal("none of WB's approving answers", allowed))
        return self._answer_claim(external_id, action, comment)

    def reject_return(self, external_id: str, *, reason: str, comment: str = "") -> ActionResult:
        """Reject a claim: ``reason`` is one of WB's template answers (reject1, reject2, reject3) or the seller's
        own words, sent as ``rejectcustom`` with ``comment`` (or the reason itself) as the text the buyer reads."""
        reason = (reason or "").strip()
        if reason in statuses.CLAIM_TEMPLATE_REJECTIONS:
            action, text = reason, ""
        else:
            action, text = statuses.CLAIM_CUSTOM_REJECTION, (comment or reason).strip()
        problem = _comment_problem(action, text)
        if problem:
            return ActionResult(external_id, False, problem)
        claim, refused = self._claim_for_answer(external_id)
        if refused:
            return refused
        if action not in claim["actions"]:
            return ActionResult(external_id, False, _refusal(action, claim["actions"]))
        return self._answer_claim(external_id, action, text)

    def answer_claim(self, external_id: str, *, decision: str, comment: str = "") -> ActionResult:
        """Send one of the answers the claim allows now (its ``actions``); refused with the allowed list otherwise."""
        decision, comment = (decision or "").strip(), (comment or "").strip()
        problem = _comment_problem(decision, comment)
        if problem:
            return ActionResult(external_id, False, problem)
        claim, refused = self._claim_for_answer(external_id)
        if refused:
            return refused
        if decision not in claim["actions"]:
            return ActionResult(external_id, False, _refusal(decision or "an empty answer", claim["actions"]))
        return self._answer_claim(external_id, decision, comment)

    def _claim_for_answer(self, external_id: str) -> tuple[dict[str, Any], ActionResult | None]:
        """The claim as WB lists it now (under review first, then the archive: rejected claims may be reconsidered)."""
        try:
            claim_id = str(uuid.UUID(str(external_id)))
        except ValueError:
            return {}, ActionResult(external_id, False, f"{external_id!r} is not a WB claim id (a UUID)")
        try:
            for archive in ("false", "true"):
                body = self._json("returns", "GET", "/api/v1/claims", "claims",
                                  params={"is_archive": archive, "id": claim_id, "limit": 1})
                found = body.get("claims") if isinstance(body, Mapping) else None
                for claim in found if isinstance(found, list) else []:
                    if isinstance(claim, Mapping) and str(claim.get("id", "")).lower() == claim_id:
                        actions = claim.get("actions") or []
                        actions = [a for a in actions if isinstance(a, str)] if isinstance(actions, list) else []
                        if not actions:
                            return {}, ActionResult(external_id, False, "WB allows no answer to this claim now "
                                                                        "(its actions list is empty)")
                        return {**claim, "actions": actions}, None
        except (BadRequest, MarketplaceUnavailable, RateLimited) as exc:
            return {}, ActionResult(external_id, False, exc.user_message())
        return {}, ActionResult(external_id, False, "WB lists no such claim (claims stay listed for 14 days)")

    def _answer_claim(self, external_id: str, action: str, comment: str) -> ActionResult:
        body = mapping.claim_answer(str(uuid.UUID(str(external_id))), action, comment)
        try:
            self.http.request("returns", "PATCH", "/api/v1/claim", limits=("claims",), json=body)
        except (BadRequest, MarketplaceUnavailable, RateLimited) as exc:
            return ActionResult(external_id, False, exc.user_message())
        return ActionResult(external_id, True, data={"action": action})


def _refusal(what: str, allowed: Sequence[str]) -> str:
    return (f"WB does not allow {what} for this claim now; allowed: "
            f"{', '.join(allowed) if allowed else 'none'}")


def _comment_problem(action: str, comment: str) -> str:
    """WB's rules for ``comment``: required for rejectcustom, 10–1000 characters wherever it is sent."""
    low, high = statuses.CLAIM_COMMENT_LENGTH
    if action in statuses.CLAIM_COMMENT_REQUIRED and not comment:
        return f"WB needs a comment for {action} (the text the buyer reads, {low}–{high} characters)"
    if comment and action in statuses.CLAIM_COMMENT_ACTIONS and not low <= len(comment) <= high:
        return f"WB takes a comment of {low}–{high} characters; this one has {len(comment)}"
    return ""


def _only_wb_warehouse(mapper: Callable[[Any], OrderDTO]) -> Callable[[Any], OrderDTO]:
    def mapped(row: Any) -> OrderDTO:
        if not isinstance(row, Mapping) or row.get("warehouseType") != mapping.WAREHOUSE_TYPE_WB:
            raise ValueError(f"warehouseType {row.get('warehouseType') if isinstance(row, Mapping) else None!r} "
                             f"is not a WB warehouse")
        return mapper(row)

    return mapped


def _stickers_pdf(svgs: Sequence[bytes], width_mm: int, height_mm: int) -> bytes:
    """One sticker per page of the sticker's own size (WeasyPrint renders the SVGs)."""
    from weasyprint import HTML

    pages = "".join(
        f'<div class="page"><img src="data:image/svg+xml;base64,{base64.b64encode(svg).decode()}"></div>'
        for svg in svgs
    )
    html = (
        f"<html><head><style>@page {{ size: {width_mm}mm {height_mm}mm; margin: 0 }} body {{ margin: 0 }} "
        f".page {{ width: {width_mm}mm; height: {height_mm}mm; page-break-after: always; overflow: hidden }} "
        f"img {{ width: {width_mm}mm; height: {height_mm}mm }}</style></head><body>{pages}</body></html>"
    )
    return HTML(string=html).write_pdf()
