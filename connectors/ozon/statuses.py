"""Ozon's status values and what they mean in Okno, as data.

Sources: ozon.md §3.5 (posting statuses, substatuses, push states), §7.1 (FBO), §8.1 (returns), and the official
spec's descriptions of ``status``/``substatus`` in ``/v4/posting/fbs/list``, ``/v3/posting/fbo/list`` and
``/v1/returns/list``. Every value the docs list is here; a value that is not raises ``UnknownStatus`` so the payload
becomes a ``PayloadError`` instead of silently turning into "new".
"""

from __future__ import annotations

from orders.choices import OrderStatus
from returns.choices import ReasonCode, ReturnKind, ReturnStatus


class UnknownStatus(ValueError):
    """A status value Ozon's documentation does not list (yet): the payload is kept for replay after a fix."""


# --- FBS / rFBS postings -----------------------------------------------------------------------------------------

#: ``posting.status`` → unified status. Ozon FBS has no confirmation step: a posting the seller must assemble is in
#: ``awaiting_packaging`` ("the new-order state"); assembly (``/v4/posting/fbs/ship``) moves it to ``awaiting_deliver``.
FBS_STATUS: dict[str, str] = {
    "awaiting_verification": OrderStatus.NEW,  # created, Ozon is verifying it
    "awaiting_approve": OrderStatus.NEW,  # awaiting Ozon's confirmation (e.g. payment)
    "awaiting_packaging": OrderStatus.NEW,  # the seller must assemble it
    # Assembled and waiting for the seller's hand-over; also after a failed sorting-centre acceptance it is still
    # with the seller.
    "awaiting_deliver": OrderStatus.PACKED,
    "awaiting_registration": OrderStatus.PACKED,  # assembled, the delivery service is registering it
    "not_accepted": OrderStatus.PACKED,  # the sorting centre did not accept it: back in the seller's hands
    "acceptance_in_progress": OrderStatus.SHIPPED,  # handed over, the sorting centre is accepting it
    "arbitration": OrderStatus.SHIPPED,  # handed over but not scanned: the seller opened a dispute
    "client_arbitration": OrderStatus.SHIPPED,  # buyer's delivery dispute
    "driver_pickup": OrderStatus.SHIPPED,  # with Ozon's driver
    "delivering": OrderStatus.SHIPPED,
    "sent_by_seller": OrderStatus.SHIPPED,  # rFBS: the seller's own carrier has it
    "delivered": OrderStatus.DELIVERED,
    "cancelled": OrderStatus.CANCELLED,
    "cancelled_from_split_pending": OrderStatus.CANCELLED,  # replaced by the postings it was split into
}

#: ``substatus`` values the docs list for FBS/rFBS and FBO postings (the status decides the unified status except
#: where overridden below; an unlisted substatus is kept as it is, the status still decides).
POSTING_SUBSTATUSES: frozenset[str] = frozenset(
    {
        "posting_acceptance_in_progress", "posting_in_arbitration", "posting_created", "posting_in_carriage",
        "posting_not_in_carriage", "posting_registered", "posting_transferring_to_delivery",
        "posting_awaiting_passport_data", "posting_awaiting_registration", "posting_registration_error",
        "posting_split_pending", "posting_canceled", "posting_in_client_arbitration", "posting_delivered",
        "posting_received", "posting_conditionally_delivered", "posting_in_courier_service",
        "posting_in_pickup_point", "posting_on_way_to_city", "posting_on_way_to_pickup_point",
        "posting_returned_to_warehouse", "posting_transferred_to_courier_service", "posting_driver_pick_up",
        "posting_not_in_sort_center", "ship_failed",
        # FBO substatuses (``/v3/posting/fbo/list``)
        "posting_packing",
    }
)

#: (status, substatus) pairs whose meaning differs from the status alone.
FBS_SUBSTATUS_OVERRIDES: dict[tuple[str, str], str] = {
    # rFBS: the seller marked it delivered (non_int_delivered); Ozon treats it as delivered — it can't be cancelled.
    ("delivering", "posting_conditionally_delivered"): OrderStatus.DELIVERED,
}

