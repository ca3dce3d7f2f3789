"""``python manage.py benchmark stock_sync``: Okno's real-time engine against "push everything every 5 minutes".

Three processes, as in production: the sandbox (four marketplaces, ``run_sandbox``), a real Celery worker (threads,
Redis broker) executing Okno's own tasks, and this driver, which schedules polls as beat does and plays buyers.
Both policies see the same demand: the same seeded sequence of buyer attempts (item by Zipf popularity,
marketplace at random); an attempt succeeds when the marketplace shows stock.

Measured from the sandbox's own logs (same machine clock):
- latency of a sale = until every other marketplace accepted a quantity at or below the post-sale availability
  (the baseline pushes everything at the start and then every 5 minutes: a sale it has not sent by the end of the
  run goes with its next full push, and counts with that latency — ``sent_by_next_full_push`` says how often);
- ``p95_beyond_floor_s`` subtracts the earliest moment the marketplace's own limits allowed that push (Ozon: one
  update per item and warehouse every 30 s);
- oversold units per 1,000 orders = units Okno could not reserve;
- requests = stock-update requests sent; ``min_requests`` = Σ over marketplaces and 1-second windows of
  ⌈items that changed in the window ÷ the API's batch size⌉ (changes are discovered once per poll anyway);
- ``http_429`` = every rate-limit refusal (429, Yandex Market's 420, Ozon's per-item TOO_MANY_REQUESTS);
- ``lost_sales`` = buyer attempts that found no stock on show (the price of holding units back), and per
  marketplace: stock requests, oversold units and which limits refused.

Options: ``--duration S``, ``--rate N``, ``--variants N``, ``--seed N``, ``--drain S`` (seconds after the last buyer
before measuring), ``--policies okno,baseline`` (one to run just that), ``--dump PATH`` (the sandbox's raw logs as
``PATH.<policy>.json``, for a closer look).

Requires PostgreSQL and Redis (DATABASE_URL / REDIS_URL); creates throwaway organizations and deletes them.
"""

from __future__ import annotations

import bisect
import itertools
import json
import logging
import math
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from catalog.models import Listing, Product, Variant
from connectors.models import Connection, WarehouseLink
from connectors.registry import connector_class
from connectors.sandbox.client import SandboxControl
from connectors.sandbox.provision import register_connection
from inventory import services as stock
from inventory.models import StockMovement, Warehouse
from inventory.services import StockLine
from oms.models import Organization
from oms.tenancy import organization_scope
from orders.choices import StockState
from orders.models import Order

logger = logging.getLogger(__name__)

MARKETPLACES = ("wb", "ozon", "yandex_market", "aliexpress")
ACCOUNTS = {
    "wb": ({"token": "bench-wb"}, {}, "700001"),
    "ozon": ({"client_id": "91001", "api_key": "bench-ozon"}, {}, "22113489765000"),
    "yandex_market": ({"api_key": "bench-ym"}, {"business_id": 7300009, "campaign_id": 2100009}, "981245"),
    "aliexpress": ({"token": "bench-ae"}, {"stock_task_wait_s": 5}, "ae-main"),
}
STOCK_PATHS = {  # what counts as a stock-update request, per marketplace
    "wb": ("PUT", "/api/v3/stocks/"),
    "ozon": ("POST", "/v2/products/stocks"),
    "yandex_market": ("PUT", "/offers/stocks"),
    "aliexpress": ("POST", "/api/v1/product/update-sku-stock"),
}
OZON_PAIR_S = 30.0
BASELINE_EVERY_S = 300.0


@dataclass
class Run:
    policy: str
    org: Organization | None = None
    connections: dict[str, Connection] = field(default_factory=dict)
    offers: list[str] = field(default_factory=list)
    full_push_every_s: float | None = None  # the baseline: push everything on this schedule, nothing in between
    started: float = 0.0
    ended: float = 0.0
    attempts: int = 0
    lost: int = 0


