"""Returns end to end over real HTTP on each sandbox marketplace: the buyer returns what was delivered, the returns
job brings it in, the desk receives, inspects and restocks it, and every channel offers the unit again."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from connectors.errors import OperationNotSupported
from connectors.push import push_dirty
from connectors.registry import connector_for
from connectors.services import run_job
from inventory.choices import MovementKind
from inventory.models import StockLevel, StockMovement
from orders.models import Order
from returns import services
from returns.models import Claim, Return

MARKETPLACES = ["wb", "ozon", "yandex_market", "aliexpress"]


def seller_of(market, marketplace: str) -> str:
    return f"okno-{market.connections[marketplace].pk}"


def sell(market, marketplace: str, variant, scheme: str = "fbs") -> dict:
    return market.controls[marketplace].place_order(seller_of(market, marketplace),
                                                    [{"offer_id": variant.sku, "quantity": 1}], scheme=scheme)[0]


def hand_over(connection, external_id: str) -> None:
    """The seller's side of shipping, straight through the connector (accept where needed, then ship)."""
    connector = connector_for(connection)
    try:
        try:
            connector.confirm_orders([external_id])
        except OperationNotSupported:
            pass  # Ozon and AliExpress have no acceptance step
        results = connector.ship_orders([external_id])
        assert all(result.ok for result in results), results
    finally:
        connector.http.close()


def advance(market, marketplace: str, order_id: str, *, until: str = "return") -> None:
    """Move the order along the marketplace's lifecycle (shipping it when the marketplace waits for the seller)
    until the buyer can ``until`` it; Okno follows through the statuses job after every step."""
    connection = market.connections[marketplace]
    control = market.controls[marketplace]
    seller = seller_of(market, marketplace)
    for _step in range(10):
        try:
            control.order_action(seller, order_id, until)
            return
        except RuntimeError:
            pass
        try:
            control.order_action(seller, order_id, "advance")
        except RuntimeError:
            hand_over(connection, order_id)
        run_job(connection, "statuses")
    pytest.fail(f"{marketplace}: the buyer could never {until} order {order_id}")


def returned(market, marketplace: str, variant) -> Return:
    """A unit sold on ``marketplace``, delivered (or refused on the way) and sent back; the returns job has run."""
    placed = sell(market, marketplace, variant)
    run_job(market.connections[marketplace], "orders")
    advance(market, marketplace, str(placed["id"]))
    report = run_job(market.connections[marketplace], "returns")
    assert report.ok and report.created >= 1, report.summary()
    return Return.objects.get(connection=market.connections[marketplace])


@pytest.mark.parametrize("marketplace", MARKETPLACES)
def test_a_return_is_received_inspected_restocked_and_offered_again_everywhere(market, owner, marketplace):
    variant = market.variants[0]  # 3 in stock
    ret = returned(market, marketplace, variant)
    assert ret.order is not None and ret.lines.get().variant == variant

    services.mark_received(None, owner, barcode=ret.order.number)
    services.inspect(ret, owner, "ok", "Как новый")
    services.restock(ret, owner, market.warehouse)
    pushed = {mp: push_dirty(connection) for mp, connection in market.connections.items()}

    ret.refresh_from_db()
    assert ret.status == "restocked"
    movement = StockMovement.objects.get(kind=MovementKind.RETURN)
    assert (movement.variant, movement.on_hand_delta, movement.reference) == (variant, 1, f"return:{ret.pk}")
    level = StockLevel.objects.get(variant=variant, warehouse=market.warehouse)
    assert (level.on_hand, level.reserved) == (3, 0)
    for mp in MARKETPLACES:
        assert market.shown(mp, variant) == 3, (mp, pushed[mp])


