"""The spec validator against the official marketplace OpenAPI files in ../shared/marketplaces/specs.

Bodies are small hand-written payloads with the real field names (see ../shared/marketplaces/*.md); nothing is
copied from the spec files. No database is needed.
"""

from __future__ import annotations

import time

import pytest

from connectors.specs import SPECS_ENV, Operation, SpecValidator, specs_available, specs_dir

if specs_dir() is None:
    pytest.skip("marketplace specs folder ../shared/marketplaces/specs not present", allow_module_level=True)


@pytest.fixture(scope="module")
def wb() -> SpecValidator:
    validator = SpecValidator.for_marketplace("wb")
    assert validator is not None
    return validator


@pytest.fixture(scope="module")
def ozon() -> SpecValidator:
    validator = SpecValidator.for_marketplace("ozon")
    assert validator is not None
    return validator


@pytest.fixture(scope="module")
def ym() -> SpecValidator:
    validator = SpecValidator.for_marketplace("yandex_market")
    assert validator is not None
    return validator


@pytest.fixture(scope="module")
def ym_push() -> SpecValidator:
    validator = SpecValidator.for_marketplace("yandex_market_notifications")
    assert validator is not None
    return validator


def mentions(errors: list[str], *words: str) -> bool:
    return any(all(word in error for word in words) for error in errors)


# --- which specs exist ------------------------------------------------------------------------------------------


def test_wb_ozon_and_yandex_market_have_specs_and_aliexpress_has_none():
    assert specs_available("wb")
    assert specs_available("ozon")
    assert specs_available("yandex_market")
    assert specs_available("yandex_market_notifications")
    assert not specs_available("aliexpress")
    assert SpecValidator.for_marketplace("aliexpress") is None


def test_an_unknown_marketplace_name_is_an_error_not_a_silent_none():
    with pytest.raises(ValueError, match="unknown marketplace"):
        SpecValidator.for_marketplace("wildberries")


def test_the_validator_is_built_once_per_process(wb):
    assert SpecValidator.for_marketplace("wb") is wb


def test_the_env_var_overrides_the_specs_folder(monkeypatch, tmp_path):
    monkeypatch.setenv(SPECS_ENV, str(tmp_path))
    assert specs_dir() == tmp_path
    assert not specs_available("ozon")
    assert SpecValidator.for_marketplace("ozon") is None

    monkeypatch.setenv(SPECS_ENV, str(tmp_path / "missing"))
    assert specs_dir() is None


# --- Wildberries --------------------------------------------------------------------------------------------------


def test_wb_concrete_stock_path_maps_to_its_template(wb):
    operation = wb.find_operation("PUT", "/api/v3/stocks/507")

    assert operation == Operation(
        marketplace="wb",
        method="PUT",
        path_template="/api/v3/stocks/{warehouseId}",
        spec_file=operation.spec_file,
        operation_id=operation.operation_id,
    )
    assert operation.spec_file.startswith("wildberries/2026-08-18/")


def test_wb_literal_path_wins_over_a_template(wb):
    assert wb.find_operation("GET", "/api/v3/orders/new").path_template == "/api/v3/orders/new"


def test_wb_operation_missing_from_the_newest_snapshot_comes_from_the_older_one(wb):
    operation = wb.find_operation("GET", "/api/v1/supplier/stocks")

    assert operation is not None
    assert operation.spec_file.startswith("wildberries/2025-12-26/")


def test_wb_valid_stock_update_passes(wb):
    body = {"stocks": [{"chrtId": 12345678, "amount": 10}, {"chrtId": 12345679, "amount": 0}]}

    assert wb.validate_request("PUT", "/api/v3/stocks/507", body=body) == []


def test_wb_stock_amount_of_the_wrong_type_is_named(wb):
    errors = wb.validate_request("PUT", "/api/v3/stocks/507", body={"stocks": [{"chrtId": 1, "amount": "ten"}]})

    assert errors == ["PUT /api/v3/stocks/507 request body: stocks[0].amount: 'ten' is not of type 'integer'"]


def test_wb_stock_update_without_stocks_is_refused(wb):
    errors = wb.validate_request("PUT", "/api/v3/stocks/507", body={"skus": []})

    assert mentions(errors, "request body", "'stocks' is a required property")


def test_wb_path_parameter_must_be_an_integer(wb):
    errors = wb.validate_request("PUT", "/api/v3/stocks/main", body={"stocks": [{"chrtId": 1, "amount": 1}]})

    assert errors == ["PUT /api/v3/stocks/main path parameter 'warehouseId': 'main' is not of type 'integer'"]


