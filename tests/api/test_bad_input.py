"""Bad input answers 400 with the field at fault, never 500."""

import pytest

from tests.api.conftest import create_payloads

HUGE = 10**30

# (endpoint, fields overriding a valid create body, the field expected in the errors)
CASES = [
    ("products", {"title": ""}, "title"),
    ("products", {"title": "x" * 501}, "title"),
    ("products", {"title": "nul\x00byte"}, "title"),
    ("products", {"weight_g": HUGE}, "weight_g"),
    ("products", {"weight_g": -1}, "weight_g"),
    ("products", {"length_mm": "long"}, "length_mm"),
    ("products", {"cost_price": HUGE}, "cost_price"),
    ("products", {"cost_price": "1e30"}, "cost_price"),
    ("products", {"cost_price": "-0.01"}, "cost_price"),
    ("products", {"cost_price": "12.345"}, "cost_price"),
    ("products", {"cost_price": "NaN"}, "cost_price"),
    ("products", {"vat_rate": "13"}, "vat_rate"),
    ("products", {"is_marked": "maybe"}, "is_marked"),
    ("products", {"attributes": [1, 2]}, "attributes"),
    ("products", {"attributes": {"note": "nul\x00"}}, "attributes"),
    ("products", {"images": "https://img.test/1.jpg"}, "images"),
    ("products", {"images": ["not a url"]}, "images"),
    ("variants", {"sku": ""}, "sku"),
    ("variants", {"product": "abc"}, "product"),
    ("variants", {"product": HUGE}, "product"),
    ("variants", {"product": None}, "product"),
    ("variants", {"price": HUGE}, "price"),
    ("variants", {"price": -1}, "price"),
    ("variants", {"height_mm": HUGE}, "height_mm"),
    ("variants", {"barcodes": "4600000000000"}, "barcodes"),
    ("variants", {"barcodes": ["with space"]}, "barcodes"),
    ("variants", {"barcodes": [""]}, "barcodes"),
    ("variants", {"barcodes": ["9" * 65]}, "barcodes"),
    ("variants", {"is_kit": True, "components": [{"variant": 1}]}, "components"),
    ("variants", {"is_kit": True, "components": "none"}, "components"),
    ("variants", {"is_kit": True, "components": [{"variant": 1, "quantity": HUGE}]}, "components"),
    ("listings", {"status": "gone"}, "status"),
    ("listings", {"price": "-5"}, "price"),
    ("listings", {"old_price": HUGE}, "old_price"),
    ("listings", {"offer_id": ""}, "offer_id"),
    ("listings", {"attributes": "text"}, "attributes"),
    ("listings", {"variant": [1]}, "variant"),
    ("warehouses", {"kind": "space"}, "kind"),
    ("warehouses", {"code": ""}, "code"),
    ("warehouses", {"connection": "abc"}, "connection"),
    ("warehouses", {"connection": HUGE}, "connection"),
    ("locations", {"walk_order": HUGE}, "walk_order"),
    ("locations", {"walk_order": -1}, "walk_order"),
    ("locations", {"warehouse": None}, "warehouse"),
    ("connections", {"marketplace": "ebay"}, "marketplace"),
    ("connections", {"orders_poll_seconds": 0}, "orders_poll_seconds"),
    ("connections", {"statuses_poll_seconds": -5}, "statuses_poll_seconds"),
    ("connections", {"fbo_poll_seconds": HUGE}, "fbo_poll_seconds"),
    ("connections", {"options": ["campaign"]}, "options"),
    ("connections", {"credentials": "token"}, "credentials"),
    ("connections", {"enabled": "sometimes"}, "enabled"),
    ("connections", {"api_base_urls": "http://x.test"}, "api_base_urls"),
    ("stock-adjustments", {"delta": HUGE}, "delta"),
    ("stock-adjustments", {"delta": "ten"}, "delta"),
    ("stock-adjustments", {"delta": None, "quantity": -1}, "quantity"),
    ("stock-adjustments", {"delta": None, "quantity": HUGE}, "quantity"),
    ("stock-adjustments", {"variant": "x"}, "variant"),
    ("stock-adjustments", {"warehouse": HUGE}, "warehouse"),
    ("stock-adjustments", {"reason": ""}, "reason"),
]
WRITE_ENDPOINTS = ["products", "variants", "listings", "warehouses", "locations", "connections", "stock-adjustments"]


@pytest.mark.parametrize(
    ("endpoint", "overrides", "field"), CASES, ids=[f"{c[0]}-{c[2]}-{i}" for i, c in enumerate(CASES)]
)
def test_bad_field_value_is_a_field_error(api, world, endpoint, overrides, field):
    body = {**create_payloads(world)[endpoint], **overrides}

    response = api.post(f"/api/v1/{endpoint}/", body, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()


@pytest.mark.parametrize(("endpoint", "overrides", "field"), [c for c in CASES if c[0] != "stock-adjustments"][::3])
def test_bad_field_value_in_a_patch_is_a_field_error(api, world, endpoint, overrides, field):
    response = api.patch(f"/api/v1/{endpoint}/{world.obj(endpoint).pk}/", overrides, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()


REQUIRED = {
    "products": {"title"},
    "variants": {"product", "sku"},
    "listings": {"variant", "connection", "offer_id"},
    "warehouses": {"name", "code"},
    "locations": {"warehouse", "code"},
    "connections": {"marketplace", "name"},
    "stock-adjustments": {"variant", "warehouse", "reason"},
}


@pytest.mark.parametrize("endpoint", WRITE_ENDPOINTS)
def test_empty_body_names_every_missing_field(api, world, endpoint):
    response = api.post(f"/api/v1/{endpoint}/", {}, format="json")

    assert response.status_code == 400
    assert REQUIRED[endpoint] <= set(response.json())


@pytest.mark.parametrize("endpoint", WRITE_ENDPOINTS)
@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '"text"', "[" * 50_000 + "]" * 50_000, "{\"title\": NaN}"])
def test_malformed_json_is_a_400(api, world, endpoint, body):
    response = api.post(f"/api/v1/{endpoint}/", body, content_type="application/json")

    assert response.status_code == 400


@pytest.mark.parametrize("endpoint", ["products", "orders", "stock-levels"])
@pytest.mark.parametrize("path", ["abc", str(10**30), "-1"])
def test_malformed_id_in_the_path_is_not_found(api, world, endpoint, path):
    assert api.get(f"/api/v1/{endpoint}/{path}/").status_code == 404


@pytest.mark.parametrize(
    ("endpoint", "params"),
    [
        ("variants", {"product": "abc"}),
        ("stock-levels", {"low_stock": "many"}),
        ("stock-movements", {"created_after": "yesterday"}),
        ("orders", {"ship_by_before": "soon"}),
        ("listings", {"status": "gone"}),
        ("connections", {"marketplace": "ebay"}),
    ],
)
def test_bad_filter_value_is_a_400(api, world, endpoint, params):
    response = api.get(f"/api/v1/{endpoint}/", params)

    assert response.status_code == 400
    assert set(params) <= set(response.json())


@pytest.mark.parametrize("params", [{"variant": str(10**30)}, {"page_size": "999999"}, {"ordering": "no_such_field"}])
def test_odd_query_parameters_do_not_break_lists(api, world, params):
    assert api.get("/api/v1/stock-levels/", params).status_code == 200
