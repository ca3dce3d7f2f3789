"""The stock screen shows, per connection, what a real push told each sandbox marketplace, how long ago, and
in which state: pushed, verified, waiting, deferred by Ozon's window, refused, drifting."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.utils import timezone

from catalog.models import Listing
from connectors.push import push_dirty, verify_pushed
from inventory import services
from inventory.models import PushedStock
from tests.factories import VariantFactory
from tests.stock_screen.conftest import cell_html, poll, push, row_html, sell, stock_screen


def test_every_channel_shows_the_quantity_a_real_push_sent(page, market):
    variant = market.variants[0]  # 3 in stock
    sell(market, "ozon", variant)
    poll(market)
    push(market)

    row = row_html(stock_screen(page), variant.sku, market.warehouse)

    for marketplace, connection in market.connections.items():
        cell = cell_html(row, connection)
        assert 'data-state="pushed"' in cell, marketplace
        assert '<span class="qty">2</span>' in cell, marketplace
        assert market.shown(marketplace, variant) == 2


def test_a_channels_age_counts_from_the_moment_of_its_push(page, market):
    variant = market.variants[0]
    sell(market, "wb", variant)
    poll(market)
    push(market, "wb")
    pushed_at = PushedStock.objects.get(listing__connection=market.connections["wb"], listing__variant=variant).pushed_at

    with time_machine.travel(pushed_at + timedelta(seconds=3, milliseconds=200), tick=False):
        three_seconds = cell_html(row_html(stock_screen(page), variant.sku), market.connections["wb"])
    with time_machine.travel(pushed_at + timedelta(seconds=125), tick=False):
        two_minutes = cell_html(row_html(stock_screen(page), variant.sku), market.connections["wb"])

    assert "3 s ago" in three_seconds
    assert "2 min ago" in two_minutes


def test_a_sale_waits_for_the_push_and_shows_the_new_quantity_after_it(page, market):
    variant = market.variants[1]  # 5 in stock
    push_everything(market)
    sell(market, "yandex_market", variant, quantity=2)
    poll(market, "yandex_market")

    waiting = row_html(stock_screen(page), variant.sku)
    push(market)
    pushed = row_html(stock_screen(page), variant.sku)

    for marketplace in ("wb", "yandex_market", "aliexpress"):  # Ozon's window is still closed: see below
        connection = market.connections[marketplace]
        assert 'data-state="waiting"' in cell_html(waiting, connection)
        assert '<span class="qty">5</span>' in cell_html(waiting, connection)  # still the last quantity sent
        assert '<span class="qty">3</span>' in cell_html(pushed, connection)


def test_reading_back_marks_every_channel_verified(page, market):
    variant = market.variants[0]
    sell(market, "aliexpress", variant)
    poll(market)
    push(market)
    for connection in market.connections.values():
        verify_pushed(connection)

    row = row_html(stock_screen(page), variant.sku)

    for connection in market.connections.values():
        cell = cell_html(row, connection)
        assert 'data-state="verified"' in cell and "✓" in cell
        assert "Verified: the marketplace shows 2" in cell


def test_a_second_change_within_ozons_window_is_deferred_until_it_opens(page, market):
    variant = market.variants[1]  # 5 in stock
    sell(market, "wb", variant)
    poll(market)
    push(market)  # the first change goes at once and opens Ozon's 30-second window for the item
    sell(market, "wb", variant)
    poll(market, "wb")
    push(market)

    row = row_html(stock_screen(page), variant.sku)

    ozon = cell_html(row, market.connections["ozon"])
    assert 'data-state="deferred"' in ozon
    assert "opens in" in ozon
    assert market.shown("ozon", variant) == 4
    assert '<span class="qty">3</span>' in cell_html(row, market.connections["wb"])


def test_units_held_back_from_a_fast_seller_are_marked_where_they_are_held(page, market):
    variant = market.variants[0]  # 3 in stock
    Listing.objects.filter(variant=variant).update(created_at=timezone.now() - timedelta(minutes=1))
    sell(market, "wb", variant)  # a sale within a minute of listing: a fast seller
    poll(market)
    push(market)

    row = row_html(stock_screen(page), variant.sku)

    ozon = cell_html(row, market.connections["ozon"])
    assert '<span class="qty">0</span>' in ozon and 'data-holding="1"' in ozon
    assert "held back" in ozon and "sells fast" in ozon
    wb = cell_html(row, market.connections["wb"])
    assert '<span class="qty">2</span>' in wb and "data-holding" not in wb


def test_a_refused_push_shows_the_marketplaces_message(page, market):
    # A listing the Ozon account does not have: Ozon answers 200 with an error for that item.
    stranger = VariantFactory(organization=market.org, sku="NOT-ON-OZON")
    services.receive(variant=stranger, warehouse=market.warehouse, quantity=4)
    Listing.objects.create(variant=stranger, connection=market.connections["ozon"], offer_id=stranger.sku,
                           stock_key=stranger.sku)
    Listing.objects.filter(variant=stranger).update(stock_dirty_at="2020-01-01T00:00:00Z")
    report = push_dirty(market.connections["ozon"])
    error = PushedStock.objects.get(listing__variant=stranger).error

    html = stock_screen(page, errors="true")

    assert report.refused == 1 and error
    cell = cell_html(row_html(html, stranger.sku), market.connections["ozon"])
    assert 'data-state="error"' in cell
    assert error.split(":")[0] in cell
    assert market.variants[0].sku not in html


def push_everything(market):
    Listing.objects.update(stock_dirty_at="2020-01-01T00:00:00Z")
    push(market)
