"""Return decisions (getReturnAvailableDecisions + submitReturnDecision) and answers to buyers' cancellation
requests, over real HTTP against the Yandex Market sandbox, and how fetch_returns reports what was decided."""

from __future__ import annotations

import pytest
from django.utils import translation

from connectors.errors import BadRequest
from connectors.yandex_market import mapping, statuses
from returns.choices import ReasonCode, ReturnKind, ReturnStatus
from tests.connectors.yandex_market.conftest import MP, order_items, spec_enum

DECLINE_REASON = "PRODUCT_APPEARANCE_COMPROMISED"


@pytest.fixture(autouse=True)
def english_messages():
    """The assertions below quote the connector's English messages (the UI shows them in Russian)."""
    with translation.override("en"):
        yield


def returned_order(ym, offer_id="TSHIRT-BLK-M", scheme="fbs"):
    """Given a delivered order the buyer asked to return: (order id, return id)."""
    order = ym.place_order("ym1", order_items((offer_id, 1)), scheme=scheme)[0]
    for _ in range(6):
        if ym.order_action("ym1", order["id"], "advance")["order"]["status"] == "DELIVERED":
            break
    return order["id"], str(ym.order_action("ym1", order["id"], "return")["return"])


def record(sandbox, return_id):
    return sandbox.world.seller(MP, "ym1").returns[return_id]


def fetched(connector, return_id):
    batch = connector.fetch_returns({})
    found = [r for r in batch.items if r.external_id == return_id]
    while batch.has_more:
        batch = connector.fetch_returns(batch.cursor)
        found += [r for r in batch.items if r.external_id == return_id]
    return found[-1]


def submits(ym) -> list[dict]:
    return [r for r in ym.requests(marketplace=MP) if r["path"].endswith("/decision/submit")]


def test_a_buyers_return_waits_for_the_sellers_decision(sandbox, connector, ym):
    _order, return_id = returned_order(ym)

    found = fetched(connector, return_id)

    assert (found.kind, found.status, found.marketplace_status, found.reason_code) == (
        ReturnKind.RETURN, ReturnStatus.REQUESTED, "PREMODERATION_DECISION_WAITING / CREATED", ReasonCode.SIZE)


def test_approving_a_return_refunds_and_takes_the_goods_back(sandbox, connector, ym):
    _order, return_id = returned_order(ym)

    result = connector.approve_return(return_id)

    assert (result.ok, result.data) == (True, {"decision": "REFUND_MONEY"})
    assert record(sandbox, return_id).data["items"][0]["decisionType"] == "REFUND_MONEY"
    found = fetched(connector, return_id)
    assert (found.status, found.marketplace_status) == (ReturnStatus.APPROVED, "PREMODERATION_DECISION_MADE / CREATED")


def test_an_approved_return_goes_on_to_the_seller(sandbox, connector, ym):
    order_id, return_id = returned_order(ym)
    connector.approve_return(return_id)
    for _ in range(3):
        ym.order_action("ym1", order_id, "advance")  # received from the buyer, in transit, ready for pickup

    found = fetched(connector, return_id)

    assert found.status == ReturnStatus.ARRIVED and found.deadline_at is not None


def test_rejecting_a_return_declines_the_refund_for_one_of_markets_reasons(sandbox, connector, ym):
    _order, return_id = returned_order(ym)

    result = connector.reject_return(return_id, reason=DECLINE_REASON)

    assert (result.ok, result.data) == (True, {"decision": "DECLINE_REFUND", "reason": DECLINE_REASON})
    item = record(sandbox, return_id).data["items"][0]
    assert (item["decisionType"], item["sellerComment"]) == ("DECLINE_REFUND", "Нарушен товарный вид")
    assert fetched(connector, return_id).status == ReturnStatus.REJECTED


def test_rejecting_for_a_reason_market_does_not_know_is_refused_naming_its_reasons(sandbox, connector, ym):
    _order, return_id = returned_order(ym)

    result = connector.reject_return(return_id, reason="buyer is rude")

    assert not result.ok and "MECHANICAL_DAMAGE" in result.error
    assert submits(ym) == []


