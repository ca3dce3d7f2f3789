"""Marketplaces fail, throttle, time out, repeat and reorder; Okno loses nothing, doubles nothing, converges."""

from __future__ import annotations

import multiprocessing
import time

import pytest
from django.db import connections

from connectors.models import Connection
from connectors.push import push_dirty
from connectors.services import run_job
from inventory.models import StockLevel, StockMovement
from oms.tenancy import organization_scope
from orders.models import Order
from tests.sync.conftest import ACCOUNTS, build_market

FAULTS = {"error_rate": 0.1, "rate_limit_rate": 0.05, "timeout_rate": 0.05, "timeout_s": 0.3,
          "duplicate_rate": 0.3, "reorder": True}


def seller_id(market, marketplace):
    return f"okno-{market.connections[marketplace].pk}"


def sandbox_order_ids(market, marketplace) -> set[str]:
    return {o["id"] for o in market.controls[marketplace].orders(seller_id(market, marketplace))}


def test_with_a_fifth_of_answers_failing_no_order_is_lost_or_duplicated(sandbox, in_org):
    market = build_market(sandbox, in_org, stock_per_variant=(40, 40, 40))
    for marketplace in ACCOUNTS:
        for variant in market.variants:
            market.controls[marketplace].place_order(seller_id(market, marketplace),
                                                     [{"offer_id": variant.sku, "quantity": 1}])
    market.controls["wb"].set_faults(marketplaces=list(ACCOUNTS), **FAULTS)

    for _round in range(4):
        for connection in market.connections.values():
            run_job(connection, "orders")  # errors are recorded on the connection, never raised
    market.controls["wb"].clear_faults()
    for connection in market.connections.values():
        run_job(connection, "orders")

    for marketplace, connection in market.connections.items():
        okno = set(Order.objects.filter(connection=connection).values_list("external_id", flat=True))
        assert okno == sandbox_order_ids(market, marketplace), marketplace
    reservations = StockMovement.objects.filter(kind="reservation")
    assert reservations.count() == Order.objects.count() == 12
    assert sorted(StockLevel.objects.values_list("reserved", flat=True)) == [4, 4, 4]


def test_every_marketplace_converges_to_the_right_quantity_after_faults_stop(sandbox, in_org):
    # One sale per item: slow sellers, so no units are held back from Ozon for its 30-second window.
    market = build_market(sandbox, in_org, stock_per_variant=(6, 6, 6, 6))
    market.controls["wb"].set_faults(marketplaces=list(ACCOUNTS), error_rate=0.1, rate_limit_rate=0.05,
                                     timeout_rate=0.05, timeout_s=0.3)
    for index, marketplace in enumerate(ACCOUNTS):
        market.controls[marketplace].place_order(seller_id(market, marketplace),
                                                 [{"offer_id": market.variants[index].sku, "quantity": 1}])
    for _round in range(3):
        for connection in market.connections.values():
            run_job(connection, "orders")
            push_dirty(connection)
    market.controls["wb"].clear_faults()
    for connection in market.connections.values():
        run_job(connection, "orders")

    # Ozon accepts one update per item and warehouse every 30 s, and AliExpress asks for 60 s after a 429 that names
    # no wait: keep pushing until every marketplace's window has opened.
    deadline = time.monotonic() + 75
    expected = {v.pk: StockLevel.objects.get(variant=v).available for v in market.variants}
    while True:
        for connection in market.connections.values():
            push_dirty(connection)
        shown = {(mp, v.pk): market.shown(mp, v) for mp in ACCOUNTS for v in market.variants}
        if all(quantity == expected[variant_id] for (_mp, variant_id), quantity in shown.items()):
            break
        assert time.monotonic() < deadline, f"not converged: {shown} != {expected}"
        time.sleep(1)
    assert sorted(expected.values()) == [5, 5, 5, 5]


def _push_in_child(connection_id: int, organization_id: int) -> None:
    with organization_scope(organization_id):
        push_dirty(Connection.objects.get(pk=connection_id))


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_push_leaves_the_change_to_be_pushed_again(sandbox):
    from tests.factories import OrganizationFactory

    org = OrganizationFactory()
    with organization_scope(org):
        market = build_market(sandbox, org, stock_per_variant=(5,), marketplaces=("wb",))
        variant = market.variants[0]
        market.controls["wb"].place_order(seller_id(market, "wb"), [{"offer_id": variant.sku, "quantity": 2}])
        run_job(market.connections["wb"], "orders")
        assert market.listing("wb", variant).stock_dirty_at is not None

        market.controls["wb"].set_faults(slow_rate=1.0, slow_s=3.0)  # the push hangs in flight…
        connections.close_all()  # a forked child must open its own database connection, not share ours
        child = multiprocessing.get_context("fork").Process(
            target=_push_in_child, args=(market.connections["wb"].pk, org.pk))
        child.start()
        time.sleep(1.0)
        child.kill()  # …and the worker dies
        child.join(5)
        market.controls["wb"].clear_faults()

        assert market.listing("wb", variant).stock_dirty_at is not None, "the change must survive the dead worker"
        report = push_dirty(market.connections["wb"])
        assert report.accepted == 1
        assert market.listing("wb", variant).stock_dirty_at is None
        assert market.shown("wb", variant) == 3
