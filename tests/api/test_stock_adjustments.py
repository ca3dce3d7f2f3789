"""POST /stock-adjustments/ books a ledger row through inventory.services.adjust."""

from inventory import services
from inventory.models import StockLevel, StockMovement
from oms.tenancy import organization_scope
from orders.models import Order
from tests.factories import OrderFactory

URL = "/api/v1/stock-adjustments/"


def level(world) -> StockLevel:
    return StockLevel.all_tenants.get(variant=world.variant, warehouse=world.warehouse)


def payload(world, **values):
    return {"variant": world.variant.pk, "warehouse": world.warehouse.pk, "reason": "shelf count", **values}


def reserve(world, quantity: int) -> None:
    org = world.variant.organization
    with organization_scope(org):
        order: Order = OrderFactory(organization=org, connection=world.connection)
        services.reserve(warehouse=world.warehouse, lines=[services.StockLine(world.variant.pk, quantity)],
                         order_id=order.pk)


def test_delta_books_an_adjustment_and_moves_on_hand(api, owner, world):
    response = api.post(URL, payload(world, delta=-3), format="json")

    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["on_hand_delta"], body["on_hand_after"]) == ("adjustment", -3, 7)
    movement = StockMovement.all_tenants.get(pk=body["id"])
    assert (movement.reason, movement.user) == ("shelf count", owner)
    assert level(world).on_hand == 7


def test_new_quantity_books_a_count_of_the_difference(api, world):
    response = api.post(URL, payload(world, quantity=14), format="json")

    assert response.status_code == 201
    assert (response.json()["kind"], response.json()["on_hand_delta"]) == ("count", 4)
    assert level(world).on_hand == 14


def test_ledger_rows_sum_to_the_stock_level_after_adjustments(api, world):
    api.post(URL, payload(world, delta=5), format="json")
    api.post(URL, payload(world, quantity=2), format="json")

    rows = StockMovement.all_tenants.filter(variant=world.variant, warehouse=world.warehouse)
    assert sum(row.on_hand_delta for row in rows) == level(world).on_hand == 2


def test_count_that_finds_what_is_on_hand_books_nothing(api, world):
    response = api.post(URL, payload(world, quantity=10), format="json")

    assert response.status_code == 200
    assert StockMovement.all_tenants.filter(variant=world.variant).count() == 1


def test_count_below_reserved_is_refused_with_a_message(api, world):
    reserve(world, 4)

    response = api.post(URL, payload(world, quantity=3), format="json")

    assert response.status_code == 400
    assert "reserved" in response.json()["non_field_errors"][0]
    assert level(world).on_hand == 10


def test_delta_below_zero_is_refused_with_a_message(api, world):
    response = api.post(URL, payload(world, delta=-11), format="json")

    assert response.status_code == 400
    assert "below zero" in response.json()["non_field_errors"][0]
    assert level(world).on_hand == 10


def test_negative_quantity_is_a_field_error(api, world):
    response = api.post(URL, payload(world, quantity=-1), format="json")

    assert response.status_code == 400
    assert "quantity" in response.json()


def test_quantity_and_delta_together_are_refused(api, world):
    response = api.post(URL, payload(world, quantity=5, delta=1), format="json")

    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_neither_quantity_nor_delta_is_refused(api, world):
    assert api.post(URL, payload(world), format="json").status_code == 400


def test_reason_is_required(api, world):
    body = payload(world, delta=1)
    del body["reason"]

    response = api.post(URL, body, format="json")

    assert response.status_code == 400
    assert "reason" in response.json()


def test_zero_delta_is_refused(api, world):
    response = api.post(URL, payload(world, delta=0), format="json")

    assert response.status_code == 400
    assert "delta" in response.json()


def test_kit_stock_cannot_be_adjusted(api, world):
    response = api.post(URL, {**payload(world, delta=1), "variant": world.kit.pk}, format="json")

    assert response.status_code == 400
    assert "variant" in response.json()


def test_viewer_cannot_adjust_stock(viewer_api, world):
    response = viewer_api.post(URL, payload(world, delta=1), format="json")

    assert response.status_code == 403
    assert level(world).on_hand == 10


def test_warehouse_staff_can_adjust_stock(warehouse_api, world):
    response = warehouse_api.post(URL, payload(world, delta=1), format="json")

    assert response.status_code == 201
    assert level(world).on_hand == 11
