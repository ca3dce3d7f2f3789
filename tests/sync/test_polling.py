"""Polling every second stays cheap: the second read of a long list of open orders asks only for what changed."""

from __future__ import annotations

import time

from connectors.models import JobState
from connectors.services import run_job
from orders.models import Order
from tests.sync.conftest import build_market

ORDER_LIST = "/seller-api/v1/order/get-order-list"


def order_list_requests(market, since: int) -> int:
    log = market.controls["aliexpress"].requests(marketplace="aliexpress")[since:]
    return sum(1 for r in log if r["path"].startswith(ORDER_LIST))


def log_length(market) -> int:
    return len(market.controls["aliexpress"].requests(marketplace="aliexpress"))


def test_a_poll_seconds_after_the_last_reads_only_orders_changed_since(sandbox, in_org):
    market = build_market(sandbox, in_org, stock_per_variant=(60,), marketplaces=("aliexpress",))
    connection, variant = market.connections["aliexpress"], market.variants[0]
    seller = f"okno-{connection.pk}"
    # No clock overlap: the test's orders are seconds apart, not the minutes a real overlap covers.
    connection.options = {**connection.options, "scan_overlap_s": 0}
    connection.save()
    for _ in range(45):  # more than two pages of twenty orders waiting to ship
        market.controls["aliexpress"].place_order(seller, [{"offer_id": variant.sku, "quantity": 1}])
    time.sleep(1.1)  # the marketplace stamps updates to the second
    first = log_length(market)
    run_job(connection, "orders")
    assert Order.objects.count() == 45
    assert order_list_requests(market, first) >= 3  # every page of open orders (and the changed-orders scan)

    market.controls["aliexpress"].place_order(seller, [{"offer_id": variant.sku, "quantity": 1}])
    second = log_length(market)
    run_job(connection, "orders")

    assert Order.objects.count() == 46
    assert order_list_requests(market, second) == 1  # one page: what changed since the last read

    # Every half minute the whole list is read again: an order the short reads missed is still found.
    state = JobState.objects.get(connection=connection, job="orders")
    state.cursor = {**state.cursor, "_new_full_at": 0}
    state.save()
    third = log_length(market)
    run_job(connection, "orders")
    assert order_list_requests(market, third) >= 3
