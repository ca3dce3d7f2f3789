"""Answers to rFBS return requests (ozon.md §8.2) and rFBS cancellation requests (§4) over real HTTP against the
Ozon sandbox; FBS/FBO returns take none. Also how fetch_returns reports each (status, kind, reason, deadline)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from connectors.errors import BadRequest, OperationNotSupported
from connectors.ozon import mapping, statuses
from connectors.ozon.connector import OzonConnector
from orders.choices import OrderStatus, Scheme
from returns.choices import ReasonCode, ReturnKind, ReturnStatus
from tests.connectors.ozon.conftest import _ids, make_config, seller_spec
from tests.connectors.ozon.test_statuses import _listed, _schema, _values


@pytest.fixture
def seller(ozon):
    """A seller who delivers himself (rFBS) from every warehouse."""
    spec = seller_spec(f"ozon-{uuid.uuid4().hex[:8]}", account={"rfbs": True})
    spec["credentials"]["client_id"] = str(next(_ids))
    return ozon.create_seller(spec)


def posting(ozon, seller, offer_id="TSHIRT-BLK-M", steps=3) -> str:
    """A posting moved ``steps`` along: 2 = on its way to the buyer, 3 = delivered."""
    number = ozon.place_order(seller["id"], [{"offer_id": offer_id, "quantity": 1}])[0]["id"]
    for _ in range(steps):
        ozon.order_action(seller["id"], number, "advance")
    return number


def return_request(ozon, seller) -> str:
    """Given a delivered rFBS posting the buyer asks to return: the request's id in Okno."""
    number = posting(ozon, seller)
    return f"rfbs-{ozon.order_action(seller['id'], number, 'return')['return']}"


def one_round(connector, cursor=None):
    """Every page of one round over the three sources; (items, cursor for the next round)."""
    items, cursor = [], dict(cursor or {})
    for _ in range(20):
        batch = connector.fetch_returns(cursor)
        assert not batch.errors, batch.errors
        items += batch.items
        cursor = batch.cursor
        if not batch.has_more:
            return items, cursor
    raise AssertionError("the round never ended")


def found(connector, external_id, cursor=None):
    items, cursor = one_round(connector, cursor)
    return next(r for r in items if r.external_id == external_id), cursor


def request_state(sandbox, seller, external_id) -> str:
    requests = sandbox.world.seller("ozon", seller["id"]).data["rfbs_returns"]
    return requests[external_id.removeprefix("rfbs-")].status


# --- rFBS return requests ------------------------------------------------------------------------------------------


def test_a_return_request_arrives_waiting_for_the_seller_with_reason_photos_and_offered_answers(ozon, seller,
                                                                                                connector):
    request_id = return_request(ozon, seller)

    request, _cursor = found(connector, request_id)

    assert (request.kind, request.scheme, request.status, request.marketplace_status) == (
        ReturnKind.RETURN, Scheme.DBS, ReturnStatus.REQUESTED, "New/ON_APPROVAL")
    assert (request.reason, request.reason_code, request.lines[0].offer_id, request.amount) == (
        "Товар с браком", ReasonCode.DEFECT, "TSHIRT-BLK-M", Decimal("1299.00"))
    assert request.buyer_comment and request.photos
    assert [a["id"] for a in request.raw["detail"]["available_actions"]] == [1, 3, 1020, -1]


def test_approving_a_return_request_has_the_goods_sent_back(sandbox, ozon, seller, connector):
    request_id = return_request(ozon, seller)

    result = connector.approve_return(request_id, comment="Отправьте Почтой России на адрес склада")

    assert (result.ok, result.data) == (True, {"method": "/v2/returns/rfbs/verify"})
    assert found(connector, request_id)[0].status == ReturnStatus.IN_TRANSIT


def test_a_request_approved_once_is_refused_a_second_approval_with_ozons_error(ozon, seller, connector):
    request_id = return_request(ozon, seller)
    connector.approve_return(request_id)

    again = connector.approve_return(request_id)

    assert not again.ok and "not available for return request" in again.error


def test_rejecting_a_return_request_for_one_of_ozons_reasons(sandbox, ozon, seller, connector):
    request_id = return_request(ozon, seller)

    by_id = connector.reject_return(request_id, reason="101")

    assert by_id.ok and request_state(sandbox, seller, request_id) == "REJECTED"
    assert found(connector, request_id)[0].status == ReturnStatus.REJECTED


def test_a_rejection_reason_may_be_named_instead_of_numbered(sandbox, ozon, seller, connector):
    request_id = return_request(ozon, seller)

    result = connector.reject_return(request_id, reason="нарушена комплектация")

    assert result.ok and request_state(sandbox, seller, request_id) == "REJECTED"


