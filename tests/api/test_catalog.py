"""Products, variants (barcodes, kit components) and listings through the API."""

from catalog.models import Barcode, KitComponent, Variant


def test_product_shows_its_variants_with_barcodes(api, world):
    body = api.get(f"/api/v1/products/{world.product.pk}/").json()

    variants = {v["sku"]: v for v in body["variants"]}
    assert variants[world.variant.sku]["barcodes"] == [world.barcode.value]
    assert set(variants) == {world.variant.sku, world.kit.sku}


def test_product_is_created_with_golden_record_fields(api, org):
    response = api.post(
        "/api/v1/products/",
        {"title": "Parka", "brand": "North", "attributes": {"material": "down"}, "images": ["https://img.test/1.jpg"],
         "weight_g": 900, "cost_price": "2500.50", "vat_rate": "20", "is_marked": True},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["cost_price"] == "2500.50"
    assert response.json()["variants"] == []


def test_variant_is_created_with_barcodes(api, world):
    response = api.post(
        "/api/v1/variants/",
        {"product": world.product.pk, "sku": "JKT-L", "size": "L", "barcodes": ["4601234567890", "ABC-1"]},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["barcodes"] == ["4601234567890", "ABC-1"]
    kinds = dict(Barcode.all_tenants.filter(variant_id=response.json()["id"]).values_list("value", "kind"))
    assert kinds == {"4601234567890": "ean13", "ABC-1": "code128"}


def test_sending_barcodes_replaces_the_set(api, world):
    response = api.patch(f"/api/v1/variants/{world.variant.pk}/", {"barcodes": ["2000000000015"]}, format="json")

    assert response.status_code == 200
    assert response.json()["barcodes"] == ["2000000000015"]
    assert list(Barcode.all_tenants.filter(variant=world.variant).values_list("value", flat=True)) == ["2000000000015"]


def test_patch_without_barcodes_keeps_them(api, world):
    response = api.patch(f"/api/v1/variants/{world.variant.pk}/", {"name": "Black"}, format="json")

    assert response.json()["barcodes"] == [world.barcode.value]


def test_barcode_of_another_variant_is_refused_with_a_clear_message(api, world):
    response = api.post(
        "/api/v1/variants/", {"product": world.product.pk, "sku": "JKT-XL", "barcodes": [world.barcode.value]},
        format="json",
    )

    assert response.status_code == 400
    message = response.json()["barcodes"][0]
    assert world.barcode.value in message
    assert world.variant.sku in message


def test_same_barcode_may_exist_in_another_organization(api, world, other_world):
    response = api.patch(f"/api/v1/variants/{world.variant.pk}/", {"barcodes": [other_world.barcode.value]},
                         format="json")

    assert response.status_code == 200


def test_duplicate_sku_is_refused(api, world):
    response = api.post("/api/v1/variants/", {"product": world.product.pk, "sku": world.variant.sku}, format="json")

    assert response.status_code == 400
    assert "sku" in response.json()


def test_kit_components_are_replaced_by_sending_them(api, world):
    extra = Variant.all_tenants.create(organization=world.product.organization, product=world.product, sku="BELT")

    response = api.patch(
        f"/api/v1/variants/{world.kit.pk}/",
        {"components": [{"variant": world.variant.pk, "quantity": 2}, {"variant": extra.pk, "quantity": 1}]},
        format="json",
    )

    assert response.status_code == 200
    assert sorted((c["sku"], c["quantity"]) for c in response.json()["components"]) == [
        ("BELT", 1), (world.variant.sku, 2),
    ]
    assert dict(KitComponent.all_tenants.filter(kit=world.kit).values_list("component__sku", "quantity")) == {
        world.variant.sku: 2, "BELT": 1,
    }


def test_only_a_kit_has_components(api, world):
    response = api.post(
        "/api/v1/variants/",
        {"product": world.product.pk, "sku": "PLAIN", "components": [{"variant": world.variant.pk, "quantity": 1}]},
        format="json",
    )

    assert response.status_code == 400
    assert "components" in response.json()


def test_kit_cannot_contain_a_kit(api, world):
    response = api.post(
        "/api/v1/variants/",
        {"product": world.product.pk, "sku": "SUPERKIT", "is_kit": True,
         "components": [{"variant": world.kit.pk, "quantity": 1}]},
        format="json",
    )

    assert response.status_code == 400
    assert "variant" in response.json()["components"]["0"]


def test_kit_cannot_contain_itself(api, world):
    response = api.patch(
        f"/api/v1/variants/{world.kit.pk}/", {"components": [{"variant": world.kit.pk, "quantity": 1}]}, format="json"
    )

    assert response.status_code == 400
    assert "itself" in response.json()["components"]["0"]["variant"][0]


def test_component_quantity_must_be_positive(api, world):
    response = api.patch(
        f"/api/v1/variants/{world.kit.pk}/", {"components": [{"variant": world.variant.pk, "quantity": 0}]},
        format="json",
    )

    assert response.status_code == 400


def test_a_component_cannot_become_a_kit(api, world):
    response = api.patch(f"/api/v1/variants/{world.variant.pk}/", {"is_kit": True}, format="json")

    assert response.status_code == 400
    assert world.kit.sku in response.json()["is_kit"][0]


def test_kit_with_components_cannot_silently_stop_being_a_kit(api, world):
    refused = api.patch(f"/api/v1/variants/{world.kit.pk}/", {"is_kit": False}, format="json")
    allowed = api.patch(f"/api/v1/variants/{world.kit.pk}/", {"is_kit": False, "components": []}, format="json")

    assert refused.status_code == 400
    assert allowed.status_code == 200
    assert not KitComponent.all_tenants.filter(kit=world.kit).exists()


def test_variant_with_stock_history_cannot_be_deleted(api, world):
    response = api.delete(f"/api/v1/variants/{world.variant.pk}/")

    assert response.status_code == 409
    assert Variant.all_tenants.filter(pk=world.variant.pk).exists()


def test_listing_offer_id_is_unique_per_connection(api, world):
    response = api.post(
        "/api/v1/listings/",
        {"variant": world.kit.pk, "connection": world.connection.pk, "offer_id": world.listing.offer_id},
        format="json",
    )

    assert response.status_code == 400
    assert "offer_id" in response.json()


def test_listing_sync_fields_are_read_only(api, world):
    before = api.get(f"/api/v1/listings/{world.listing.pk}/").json()["sync_state"]
    response = api.patch(
        f"/api/v1/listings/{world.listing.pk}/", {"pushed_quantity": 99, "sync_state": "verified", "price": "10.00"},
        format="json",
    )

    assert response.status_code == 200
    assert (response.json()["pushed_quantity"], response.json()["sync_state"]) == (None, before)
    assert before != "verified"
    assert response.json()["price"] == "10.00"


def test_products_are_filtered_by_brand_and_search(api, world):
    assert api.get("/api/v1/products/", {"brand": "brand1"}).json()["count"] == 1
    assert api.get("/api/v1/products/", {"brand": "other"}).json()["count"] == 0
    assert api.get("/api/v1/products/", {"q": world.barcode.value}).json()["count"] == 1


def test_lists_are_paginated_and_ordered(api, world):
    Variant.all_tenants.create(organization=world.product.organization, product=world.product, sku="AAA")

    body = api.get("/api/v1/variants/", {"page_size": 1, "ordering": "-sku"}).json()

    assert body["count"] == 3
    assert [row["sku"] for row in body["results"]] == [world.kit.sku]
    assert body["next"] is not None
