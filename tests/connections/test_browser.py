"""A real browser on the connection page: htmx answers land where the seller is looking."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from connectors.models import IngestError
from oms.tenancy import organization_scope
from tests.conftest import PASSWORD
from tests.connections.test_connection_page import sandbox_connection
from tests.factories import ConnectionFactory
from tests.web.test_browser import browser_page  # noqa: F401 - the shared Chromium page fixture


def log_in(page, live_server, user):
    page.goto(live_server.url + reverse("login"))
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


@pytest.mark.browser
def test_check_connection_answers_inline_and_updates_the_status_badge(live_server, browser_page, org, owner,  # noqa: F811
                                                                       sandbox, control):
    from playwright.sync_api import expect

    with organization_scope(org):
        connection = sandbox_connection(sandbox, control, "wb")
    page = browser_page
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("connectors:connection_detail", args=[connection.pk]))

    page.locator(f"form[action='{reverse('connectors:connection_check', args=[connection.pk])}'] button").click()

    expect(page.locator("#check-result")).to_have_class(re.compile(r"\bok\b"))
    expect(page.locator("#check-result")).to_contain_text("Подключено")
    expect(page.locator("#connection-status")).to_have_class(re.compile(r"\bst-ok\b"))


@pytest.mark.browser
def test_marking_an_error_resolved_swaps_its_row_in_place(live_server, browser_page, org, owner):  # noqa: F811
    from playwright.sync_api import expect

    with organization_scope(org):
        connection = ConnectionFactory(organization=org)
        error = IngestError.objects.create(connection=connection, job="orders", kind="order", payload='{"id": 1}',
                                           error="boom")
    page = browser_page
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("connectors:connection_detail", args=[connection.pk]))
    row = page.locator(f"#ingest-error-{error.pk}")

    row.locator(f"form[action='{reverse('connectors:ingest_error_resolve', args=[connection.pk, error.pk])}'] button"
                ).click()

    expect(row.locator(".badge.st-ok")).to_be_visible()
    expect(row.locator("form")).to_have_count(0)