def test_a_reason_ozon_does_not_offer_is_refused_naming_its_reasons(sandbox, ozon, seller, connector):
    request_id = return_request(ozon, seller)

    result = connector.reject_return(request_id, reason="Покупатель груб")

    assert not result.ok and "101 — Товар был в употреблении" in result.error
    assert request_state(sandbox, seller, request_id) == "ON_APPROVAL"


def test_a_reason_that_needs_a_comment_is_refused_without_one(sandbox, ozon, seller, connector):
    request_id = return_request(ozon, seller)

    without = connector.reject_return(request_id, reason="199")
    with_comment = connector.reject_return(request_id, reason="199", comment="Товар продан со скидкой как уценённый")

    assert not without.ok and "comment" in without.error
    assert with_comment.ok


def test_answering_with_an_offered_action_refunds_without_the_goods(sandbox, ozon, seller, connector):
    request_id = return_request(ozon, seller)

    result = connector.answer_claim(request_id, decision="3")

    assert (result.ok, result.data) == (True, {"method": "/v1/returns/rfbs/action/set"})
    assert found(connector, request_id)[0].status == ReturnStatus.APPROVED


def test_a_request_is_answered_step_by_step_until_the_money_goes_back(sandbox, ozon, seller, connector):
    request_id = return_request(ozon, seller)
    connector.approve_return(request_id)

    received = connector.answer_claim(request_id, decision="Подтвердить получение товара")
    checked, cursor = found(connector, request_id)
    refunded = connector.answer_claim(request_id, decision="3")

    assert received.ok and checked.status == ReturnStatus.RECEIVED
    assert refunded.ok and found(connector, request_id, cursor)[0].status == ReturnStatus.APPROVED


def test_an_action_the_request_does_not_offer_now_is_refused_naming_the_offered_ones(sandbox, ozon, seller,
                                                                                    connector):
    request_id = return_request(ozon, seller)

    result = connector.answer_claim(request_id, decision="2")

    assert not result.ok and "1 — Одобрить" in result.error and "-1 — Отклонить заявку" in result.error
    assert request_state(sandbox, seller, request_id) == "ON_APPROVAL"


def test_rejecting_or_compensating_through_answer_claim_is_refused_with_the_way_to_do_it(ozon, seller, connector):
    request_id = return_request(ozon, seller)

    reject = connector.answer_claim(request_id, decision="-1")
    compensate = connector.answer_claim(request_id, decision="1020")

    assert not reject.ok and "reject the return" in reject.error
    assert not compensate.ok and "amount" in compensate.error


def test_the_sandbox_refuses_an_action_the_request_does_not_offer_as_ozon_does(sandbox, ozon, seller, connector):
    request_id = return_request(ozon, seller)
    return_id = int(request_id.removeprefix("rfbs-"))

    with pytest.raises(BadRequest) as refused:
        connector.http.request("seller", "POST", "/v1/returns/rfbs/action/set", json={"return_id": return_id, "id": 2})

    assert refused.value.http_status == 400 and "not available" in refused.value.detail
    assert request_state(sandbox, seller, request_id) == "ON_APPROVAL"


def test_an_unknown_return_request_is_refused(ozon, seller, connector):
    result = connector.reject_return("rfbs-8000999999", reason="101")

    assert not result.ok and "not found" in result.error


# --- rFBS cancellation requests ------------------------------------------------------------------------------------


def buyer_cancels_on_the_way(ozon, seller, connector) -> tuple[str, str, dict]:
    """(posting number, request id in Okno, cursor after the round that reported it)."""
    number = posting(ozon, seller, steps=2)
    ozon.order_action(seller["id"], number, "cancel")
    items, cursor = one_round(connector)
    [request] = [r for r in items if r.kind == ReturnKind.CANCELLATION]
    return number, request.external_id, cursor


def test_a_buyers_cancellation_of_a_posting_on_its_way_waits_for_the_seller_until_ozons_deadline(ozon, seller,
                                                                                                 connector):
    before = datetime.now(UTC)
    number = posting(ozon, seller, steps=2)
    ozon.order_action(seller["id"], number, "cancel")

    [request] = [r for r in one_round(connector)[0] if r.kind == ReturnKind.CANCELLATION]

    assert (request.order_external_id, request.status, request.reason_code, request.scheme) == (
        number, ReturnStatus.REQUESTED, ReasonCode.CANCELLED_BY_BUYER, Scheme.DBS)
    assert [(line.offer_id, line.quantity) for line in request.lines] == [("TSHIRT-BLK-M", 1)]
    assert before + timedelta(hours=47) < request.deadline_at < before + timedelta(hours=49)
    assert connector.fetch_order_statuses([number]).items[0].status == OrderStatus.SHIPPED


