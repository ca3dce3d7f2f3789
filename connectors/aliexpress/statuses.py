"""AliExpress order and shipment statuses → Okno's unified statuses, as data (aliexpress.md §3.2, §6).

An AliExpress order has several independent status fields; every value the doc lists is a key below, and a value
it does not list raises ``UnknownStatus`` (the payload then becomes an ingest error instead of a silently wrong
order). How the fields combine into one unified status is inference — the doc's "suggested OMS mapping" is itself
UNCONFIRMED — and lives in ``unified_status`` with the reasons written next to each rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from orders.choices import OrderStatus, PaymentStatus
from returns.choices import ReasonCode, ReturnKind, ReturnStatus


class UnknownStatus(ValueError):
    """A status value the AliExpress doc does not list."""


# ``status`` — Created · InProgress · Finished (closed, nothing more to do) · Cancelled. None: decided elsewhere.
ORDER_STATUS: dict[str, str | None] = {
    "Created": None,
    "InProgress": None,
    "Finished": OrderStatus.DELIVERED,
    "Cancelled": OrderStatus.CANCELLED,
}

# ``delivery_status`` — not shipped · partly shipped · shipped · delivered · delivery cancelled.
DELIVERY_STATUS: dict[str, str | None] = {
    "Init": None,
    # Some shipments left, others did not: the seller still has work, so the order stays on the packing screens.
    "PartialShipped": OrderStatus.PACKED,
    "Shipped": OrderStatus.SHIPPED,
    "Delivered": OrderStatus.DELIVERED,
    "Cancelled": OrderStatus.CANCELLED,
}

# ``payment_status`` → Okno's payment status. AliExpress takes payment online; only ``Paid`` is money received.
PAYMENT_STATUS: dict[str, str] = {
    "NotPaid": PaymentStatus.UNKNOWN,
    "Hold": PaymentStatus.UNKNOWN,  # held by the bank, not yet captured
    "Paid": PaymentStatus.PREPAID,
    "Cancelled": PaymentStatus.UNKNOWN,
    "Failed": PaymentStatus.UNKNOWN,
}

# ``antifraud_status`` — validated only: it never changes where the order is, it decides whether it may ship.
ANTIFRAUD_STATUS: frozenset[str] = frozenset({"NotChecked", "Checking", "Blocked", "Passed"})

# ``order_display_status`` — the cabinet's wording; used only when the other fields leave the order undecided.
DISPLAY_STATUS: dict[str, str | None] = {
    "Unknown": None,
    "PlaceOrderSuccess": OrderStatus.NEW,
    "PaymentPending": OrderStatus.NEW,
    "WaitExamineMoney": OrderStatus.NEW,
    "WaitGroup": OrderStatus.NEW,
    "WaitSendGoods": OrderStatus.NEW,  # awaiting the seller's shipment: the "new order to process" state
    "WaitSendGood": OrderStatus.NEW,  # one client library's spelling of the same state
    "PartialSendGoods": OrderStatus.PACKED,
    "WaitAcceptGoods": OrderStatus.SHIPPED,
    "InCancel": None,  # the buyer asked to cancel; until AliExpress closes it the order stays where it is
    "Complete": OrderStatus.DELIVERED,
    "Close": OrderStatus.CANCELLED,
    "Finish": OrderStatus.DELIVERED,
    "InFrozen": None,
    "InIssue": None,  # a dispute does not move the parcel; fetch_returns reports it as a claim
}

# ``logistic_orders[].status`` — the platform-logistics shipment (FBS "LAliExpress и Почта России").
LOGISTIC_STATUS: dict[str, str | None] = {
    "New": OrderStatus.CONFIRMED,
    "AwaitingCreateOrder": OrderStatus.CONFIRMED,
    "OrderCreationProblems": OrderStatus.CONFIRMED,
    "AwaitingHandoverList": OrderStatus.PACKED,
    "AddingToHandoverProblems": OrderStatus.PACKED,
    "AwaitingConfirmation": OrderStatus.PACKED,
    "AwaitingDispatch": OrderStatus.PACKED,
    "OrderReceivedFromSeller": OrderStatus.SHIPPED,
    "CrossDocSorting": OrderStatus.SHIPPED,
    "CrossDocSent": OrderStatus.SHIPPED,
    "ProviderPostingReceive": OrderStatus.SHIPPED,
    "ProviderPostingLeftTheReception": OrderStatus.SHIPPED,
    "ProviderPostingArrivedAtSorting": OrderStatus.SHIPPED,
    "ProviderPostingSorting": OrderStatus.SHIPPED,
    "ProviderPostingLeftTheSorting": OrderStatus.SHIPPED,
    "ProviderPostingArrived": OrderStatus.SHIPPED,
    "ProviderPostingDelivered": OrderStatus.DELIVERED,
    "ProviderPostingUnsuccessfulAttemptOfDelivery": OrderStatus.SHIPPED,
    "ProviderPostingInReturn": OrderStatus.SHIPPED,  # on its way back: still in the carrier's hands
    "ProviderPostingTemporaryStorage": OrderStatus.SHIPPED,
    "ProviderPostingReturned": OrderStatus.RETURNED,
    # Listed by the doc (§6) among return indicators, meaning UNCONFIRMED (refused by the buyer, or by the
    # carrier?): it does not move the order by itself; fetch_returns reports it as a non-purchase.
    "Rejected": None,
    "Cancelled": None,  # a deleted/cancelled shipment: the order goes back to needing one
}

# Shipment statuses that mean the parcel comes back to the seller → Okno's return lifecycle (§6).
NON_PURCHASE_STATUS: dict[str, str] = {
    "ProviderPostingInReturn": ReturnStatus.IN_TRANSIT,
    "Rejected": ReturnStatus.IN_TRANSIT,
    "ProviderPostingReturned": ReturnStatus.ARRIVED,
}
# The buyer's cancellation: requested (InCancel) → done (status Cancelled).
CANCELLATION_STATUS: dict[str, str] = {"InCancel": ReturnStatus.REQUESTED, "Cancelled": ReturnStatus.APPROVED}
# A dispute on a delivered order is a claim the seller answers in the cabinet (no API for disputes, §6).
CLAIM_STATUS: dict[str, str] = {"InIssue": ReturnStatus.REQUESTED}
RETURN_REASON_CODE: dict[str, str] = {
    ReturnKind.NON_PURCHASE: ReasonCode.NOT_PICKED_UP,
    ReturnKind.CANCELLATION: ReasonCode.CANCELLED_BY_BUYER,  # client comment: "buyer requested cancellation"
    ReturnKind.CLAIM: ReasonCode.OTHER,
}
# ``order_lines[].issue_status``: only ``NoDispute`` is confirmed; other values are not validated (UNCONFIRMED).
NO_DISPUTE = frozenset({"", "NoDispute", "NO_ISSUE"})

_PROGRESS = {status: rank for rank, status in enumerate(
    (OrderStatus.NEW, OrderStatus.CONFIRMED, OrderStatus.PICKING, OrderStatus.PACKED, OrderStatus.SHIPPED,
     OrderStatus.DELIVERED, OrderStatus.RETURNED, OrderStatus.CANCELLED)
)}


def valid(table: Mapping[str, Any] | frozenset[str], field: str, value: Any) -> str:
    """``value`` itself when the doc lists it in ``table``; ``UnknownStatus`` otherwise."""
    if not isinstance(value, str) or value not in table:
        raise UnknownStatus(f"{field}={value!r} is not a documented AliExpress value")
    return value


def logistic_statuses(order: Mapping[str, Any]) -> list[str]:
    """Validated statuses of the order's shipments."""
    shipments = order.get("logistic_orders") or []
    if not isinstance(shipments, list):
        raise TypeError("logistic_orders is not a list")
    return [valid(LOGISTIC_STATUS, "logistic_orders[].status", shipment.get("status")) for shipment in shipments]


