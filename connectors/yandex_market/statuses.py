"""Yandex Market statuses → Okno's, as data.

An order's state on Market is ``status`` plus ``substatus``: the substatus is the processing stage of a
``PROCESSING`` order (STARTED → READY_TO_SHIP → SHIPPED), the delivery step of a DBS order, or the cancellation
reason of a ``CANCELLED`` one. ``ORDER_STATUSES`` gives the unified status of each ``status``;
``SUBSTATUS_OVERRIDES`` refines the pairs where the substatus decides. Every value of the official enums
(``OrderStatusType``, ``OrderSubstatusType``) is listed; a value Market adds later raises ``UnknownStatus`` so the
order is kept as a payload error for replay instead of being guessed.

Returns carry two statuses: ``refundStatus`` (the money) and ``shipmentStatus`` (the parcel). Each maps to a step
of ``returns.choices.ReturnStatus``; the return is at the further of the two steps.
"""

from __future__ import annotations

from collections.abc import Iterable

from orders.choices import OrderStatus
from returns.choices import RETURN_STATUS_RANK, ReasonCode, ReturnKind, ReturnStatus


class UnknownStatus(ValueError):
    """A status value the table does not know (or one that tells nothing to act on)."""


# --- orders ---------------------------------------------------------------------------------------------------------

#: ``OrderStatusType`` → unified status. None: Market reports the value but it says nothing we could act on.
ORDER_STATUSES: dict[str, str | None] = {
    "PLACING": OrderStatus.NEW,  # being placed; Market already holds the units for the buyer
    "RESERVED": OrderStatus.NEW,  # LaaS draft
    "UNPAID": OrderStatus.NEW,  # placed, waiting for the buyer's payment; the units stay held
    "PENDING": OrderStatus.NEW,  # waiting for the seller (DBS)
    "PROCESSING": OrderStatus.NEW,  # refined by the substatus (STARTED is "confirmed, start processing")
    "DELIVERY": OrderStatus.SHIPPED,
    "PICKUP": OrderStatus.SHIPPED,  # at the pickup point, not yet collected
    "DELIVERED": OrderStatus.DELIVERED,
    "CANCELLED": OrderStatus.CANCELLED,
    "PARTIALLY_RETURNED": OrderStatus.DELIVERED,  # bought; the returned units arrive as a return
    "RETURNED": OrderStatus.RETURNED,
    "UNKNOWN": None,
}

#: (status, substatus) pairs where the substatus decides.
SUBSTATUS_OVERRIDES: dict[tuple[str, str], str] = {
    ("PROCESSING", "STARTED"): OrderStatus.NEW,
    ("PROCESSING", "PACKAGING"): OrderStatus.PICKING,
    ("PROCESSING", "READY_TO_SHIP"): OrderStatus.PACKED,
    ("PROCESSING", "SHIPPED"): OrderStatus.SHIPPED,  # handed to the delivery service at the first mile
}

