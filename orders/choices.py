from django.db import models
from django.utils.translation import gettext_lazy as _


class Scheme(models.TextChoices):
    FBS = "fbs", _("FBS — from own warehouse, marketplace delivers")
    DBS = "dbs", _("DBS — from own warehouse, seller delivers")
    FBO = "fbo", _("FBO — from marketplace warehouse")


class OrderStatus(models.TextChoices):
    NEW = "new", _("New")
    CONFIRMED = "confirmed", _("Confirmed")
    PICKING = "picking", _("Picking")
    PACKED = "packed", _("Packed")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")
    RETURNED = "returned", _("Returned")


# Statuses in which the seller still has work to do (the "orders to ship" screen).
OPEN_STATUSES = (OrderStatus.NEW, OrderStatus.CONFIRMED, OrderStatus.PICKING, OrderStatus.PACKED)
FINAL_STATUSES = (OrderStatus.DELIVERED, OrderStatus.CANCELLED, OrderStatus.RETURNED)


class PaymentStatus(models.TextChoices):
    UNKNOWN = "unknown", _("Unknown")
    PREPAID = "prepaid", _("Paid online")
    POSTPAID = "postpaid", _("Pay on delivery")
    PAID = "paid", _("Paid")
    REFUNDED = "refunded", _("Refunded")


class StockState(models.TextChoices):
    """Whether the order's units are held in our stock."""

    NOT_RESERVED = "none", _("Not reserved")
    RESERVED = "reserved", _("Reserved")
    OVERSOLD = "oversold", _("Oversold — not enough stock")
    SHIPPED = "shipped", _("Shipped from stock")
    RELEASED = "released", _("Released")
    EXTERNAL = "external", _("Marketplace stock (FBO)")


class EventSource(models.TextChoices):
    POLL = "poll", _("Marketplace poll")
    WEBHOOK = "webhook", _("Marketplace notification")
    USER = "user", _("User")
    API = "api", _("API")
    SYSTEM = "system", _("Okno")


class BatchStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PICKING = "picking", _("Picking")
    PACKED = "packed", _("Packed")
    HANDED_OVER = "handed_over", _("Handed over")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE_BATCH_STATUSES = (BatchStatus.OPEN, BatchStatus.PICKING, BatchStatus.PACKED)


class BatchItemStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    DONE = "done", _("Handed over")
    FAILED = "failed", _("Refused by marketplace")
    REMOVED = "removed", _("Removed from batch")


class DocumentKind(models.TextChoices):
    PICK_LIST = "pick_list", _("Pick list")
    LABELS = "labels", _("Marketplace labels")
    BOX_LABELS = "box_labels", _("Box labels")
    PACKING_SLIPS = "packing_slips", _("Packing slips")
    HANDOVER_ACT = "handover_act", _("Handover act")
    WMS_EXPORT = "wms_export", _("WMS export")
    ORDERS_XLSX = "orders_xlsx", _("Orders export")
