"""Answering buyers' claims (returns-api PATCH /api/v1/claim) over real HTTP against the WB sandbox, and what
fetch_returns reports about a claim (status, kind, reason, answer deadline)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from connectors.errors import BadRequest
from connectors.wb import mapping
from returns.choices import ReasonCode, ReturnKind, ReturnStatus
from tests.connectors.wb.conftest import WAREHOUSE, key_of, world_seller

OTHER_CLAIM = "3b9d2c41-7f0e-4a55-9b1c-2e6f8d4a7c10"


def claim_of_sold_unit(sandbox, wb, seller) -> str:
    """Given a unit the buyer received and then filed a claim about: the claim's id."""
    task = wb.place_order("s1", [{"key": key_of(seller, "TSHIRT-BLK-M"), "quantity": 1}], WAREHOUSE)[0]["id"]
    world_seller(sandbox).orders[task].set_status("complete", "sold")
    return wb.order_action("s1", task, "return")["return"]


def claim_in_sandbox(sandbox, claim_id: str) -> dict:
    return world_seller(sandbox).returns[claim_id].data["claim"]


def fetched(connector, claim_id: str):
    found = []
    cursor: dict = {}
    while True:
        batch = connector.fetch_returns(cursor)
        found += [item for item in batch.items if item.external_id == claim_id]
        cursor = batch.cursor
        if not batch.has_more:
            return found[-1]


def patches(control) -> list[dict]:
    return [r for r in control["wb"].requests(marketplace="wb") if r["method"] == "PATCH"]


def answers(sandbox, claim_id: str) -> list[dict]:
    """What the seller answered, as the sandbox received it."""
    return world_seller(sandbox).returns[claim_id].data.get("answers", [])


def test_approving_a_claim_takes_the_goods_back_to_the_seller(sandbox, wb, seller, connector):
    claim_id = claim_of_sold_unit(sandbox, wb, seller)

    result = connector.approve_return(claim_id)

    assert (result.ok, result.data) == (True, {"action": "approve2"})
    assert fetched(connector, claim_id).status == ReturnStatus.IN_TRANSIT


def test_approving_uses_the_defect_check_when_the_claim_does_not_offer_a_plain_return(sandbox, wb, seller, connector):
    claim_id = claim_of_sold_unit(sandbox, wb, seller)
    claim_in_sandbox(sandbox, claim_id)["actions"] = ["autorefund1", "approve1", "reject1"]

    result = connector.approve_return(claim_id)

    assert (result.ok, result.data["action"]) == (True, "approve1")
    assert (claim_in_sandbox(sandbox, claim_id)["status"], claim_in_sandbox(sandbox, claim_id)["status_ex"]) == (2, 8)


def test_approving_is_refused_when_the_claim_offers_only_a_refund_without_return(sandbox, wb, seller, connector,
                                                                                control):
    claim_id = claim_of_sold_unit(sandbox, wb, seller)
    claim_in_sandbox(sandbox, claim_id)["actions"] = ["autorefund1", "reject1"]

    result = connector.approve_return(claim_id)

    assert not result.ok and "allowed: autorefund1, reject1" in result.error
    assert patches(control) == []


def test_rejecting_with_a_wb_template_answer_rejects_the_claim(sandbox, wb, seller, connector):
    claim_id = claim_of_sold_unit(sandbox, wb, seller)

    result = connector.reject_return(claim_id, reason="reject2")

    assert result.ok
    claim = fetched(connector, claim_id)
    assert (claim.status, claim.marketplace_status, claim.deadline_at) == (ReturnStatus.REJECTED, "1/1", None)


def test_rejecting_in_the_sellers_own_words_sends_them_as_the_custom_rejection(sandbox, wb, seller, connector):
    claim_id = claim_of_sold_unit(sandbox, wb, seller)

    result = connector.reject_return(claim_id, reason="Следы носки", comment="На фото видны следы носки и стирки")

    assert result.ok
    assert answers(sandbox, claim_id) == [{"action": "rejectcustom", "comment": "На фото видны следы носки и стирки"}]
    assert claim_in_sandbox(sandbox, claim_id)["wb_comment"] == "На фото видны следы носки и стирки"


def test_a_custom_rejection_shorter_than_wb_accepts_is_refused_before_sending(sandbox, wb, seller, connector, control):
    claim_id = claim_of_sold_unit(sandbox, wb, seller)

    result = connector.reject_return(claim_id, reason="Нет")

    assert not result.ok and "10–1000" in result.error
    assert patches(control) == [] and claim_in_sandbox(sandbox, claim_id)["status"] == 0


