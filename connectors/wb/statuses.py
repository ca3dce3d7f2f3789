"""WB statuses → Okno's unified statuses, as data.

An FBS assembly task has two independent status axes (POST /api/v3/orders/status): ``supplierStatus``, moved by the
seller's actions, and ``wbStatus``, moved by WB's logistics. The unified status is read from both. FBW (FBO) orders
have no status field at all: the statistics rows they come from are named here ("order", "sale", …). Return claims
have a decision (``status``) and a fate of the goods (``status_ex``).

Every value the docs or the spec list is here; an unknown value raises ``UnknownStatus`` so the payload is kept as an
ingest error instead of silently becoming "new".
"""

from __future__ import annotations

from datetime import timedelta

from orders.choices import OrderStatus
from returns.choices import ReasonCode, ReturnStatus


class UnknownStatus(ValueError):
    pass


# supplierStatus (spec enum: new, confirm, complete, cancel; the spec text adds cancel_carrier for cross-border).
SUPPLIER_STATUSES: dict[str, str] = {
    "new": OrderStatus.NEW,  # new assembly task
    "confirm": OrderStatus.CONFIRMED,  # "on assembly": added to a supply
    "complete": OrderStatus.SHIPPED,  # "in delivery": supply handed to WB
    "cancel": OrderStatus.CANCELLED,  # cancelled by the seller
    "cancel_carrier": OrderStatus.CANCELLED,  # cancelled by the carrier (cross-border only)
}

# wbStatus (spec enum plus the values the spec text and older docs name). None: says nothing beyond supplierStatus.
WB_STATUSES: dict[str, str | None] = {
    "waiting": None,  # task in progress
    "sorted": OrderStatus.SHIPPED,  # sorted at WB
    "ready_for_pickup": OrderStatus.SHIPPED,  # at the pickup point
    "postponed_delivery": OrderStatus.SHIPPED,  # courier delivery postponed
    "accepted_by_carrier": OrderStatus.SHIPPED,  # cross-border: handed to a carrier in the seller's country
    "sent_to_carrier": OrderStatus.SHIPPED,  # cross-border: sent to the carrier's warehouse
    "sold": OrderStatus.DELIVERED,  # received by the buyer
    "canceled": OrderStatus.CANCELLED,  # cancelled by WB (e.g. not delivered in time)
    "canceled_by_client": OrderStatus.CANCELLED,  # buyer refused at receipt
    "declined_by_client": OrderStatus.CANCELLED,  # buyer cancelled within the first hour, before assembly
    "defect": OrderStatus.CANCELLED,  # cancelled because of a defect
    "canceled_by_carrier": OrderStatus.CANCELLED,  # cross-border: cancelled by the carrier (spec text only)
    "canceled_by_missed_call": OrderStatus.CANCELLED,  # legacy value from older WB material
}

# A task WB cancels after the seller handed it over (supplierStatus "complete") travels back to the seller: for
# Okno that unit is returned, not cancelled (its stock was already shipped).
RETURNED_AFTER_HANDOVER = frozenset({"complete"})

# FBW orders come from statistics rows: an order row (cancelled or not) and sale rows (saleID S… = sale,
# R… = return to a WB warehouse). The names are Okno's, kept as the order's marketplace status.
FBO_STATUSES: dict[str, str] = {
    "order": OrderStatus.NEW,
    "order_cancelled": OrderStatus.CANCELLED,
    "sale": OrderStatus.DELIVERED,
    "return": OrderStatus.RETURNED,
}

# Claim decision ``status``: 0 under review, 1 rejected, 2 approved.
CLAIM_STATUSES: dict[int, str] = {
    0: ReturnStatus.REQUESTED,
    1: ReturnStatus.REJECTED,
    2: ReturnStatus.APPROVED,
}

# Claim goods fate ``status_ex`` — where the unit ends up decides what the seller can still expect.
CLAIM_GOODS_STATUSES: dict[int, str] = {
    0: ReturnStatus.REQUESTED,  # under review
    1: ReturnStatus.REJECTED,  # stays with the buyer, claim rejected
    2: ReturnStatus.WRITTEN_OFF,  # buyer hands it to WB, it is disposed of: nothing comes back
    5: ReturnStatus.APPROVED,  # stays with the buyer, claim approved (refund without return)
    8: ReturnStatus.APPROVED,  # goes back on sale at WB after WB's check
    10: ReturnStatus.IN_TRANSIT,  # travels back to the seller
}

