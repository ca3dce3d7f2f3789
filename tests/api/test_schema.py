import json

import pytest
from rest_framework.test import APIClient

PATHS = [
    "/api/v1/auth/token/",
    "/api/v1/products/", "/api/v1/products/{id}/",
    "/api/v1/variants/", "/api/v1/variants/{id}/",
    "/api/v1/warehouses/", "/api/v1/warehouses/{id}/",
    "/api/v1/locations/", "/api/v1/locations/{id}/",
    "/api/v1/listings/", "/api/v1/listings/{id}/",
    "/api/v1/connections/", "/api/v1/connections/{id}/",
    "/api/v1/stock-levels/", "/api/v1/stock-levels/{id}/",
    "/api/v1/stock-movements/", "/api/v1/stock-movements/{id}/",
    "/api/v1/orders/", "/api/v1/orders/{id}/",
    "/api/v1/stock-adjustments/",
]


@pytest.fixture
def schema(db) -> dict:
    response = APIClient().get("/api/schema/?format=json")
    assert response.status_code == 200
    return json.loads(response.content)


def list_parameters(schema: dict, path: str) -> set[str]:
    return {p["name"] for p in schema["paths"][path]["get"]["parameters"]}


def test_schema_documents_every_endpoint(schema):
    assert set(PATHS) <= set(schema["paths"])


def test_products_list_documents_its_filters(schema):
    documented = list_parameters(schema, "/api/v1/products/")

    assert {"q", "brand", "category", "is_archived", "page", "page_size", "ordering", "X-Organization"} <= documented


@pytest.mark.parametrize(
    ("path", "filters"),
    [
        ("/api/v1/orders/", {"q", "status", "marketplace", "ship_by_before"}),
        ("/api/v1/stock-levels/", {"q", "warehouse", "low_stock"}),
        ("/api/v1/stock-movements/", {"kind", "variant", "created_after"}),
        ("/api/v1/listings/", {"connection", "status", "sync_state"}),
        ("/api/v1/connections/", {"marketplace", "enabled"}),
    ],
)
def test_each_list_documents_its_filters(schema, path, filters):
    assert filters <= list_parameters(schema, path)


def test_credentials_are_write_only_in_the_schema(schema):
    components = schema["components"]["schemas"]

    assert "credentials" in components["ConnectionRequest"]["properties"]
    assert "credentials" not in components["Connection"]["properties"]


def test_stock_adjustment_documents_quantity_or_delta(schema):
    request = schema["components"]["schemas"]["StockAdjustmentRequest"]

    assert {"variant", "warehouse", "quantity", "delta", "reason"} <= set(request["properties"])


def test_swagger_ui_is_served(db):
    assert APIClient().get("/api/docs/").status_code == 200