def stock_sync(options: dict[str, Any]) -> dict[str, Any]:
    duration = float(options.get("duration", 60))
    rate = float(options.get("rate", 20))
    variant_count = int(options.get("variants", 10_000))
    seed = int(options.get("seed", 7))
    drain = float(options.get("drain", OZON_PAIR_S + 5))
    if not settings.REDIS_URL or settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        raise RuntimeError("stock_sync needs PostgreSQL and Redis: set DATABASE_URL and REDIS_URL")

    policies = [p for p in str(options.get("policies", "okno,baseline")).split(",") if p]
    sandbox = SandboxProcess().start()
    results = {}
    try:
        for policy in policies:
            sandbox.control.reset()
            run = Run(policy, full_push_every_s=BASELINE_EVERY_S if policy == "baseline" else None)
            try:
                _setup(run, sandbox, variant_count, seed)
                _play(run, sandbox, duration, rate, seed, drain)
                results[policy] = _measure(run, sandbox, str(options.get("dump") or ""))
            finally:
                _cleanup(run)
    finally:
        sandbox.stop()
    orders = {policy: results[policy].pop("_orders") for policy in policies}[policies[0]]
    rows = [(f"{policy} {key}", value) for policy in policies for key, value in results[policy].items()]
    return {"benchmark": "stock_sync", "orders": orders, **results,
            "_rows": [("duration_s", duration), ("rate_per_s", rate), ("variants", variant_count), *rows]}