def unified_status(order: Mapping[str, Any]) -> str:
    """One Okno status from the order's status fields. Every field present is validated against the doc's lists."""
    status = valid(ORDER_STATUS, "status", order.get("status"))
    delivery = _optional(DELIVERY_STATUS, "delivery_status", order.get("delivery_status"))
    display = _optional(DISPLAY_STATUS, "order_display_status", order.get("order_display_status"))
    _optional(PAYMENT_STATUS, "payment_status", order.get("payment_status"))
    _optional(ANTIFRAUD_STATUS, "antifraud_status", order.get("antifraud_status"))
    shipments = logistic_statuses(order)

    # A parcel that came back outranks everything: the doc's return example is an order "Cancelled"/"Close" whose
    # shipment is ProviderPostingReturned, and the seller must receive the parcel back, not just release stock.
    if any(LOGISTIC_STATUS[s] == OrderStatus.RETURNED for s in shipments):
        return OrderStatus.RETURNED
    if status == "Cancelled" or delivery == "Cancelled":
        return OrderStatus.CANCELLED
    if status == "Finished":
        # "Closed, nothing more to do": delivered, unless the cabinet calls it closed without a delivery.
        closed_undelivered = display == "Close" and delivery != "Delivered"
        return OrderStatus.CANCELLED if closed_undelivered else OrderStatus.DELIVERED
    if delivery and DELIVERY_STATUS[delivery]:
        return DELIVERY_STATUS[delivery]
    # Not shipped per delivery_status: the shipments tell how far the seller got; the least advanced one counts.
    progressed = [LOGISTIC_STATUS[s] for s in shipments if LOGISTIC_STATUS[s]]
    if progressed:
        return min(progressed, key=_PROGRESS.__getitem__)
    return (display and DISPLAY_STATUS[display]) or OrderStatus.NEW


def payment_status(order: Mapping[str, Any]) -> str:
    value = _optional(PAYMENT_STATUS, "payment_status", order.get("payment_status"))
    return PAYMENT_STATUS[value] if value else PaymentStatus.UNKNOWN


def substatus(order: Mapping[str, Any]) -> str:
    """What the seller sees in the cabinet, plus the distinct shipment states (fits Okno's 100-character field)."""
    parts = [str(order.get("order_display_status") or "")]
    parts.extend(dict.fromkeys(s for s in logistic_statuses(order) if s != "Cancelled"))
    return "/".join(p for p in parts if p)[:100]


def _optional(table: Mapping[str, Any] | frozenset[str], field: str, value: Any) -> str | None:
    return None if value is None else valid(table, field, value)


def all_documented_values() -> Iterable[tuple[str, str]]:
    """(field, value) for every status value the doc lists — what the exhaustive tests walk."""
    for field, table in (("status", ORDER_STATUS), ("delivery_status", DELIVERY_STATUS),
                         ("payment_status", PAYMENT_STATUS), ("antifraud_status", ANTIFRAUD_STATUS),
                         ("order_display_status", DISPLAY_STATUS), ("logistic_orders[].status", LOGISTIC_STATUS)):
        for value in table:
            yield field, value
