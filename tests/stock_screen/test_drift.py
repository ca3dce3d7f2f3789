"""Drift: a marketplace shows another quantity than Okno pushed. The screen's filter and the drift log show it
until a push corrects it and a read-back agrees."""

from __future__ import annotations

from django.urls import reverse

from connectors.dto import StockUpdate
from connectors.push import push_dirty, verify_pushed
from connectors.registry import connector_for
from tests.stock_screen.conftest import ACCOUNTS, cell_html, poll, push, row_html, sell, stock_screen


def change_behind_oknos_back(market, marketplace, variant, quantity):
    """Someone sets the quantity in the marketplace's own cabinet: a push Okno did not make."""
    listing = market.listing(marketplace, variant)
    connector = connector_for(market.connections[marketplace])
    update = StockUpdate(listing.stock_key, ACCOUNTS[marketplace][2], quantity, listing.offer_id,
                         listing.external_product_id)
    try:
        assert connector.push_stocks([update])[0].accepted
    finally:
        connector.http.close()


def drifting_on_wb(market):
    variant = market.variants[0]  # 3 in stock
    sell(market, "wb", variant)
    poll(market)
    push(market)
    change_behind_oknos_back(market, "wb", variant, 9)
    assert verify_pushed(market.connections["wb"])["drifting"] == 1
    return variant


def correct(market, marketplace="wb"):
    push_dirty(market.connections[marketplace])
    verify_pushed(market.connections[marketplace])


def test_the_drift_filter_shows_a_listing_the_marketplace_changed_behind_oknos_back(page, market):
    variant = drifting_on_wb(market)

    html = stock_screen(page, drift="true")

    row = row_html(html, variant.sku)
    assert row, "the drifting variant is listed"
    cell = cell_html(row, market.connections["wb"])
    assert 'data-state="drifting"' in cell and "marketplace shows 9" in cell
    assert '<span class="qty">2</span>' in cell  # what Okno pushed
    assert 'data-state="pushed"' in cell_html(row, market.connections["ozon"])
    assert market.variants[1].sku not in html


def test_the_drift_filter_hides_the_listing_once_a_push_corrected_it(page, market):
    variant = drifting_on_wb(market)

    correct(market)

    assert market.shown("wb", variant) == 2
    assert not row_html(stock_screen(page, drift="true"), variant.sku)
    row = row_html(stock_screen(page), variant.sku)
    assert 'data-state="verified"' in cell_html(row, market.connections["wb"])


def test_drift_on_another_channel_does_not_match_a_channel_filter(page, market):
    variant = drifting_on_wb(market)

    on_wb = stock_screen(page, drift="true", connection=market.connections["wb"].pk)
    on_ozon = stock_screen(page, drift="true", connection=market.connections["ozon"].pk)

    assert row_html(on_wb, variant.sku)
    assert not row_html(on_ozon, variant.sku)


def test_the_drift_log_lists_open_drift_with_a_link_to_the_variant(page, market):
    variant = drifting_on_wb(market)

    html = page.get(reverse("inventory:drift_list")).content.decode()

    row = html.split('id="drift-table"', 1)[1].split("</tbody>", 1)[0]
    assert reverse("inventory:variant_ledger", args=[variant.pk]) in row
    assert ">2</td>" in row and ">9</td>" in row  # expected, found
    assert ACCOUNTS["wb"][2] in row


def test_the_drift_log_closes_the_record_once_a_read_back_agrees(page, market):
    variant = drifting_on_wb(market)
    correct(market)

    open_log = page.get(reverse("inventory:drift_list")).content.decode()
    resolved_log = page.get(reverse("inventory:drift_list"), {"resolved": "true"}).content.decode()

    assert variant.sku not in open_log.split('id="drift-table"', 1)[1]
    assert variant.sku in resolved_log.split('id="drift-table"', 1)[1]


def test_the_variant_page_shows_the_drift_record_and_the_read_back(page, market):
    variant = drifting_on_wb(market)

    html = page.get(reverse("inventory:variant_ledger", args=[variant.pk])).content.decode()

    drift = html.split('id="variant-drift"', 1)[1].split("</table>", 1)[0]
    assert ">9</td>" in drift and "open" in drift
    channels = html.split('id="channel-state"', 1)[1].split("</table>", 1)[0]
    wb_row = channels.split(f'data-channel="{market.connections["wb"].pk}"', 1)[1].split("</tr>", 1)[0]
    assert 'data-state="drifting"' in wb_row


def test_the_api_filters_stock_levels_by_drift_too(api, market):
    variant = drifting_on_wb(market)

    drifting = api.get("/api/v1/stock-levels/", {"drift": "true"}).json()["results"]
    in_sync = api.get("/api/v1/stock-levels/", {"drift": "false"}).json()["results"]

    assert [row["variant"] for row in drifting] == [variant.pk]
    assert variant.pk not in [row["variant"] for row in in_sync]
