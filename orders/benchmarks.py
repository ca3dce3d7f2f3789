"""Benchmarks of the fulfilment documents (``python manage.py benchmark documents``).

``documents``: a throwaway organization with N open FBS orders spread over the four marketplaces (placed by buyers
in an in-process sandbox, recorded in Okno with bulk inserts), grouped into pick batches (one per connection: same
warehouse, same cut-off day); then timed: the pick list PDFs, and the marketplace labels fetched from the sandbox
over HTTP and merged into 58×40 mm PDFs. Before the labels, each marketplace is brought to the state where it
prints them (WB: tasks in a supply; Ozon: postings assembled; AliExpress: shipments created; Yandex Market:
nothing), as the packing step does — that part is set-up, not timed. Everything the run created is dropped after.
"""

from __future__ import annotations

import base64
import json
import random
import time
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.files.storage import default_storage
from django.db import connection as db
from django.db import transaction
from django.utils import timezone

from catalog.choices import BarcodeKind
from catalog.models import Barcode, Product, Variant
from connectors.models import Connection, WarehouseLink
from connectors.registry import connector_for
from inventory.models import Location, StockLevel, Warehouse
from oms.models import Organization
from oms.tenancy import TenantModel, organization_scope
from orders import batches
from orders.choices import OrderStatus, Scheme
from orders.documents.barcodes import ean13_check_digit
from orders.documents.labels import fetch_labels
from orders.documents.pick_list import render_pick_list
from orders.models import Document, Order, OrderLine

MARKETPLACES = ("wb", "ozon", "yandex_market", "aliexpress")
SELLER_WAREHOUSE = {"wb": "1098342", "ozon": "1020001239876000", "yandex_market": "50101", "aliexpress": "ae-main"}
VARIANTS = 200
# A 1×1 PNG product photo: the pick list embeds one per line, as with a real catalogue of local images.
PHOTO = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
TITLES = ("Футболка хлопковая", "Кружка керамическая", "Носки набор 5 пар", "Худи оверсайз", "Плед флисовый",
          "Чехол для телефона", "Полотенце махровое", "Свеча ароматическая")


def documents(options: dict[str, Any]) -> dict[str, Any]:
    from connectors.sandbox.server import Sandbox

    total = int(options.get("orders") or 500)
    rnd = random.Random(int(options.get("seed") or 7))
    sandbox = Sandbox().start()
    organization = Organization.objects.create(name=f"Benchmark documents {uuid.uuid4().hex[:12]}",
                                               slug=f"bench-docs-{uuid.uuid4().hex[:12]}")
    rows: list[tuple[str, Any]] = []
    try:
        with organization_scope(organization):
            started = time.perf_counter()
            warehouse, variants = _catalogue(organization, rnd)
            connections = {mp: _shop(mp, sandbox, organization, warehouse, variants) for mp in MARKETPLACES}
            placed = _orders(total, connections, sandbox, organization, warehouse, variants, rnd)
            made = batches.auto_group()
            _prepare_labels(made)
            rows.append(("set-up (catalogue, sandbox orders, batches, marketplace prep), s",
                         round(time.perf_counter() - started, 2)))

            started, cpu = time.perf_counter(), time.process_time()
            pick_lists = [render_pick_list(batch) for batch in made]
            pick_list_s = time.perf_counter() - started
            rows.append(("pick lists: process CPU, s", round(time.process_time() - cpu, 2)))

            started, cpu = time.perf_counter(), time.process_time()
            labels = [fetch_labels(batch, size=(58, 40)) for batch in made]
            labels_s = time.perf_counter() - started
            # The sandbox serves from threads of this process: its CPU is in this figure too.
            rows.append(("labels: process CPU (sandbox included), s", round(time.process_time() - cpu, 2)))

            for batch, pick_list, label in zip(made, pick_lists, labels, strict=True):
                rows.append((f"batch {batch.number} {batch.connection.marketplace}: orders / pick list pages / "
                             f"label pages / refused labels",
                             f"{batches.batch_items(batch).count()} / {pick_list.pages} / "
                             f"{label.document.pages if label.document else 0} / {len(label.failed)}"))
            pages = sum(d.pages or 0 for d in pick_lists) + sum(r.document.pages for r in labels if r.document)
    finally:
        drop_organization(organization)
        sandbox.stop()
    return {
        "benchmark": "documents", "orders": placed, "pick_list_s": round(pick_list_s, 3),
        "labels_s": round(labels_s, 3), "pages": pages, "_rows": rows,
    }