class SandboxProcess:
    """``manage.py run_sandbox`` on four free ports."""

    def __init__(self):
        self.base_port = _free_port_block(4)
        self.process: subprocess.Popen | None = None
        self.control = SandboxControl(self.url("wb"), timeout=120)

    def url(self, marketplace: str) -> str:
        return f"http://127.0.0.1:{self.base_port + MARKETPLACES.index(marketplace)}"

    def start(self) -> SandboxProcess:
        self.process = subprocess.Popen(  # noqa: S603 - our own command
            [sys.executable, "manage.py", "run_sandbox", "--port", str(self.base_port)], cwd=settings.BASE_DIR,
            stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while True:
            try:
                self.control.health()
                return self
            except Exception:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("the sandbox did not start") from None
                time.sleep(0.3)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


def _free_port_block(size: int) -> int:
    for base in range(19100, 19900, 10):
        try:
            for offset in range(size):
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", base + offset))
            return base
        except OSError:
            continue
    raise RuntimeError("no free ports for the sandbox")


# --- setup ---------------------------------------------------------------------------------------------------------
def _setup(run: Run, sandbox: SandboxProcess, variant_count: int, seed: int) -> None:
    rng = random.Random(seed)
    stamp = int(time.time() * 1000)
    run.org = Organization.objects.create(name=f"Benchmark {run.policy} {stamp}", slug=f"bench-{run.policy}-{stamp}")
    with organization_scope(run.org):
        warehouse = Warehouse.objects.create(name="Bench", code="BENCH")
        products = Product.objects.bulk_create(
            [Product(organization=run.org, title=f"Товар {i}") for i in range(variant_count)], batch_size=2000)
        variants = Variant.objects.bulk_create(
            [Variant(organization=run.org, product=p, sku=f"B{i:06d}", price=Decimal("990"))
             for i, p in enumerate(products)], batch_size=2000)
        run.offers = [v.sku for v in variants]
        # Low stock so that demand exhausts a good share of the popular variants.
        stock.receive_many(warehouse=warehouse, lines=[StockLine(v.pk, rng.randint(1, 3)) for v in variants],
                           reason="benchmark")
        for marketplace in MARKETPLACES:
            credentials, options, warehouse_id = ACCOUNTS[marketplace]
            connection = Connection.objects.create(
                marketplace=marketplace, name=marketplace, credentials=credentials, options=dict(options),
                base_url=sandbox.url(marketplace), orders_poll_seconds=1, statuses_poll_seconds=3600,
                stocks_reconcile_seconds=300, fbo_poll_seconds=86400, returns_poll_seconds=86400,
            )
            WarehouseLink.objects.create(connection=connection, warehouse=warehouse, external_id=warehouse_id)
            Listing.objects.bulk_create(
                [Listing(organization=run.org, variant=v, connection=connection, offer_id=v.sku, stock_key=v.sku)
                 for v in variants], batch_size=2000)
            register_connection(connection, SandboxControl(sandbox.url(marketplace), timeout=120))
            run.connections[marketplace] = connection
        # The sandbox starts showing exactly what Okno offers: in sync at t=0.
        Listing.objects.update(stock_dirty_at=None, sync_state="verified")
    _seed_pushed_state(run)


def _seed_pushed_state(run: Run) -> None:
    """Record the starting quantities as pushed, so the engine pushes only real changes."""
    from inventory import availability
    from inventory.models import PushedStock

    with organization_scope(run.org):
        for connection in run.connections.values():
            links = list(connection.warehouse_links.values_list("warehouse_id", "external_id"))
            listings = list(Listing.objects.filter(connection=connection).values_list("pk", "variant_id"))
            available = availability.available_quantities({v for _, v in listings}, {w for w, _ in links})
            PushedStock.objects.bulk_create([
                PushedStock(organization=run.org, listing_id=listing_id, warehouse_external_id=external_id,
                            quantity=available[(variant_id, warehouse_id)], pushed_at=timezone.now())
                for listing_id, variant_id in listings for warehouse_id, external_id in links
            ], batch_size=5000)


# --- the run -------------------------------------------------------------------------------------------------------
def _play(run: Run, sandbox: SandboxProcess, duration: float, rate: float, seed: int, drain: float) -> None:
    from connectors import tasks
    from oms.celery import app

    app.control.purge()
    # The baseline is what sellers use today: nothing pushed on a sale, nothing held back, everything every 5 minutes.
    env = {**os.environ, **({} if run.policy == "okno" else {"OKNO_PUSH_ON_COMMIT": "0", "OKNO_HOLD_BACK_CONFIDENCE": "0"})}
    worker = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "celery", "-A", "oms", "worker", "-Q", "poll,push", "--pool", "threads", "-c", "8",
         "--loglevel", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat",
         "-n", f"bench-{run.policy}@%h"], cwd=settings.BASE_DIR, env=env)
    time.sleep(4)  # the worker connects to the broker
    stop = threading.Event()
    organization_id = run.org.pk
    ids = {mp: c.pk for mp, c in run.connections.items()}

    def scheduler() -> None:
        """What beat does, for this organization only: polls every second, and the sweep (Okno) or the full push
        on its schedule (baseline: every listing stamped and pushed, from the start of the run)."""
        last_sweep = 0.0
        last_full = -1e9
        while not stop.is_set():
            now = time.monotonic()
            for connection_id in ids.values():
                tasks.run_connection_job.delay(connection_id, organization_id, "orders")
            if run.full_push_every_s and now - last_full >= run.full_push_every_s:
                with organization_scope(organization_id):
                    Listing.objects.update(stock_dirty_at=timezone.now())
                for connection_id in ids.values():
                    tasks.push_connection_stocks.delay(connection_id, organization_id)
                last_full = now
            if run.policy == "okno" and now - last_sweep >= 5:
                for connection_id in ids.values():
                    tasks.request_push(connection_id, organization_id)
                last_sweep = now
            stop.wait(1.0)

    try:
        thread = threading.Thread(target=scheduler, daemon=True)
        thread.start()
        run.started = time.time()
        _buyers(run, sandbox, duration, rate, seed)
        run.ended = time.time()
        time.sleep(drain)
        stop.set()
        thread.join(5)
    finally:
        worker.terminate()
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()
        app.control.purge()  # nothing of this run may be executed by the next run's worker
    connections.close_all()


def _buyers(run: Run, sandbox: SandboxProcess, duration: float, rate: float, seed: int) -> None:
    """The same seeded attempts for both policies: the item by Zipf popularity, the marketplace at random. An
    attempt where the marketplace shows no stock is a lost sale."""
    rng = random.Random(seed * 7919)
    order = list(range(len(run.offers)))
    random.Random(seed).shuffle(order)
    weights = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(len(order))))
    sellers = {mp: f"okno-{c.pk}" for mp, c in run.connections.items()}
    controls = {mp: SandboxControl(sandbox.url(mp), timeout=30) for mp in MARKETPLACES}
    interval = 1.0 / rate
    next_at = time.monotonic()
    end = next_at + duration
    while next_at < end:
        pause = next_at - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        next_at += interval
        offer = run.offers[order[bisect.bisect(weights, rng.random() * weights[-1])]]
        marketplace = MARKETPLACES[rng.randrange(len(MARKETPLACES))]
        run.attempts += 1
        try:
            controls[marketplace].place_order(sellers[marketplace], [{"offer_id": offer, "quantity": 1}],
                                              ACCOUNTS[marketplace][2])
        except RuntimeError:  # the marketplace shows no stock: the buyer leaves
            run.lost += 1


