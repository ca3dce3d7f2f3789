from django.db import models
from django.utils.translation import gettext_lazy as _


class WarehouseKind(models.TextChoices):
    OWN = "own", _("Own warehouse (FBS/DBS)")
    FBO = "fbo", _("Marketplace warehouse (FBO)")


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    RESERVATION = "reservation", _("Reservation")
    RELEASE = "release", _("Release")
    SHIPMENT = "shipment", _("Shipment")
    RETURN = "return", _("Return restock")
    ADJUSTMENT = "adjustment", _("Adjustment")
    COUNT = "count", _("Stock count")
    WRITE_OFF = "write_off", _("Write-off")
