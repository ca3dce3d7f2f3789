"""The status tables against every value the official enums list (read from the spec at test time)."""

from __future__ import annotations

import pytest

from connectors.yandex_market import statuses
from connectors.yandex_market.statuses import UnknownStatus, unified_order_status, unified_return_status
from orders.choices import OrderStatus
from returns.choices import ReasonCode, ReturnKind, ReturnStatus
from tests.connectors.yandex_market.conftest import spec_enum


@pytest.mark.parametrize("status", spec_enum("OrderStatusType"))
def test_every_documented_order_status_has_a_row(status):
    assert status in statuses.ORDER_STATUSES
    if statuses.ORDER_STATUSES[status] is None:
        with pytest.raises(UnknownStatus):
            unified_order_status(status)
    else:
        assert unified_order_status(status) in OrderStatus.values


@pytest.mark.parametrize("substatus", spec_enum("OrderSubstatusType"))
def test_every_documented_substatus_is_known(substatus):
    assert substatus in statuses.ORDER_SUBSTATUSES
    assert unified_order_status("CANCELLED", substatus) == OrderStatus.CANCELLED


@pytest.mark.parametrize("substatus", spec_enum("OrderSubstatusType", api="notification-api"))
def test_every_substatus_the_notifications_send_is_known(substatus):
    assert substatus in statuses.ORDER_SUBSTATUSES


@pytest.mark.parametrize(("substatus", "expected"), [
    ("STARTED", OrderStatus.NEW),
    ("PACKAGING", OrderStatus.PICKING),
    ("READY_TO_SHIP", OrderStatus.PACKED),
    ("SHIPPED", OrderStatus.SHIPPED),
    ("AWAIT_CONFIRMATION", OrderStatus.NEW),
])
def test_the_processing_stage_decides_the_unified_status(substatus, expected):
    assert unified_order_status("PROCESSING", substatus) == expected


def test_delivery_steps_and_final_states_map_to_shipped_delivered_and_returned():
    assert unified_order_status("DELIVERY", "DELIVERY_SERVICE_RECEIVED") == OrderStatus.SHIPPED
    assert unified_order_status("PICKUP", "PICKUP_SERVICE_RECEIVED") == OrderStatus.SHIPPED
    assert unified_order_status("DELIVERED", "DELIVERY_SERVICE_DELIVERED") == OrderStatus.DELIVERED
    assert unified_order_status("RETURNED", "UNKNOWN") == OrderStatus.RETURNED


def test_a_status_market_adds_later_raises_instead_of_becoming_new():
    with pytest.raises(UnknownStatus, match="TELEPORTED"):
        unified_order_status("TELEPORTED", "STARTED")


def test_an_unknown_substatus_raises():
    with pytest.raises(UnknownStatus, match="BEAMED_UP"):
        unified_order_status("PROCESSING", "BEAMED_UP")


@pytest.mark.parametrize("value", spec_enum("RefundStatusType"))
def test_every_documented_refund_status_has_a_row(value):
    assert value in statuses.REFUND_STATUSES
    assert unified_return_status(value, None) in ReturnStatus.values


@pytest.mark.parametrize("value", spec_enum("ReturnShipmentStatusType"))
def test_every_documented_return_shipment_status_has_a_row(value):
    assert value in statuses.RETURN_SHIPMENT_STATUSES
    assert unified_return_status(None, value) in ReturnStatus.values


@pytest.mark.parametrize("value", spec_enum("ReturnType"))
def test_every_documented_return_type_is_a_kind(value):
    assert statuses.return_kind(value) in ReturnKind.values


@pytest.mark.parametrize("value", spec_enum("ReturnDecisionReasonType"))
def test_every_documented_return_reason_has_a_code(value):
    assert statuses.return_reason(value, None, ReturnKind.RETURN) in ReasonCode.values


def test_a_return_is_at_the_further_of_its_refund_and_parcel_steps():
    assert unified_return_status("REFUNDED", "IN_TRANSIT") == ReturnStatus.IN_TRANSIT
    assert unified_return_status("REJECTED", "CREATED") == ReturnStatus.REJECTED
    assert unified_return_status("STARTED_BY_USER", "READY_FOR_PICKUP") == ReturnStatus.ARRIVED
    assert unified_return_status(None, None) == ReturnStatus.REQUESTED


def test_an_unknown_return_status_raises():
    with pytest.raises(UnknownStatus, match="shipmentStatus"):
        unified_return_status("REFUNDED", "SENT_TO_MARS")
