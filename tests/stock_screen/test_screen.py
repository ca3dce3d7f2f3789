"""The stock screen's rows, filters, sorting and paging over variant × own warehouse, kits included."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import Listing
from inventory import services
from inventory.choices import WarehouseKind
from inventory.models import DriftRecord, PushedStock, StockLevel
from oms.tenancy import organization_scope
from returns.models import Return
from tests.factories import (
    BarcodeFactory,
    ConnectionFactory,
    KitComponentFactory,
    ListingFactory,
    LocationFactory,
    VariantFactory,
    WarehouseFactory,
)
from tests.stock_screen.conftest import HTMX, english, row_html, stock_screen
from tests.web.conftest import build_shop


@pytest.fixture
def shelf(org, in_org):
    """Two own warehouses; a kit of 2 × BOLT and 1 × NUT; an FBO warehouse the screen leaves out."""
    main = WarehouseFactory(organization=org, name="Main")
    annex = WarehouseFactory(organization=org, name="Annex")
    bolt = VariantFactory(organization=org, sku="BOLT")
    nut = VariantFactory(organization=org, sku="NUT")
    kit = VariantFactory(organization=org, sku="KIT-BOLTS", is_kit=True)
    KitComponentFactory(organization=org, kit=kit, component=bolt, quantity=2)
    KitComponentFactory(organization=org, kit=kit, component=nut, quantity=1)
    services.receive(variant=bolt, warehouse=main, quantity=7)  # 3 kits
    services.receive(variant=nut, warehouse=main, quantity=5)  # 5 kits
    services.receive(variant=nut, warehouse=annex, quantity=4)  # no bolts in the annex: 0 kits
    fbo = WarehouseFactory(organization=org, name="Ozon FBO", kind=WarehouseKind.FBO,
                           connection=ConnectionFactory(organization=org, name="FBO account"))
    services.receive(variant=bolt, warehouse=fbo, quantity=40)
    return {"main": main, "annex": annex, "bolt": bolt, "nut": nut, "kit": kit, "fbo": fbo}


def available(html, sku, warehouse):
    row = row_html(html, sku, warehouse)
    assert row, f"{sku} in {warehouse} is listed"
    return int(row.split('data-available="', 1)[1].split('"', 1)[0])


def skus(html):
    body = html.split('id="stock-table"', 1)[1].split("<tbody>", 1)[1]
    return [part.split('"', 1)[0] for part in body.split('data-sku="')[1:]]


def test_a_kit_row_shows_the_minimum_over_its_components(page, shelf):
    html = stock_screen(page)

    assert available(html, "KIT-BOLTS", shelf["main"]) == 3  # 7 bolts ÷ 2 < 5 nuts ÷ 1
    assert available(html, "KIT-BOLTS", shelf["annex"]) == 0  # nuts but no bolts
    assert "kit</span>" in row_html(html, "KIT-BOLTS", shelf["main"])


def test_a_kits_available_falls_when_a_component_sells(page, shelf):
    assert services.reserve(warehouse=shelf["main"], lines=[services.StockLine(shelf["nut"].pk, 4)]).ok

    assert available(stock_screen(page), "KIT-BOLTS", shelf["main"]) == 1


def test_each_variant_is_listed_once_per_own_warehouse_that_holds_it(page, shelf):
    html = stock_screen(page)

    assert row_html(html, "NUT", shelf["main"]) and row_html(html, "NUT", shelf["annex"])
    assert not row_html(html, "BOLT", shelf["annex"])
    assert "Ozon FBO" not in html.split('id="stock-table"', 1)[1]


def test_the_warehouse_filter_keeps_that_warehouses_rows(page, shelf):
    html = stock_screen(page, warehouse=shelf["annex"].pk)

    assert skus(html) == ["KIT-BOLTS", "NUT"]


def test_low_stock_compares_the_computed_available_of_kits(page, shelf):
    html = stock_screen(page, low_stock=3, warehouse=shelf["main"].pk)

    assert skus(html) == ["KIT-BOLTS"]


def test_kits_only_lists_kits(page, shelf):
    assert set(skus(stock_screen(page, kits="true"))) == {"KIT-BOLTS"}
    assert "KIT-BOLTS" not in skus(stock_screen(page, kits="false"))


def test_search_finds_a_variant_by_its_barcode(page, org, shelf):
    BarcodeFactory(organization=org, variant=shelf["nut"], value="4600000000123")

    assert skus(stock_screen(page, q="4600000000123")) == ["NUT", "NUT"]


def test_search_finds_a_variant_by_product_title(page, org, shelf):
    shelf["bolt"].product.title = "Hex bolt M8"
    shelf["bolt"].product.save()

    assert skus(stock_screen(page, q="hex bolt")) == ["BOLT"]


def test_the_channel_filter_keeps_variants_listed_there_and_shows_only_its_column(page, org, shelf):
    wb = ConnectionFactory(organization=org, name="WB shop", marketplace="wb")
    ozon = ConnectionFactory(organization=org, name="Ozon shop", marketplace="ozon")
    ListingFactory(organization=org, variant=shelf["nut"], connection=wb)
    ListingFactory(organization=org, variant=shelf["bolt"], connection=ozon)

    html = stock_screen(page, connection=wb.pk)

    assert set(skus(html)) == {"NUT"}
    header = html.split('id="stock-table"', 1)[1].split("</thead>", 1)[0]
    assert "WB shop" in header and "Ozon shop" not in header


def test_sorting_by_available_puts_the_largest_first(page, shelf):
    html = stock_screen(page, sort="-available", warehouse=shelf["main"].pk)

    assert skus(html) == ["BOLT", "NUT", "KIT-BOLTS"]  # 7, 5, 3


def test_sorting_by_last_push_puts_the_freshest_first(page, org, shelf):
    connection = ConnectionFactory(organization=org, name="WB shop", marketplace="wb")
    connection.warehouse_links.create(organization=org, warehouse=shelf["main"], external_id="WB-1")
    now = timezone.now()
    for variant, minutes_ago in ((shelf["bolt"], 10), (shelf["nut"], 1)):
        pushed_at = now - timedelta(minutes=minutes_ago)  # recorded on both, as the dispatcher does
        listing = ListingFactory(organization=org, variant=variant, connection=connection, pushed_at=pushed_at)
        PushedStock.objects.create(listing=listing, warehouse_external_id="WB-1", quantity=1, pushed_at=pushed_at)

    html = stock_screen(page, sort="-pushed", warehouse=shelf["main"].pk)

    assert skus(html) == ["NUT", "BOLT", "KIT-BOLTS"]  # never pushed last
    assert "10 min ago" in row_html(html, "BOLT")


def test_a_row_shows_the_bin_of_its_stock_level(page, org, shelf):
    bin_ = LocationFactory(organization=org, warehouse=shelf["main"], code="A-01-3")
    StockLevel.objects.filter(variant=shelf["bolt"], warehouse=shelf["main"]).update(location=bin_)

    assert "A-01-3" in row_html(stock_screen(page), "BOLT", shelf["main"])


def test_rows_paginate_fifty_to_a_page(page, org, in_org):
    warehouse = WarehouseFactory(organization=org)
    for number in range(55):
        services.receive(variant=VariantFactory(organization=org, sku=f"ITEM-{number:02d}"), warehouse=warehouse,
                         quantity=1)

    first = stock_screen(page)
    second = stock_screen(page, page=2)

    assert len(skus(first)) == 50 and len(skus(second)) == 5
    assert skus(second)[0] == "ITEM-50"
    assert "51–55 of 55" in second


def test_an_htmx_request_gets_only_the_table(page, shelf):
    html = page.get(reverse("inventory:stock_list"), {"q": "NUT"}, **HTMX).content.decode()

    assert html.lstrip().startswith('<div id="results"')
    assert 'hx-trigger="every 5s' in html  # the table keeps itself fresh


def test_another_organizations_rows_are_never_listed(page, shelf, other_org):
    other = build_shop(other_org, "Beta")

    html = stock_screen(page)
    found = stock_screen(page, q=other.variant.sku)

    assert other.variant.sku not in html and "Beta" not in html
    assert skus(found) == []


def test_another_organizations_variant_page_is_not_found(page, other_org):
    other = build_shop(other_org, "Beta")

    assert page.get(reverse("inventory:variant_ledger", args=[other.variant.pk])).status_code == 404
    response = page.post(reverse("inventory:variant_receive", args=[other.variant.pk]),
                         {"receive-warehouse": other.warehouse.pk, "receive-quantity": 5})
    assert response.status_code == 404
    with organization_scope(other_org):
        assert other.variant.stock_levels.get().on_hand == 7


def test_another_organizations_drift_is_never_in_the_log(page, other_org):
    other = build_shop(other_org, "Beta")
    listing = Listing.all_tenants.get(variant=other.variant)
    DriftRecord.all_tenants.create(organization=other_org, listing=listing, warehouse_external_id="X", expected=1,
                                   found=4)

    html = page.get(reverse("inventory:drift_list")).content.decode()

    assert other.variant.sku not in html


def test_the_kit_page_names_the_component_that_limits_it(page, shelf):
    html = english(page).get(reverse("inventory:variant_ledger", args=[shelf["kit"].pk])).content.decode()

    components = html.split('id="kit-components"', 1)[1].split("</table>", 1)[0]
    bolt = components.split('data-sku="BOLT"', 1)[1].split("</tr>", 1)[0]
    nut = components.split('data-sku="NUT"', 1)[1].split("</tr>", 1)[0]
    assert "7 → 3" in bolt and "limits" in bolt.split("</td>")[3]  # main warehouse column
    assert "5 → 5" in nut and "limits" not in nut.split("</td>")[3]
    kit_stock = html.split('id="kit-stock"', 1)[1].split("</table>", 1)[0]
    assert 'data-available="3"' in kit_stock


def test_the_variant_page_links_the_order_a_reservation_belongs_to(page, org):
    shop = build_shop(org, "Alpha")
    with organization_scope(org):
        services.reserve(warehouse=shop.warehouse, lines=[services.StockLine(shop.variant.pk, 2)],
                         order_id=shop.order.pk)

    html = page.get(reverse("inventory:variant_ledger", args=[shop.variant.pk])).content.decode()

    ledger = html.split('id="ledger-table"', 1)[1]
    assert reverse("orders:order_detail", args=[shop.order.pk]) in ledger
    assert ledger.index("Reservation") < ledger.index("Receipt")  # newest first


def test_the_filter_bar_shows_the_choices_from_the_url(page, shelf):
    html = stock_screen(page, kits="true", warehouse=shelf["main"].pk)

    kits = html.split('name="kits"', 1)[1].split("</select>", 1)[0]
    assert '<option value="true" selected>' in kits
    assert '<option value="" selected>' not in kits
    warehouse = html.split('name="warehouse"', 1)[1].split("</select>", 1)[0]
    assert f'<option value="{shelf["main"].pk}" selected>' in warehouse


def test_the_variant_page_links_the_return_a_restock_refers_to(page, org):
    shop = build_shop(org, "Alpha")
    with organization_scope(org):
        return_request = Return.objects.create(connection=shop.connection, external_id="RET-77", amount=1)
        services.restock(variant=shop.variant, warehouse=shop.warehouse, quantity=1, reference=f"return:{return_request.pk}")

    html = page.get(reverse("inventory:variant_ledger", args=[shop.variant.pk])).content.decode()

    ledger = html.split('id="ledger-table"', 1)[1]
    assert ">Return RET-77</a>" in ledger