#: Push-notification states (``new_state`` of TYPE_STATE_CHANGED / TYPE_POSTING_CANCELLED) → the Seller API status,
#: from the push docs' correspondence table. ``posting_created`` stands for both ``awaiting_approve`` and
#: ``awaiting_packaging``; both are "new" for Okno, so the packaging one is used.
PUSH_STATE_STATUS: dict[str, str] = {
    "posting_acceptance_in_progress": "acceptance_in_progress",
    "posting_created": "awaiting_packaging",
    "posting_awaiting_registration": "awaiting_registration",
    "posting_transferring_to_delivery": "awaiting_deliver",
    "posting_in_carriage": "awaiting_deliver",
    "posting_not_in_carriage": "awaiting_deliver",
    "posting_in_arbitration": "arbitration",
    "posting_in_client_arbitration": "client_arbitration",
    "posting_on_way_to_city": "delivering",
    "posting_transferred_to_courier_service": "delivering",
    "posting_in_courier_service": "delivering",
    "posting_on_way_to_pickup_point": "delivering",
    "posting_in_pickup_point": "delivering",
    "posting_conditionally_delivered": "delivering",
    "posting_driver_pick_up": "driver_pickup",
    "posting_delivered": "delivered",
    "posting_received": "delivered",
    "posting_canceled": "cancelled",
    "posting_not_in_sort_center": "not_accepted",
}

#: Statuses ``fetch_new_orders`` asks for: the postings waiting for the seller's first action.
NEW_POSTING_STATUSES: tuple[str, ...] = ("awaiting_approve", "awaiting_packaging")


def fbs_status(status: str, substatus: str = "") -> str:
    """Unified status of an FBS/rFBS posting; raises ``UnknownStatus`` for values the docs do not list."""
    if status not in FBS_STATUS:
        raise UnknownStatus(f"unknown Ozon posting status {status!r}")
    return FBS_SUBSTATUS_OVERRIDES.get((status, substatus), FBS_STATUS[status])


def push_state_status(state: str) -> tuple[str, str]:
    """(Seller API status, unified status) of a push ``new_state``."""
    if state not in PUSH_STATE_STATUS:
        raise UnknownStatus(f"unknown Ozon push state {state!r}")
    status = PUSH_STATE_STATUS[state]
    return status, fbs_status(status, state)


# --- FBO postings ------------------------------------------------------------------------------------------------

#: ``/v3/posting/fbo/list`` status → unified status (FBO orders are read-only for the seller).
FBO_STATUS: dict[str, str] = {
    "awaiting_packaging": OrderStatus.NEW,  # accepted, Ozon's warehouse has not packed it yet
    "awaiting_deliver": OrderStatus.PACKED,
    "delivering": OrderStatus.SHIPPED,
    "delivered": OrderStatus.DELIVERED,
    "cancelled": OrderStatus.CANCELLED,
}


def fbo_status(status: str) -> str:
    if status not in FBO_STATUS:
        raise UnknownStatus(f"unknown Ozon FBO posting status {status!r}")
    return FBO_STATUS[status]


# --- returns -----------------------------------------------------------------------------------------------------