# --- set-up ---------------------------------------------------------------------------------------------------


def _catalogue(organization: Organization, rnd: random.Random) -> tuple[Warehouse, list[Variant]]:
    org = organization.pk
    warehouse = Warehouse.objects.create(name="Склад Подольск", code="BENCH")
    bins = Location.objects.bulk_create(
        Location(organization_id=org, warehouse=warehouse, code=f"A-{aisle:02d}-{rack:02d}-{shelf}", zone="A",
                 aisle=str(aisle), rack=f"{rack:02d}", shelf=str(shelf))
        for aisle in range(1, 9) for rack in range(1, 11) for shelf in range(1, 4)
    )
    products = Product.objects.bulk_create(
        Product(organization_id=org, title=f"{TITLES[n % len(TITLES)]} №{n + 1}", images=[PHOTO])
        for n in range(VARIANTS // 2)
    )
    variants = Variant.objects.bulk_create(
        Variant(organization_id=org, product=products[n // 2], sku=f"BN-{n + 1:04d}", size=("M", "L")[n % 2],
                price=Decimal("990.00"))
        for n in range(VARIANTS)
    )
    Barcode.objects.bulk_create(
        Barcode(organization_id=org, variant=v, value=(code := f"2{n:011d}") + ean13_check_digit(code),
                kind=BarcodeKind.EAN13)
        for n, v in enumerate(variants)
    )
    # Zero stock keeps StockLevel equal to the (empty) ledger; the row carries the variant's bin.
    StockLevel.objects.bulk_create(
        StockLevel(organization_id=org, variant=v, warehouse=warehouse, location=rnd.choice(bins)) for v in variants
    )
    return warehouse, variants


def _wb_token(seller: str) -> str:
    """Shaped like a WB personal token (JWT with every category); the sandbox does not check the signature."""

    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    claims = {"acc": 3, "for": "self", "id": f"token-{seller}", "s": 0b10000011011, "sid": f"sid-{seller}",
              "t": False, "exp": int(time.time()) + 86400}
    return f"{part({'alg': 'ES256', 'kid': '1', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


def _shop(marketplace: str, sandbox, organization: Organization, warehouse: Warehouse,
          variants: list[Variant]) -> Connection:
    from connectors.sandbox.client import SandboxControl

    seller_id = f"bench-{marketplace}-{uuid.uuid4().hex[:8]}"
    credentials = {
        "wb": {"token": _wb_token(seller_id)},
        "ozon": {"client_id": str(uuid.uuid4().int % 10**9), "api_key": f"key-{seller_id}"},
        "yandex_market": {"api_key": f"key-{seller_id}"},
        "aliexpress": {"token": f"token-{seller_id}"},
    }[marketplace]
    where = SELLER_WAREHOUSE[marketplace]
    control = SandboxControl(sandbox.url(marketplace))
    try:
        seller = control.create_seller({
            "id": seller_id, "credentials": credentials, "account": {"rate_limits": False},
            "warehouses": [{"id": where, "name": warehouse.name}],
            "products": [{"offer_id": v.sku, "name": v.sku, "price": "990", "stocks": {where: 100_000}}
                         for v in variants],
        })
    finally:
        control.client.close()
    options = {}
    if marketplace == "yandex_market":
        options = {"business_id": seller["account"]["business_id"], "campaign_id": seller["account"]["campaign_id"]}
    connection = Connection.objects.create(marketplace=marketplace, name=seller_id, credentials=credentials,
                                           base_url=sandbox.url(marketplace), options=options)
    WarehouseLink.objects.create(connection=connection, warehouse=warehouse, external_id=where)
    connection.seller_id = seller_id
    return connection


def _orders(total: int, connections: dict[str, Connection], sandbox, organization: Organization,
            warehouse: Warehouse, variants: list[Variant], rnd: random.Random) -> int:
    """Buyers order in the sandbox (control API); Okno records the orders with bulk inserts."""
    from connectors.sandbox.client import SandboxControl

    now = timezone.now()
    ship_by = now.replace(hour=15, minute=0, second=0, microsecond=0) + timedelta(days=1)
    orders: list[Order] = []
    lines: list[tuple[int, list[Variant]]] = []
    for index, marketplace in enumerate(MARKETPLACES):
        share = total // len(MARKETPLACES) + (1 if index < total % len(MARKETPLACES) else 0)
        connection = connections[marketplace]
        control = SandboxControl(sandbox.url(marketplace))
        try:
            for _ in range(share):
                # WB splits a basket into one assembly task per unit: one unit per WB order keeps ids 1:1.
                picked = rnd.sample(variants, 1 if marketplace == "wb" else rnd.choice((1, 1, 2, 3)))
                placed = control.place_order(connection.seller_id, [{"offer_id": v.sku, "quantity": 1}
                                                                     for v in picked],
                                             warehouse_id=SELLER_WAREHOUSE[marketplace])[0]
                orders.append(Order(
                    organization_id=organization.pk, connection=connection, external_id=str(placed["id"]),
                    number=str(placed["id"]), scheme=Scheme.FBS, status=OrderStatus.NEW, warehouse=warehouse,
                    buyer_name="Покупатель", ordered_at=now, ship_by=ship_by, items_total=Decimal(990 * len(picked)),
                    total=Decimal(990 * len(picked)),
                ))
                lines.append((len(orders) - 1, picked))
        finally:
            control.client.close()
    with transaction.atomic():
        Order.objects.bulk_create(orders, batch_size=1000)
        OrderLine.objects.bulk_create(
            (OrderLine(organization_id=organization.pk, order=orders[i], variant=v, sku=v.sku, offer_id=v.sku,
                       name=v.sku, quantity=1, price=Decimal("990.00"), total=Decimal("990.00"))
             for i, picked in lines for v in picked),
            batch_size=1000,
        )
    return len(orders)


def _prepare_labels(made: list) -> None:
    """Bring each marketplace to the state where it prints labels, as packing does (not part of the timing)."""
    for batch in made:
        connector = connector_for(batch.connection)
        ids = list(batches.batch_items(batch).values_list("order__external_id", flat=True))
        marketplace = batch.connection.marketplace
        try:
            if marketplace == "wb":
                connector.confirm_orders(ids)
            elif marketplace == "ozon":
                connector.ship_orders(ids)
            elif marketplace == "aliexpress":
                connector.ship_orders(ids, options={"handover": False})
        finally:
            connector.http.close()


# --- clean-up -------------------------------------------------------------------------------------------------


def drop_organization(organization: Organization) -> None:
    """Delete every row of the organization and its files. Tenant tables are emptied by organization id in one
    transaction (foreign keys are checked at commit, so the order of tables does not matter), then the
    organization itself goes through the ORM (memberships and the like cascade)."""
    for name in Document.all_tenants.filter(organization=organization).values_list("file", flat=True):
        if name:
            default_storage.delete(name)
    tables = [m._meta.db_table for m in apps.get_models() if issubclass(m, TenantModel) and not m._meta.proxy]
    quote = db.ops.quote_name
    with transaction.atomic(), db.cursor() as cursor:
        for table in dict.fromkeys(tables):
            cursor.execute(f"DELETE FROM {quote(table)} WHERE organization_id = %s", [organization.pk])  # noqa: S608
        Organization.objects.filter(pk=organization.pk).delete()


# --- orders_screen ------------------------------------------------------------------------------------------------


def orders_screen(options: dict[str, Any]) -> dict[str, Any]:
    """``python manage.py benchmark orders_screen [--orders N] [--requests R]``: the Заказы к отгрузке screen with
    N open orders (100,000 by default) across four connections. The filtered first page is rendered through the
    Django test client as a logged-in owner, R times (50) spread over a few filter combinations, after one untimed
    warm-up each. Everything the run created is dropped after."""
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    from oms.choices import Role
    from oms.models import Membership, User

    total = int(options.get("orders") or 100_000)
    requests = int(options.get("requests") or 50)
    rnd = random.Random(int(options.get("seed") or 11))
    organization = Organization.objects.create(name=f"Benchmark orders screen {uuid.uuid4().hex[:12]}",
                                               slug=f"bench-screen-{uuid.uuid4().hex[:12]}")
    user = User.objects.create_user(f"bench-{uuid.uuid4().hex[:12]}@okno.invalid", password=uuid.uuid4().hex)
    Membership.objects.create(user=user, organization=organization, role=Role.OWNER)
    rows: list[tuple[str, Any]] = []
    timings: list[float] = []
    try:
        with organization_scope(organization):
            started = time.perf_counter()
            combos = _screen_data(organization, total, rnd)
            rows.append(("set-up (bulk inserts, ANALYZE), s", round(time.perf_counter() - started, 1)))
        url = reverse("orders:order_list")
        client = Client()
        client.force_login(user)
        with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False):
            for index, (label, params) in enumerate(combos):
                response = client.get(url, params)  # warm-up: connection, template and plan caches
                if response.status_code != 200:
                    raise RuntimeError(f"{label}: HTTP {response.status_code}")
                shown = response.content.count(b"data-order=")
                samples = []
                for _repeat in range(requests // len(combos) + (1 if index < requests % len(combos) else 0)):
                    started = time.perf_counter()
                    client.get(url, params)
                    samples.append((time.perf_counter() - started) * 1000)
                timings += samples
                rows.append((f"{label}: rows on page / p50 / p95 ms", f"{shown} / {_percentile(samples, 50):.1f} / "
                                                                      f"{_percentile(samples, 95):.1f}"))
        client.logout()
    finally:
        drop_organization(organization)
        user.delete()
    return {
        "benchmark": "orders_screen", "open_orders": total, "p50_ms": round(_percentile(timings, 50), 1),
        "p95_ms": round(_percentile(timings, 95), 1), "_rows": rows,
    }


def _percentile(samples: list[float], percent: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return 0.0
    rank = max(0, min(len(ordered) - 1, round(percent / 100 * len(ordered) + 0.5) - 1))  # nearest-rank
    return ordered[rank]


SCREEN_BUYERS = ("Иванов Иван", "Петрова Анна", "Сидоров Пётр", "Кузнецова Мария", "Смирнов Алексей",
                 "Попова Ольга", "Васильев Дмитрий", "Соколова Елена", "Михайлов Сергей", "Новикова Татьяна")
SCREEN_CITIES = ("Москва, ул. Тверская, д. 7", "Санкт-Петербург, Невский пр., д. 28", "Казань, ул. Баумана, д. 5",
                 "Екатеринбург, ул. Ленина, д. 24", "Новосибирск, Красный пр., д. 17")


def _screen_data(organization: Organization, total: int, rnd: random.Random) -> list[tuple[str, dict]]:
    """N open orders with 1–3 lines over 4 connections and 2 warehouses, bulk-inserted in chunks; some in batches.
    Returns the filter combinations to time (label, GET parameters)."""
    from orders.choices import OPEN_STATUSES, PaymentStatus, StockState
    from orders.models import BatchItem, PickBatch

    org = organization.pk
    warehouses = [Warehouse.objects.create(name=name, code=code) for name, code in
                  (("Склад Подольск", "POD"), ("Склад Казань", "KZN"))]
    products = Product.objects.bulk_create(
        Product(organization_id=org, title=f"{TITLES[n % len(TITLES)]} №{n + 1}") for n in range(VARIANTS // 2))
    variants = Variant.objects.bulk_create(
        Variant(organization_id=org, product=products[n // 2], sku=f"SCR-{n + 1:04d}", size=("M", "L")[n % 2])
        for n in range(VARIANTS))
    Barcode.objects.bulk_create(
        Barcode(organization_id=org, variant=v, value=(code := f"29{n:010d}") + ean13_check_digit(code),
                kind=BarcodeKind.EAN13) for n, v in enumerate(variants))
    connections = [Connection.objects.create(marketplace=mp, name=f"Бенчмарк {mp}", credentials={"token": "x"},
                                             base_url="http://127.0.0.1:9") for mp in MARKETPLACES]
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    statuses = list(OPEN_STATUSES)
    chunk = 5000
    numbers = []
    for start in range(0, total, chunk):
        orders = []
        for n in range(start, min(total, start + chunk)):
            connection = connections[n % len(connections)]
            status = rnd.choices(statuses, weights=(40, 30, 20, 10))[0]
            number = f"{connection.marketplace[:2].upper()}-{7_000_000 + n}"
            orders.append(Order(
                organization_id=org, connection=connection, external_id=str(7_000_000 + n), number=number,
                scheme=Scheme.DBS if n % 10 == 0 else Scheme.FBS, status=status, marketplace_status="awaiting",
                stock_state=StockState.OVERSOLD if n % 50 == 0 else StockState.RESERVED,
                warehouse=warehouses[n % 3 == 0], buyer_name=rnd.choice(SCREEN_BUYERS),
                payment_status=rnd.choice((PaymentStatus.PREPAID, PaymentStatus.POSTPAID)),
                delivery_address=rnd.choice(SCREEN_CITIES), ordered_at=now - timedelta(minutes=rnd.randint(0, 4320)),
                ship_by=now + timedelta(hours=rnd.randint(-24, 96)), items_total=Decimal("990.00"),
                total=Decimal("990.00"),
            ))
        with transaction.atomic():
            Order.objects.bulk_create(orders, batch_size=chunk)
            OrderLine.objects.bulk_create(
                (OrderLine(organization_id=org, order=order, variant=v, sku=v.sku, offer_id=v.sku, name=v.sku,
                           quantity=rnd.choice((1, 1, 1, 2)), price=Decimal("990.00"), total=Decimal("990.00"))
                 for order in orders for v in rnd.sample(variants, rnd.choice((1, 1, 2, 3)))),
                batch_size=chunk,
            )
        numbers.append(orders[len(orders) // 2].number)
    # A few batches, so the screen's batch column has something to show.
    batchable = list(Order.objects.filter(connection=connections[0], warehouse=warehouses[0], status="new")
                     .order_by("ship_by").values_list("pk", flat=True)[:1000])
    for index in range(0, len(batchable), 100):
        batch = PickBatch.objects.create(number=index // 100 + 1, connection=connections[0], warehouse=warehouses[0])
        BatchItem.objects.bulk_create(BatchItem(organization_id=org, batch=batch, order_id=pk)
                                      for pk in batchable[index:index + 100])
    with db.cursor() as cursor:  # production tables have statistics; fresh bulk inserts do not yet
        for model in (Order, OrderLine, BatchItem, Variant, Barcode):
            cursor.execute(f"ANALYZE {db.ops.quote_name(model._meta.db_table)}")
    return [
        ("all open, by ship-by", {}),
        ("marketplace WB", {"marketplace": "wb"}),
        ("due today", {"deadline": "today"}),
        ("overdue", {"deadline": "overdue"}),
        ("new at one warehouse, by number", {"status": "new", "warehouse": warehouses[1].pk, "sort": "number"}),
        ("connection, newest first", {"connection": connections[2].pk, "sort": "-ordered"}),
        ("search: order number", {"q": rnd.choice(numbers)}),
        ("search: SKU", {"q": variants[17].sku}),
        ("search: barcode", {"q": Barcode.objects.get(variant=variants[42]).value}),
        ("search: buyer", {"q": "Петрова"}),
    ]
