"""AliExpress takes no answer to returns, disputes or cancellations through its API (aliexpress.md §6, §3.4): the
actions refuse without a request; fetch_returns still reports each as a return with status, kind and reason."""

from __future__ import annotations

import pytest

from connectors.aliexpress import mapping
from connectors.errors import OperationNotSupported
from returns.choices import ReasonCode, ReturnKind, ReturnStatus
from tests.connectors.aliexpress.payloads import order, shipment
from tests.connectors.aliexpress.test_orders import place


def disputed_order(ae, connector) -> str:
    number = place(ae, "SOCKS")
    connector.ship_orders([number])
    for _ in range(4):
        ae.order_action("ae-seller", number, "advance")
    ae.order_action("ae-seller", number, "return")
    return number


def every_return(connector) -> list:
    found, cursor = [], {}
    while True:
        batch = connector.fetch_returns(cursor)
        found.extend(batch.items)
        cursor = batch.cursor
        if not batch.has_more:
            return found


@pytest.mark.parametrize("operation", [
    lambda c, i: c.approve_return(i),
    lambda c, i: c.reject_return(i, reason="Товар без брака", comment="Проверили на складе"),
    lambda c, i: c.answer_claim(i, decision="refund"),
])
def test_answers_to_a_dispute_are_refused_with_the_reason_and_nothing_is_sent(sandbox, seller, ae, connector,
                                                                            operation):
    number = disputed_order(ae, connector)
    [claim] = [r for r in every_return(connector) if r.kind == ReturnKind.CLAIM]
    sent = len(ae.requests(marketplace="aliexpress"))

    with pytest.raises(OperationNotSupported, match="no method for returns, refunds or disputes") as refused:
        operation(connector, claim.external_id)

    assert "seller cabinet" in str(refused.value) and claim.order_external_id == number
    assert len(ae.requests(marketplace="aliexpress")) == sent


def test_a_dispute_is_a_requested_claim_without_a_documented_deadline(sandbox, seller, ae, connector):
    number = disputed_order(ae, connector)

    [claim] = [r for r in every_return(connector) if r.order_external_id == number]

    assert (claim.external_id, claim.kind, claim.status, claim.reason_code, claim.deadline_at) == (
        f"{number}:claim", ReturnKind.CLAIM, ReturnStatus.REQUESTED, ReasonCode.OTHER, None)


@pytest.mark.parametrize(("changes", "expected"), [
    ({"order_display_status": "InCancel"},
     (ReturnKind.CANCELLATION, ReturnStatus.REQUESTED, ReasonCode.CANCELLED_BY_BUYER)),
    ({"status": "Cancelled", "order_display_status": "Close", "finish_reason": "Buyer cancelled"},
     (ReturnKind.CANCELLATION, ReturnStatus.APPROVED, ReasonCode.CANCELLED_BY_BUYER)),
    ({"logistic_orders": [shipment("ProviderPostingInReturn")]},
     (ReturnKind.NON_PURCHASE, ReturnStatus.IN_TRANSIT, ReasonCode.NOT_PICKED_UP)),
    ({"logistic_orders": [shipment("ProviderPostingReturned")]},
     (ReturnKind.NON_PURCHASE, ReturnStatus.ARRIVED, ReasonCode.NOT_PICKED_UP)),
    ({"order_display_status": "InIssue"}, (ReturnKind.CLAIM, ReturnStatus.REQUESTED, ReasonCode.OTHER)),
])
def test_each_return_like_state_of_an_order_maps_to_a_kind_status_and_reason(changes, expected):
    [found] = mapping.returns_from_order(order(**changes))

    assert (found.kind, found.status, found.reason_code) == expected
