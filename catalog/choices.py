from django.db import models
from django.utils.translation import gettext_lazy as _


class BarcodeKind(models.TextChoices):
    EAN13 = "ean13", "EAN-13"
    EAN8 = "ean8", "EAN-8"
    UPC = "upc", "UPC-A"
    CODE128 = "code128", "Code 128"
    OTHER = "other", _("Other")


class ListingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("On moderation")
    ACTIVE = "active", _("On sale")
    INACTIVE = "inactive", _("Not on sale")
    BLOCKED = "blocked", _("Blocked by marketplace")
    ARCHIVED = "archived", _("Archived")


class StockSyncState(models.TextChoices):
    """What Okno knows about the quantity a listing shows on its marketplace."""

    UNKNOWN = "unknown", _("Not pushed yet")
    PENDING = "pending", _("Change waiting to be pushed")
    PUSHED = "pushed", _("Pushed, not yet verified")
    VERIFIED = "verified", _("Verified")
    DRIFTING = "drifting", _("Marketplace shows a different quantity")
    ERROR = "error", _("Push failed")


class VatRate(models.TextChoices):
    NONE = "none", _("Without VAT")
    VAT_0 = "0", "0%"
    VAT_5 = "5", "5%"
    VAT_7 = "7", "7%"
    VAT_10 = "10", "10%"
    VAT_20 = "20", "20%"