def test_a_wildberries_claim_is_answered_before_its_deadline(market, owner):
    ret = returned(market, "wb", market.variants[1])
    claim = Claim.objects.get(return_request=ret)
    decision = services.claim_decisions(claim)[0]  # the marketplace lists what it accepts

    answer = services.answer_claim(claim, owner, decision, "Примем товар на проверку")

    assert answer.ok, answer.message
    claim.refresh_from_db()
    assert (claim.status, claim.decision, claim.answered_by) == ("answered", decision, owner)
    assert claim.deadline_at is None or claim.answered_at < claim.deadline_at
    run_job(market.connections["wb"], "returns")
    claim.refresh_from_db()
    assert claim.marketplace_status != "0/0"  # Wildberries took the decision


def test_a_yandex_market_cancellation_request_is_approved_before_its_deadline(market, owner):
    connection = market.connections["yandex_market"]
    placed = sell(market, "yandex_market", market.variants[1], scheme="dbs")
    run_job(connection, "orders")
    control, seller = market.controls["yandex_market"], seller_of(market, "yandex_market")
    while control.order_action(seller, str(placed["id"]), "advance")["order"]["status"] != "DELIVERY":
        run_job(connection, "statuses")  # ready to ship, shipped: the seller delivers a DBS order itself
    control.order_action(seller, str(placed["id"]), "cancel")  # on its way: Market asks the seller
    run_job(connection, "returns")
    request = Return.objects.get(connection=connection, kind="cancellation")
    assert request.status == "requested" and request.deadline_at > timezone.now()

    answer = services.approve(request, owner)

    assert answer.ok, answer.message
    request.refresh_from_db()
    assert request.status == "approved"
    run_job(connection, "statuses")
    assert Order.objects.get(connection=connection).status == "cancelled"


def test_an_aliexpress_dispute_cannot_be_answered_through_the_api_and_says_so(market, owner):
    connection = market.connections["aliexpress"]
    placed = sell(market, "aliexpress", market.variants[1])
    run_job(connection, "orders")
    hand_over(connection, str(placed["id"]))
    control, seller = market.controls["aliexpress"], seller_of(market, "aliexpress")
    while control.order_action(seller, str(placed["id"]), "advance")["order"]["status"] != "Finished":
        pass  # the carrier moves the parcel on to the buyer
    control.order_action(seller, str(placed["id"]), "return")  # delivered: the buyer opens a dispute
    run_job(connection, "returns")
    dispute = Return.objects.get(connection=connection, kind="claim")
    claim = Claim.objects.get(return_request=dispute)

    answer = services.answer_claim(claim, owner, "refund", "Вернём деньги")

    assert not answer.ok and answer.message
    claim.refresh_from_db()
    dispute.refresh_from_db()
    assert (claim.status, claim.answered_at) == ("open", None)
    assert answer.message in dispute.inspection_note


def test_a_return_of_an_order_okno_never_saw_is_kept_unmatched_and_shown(market, client, owner):
    connection = market.connections["ozon"]
    control = market.controls["ozon"]
    placed = sell(market, "ozon", market.variants[2])
    for _step in range(2):  # delivering; Okno has not polled the order
        control.order_action(seller_of(market, "ozon"), placed["id"], "advance")
    control.order_action(seller_of(market, "ozon"), placed["id"], "return")

    run_job(connection, "returns")

    ret = Return.objects.get(connection=connection)
    assert ret.order is None and ret.order_external_id == placed["id"]
    client.force_login(owner)
    html = client.get(reverse("returns:return_list"), {"unmatched": "true"}).content.decode()
    assert placed["id"] in html


def test_the_same_return_delivered_twice_and_duplicated_changes_nothing(market):
    ret = returned(market, "ozon", market.variants[1])
    stamp = ret.updated_at
    market.controls["ozon"].set_faults(duplicate_rate=1.0)

    report = run_job(market.connections["ozon"], "returns")

    assert report.ok and report.created == 0
    assert Return.objects.count() == 1
    ret.refresh_from_db()
    assert (ret.updated_at, ret.lines.count()) == (stamp, 1)
