"""Orders through the connector against the sandbox over real HTTP: listing, paging, confirm, ship, labels, cancel."""

from __future__ import annotations

import io
from decimal import Decimal

import httpx
import pytest
from pypdf import PdfReader

from connectors.errors import AuthRejected, ConfigurationError, OperationNotSupported
from connectors.yandex_market.connector import YandexMarketConnector
from orders.choices import OrderStatus, Scheme
from tests.connectors.yandex_market.conftest import API_KEY, MP, WAREHOUSE, make_config, order_items


def place(ym, *pairs, **kwargs):
    return ym.place_order("ym1", order_items(*pairs), **kwargs)[0]


def sandbox_order(ym, order_id):
    return next(o for o in ym.orders("ym1") if o["id"] == order_id)


def test_check_names_the_shop_and_its_business(connector, seller):
    description = connector.check()

    assert str(seller["account"]["campaign_id"]) in description
    assert str(seller["account"]["business_id"]) in description


def test_the_legacy_oauth_token_is_accepted(sandbox, seller):
    config = make_config(sandbox.url(MP), seller["account"], credentials={"oauth_token": "y0_legacy-oauth"})

    assert "campaign" in YandexMarketConnector(config).check()


@pytest.mark.parametrize("credentials", [{"api_key": "revoked"}, {}])
def test_rejected_or_missing_credentials_raise_auth_rejected(sandbox, seller, credentials):
    config = make_config(sandbox.url(MP), seller["account"], credentials=credentials)

    with pytest.raises(AuthRejected):
        YandexMarketConnector(config).check()


def test_market_answers_401_and_403_in_its_error_shape(sandbox, seller):
    url = f"{sandbox.url(MP)}/v2/campaigns/{seller['account']['campaign_id']}"

    missing = httpx.get(url)
    wrong = httpx.get(url, headers={"Api-Key": "nope"})

    assert missing.status_code == 401
    assert missing.json()["status"] == "ERROR" and missing.json()["errors"][0]["code"] == "UNAUTHORIZED"
    assert wrong.status_code == 403


def test_another_sellers_shop_is_forbidden(sandbox, ym, seller):
    other = ym.create_seller({"id": "ym2", "credentials": {"api_key": "other-key"}, "warehouses": [{"id": "60202"}]})
    config = make_config(sandbox.url(MP), other["account"], credentials={"api_key": API_KEY})

    with pytest.raises(AuthRejected):
        YandexMarketConnector(config).check()


def test_a_connection_without_its_ids_is_a_configuration_error(sandbox):
    config = make_config(sandbox.url(MP), {"business_id": None, "campaign_id": None})

    with pytest.raises(ConfigurationError, match="business_id"):
        YandexMarketConnector(config).fetch_new_orders()


def test_new_orders_are_the_started_ones_with_their_lines_and_money(connector, ym, seller):
    first = place(ym, ("TSHIRT-BLK-M", 2), ("MUG-01", 1))
    second = place(ym, ("TSHIRT-BLK-L", 1))
    ym.order_action("ym1", second["id"], "advance")  # READY_TO_SHIP: the seller has acted

    batch = connector.fetch_new_orders()

    assert [dto.external_id for dto in batch.items] == [first["id"]]
    dto = batch.items[0]
    assert (dto.status, dto.scheme, dto.warehouse_external_id) == (OrderStatus.NEW, Scheme.FBS, WAREHOUSE)
    assert [(line.offer_id, line.quantity, line.price) for line in dto.lines] == [
        ("TSHIRT-BLK-M", 2, Decimal("1190.00")), ("MUG-01", 1, Decimal("490.00"))]
    assert dto.total == Decimal("2870.00")
    assert not batch.errors and not batch.has_more