#: ``/v1/returns/list`` ``visual.status.sys_name`` → unified return status (returns.choices.ReturnStatus).
RETURN_STATUS: dict[str, str] = {
    "DisputeOpened": ReturnStatus.REQUESTED,  # dispute with the buyer opened
    "OnSellerApproval": ReturnStatus.REQUESTED,
    "OnSellerClarification": ReturnStatus.REQUESTED,
    "OnSellerClarificationAfterPartialCompensation": ReturnStatus.REQUESTED,
    "OfferedPartialCompensation": ReturnStatus.REQUESTED,
    "DisputeYouOpened": ReturnStatus.REQUESTED,
    "DisputeOpening": ReturnStatus.REQUESTED,  # the seller's appeal was sent to support
    "SendingError": ReturnStatus.REQUESTED,  # the appeal to support failed to send: still undecided
    "CompensationOffered": ReturnStatus.REQUESTED,  # waits for the seller's decision on compensation
    "Approved": ReturnStatus.APPROVED,
    "ApprovedByOzon": ReturnStatus.APPROVED,
    "ReturnMoneyApproved": ReturnStatus.APPROVED,
    "PartialCompensationInProcess": ReturnStatus.APPROVED,
    "PartialCompensationReturned": ReturnStatus.APPROVED,
    "MoneyReturned": ReturnStatus.APPROVED,
    "MoneyReturnedBySystem": ReturnStatus.APPROVED,  # fast refund
    "WaitingCompensation": ReturnStatus.APPROVED,
    "WaitingShipment": ReturnStatus.APPROVED,  # approved, waits to be sent back
    "CancelledDisputeNotOpen": ReturnStatus.REJECTED,
    "Rejected": ReturnStatus.REJECTED,
    "CrmRejected": ReturnStatus.REJECTED,
    "Cancelled": ReturnStatus.REJECTED,  # the buyer withdrew the request: nothing will come back
    "CompensationRejected": ReturnStatus.REJECTED,
    "CompensationRejectedBySla": ReturnStatus.REJECTED,
    "CompensationRejectedBySeller": ReturnStatus.REJECTED,
    "MovingToSeller": ReturnStatus.IN_TRANSIT,
    "ReturningToSellerByCourier": ReturnStatus.IN_TRANSIT,
    "MovingToOzon": ReturnStatus.IN_TRANSIT,
    "ArrivedAtReturnPlace": ReturnStatus.ARRIVED,  # at the pick-up point, waiting for the seller
    "ReturnedToOzon": ReturnStatus.ARRIVED,  # at Ozon's warehouse (FBO: back in Ozon's stock)
    "ReceivedBySeller": ReturnStatus.RECEIVED,
    "Utilizing": ReturnStatus.WRITTEN_OFF,  # Ozon disposes of it: it will not come back
    "Utilized": ReturnStatus.WRITTEN_OFF,
}

#: ``/v1/returns/list`` ``type`` → returns.choices.ReturnKind.
RETURN_KIND: dict[str, str] = {
    "Cancellation": ReturnKind.CANCELLATION,  # cancelled before hand-over to the buyer
    "FullReturn": ReturnKind.NON_PURCHASE,  # refused in full at hand-over
    "PartialReturn": ReturnKind.NON_PURCHASE,  # refused in part at hand-over
    "ClientReturn": ReturnKind.RETURN,  # returned after hand-over
    "Unknown": ReturnKind.RETURN,  # "technical return" (undeliverable): the goods come back all the same
}


#: ``return_reason_name`` is free text: words in it → reason code, first match wins (checked in this order).
RETURN_REASON_WORDS: tuple[tuple[str, str], ...] = (
    ("брак", ReasonCode.DEFECT),
    ("дефект", ReasonCode.DEFECT),
    ("не работает", ReasonCode.DEFECT),
    ("сломан", ReasonCode.DEFECT),
    ("не тот товар", ReasonCode.WRONG_ITEM),
    ("другой товар", ReasonCode.WRONG_ITEM),
    ("пересорт", ReasonCode.WRONG_ITEM),
    ("не та ", ReasonCode.WRONG_ITEM),
    ("поврежд", ReasonCode.DAMAGED_IN_DELIVERY),
    ("размер", ReasonCode.SIZE),
    ("не подош", ReasonCode.SIZE),
    ("не соответств", ReasonCode.NOT_AS_DESCRIBED),
    ("описани", ReasonCode.NOT_AS_DESCRIBED),
    ("передумал", ReasonCode.CHANGED_MIND),
    ("не понравил", ReasonCode.CHANGED_MIND),
    ("не нужен", ReasonCode.CHANGED_MIND),
    ("не забрал", ReasonCode.NOT_PICKED_UP),
    ("невыкуп", ReasonCode.NOT_PICKED_UP),
    ("срок хранения", ReasonCode.NOT_PICKED_UP),
)
#: The reason code when the text names none, by kind: a parcel refused at hand-over was not picked up.
RETURN_REASON_DEFAULT: dict[str, str] = {ReturnKind.NON_PURCHASE: ReasonCode.NOT_PICKED_UP}


def return_reason_code(reason: str, kind: str) -> str:
    lowered = f"{reason.lower()} "
    for words, code in RETURN_REASON_WORDS:
        if words in lowered:
            return code
    return RETURN_REASON_DEFAULT.get(kind, ReasonCode.OTHER)


# --- rFBS return requests (ozon.md §8.2) --------------------------------------------------------------------------