def test_approving_a_cancellation_request_cancels_the_posting_and_the_next_round_reports_it(ozon, seller, connector):
    number, request_id, cursor = buyer_cancels_on_the_way(ozon, seller, connector)

    result = connector.approve_return(request_id)

    assert result.ok
    assert connector.fetch_order_statuses([number]).items[0].status == OrderStatus.CANCELLED
    reported, _cursor = found(connector, request_id, cursor)
    assert (reported.status, reported.deadline_at) == (ReturnStatus.APPROVED, None)


def test_rejecting_a_cancellation_request_keeps_the_posting_going(ozon, seller, connector):
    number, request_id, cursor = buyer_cancels_on_the_way(ozon, seller, connector)

    result = connector.reject_return(request_id, reason="Заказ уже передан курьеру")

    assert result.ok and connector.fetch_order_statuses([number]).items[0].status == OrderStatus.SHIPPED
    assert found(connector, request_id, cursor)[0].status == ReturnStatus.REJECTED


def test_refusing_a_cancellation_needs_a_reason(ozon, seller, connector):
    _number, request_id, _cursor = buyer_cancels_on_the_way(ozon, seller, connector)

    assert "reason" in connector.reject_return(request_id, reason="").error


def test_answering_a_cancellation_request_takes_approve_or_reject(ozon, seller, connector):
    number, request_id, _cursor = buyer_cancels_on_the_way(ozon, seller, connector)

    wrong = connector.answer_claim(request_id, decision="3")
    approved = connector.answer_claim(request_id, decision="APPROVE")
    again = connector.answer_claim(request_id, decision="REJECT", comment="Уже доставлен")

    assert not wrong.ok and "APPROVE or REJECT" in wrong.error
    assert approved.ok and connector.fetch_order_statuses([number]).items[0].status == OrderStatus.CANCELLED
    assert not again.ok and "not ON_APPROVAL" in again.error


# --- FBS / FBO returns -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("operation", [
    lambda c: c.approve_return("1000431988"),
    lambda c: c.reject_return("1000431988", reason="101"),
    lambda c: c.answer_claim("1000431988", decision="1"),
])
def test_fbs_and_fbo_returns_take_no_answer_through_the_api(connector, operation):
    with pytest.raises(OperationNotSupported, match="read-only"):
        operation(connector)


def test_a_round_reads_returns_then_return_requests_then_cancellation_requests(ozon, seller, connector, control):
    one_round(connector)
    paths = [r["path"] for r in control["ozon"].requests(marketplace="ozon")]

    assert paths == ["/v1/returns/list", "/v2/returns/rfbs/list", "/v2/conditional-cancellation/list"]


def test_a_key_without_the_rfbs_role_still_reads_fbs_returns_and_ends_the_round(sandbox, ozon, connector):
    spec = seller_spec(f"ozon-{uuid.uuid4().hex[:8]}", account={"rfbs_role": False})
    spec["credentials"]["client_id"] = str(next(_ids))
    fbs_seller = ozon.create_seller(spec)
    fbs_connector = OzonConnector(make_config(sandbox, fbs_seller))
    number = posting(ozon, fbs_seller)
    ozon.order_action(fbs_seller["id"], number, "return")

    items, cursor = one_round(fbs_connector)

    assert [(r.order_external_id, r.kind) for r in items] == [(number, ReturnKind.RETURN)]
    assert cursor["source"] == "returns"


# --- mapping ---------------------------------------------------------------------------------------------------------


def ozon_return(**changes):
    item = {"id": 1000431988, "type": "ClientReturn", "schema": "FBS", "posting_number": "05821743-0117-1",
            "return_reason_name": "", "product": {"sku": 1736452901, "offer_id": "TSHIRT-BLK-M", "name": "Футболка",
                                                  "price": {"currency_code": "RUB", "price": 1189}, "quantity": 1},
            "logistic": {"return_date": "2026-09-18T10:12:44Z"},
            "visual": {"status": {"id": 3, "display_name": "В пути", "sys_name": "MovingToSeller"},
                       "change_moment": "2026-09-18T10:15:00Z"},
            "storage": {"utilization_forecast_date": "2026-10-20T00:00:00Z"}}
    item.update(changes)
    return item