def test_wb_query_values_arrive_as_strings_and_are_coerced(wb):
    assert wb.validate_request("GET", "/api/v3/orders", query={"limit": "100", "next": "0"}) == []


def test_wb_missing_or_mistyped_query_parameters_are_reported(wb):
    errors = wb.validate_request("GET", "/api/v3/orders", query={"limit": "many"})

    assert "GET /api/v3/orders query parameter 'next' is required" in errors
    assert "GET /api/v3/orders query parameter 'limit': 'many' is not of type 'integer'" in errors


def test_wb_documented_required_headers_are_checked_but_auth_is_not(wb):
    errors = wb.validate_request("POST", "/content/v3/media/file", headers={"X-Nm-Id": "213864079"})

    assert mentions(errors, "header 'X-Photo-Number' is required")
    assert not mentions(errors, "X-Nm-Id")
    assert not mentions(errors, "Authorization")


def test_wb_stock_read_response_passes_and_a_broken_one_fails(wb):
    path = "/api/v3/stocks/507"
    good = {"stocks": [{"chrtId": 12345678, "amount": 10}]}
    broken = {"stocks": [{"chrtId": 12345678, "amount": "10"}]}

    assert wb.validate_response("POST", path, 200, good) == []
    assert wb.validate_response("POST", path, 200, broken) == [
        "POST /api/v3/stocks/507 response 200 body: stocks[0].amount: '10' is not of type 'integer'"
    ]


def wb_new_order(**changes):
    order = {
        "id": 13833711,
        "rid": "f884001e44e511edb8780242ac120002",
        "orderUid": "165918930_629fbc924b984618a44354475ca58675",
        "createdAt": "2026-08-18T07:56:29Z",
        "warehouseId": 658434,
        "officeId": 123,
        "nmId": 12345678,
        "chrtId": 987654321,
        "article": "one-ring-7548",
        "skus": ["6665956397512"],
        "price": 1014,
        "convertedPrice": 28322,
        "currencyCode": 643,
        "convertedCurrencyCode": 643,
        "cargoType": 1,
        "deliveryType": "fbs",
        "address": None,  # nullable in the spec
        "sellerDate": None,  # nullable in the spec
        "offices": ["Калуга"],
    }
    order.update(changes)
    return {"orders": [order]}


def test_wb_new_orders_response_with_nullable_fields_passes(wb):
    assert wb.validate_response("GET", "/api/v3/orders/new", 200, wb_new_order()) == []


def test_wb_new_orders_response_errors_name_each_field(wb):
    body = wb_new_order(deliveryType="dbs", createdAt="yesterday", comment=None)

    errors = wb.validate_response("GET", "/api/v3/orders/new", 200, body)

    assert mentions(errors, "orders[0].deliveryType", "'dbs' is not one of ['fbs']")
    assert mentions(errors, "orders[0].createdAt", "is not a 'date-time'")
    assert mentions(errors, "orders[0].comment", "None is not of type 'string'")
    assert len(errors) == 3


# --- Ozon ---------------------------------------------------------------------------------------------------------


def ozon_stock(**changes):
    item = {"offer_id": "TSHIRT-BLK-M", "product_id": 1287734561, "stock": 17, "warehouse_id": 1020001239876000}
    item.update(changes)
    return {"stocks": [item]}


def test_ozon_stock_update_path_is_found_in_the_newest_spec(ozon):
    operation = ozon.find_operation("POST", "/v2/products/stocks")

    assert operation.path_template == "/v2/products/stocks"
    assert operation.operation_id == "ProductAPI_ProductsStocksV2"
    assert operation.spec_file == "ozon/2026-06-11-ru-enriched/ozon-seller-openapi.json"


def test_ozon_operation_dropped_from_newer_specs_falls_back_to_the_2025_one(ozon):
    operation = ozon.find_operation("POST", "/v1/conditional-cancellation/list")

    assert operation.spec_file == "ozon/2025-09-03-ru/swagger.json"


def test_ozon_valid_stock_update_passes_without_auth_headers(ozon):
    assert ozon.validate_request("POST", "/v2/products/stocks", headers={}, body=ozon_stock()) == []


def test_ozon_error_message_reads_method_path_part_location_and_problem(ozon):
    errors = ozon.validate_request("POST", "/v2/products/stocks", body=ozon_stock(stock="x"))

    assert errors == ["POST /v2/products/stocks request body: stocks[0].stock: 'x' is not of type 'integer'"]


def test_ozon_stock_item_without_warehouse_is_refused(ozon):
    body = ozon_stock()
    del body["stocks"][0]["warehouse_id"]

    errors = ozon.validate_request("POST", "/v2/products/stocks", body=body)

    assert errors == ["POST /v2/products/stocks request body: stocks[0]: 'warehouse_id' is a required property"]


