from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oms.money import CURRENCY, MoneyField
from oms.tenancy import TenantModel
from orders.choices import (
    BatchItemStatus,
    BatchStatus,
    DocumentKind,
    EventSource,
    OrderStatus,
    PaymentStatus,
    Scheme,
    StockState,
)


class Order(TenantModel):
    """One marketplace order (WB assembly task, Ozon posting, YM order, AE order) in Okno's unified shape.

    ``external_id`` is what the marketplace's API addresses the order by and is unique per connection;
    ``number`` is what people see and search. ``status`` is unified, ``marketplace_status`` is theirs.
    """

    connection = models.ForeignKey("connectors.Connection", on_delete=models.PROTECT, related_name="orders")
    external_id = models.CharField(_("marketplace id"), max_length=128)
    number = models.CharField(_("number"), max_length=128)
    scheme = models.CharField(_("scheme"), max_length=3, choices=Scheme.choices, default=Scheme.FBS)
    status = models.CharField(_("status"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.NEW)
    marketplace_status = models.CharField(_("marketplace status"), max_length=100, blank=True)
    marketplace_substatus = models.CharField(_("marketplace substatus"), max_length=100, blank=True)
    stock_state = models.CharField(
        _("stock"), max_length=10, choices=StockState.choices, default=StockState.NOT_RESERVED
    )
    warehouse = models.ForeignKey(
        "inventory.Warehouse", on_delete=models.PROTECT, null=True, blank=True, related_name="orders"
    )
    buyer_name = models.CharField(_("buyer"), max_length=300, blank=True)
    buyer_phone = models.CharField(_("buyer phone"), max_length=50, blank=True)
    buyer_email = models.CharField(_("buyer e-mail"), max_length=200, blank=True)
    delivery_address = models.TextField(_("delivery address"), blank=True)
    delivery_details = models.JSONField(_("delivery details"), blank=True, default=dict)
    delivery_method = models.CharField(_("delivery method"), max_length=200, blank=True)
    payment_status = models.CharField(
        _("payment"), max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.UNKNOWN
    )
    ordered_at = models.DateTimeField(_("ordered at"), null=True, blank=True)
    ship_by = models.DateTimeField(_("ship by"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.TextField(_("cancellation reason"), blank=True)
    currency = models.CharField(_("currency"), max_length=3, default=CURRENCY)
    items_total = MoneyField(verbose_name=_("items total"))
    delivery_total = MoneyField(verbose_name=_("delivery"))
    discount_total = MoneyField(verbose_name=_("discounts"))
    total = MoneyField(verbose_name=_("total"))
    raw = models.JSONField(_("marketplace payload"), blank=True, default=dict)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-ordered_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "external_id"], name="order_unique_external_id"),
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_non_negative"),
        ]
        indexes = [
            models.Index(fields=["organization", "status", "ship_by"], name="order_org_status_shipby"),
            models.Index(fields=["organization", "number"], name="order_org_number"),
            models.Index(fields=["organization", "-ordered_at"], name="order_org_ordered"),
        ]

    def __str__(self) -> str:
        return self.number


class OrderLine(TenantModel):
    """A line copies what was sold (SKU, name, price) at the time; ``variant`` is null when unmatched."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(
        "catalog.Variant", on_delete=models.PROTECT, null=True, blank=True, related_name="order_lines"
    )
    listing = models.ForeignKey(
        "catalog.Listing", on_delete=models.SET_NULL, null=True, blank=True, related_name="order_lines"
    )
    external_line_id = models.CharField(_("marketplace line id"), max_length=128, blank=True)
    offer_id = models.CharField(_("offer id"), max_length=150, blank=True)
    sku = models.CharField(_("SKU"), max_length=150, blank=True)
    name = models.CharField(_("name"), max_length=500, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    price = MoneyField(verbose_name=_("unit price"))
    total = MoneyField(verbose_name=_("line total"))

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="orderline_quantity_positive"),
            models.CheckConstraint(condition=Q(price__gte=0), name="orderline_price_non_negative"),
        ]
        # The orders screen searches lines by the marketplace article, also for lines Okno could not match.
        indexes = [models.Index(fields=["organization", "offer_id"], name="orderline_org_offer")]

    def __str__(self) -> str:
        return f"{self.sku or self.offer_id} × {self.quantity}"


class OrderEvent(TenantModel):
    """The status history: every change, when the marketplace says it happened, and who told us."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(_("status"), max_length=12, choices=OrderStatus.choices)
    marketplace_status = models.CharField(_("marketplace status"), max_length=100, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=EventSource.choices)
    message = models.TextField(_("message"), blank=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["order", "occurred_at", "pk"]
        indexes = [models.Index(fields=["order", "occurred_at"], name="orderevent_order_time")]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.status}"


