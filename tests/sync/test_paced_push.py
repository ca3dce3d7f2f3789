"""The dispatcher as it runs in production: a real Celery worker (threads, Redis broker) woken by committed sales."""

from __future__ import annotations

import itertools
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.test import override_settings

from catalog.models import Listing
from connectors.services import run_job
from oms.celery import app
from oms.tenancy import organization_scope
from tests.sync.conftest import build_market

STOCK_UPDATE = ("PUT", "/offers/stocks")  # Yandex Market's


@pytest.fixture
def worker():
    """Okno's push queue served by a worker thread; tasks go through Redis as in production (under this test
    process's own key prefix, see oms.test_settings)."""
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="threads", concurrency=4, perform_ping_check=False, queues=["push"],
                          shutdown_timeout=30):
            yield
    finally:
        app.conf.task_always_eager = True


def stock_updates(market) -> list[float]:
    method, path = STOCK_UPDATE
    return [r["at"] for r in market.controls["yandex_market"].requests(marketplace="yandex_market")
            if r["method"] == method and path in r["path"]]


def wait_until_pushed(deadline_s: float = 20) -> None:
    deadline = time.monotonic() + deadline_s
    while Listing.objects.filter(stock_dirty_at__isnull=False).exists():
        assert time.monotonic() < deadline, "the dispatcher left changes unpushed"
        time.sleep(0.1)


@pytest.mark.django_db(transaction=True)
@override_settings(OKNO_PUSH_ON_COMMIT=True)
def test_a_burst_of_sales_reaches_the_other_marketplace_in_at_most_one_request_per_second(sandbox, worker):
    from tests.factories import OrganizationFactory

    org = OrganizationFactory()
    with organization_scope(org):
        market = build_market(sandbox, org, stock_per_variant=(4,) * 8, marketplaces=("wb", "yandex_market"))
        before = len(stock_updates(market))
        seller = f"okno-{market.connections['wb'].pk}"
        for variant in market.variants:
            market.controls["wb"].place_order(seller, [{"offer_id": variant.sku, "quantity": 1}])

        started = time.time()
        run_job(market.connections["wb"], "orders")  # eight sales, eight commits, each waking the dispatcher
        wait_until_pushed()

        for variant in market.variants:
            assert market.shown("yandex_market", variant) == 3
        sent = stock_updates(market)[before:]
        # Eight wake-ups within the ingest: one request now, the rest (if the first one left any) one interval later.
        # Pushes start an interval apart; their requests leave after computing the quantities, which takes a varying
        # fraction of a second.
        assert 1 <= len(sent) <= 2, sent
        assert all(b - a >= settings.OKNO_PUSH_INTERVAL_S - 0.3 for a, b in itertools.pairwise(sent)), sent
        assert sent[0] - started < 3