def test_changed_orders_page_through_the_window_without_loss_or_repeats(connector, ym):
    placed = {place(ym, ("MUG-01", 1))["id"] for _ in range(57)}

    first = connector.fetch_changed_orders({})
    second = connector.fetch_changed_orders(first.cursor)

    assert (len(first.items), first.has_more, len(second.items), second.has_more) == (50, True, 7, False)
    assert {dto.external_id for dto in first.items + second.items} == placed
    assert "next_from" in second.cursor


def test_an_update_after_the_last_poll_is_picked_up_from_the_cursor(connector, ym):
    order = place(ym, ("MUG-01", 1))
    cursor = connector.fetch_changed_orders({}).cursor
    ym.order_action("ym1", order["id"], "cancel")

    batch = connector.fetch_changed_orders(cursor)

    assert [(dto.external_id, dto.status, dto.cancel_reason) for dto in batch.items] == [
        (order["id"], OrderStatus.CANCELLED, "USER_CHANGED_MIND")]


def test_duplicated_deliveries_do_not_repeat_orders(sandbox, connector, ym):
    ids = {place(ym, ("MUG-01", 1))["id"] for _ in range(5)}
    ym.set_faults(duplicate_rate=1.0, reorder=True)

    batch = connector.fetch_changed_orders({})

    assert sorted(dto.external_id for dto in batch.items) == sorted(ids)


def test_order_statuses_follow_market(connector, ym):
    moving, cancelled = place(ym, ("MUG-01", 1)), place(ym, ("MUG-01", 1))
    for _ in range(3):
        ym.order_action("ym1", moving["id"], "advance")
    ym.order_action("ym1", cancelled["id"], "cancel")

    batch = connector.fetch_order_statuses([moving["id"], cancelled["id"], "404404404"])

    found = {dto.external_id: (dto.status, dto.marketplace_status, dto.marketplace_substatus) for dto in batch.items}
    assert found == {moving["id"]: (OrderStatus.SHIPPED, "DELIVERY", "DELIVERY_SERVICE_RECEIVED"),
                     cancelled["id"]: (OrderStatus.CANCELLED, "CANCELLED", "USER_CHANGED_MIND")}


def test_confirm_moves_started_orders_to_ready_to_ship_and_reports_each_order(connector, ym):
    good, cancelled = place(ym, ("MUG-01", 1)), place(ym, ("MUG-01", 1))
    ym.order_action("ym1", cancelled["id"], "cancel")

    results = connector.confirm_orders([good["id"], cancelled["id"], "999"])

    assert [(r.external_id, r.ok) for r in results] == [(good["id"], True), (cancelled["id"], False), ("999", False)]
    assert "CANCELLED" in results[1].error
    assert sandbox_order(ym, good["id"])["substatus"] == "READY_TO_SHIP"


def test_confirming_twice_is_harmless(connector, ym):
    order = place(ym, ("MUG-01", 1))
    connector.confirm_orders([order["id"]])

    again = connector.confirm_orders([order["id"]])

    assert again[0].ok and again[0].data == {"already": "READY_TO_SHIP"}


def test_ship_lays_out_the_boxes_then_sets_ready_to_ship(connector, ym):
    order = place(ym, ("TSHIRT-BLK-M", 2))

    result = connector.ship_orders([order["id"]], options={"boxes": {order["id"]: [
        [{"offer_id": "TSHIRT-BLK-M", "quantity": 1}], [{"offer_id": "TSHIRT-BLK-M", "quantity": 1}]]}})

    assert result[0].ok and len(result[0].data["box_ids"]) == 2
    in_market = sandbox_order(ym, order["id"])
    assert in_market["substatus"] == "READY_TO_SHIP"
    assert len(in_market["data"]["boxes"]) == 2


def test_ship_sends_status_batches_of_at_most_thirty(connector, ym):
    ids = [place(ym, ("MUG-01", 1))["id"] for _ in range(31)]

    results = connector.ship_orders(ids)

    assert all(r.ok for r in results)
    batches = [r for r in ym.requests() if r["path"].endswith("/orders/status-update")]
    assert len(batches) == 2


