"""One real browser at the shipping desk, against real sandbox orders: filter the orders screen, select orders,
make a batch, print its pick list and the marketplace's labels, hand it over and watch the statuses change — for a
Wildberries batch (stickers print before handover) and an Ozon one (labels exist once Ozon has the postings)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from orders.choices import OrderStatus
from orders.models import Order, PickBatch
from tests.conftest import PASSWORD
from tests.orders_screen.test_marketplace_actions import sell
from tests.sync.conftest import market  # noqa: F401 - the seller on all four sandbox marketplaces
from tests.web.test_browser import browser_page  # noqa: F401 - the shared Chromium page

MM = 72 / 25.4


def downloaded_pdf(page, button: str) -> PdfReader:
    """Click a print button: the page generates the document, comes back and downloads it."""
    with page.expect_download() as download:
        page.click(button)
    return PdfReader(download.value.path())


def text_of(pdf: PdfReader) -> str:
    return "\n".join(page.extract_text() or "" for page in pdf.pages)


def batch_from_screen(page, live_server, marketplace: str, expected_rows: int) -> None:
    """Filter the screen by marketplace, select every row on the page and make a batch of them."""
    from playwright.sync_api import expect

    page.goto(live_server.url + reverse("orders:order_list"))
    page.select_option("select[name=marketplace]", marketplace)
    expect(page).to_have_url(re.compile(rf"[?&]marketplace={marketplace}"))
    expect(page.locator("#order-table tbody tr[data-order]")).to_have_count(expected_rows)
    page.check("#select-all")
    expect(page.locator("input[data-row-check]:checked")).to_have_count(expected_rows)
    page.click("#create-batch")
    expect(page.locator("#batch-status")).to_have_class(re.compile(r"\bst-open\b"))


def hand_over(page) -> None:
    from playwright.sync_api import expect

    page.click('[data-transition="picking"]')
    expect(page.locator("#batch-status")).to_have_class(re.compile(r"\bst-picking\b"))
    page.click('[data-transition="packed"]')
    expect(page.locator("#batch-status")).to_have_class(re.compile(r"\bst-packed\b"))
    page.click("#hand-over")
    expect(page.locator("#batch-status")).to_have_class(re.compile(r"\bst-handed_over\b"))


@pytest.mark.browser
def test_wb_and_ozon_orders_are_batched_printed_and_handed_over(live_server, browser_page, market, owner):  # noqa: F811
    from playwright.sync_api import expect

    wb = [sell(market, "wb", variant) for variant in market.variants[:2]]
    ozon = [sell(market, "ozon", market.variants[0]), sell(market, "ozon", market.variants[1], quantity=2)]
    sell(market, "yandex_market", market.variants[1])  # stays on the screen: nobody batches it
    page = browser_page
    page.goto(live_server.url + reverse("login"))
    page.fill("input[name=username]", owner.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.locator("nav").get_by_role("link", name="Заказы к отгрузке").click()
    expect(page.locator("#order-table tbody tr[data-order]")).to_have_count(5)

    # Wildberries: its stickers print before handover (Okno puts the tasks into a supply on the way).
    batch_from_screen(page, live_server, "wb", 2)
    pick_list = downloaded_pdf(page, "#print-pick-list")
    assert len(pick_list.pages) >= 1
    assert all(sku in text_of(pick_list) for sku in ("SYNC-0", "SYNC-1"))
    labels = downloaded_pdf(page, "#print-labels")
    assert len(labels.pages) == 2
    assert all(round(float(p.mediabox.width) / MM) == 58 and round(float(p.mediabox.height) / MM) == 40
               for p in labels.pages)
    hand_over(page)
    expect(page.locator('#batch-orders tr[data-result="done"]')).to_have_count(2)
    expect(page.locator("#batch-orders")).to_contain_text("SYNC", use_inner_text=True)

    # Ozon: labels exist once the postings are assembled, i.e. after the handover.
    batch_from_screen(page, live_server, "ozon", 2)
    pick_list = downloaded_pdf(page, "#print-pick-list")
    assert "SYNC-1" in text_of(pick_list) and "SYNC-0" in text_of(pick_list)
    hand_over(page)
    expect(page.locator('#batch-orders tr[data-result="done"]')).to_have_count(2)
    labels = downloaded_pdf(page, "#print-labels")
    assert len(labels.pages) == 2
    assert all(order.external_id in text_of(labels) for order in ozon)

    # Back on the screen only the Yandex Market order still waits; the others are shipped.
    page.locator("nav").get_by_role("link", name="Заказы к отгрузке").click()
    expect(page.locator("#order-table tbody tr[data-order]")).to_have_count(1)
    page.select_option("select[name=status]", "shipped")
    expect(page.locator("#order-table tbody tr[data-order]")).to_have_count(4)
    assert set(Order.objects.filter(pk__in=[o.pk for o in wb + ozon]).values_list("status", flat=True)) == {
        OrderStatus.SHIPPED}
    assert PickBatch.objects.filter(status="handed_over").count() == 2
