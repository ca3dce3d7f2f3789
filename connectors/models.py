from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from connectors.choices import ConnectionStatus, Job, Marketplace
from oms.crypto import EncryptedJSONField
from oms.tenancy import TenantModel


class Connection(TenantModel):
    """One seller account on one marketplace.

    ``credentials`` (API keys, tokens, client ids) are encrypted at rest and never leave the server.
    ``base_url`` replaces every API host of the marketplace (sandbox, proxy); ``api_base_urls`` overrides single
    API families (e.g. {"statistics": "http://…"}) and wins over ``base_url``. Non-secret account identifiers
    (YM business/campaign ids…) live in ``options``.
    """

    marketplace = models.CharField(_("marketplace"), max_length=20, choices=Marketplace.choices)
    name = models.CharField(_("name"), max_length=120)
    credentials = EncryptedJSONField(_("credentials"), blank=True, default=dict)
    base_url = models.URLField(_("base URL"), blank=True, help_text=_("Replaces every API host, e.g. a sandbox."))
    api_base_urls = models.JSONField(_("API family base URLs"), blank=True, default=dict)
    options = models.JSONField(_("account options"), blank=True, default=dict)
    enabled = models.BooleanField(_("enabled"), default=True)
    orders_poll_seconds = models.PositiveIntegerField(_("new orders poll, s"), default=2)
    statuses_poll_seconds = models.PositiveIntegerField(_("order statuses poll, s"), default=60)
    stocks_reconcile_seconds = models.PositiveIntegerField(_("stock reconciliation, s"), default=900)
    fbo_poll_seconds = models.PositiveIntegerField(_("FBO poll, s"), default=1800)
    returns_poll_seconds = models.PositiveIntegerField(_("returns poll, s"), default=600)
    status = models.CharField(
        _("status"), max_length=20, choices=ConnectionStatus.choices, default=ConnectionStatus.UNKNOWN
    )
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("connection")
        verbose_name_plural = _("connections")
        ordering = ["marketplace", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="connection_unique_name_per_org"),
        ]
        indexes = [models.Index(fields=["enabled", "marketplace"], name="connection_enabled_mp")]

    def __str__(self) -> str:
        return f"{self.get_marketplace_display()}: {self.name}"

    @property
    def has_credentials(self) -> bool:
        return bool(self.credentials)


class WarehouseLink(TenantModel):
    """Which marketplace warehouse (seller's FBS warehouse id on that marketplace) our warehouse feeds."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="warehouse_links")
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.CASCADE, related_name="marketplace_links")
    external_id = models.CharField(_("marketplace warehouse id"), max_length=64)
    external_name = models.CharField(_("marketplace warehouse name"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("warehouse link")
        verbose_name_plural = _("warehouse links")
        ordering = ["connection", "external_id"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "external_id"], name="warehouselink_unique_external"),
        ]

    def __str__(self) -> str:
        return f"{self.warehouse} → {self.connection} #{self.external_id}"


class JobState(TenantModel):
    """Per connection and job: the marketplace cursor and when it last worked or failed."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="job_states")
    job = models.CharField(_("job"), max_length=20, choices=Job.choices)
    cursor = models.JSONField(_("cursor"), blank=True, default=dict)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)
    last_result = models.JSONField(_("last result"), blank=True, default=dict)

    class Meta:
        verbose_name = _("job state")
        verbose_name_plural = _("job states")
        ordering = ["connection", "job"]
        constraints = [models.UniqueConstraint(fields=["connection", "job"], name="jobstate_unique_job")]

    def __str__(self) -> str:
        return f"{self.connection} / {self.job}"


class IngestError(TenantModel):
    """A marketplace payload we could not take in, kept verbatim with its error so it can be replayed."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="ingest_errors")
    job = models.CharField(_("job"), max_length=20)
    kind = models.CharField(_("payload kind"), max_length=40, help_text=_("order, return, stock, webhook…"))
    external_id = models.CharField(_("external id"), max_length=128, blank=True)
    payload = models.TextField(_("raw payload"))
    error = models.TextField(_("error"))
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    replay_count = models.PositiveIntegerField(_("replays"), default=0)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        verbose_name = _("ingest error")
        verbose_name_plural = _("ingest errors")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["connection", "resolved_at", "-created_at"], name="ingesterror_open")]

    def __str__(self) -> str:
        return f"{self.kind} {self.external_id}: {self.error[:80]}"
