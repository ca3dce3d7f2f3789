"""The AliExpress status tables, exhaustively against every value aliexpress.md §3.2 lists.

AliExpress has no machine-readable spec: the doc's status table is the enum. One test reads that table from the doc
folder (next to ``connectors.specs.specs_dir()``) and compares it with the code's tables; it skips when the folder
is absent. The parametrized tests walk the code's tables and run everywhere.
"""

from __future__ import annotations

import re

import pytest

from connectors.aliexpress import statuses
from connectors.specs import specs_dir
from orders.choices import OrderStatus
from returns.choices import ReturnStatus
from tests.connectors.aliexpress.payloads import order, shipment

DOC_FIELDS = {
    "status": statuses.ORDER_STATUS,
    "payment_status": statuses.PAYMENT_STATUS,
    "delivery_status": statuses.DELIVERY_STATUS,
    "antifraud_status": statuses.ANTIFRAUD_STATUS,
    "order_display_status": statuses.DISPLAY_STATUS,
    "logistic_orders[].status": statuses.LOGISTIC_STATUS,
}


def _doc_values() -> dict[str, set[str]]:
    folder = specs_dir()
    doc = folder.parent / "aliexpress.md" if folder else None
    if doc is None or not doc.is_file():
        pytest.skip("aliexpress.md is not present next to the marketplace specs folder (../shared/marketplaces)")
    section = doc.read_text(encoding="utf-8").split("### 3.2", 1)[1].split("### 3.3", 1)[0]
    found: dict[str, set[str]] = {}
    for row in section.splitlines():
        cells = [cell.strip() for cell in row.split("|")[1:-1]]
        if len(cells) >= 2 and cells[0].strip("`") in DOC_FIELDS:
            found[cells[0].strip("`")] = set(re.findall(r"`([A-Za-z]+)`", cells[1]))
    return found


def test_status_tables_hold_exactly_the_values_the_doc_lists():
    documented = _doc_values()

    assert set(documented) == set(DOC_FIELDS)
    for field, values in documented.items():
        # The one extra key is the doc's note that a client library spells WaitSendGoods as WaitSendGood.
        extra = {"WaitSendGood"} if field == "order_display_status" else set()
        assert set(DOC_FIELDS[field]) == values | extra, field


def _payload_with(field: str, value: str) -> dict:
    if field == "logistic_orders[].status":
        return order(status="InProgress", logistic_orders=[shipment(value)])
    return order(**{field: value})


@pytest.mark.parametrize(("field", "value"), list(statuses.all_documented_values()))
def test_every_documented_value_maps_to_a_unified_status(field, value):
    assert statuses.unified_status(_payload_with(field, value)) in OrderStatus.values


@pytest.mark.parametrize("field", list(DOC_FIELDS))
def test_an_undocumented_value_raises_instead_of_defaulting(field):
    with pytest.raises(statuses.UnknownStatus, match="NotAStatus"):
        statuses.unified_status(_payload_with(field, "NotAStatus"))


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, OrderStatus.NEW),
        ({"payment_status": "NotPaid", "order_display_status": "PaymentPending"}, OrderStatus.NEW),
        ({"status": "InProgress", "logistic_orders": [shipment("AwaitingCreateOrder")]}, OrderStatus.CONFIRMED),
        ({"status": "InProgress", "logistic_orders": [shipment("AwaitingHandoverList")]}, OrderStatus.PACKED),
        ({"status": "InProgress", "logistic_orders": [shipment("AwaitingDispatch"),
                                                      shipment("OrderReceivedFromSeller", 2)]}, OrderStatus.PACKED),
        ({"status": "InProgress", "logistic_orders": [shipment("Cancelled")]}, OrderStatus.NEW),
        ({"status": "InProgress", "delivery_status": "PartialShipped"}, OrderStatus.PACKED),
        ({"status": "InProgress", "delivery_status": "Shipped", "order_display_status": "WaitAcceptGoods"},
         OrderStatus.SHIPPED),
        ({"status": "Finished", "delivery_status": "Delivered", "order_display_status": "Finish"},
         OrderStatus.DELIVERED),
        ({"status": "Finished", "delivery_status": "Init", "order_display_status": "Close"}, OrderStatus.CANCELLED),
        ({"status": "Cancelled", "order_display_status": "Close"}, OrderStatus.CANCELLED),
        ({"status": "InProgress", "order_display_status": "InCancel"}, OrderStatus.NEW),
        ({"status": "Cancelled", "order_display_status": "Close",
          "logistic_orders": [shipment("ProviderPostingReturned")]}, OrderStatus.RETURNED),
    ],
)
def test_status_fields_combine_into_the_unified_status(fields, expected):
    assert statuses.unified_status(order(**fields)) == expected


def test_every_return_status_is_a_unified_return_status():
    tables = (statuses.NON_PURCHASE_STATUS, statuses.CANCELLATION_STATUS, statuses.CLAIM_STATUS)

    assert {value for table in tables for value in table.values()} <= set(ReturnStatus.values)
    assert set(statuses.NON_PURCHASE_STATUS) <= set(statuses.LOGISTIC_STATUS)
