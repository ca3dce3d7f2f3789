"""Warehouses, bins and the read-only stock views."""

from inventory.models import StockMovement


def test_marketplace_warehouse_requires_a_connection(api, world):
    refused = api.post("/api/v1/warehouses/", {"name": "Ozon FBO", "code": "FBO-1", "kind": "fbo"}, format="json")
    allowed = api.post(
        "/api/v1/warehouses/",
        {"name": "Ozon FBO", "code": "FBO-1", "kind": "fbo", "connection": world.connection.pk},
        format="json",
    )

    assert refused.status_code == 400
    assert "connection" in refused.json()
    assert allowed.status_code == 201


def test_warehouse_code_is_unique_per_organization(api, world, other_world):
    taken = api.post("/api/v1/warehouses/", {"name": "Copy", "code": world.warehouse.code}, format="json")
    foreign_code = api.post("/api/v1/warehouses/", {"name": "Copy", "code": other_world.warehouse.code}, format="json")

    assert taken.status_code == 400
    assert foreign_code.status_code == 201


def test_bin_code_is_unique_per_warehouse(api, world):
    response = api.post(
        "/api/v1/locations/", {"warehouse": world.warehouse.pk, "code": world.location.code}, format="json"
    )

    assert response.status_code == 400
    assert "code" in response.json()


def test_stock_level_shows_available_and_the_product(api, world):
    body = api.get(f"/api/v1/stock-levels/{world.stock_level.pk}/").json()

    assert (body["on_hand"], body["reserved"], body["available"]) == (10, 0, 10)
    assert (body["sku"], body["product_title"]) == (world.variant.sku, world.product.title)


def test_stock_levels_cannot_be_written(api, world):
    response = api.patch(f"/api/v1/stock-levels/{world.stock_level.pk}/", {"on_hand": 99}, format="json")

    assert response.status_code == 405


def test_stock_movements_are_filtered_by_kind(api, world):
    api.post("/api/v1/stock-adjustments/",
             {"variant": world.variant.pk, "warehouse": world.warehouse.pk, "delta": 2, "reason": "found"},
             format="json")

    body = api.get("/api/v1/stock-movements/", {"kind": "adjustment"}).json()

    assert [row["kind"] for row in body["results"]] == ["adjustment"]


def test_stock_movements_cannot_be_deleted(api, world):
    response = api.delete(f"/api/v1/stock-movements/{world.movement.pk}/")

    assert response.status_code == 405
    assert StockMovement.all_tenants.filter(pk=world.movement.pk).exists()


def test_order_shows_its_lines(api, world):
    body = api.get("/api/v1/orders/").json()["results"][0]

    assert body["marketplace"] == "wb"
    assert [line["sku"] for line in body["lines"]] == [world.variant.sku]


def test_orders_are_filtered_by_status_and_search(api, world):
    assert api.get("/api/v1/orders/", {"status": "new"}).json()["count"] == 1
    assert api.get("/api/v1/orders/", {"status": "cancelled"}).json()["count"] == 0
    assert api.get("/api/v1/orders/", {"q": world.variant.sku}).json()["count"] == 1


def test_invalid_filter_value_is_a_400(api, world):
    response = api.get("/api/v1/orders/", {"status": "lost"})

    assert response.status_code == 400
    assert "status" in response.json()