#: ``/v2/returns/rfbs/list`` ``state.group_state`` → unified status (``All`` is a filter value only). The finer
#: ``state.state`` codes are not enumerated by the spec; they are kept as the marketplace status.
RFBS_GROUP_STATUS: dict[str, str] = {
    "New": ReturnStatus.REQUESTED,  # waits for the seller's answer
    "Delivering": ReturnStatus.IN_TRANSIT,  # approved, the buyer sends the goods to the seller
    "Checkout": ReturnStatus.RECEIVED,  # the goods reached the seller, who checks them
    "Arbitration": ReturnStatus.REQUESTED,  # disputed: Ozon decides
    "Approved": ReturnStatus.APPROVED,  # the buyer got the money back (in full or in part)
    "Rejected": ReturnStatus.REJECTED,
}
#: Group states in which the seller may still act on a request.
RFBS_OPEN_GROUPS: tuple[str, ...] = ("New", "Delivering", "Checkout", "Arbitration")
#: ``/v1/returns/rfbs/action/set`` ids the spec names: -1 and -10 reject (with ``rejection_reason_id`` and
#: ``comment``), 1020 is a partial compensation (with ``compensation_amount``). Others come from ``available_actions``.
RFBS_REJECT_ACTIONS: frozenset[int] = frozenset({-1, -10})
RFBS_COMPENSATE_ACTION = 1020


def rfbs_status(group_state: str) -> str:
    if group_state not in RFBS_GROUP_STATUS:
        raise UnknownStatus(f"unknown Ozon rFBS return group_state {group_state!r}")
    return RFBS_GROUP_STATUS[group_state]


# --- rFBS buyer cancellation requests (ozon.md §4) -----------------------------------------------------------------

#: ``/v2/conditional-cancellation/list`` ``state.state`` → unified status.
CANCELLATION_STATUS: dict[str, str] = {
    "ON_APPROVAL": ReturnStatus.REQUESTED,  # the seller answers before ``auto_approve_date``
    "APPROVED": ReturnStatus.APPROVED,  # the posting is cancelled, the buyer's money returned
    "REJECTED": ReturnStatus.REJECTED,
}
#: ``cancellation_initiator`` → who cancelled.
CANCELLATION_INITIATOR: dict[str, str] = {
    "CLIENT": ReasonCode.CANCELLED_BY_BUYER,
    "SELLER": ReasonCode.CANCELLED_BY_SELLER,
    "OZON": ReasonCode.CANCELLED_BY_MARKETPLACE,
    "SYSTEM": ReasonCode.CANCELLED_BY_MARKETPLACE,
    "DELIVERY": ReasonCode.CANCELLED_BY_MARKETPLACE,  # the delivery service works for Ozon
}


def cancellation_status(state: str) -> str:
    if state not in CANCELLATION_STATUS:
        raise UnknownStatus(f"unknown Ozon cancellation request state {state!r}")
    return CANCELLATION_STATUS[state]


def cancellation_reason_code(initiator: str) -> str:
    if initiator not in CANCELLATION_INITIATOR:
        raise UnknownStatus(f"unknown Ozon cancellation_initiator {initiator!r}")
    return CANCELLATION_INITIATOR[initiator]


def return_status(sys_name: str) -> str:
    if sys_name not in RETURN_STATUS:
        raise UnknownStatus(f"unknown Ozon return status {sys_name!r}")
    return RETURN_STATUS[sys_name]


def return_kind(kind: str) -> str:
    if kind not in RETURN_KIND:
        raise UnknownStatus(f"unknown Ozon return type {kind!r}")
    return RETURN_KIND[kind]


# --- seller cancellation reasons ---------------------------------------------------------------------------------

#: Reasons a seller may give to ``/v2/posting/fbs/cancel`` (ozon.md §4; the spec's ``/v1/posting/fbs/cancel-reason``).
CANCEL_REASONS: dict[int, str] = {
    352: "Товар закончился на складе продавца",
    400: "Остался только бракованный товар",
    401: "Отмена из арбитража",
    402: "Другое (вина продавца)",
}
#: Okno cancels for want of stock unless told otherwise.
DEFAULT_CANCEL_REASON = 352
#: The reason that needs ``cancel_reason_message``.
OTHER_CANCEL_REASON = 402
#: Words Okno's callers may use instead of an id.
CANCEL_REASON_ALIASES: dict[str, int] = {"out_of_stock": 352, "defective": 400, "arbitration": 401, "other": 402}