#: Every ``OrderSubstatusType`` value (processing stages, delivery steps and cancellation reasons in one enum).
ORDER_SUBSTATUSES: frozenset[str] = frozenset({
    "RESERVATION_EXPIRED", "USER_NOT_PAID", "USER_UNREACHABLE", "USER_CHANGED_MIND", "USER_REFUSED_DELIVERY",
    "USER_REFUSED_PRODUCT", "SHOP_FAILED", "USER_REFUSED_QUALITY", "REPLACING_ORDER", "PROCESSING_EXPIRED",
    "PENDING_EXPIRED", "SHOP_PENDING_CANCELLED", "PENDING_CANCELLED", "USER_FRAUD", "RESERVATION_FAILED",
    "USER_PLACED_OTHER_ORDER", "USER_BOUGHT_CHEAPER", "MISSING_ITEM", "BROKEN_ITEM", "WRONG_ITEM", "PICKUP_EXPIRED",
    "DELIVERY_PROBLEMS", "LATE_CONTACT", "CUSTOM", "DELIVERY_SERVICE_FAILED", "WAREHOUSE_FAILED_TO_SHIP",
    "DELIVERY_SERVICE_UNDELIVERED", "PREORDER", "AWAIT_CONFIRMATION", "STARTED", "PACKAGING", "READY_TO_SHIP",
    "SHIPPED", "ASYNC_PROCESSING", "WAITING_USER_INPUT", "WAITING_BANK_DECISION", "BANK_REJECT_CREDIT_OFFER",
    "CUSTOMER_REJECT_CREDIT_OFFER", "CREDIT_OFFER_FAILED", "AWAIT_DELIVERY_DATES_CONFIRMATION", "SERVICE_FAULT",
    "DELIVERY_SERVICE_RECEIVED", "USER_RECEIVED", "WAITING_FOR_STOCKS", "AS_PART_OF_MULTI_ORDER",
    "READY_FOR_LAST_MILE", "LAST_MILE_STARTED", "ANTIFRAUD", "DELIVERY_USER_NOT_RECEIVED",
    "DELIVERY_SERVICE_DELIVERED", "DELIVERED_USER_NOT_RECEIVED", "USER_WANTED_ANOTHER_PAYMENT_METHOD",
    "USER_RECEIVED_TECHNICAL_ERROR", "USER_FORGOT_TO_USE_BONUS", "DELIVERY_SERVICE_NOT_RECEIVED",
    "DELIVERY_SERVICE_LOST", "SHIPPED_TO_WRONG_DELIVERY_SERVICE", "DELIVERED_USER_RECEIVED",
    "WAITING_TINKOFF_DECISION", "COURIER_SEARCH", "COURIER_FOUND", "COURIER_IN_TRANSIT_TO_SENDER",
    "COURIER_ARRIVED_TO_SENDER", "COURIER_RECEIVED", "COURIER_NOT_FOUND", "COURIER_NOT_DELIVER_ORDER",
    "COURIER_RETURNS_ORDER", "COURIER_RETURNED_ORDER", "WAITING_USER_DELIVERY_INPUT", "PICKUP_SERVICE_RECEIVED",
    "PICKUP_USER_RECEIVED", "CANCELLED_COURIER_NOT_FOUND", "COURIER_NOT_COME_FOR_ORDER",
    "DELIVERY_NOT_MANAGED_REGION", "INCOMPLETE_CONTACT_INFORMATION", "INCOMPLETE_MULTI_ORDER",
    "INAPPROPRIATE_WEIGHT_SIZE", "TECHNICAL_ERROR", "SORTING_CENTER_LOST", "COURIER_SEARCH_NOT_STARTED", "LOST",
    "AWAIT_PAYMENT", "AWAIT_LAVKA_RESERVATION", "USER_WANTS_TO_CHANGE_ADDRESS", "FULL_NOT_RANSOM",
    "PRESCRIPTION_MISMATCH", "DROPOFF_LOST", "DROPOFF_CLOSED", "DELIVERY_TO_STORE_STARTED",
    "USER_WANTS_TO_CHANGE_DELIVERY_DATE", "WRONG_ITEM_DELIVERED", "DAMAGED_BOX", "AWAIT_DELIVERY_DATES",
    "LAST_MILE_COURIER_SEARCH", "PICKUP_POINT_CLOSED", "LEGAL_INFO_CHANGED", "USER_HAS_NO_TIME_TO_PICKUP_ORDER",
    "DELIVERY_CUSTOMS_ARRIVED", "DELIVERY_CUSTOMS_CLEARED", "FIRST_MILE_DELIVERY_SERVICE_RECEIVED",
    "AWAIT_AUTO_DELIVERY_DATES", "AWAIT_USER_PERSONAL_DATA", "NO_PERSONAL_DATA_EXPIRED", "CUSTOMS_PROBLEMS",
    "AWAIT_CASHIER", "WAITING_POSTPAID_BUDGET_RESERVATION", "AWAIT_SERVICEABLE_CONFIRMATION",
    "POSTPAID_BUDGET_RESERVATION_FAILED", "AWAIT_CUSTOM_PRICE_CONFIRMATION", "READY_FOR_PICKUP",
    "TOO_MANY_DELIVERY_DATE_CHANGES", "TOO_LONG_DELIVERY", "DEFERRED_PAYMENT", "POSTPAID_FAILED",
    "INCORRECT_PERSONAL_DATA", "CUSTOMS_FAILED_MARKET", "CUSTOMS_FAILED_USER_COMMERCIAL_ITEMS",
    "CUSTOMS_FAILED_USER_DUTY_NOT_PAID", "CUSTOMS_FAILED_USER_INVALID_PERSONAL_DATA",
    "CUSTOMS_FAILED_USER_ADDITIONAL_DATA_NOT_PROVIDED", "AWAIT_PAYMENT_AFTER_DELIVERY", "AWAIT_USER_STEAM_FAST_URL",
    "USER_IDENTIFICATION_MISMATCH", "PURCHASE_GROUP_THRESHOLD_NOT_REACHED_CANCELLED", "UNKNOWN",
})

#: Cancellation reasons the seller may send (``updateOrderStatus`` docs); anything else the seller wants is SHOP_FAILED.
SELLER_CANCEL_REASONS: frozenset[str] = frozenset({"SHOP_FAILED", "USER_UNREACHABLE"})


