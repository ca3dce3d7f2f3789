"""One real browser on the stock screen: pick "drift" in the filter bar and htmx swaps in the drifting rows only."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from inventory import services
from inventory.models import PushedStock
from oms.tenancy import organization_scope
from tests.conftest import PASSWORD
from tests.factories import ConnectionFactory, ListingFactory, VariantFactory, WarehouseFactory
from tests.web.test_browser import browser_page  # noqa: F401 - the shared Chromium fixture


@pytest.mark.browser
def test_choosing_drift_in_the_filter_bar_keeps_the_drifting_rows(live_server, browser_page, org, owner):  # noqa: F811
    from playwright.sync_api import expect

    with organization_scope(org):
        warehouse = WarehouseFactory(organization=org, name="Склад")
        wb = ConnectionFactory(organization=org, name="WB", marketplace="wb")
        wb.warehouse_links.create(organization=org, warehouse=warehouse, external_id="700001")
        for sku, shown in (("LAMP-OK", 4), ("LAMP-DRIFT", 9)):
            variant = VariantFactory(organization=org, sku=sku)
            services.receive(variant=variant, warehouse=warehouse, quantity=4)
            listing = ListingFactory(organization=org, variant=variant, connection=wb)
            PushedStock.objects.create(listing=listing, warehouse_external_id="700001", quantity=4,
                                       pushed_at=timezone.now(), marketplace_quantity=shown, verified=shown == 4)
    page = browser_page
    page.goto(live_server.url + reverse("login"))
    page.fill("input[name=username]", owner.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.locator("nav").get_by_role("link", name="Остатки").click()
    rows = page.locator("#stock-table tbody tr")
    expect(rows).to_have_count(2)

    page.select_option("select[name=drift]", "true")

    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("LAMP-DRIFT")
    expect(rows.first.locator("[data-state=drifting]")).to_be_visible()
    expect(page).to_have_url(live_server.url + reverse("inventory:stock_list") + "?sort=sku&drift=true")