# --- measuring -----------------------------------------------------------------------------------------------------
def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)], 3)


def _measure(run: Run, sandbox: SandboxProcess, dump: str = "") -> dict[str, Any]:
    from types import SimpleNamespace

    control = sandbox.control
    raw = {"started": run.started, "ended": run.ended, "sales": control.sales(), "stock_updates": control.stock_updates(),
           "requests": control.requests()}
    if dump:
        with open(f"{dump}.{run.policy}.json", "w") as out:
            json.dump(raw, out)
    sales = [SimpleNamespace(**s) for s in raw["sales"] if run.started <= s["at"] <= run.ended + 1]
    stock_log = [SimpleNamespace(**r) for r in raw["stock_updates"]]
    requests = [SimpleNamespace(**r) for r in raw["requests"]]
    updates: dict[tuple[str, str], list] = {}
    for record in stock_log:
        if record.accepted and record.sent is not None:
            updates.setdefault((record.marketplace, record.offer_id), []).append(record)
    with organization_scope(run.org):
        available_after = {}
        for order_external_id, connection_id, on_hand, reserved in StockMovement.objects.filter(
            kind="reservation", order__isnull=False
        ).values_list("order__external_id", "order__connection_id", "on_hand_after", "reserved_after"):
            available_after[(connection_id, order_external_id)] = on_hand - reserved
        oversold_by = dict.fromkeys(MARKETPLACES, 0)
        for marketplace, line_quantity in Order.objects.filter(stock_state=StockState.OVERSOLD).values_list(
                "connection__marketplace", "lines__quantity"):
            oversold_by[marketplace] += line_quantity
        oversold_units = sum(oversold_by.values())
        orders = Order.objects.count()
        reservations = list(StockMovement.objects.filter(kind="reservation").values_list("variant__sku", "created_at"))
    connection_of = {mp: c.pk for mp, c in run.connections.items()}

    latencies, beyond, missing, scheduled = [], [], 0, 0
    per_marketplace: dict[str, list[float]] = {mp: [] for mp in MARKETPLACES}
    for sale in sales:
        after = available_after.get((connection_of[sale.marketplace], sale.order_id))
        if after is None:
            continue  # oversold or not ingested: no quantity to deliver
        worst = worst_beyond = 0.0
        for marketplace in MARKETPLACES:
            if marketplace == sale.marketplace:
                continue
            history = updates.get((marketplace, sale.offer_id), [])
            arrived = next((r for r in history if r.at >= sale.at and r.sent <= after), None)
            before = [r for r in history if r.at < sale.at]
            if arrived is None and before and before[-1].sent <= after:
                continue  # already showing no more than is left (units held back): nothing to deliver
            if arrived is None and run.full_push_every_s:
                # Not sent by the end of the run: the baseline sends it with its next full push, as scheduled.
                latency = run.full_push_every_s * (math.floor((sale.at - run.started) / run.full_push_every_s) + 1)
                latency -= sale.at - run.started
                scheduled += 1
                worst, worst_beyond = max(worst, latency), max(worst_beyond, latency)
                per_marketplace[marketplace].append(latency)
                continue
            if arrived is None:
                worst = None
                break
            latency = arrived.at - sale.at
            floor = 0.0
            if marketplace == "ozon":
                # The update that delivered the sale could not come sooner than 30 s after the one before it,
                # even if that one left a moment after the sale (computed before Okno knew of it).
                previous = [r.at for r in history if r.at < arrived.at]
                if previous:
                    floor = max(0.0, previous[-1] + OZON_PAIR_S - sale.at)
            worst = max(worst, latency)
            worst_beyond = max(worst_beyond, latency - floor)
            per_marketplace[marketplace].append(latency - floor)
        if worst is None:
            missing += 1
            continue
        latencies.append(worst)
        beyond.append(worst_beyond)

    stock_requests = http_429 = 0
    requests_by = dict.fromkeys(MARKETPLACES, 0)
    refusals_by: dict[str, int] = {}
    for request in requests:
        if not (run.started <= request.at <= run.ended + 60):
            continue
        method, path = STOCK_PATHS[request.marketplace]
        if request.method == method and path in request.path:
            stock_requests += 1
            requests_by[request.marketplace] += 1
        if request.rate_limited or request.status in (420, 429):
            http_429 += 1
            where = f"{request.marketplace} {request.method} {request.path.split('?')[0]}"
            refusals_by[where] = refusals_by.get(where, 0) + 1
    for record in stock_log:
        if not record.accepted and "TOO_MANY_REQUESTS" in (record.error or "") and run.started <= record.at <= run.ended + 60:
            http_429 += 1
            refusals_by["ozon item TOO_MANY_REQUESTS"] = refusals_by.get("ozon item TOO_MANY_REQUESTS", 0) + 1

    min_requests = 0
    windows: dict[int, set[str]] = {}
    for sku, created_at in reservations:
        at = created_at.timestamp()
        if run.started <= at <= run.ended + 60:
            windows.setdefault(int(at - run.started), set()).add(sku)
    for marketplace in MARKETPLACES:
        batch = connector_class(marketplace).stock_batch_size
        min_requests += sum(math.ceil(len(skus) / batch) for skus in windows.values())

    return {
        "p50_s": _percentile(latencies, 0.50),
        "p95_s": _percentile(latencies, 0.95),
        "p99_s": _percentile(latencies, 0.99),
        "p95_beyond_floor_s": _percentile(beyond, 0.95),
        "p99_beyond_floor_s": _percentile(beyond, 0.99),
        "oversold_per_1000": round(1000.0 * oversold_units / orders, 2) if orders else 0.0,
        "requests": stock_requests,
        "min_requests": min_requests,
        "http_429": http_429,
        "not_delivered": missing,
        "sent_by_next_full_push": scheduled,
        "lost_sales": run.lost,
        "mean_s": round(statistics.fmean(latencies), 3) if latencies else None,
        "p95_beyond_floor_by_marketplace": {mp: _percentile(v, 0.95) for mp, v in per_marketplace.items()},
        "requests_by_marketplace": requests_by,
        "oversold_units_by_marketplace": oversold_by,
        "rate_limit_refusals": refusals_by,
        "_orders": orders,
    }