def unified_order_status(status: str, substatus: str = "") -> str:
    """The unified status of a Market (status, substatus); raises ``UnknownStatus`` for values not in the tables."""
    if status not in ORDER_STATUSES:
        raise UnknownStatus(f"unknown Yandex Market order status {status!r}")
    if substatus and substatus not in ORDER_SUBSTATUSES:
        raise UnknownStatus(f"unknown Yandex Market order substatus {substatus!r} (status {status})")
    unified = SUBSTATUS_OVERRIDES.get((status, substatus), ORDER_STATUSES[status])
    if unified is None:
        raise UnknownStatus(f"Yandex Market reports order status {status}: nothing to act on yet")
    return unified


# --- returns --------------------------------------------------------------------------------------------------------

#: ``RefundStatusType`` (the buyer's money) → return step. None: says nothing about the step.
REFUND_STATUSES: dict[str, str | None] = {
    "STARTED_BY_USER": ReturnStatus.REQUESTED,
    "REFUND_IN_PROGRESS": ReturnStatus.REQUESTED,  # waiting for the decision
    "WAITING_FOR_DECISION": ReturnStatus.REQUESTED,  # DBS: the seller decides
    "PREMODERATION_DISPUTE": ReturnStatus.REQUESTED,
    "PREMODERATION_DECISION_WAITING": ReturnStatus.REQUESTED,
    "FAILED": ReturnStatus.REQUESTED,  # the refund could not be paid yet; the return itself goes on
    "DECISION_MADE": ReturnStatus.APPROVED,
    "PREMODERATION_DECISION_MADE": ReturnStatus.APPROVED,
    "PREMODERATION_SELECT_DELIVERY": ReturnStatus.APPROVED,  # approved, the buyer picks how to send it
    "REFUNDED": ReturnStatus.APPROVED,
    "REFUNDED_WITH_BONUSES": ReturnStatus.APPROVED,
    "REFUNDED_BY_SHOP": ReturnStatus.APPROVED,
    "COMPLETE_WITHOUT_REFUND": ReturnStatus.APPROVED,  # no money due, e.g. a non-purchase of a postpaid order
    "CANCELLED": ReturnStatus.REJECTED,
    "REJECTED": ReturnStatus.REJECTED,
    "UNKNOWN": None,
}

#: ``ReturnShipmentStatusType`` (the parcel) → return step.
RETURN_SHIPMENT_STATUSES: dict[str, str | None] = {
    "CREATED": ReturnStatus.REQUESTED,
    "RECEIVED": ReturnStatus.IN_TRANSIT,  # taken from the buyer
    "IN_TRANSIT": ReturnStatus.IN_TRANSIT,
    "READY_FOR_PICKUP": ReturnStatus.ARRIVED,  # waiting for the seller at the return point
    "PICKED": ReturnStatus.RECEIVED,  # handed to the seller
    "FULFILMENT_RECEIVED": ReturnStatus.RECEIVED,  # back at Market's warehouse (FBY)
    "EXPIRED": ReturnStatus.REJECTED,  # the buyer never brought it
    "CANCELLED": ReturnStatus.REJECTED,
    "LOST": ReturnStatus.WRITTEN_OFF,
    "NOT_IN_DEMAND": ReturnStatus.WRITTEN_OFF,  # not collected by the seller, goes to disposal
    "PREPARED_FOR_UTILIZATION": ReturnStatus.WRITTEN_OFF,
    "UTILIZED": ReturnStatus.WRITTEN_OFF,
    "READY_FOR_EXPROPRIATION": ReturnStatus.WRITTEN_OFF,
    "RECEIVED_FOR_EXPROPRIATION": ReturnStatus.WRITTEN_OFF,
    "UNKNOWN": None,
}

#: ``ReturnType`` → kind of return in Okno.
RETURN_TYPES: dict[str, str] = {"RETURN": ReturnKind.RETURN, "UNREDEEMED": ReturnKind.NON_PURCHASE}

#: ``ReturnDecisionReasonType`` → reason code.
RETURN_REASONS: dict[str, str] = {
    "BAD_QUALITY": ReasonCode.DEFECT,
    "DOES_NOT_FIT": ReasonCode.SIZE,
    "WRONG_ITEM": ReasonCode.WRONG_ITEM,
    "DAMAGE_DELIVERY": ReasonCode.DAMAGED_IN_DELIVERY,
    "CONTENT_FAIL": ReasonCode.NOT_AS_DESCRIBED,
    "LOYALTY_FAIL": ReasonCode.OTHER,
    "DELIVERY_FAIL": ReasonCode.OTHER,
    "UNKNOWN": ReasonCode.OTHER,
}


#: ``refundStatus`` values of a return waiting for the seller's decision (``submitReturnDecision``): DBS and the
#: premoderation of FBS/Express/FBY returns; the buyer's fresh request and a running review too.
DECISION_PENDING: tuple[str, ...] = (
    "STARTED_BY_USER", "REFUND_IN_PROGRESS", "WAITING_FOR_DECISION", "PREMODERATION_DISPUTE",
    "PREMODERATION_DECISION_WAITING",
)
#: ``refundStatus`` once the seller has decided; the decision itself is ``items[].decisions[].decisionType``.
DECISION_MADE: frozenset[str] = frozenset({"DECISION_MADE", "PREMODERATION_DECISION_MADE"})
DECLINE = "DECLINE_REFUND"

