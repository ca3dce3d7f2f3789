"""One real browser at the returns desk: scan the parcel's barcode, inspect it, restock it into a bin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from inventory.choices import MovementKind
from inventory.models import StockMovement
from returns.models import Return
from tests.conftest import PASSWORD
from tests.web.test_browser import browser_page  # noqa: F401 - the shared Chromium page


@pytest.mark.browser
def test_a_return_is_received_by_scanning_inspected_and_restocked(live_server, browser_page, owner, desk):  # noqa: F811
    from playwright.sync_api import expect

    ret = desk.ingest()
    page = browser_page
    page.goto(live_server.url + reverse("login"))
    page.fill("input[name=username]", owner.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.locator("nav").get_by_role("link", name="Возвраты").click()
    row = page.locator(f'#return-table tr[data-return="{ret.external_id}"]')
    expect(row).to_contain_text(desk.variant.sku)

    page.locator("#scan-form input[name=code]").fill(desk.barcode)
    page.keyboard.press("Enter")  # a keyboard-wedge scanner types the code and Enter

    expect(row.locator(".badge.rs-received")).to_be_visible()
    row.locator(f'a.mono[href="{reverse("returns:return_detail", args=[ret.pk])}"]').click()
    page.locator("#inspect-card select[name=outcome]").select_option("ok")
    page.locator("#inspect-card textarea[name=note]").fill("Упаковка целая")
    page.locator("#inspect-card button[type=submit]").click()
    page.locator("#restock-card select[name=warehouse]").select_option(str(desk.warehouse.pk))
    page.locator("#restock-card select[name=location]").select_option(str(desk.location.pk))
    page.locator("#restock-card button[type=submit]").click()

    expect(page.locator("#return-status")).to_have_class("badge rs-restocked")
    expect(page.locator("#return-history")).to_contain_text("Упаковка целая")
    assert Return.all_tenants.get(pk=ret.pk).status == "restocked"
    assert StockMovement.all_tenants.filter(kind=MovementKind.RETURN, reference=f"return:{ret.pk}").count() == 1