def test_a_rejected_claim_can_be_reconsidered_and_approved(sandbox, wb, seller, connector):
    claim_id = claim_of_sold_unit(sandbox, wb, seller)
    connector.reject_return(claim_id, reason="reject1")

    result = connector.approve_return(claim_id)

    assert result.ok and fetched(connector, claim_id).status == ReturnStatus.IN_TRANSIT


def test_answering_a_claim_with_an_allowed_decision_moves_it(sandbox, wb, seller, connector):
    claim_id = claim_of_sold_unit(sandbox, wb, seller)

    result = connector.answer_claim(claim_id, decision="autorefund1")

    assert result.ok
    assert (fetched(connector, claim_id).status, claim_in_sandbox(sandbox, claim_id)["status_ex"]) == (
        ReturnStatus.APPROVED, 5)


def test_a_decision_the_claim_does_not_allow_is_refused_naming_the_allowed_ones(sandbox, wb, seller, connector,
                                                                               control):
    claim_id = claim_of_sold_unit(sandbox, wb, seller)

    result = connector.answer_claim(claim_id, decision="approvecc1")

    assert not result.ok
    assert ("allowed: approve1, approve2, autorefund1, reject1, reject2, reject3, rejectcustom" in result.error)
    assert patches(control) == []


def test_an_approved_claim_takes_no_further_answer(sandbox, wb, seller, connector):
    claim_id = claim_of_sold_unit(sandbox, wb, seller)
    connector.approve_return(claim_id)

    result = connector.reject_return(claim_id, reason="reject1")

    assert not result.ok and "no answer" in result.error


def test_the_sandbox_refuses_an_answer_the_claim_does_not_allow_as_wb_does(sandbox, wb, seller, connector):
    claim_id = claim_of_sold_unit(sandbox, wb, seller)
    claim_in_sandbox(sandbox, claim_id)["actions"] = ["reject1"]

    with pytest.raises(BadRequest) as refused:
        connector.http.request("returns", "PATCH", "/api/v1/claim", json={"id": claim_id, "action": "approve2"})

    assert refused.value.http_status == 400 and "approve2 is not available" in refused.value.detail
    assert claim_in_sandbox(sandbox, claim_id)["status"] == 0


def test_an_unknown_or_malformed_claim_id_is_refused(sandbox, wb, seller, connector):
    claim_of_sold_unit(sandbox, wb, seller)

    unknown = connector.approve_return(OTHER_CLAIM)
    malformed = connector.approve_return("12345")

    assert not unknown.ok and "no such claim" in unknown.error
    assert not malformed.ok and "not a WB claim id" in malformed.error


def test_a_pending_claim_is_reported_as_a_requested_claim_answerable_for_fourteen_days(sandbox, wb, seller, connector):
    claim_id = claim_of_sold_unit(sandbox, wb, seller)

    claim = fetched(connector, claim_id)

    filed = mapping.parse_moscow(claim_in_sandbox(sandbox, claim_id)["dt"], "dt")
    assert (claim.kind, claim.status, claim.reason_code) == (ReturnKind.CLAIM, ReturnStatus.REQUESTED,
                                                             ReasonCode.OTHER)
    assert claim.deadline_at == filed + timedelta(days=14)


@pytest.mark.parametrize(("status", "status_ex", "unified"), [
    (0, 0, ReturnStatus.REQUESTED), (1, 1, ReturnStatus.REJECTED), (2, 2, ReturnStatus.WRITTEN_OFF),
    (2, 5, ReturnStatus.APPROVED), (2, 8, ReturnStatus.APPROVED), (2, 10, ReturnStatus.IN_TRANSIT),
])
def test_every_documented_claim_state_maps_to_a_unified_return_status(status, status_ex, unified):
    claim = {"id": OTHER_CLAIM, "claim_type": 1, "status": status, "status_ex": status_ex, "nm_id": 214563872,
             "dt": "2026-09-20T11:04:33.512871", "srid": "8c2f6a1e", "price": 1249, "actions": ["reject1"]}

    dto = mapping.return_from_claim(claim, {214563872: "TSHIRT-BLK-M"})

    assert (dto.status, dto.kind) == (unified, ReturnKind.CLAIM)
    assert (dto.deadline_at is not None) == (status == 0)


def test_a_claim_without_answers_has_no_deadline():
    claim = {"id": OTHER_CLAIM, "status": 0, "status_ex": 0, "nm_id": 1, "dt": "2026-09-20T11:04:33",
             "srid": "x", "actions": []}

    assert mapping.return_from_claim(claim, {}).deadline_at is None