class PickBatch(TenantModel):
    """A pick batch (сборочное задание): orders of one marketplace connection and warehouse with a common cut-off,
    picked together, packed, and handed over together (for WB: one supply)."""

    number = models.PositiveIntegerField(_("number"))
    connection = models.ForeignKey("connectors.Connection", on_delete=models.PROTECT, related_name="pick_batches")
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="pick_batches")
    cutoff_at = models.DateTimeField(_("ship by"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=BatchStatus.choices, default=BatchStatus.OPEN)
    picker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("picker"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    external_ref = models.CharField(_("marketplace shipment id"), max_length=128, blank=True,
                                    help_text=_("WB supply, Ozon carriage, YM shipment…"))
    handed_over_at = models.DateTimeField(_("handed over at"), null=True, blank=True)
    wms_sent_at = models.DateTimeField(_("sent to WMS at"), null=True, blank=True)
    wms_error = models.TextField(_("WMS error"), blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("pick batch")
        verbose_name_plural = _("pick batches")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["organization", "number"], name="pickbatch_unique_number")]
        indexes = [models.Index(fields=["organization", "status"], name="pickbatch_org_status")]

    def __str__(self) -> str:
        return f"#{self.number}"


class BatchItem(TenantModel):
    """An order in a batch, with the marketplace's verdict on its handover."""

    batch = models.ForeignKey(PickBatch, on_delete=models.CASCADE, related_name="items")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="batch_items")
    status = models.CharField(_("status"), max_length=8, choices=BatchItemStatus.choices,
                              default=BatchItemStatus.PENDING)
    active = models.BooleanField(default=True, help_text=_("The order's current batch."))
    error = models.TextField(_("marketplace message"), blank=True)
    label_error = models.TextField(_("label error"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("batch order")
        verbose_name_plural = _("batch orders")
        ordering = ["batch", "pk"]
        constraints = [
            # An order is in at most one current batch.
            models.UniqueConstraint(fields=["order"], condition=Q(active=True), name="batchitem_one_active_batch"),
        ]

    def __str__(self) -> str:
        return f"{self.batch} / {self.order}"


class Box(TenantModel):
    """A shipping box (грузоместо) with Okno's own barcode; may carry the marketplace's box id."""

    batch = models.ForeignKey(PickBatch, on_delete=models.CASCADE, related_name="boxes")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, null=True, blank=True, related_name="boxes")
    barcode = models.CharField(_("barcode"), max_length=40)
    external_id = models.CharField(_("marketplace box id"), max_length=64, blank=True)
    weight_g = models.PositiveIntegerField(_("weight, g"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("box")
        verbose_name_plural = _("boxes")
        ordering = ["batch", "pk"]
        constraints = [models.UniqueConstraint(fields=["organization", "barcode"], name="box_unique_barcode")]

    def __str__(self) -> str:
        return self.barcode


class Document(TenantModel):
    """A generated file (PDF, ZPL, XLSX, JSON) kept for download and reprint."""

    kind = models.CharField(_("kind"), max_length=14, choices=DocumentKind.choices)
    batch = models.ForeignKey(PickBatch, on_delete=models.CASCADE, null=True, blank=True, related_name="documents")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, null=True, blank=True, related_name="documents")
    file = models.FileField(_("file"), upload_to="documents/%Y/%m/")
    content_type = models.CharField(_("content type"), max_length=100)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"
