"""XLSX export of the orders screen: the current filters and sort, every matching order, not only the page."""

from datetime import datetime, timedelta
from io import BytesIO

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.orders_screen.conftest import moscow

URL = reverse("orders:order_export")


def workbook_rows(response):
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_export_holds_every_matching_order_not_only_the_first_page(logged_in, desk):
    start = timezone.now() + timedelta(hours=1)
    for index in range(60):
        desk.order(desk.ozon, number=f"OZ-{index:03d}", ship_by=start + timedelta(minutes=index))
    desk.order(desk.wb, number="WB-OUT")

    response = logged_in.get(URL, {"marketplace": "ozon"})

    rows = workbook_rows(response)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in response["Content-Disposition"]
    assert [row[0] for row in rows[1:]] == [f"OZ-{index:03d}" for index in range(60)]


def test_an_exported_row_has_the_items_buyer_and_moscow_deadline(logged_in, desk):
    desk.order(number="WB-1", lines=[(desk.lamp, 2), (desk.mug, 1)], buyer_name="Петрова Анна",
               delivery_address="Казань, ул. Баумана, 5", ship_by=moscow(2026, 3, 2, 15, 0))

    header, row = workbook_rows(logged_in.get(URL, {"q": "WB-1"}))

    values = dict(zip(header, row, strict=True))
    assert row[0] == "WB-1"
    assert "LAMP-01 × 2, MUG-02 × 1" in row and 3 in row
    assert "Петрова Анна" in row and "Казань, ул. Баумана, 5" in row
    assert datetime(2026, 3, 2, 15, 0) in values.values()  # Moscow wall-clock time, as the screen shows it


def test_the_export_follows_the_screens_sort(logged_in, desk):
    for number in ("B-2", "B-3", "B-1"):
        desk.order(number=number)

    rows = workbook_rows(logged_in.get(URL, {"sort": "-number"}))

    assert [row[0] for row in rows[1:]] == ["B-3", "B-2", "B-1"]


def test_the_export_never_holds_another_organizations_orders(logged_in, desk, other_desk):
    desk.order(number="MINE")
    other_desk.order(number="THEIRS")

    rows = workbook_rows(logged_in.get(URL))

    assert [row[0] for row in rows[1:]] == ["MINE"]