def test_answering_with_an_offered_decision_submits_it(sandbox, connector, ym):
    _order, return_id = returned_order(ym)

    result = connector.answer_claim(return_id, decision="SEND_TO_EXAMINATION")

    assert result.ok and record(sandbox, return_id).data["items"][0]["decisionType"] == "SEND_TO_EXAMINATION"


def test_a_refund_without_the_goods_leaves_no_parcel_to_wait_for(sandbox, connector, ym):
    _order, return_id = returned_order(ym)

    connector.answer_claim(return_id, decision="FAST_REFUND_MONEY")

    found = fetched(connector, return_id)
    assert (found.status, found.marketplace_status) == (ReturnStatus.APPROVED, "REFUNDED / —")


def test_a_decision_market_does_not_offer_is_refused_naming_the_offered_ones(sandbox, connector, ym):
    _order, return_id = returned_order(ym)

    result = connector.answer_claim(return_id, decision="REPLACE")

    assert not result.ok and "REFUND_MONEY, REFUND_MONEY_INCLUDING_SHIPMENT" in result.error
    assert submits(ym) == []


def test_a_decision_that_needs_a_comment_is_refused_without_one(sandbox, connector, ym):
    _order, return_id = returned_order(ym)

    without = connector.answer_claim(return_id, decision="OTHER_DECISION")
    with_comment = connector.answer_claim(return_id, decision="OTHER_DECISION", comment="Предлагаем обмен на L")

    assert not without.ok and "comment" in without.error
    assert with_comment.ok


def test_declining_or_a_partial_refund_through_answer_claim_is_refused_with_the_way_to_do_it(sandbox, connector, ym):
    _order, return_id = returned_order(ym)

    decline = connector.answer_claim(return_id, decision="DECLINE_REFUND")
    partial = connector.answer_claim(return_id, decision="PARTIAL_MONEY_REFUND")

    assert not decline.ok and "reject the return" in decline.error
    assert not partial.ok and "amount" in partial.error
    assert submits(ym) == []


def test_a_decided_return_takes_no_second_decision(sandbox, connector, ym):
    _order, return_id = returned_order(ym)
    connector.approve_return(return_id)

    again = connector.reject_return(return_id, reason=DECLINE_REASON)

    assert not again.ok and "waiting for the seller's decision" in again.error


def test_the_sandbox_refuses_a_decision_on_a_decided_return_as_market_does(sandbox, connector, ym, seller):
    order_id, return_id = returned_order(ym)
    item_id = record(sandbox, return_id).data["items"][0]["returnItemId"]
    connector.approve_return(return_id)
    campaign = seller["account"]["campaign_id"]

    with pytest.raises(BadRequest) as refused:
        connector.http.request("partner", "POST", f"/v2/campaigns/{campaign}/orders/{order_id}/returns/{return_id}"
                                                  "/decision/submit",
                               json=mapping.return_decision_body([item_id], "REFUND_MONEY"))

    assert refused.value.http_status == 400 and "not waiting for a decision" in refused.value.detail


def test_a_non_purchase_takes_no_decision(sandbox, connector, ym):
    order = ym.place_order("ym1", order_items(("MUG-01", 1)))[0]
    for _ in range(3):
        ym.order_action("ym1", order["id"], "advance")
    return_id = str(ym.order_action("ym1", order["id"], "return")["return"])

    result = connector.approve_return(return_id)

    assert not result.ok and fetched(connector, return_id).kind == ReturnKind.NON_PURCHASE


def test_an_unknown_return_id_is_refused(connector, ym):
    assert not connector.approve_return("424242").ok
    assert "not a Yandex Market return id" in connector.approve_return("R-1").error


def dbs_cancellation_request(ym) -> tuple[str, str]:
    order = ym.place_order("ym1", order_items(("MUG-01", 1)), scheme="dbs")[0]
    for _ in range(3):
        ym.order_action("ym1", order["id"], "advance")
    ym.order_action("ym1", order["id"], "cancel")
    return order["id"], f"cancellation-{order['id']}"


