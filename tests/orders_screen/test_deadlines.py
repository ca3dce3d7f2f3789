"""Ship-by deadlines on the seller's (Moscow) clock: the today/tomorrow/overdue filters and the countdown."""

import pytest
import time_machine
from django.urls import reverse

from orders.choices import OrderStatus
from tests.orders_screen.conftest import moscow, row_numbers

URL = reverse("orders:order_list")
NOW = moscow(2026, 3, 2, 10, 0)  # Monday 10:00 in Moscow, 07:00 UTC


@pytest.fixture
def deadlines(desk):
    with time_machine.travel(NOW, tick=False):
        desk.order(number="YESTERDAY", ship_by=moscow(2026, 3, 1, 18, 0))
        desk.order(number="THIS-MORNING", ship_by=moscow(2026, 3, 2, 9, 0))
        desk.order(number="TONIGHT", ship_by=moscow(2026, 3, 2, 23, 30))
        desk.order(number="AFTER-MIDNIGHT", ship_by=moscow(2026, 3, 3, 0, 30))  # still 2 March in UTC
        desk.order(number="WEDNESDAY", ship_by=moscow(2026, 3, 4, 12, 0))
        desk.order(number="SHIPPED-LATE", ship_by=moscow(2026, 3, 1, 12, 0), status=OrderStatus.SHIPPED)
        yield


def test_due_today_means_the_moscow_calendar_day(logged_in, deadlines):
    with time_machine.travel(NOW, tick=False):
        assert row_numbers(logged_in.get(URL, {"deadline": "today"})) == ["THIS-MORNING", "TONIGHT"]


def test_due_tomorrow_starts_at_moscow_midnight(logged_in, deadlines):
    with time_machine.travel(NOW, tick=False):
        assert row_numbers(logged_in.get(URL, {"deadline": "tomorrow"})) == ["AFTER-MIDNIGHT"]


def test_overdue_lists_open_orders_past_their_deadline(logged_in, deadlines):
    with time_machine.travel(NOW, tick=False):
        assert row_numbers(logged_in.get(URL, {"deadline": "overdue"})) == ["YESTERDAY", "THIS-MORNING"]


def test_overdue_rows_are_highlighted_with_the_delay(logged_in, deadlines):
    with time_machine.travel(NOW, tick=False):
        rows = {order.number: order for order in logged_in.get(URL).context["page_obj"]}

    assert {n for n, o in rows.items() if o.deadline.overdue} == {"YESTERDAY", "THIS-MORNING"}
    assert rows["THIS-MORNING"].deadline.parts == (0, 1, 0)  # one hour late
    assert rows["YESTERDAY"].deadline.parts == (0, 16, 0)


def test_a_deadline_within_three_hours_is_marked_soon(logged_in, desk):
    with time_machine.travel(NOW, tick=False):
        desk.order(number="NOON", ship_by=moscow(2026, 3, 2, 12, 30))
        desk.order(number="EVENING", ship_by=moscow(2026, 3, 2, 19, 0))
        html = logged_in.get(URL).content.decode()

    noon = html[html.index(">NOON<"):]
    evening = html[html.index(">EVENING<"):]
    assert 'class="countdown soon"' in noon[:noon.index("</tr>")]
    assert 'class="countdown "' in evening[:evening.index("</tr>")]


def test_the_countdown_carries_the_deadline_for_the_page_to_keep_ticking(logged_in, deadlines):
    with time_machine.travel(NOW, tick=False):
        html = logged_in.get(URL, {"deadline": "tomorrow"}).content.decode()

    assert 'data-deadline="2026-03-03T00:30:00+03:00"' in html
    assert "03.03.2026 00:30" in html
