from django.db import models
from django.utils.translation import gettext_lazy as _


class Marketplace(models.TextChoices):
    WB = "wb", _("Wildberries")
    OZON = "ozon", _("Ozon")
    YANDEX_MARKET = "yandex_market", _("Yandex Market")
    ALIEXPRESS = "aliexpress", _("AliExpress")


class ConnectionStatus(models.TextChoices):
    UNKNOWN = "unknown", _("Not checked yet")
    OK = "ok", _("Working")
    AUTH_FAILED = "auth_failed", _("Credentials rejected")
    RATE_LIMITED = "rate_limited", _("Rate limited")
    UNAVAILABLE = "unavailable", _("Marketplace unavailable")
    ERROR = "error", _("Error")


class Job(models.TextChoices):
    """Units of work a connection runs on its own schedule; later issues add finance, reviews, content."""

    ORDERS = "orders", _("New orders")
    STATUSES = "statuses", _("Order statuses")
    STOCKS = "stocks", _("Stock push")
    FBO = "fbo", _("FBO orders and stock")
    RETURNS = "returns", _("Returns and claims")
