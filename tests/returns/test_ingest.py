"""Returns enter Okno idempotently; unknown orders are kept, cancellations cancel what is still open."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from inventory.models import StockLevel
from inventory.services import StockLine, reserve
from orders.choices import OrderStatus, StockState
from orders.models import Order
from returns.models import Claim, Return
from returns.services import ingest_return
from tests.factories import OrderFactory, OrderLineFactory


def test_a_return_for_an_unknown_order_is_kept_as_unmatched(desk, in_org):
    ret = desk.ingest(order_external_id="NOBODY-KNOWS-1")

    assert ret.order is None
    assert ret.order_external_id == "NOBODY-KNOWS-1"
    assert ret.lines.get().variant == desk.variant


def test_the_same_return_delivered_twice_changes_nothing(desk, in_org):
    dto = desk.dto()
    ingest_return(desk.connection, dto)
    first = Return.objects.get()
    stamp = first.updated_at

    created = ingest_return(desk.connection, dto)

    assert created is False
    again = Return.objects.get()
    assert (again.pk, again.updated_at, again.lines.count()) == (first.pk, stamp, 1)


def test_a_stale_report_never_moves_a_return_back(desk, in_org):
    dto = desk.dto(status="arrived", marketplace_status="ArrivedAtReturnPlace")
    ingest_return(desk.connection, dto)

    ingest_return(desk.connection, desk.dto(external_id=dto.external_id, status="in_transit",
                                            marketplace_status="MovingToSeller"))

    assert Return.objects.get().status == "arrived"


def test_an_unmatched_return_is_linked_when_its_order_arrives(desk, in_org):
    dto = desk.dto(order_external_id="LATE-ORDER-7")
    ingest_return(desk.connection, dto)
    order = OrderFactory(organization=desk.org, connection=desk.connection, external_id="LATE-ORDER-7")
    line = OrderLineFactory(organization=desk.org, order=order, variant=desk.variant, offer_id=desk.listing.offer_id)

    ingest_return(desk.connection, dto)

    ret = Return.objects.get()
    assert ret.order == order
    assert ret.lines.get().order_line == line


def _reserved_order(desk, external_id: str) -> Order:
    order = OrderFactory(organization=desk.org, connection=desk.connection, external_id=external_id,
                         warehouse=desk.warehouse, status=OrderStatus.CONFIRMED)
    line = OrderLineFactory(organization=desk.org, order=order, variant=desk.variant, quantity=2)
    assert reserve(warehouse=desk.warehouse, lines=[StockLine(desk.variant.pk, 2, line.pk)], order_id=order.pk,
                   key_prefix=f"order:{order.pk}").ok
    Order.objects.filter(pk=order.pk).update(stock_state=StockState.RESERVED)
    return order


def test_a_cancellation_carried_out_by_the_marketplace_cancels_the_open_order_and_releases_stock(desk, in_org):
    order = _reserved_order(desk, "CANCEL-ME-1")

    ingest_return(desk.connection, desk.dto(order_external_id="CANCEL-ME-1", kind="cancellation", status="approved",
                                            reason="Покупатель передумал", reason_code="cancelled_by_buyer"))

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order.cancel_reason == "Покупатель передумал"
    assert StockLevel.objects.get(variant=desk.variant, warehouse=desk.warehouse).reserved == 0


def test_a_cancellation_request_waits_for_the_sellers_answer(desk, in_org):
    order = _reserved_order(desk, "ASKED-1")

    ingest_return(desk.connection, desk.dto(order_external_id="ASKED-1", kind="cancellation", status="requested",
                                            deadline_at=timezone.now() + timedelta(hours=48)))

    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert StockLevel.objects.get(variant=desk.variant, warehouse=desk.warehouse).reserved == 2


def test_a_claim_follows_the_marketplaces_later_reports(desk, in_org):
    dto = desk.dto(kind="claim", status="requested", marketplace_status="0/0")
    ingest_return(desk.connection, dto)
    deadline = timezone.now() + timedelta(hours=30)

    ingest_return(desk.connection, desk.dto(external_id=dto.external_id, kind="claim", status="rejected",
                                            marketplace_status="1/1", deadline_at=deadline))

    claim = Claim.objects.get()
    assert (claim.status, claim.marketplace_status, claim.deadline_at) == ("rejected", "1/1", deadline)