def _cleanup(run: Run) -> None:
    if run.org is None:
        return
    connections.close_all()
    with transaction.atomic(), connections["default"].cursor() as cursor:
        # The ledger is append-only by trigger; a throwaway benchmark organization is the one exception.
        cursor.execute("ALTER TABLE inventory_stockmovement DISABLE TRIGGER inventory_stockmovement_append_only")
        try:
            _delete_org(run.org.pk)
        finally:
            cursor.execute("ALTER TABLE inventory_stockmovement ENABLE TRIGGER inventory_stockmovement_append_only")


def _delete_org(organization_id: int) -> None:
    from django.apps import apps

    # Children before parents; every tenant table has organization_id.
    order = ["inventory.DriftRecord", "inventory.PushedStock", "inventory.StockMovement", "inventory.StockLevel",
             "inventory.ChannelStockPolicy", "orders.BatchItem", "orders.Box", "orders.Document", "orders.PickBatch",
             "returns.Claim", "returns.ReturnLine", "returns.Return", "orders.OrderEvent", "orders.OrderLine",
             "orders.Order", "connectors.IngestError", "connectors.JobState", "connectors.WarehouseLink",
             "catalog.Listing", "catalog.Barcode", "catalog.KitComponent", "inventory.Location", "catalog.Variant",
             "catalog.Product", "inventory.Warehouse", "connectors.Connection"]
    for label in order:
        apps.get_model(label).all_tenants.filter(organization_id=organization_id)._raw_delete("default")
    Organization.objects.filter(pk=organization_id).delete()
