"""AliExpress orders through the connector against the sandbox over real HTTP: new orders, changed orders with
page-number pagination and the update_at_from cursor, statuses, buyer cancellations."""

from __future__ import annotations

import time
from decimal import Decimal

from connectors.aliexpress.connector import ORDER_PAGE_SIZE
from orders.choices import OrderStatus, PaymentStatus, Scheme
from tests.connectors.aliexpress.conftest import WAREHOUSE, make_connector


def place(ae, offer_id: str, quantity: int = 1, **kwargs) -> str:
    return ae.place_order("ae-seller", [{"offer_id": offer_id, "quantity": quantity}], **kwargs)[0]["id"]


def test_check_describes_the_account(connector, ae):
    place(ae, "MUG-WHITE")

    assert connector.check() == "AliExpress: 1 orders"


def test_new_order_arrives_with_roubles_sku_code_and_deadline(connector, ae):
    order_id = place(ae, "MUG-WHITE", 2)

    batch = connector.fetch_new_orders()

    [dto] = batch.items
    assert batch.errors == []
    assert (dto.external_id, dto.status, dto.scheme, dto.payment_status) == (
        order_id, OrderStatus.NEW, Scheme.FBS, PaymentStatus.PREPAID)
    assert (dto.lines[0].offer_id, dto.lines[0].quantity, dto.lines[0].price) == ("MUG-WHITE", 2, Decimal("450.50"))
    assert dto.total == Decimal("901.00")
    assert dto.warehouse_external_id == WAREHOUSE
    assert dto.ship_by is not None and dto.ship_by.utcoffset().total_seconds() == 0
    assert dto.ship_by.hour == 15  # 18:00 Moscow


def test_new_orders_leave_out_orders_already_shipped_or_cancelled(connector, ae):
    kept = place(ae, "SOCKS")
    cancelled = place(ae, "SOCKS")
    ae.order_action("ae-seller", cancelled, "cancel")

    assert [dto.external_id for dto in connector.fetch_new_orders().items] == [kept]


def test_duplicated_list_answers_hand_each_order_over_once(connector, ae):
    ids = {place(ae, "SOCKS") for _ in range(3)}
    ae.set_faults(duplicate_rate=1.0, reorder=True)

    items = connector.fetch_new_orders().items

    assert sorted(dto.external_id for dto in items) == sorted(ids)


def _scan(connector, cursor):
    """Read pages until the scan ends; returns (orders by id, pages read, final cursor)."""
    seen, pages = {}, 0
    while True:
        batch = connector.fetch_changed_orders(cursor)
        pages += 1
        assert batch.errors == []
        seen.update({dto.external_id: dto for dto in batch.items})
        cursor = batch.cursor
        if not batch.has_more:
            return seen, pages, cursor


def test_changed_orders_page_through_every_order(sandbox, seller, ae):
    connector = make_connector(sandbox)
    ids = {place(ae, "SOCKS") for _ in range(2 * ORDER_PAGE_SIZE + 5)}

    seen, pages, cursor = _scan(connector, {})

    assert set(seen) == ids
    assert pages == 3
    assert cursor["page"] == 1 and "updated_from" in cursor


def test_a_finished_scan_does_not_repeat_orders_that_did_not_change(sandbox, seller, ae):
    connector = make_connector(sandbox, scan_overlap_s=0)
    for _ in range(3):
        place(ae, "SOCKS")
    time.sleep(1.1)  # the server clock (Date header) has one-second resolution
    _seen, _pages, cursor = _scan(connector, {})

    again = connector.fetch_changed_orders(cursor)

    assert again.items == [] and not again.has_more


def test_an_order_changed_while_paging_is_not_lost(sandbox, seller, ae):
    connector = make_connector(sandbox)
    ids = [place(ae, "SOCKS") for _ in range(2 * ORDER_PAGE_SIZE + 5)]
    first = connector.fetch_changed_orders({})
    oldest = ids[0]  # newest first: the oldest order sits on the last page
    assert oldest not in {dto.external_id for dto in first.items}

    ae.order_action("ae-seller", oldest, "cancel")
    seen, _pages, cursor = _scan(connector, first.cursor)
    later, _pages, _cursor = _scan(connector, cursor)

    statuses = {**seen, **later}
    assert statuses[oldest].status == OrderStatus.CANCELLED


def test_buyer_cancellation_shows_as_cancelled_with_reason(connector, ae):
    order_id = place(ae, "MUG-WHITE")
    ae.order_action("ae-seller", order_id, "cancel")

    [status] = connector.fetch_order_statuses([order_id]).items

    assert (status.status, status.marketplace_status, status.cancel_reason) == (
        OrderStatus.CANCELLED, "Cancelled", "Buyer cancelled")


def test_order_statuses_report_unknown_ids_as_payload_errors_and_go_on(connector, ae):
    order_id = place(ae, "MUG-WHITE")

    batch = connector.fetch_order_statuses(["not-an-id", order_id])

    assert [dto.external_id for dto in batch.items] == [order_id]
    assert [error.external_id for error in batch.errors] == ["not-an-id"]


def test_order_statuses_page_over_many_ids(connector, ae):
    ids = [place(ae, "SOCKS") for _ in range(ORDER_PAGE_SIZE + 3)]

    batch = connector.fetch_order_statuses(ids)

    assert sorted(dto.external_id for dto in batch.items) == sorted(ids)
