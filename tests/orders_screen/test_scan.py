"""The scanner field: a keyboard-wedge scanner types a code and Enter; the screen goes where the code leads."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from orders import batches
from orders.models import Box

URL = reverse("orders:scan")

pytestmark = pytest.mark.usefixtures("in_org")  # the test reads rows of the organization in scope


def test_the_orders_screen_has_a_focused_scanner_field(logged_in, desk):
    html = logged_in.get(reverse("orders:order_list")).content.decode()

    field = html[html.index('<form class="scan-bar"'):]
    field = field[:field.index("</form>")]
    assert f'action="{URL}"' in field and 'name="code"' in field and "autofocus" in field


def test_scanning_an_order_number_opens_the_order(logged_in, desk):
    order = desk.order(number="WB-5512")

    response = logged_in.get(URL, {"code": "WB-5512"})

    assert response.status_code == 302 and response.url == reverse("orders:order_detail", args=[order.pk])


def test_scanning_the_marketplaces_id_opens_the_order(logged_in, desk):
    order = desk.order(number="77-1", external_id="0193847566")

    response = logged_in.get(URL, {"code": " 0193847566\n"})

    assert response.url == reverse("orders:order_detail", args=[order.pk])


def test_scanning_a_box_label_opens_the_boxs_order(logged_in, desk):
    order = desk.order()
    batch = batches.create_batch([order])
    Box.all_tenants.create(organization=desk.org, batch=batch, order=order, barcode="OK000012001")

    response = logged_in.get(URL, {"code": "OK000012001"})

    assert response.url == reverse("orders:order_detail", args=[order.pk])


def test_scanning_a_product_barcode_lists_the_open_orders_holding_it(logged_in, desk):
    with_mug = desk.order(number="HAS-MUG", lines=[(desk.mug, 1)])
    desk.order(number="LAMP-ONLY")

    response = logged_in.get(URL, {"code": "4600000000028"})
    listed = logged_in.get(response.url)

    assert urlsplit(response.url).path == reverse("orders:order_list")
    assert parse_qs(urlsplit(response.url).query) == {"q": ["MUG-02"]}
    assert [order.pk for order in listed.context["page_obj"]] == [with_mug.pk]


def test_an_unknown_code_goes_back_to_the_list_with_a_message(logged_in, desk):
    response = logged_in.get(URL, {"code": "NO-SUCH-CODE"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("orders:order_list")
    assert list(response.context["messages"])[-1].level_tag == "error"


def test_another_organizations_order_cannot_be_scanned(logged_in, desk, other_desk):
    other_desk.order(number="THEIRS-9")

    response = logged_in.get(URL, {"code": "THEIRS-9"})

    assert response.url == reverse("orders:order_list")
