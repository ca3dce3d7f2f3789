"""What the push sends besides the plain ledger quantity: units held back from fast sellers where Okno cannot take
them back in time, and increases that wait to share a request with the next decrease."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from catalog.models import Listing
from connectors.push import poisson_quantile, push_dirty
from connectors.services import run_job
from inventory import services as stock


def sell(market, marketplace, variant, quantity=1):
    seller = f"okno-{market.connections[marketplace].pk}"
    return market.controls[marketplace].place_order(seller, [{"offer_id": variant.sku, "quantity": quantity}])


def poll_and_push(market):
    for connection in market.connections.values():
        run_job(connection, "orders")
    return {mp: push_dirty(connection) for mp, connection in market.connections.items()}


def listed(variant, ago: timedelta) -> None:
    Listing.objects.filter(variant=variant).update(created_at=timezone.now() - ago)


@pytest.mark.parametrize(("mean", "confidence", "units"), [
    (0.0, 0.95, 0), (0.02, 0.95, 0), (0.06, 0.95, 1), (0.5, 0.9, 1), (0.5, 0.95, 2), (3.0, 0.95, 6), (1.0, 0.0, 0),
])
def test_units_held_back_are_the_demand_quantile(mean, confidence, units):
    assert poisson_quantile(mean, confidence) == units


def test_an_item_selling_fast_is_not_offered_where_its_stock_stays_frozen_for_30_s(market):
    variant = market.variants[0]  # 3 in stock
    listed(variant, timedelta(minutes=1))  # one sale within a minute of listing: about one a minute

    sell(market, "wb", variant)
    reports = poll_and_push(market)

    # Ozon would show the two units left for 30 s whatever sells elsewhere meanwhile: at a sale a minute both are
    # likely gone by then. Marketplaces updated within seconds get both.
    assert market.shown("ozon", variant) == 0
    for marketplace in ("wb", "yandex_market", "aliexpress"):
        assert market.shown(marketplace, variant) == 2, marketplace
    assert reports["ozon"].held_back == 1
    recheck = market.listing("ozon", variant).stock_recheck_at
    assert recheck is not None and timedelta(seconds=25) < recheck - timezone.now() <= timedelta(seconds=30)


def test_a_slow_seller_keeps_every_unit_on_show(market):
    variant = market.variants[0]  # 3 in stock, listed a day ago
    sell(market, "wb", variant)
    poll_and_push(market)
    for marketplace in ("wb", "ozon", "yandex_market", "aliexpress"):
        assert market.shown(marketplace, variant) == 2, marketplace
    assert market.listing("ozon", variant).stock_recheck_at is None


def test_held_back_units_return_when_the_item_slows_down(market):
    variant = market.variants[1]  # 5 in stock
    listed(variant, timedelta(seconds=5))  # just listed and already sold: a rush
    sell(market, "yandex_market", variant)
    poll_and_push(market)
    assert market.shown("wb", variant) == 3  # 4 left, one held back for the seconds the next update needs
    listing = market.listing("wb", variant)
    assert listing.stock_dirty_at is None and listing.stock_recheck_at is not None

    # An hour of quiet later the same single sale is a slow rate; the re-check is due and gives the unit back.
    listed(variant, timedelta(hours=1))
    Listing.objects.filter(pk=listing.pk).update(stock_recheck_at=timezone.now() - timedelta(seconds=1))
    push_dirty(market.connections["wb"])

    assert market.shown("wb", variant) == 4
    assert market.listing("wb", variant).stock_recheck_at is None


@override_settings(OKNO_PUSH_INCREASE_DELAY_S=5.0)
def test_an_increase_waits_for_the_next_decrease_and_shares_its_request(market):
    wb = market.connections["wb"]
    grown, sold = market.variants[0], market.variants[1]
    Listing.objects.filter(connection=wb).update(stock_dirty_at=timezone.now())
    push_dirty(wb)  # what WB shows is now what Okno pushed
    stock.receive(variant=grown, warehouse=market.warehouse, quantity=4)

    waiting = push_dirty(wb)
    assert waiting.requests == 0 and waiting.waiting_increases == 1
    assert 4 < waiting.next_due_s <= 5
    assert market.shown("wb", grown) == 3

    sell(market, "ozon", sold)
    run_job(market.connections["ozon"], "orders")
    report = push_dirty(wb)

    assert report.requests == 1 and report.sent == 2
    assert market.shown("wb", sold) == 4
    assert market.shown("wb", grown) == 7


@override_settings(OKNO_PUSH_INCREASE_DELAY_S=5.0)
def test_an_increase_goes_alone_once_it_waited_long_enough(market):
    wb = market.connections["wb"]
    variant = market.variants[0]
    Listing.objects.filter(connection=wb).update(stock_dirty_at=timezone.now())
    push_dirty(wb)
    stock.receive(variant=variant, warehouse=market.warehouse, quantity=2)
    assert push_dirty(wb).requests == 0
    Listing.objects.filter(connection=wb, variant=variant).update(stock_dirty_at=timezone.now() - timedelta(seconds=6))

    report = push_dirty(wb)

    assert report.requests == 1
    assert market.shown("wb", variant) == 5