def test_a_box_layout_market_refuses_fails_that_order_only(connector, ym):
    good, bad = place(ym, ("MUG-01", 1)), place(ym, ("TSHIRT-BLK-M", 2))

    results = connector.ship_orders([good["id"], bad["id"]], options={"boxes": {bad["id"]: [
        [{"offer_id": "TSHIRT-BLK-M", "quantity": 1}]]}})  # one unit short, no allowRemove

    assert [r.ok for r in results] == [True, False]
    assert "INVALID_ITEM" in results[1].error
    assert sandbox_order(ym, bad["id"])["substatus"] == "STARTED"


def test_labels_are_one_pdf_per_order_with_the_format_size(connector, ym):
    order = place(ym, ("TSHIRT-BLK-M", 2))
    connector.ship_orders([order["id"]], options={"boxes": {order["id"]: [
        [{"offer_id": "TSHIRT-BLK-M", "quantity": 1}], [{"offer_id": "TSHIRT-BLK-M", "quantity": 1}]]}})

    default, small = connector.get_labels([order["id"]])[0], connector.get_labels([order["id"]], "pdf_a9")[0]

    assert default.content.startswith(b"%PDF") and default.content_type == "application/pdf"
    assert len(PdfReader(io.BytesIO(default.content), strict=True).pages) == 2  # one label per box
    assert (default.width_mm, default.height_mm, small.width_mm, small.height_mm) == (75, 120, 40, 58)
    assert default.external_ids == (order["id"],)


def test_zpl_labels_are_not_offered_by_market(connector):
    with pytest.raises(OperationNotSupported, match="zpl"):
        connector.get_labels(["1"], "zpl")


def test_seller_cancellation_is_shop_failed_and_gives_the_units_back(connector, ym):
    order = place(ym, ("TSHIRT-BLK-L", 2))

    result = connector.cancel_order(order["id"], "out of stock")

    assert result.ok and result.data["substatus"] == "SHOP_FAILED"
    assert sandbox_order(ym, order["id"])["status"] == "CANCELLED"
    stocks = next(p for p in ym.seller("ym1")["products"] if p["offer_id"] == "TSHIRT-BLK-L")["stocks"]
    assert stocks[WAREHOUSE] == 5


def test_an_order_on_its_way_cannot_be_cancelled_by_the_seller(connector, ym):
    order = place(ym, ("MUG-01", 1))
    for _ in range(3):
        ym.order_action("ym1", order["id"], "advance")

    result = connector.cancel_order(order["id"])

    assert not result.ok and "DELIVERY" in result.error


def test_a_dbs_buyers_cancellation_request_is_a_return_until_the_seller_accepts_it(connector, ym):
    order = place(ym, ("MUG-01", 1), scheme="dbs")
    for _ in range(3):
        ym.order_action("ym1", order["id"], "advance")
    ym.order_action("ym1", order["id"], "cancel")

    requests = connector.fetch_returns({})
    accepted = connector.cancel_order(order["id"])

    assert [(r.kind, r.order_external_id) for r in requests.items] == [("cancellation", order["id"])]
    assert requests.items[0].deadline_at is not None
    assert accepted.ok and accepted.data["cancellation_accepted"] is True
    assert sandbox_order(ym, order["id"])["status"] == "CANCELLED"


def test_refusing_a_cancellation_request_keeps_the_order_going(connector, ym):
    order = place(ym, ("MUG-01", 1), scheme="dbs")
    for _ in range(3):
        ym.order_action("ym1", order["id"], "advance")
    ym.order_action("ym1", order["id"], "cancel")

    result = connector.answer_cancellation(order["id"], accept=False)

    assert result.ok and result.data["reason"] == "ORDER_IN_DELIVERY"
    in_market = sandbox_order(ym, order["id"])
    assert in_market["status"] == "DELIVERY" and in_market["data"]["cancelRequested"] is False