@pytest.mark.parametrize(("reason", "kind", "code"), [
    ("Покупатель отказался при вручении: не подошёл размер", "FullReturn", ReasonCode.SIZE),
    ("Товар с браком", "ClientReturn", ReasonCode.DEFECT),
    ("Прислали не тот товар", "ClientReturn", ReasonCode.WRONG_ITEM),
    ("Товар повреждён при доставке", "ClientReturn", ReasonCode.DAMAGED_IN_DELIVERY),
    ("Не соответствует описанию", "ClientReturn", ReasonCode.NOT_AS_DESCRIBED),
    ("Передумал", "ClientReturn", ReasonCode.CHANGED_MIND),
    ("Истёк срок хранения", "FullReturn", ReasonCode.NOT_PICKED_UP),
    ("", "PartialReturn", ReasonCode.NOT_PICKED_UP),
    ("Другая причина", "ClientReturn", ReasonCode.OTHER),
])
def test_the_free_text_reason_of_a_return_maps_to_a_reason_code(reason, kind, code):
    dto = mapping.return_to_dto(ozon_return(return_reason_name=reason, type=kind))

    assert dto.reason_code == code


def test_a_return_on_its_way_back_must_be_collected_before_ozons_disposal_date():
    travelling = mapping.return_to_dto(ozon_return())
    received = mapping.return_to_dto(ozon_return(visual={"status": {"sys_name": "ReceivedBySeller"}}))

    assert travelling.deadline_at == datetime(2026, 10, 20, tzinfo=UTC)
    assert received.deadline_at is None


@pytest.mark.parametrize(("group", "status"), [
    ("New", ReturnStatus.REQUESTED), ("Delivering", ReturnStatus.IN_TRANSIT), ("Checkout", ReturnStatus.RECEIVED),
    ("Arbitration", ReturnStatus.REQUESTED), ("Approved", ReturnStatus.APPROVED), ("Rejected", ReturnStatus.REJECTED),
])
def test_every_documented_group_state_of_a_return_request_maps_to_a_unified_status(group, status):
    item = {"return_id": 8000123456, "posting_number": "789456123-0002-3", "created_at": "2026-02-15T10:30:00Z",
            "product": {"sku": 1000123456, "offer_id": "A", "name": "A", "price": 2999, "currency_code": "RUB"},
            "state": {"group_state": group, "state": "X"}}

    assert mapping.rfbs_return_to_dto(item).status == status


def test_an_undocumented_group_state_is_a_payload_error_not_a_guess():
    item = {"return_id": 1, "product": {"offer_id": "A", "price": 1}, "state": {"group_state": "Lost"}}

    with pytest.raises(ValueError, match="Lost"):
        mapping.rfbs_return_to_dto(item)


@pytest.mark.parametrize(("initiator", "code"), [
    ("CLIENT", ReasonCode.CANCELLED_BY_BUYER), ("SELLER", ReasonCode.CANCELLED_BY_SELLER),
    ("OZON", ReasonCode.CANCELLED_BY_MARKETPLACE), ("SYSTEM", ReasonCode.CANCELLED_BY_MARKETPLACE),
    ("DELIVERY", ReasonCode.CANCELLED_BY_MARKETPLACE),
])
def test_the_initiator_of_a_cancellation_request_is_its_reason(initiator, code):
    item = {"cancellation_id": 5, "posting_number": "1-2-3", "cancellation_initiator": initiator,
            "state": {"state": "REJECTED"}, "auto_approve_date": "2026-02-15T10:30:00Z"}

    dto = mapping.cancellation_request_to_dto(item)

    assert (dto.reason_code, dto.status, dto.deadline_at) == (code, ReturnStatus.REJECTED, None)


# --- the tables against every value the official spec lists --------------------------------------------------------


def _cancellation_states() -> list[str]:
    return _schema("/v2/conditional-cancellation/list", "result", "[]", "state", "state")["enum"]


def _initiators() -> list[str]:
    return _schema("/v2/conditional-cancellation/list", "result", "[]", "cancellation_initiator")["enum"]


def _group_states() -> list[str]:
    described = _schema("/v2/returns/rfbs/list", "filter", "group_state", request=True)["description"]
    return [value for value in _listed(described, r"`([A-Z][A-Za-z]+)`") if value != "All"]  # All: a filter only


@pytest.mark.parametrize("state", _values(_cancellation_states))
def test_every_cancellation_request_state_in_the_spec_has_a_unified_status(state):
    assert statuses.cancellation_status(state) in ReturnStatus.values


@pytest.mark.parametrize("initiator", _values(_initiators))
def test_every_cancellation_initiator_in_the_spec_has_a_reason_code(initiator):
    assert statuses.cancellation_reason_code(initiator) in ReasonCode.values


@pytest.mark.parametrize("group", _values(_group_states))
def test_every_return_request_group_state_in_the_spec_has_a_unified_status(group):
    assert statuses.rfbs_status(group) in ReturnStatus.values
