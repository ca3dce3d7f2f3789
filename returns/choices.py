from django.db import models
from django.utils.translation import gettext_lazy as _


class ReturnKind(models.TextChoices):
    RETURN = "return", _("Return")
    CANCELLATION = "cancellation", _("Cancellation")
    CLAIM = "claim", _("Claim")
    NON_PURCHASE = "non_purchase", _("Not picked up")


class ReturnStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    IN_TRANSIT = "in_transit", _("In transit")
    ARRIVED = "arrived", _("Arrived")
    RECEIVED = "received", _("Received")
    INSPECTED = "inspected", _("Inspected")
    RESTOCKED = "restocked", _("Restocked")
    WRITTEN_OFF = "written_off", _("Written off")


# The lifecycle's forward order; a stale marketplace report never moves a return back.
RETURN_STATUS_RANK = {
    ReturnStatus.REQUESTED: 0,
    ReturnStatus.APPROVED: 1,
    ReturnStatus.REJECTED: 1,
    ReturnStatus.IN_TRANSIT: 2,
    ReturnStatus.ARRIVED: 3,
    ReturnStatus.RECEIVED: 4,
    ReturnStatus.INSPECTED: 5,
    ReturnStatus.RESTOCKED: 6,
    ReturnStatus.WRITTEN_OFF: 6,
}


class InspectionOutcome(models.TextChoices):
    OK = "ok", _("OK, can be sold")
    DEFECT = "defect", _("Defect")
    WRONG_ITEM = "wrong_item", _("Wrong item")
    INCOMPLETE = "incomplete", _("Incomplete")


class ReasonCode(models.TextChoices):
    DEFECT = "defect", _("Defect")
    NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
    WRONG_ITEM = "wrong_item", _("Wrong item sent")
    SIZE = "size", _("Did not fit")
    CHANGED_MIND = "changed_mind", _("Changed mind")
    DAMAGED_IN_DELIVERY = "damaged", _("Damaged in delivery")
    NOT_PICKED_UP = "not_picked_up", _("Not picked up")
    CANCELLED_BY_BUYER = "cancelled_by_buyer", _("Cancelled by buyer")
    CANCELLED_BY_SELLER = "cancelled_by_seller", _("Cancelled by seller")
    CANCELLED_BY_MARKETPLACE = "cancelled_by_marketplace", _("Cancelled by marketplace")
    OTHER = "other", _("Other")


class ClaimStatus(models.TextChoices):
    OPEN = "open", _("Awaiting answer")
    ANSWERED = "answered", _("Answered")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Deadline missed")
