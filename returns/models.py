from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oms.money import CURRENCY, MoneyField
from oms.tenancy import TenantModel
from returns.choices import ClaimStatus, InspectionOutcome, ReasonCode, ReturnKind, ReturnStatus


class Return(TenantModel):
    """A return, non-purchase or cancellation followed from the buyer's request to restock or write-off.

    ``order`` is null while the marketplace's order is unknown to Okno (kept and shown as unmatched).
    """

    connection = models.ForeignKey("connectors.Connection", on_delete=models.PROTECT, related_name="returns")
    external_id = models.CharField(_("marketplace id"), max_length=128)
    order = models.ForeignKey("orders.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="returns")
    order_external_id = models.CharField(_("marketplace order id"), max_length=128, blank=True)
    kind = models.CharField(_("kind"), max_length=14, choices=ReturnKind.choices, default=ReturnKind.RETURN)
    scheme = models.CharField(_("scheme"), max_length=3, default="fbs")
    status = models.CharField(_("status"), max_length=12, choices=ReturnStatus.choices, default=ReturnStatus.REQUESTED)
    marketplace_status = models.CharField(_("marketplace status"), max_length=100, blank=True)
    reason = models.TextField(_("reason (marketplace)"), blank=True)
    reason_code = models.CharField(_("reason"), max_length=30, choices=ReasonCode.choices, default=ReasonCode.OTHER)
    buyer_comment = models.TextField(_("buyer comment"), blank=True)
    photos = models.JSONField(_("photos"), blank=True, default=list)
    amount = MoneyField(verbose_name=_("amount"))
    currency = models.CharField(_("currency"), max_length=3, default=CURRENCY)
    requested_at = models.DateTimeField(_("requested at"), null=True, blank=True)
    deadline_at = models.DateTimeField(_("answer by"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    inspected_at = models.DateTimeField(_("inspected at"), null=True, blank=True)
    inspection_outcome = models.CharField(
        _("inspection outcome"), max_length=12, choices=InspectionOutcome.choices, blank=True
    )
    inspection_note = models.TextField(_("inspection note"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    warehouse = models.ForeignKey(
        "inventory.Warehouse", on_delete=models.PROTECT, null=True, blank=True, related_name="returns",
        verbose_name=_("restocked into"),
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    raw = models.JSONField(_("marketplace payload"), blank=True, default=dict)
    created_at = models.DateTimeField(_("received in Okno"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "external_id"], name="return_unique_external_id"),
        ]
        indexes = [
            models.Index(fields=["organization", "status", "deadline_at"], name="return_org_status_deadline"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.external_id}"


class ReturnLine(TenantModel):
    return_request = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey("orders.OrderLine", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="return_lines")
    variant = models.ForeignKey("catalog.Variant", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="return_lines")
    offer_id = models.CharField(_("offer id"), max_length=150, blank=True)
    name = models.CharField(_("name"), max_length=500, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    price = MoneyField(verbose_name=_("unit price"))
    restocked_quantity = models.PositiveIntegerField(_("restocked"), default=0)
    written_off_quantity = models.PositiveIntegerField(_("written off"), default=0)

    class Meta:
        verbose_name = _("return line")
        verbose_name_plural = _("return lines")
        ordering = ["return_request", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="returnline_quantity_positive"),
            models.CheckConstraint(
                condition=Q(restocked_quantity__lte=models.F("quantity") - models.F("written_off_quantity")),
                name="returnline_not_over_processed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offer_id} × {self.quantity}"


class Claim(TenantModel):
    """A buyer's or marketplace's claim that must be answered through the marketplace before ``deadline_at``."""

    connection = models.ForeignKey("connectors.Connection", on_delete=models.PROTECT, related_name="claims")
    external_id = models.CharField(_("marketplace id"), max_length=128)
    return_request = models.ForeignKey(Return, on_delete=models.SET_NULL, null=True, blank=True, related_name="claims")
    order = models.ForeignKey("orders.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="claims")
    status = models.CharField(_("status"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.OPEN)
    marketplace_status = models.CharField(_("marketplace status"), max_length=100, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    deadline_at = models.DateTimeField(_("answer by"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=100, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    raw = models.JSONField(_("marketplace payload"), blank=True, default=dict)
    created_at = models.DateTimeField(_("received in Okno"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["deadline_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["connection", "external_id"], name="claim_unique_external_id")]
        indexes = [models.Index(fields=["organization", "status", "deadline_at"], name="claim_org_status_deadline")]

    def __str__(self) -> str:
        return f"{self.external_id}: {self.subject}"
