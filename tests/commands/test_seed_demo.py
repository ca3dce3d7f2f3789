"""``manage.py seed_demo``: a believable demo organization whose stock agrees with its ledger, seeded once."""

from __future__ import annotations

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum

from catalog.models import Barcode, Listing, Product, Variant
from connectors.choices import Marketplace
from connectors.demo import DEMO_ORGANIZATION, ean13
from connectors.models import Connection
from inventory.choices import WarehouseKind
from inventory.models import Location, StockLevel, StockMovement, Warehouse
from inventory.services import StockLine, expand_kits
from oms.choices import Role
from oms.models import Membership, Organization, User
from oms.tenancy import organization_scope
from orders.choices import OPEN_STATUSES, OrderStatus, Scheme, StockState
from orders.models import Order, OrderLine

pytestmark = pytest.mark.django_db

# A small catalogue keeps the tests fast; the full demo (200 products) runs the same code.
SMALL = ("--products", "16", "--days", "10")


def seed_demo(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *SMALL, *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo():
    seed_demo()
    organization = Organization.objects.get(name=DEMO_ORGANIZATION)
    with organization_scope(organization):
        yield organization


def test_seeds_a_catalogue_of_products_with_variants_and_valid_ean13_barcodes(demo):
    assert Product.objects.count() >= 16
    assert Variant.objects.filter(is_kit=False).count() > Product.objects.count()  # sizes and colours
    assert Variant.objects.filter(is_kit=True, components__isnull=False).distinct().count() >= 2
    barcodes = list(Barcode.objects.values_list("value", flat=True))
    assert len(barcodes) == Variant.objects.count()
    assert all(len(code) == 13 and ean13(code[:12]) == code for code in barcodes)


def test_seeds_two_own_warehouses_whose_bins_are_walked_in_an_s_shaped_route(demo):
    own = Warehouse.objects.filter(kind=WarehouseKind.OWN)
    assert sorted(own.values_list("name", flat=True)) == ["Склад Москва", "Склад Подольск"]
    moscow = own.get(name="Склад Москва")
    route = list(Location.objects.filter(warehouse=moscow, zone="A").order_by("walk_order"))
    first_aisle = [b.rack for b in route if b.aisle == "01" and b.shelf == "1"]
    second_aisle = [b.rack for b in route if b.aisle == "02" and b.shelf == "1"]
    assert first_aisle == sorted(first_aisle)
    assert second_aisle == sorted(second_aisle, reverse=True)
    assert StockLevel.objects.filter(warehouse__in=own, location__isnull=True).count() == 0


def test_seeds_a_connection_per_marketplace_with_listings_for_most_variants(demo):
    connections = Connection.objects.all()
    assert sorted(connections.values_list("marketplace", flat=True)) == sorted(Marketplace.values)
    assert all(c.base_url.startswith("http://127.0.0.1:") and c.credentials for c in connections)
    listed = Listing.objects.filter(variant__is_kit=False).values("variant").distinct().count()
    assert listed >= 0.8 * Variant.objects.filter(is_kit=False).count()


def test_seeds_a_month_of_orders_on_every_marketplace_mostly_from_own_stock(demo):
    orders = Order.objects.all()
    assert set(orders.values_list("connection__marketplace", flat=True)) == set(Marketplace.values)
    schemes = Counter(orders.values_list("scheme", flat=True))
    assert schemes[Scheme.FBO] > 0
    assert schemes[Scheme.FBS] + schemes[Scheme.DBS] > 3 * schemes[Scheme.FBO]
    statuses = Counter(orders.values_list("status", flat=True))
    assert statuses[OrderStatus.DELIVERED] > orders.count() / 2
    assert all(order.events.exists() and order.lines.exists() for order in orders)
    open_fbs = orders.filter(status__in=OPEN_STATUSES).exclude(scheme=Scheme.FBO)
    assert open_fbs.exists()
    assert not open_fbs.filter(ship_by__isnull=True).exists()


def test_stock_levels_equal_the_sum_of_the_ledger(demo):
    sums = {
        (row["variant_id"], row["warehouse_id"]): (row["on_hand"], row["reserved"])
        for row in StockMovement.objects.values("variant_id", "warehouse_id").annotate(
            on_hand=Sum("on_hand_delta"), reserved=Sum("reserved_delta")
        )
    }
    levels = {(row.variant_id, row.warehouse_id): (row.on_hand, row.reserved) for row in StockLevel.objects.all()}
    assert levels
    assert levels == sums


def test_open_orders_hold_exactly_the_reserved_stock_and_closed_ones_hold_none(demo):
    reserved = StockLevel.objects.filter(warehouse__kind=WarehouseKind.OWN).aggregate(total=Sum("reserved"))["total"]
    open_orders = Order.objects.filter(status__in=OPEN_STATUSES).exclude(scheme=Scheme.FBO)
    lines = [StockLine(line.variant_id, line.quantity) for line in OrderLine.objects.filter(order__in=open_orders)]

    assert reserved == sum(line.quantity for line in expand_kits(lines))
    assert set(open_orders.values_list("stock_state", flat=True)) == {StockState.RESERVED}
    shipped = Order.objects.filter(status__in=[OrderStatus.SHIPPED, OrderStatus.DELIVERED]).exclude(scheme=Scheme.FBO)
    assert set(shipped.values_list("stock_state", flat=True)) == {StockState.SHIPPED}


def test_a_second_run_creates_nothing_and_says_so(demo):
    counts = [model.objects.count() for model in (Product, Variant, Listing, Order, StockMovement, Warehouse)]
    users = User.objects.count()

    output = seed_demo()

    assert "nothing seeded" in output
    assert counts == [model.objects.count() for model in (Product, Variant, Listing, Order, StockMovement, Warehouse)]
    assert User.objects.count() == users


def test_the_owner_option_makes_that_user_the_owner_instead_of_the_demo_user():
    seed_demo("--owner", "seller@example.com", "--password", "any-password")

    membership = Membership.objects.get(organization__name=DEMO_ORGANIZATION)
    assert (membership.user.email, membership.role) == ("seller@example.com", Role.OWNER)
    assert membership.user.check_password("any-password")
    assert not User.objects.filter(email="demo@okno.local").exists()


def test_an_owner_whose_password_differs_is_refused_with_a_message():
    User.objects.create_user(email="seller@example.com", password="the-real-one")

    with pytest.raises(CommandError, match="different password"):
        seed_demo("--owner", "seller@example.com", "--password", "a-guess")
    assert not Organization.objects.filter(name=DEMO_ORGANIZATION).exists()