def sandbox_status(ym, order_id):
    return next(o["status"] for o in ym.orders("ym1") if o["id"] == order_id)


def test_approving_a_cancellation_request_cancels_the_order(connector, ym):
    order_id, request_id = dbs_cancellation_request(ym)

    result = connector.approve_return(request_id)

    assert (result.external_id, result.ok) == (request_id, True)
    assert sandbox_status(ym, order_id) == "CANCELLED"


def test_rejecting_a_cancellation_request_needs_one_of_markets_reasons(connector, ym):
    order_id, request_id = dbs_cancellation_request(ym)

    wrong = connector.reject_return(request_id, reason="too late")
    right = connector.reject_return(request_id, reason="ORDER_IN_DELIVERY")

    assert not wrong.ok and "ORDER_DELIVERED, ORDER_IN_DELIVERY" in wrong.error
    assert right.ok and sandbox_status(ym, order_id) == "DELIVERY"


def test_answering_a_cancellation_request_takes_accept_or_a_refusal_reason(connector, ym):
    order_id, request_id = dbs_cancellation_request(ym)

    wrong = connector.answer_claim(request_id, decision="REFUND_MONEY")
    accepted = connector.answer_claim(request_id, decision="ACCEPT")

    assert not wrong.ok and "ACCEPT" in wrong.error
    assert accepted.ok and sandbox_status(ym, order_id) == "CANCELLED"


def test_a_cancellation_request_answered_once_cannot_be_answered_again(connector, ym):
    _order_id, request_id = dbs_cancellation_request(ym)
    connector.approve_return(request_id)

    again = connector.reject_return(request_id, reason="ORDER_DELIVERED")

    assert not again.ok and "no cancellation request" in again.error


def test_a_cancellation_request_is_a_buyers_cancellation_with_a_48_hour_deadline(connector, ym):
    _order_id, request_id = dbs_cancellation_request(ym)

    [found] = [r for r in connector.fetch_returns({}).items if r.external_id == request_id]

    assert (found.kind, found.status, found.reason_code) == (ReturnKind.CANCELLATION, ReturnStatus.REQUESTED,
                                                             ReasonCode.CANCELLED_BY_BUYER)
    assert (found.deadline_at - found.created_at).total_seconds() == 48 * 3600


@pytest.mark.parametrize(("refund", "decisions", "unified"), [
    ("PREMODERATION_DECISION_MADE", ["DECLINE_REFUND"], ReturnStatus.REJECTED),
    ("DECISION_MADE", ["DECLINE_REFUND", "DECLINE_REFUND"], ReturnStatus.REJECTED),
    ("DECISION_MADE", ["DECLINE_REFUND", "REFUND_MONEY"], ReturnStatus.APPROVED),
    ("PREMODERATION_DECISION_MADE", ["REFUND_MONEY"], ReturnStatus.APPROVED),
    ("PREMODERATION_DECISION_WAITING", [], ReturnStatus.REQUESTED),
])
def test_a_decided_return_is_rejected_only_when_every_item_was_declined(refund, decisions, unified):
    raw = {"id": 1, "orderId": 2, "returnType": "RETURN", "refundStatus": refund,
           "items": [{"shopSku": "A", "count": 1,
                      "decisions": [{"returnItemId": 10 + n, "decisionType": d, "reasonType": "BAD_QUALITY"}]}
                     for n, d in enumerate(decisions)] or [{"shopSku": "A", "count": 1}]}

    dto = mapping.return_from_json(raw, campaign_id="5")

    assert (dto.status, dto.reason_code) == (unified, ReasonCode.DEFECT if decisions else ReasonCode.OTHER)


@pytest.mark.parametrize("decision", spec_enum("ReturnRequestDecisionType"))
def test_every_decision_in_the_spec_is_known_with_what_it_needs(decision):
    assert decision in statuses.RETURN_DECISIONS


@pytest.mark.parametrize("reason", spec_enum("ReturnRequestDecisionReasonType"))
def test_every_decline_reason_in_the_spec_has_the_words_sent_as_its_comment(reason):
    assert statuses.DECLINE_REASONS[reason]
