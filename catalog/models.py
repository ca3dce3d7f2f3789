from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.choices import BarcodeKind, ListingStatus, StockSyncState, VatRate
from oms.money import MoneyField
from oms.tenancy import TenantModel


class Product(TenantModel):
    """The golden record: one card per product, the source every marketplace format is exported from.

    Weight, dimensions and cost price on the product are the defaults for its variants; a variant states its
    own where it differs.
    """

    title = models.CharField(_("title"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    brand = models.CharField(_("brand"), max_length=200, blank=True)
    category = models.CharField(_("category"), max_length=300, blank=True)
    attributes = models.JSONField(_("attributes"), blank=True, default=dict)
    images = models.JSONField(_("image URLs"), blank=True, default=list)
    is_marked = models.BooleanField(
        _("requires marking"), default=False, help_text=_("Chestny ZNAK marking codes are required to ship.")
    )
    vat_rate = models.CharField(_("VAT"), max_length=4, choices=VatRate.choices, default=VatRate.NONE)
    country_of_origin = models.CharField(_("country of origin"), max_length=100, blank=True)
    weight_g = models.PositiveIntegerField(_("weight, g"), null=True, blank=True)
    length_mm = models.PositiveIntegerField(_("length, mm"), null=True, blank=True)
    width_mm = models.PositiveIntegerField(_("width, mm"), null=True, blank=True)
    height_mm = models.PositiveIntegerField(_("height, mm"), null=True, blank=True)
    cost_price = MoneyField(verbose_name=_("cost price"), null=True, blank=True, default=None)
    is_archived = models.BooleanField(_("archived"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["title", "pk"]
        indexes = [models.Index(fields=["organization", "title"], name="product_org_title")]

    def __str__(self) -> str:
        return self.title


class Variant(TenantModel):
    """A sellable unit with the seller's SKU. A kit is a variant made of other variants (``components``)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField(_("seller SKU"), max_length=100)
    name = models.CharField(_("variant name"), max_length=300, blank=True)
    size = models.CharField(_("size"), max_length=50, blank=True)
    colour = models.CharField(_("colour"), max_length=100, blank=True)
    weight_g = models.PositiveIntegerField(_("weight, g"), null=True, blank=True)
    length_mm = models.PositiveIntegerField(_("length, mm"), null=True, blank=True)
    width_mm = models.PositiveIntegerField(_("width, mm"), null=True, blank=True)
    height_mm = models.PositiveIntegerField(_("height, mm"), null=True, blank=True)
    cost_price = MoneyField(verbose_name=_("cost price"), null=True, blank=True, default=None)
    price = MoneyField(verbose_name=_("base price"), null=True, blank=True, default=None)
    is_kit = models.BooleanField(_("kit"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        ordering = ["sku"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "sku"], name="variant_unique_sku_per_org"),
            models.CheckConstraint(condition=~Q(sku=""), name="variant_sku_not_empty"),
            models.CheckConstraint(
                condition=Q(cost_price__isnull=True) | Q(cost_price__gte=0), name="variant_cost_non_negative"
            ),
            models.CheckConstraint(condition=Q(price__isnull=True) | Q(price__gte=0), name="variant_price_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} — {self.display_name}"

    @property
    def display_name(self) -> str:
        details = ", ".join(part for part in (self.name, self.size, self.colour) if part)
        title = self.product.title if self.product_id else ""
        return f"{title} ({details})" if details else title

    @property
    def effective_cost_price(self):
        return self.cost_price if self.cost_price is not None else self.product.cost_price

    @property
    def effective_weight_g(self) -> int | None:
        return self.weight_g if self.weight_g is not None else self.product.weight_g


class Barcode(TenantModel):
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="barcodes")
    value = models.CharField(_("barcode"), max_length=64)
    kind = models.CharField(_("kind"), max_length=10, choices=BarcodeKind.choices, default=BarcodeKind.EAN13)

    class Meta:
        verbose_name = _("barcode")
        verbose_name_plural = _("barcodes")
        ordering = ["value"]
        constraints = [
            # A scan must lead to exactly one variant of the organization.
            models.UniqueConstraint(fields=["organization", "value"], name="barcode_unique_per_org"),
        ]

    def __str__(self) -> str:
        return self.value


class KitComponent(TenantModel):
    kit = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="components")
    component = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="used_in_kits")
    quantity = models.PositiveIntegerField(_("quantity per kit"), default=1, validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("kit component")
        verbose_name_plural = _("kit components")
        ordering = ["kit", "component"]
        constraints = [
            models.UniqueConstraint(fields=["kit", "component"], name="kitcomponent_unique"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="kitcomponent_quantity_positive"),
            models.CheckConstraint(condition=~Q(kit=models.F("component")), name="kitcomponent_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.kit.sku} ⊃ {self.quantity} × {self.component.sku}"


class Listing(TenantModel):
    """A variant offered on one connection, with the marketplace's own identifiers and our stock-sync state.

    ``offer_id`` is the seller's article on that marketplace (WB vendorCode, Ozon offer_id, YM offerId, AE
    sku_code); ``external_product_id`` / ``external_sku`` hold the marketplace ids (WB nmID / chrtID, Ozon
    product_id / sku, YM marketSku, AE product_id / sku_id); ``stock_key`` is what that marketplace's stock
    API addresses (WB barcode, Ozon offer_id, YM sku, AE sku_code).
    """

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="listings")
    connection = models.ForeignKey("connectors.Connection", on_delete=models.CASCADE, related_name="listings")
    offer_id = models.CharField(_("offer id"), max_length=150)
    external_product_id = models.CharField(_("marketplace product id"), max_length=64, blank=True)
    external_sku = models.CharField(_("marketplace SKU id"), max_length=64, blank=True)
    stock_key = models.CharField(_("stock key"), max_length=150, blank=True)
    price = MoneyField(verbose_name=_("price"), null=True, blank=True, default=None)
    old_price = MoneyField(verbose_name=_("price before discount"), null=True, blank=True, default=None)
    status = models.CharField(_("status"), max_length=12, choices=ListingStatus.choices, default=ListingStatus.DRAFT)
    marketplace_status = models.CharField(_("marketplace status"), max_length=100, blank=True)
    category_id = models.CharField(_("marketplace category"), max_length=64, blank=True)
    attributes = models.JSONField(_("marketplace attributes"), blank=True, default=dict)
    # Stock sync: what we last offered, when, and whether the marketplace confirmed it.
    sync_state = models.CharField(
        _("stock sync"), max_length=10, choices=StockSyncState.choices, default=StockSyncState.UNKNOWN
    )
    stock_dirty_at = models.DateTimeField(_("stock changed at"), null=True, blank=True)
    # Units of a fast seller are held back from this channel (connectors.push.held_back_units); the hold shrinks as
    # sales slow down, so the listing is looked at again at this time even if nothing else changes.
    stock_recheck_at = models.DateTimeField(_("re-check held-back stock at"), null=True, blank=True)
    pushed_quantity = models.IntegerField(_("quantity pushed"), null=True, blank=True)
    pushed_at = models.DateTimeField(_("pushed at"), null=True, blank=True)
    push_error = models.TextField(_("last push error"), blank=True)
    marketplace_quantity = models.IntegerField(_("quantity on marketplace"), null=True, blank=True)
    marketplace_quantity_at = models.DateTimeField(_("read back at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        ordering = ["connection", "offer_id"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "offer_id"], name="listing_unique_offer"),
            models.UniqueConstraint(fields=["connection", "variant"], name="listing_one_per_variant_connection"),
        ]
        indexes = [
            models.Index(fields=["connection", "external_sku"], name="listing_external_sku"),
            models.Index(
                fields=["connection", "stock_dirty_at"],
                name="listing_stock_dirty",
                condition=Q(stock_dirty_at__isnull=False),
            ),
            models.Index(
                fields=["connection", "stock_recheck_at"],
                name="listing_stock_recheck",
                condition=Q(stock_recheck_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offer_id} @ {self.connection_id}"
