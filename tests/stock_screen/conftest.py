"""The stock screen over real data: the four sandbox marketplaces of ``tests.sync`` and a logged-in browser client.

Pages are requested in English so assertions read the msgids; the Russian default is covered by ``tests/web``.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from connectors.push import push_dirty
from connectors.services import run_job
from tests.connectors.conftest import control, sandbox, sandbox_server  # noqa: F401 - shared sandbox fixtures
from tests.sync.conftest import ACCOUNTS, build_market  # noqa: F401 - ACCOUNTS re-exported for the tests

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def market(sandbox, in_org):  # noqa: F811 - the shared fixture, requested by name
    """Three variants (3, 5 and 1 in stock) listed on WB, Ozon, Yandex Market and AliExpress sandboxes."""
    return build_market(sandbox, in_org)


@pytest.fixture
def page(client, owner):
    """The owner's browser, in English."""
    client.force_login(owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def sell(market, marketplace, variant, quantity=1):
    seller = f"okno-{market.connections[marketplace].pk}"
    return market.controls[marketplace].place_order(seller, [{"offer_id": variant.sku, "quantity": quantity}])


def poll(market, *marketplaces):
    for marketplace in marketplaces or market.connections:
        run_job(market.connections[marketplace], "orders")


def push(market, *marketplaces):
    return {mp: push_dirty(market.connections[mp]) for mp in marketplaces or market.connections}


def stock_screen(client, **params):
    return client.get(reverse("inventory:stock_list"), params).content.decode()


def row_html(html: str, sku: str, warehouse=None) -> str:
    """The stock table row of one SKU (in one warehouse); empty when the row is not listed."""
    marker = f'data-sku="{sku}"' + (f' data-warehouse="{warehouse.pk}"' if warehouse is not None else "")
    if marker not in html:
        return ""
    return html.split(marker, 1)[1].split("</tr>", 1)[0]


def cell_html(row: str, connection) -> str:
    """One connection's cell of a stock row."""
    return row.split(f'data-channel="{connection.pk}">', 1)[1].split("</td>", 1)[0]
