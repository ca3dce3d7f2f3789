"""Platform logistics (shipments, handover lists, labels) and seller logistics (offline ship) on AliExpress,
connector against the sandbox over real HTTP; plus the operations AliExpress does not have."""

from __future__ import annotations

import pytest

from connectors.errors import Conflict, OperationNotSupported
from orders.choices import OrderStatus
from tests.connectors.aliexpress.conftest import WAREHOUSE, make_connector
from tests.connectors.aliexpress.test_orders import place


def _status(connector, order_id: str) -> str:
    [dto] = connector.fetch_order_statuses([order_id]).items
    return dto.status


def _sandbox_order(ae, order_id: str) -> dict:
    return next(o for o in ae.orders("ae-seller") if o["id"] == order_id)


def test_ship_creates_shipments_puts_them_on_a_list_and_transfers_it(connector, ae):
    first, second = place(ae, "MUG-WHITE"), place(ae, "TSHIRT-BLK-M", 2)

    results = connector.ship_orders([first, second])

    assert [(r.external_id, r.ok, r.error) for r in results] == [(first, True, ""), (second, True, "")]
    assert all(len(r.data["logistic_order_ids"]) == 1 for r in results)
    assert results[0].data["handover_list_id"] == results[1].data["handover_list_id"]
    # Handed over, waiting for the carrier's pick-up: packed, not yet shipped.
    assert _status(connector, first) == OrderStatus.PACKED


def test_shipped_order_moves_on_as_the_carrier_carries_it(connector, ae):
    order_id = place(ae, "MUG-WHITE")
    connector.ship_orders([order_id])

    ae.order_action("ae-seller", order_id, "advance")
    assert _status(connector, order_id) == OrderStatus.SHIPPED
    for _ in range(3):
        ae.order_action("ae-seller", order_id, "advance")
    assert _status(connector, order_id) == OrderStatus.DELIVERED


def test_one_failing_order_does_not_hide_the_others(connector, ae):
    good, cancelled = place(ae, "MUG-WHITE"), place(ae, "SOCKS")
    ae.order_action("ae-seller", cancelled, "cancel")

    results = {r.external_id: r for r in connector.ship_orders([good, cancelled, "5000999999999999", "x"])}

    assert results[good].ok
    assert not results[cancelled].ok and "cancelled" in results[cancelled].error
    assert not results["5000999999999999"].ok and "does not know" in results["5000999999999999"].error
    assert not results["x"].ok


def test_shipping_again_reuses_the_shipment_instead_of_creating_another(connector, ae):
    order_id = place(ae, "MUG-WHITE")
    [first] = connector.ship_orders([order_id])

    [again] = connector.ship_orders([order_id])

    assert again.ok and again.data["logistic_order_ids"] == first.data["logistic_order_ids"]
    assert len(_sandbox_order(ae, order_id)["data"]["logistic_order_ids"]) == 1


def test_a_list_left_open_is_transferred_by_the_next_ship(connector, ae):
    order_id = place(ae, "MUG-WHITE")
    [opened] = connector.ship_orders([order_id], options={"transfer": False})
    assert _status(connector, order_id) == OrderStatus.PACKED

    [closed] = connector.ship_orders([order_id])

    assert closed.ok and closed.data["handover_list_id"] == opened.data["handover_list_id"]
    ae.order_action("ae-seller", order_id, "advance")  # only a transferred list gets picked up
    assert _status(connector, order_id) == OrderStatus.SHIPPED


def test_labels_come_as_one_pdf_with_the_size_the_pdf_declares(connector, ae):
    first, second = place(ae, "MUG-WHITE"), place(ae, "SOCKS")
    connector.ship_orders([first, second])

    [label] = connector.get_labels([first, second])

    assert label.content.startswith(b"%PDF-")
    assert (label.content_type, label.external_ids) == ("application/pdf", (first, second))
    assert (label.width_mm, label.height_mm) == (100, 150)


def test_labels_leave_out_orders_without_a_shipment(connector, ae):
    shipped, waiting = place(ae, "MUG-WHITE"), place(ae, "SOCKS")
    connector.ship_orders([shipped])

    [label] = connector.get_labels([shipped, waiting])

    assert label.external_ids == (shipped,)


def test_labels_before_any_shipment_are_refused_with_a_reason(connector, ae):
    order_id = place(ae, "MUG-WHITE")

    with pytest.raises(Conflict, match="ship them first"):
        connector.get_labels([order_id])


def test_labels_in_other_formats_are_not_offered(connector, ae):
    with pytest.raises(OperationNotSupported, match="PDF labels only"):
        connector.get_labels(["5000000000000001"], label_format="zpl")


def test_handover_list_prints_as_an_a4_pdf(connector, ae):
    [result] = connector.ship_orders([place(ae, "MUG-WHITE")])

    act = connector.get_handover_act(result.data["handover_list_id"])

    assert act.content.startswith(b"%PDF-") and (act.width_mm, act.height_mm) == (210, 297)


def test_seller_logistics_order_needs_a_tracking_number(sandbox, seller, ae):
    connector = make_connector(sandbox)
    order_id = place(ae, "MUG-WHITE", scheme="dbs")

    [result] = connector.ship_orders([order_id])

    assert not result.ok and "tracking_number" in result.error


def test_seller_logistics_order_ships_in_transit_and_is_delivered(sandbox, seller, ae):
    connector = make_connector(sandbox)
    order_id = place(ae, "MUG-WHITE", scheme="dbs")
    tracking = {order_id: {"tracking_number": "CDEK-100200", "provider_name": "СДЭК"}}

    [result] = connector.ship_orders([order_id], options={"tracking": tracking})

    assert result.ok and result.data["created_orders"][0]["external_provider"] == "СДЭК"
    assert _status(connector, order_id) == OrderStatus.SHIPPED
    ae.order_action("ae-seller", order_id, "advance")
    assert _status(connector, order_id) == OrderStatus.DELIVERED


def test_confirm_is_not_an_aliexpress_step(connector):
    with pytest.raises(OperationNotSupported, match="no order acceptance step"):
        connector.confirm_orders(["5000000000000001"])


def test_seller_cancellation_is_not_offered_by_the_api(connector):
    with pytest.raises(OperationNotSupported, match="no seller-side cancellation"):
        connector.cancel_order("5000000000000001")


def test_fbo_orders_and_stock_do_not_exist_on_aliexpress(connector):
    with pytest.raises(OperationNotSupported, match="no FBO"):
        connector.fetch_fbo_orders({})
    with pytest.raises(OperationNotSupported, match="no FBO"):
        connector.fetch_fbo_stocks()


def test_sandbox_refuses_fbo_orders(ae, seller):
    with pytest.raises(RuntimeError, match="no FBO"):
        ae.place_order("ae-seller", [{"offer_id": "MUG-WHITE", "quantity": 1}], warehouse_id=WAREHOUSE, scheme="fbo")
