"""Заказы к отгрузке: what the screen lists, and how filters, sorting, search and paging narrow it."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orders import selectors
from orders.choices import OrderStatus, Scheme, StockState
from orders.models import Order
from tests.factories import OrderLineFactory
from tests.orders_screen.conftest import row_numbers

URL = reverse("orders:order_list")
# Session, user, membership, the organization switcher; connections and warehouses for the filters; the capped
# count, the page, its lines.
MAX_QUERIES = 10


def test_the_screen_lists_open_fbs_and_dbs_orders_only(logged_in, desk):
    desk.order(number="OPEN-NEW")
    desk.order(number="OPEN-PACKED", status=OrderStatus.PACKED, scheme=Scheme.DBS)
    desk.order(number="DONE", status=OrderStatus.DELIVERED)
    desk.order(number="GONE", status=OrderStatus.CANCELLED)
    desk.order(number="FBO-1", scheme=Scheme.FBO)

    numbers = row_numbers(logged_in.get(URL))

    assert sorted(numbers) == ["OPEN-NEW", "OPEN-PACKED"]


def test_a_status_in_the_url_shows_orders_of_that_status_even_when_finished(logged_in, desk):
    desk.order(number="OPEN-NEW")
    desk.order(number="DONE", status=OrderStatus.DELIVERED)

    assert row_numbers(logged_in.get(URL, {"status": "delivered"})) == ["DONE"]


def test_filtering_by_marketplace_keeps_that_marketplaces_orders(logged_in, desk):
    desk.order(desk.wb, number="WB-1")
    desk.order(desk.ozon, number="OZ-1")

    assert row_numbers(logged_in.get(URL, {"marketplace": "ozon"})) == ["OZ-1"]


def test_filtering_by_connection_and_warehouse_combines(logged_in, desk):
    desk.order(desk.wb, number="WB-MAIN")
    desk.order(desk.wb, number="WB-SECOND", warehouse=desk.second)
    desk.order(desk.ozon, number="OZ-SECOND", warehouse=desk.second)

    response = logged_in.get(URL, {"connection": desk.wb.pk, "warehouse": desk.second.pk})

    assert row_numbers(response) == ["WB-SECOND"]


def test_the_filter_form_keeps_the_choices_made_in_the_url(logged_in, desk):
    html = logged_in.get(URL, {"marketplace": "ozon", "warehouse": desk.second.pk}).content.decode()

    assert '<option value="ozon" selected>' in html
    assert f'<option value="{desk.second.pk}" selected>' in html


def test_the_nearest_deadline_comes_first_by_default(logged_in, desk):
    now = timezone.now()
    desk.order(number="LATER", ship_by=now + timedelta(days=3))
    desk.order(number="SOONEST", ship_by=now + timedelta(hours=2), status=OrderStatus.PICKING)
    desk.order(number="NO-DEADLINE", ship_by=None)
    desk.order(number="SOON", ship_by=now + timedelta(hours=5), status=OrderStatus.CONFIRMED)

    assert row_numbers(logged_in.get(URL)) == ["SOONEST", "SOON", "LATER", "NO-DEADLINE"]


def test_sorting_by_number_descending(logged_in, desk):
    for number in ("A-2", "A-3", "A-1"):
        desk.order(number=number)

    assert row_numbers(logged_in.get(URL, {"sort": "-number"})) == ["A-3", "A-2", "A-1"]


def test_an_unknown_sort_key_falls_back_to_the_deadline(logged_in, desk):
    desk.order(number="LATE", ship_by=timezone.now() + timedelta(days=5))
    desk.order(number="EARLY", ship_by=timezone.now() + timedelta(days=1))

    response = logged_in.get(URL, {"sort": "raw"})

    assert row_numbers(response) == ["EARLY", "LATE"]


def test_search_finds_an_order_by_its_number(logged_in, desk):
    desk.order(number="WB-778812")
    desk.order(number="WB-100200")

    assert row_numbers(logged_in.get(URL, {"q": "WB-778812"})) == ["WB-778812"]


def test_search_finds_orders_by_part_of_the_number(logged_in, desk):
    desk.order(number="WB-778812")
    desk.order(number="WB-778899")
    desk.order(number="OZ-100200")

    assert sorted(row_numbers(logged_in.get(URL, {"q": "7788"}))) == ["WB-778812", "WB-778899"]


def test_search_finds_an_order_by_the_marketplaces_id(logged_in, desk):
    desk.order(number="0099-1", external_id="posting-55-1")
    desk.order(number="0099-2")

    assert row_numbers(logged_in.get(URL, {"q": "posting-55-1"})) == ["0099-1"]


def test_search_finds_orders_holding_a_sku(logged_in, desk):
    desk.order(number="WITH-MUG", lines=[(desk.lamp, 1), (desk.mug, 2)])
    desk.order(number="LAMP-ONLY")

    assert row_numbers(logged_in.get(URL, {"q": "mug-02"})) == ["WITH-MUG"]


def test_search_finds_orders_holding_a_barcode(logged_in, desk):
    desk.order(number="WITH-MUG", lines=[(desk.mug, 1)])
    desk.order(number="LAMP-ONLY")

    assert row_numbers(logged_in.get(URL, {"q": "4600000000028"})) == ["WITH-MUG"]


def test_search_finds_an_unmatched_line_by_its_offer_id(logged_in, desk):
    order = desk.order(number="UNMATCHED", lines=[])
    OrderLineFactory(organization=desk.org, order=order, variant=None, sku="", offer_id="NEW-OFFER-7", quantity=1)
    desk.order(number="OTHER")

    assert row_numbers(logged_in.get(URL, {"q": "NEW-OFFER-7"})) == ["UNMATCHED"]


def test_search_finds_orders_by_part_of_the_buyers_name(logged_in, desk):
    desk.order(number="ANNA", buyer_name="Петрова Анна Сергеевна")
    desk.order(number="IVAN", buyer_name="Иванов Иван")

    assert row_numbers(logged_in.get(URL, {"q": "петрова"})) == ["ANNA"]


def test_an_order_with_many_lines_shows_two_and_how_many_more(logged_in, desk):
    order = desk.order(number="BIG", lines=[(desk.lamp, 2), (desk.mug, 1)])
    for sku in ("CABLE-3", "PLUG-4"):
        OrderLineFactory(organization=desk.org, order=order, variant__sku=sku, sku=sku, quantity=1)

    row = logged_in.get(URL).context["page_obj"].rows[0]

    assert [(line.sku, line.quantity) for line in row.shown_lines] == [("LAMP-01", 2), ("MUG-02", 1)]
    assert row.more_lines == 2


def test_an_overdue_order_is_highlighted_and_a_future_one_is_not(logged_in, desk):
    late = desk.order(number="LATE", ship_by=timezone.now() - timedelta(hours=2))
    fine = desk.order(number="FINE", ship_by=timezone.now() + timedelta(days=1))

    html = logged_in.get(URL).content.decode()

    assert f'<tr class="overdue" data-open data-order="{late.pk}">' in html
    assert f'<tr data-open data-order="{fine.pk}">' in html


def test_an_oversold_order_is_marked_for_cancellation(logged_in, desk):
    oversold = desk.order(number="SHORT", stock_state=StockState.OVERSOLD)
    desk.order(number="FINE", stock_state=StockState.RESERVED)

    html = logged_in.get(URL).content.decode()
    row = html[html.index(f'data-order="{oversold.pk}"'):]
    row = row[:row.index("</tr>")]

    assert 'class="must-cancel"' in row
    assert html.count('class="must-cancel"') == 1


def test_the_second_page_continues_where_the_first_ended(logged_in, desk):
    start = timezone.now() + timedelta(hours=1)
    for index in range(55):
        desk.order(number=f"P-{index:03d}", ship_by=start + timedelta(minutes=index), lines=[])

    first = logged_in.get(URL).context["page_obj"]
    second = logged_in.get(URL, {"page": 2}).context["page_obj"]

    assert [o.number for o in first][-1] == "P-049" and first.has_next and first.total == 55
    assert [o.number for o in second] == [f"P-{index:03d}" for index in range(50, 55)]
    assert not second.has_next


def test_a_huge_result_is_counted_only_up_to_the_cap(in_org, desk):
    for _index in range(7):
        desk.order(lines=[])

    page = selectors.screen_page(Order.objects.all(), 1, per_page=3, cap=5)

    assert (page.total, page.capped, page.has_next, len(page.rows)) == (5, True, True, 3)


def test_the_screen_counts_no_further_than_its_cap(logged_in, desk, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 3)
    for _index in range(5):
        desk.order(lines=[])

    response = logged_in.get(URL)

    page = response.context["page_obj"]
    assert (page.total, page.capped, len(page.rows)) == (3, True, 5)
    assert response.context["count_cap"] == 3


def test_the_list_answers_htmx_with_the_table_only(logged_in, desk):
    desk.order(number="ONE")

    html = logged_in.get(URL, HTTP_HX_REQUEST="true").content.decode()

    assert html.lstrip().startswith('<div id="results"') and "ONE" in html
    assert "<aside" not in html


def test_another_organizations_orders_are_never_listed(logged_in, desk, other_desk):
    desk.order(number="MINE-1")
    other_desk.order(number="THEIRS-1")

    html = logged_in.get(URL).content.decode()

    assert "MINE-1" in html and "THEIRS-1" not in html
    assert row_numbers(logged_in.get(URL, {"q": "THEIRS-1"})) == []


def test_the_list_costs_the_same_few_queries_for_five_orders_and_for_fifty(logged_in, desk):
    for _index in range(5):
        desk.order(lines=[(desk.lamp, 1), (desk.mug, 1)])
    with CaptureQueriesContext(connection) as few:
        logged_in.get(URL)
    for _index in range(45):
        desk.order(lines=[(desk.lamp, 1), (desk.mug, 1)], status=OrderStatus.CONFIRMED)

    with CaptureQueriesContext(connection) as many:
        response = logged_in.get(URL)

    assert len(response.context["page_obj"]) == 50
    assert len(many) == len(few) <= MAX_QUERIES
