from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from inventory.choices import MovementKind, WarehouseKind
from oms.tenancy import TenantModel


class Warehouse(TenantModel):
    """Where stock is: the seller's own warehouse, or a marketplace's FBO warehouse tied to a connection."""

    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=40)
    kind = models.CharField(_("kind"), max_length=8, choices=WarehouseKind.choices, default=WarehouseKind.OWN)
    connection = models.ForeignKey(
        "connectors.Connection",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fbo_warehouses",
        verbose_name=_("marketplace connection"),
    )
    external_id = models.CharField(_("marketplace warehouse id"), max_length=64, blank=True)
    address = models.TextField(_("address"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="warehouse_unique_code"),
            models.CheckConstraint(
                condition=Q(kind=WarehouseKind.OWN) | Q(connection__isnull=False),
                name="warehouse_fbo_has_connection",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Location(TenantModel):
    """A bin. ``walk_order`` sorts bins along the picker's route; the pick list walks them in that order."""

    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="locations")
    code = models.CharField(_("code"), max_length=40)
    zone = models.CharField(_("zone"), max_length=20, blank=True)
    aisle = models.CharField(_("aisle"), max_length=20, blank=True)
    rack = models.CharField(_("rack"), max_length=20, blank=True)
    shelf = models.CharField(_("shelf"), max_length=20, blank=True)
    walk_order = models.PositiveIntegerField(_("walking order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("bin location")
        verbose_name_plural = _("bin locations")
        ordering = ["warehouse", "walk_order", "code"]
        constraints = [models.UniqueConstraint(fields=["warehouse", "code"], name="location_unique_code")]
        indexes = [models.Index(fields=["warehouse", "walk_order"], name="location_walk")]

    def __str__(self) -> str:
        return self.code


class StockLevel(TenantModel):
    """The running sum of the ledger for one variant in one warehouse. Changed only by ``inventory.services``."""

    variant = models.ForeignKey("catalog.Variant", on_delete=models.CASCADE, related_name="stock_levels")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="stock_levels")
    location = models.ForeignKey(
        Location, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("main bin")
    )
    on_hand = models.IntegerField(_("on hand"), default=0)
    reserved = models.IntegerField(_("reserved"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        ordering = ["warehouse", "variant"]
        constraints = [
            models.UniqueConstraint(fields=["variant", "warehouse"], name="stocklevel_unique_variant_warehouse"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stocklevel_on_hand_non_negative"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="stocklevel_reserved_non_negative"),
            models.CheckConstraint(condition=Q(reserved__lte=F("on_hand")), name="stocklevel_reserved_within_on_hand"),
        ]

    def __str__(self) -> str:
        return f"{self.variant_id}@{self.warehouse_id}: {self.on_hand}/{self.reserved}"

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class StockMovement(TenantModel):
    """Append-only ledger row. ``on_hand_delta``/``reserved_delta`` sum to the StockLevel; rows are never edited.

    ``idempotency_key`` makes a repeated business event (the same order arriving three times) one row.
    """

    variant = models.ForeignKey("catalog.Variant", on_delete=models.PROTECT, related_name="movements")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(_("kind"), max_length=12, choices=MovementKind.choices)
    on_hand_delta = models.IntegerField(_("on hand change"), default=0)
    reserved_delta = models.IntegerField(_("reserved change"), default=0)
    on_hand_after = models.IntegerField(_("on hand after"))
    reserved_after = models.IntegerField(_("reserved after"))
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="movements"
    )
    order_line = models.ForeignKey(
        "orders.OrderLine", on_delete=models.PROTECT, null=True, blank=True, related_name="movements"
    )
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, null=True, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "idempotency_key"],
                name="stockmovement_unique_idempotency_key",
                condition=Q(idempotency_key__isnull=False),
            ),
            models.CheckConstraint(
                condition=~Q(on_hand_delta=0, reserved_delta=0), name="stockmovement_changes_something"
            ),
        ]
        indexes = [models.Index(fields=["variant", "warehouse", "-created_at"], name="movement_variant_wh")]

    def __str__(self) -> str:
        return f"{self.kind} {self.variant_id}@{self.warehouse_id} {self.on_hand_delta:+}/{self.reserved_delta:+}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError("Stock movements are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Stock movements are append-only")


class ChannelStockPolicy(TenantModel):
    """How much of the available stock a connection may offer, optionally for one product only.

    offered = 0 if frozen or available < stop_below, else floor((available − buffer) × share%).
    """

    connection = models.ForeignKey("connectors.Connection", on_delete=models.CASCADE, related_name="stock_policies")
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, null=True, blank=True, related_name="stock_policies"
    )
    buffer = models.PositiveIntegerField(_("safety buffer"), default=0)
    share_percent = models.PositiveSmallIntegerField(_("share of available, %"), default=100)
    stop_below = models.PositiveIntegerField(_("stop selling below"), default=0)
    frozen = models.BooleanField(_("frozen"), default=False)
    frozen_quantity = models.PositiveIntegerField(_("quantity while frozen"), null=True, blank=True)

    class Meta:
        verbose_name = _("channel stock policy")
        verbose_name_plural = _("channel stock policies")
        ordering = ["connection", "product"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "product"], name="policy_unique_product", condition=Q(product__isnull=False)
            ),
            models.UniqueConstraint(fields=["connection"], name="policy_unique_default", condition=Q(product__isnull=True)),
            models.CheckConstraint(condition=Q(share_percent__lte=100), name="policy_share_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"{self.connection} / {self.product or '*'}"


class PushedStock(TenantModel):
    """What Okno last told one marketplace warehouse about one listing, and what it showed when read back.

    ``next_allowed_at`` holds the marketplace's own pacing (Ozon: one update per item and warehouse per 30 s):
    a change before then waits and goes the moment the window opens.
    """

    listing = models.ForeignKey("catalog.Listing", on_delete=models.CASCADE, related_name="pushed_stocks")
    warehouse_external_id = models.CharField(_("marketplace warehouse id"), max_length=64)
    quantity = models.IntegerField(_("quantity pushed"), null=True, blank=True)
    pushed_at = models.DateTimeField(_("pushed at"), null=True, blank=True)
    error = models.TextField(_("last error"), blank=True)
    error_at = models.DateTimeField(_("error at"), null=True, blank=True)
    marketplace_quantity = models.IntegerField(_("quantity on marketplace"), null=True, blank=True)
    marketplace_quantity_at = models.DateTimeField(_("read back at"), null=True, blank=True)
    verified = models.BooleanField(_("verified"), null=True, blank=True)
    next_allowed_at = models.DateTimeField(_("next update allowed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("pushed stock")
        verbose_name_plural = _("pushed stock")
        ordering = ["listing", "warehouse_external_id"]
        constraints = [
            models.UniqueConstraint(fields=["listing", "warehouse_external_id"], name="pushedstock_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.listing_id}@{self.warehouse_external_id}: {self.quantity}"


class DriftRecord(TenantModel):
    """A read-back that disagreed with what Okno pushed: the log behind the stock screen's drift filter."""

    listing = models.ForeignKey("catalog.Listing", on_delete=models.CASCADE, related_name="drift_records")
    warehouse_external_id = models.CharField(_("marketplace warehouse id"), max_length=64)
    expected = models.IntegerField(_("expected"))
    found = models.IntegerField(_("on marketplace"))
    detected_at = models.DateTimeField(_("detected at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("stock drift")
        verbose_name_plural = _("stock drift")
        ordering = ["-detected_at"]
        indexes = [models.Index(fields=["organization", "resolved_at"], name="drift_open")]

    def __str__(self) -> str:
        return f"{self.listing_id}: {self.expected} ≠ {self.found}"