def test_ozon_raw_json_bytes_are_parsed_and_binary_bodies_skipped(ozon):
    assert ozon.validate_request("POST", "/v2/products/stocks", body=b'{"stocks": [{"stock": 1}]}') != []
    assert ozon.validate_request("POST", "/v2/products/stocks", body=b"%PDF-1.4 \x00\x01") == []


def test_ozon_stock_update_response_passes_and_a_broken_one_fails(ozon):
    good = {
        "result": [
            {"warehouse_id": 1020001239876000, "product_id": 1287734561, "offer_id": "TSHIRT-BLK-M", "updated": True},
            {
                "warehouse_id": 1020001239876000,
                "product_id": 1287734562,
                "offer_id": "TSHIRT-BLK-L",
                "updated": False,
                "errors": [{"code": "TOO_MANY_REQUESTS", "message": "updated less than 30 seconds ago"}],
            },
        ]
    }
    broken = {"result": [{"warehouse_id": "1020001239876000", "updated": "yes"}]}

    assert ozon.validate_response("POST", "/v2/products/stocks", 200, good) == []
    errors = ozon.validate_response("POST", "/v2/products/stocks", 200, broken)
    assert mentions(errors, "response 200 body: result[0].warehouse_id", "is not of type 'integer'")
    assert mentions(errors, "result[0].updated", "'yes' is not of type 'boolean'")


def test_ozon_optional_response_fields_may_be_null_as_in_its_examples(ozon):
    body = {"result": [{"warehouse_id": 1020001239876000, "offer_id": None, "errors": None, "updated": True}]}

    assert ozon.validate_response("POST", "/v2/products/stocks", 200, body) == []


def test_ozon_undocumented_status_falls_back_to_the_default_response(ozon):
    assert ozon.validate_response("POST", "/v1/seller/info", 400, {"code": 3, "message": "bad request"}) == []
    assert mentions(ozon.validate_response("POST", "/v1/seller/info", 400, {"code": "BAD"}), "code", "'BAD'")


def test_ozon_pdf_label_response_is_not_validated(ozon):
    path = "/v2/posting/fbs/package-label"
    assert ozon.find_operation("POST", path) is not None

    assert ozon.validate_response("POST", path, 200, b"%PDF-1.4\n...", content_type="application/pdf") == []


# --- Yandex Market (multi-file spec with relative refs) -----------------------------------------------------------


def test_ym_campaign_stock_path_maps_to_its_template(ym):
    operation = ym.find_operation("PUT", "/v2/campaigns/123/offers/stocks")

    assert operation.path_template == "/v2/campaigns/{campaignId}/offers/stocks"
    assert operation.operation_id == "updateStocks"
    assert operation.spec_file.startswith("yandex-market/partner-api/openapi/paths/")


def test_ym_business_level_path_maps_to_its_template(ym):
    operation = ym.find_operation("POST", "/v1/businesses/45/orders")

    assert operation.path_template == "/v1/businesses/{businessId}/orders"


def test_ym_valid_stock_update_passes_and_unknown_fields_are_tolerated(ym):
    body = {
        "skus": [
            {"sku": "TSHIRT-BLK-M", "items": [{"count": 12, "updatedAt": "2025-05-14T10:00:00+03:00"}]},
            {"sku": "TSHIRT-BLK-L", "items": [{"count": 0, "type": "FIT"}]},  # old field, not in the spec any more
        ]
    }

    assert ym.validate_request("PUT", "/v2/campaigns/123/offers/stocks", body=body) == []


def test_ym_stock_update_errors_name_the_field(ym):
    path = "/v2/campaigns/123/offers/stocks"

    assert ym.validate_request("PUT", path, body={"skus": [{"sku": "A", "items": [{"count": "12"}]}]}) == [
        "PUT /v2/campaigns/123/offers/stocks request body: skus[0].items[0].count: '12' is not of type 'integer'"
    ]
    assert mentions(ym.validate_request("PUT", path, body={"skus": [{"sku": "A"}]}), "'items' is a required property")
    assert mentions(ym.validate_request("PUT", path, body={"skus": [{"sku": "A", "items": [{"count": -1}]}]}), "count")
    assert mentions(ym.validate_request("PUT", path, body={}), "'skus' is a required property")
    assert mentions(ym.validate_request("PUT", path), "request body is required")


def test_ym_path_parameter_must_be_an_integer(ym):
    errors = ym.validate_request("PUT", "/v2/campaigns/shop/offers/stocks", body={"skus": [{"sku": "A", "items": []}]})

    assert mentions(errors, "path parameter 'campaignId'", "'shop' is not of type 'integer'")