# Answers to a claim (PATCH /api/v1/claim ``action``; the claim's ``actions`` lists the ones allowed now).
CLAIM_ACTIONS: dict[str, str] = {
    "approve1": "approve; WB checks the defect, then the goods go to the seller or back on sale",
    "approve2": "approve; the goods go back to the seller",
    "autorefund1": "approve without a return: the buyer keeps the goods and gets the money",
    "reject1": "reject with WB's template: the defect was not found",
    "reject2": "reject with WB's template: add photos or a video",
    "reject3": "reject with WB's template: take it to a service centre",
    "rejectcustom": "reject with the seller's own comment",
    "approvecc1": "approve; the buyer brings the goods to the seller's shop (click & collect)",
    "confirmreturngoodcc1": "confirm the goods came back to the seller's shop (click & collect)",
}
# What "approve the return" means on WB, best first: the goods come back to the seller (Okno restocks them).
# ``autorefund1`` (the buyer keeps the goods) is an answer to choose deliberately, through ``answer_claim``.
CLAIM_APPROVALS: tuple[str, ...] = ("approve2", "approve1", "approvecc1")
CLAIM_TEMPLATE_REJECTIONS: frozenset[str] = frozenset({"reject1", "reject2", "reject3"})
CLAIM_CUSTOM_REJECTION = "rejectcustom"
# ``comment`` applies only to these actions; ``rejectcustom`` requires it (10–1000 characters).
CLAIM_COMMENT_ACTIONS: frozenset[str] = frozenset({"rejectcustom", "approvecc1"})
CLAIM_COMMENT_REQUIRED: frozenset[str] = frozenset({"rejectcustom"})
CLAIM_COMMENT_LENGTH = (10, 1000)
# WB documents no answer deadline; GET /api/v1/claims lists a claim for 14 days after the buyer filed it, so that is
# the last moment the seller can answer it through the API.
CLAIM_ANSWER_WINDOW = timedelta(days=14)
# Claims carry no reason field (only the buyer's comment).
CLAIM_REASON_CODE = ReasonCode.OTHER

_RANK = {
    OrderStatus.NEW: 0,
    OrderStatus.CONFIRMED: 1,
    OrderStatus.PICKING: 2,
    OrderStatus.PACKED: 3,
    OrderStatus.SHIPPED: 4,
    OrderStatus.DELIVERED: 5,
}


def unified_status(supplier_status: str, wb_status: str = "") -> str:
    """The unified status of an assembly task from both axes; ``wb_status`` may be empty (/orders/new has none)."""
    if supplier_status not in SUPPLIER_STATUSES:
        raise UnknownStatus(f"unknown WB supplierStatus {supplier_status!r}")
    if wb_status and wb_status not in WB_STATUSES:
        raise UnknownStatus(f"unknown WB wbStatus {wb_status!r}")
    by_seller = SUPPLIER_STATUSES[supplier_status]
    by_wb = WB_STATUSES.get(wb_status) if wb_status else None
    if by_seller == OrderStatus.CANCELLED:
        return OrderStatus.CANCELLED
    if by_wb == OrderStatus.CANCELLED:
        return OrderStatus.RETURNED if supplier_status in RETURNED_AFTER_HANDOVER else OrderStatus.CANCELLED
    if by_wb is None:
        return by_seller
    return by_wb if _RANK[by_wb] > _RANK[by_seller] else by_seller


def fbo_status(kind: str) -> str:
    if kind not in FBO_STATUSES:
        raise UnknownStatus(f"unknown WB statistics row kind {kind!r}")
    return FBO_STATUSES[kind]


def claim_status(status: int, status_ex: int) -> str:
    """The unified return status of a claim: the goods' fate once WB knows it, else the decision."""
    if isinstance(status, bool) or status not in CLAIM_STATUSES:
        raise UnknownStatus(f"unknown WB claim status {status!r}")
    if isinstance(status_ex, bool) or status_ex not in CLAIM_GOODS_STATUSES:
        raise UnknownStatus(f"unknown WB claim status_ex {status_ex!r}")
    return CLAIM_GOODS_STATUSES[status_ex] if status_ex else CLAIM_STATUSES[status]