#: ``ReturnRequestDecisionType``: what the seller may decide (``getReturnAvailableDecisions`` says which, now).
RETURN_DECISIONS: dict[str, str] = {
    "FAST_REFUND_MONEY": "refund without taking the goods back",
    "REFUND_MONEY": "refund; the goods come back",
    "REFUND_MONEY_INCLUDING_SHIPMENT": "refund including the return shipping (comment: its cost)",
    "REPAIR": "repair (comment: when the defect will be fixed)",
    "REPLACE": "replace the item",
    "SEND_TO_EXAMINATION": "take the goods for an examination",
    "DECLINE_REFUND": "decline the refund (with a reason)",
    "PARTIAL_MONEY_REFUND": "refund part of the price (with an amount)",
    "OTHER_DECISION": "another decision (comment: which)",
}
#: What "approve the return" means on Market, best first: refund and take the goods back.
APPROVALS: tuple[str, ...] = ("REFUND_MONEY", "REFUND_MONEY_INCLUDING_SHIPMENT")
#: Decisions whose ``comment`` Market asks for (``ReturnItemDecisionComment``).
DECISIONS_NEEDING_COMMENT: frozenset[str] = frozenset({
    "REFUND_MONEY_INCLUDING_SHIPMENT", "REPAIR", "DECLINE_REFUND", "OTHER_DECISION",
})
#: Decisions that need more than a word and a comment: Okno does not send them.
DECISIONS_NEEDING_AMOUNT: frozenset[str] = frozenset({"PARTIAL_MONEY_REFUND"})
#: ``ReturnRequestDecisionReasonType``: why the seller declines; the text doubles as the comment when none is given.
DECLINE_REASONS: dict[str, str] = {
    "ISSUE_WITH_THE_PRODUCT_WAS_NOT_CONFIRMED": "Проблема с товаром не подтвердилась",
    "MECHANICAL_DAMAGE": "Есть механические повреждения товара",
    "WARRANTY_PERIOD_HAS_EXPIRED": "Истёк гарантийный срок",
    "CONFIGURATION_OR_PACKAGING_COMPROMISED": "Нарушена комплектация или упаковка",
    "PRODUCT_APPEARANCE_COMPROMISED": "Нарушен товарный вид",
    "WARRANTY_TERMS_VIOLATED": "Нарушены условия гарантии",
    "DEVICE_ACTIVATED": "Устройство активировано",
}
#: Reasons for refusing a buyer's cancellation request (``PUT …/cancellation/accept`` with ``accepted: false``).
CANCELLATION_REFUSALS: frozenset[str] = frozenset({"ORDER_DELIVERED", "ORDER_IN_DELIVERY"})
#: ``answer_claim`` on a cancellation request: this decision accepts it; the refusal reasons refuse it.
CANCELLATION_ACCEPT = "ACCEPT"


def unified_return_status(refund_status: str | None, shipment_status: str | None,
                          decision_types: Iterable[str] = ()) -> str:
    """The return's step: the further of what the refund and the parcel say (either may be absent). A decision made
    that declines every item is a rejection, not an approval."""
    decisions = [d for d in decision_types if d]
    if refund_status in DECISION_MADE and decisions and all(d == DECLINE for d in decisions):
        refund_status = "REJECTED"
    steps = []
    for value, table, what in (
        (refund_status, REFUND_STATUSES, "refundStatus"),
        (shipment_status, RETURN_SHIPMENT_STATUSES, "shipmentStatus"),
    ):
        if value is None:
            continue
        if value not in table:
            raise UnknownStatus(f"unknown Yandex Market return {what} {value!r}")
        if table[value] is not None:
            steps.append(table[value])
    if not steps:
        return ReturnStatus.REQUESTED
    return max(steps, key=lambda step: RETURN_STATUS_RANK[step])


def return_kind(return_type: str) -> str:
    if return_type not in RETURN_TYPES:
        raise UnknownStatus(f"unknown Yandex Market returnType {return_type!r}")
    return RETURN_TYPES[return_type]


def return_reason(reason_type: str | None, subreason_type: str | None, kind: str) -> str:
    if kind == ReturnKind.NON_PURCHASE:
        return ReasonCode.NOT_PICKED_UP
    if subreason_type == "USER_CHANGED_MIND":
        return ReasonCode.CHANGED_MIND
    if reason_type is None:
        return ReasonCode.OTHER
    if reason_type not in RETURN_REASONS:
        raise UnknownStatus(f"unknown Yandex Market return reasonType {reason_type!r}")
    return RETURN_REASONS[reason_type]