def test_ym_stock_update_response_passes_and_a_broken_one_fails(ym):
    path = "/v2/campaigns/123/offers/stocks"

    assert ym.validate_response("PUT", path, 200, {"status": "OK"}) == []
    assert ym.validate_response("PUT", path, 200, {"status": "DONE"}) == [
        "PUT /v2/campaigns/123/offers/stocks response 200 body: status: 'DONE' is not one of ['OK', 'ERROR']"
    ]


def test_ym_stock_read_response_resolves_refs_across_files(ym):
    path = "/v2/campaigns/123/offers/stocks"
    offer = {"offerId": "TSHIRT-BLK-M", "stocks": [{"type": "AVAILABLE", "count": 5}, {"type": "FIT", "count": 7}]}
    good = {"status": "OK", "result": {"warehouses": [{"warehouseId": 1234, "offers": [offer]}]}}
    broken = {"status": "OK", "result": {"warehouses": [{"offers": [{**offer, "stocks": [{"type": "GOOD"}]}]}]}}

    assert ym.validate_response("POST", path, 200, good) == []
    errors = ym.validate_response("POST", path, 200, broken)
    assert mentions(errors, "result.warehouses[0]", "'warehouseId' is a required property")
    assert mentions(errors, "result.warehouses[0].offers[0].stocks[0].type", "'GOOD' is not one of")
    assert mentions(errors, "result.warehouses[0].offers[0].stocks[0]", "'count' is a required property")


def test_ym_optional_query_alias_is_accepted(ym):
    path = "/v2/campaigns/123/offers/stocks"

    assert ym.validate_request("POST", path, query={"page_token": "abc", "limit": "100"}, body={}) == []
    assert mentions(ym.validate_request("POST", path, query={"limit": "lots"}, body={}), "'limit'", "'lots'")


# --- Yandex Market push notifications -----------------------------------------------------------------------------


def test_ym_order_created_notification_validates(ym_push):
    body = {
        "notificationType": "ORDER_CREATED",
        "campaignId": 21528850,
        "orderId": 51893625174,
        "items": [{"offerId": "TSHIRT-BLK-M", "count": 2}],
        "createdAt": "2026-04-20T12:04:05+03:00",
    }

    assert ym_push.find_operation("POST", "/notification").operation_id == "sendNotification"
    assert ym_push.validate_request("POST", "/notification", body=body) == []


def test_ym_notification_is_checked_against_the_schema_its_type_names(ym_push):
    created_without_time = {"notificationType": "ORDER_CREATED", "campaignId": 1, "orderId": 2, "items": []}
    status_without_status = {"notificationType": "ORDER_STATUS_UPDATED", "campaignId": 1, "orderId": 2}

    assert ym_push.validate_request("POST", "/notification", body=created_without_time) == [
        "POST /notification request body: 'createdAt' is a required property"
    ]
    assert mentions(ym_push.validate_request("POST", "/notification", body=status_without_status), "'status'")
    assert (
        ym_push.validate_request(
            "POST", "/notification", body={"notificationType": "PING", "time": "2026-04-20T12:00:00Z"}
        )
        == []
    )


def test_ym_notification_reply_is_validated(ym_push):
    good = {"version": "1.0.0", "name": "Okno OMS", "time": "2026-04-20T12:00:01.123Z"}

    assert ym_push.validate_response("POST", "/notification", 200, good) == []
    assert mentions(ym_push.validate_response("POST", "/notification", 200, {"version": "1"}), "'name'")


# --- what is out of the spec's reach -----------------------------------------------------------------------------


@pytest.mark.parametrize("marketplace", ["wb", "ozon", "yandex_market", "yandex_market_notifications"])
def test_unknown_operation_is_not_found_and_not_judged(marketplace):
    validator = SpecValidator.for_marketplace(marketplace)

    assert validator.find_operation("POST", "/okno/v1/not-a-marketplace-method") is None
    assert validator.validate_request("POST", "/okno/v1/not-a-marketplace-method", body={"x": 1}) == []
    assert validator.validate_response("POST", "/okno/v1/not-a-marketplace-method", 200, {"x": 1}) == []


def test_undocumented_status_is_not_judged(wb):
    assert wb.validate_response("PUT", "/api/v3/stocks/507", 418, {"anything": True}) == []


def test_repeated_validation_is_fast_once_compiled(ozon):
    ozon.validate_request("POST", "/v2/products/stocks", body=ozon_stock())
    started = time.perf_counter()
    for _ in range(200):
        ozon.validate_request("POST", "/v2/products/stocks", body=ozon_stock())
    assert time.perf_counter() - started < 1.0  # ~0.05 ms each on a laptop; a wide margin for busy CI
