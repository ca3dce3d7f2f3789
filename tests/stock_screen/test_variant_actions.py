"""The variant page's write actions: receive and adjust through the ledger, push now, check on the marketplaces."""

from __future__ import annotations

import pytest
from django.urls import reverse

from catalog.models import Listing
from inventory import services
from inventory.choices import MovementKind
from inventory.models import PushedStock, StockLevel, StockMovement
from oms.choices import Role
from tests.factories import KitComponentFactory, VariantFactory, WarehouseFactory
from tests.stock_screen.conftest import english, poll, push, sell
from tests.web.conftest import login_as


@pytest.fixture
def stocked(org, in_org):
    """A variant with 5 on hand, 2 of them reserved for an order, in one own warehouse."""
    warehouse = WarehouseFactory(organization=org, name="Main")
    variant = VariantFactory(organization=org, sku="LAMP-1")
    services.receive(variant=variant, warehouse=warehouse, quantity=5)
    assert services.reserve(warehouse=warehouse, lines=[services.StockLine(variant.pk, 2)]).ok
    return variant, warehouse


def url(name, variant):
    return reverse(f"inventory:{name}", args=[variant.pk])


def level(variant, warehouse):
    return StockLevel.objects.get(variant=variant, warehouse=warehouse)


def test_receiving_books_a_receipt_in_the_ledger(page, owner, stocked):
    variant, warehouse = stocked

    response = page.post(url("variant_receive", variant), {
        "receive-warehouse": warehouse.pk, "receive-quantity": 4, "receive-reference": "PO-17",
        "receive-reason": "Weekly delivery", "receive-token": "t1"}, follow=True)

    assert level(variant, warehouse).on_hand == 9
    receipt = StockMovement.objects.filter(variant=variant).first()
    assert (receipt.kind, receipt.on_hand_delta, receipt.reference, receipt.user) == (
        MovementKind.RECEIPT, 4, "PO-17", owner)
    assert "Received 4 into Main." in response.content.decode()


def test_the_same_receipt_form_sent_twice_receives_once(page, stocked):
    variant, warehouse = stocked
    form = {"receive-warehouse": warehouse.pk, "receive-quantity": 4, "receive-token": "double-click"}

    page.post(url("variant_receive", variant), form)
    response = page.post(url("variant_receive", variant), form, follow=True)

    assert level(variant, warehouse).on_hand == 9
    assert "already booked" in response.content.decode()


def test_a_count_sets_on_hand_to_the_quantity_found(page, stocked):
    variant, warehouse = stocked

    page.post(url("variant_adjust", variant), {
        "adjust-warehouse": warehouse.pk, "adjust-mode": "count", "adjust-quantity": 3, "adjust-reason": "Stocktake"})

    assert level(variant, warehouse).on_hand == 3
    count = StockMovement.objects.filter(variant=variant).first()
    assert (count.kind, count.on_hand_delta, count.reason) == (MovementKind.COUNT, -2, "Stocktake")


def test_a_correction_changes_on_hand_by_the_delta(page, stocked):
    variant, warehouse = stocked

    page.post(url("variant_adjust", variant), {
        "adjust-warehouse": warehouse.pk, "adjust-mode": "delta", "adjust-quantity": -1, "adjust-reason": "Broken"})

    assert level(variant, warehouse).on_hand == 4
    assert StockMovement.objects.filter(variant=variant).first().kind == MovementKind.ADJUSTMENT


def test_a_count_below_what_orders_hold_is_refused_in_the_form(page, stocked):
    variant, warehouse = stocked
    movements = StockMovement.objects.count()

    response = page.post(url("variant_adjust", variant), {
        "adjust-warehouse": warehouse.pk, "adjust-mode": "count", "adjust-quantity": 1, "adjust-reason": "Count"})

    assert response.status_code == 400
    form = response.content.decode().split('id="adjust-form"', 1)[1].split("</form>", 1)[0]
    assert "below what is reserved for orders" in form
    assert "LAMP-1 needs" in form
    assert level(variant, warehouse).on_hand == 5
    assert StockMovement.objects.count() == movements


def test_a_receipt_without_a_quantity_is_refused_with_the_field_error(page, stocked):
    variant, warehouse = stocked

    response = page.post(url("variant_receive", variant), {"receive-warehouse": warehouse.pk, "receive-quantity": 0})

    assert response.status_code == 400
    form = response.content.decode().split('id="receive-form"', 1)[1].split("</form>", 1)[0]
    assert "greater than or equal to 1" in form
    assert level(variant, warehouse).on_hand == 5


def test_a_kit_cannot_be_received(page, org, stocked):
    _component, warehouse = stocked
    kit = KitComponentFactory(organization=org).kit

    response = page.post(url("variant_receive", kit), {"receive-warehouse": warehouse.pk, "receive-quantity": 3})

    assert response.status_code == 400
    assert "A kit has no stock of its own" in response.content.decode()
    assert not StockLevel.objects.filter(variant=kit).exists()


def test_push_now_sends_the_variants_quantity_to_every_marketplace(page, market, django_capture_on_commit_callbacks):
    variant = market.variants[1]  # 5 in stock, never pushed

    with django_capture_on_commit_callbacks(execute=True):
        response = page.post(url("variant_push", variant), follow=True)

    assert "Stock push requested on 4 channels." in response.content.decode()
    for marketplace in market.connections:
        assert market.shown(marketplace, variant) == 5, marketplace
    assert PushedStock.objects.filter(listing__variant=variant, quantity=5).count() == 4
    assert not Listing.objects.filter(variant=variant, stock_dirty_at__isnull=False).exists()


def test_check_on_marketplaces_verifies_what_was_pushed(page, market):
    variant = market.variants[0]
    sell(market, "ozon", variant)
    poll(market)
    push(market)

    response = page.post(url("variant_verify", variant), follow=True)

    assert PushedStock.objects.filter(listing__variant=variant, verified=True).count() == 4
    assert "4 verified, 0 drifting" in response.content.decode()


@pytest.mark.parametrize("action", ["variant_receive", "variant_adjust", "variant_push", "variant_verify"])
def test_a_viewer_is_forbidden_to_post(client, org, stocked, action):
    variant, warehouse = stocked
    login_as(client, org, Role.VIEWER, "viewer@alpha.test")

    response = client.post(url(action, variant), {"receive-warehouse": warehouse.pk, "receive-quantity": 3})

    assert response.status_code == 403
    assert level(variant, warehouse).on_hand == 5


def test_a_viewer_sees_no_write_buttons(client, org, stocked):
    variant, _warehouse = stocked
    login_as(client, org, Role.VIEWER, "viewer@alpha.test")

    html = english(client).get(url("variant_ledger", variant)).content.decode()

    assert "LAMP-1" in html
    for action in ("variant_receive", "variant_adjust", "variant_push", "variant_verify"):
        assert url(action, variant) not in html
    assert 'id="receive-form"' not in html


def test_warehouse_staff_see_the_write_buttons(client, org, stocked):
    variant, _warehouse = stocked
    login_as(client, org, Role.WAREHOUSE, "picker@alpha.test")

    html = english(client).get(url("variant_ledger", variant)).content.decode()

    assert 'id="receive-form"' in html and 'id="adjust-form"' in html
    assert url("variant_push", variant) in html and url("variant_verify", variant) in html
