"""FBS assembly tasks through the connector against the WB sandbox over real HTTP: new orders, changed orders with
paging, statuses, confirm (supplies), ship (deliver), cancel, stickers."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader

from connectors.errors import AuthRejected, BadRequest, OperationNotSupported
from orders.choices import OrderStatus, Scheme
from tests.connectors.wb.conftest import (
    SECOND_WAREHOUSE,
    WAREHOUSE,
    build_connector,
    key_of,
    make_token,
    seller_spec,
    world_seller,
)


def place(wb, seller, offer_id="TSHIRT-BLK-M", quantity=1, warehouse=WAREHOUSE):
    return wb.place_order("s1", [{"key": key_of(seller, offer_id), "quantity": quantity}], warehouse)


def test_check_names_the_account_and_what_the_token_allows(connector):
    assert connector.check().startswith("NordLine (ИП Иванов) — token valid until ")


def test_check_refuses_a_token_without_the_marketplace_category(sandbox, wb):
    spec = seller_spec("s2")
    spec["credentials"]["token"] = make_token(1 << 4, seller="s2")  # statistics only
    seller = wb.create_seller(spec)

    with pytest.raises(AuthRejected, match="Marketplace"):
        build_connector(sandbox, seller).check()


def test_an_unknown_token_is_rejected(sandbox, seller):
    connector = build_connector(sandbox, {"credentials": {"token": make_token(seller="nobody")}})

    with pytest.raises(AuthRejected, match="token"):
        connector.fetch_new_orders()


def test_a_basket_of_three_units_arrives_as_three_orders_of_one_unit(wb, seller, connector):
    place(wb, seller, quantity=3)

    batch = connector.fetch_new_orders()

    assert len(batch.items) == 3 and not batch.errors
    assert {(o.scheme, o.status, len(o.lines), o.lines[0].quantity) for o in batch.items} == {
        (Scheme.FBS, OrderStatus.NEW, 1, 1)}
    assert len({o.raw["orderUid"] for o in batch.items}) == 1 and len({o.number for o in batch.items}) == 3


def test_a_new_order_carries_roubles_its_warehouse_and_chrt_id(wb, seller, connector):
    place(wb, seller, "MUG-WHITE")

    order = connector.fetch_new_orders().items[0]

    assert (order.lines[0].offer_id, order.lines[0].price, order.total) == ("MUG-WHITE", Decimal("450.50"),
                                                                            Decimal("450.50"))
    assert (order.warehouse_external_id, order.lines[0].marketplace_sku) == (WAREHOUSE, key_of(seller, "MUG-WHITE"))


def test_an_oversized_order_is_due_by_wbs_recommended_hand_over_day(wb, seller, connector):
    place(wb, seller, "WARDROBE-1")

    order = connector.fetch_new_orders().items[0]

    assert timedelta(days=1) < order.ship_by - datetime.now(UTC) < timedelta(days=3)


def test_changed_orders_page_through_every_task_once_with_its_current_status(sandbox, wb, seller):
    placed = place(wb, seller, quantity=5)
    wb.order_action("s1", placed[0]["id"], "cancel")
    connector = build_connector(sandbox, seller, options={"orders_page_size": 2})

    seen, cursor, pages = [], {}, 0
    while True:
        batch = connector.fetch_changed_orders(cursor)
        seen += batch.items
        cursor, pages = batch.cursor, pages + 1
        if not batch.has_more:
            break

    assert sorted(o.external_id for o in seen) == sorted(o["id"] for o in placed) and pages == 3
    assert {o.external_id: o.status for o in seen}[placed[0]["id"]] == OrderStatus.CANCELLED
    assert connector.fetch_changed_orders(cursor).items == []


def test_changed_orders_resume_after_the_last_page_with_only_new_tasks(wb, seller, connector):
    place(wb, seller)
    cursor = connector.fetch_changed_orders({}).cursor
    later = place(wb, seller, "MUG-WHITE")

    batch = connector.fetch_changed_orders(cursor)

    assert [o.external_id for o in batch.items] == [later[0]["id"]]


def test_statuses_follow_wb_from_shipped_to_delivered(wb, seller, connector):
    task = place(wb, seller)[0]["id"]
    connector.ship_orders([task])
    for _step in range(3):
        wb.order_action("s1", task, "advance")

    status = connector.fetch_order_statuses([task]).items[0]

    assert (status.status, status.marketplace_status, status.marketplace_substatus) == (
        OrderStatus.DELIVERED, "complete", "sold")


def test_a_buyer_cancellation_in_the_first_hour_reads_as_cancelled(wb, seller, connector):
    task = place(wb, seller)[0]["id"]
    wb.order_action("s1", task, "cancel")

    status = connector.fetch_order_statuses([task, "not-a-task"])

    assert [(s.status, s.cancel_reason) for s in status.items] == [(OrderStatus.CANCELLED, "declined_by_client")]
    assert [e.external_id for e in status.errors] == ["not-a-task"]


def test_confirming_puts_new_tasks_into_one_supply(sandbox, wb, seller, connector):
    tasks = [o["id"] for o in place(wb, seller, quantity=2)]

    results = connector.confirm_orders(tasks)

    assert [r.ok for r in results] == [True, True]
    supply_id = results[0].data["supply_id"]
    assert supply_id.startswith("WB-GI-") and results[1].data["supply_id"] == supply_id
    assert [o.status for o in connector.fetch_order_statuses(tasks).items] == [OrderStatus.CONFIRMED] * 2
    assert world_seller(sandbox).data["supplies"][supply_id]["orders"] == [int(t) for t in tasks]


def test_confirming_groups_tasks_the_way_wb_requires_a_supply_to_be_homogeneous(wb, seller, connector):
    mine = place(wb, seller)[0]["id"]
    other_warehouse = place(wb, seller, warehouse=SECOND_WAREHOUSE)[0]["id"]
    oversized = place(wb, seller, "SOFA-1")[0]["id"]

    results = connector.confirm_orders([mine, other_warehouse, oversized])

    assert all(r.ok for r in results)
    assert len({r.data["supply_id"] for r in results}) == 3


def test_one_refused_task_does_not_hide_the_confirmation_of_the_others(wb, seller, connector):
    good = place(wb, seller)[0]["id"]
    cancelled = place(wb, seller)[0]["id"]
    wb.order_action("s1", cancelled, "cancel")

    results = connector.confirm_orders([good, cancelled, "12x"])

    assert [r.ok for r in results] == [True, False, False]
    assert "new/declined_by_client" in results[1].error and "not a WB assembly task id" in results[2].error


def test_confirming_twice_is_harmless(wb, seller, connector):
    task = place(wb, seller)[0]["id"]
    first = connector.confirm_orders([task])[0]

    again = connector.confirm_orders([task])[0]

    assert first.ok and again.ok and again.data["already"] is True


def test_shipping_creates_a_supply_adds_the_tasks_and_hands_it_over(sandbox, wb, seller, connector):
    tasks = [o["id"] for o in place(wb, seller, quantity=2)]

    results = connector.ship_orders(tasks)

    assert [r.ok for r in results] == [True, True]
    supply = world_seller(sandbox).data["supplies"][results[0].data["supply_id"]]
    assert supply["done"] is True and results[0].data["supply_orders"] == sorted(int(t) for t in tasks)
    assert {s.status for s in connector.fetch_order_statuses(tasks).items} == {OrderStatus.SHIPPED}


def test_shipping_confirmed_tasks_delivers_the_supply_they_are_in(sandbox, wb, seller, connector):
    tasks = [o["id"] for o in place(wb, seller, quantity=2)]
    supply_id = connector.confirm_orders(tasks)[0].data["supply_id"]

    results = connector.ship_orders(tasks)

    assert [(r.ok, r.data["supply_id"]) for r in results] == [(True, supply_id)] * 2
    assert world_seller(sandbox).data["supplies"][supply_id]["done"] is True


def test_shipping_reports_each_task_it_could_not_hand_over(wb, seller, connector):
    good = place(wb, seller)[0]["id"]
    cancelled = place(wb, seller)[0]["id"]
    connector.cancel_order(cancelled)

    results = connector.ship_orders([good, cancelled])

    assert [r.ok for r in results] == [True, False] and "cancel/canceled" in results[1].error


def test_the_seller_cancels_a_new_task(wb, seller, connector):
    task = place(wb, seller)[0]["id"]

    result = connector.cancel_order(task, "out of stock")

    assert result.ok
    assert connector.fetch_order_statuses([task]).items[0].status == OrderStatus.CANCELLED


def test_a_task_already_handed_over_cannot_be_cancelled(wb, seller, connector):
    task = place(wb, seller)[0]["id"]
    connector.ship_orders([task])

    result = connector.cancel_order(task)

    assert not result.ok and "StatusMismatch" in result.error


@pytest.mark.parametrize(
    ("label_format", "content_type", "prefix", "size"),
    [("svg", "image/svg+xml", b"<svg", (58, 40)), ("png_40x30", "image/png", b"\x89PNG", (40, 30))],
)
def test_stickers_come_one_file_per_task_in_the_asked_format_and_size(wb, seller, connector, label_format,
                                                                        content_type, prefix, size):
    tasks = [o["id"] for o in place(wb, seller, quantity=2)]
    connector.confirm_orders(tasks)

    labels = connector.get_labels(tasks, label_format)

    assert [(lf.external_ids, lf.content_type, lf.content[:len(prefix)], (lf.width_mm, lf.height_mm))
            for lf in labels] == [((t,), content_type, prefix, size) for t in tasks]


def test_zpl_stickers_come_as_one_printable_file(wb, seller, connector):
    tasks = [o["id"] for o in place(wb, seller, quantity=2)]
    connector.confirm_orders(tasks)

    [label] = connector.get_labels(tasks, "zpl")

    assert label.content_type == "text/plain" and label.content.count(b"^XA") == 2
    assert label.external_ids == tuple(tasks)


def test_pdf_stickers_are_assembled_one_per_page(wb, seller, connector):
    tasks = [o["id"] for o in place(wb, seller, quantity=2)]
    connector.confirm_orders(tasks)

    [label] = connector.get_labels(tasks, "pdf")

    pages = PdfReader(io.BytesIO(label.content)).pages
    assert len(pages) == 2 and (label.width_mm, label.height_mm) == (58, 40)
    assert [round(float(p.mediabox.width) * 25.4 / 72) for p in pages] == [58, 58]


def test_stickers_of_tasks_not_yet_in_a_supply_are_refused_with_the_reason(wb, seller, connector):
    task = place(wb, seller)[0]["id"]

    with pytest.raises(BadRequest, match="supply"):
        connector.get_labels([task], "svg")


def test_a_label_format_wb_does_not_offer_is_an_unsupported_operation(connector):
    with pytest.raises(OperationNotSupported, match="zplv"):
        connector.get_labels(["1"], "epl")


def test_a_broken_task_is_kept_as_an_ingest_error_and_the_others_arrive(sandbox, wb, seller, connector):
    tasks = [o["id"] for o in place(wb, seller, quantity=3)]
    served = world_seller(sandbox).orders
    served[tasks[0]].data["task"]["price"] = 10**15  # a huge number
    del served[tasks[1]].data["task"]["rid"]  # a missing field (the spec lets WB omit any field)

    batch = connector.fetch_new_orders()

    assert [o.external_id for o in batch.items] == [tasks[2]]
    assert sorted(e.external_id for e in batch.errors) == sorted(tasks[:2])
