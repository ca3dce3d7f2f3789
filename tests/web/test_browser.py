"""One real browser: log in, open Товары, type in the search, watch htmx swap the table."""

import os

import pytest
from django.db import connections
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.factories import ProductFactory

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser_page():
    # Playwright's sync API runs an event loop in this thread; Django's ORM (live_server fixtures) refuses to run
    # next to one unless told it is safe, which it is here: one thread, no real async code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(locale="ru-RU")
        yield page
        browser.close()
        # Rows created while Playwright's loop ran went through a connection of their own; close it, or the test
        # database cannot be dropped at the end of the session.
        connections.close_all()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.mark.browser
def test_typing_in_the_product_search_updates_the_table(live_server, browser_page, org, owner):
    from playwright.sync_api import expect

    ProductFactory(organization=org, title="Настольная лампа")
    ProductFactory(organization=org, title="Керамическая кружка")
    page = browser_page

    page.goto(live_server.url + reverse("login"))
    page.fill("input[name=username]", owner.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.locator("nav").get_by_role("link", name="Товары").click()
    rows = page.locator("#product-table tbody tr")
    expect(rows).to_have_count(2)

    page.fill("input[name=q]", "лампа")

    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Настольная лампа")
    expect(page).to_have_url(live_server.url + reverse("catalog:product_list") + "?sort=title&q=%D0%BB%D0%B0%D0%BC%D0%BF%D0%B0")
