"""Lists filter, sort and paginate real rows; an htmx request gets only the table."""

from decimal import Decimal

from django.urls import reverse

from inventory import services
from oms.tenancy import organization_scope
from orders.choices import OrderStatus
from tests.factories import OrderFactory, ProductFactory, VariantFactory, WarehouseFactory
from tests.web.conftest import SECRET

HTMX = {"HTTP_HX_REQUEST": "true"}


def rows(response, table_id):
    html = response.content.decode()
    body = html.split(f'id="{table_id}"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return body.count("<tr")


def test_the_product_search_keeps_matching_products_only(logged_in, org, shop):
    ProductFactory(organization=org, title="Ceramic Mug")

    response = logged_in.get(reverse("catalog:product_list"), {"q": "lamp"})

    html = response.content.decode()
    assert "Alpha Lamp" in html
    assert "Ceramic Mug" not in html


def test_a_product_is_found_by_its_variants_barcode(logged_in, org, shop):
    ProductFactory(organization=org, title="Ceramic Mug")

    response = logged_in.get(reverse("catalog:product_list"), {"q": "Alpha4600000000017"})

    assert "Alpha Lamp" in response.content.decode()
    assert "Ceramic Mug" not in response.content.decode()


def test_the_filter_form_keeps_its_values_from_the_url(logged_in, shop):
    response = logged_in.get(reverse("catalog:product_list"), {"q": "lamp", "brand": "AlphaBrand"})

    html = response.content.decode()
    assert 'name="q" value="lamp"' in html
    assert 'value="AlphaBrand"' in html


def test_the_product_list_shows_variant_count_stock_and_marketplaces(logged_in, shop):
    html = logged_in.get(reverse("catalog:product_list")).content.decode()

    row = html.split("Alpha Lamp", 1)[1].split("</tr>", 1)[0]
    assert '<td class="num">1</td>' in row  # one variant
    assert ">7</td>" in row  # seven units received
    assert 'class="mp mp-wb"' in row


def test_products_paginate_fifty_to_a_page(logged_in, org):
    for number in range(55):
        ProductFactory(organization=org, title=f"Item {number:02d}")

    first = logged_in.get(reverse("catalog:product_list"))
    second = logged_in.get(reverse("catalog:product_list"), {"page": 2})

    assert rows(first, "product-table") == 50
    assert rows(second, "product-table") == 5
    assert "Item 54" in second.content.decode()
    assert "Item 54" not in first.content.decode()


def test_products_sort_by_a_column_both_ways(logged_in, org):
    ProductFactory(organization=org, title="Apple")
    ProductFactory(organization=org, title="Zucchini")

    ascending = logged_in.get(reverse("catalog:product_list"), {"sort": "title"}).content.decode()
    descending = logged_in.get(reverse("catalog:product_list"), {"sort": "-title"}).content.decode()

    assert ascending.index("Apple") < ascending.index("Zucchini")
    assert descending.index("Zucchini") < descending.index("Apple")


def test_an_unknown_sort_falls_back_to_the_default(logged_in, shop):
    response = logged_in.get(reverse("catalog:product_list"), {"sort": "organization__name"})

    assert response.status_code == 200
    assert "Alpha Lamp" in response.content.decode()


def test_an_htmx_filter_request_gets_only_the_table(logged_in, shop):
    response = logged_in.get(reverse("catalog:product_list"), {"q": "lamp"}, **HTMX)

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results"')
    assert "<html" not in html
    assert "Alpha Lamp" in html
    assert "HX-Request" in response["Vary"]


def test_a_history_restore_gets_the_whole_page(logged_in, shop):
    response = logged_in.get(
        reverse("catalog:product_list"), **HTMX, HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )

    assert "<html" in response.content.decode()


def test_the_stock_list_filters_by_warehouse(logged_in, org, shop):
    second = WarehouseFactory(organization=org, name="Second Store")
    other_variant = VariantFactory(organization=org, sku="ONLY-IN-SECOND")
    with organization_scope(org):
        services.receive(variant=other_variant, warehouse=second, quantity=3)

    html = logged_in.get(reverse("inventory:stock_list"), {"warehouse": second.pk}).content.decode()

    assert "ONLY-IN-SECOND" in html
    assert shop.variant.sku not in html


def test_the_stock_list_finds_low_stock(logged_in, org, shop):
    plenty = VariantFactory(organization=org, sku="PLENTY-1")
    with organization_scope(org):
        services.receive(variant=plenty, warehouse=shop.warehouse, quantity=100)

    html = logged_in.get(reverse("inventory:stock_list"), {"low_stock": 10}).content.decode()

    assert shop.variant.sku in html
    assert "PLENTY-1" not in html


def test_the_stock_list_separates_rows_with_and_without_available_stock(logged_in, org, shop):
    empty = VariantFactory(organization=org, sku="ALL-RESERVED")
    with organization_scope(org):
        services.receive(variant=empty, warehouse=shop.warehouse, quantity=2)
        assert services.reserve(warehouse=shop.warehouse, lines=[services.StockLine(empty.pk, 2)]).ok

    in_stock = logged_in.get(reverse("inventory:stock_list"), {"in_stock": "true"}).content.decode()
    out_of_stock = logged_in.get(reverse("inventory:stock_list"), {"in_stock": "false"}).content.decode()

    assert shop.variant.sku in in_stock and "ALL-RESERVED" not in in_stock
    assert "ALL-RESERVED" in out_of_stock and shop.variant.sku not in out_of_stock


def test_the_stock_list_answers_htmx_with_the_table_only(logged_in, shop):
    html = logged_in.get(reverse("inventory:stock_list"), {"q": shop.variant.sku}, **HTMX).content.decode()

    assert html.lstrip().startswith('<div id="results"')
    assert shop.variant.sku in html


def test_the_ledger_lists_a_variants_movements_newest_first(logged_in, org, shop):
    with organization_scope(org):
        services.adjust(variant=shop.variant, warehouse=shop.warehouse, delta=-2, reason="Broken in transit")

    html = logged_in.get(reverse("inventory:variant_ledger", args=[shop.variant.pk])).content.decode()

    assert html.index("Broken in transit") < html.index("Alpha first delivery")


def test_the_orders_list_filters_by_status(logged_in, org, shop):
    OrderFactory(organization=org, connection=shop.connection, number="DONE-1", status=OrderStatus.DELIVERED)

    html = logged_in.get(reverse("orders:order_list"), {"status": OrderStatus.DELIVERED}).content.decode()

    assert "DONE-1" in html
    assert shop.order.number not in html


def test_the_orders_list_shows_money_in_roubles_with_two_decimals(logged_in, shop):
    html = logged_in.get(reverse("orders:order_list")).content.decode()

    assert "1\xa0234,50\xa0₽" in html


def test_the_order_page_shows_lines_and_events(logged_in, shop):
    html = logged_in.get(reverse("orders:order_detail", args=[shop.order.pk])).content.decode()

    assert shop.variant.sku in html
    assert "Alpha-waiting" in html


def test_the_product_page_shows_barcodes_stock_and_listings(logged_in, shop):
    html = logged_in.get(reverse("catalog:product_detail", args=[shop.product.pk])).content.decode()

    assert "Alpha4600000000017" in html
    assert "Alpha Warehouse" in html
    assert "Alpha Wildberries" in html


def test_the_connection_page_never_shows_the_credentials(logged_in, shop):
    html = logged_in.get(reverse("connectors:connection_detail", args=[shop.connection.pk])).content.decode()

    assert "Alpha Wildberries" in html
    assert SECRET not in html


def test_the_overview_counts_real_rows(logged_in, org, shop):
    OrderFactory(organization=org, connection=shop.connection, number="GONE", status=OrderStatus.CANCELLED)
    ProductFactory(organization=org, title="Old", is_archived=True, cost_price=Decimal("1"))

    response = logged_in.get(reverse("home"))

    assert response.context["open_orders"] == 1
    assert response.context["products"] == 1
    assert response.context["low_stock"] == 0  # 7 available is above the threshold of 5
    assert response.context["failing_connections"] == 0


def test_times_are_shown_in_moscow_time(logged_in, org, shop):
    from datetime import UTC, datetime

    OrderFactory(
        organization=org, connection=shop.connection, number="TIMED-1", ship_by=datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    )

    html = logged_in.get(reverse("orders:order_list"), {"q": "TIMED-1"}).content.decode()

    assert "02.03.2026 15:00" in html
