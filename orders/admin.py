from django.contrib import admin

from oms.admin import ReadOnlyTenantAdmin, TenantTabularInline
from orders.models import BatchItem, Box, Document, Order, OrderEvent, OrderLine, PickBatch

# Orders arrive from the marketplaces and change status through orders.services, which also moves stock and
# writes the status history. Editing them here would bypass both, so the admin shows them read-only.


class OrderLineInline(TenantTabularInline):
    model = OrderLine
    read_only = True
    fields = ("sku", "offer_id", "name", "variant", "quantity", "price", "total")


class OrderEventInline(TenantTabularInline):
    model = OrderEvent
    read_only = True
    fields = ("occurred_at", "status", "marketplace_status", "source", "message", "user")


@admin.register(Order)
class OrderAdmin(ReadOnlyTenantAdmin):
    list_display = ("number", "connection", "scheme", "status", "stock_state", "ordered_at", "ship_by", "total")
    list_filter = ("status", "scheme", "stock_state", "payment_status", "connection__marketplace")
    list_select_related = ("connection",)
    search_fields = ("number", "external_id", "buyer_name", "lines__sku")
    inlines = (OrderLineInline, OrderEventInline)


@admin.register(OrderLine)
class OrderLineAdmin(ReadOnlyTenantAdmin):
    list_display = ("order", "sku", "name", "quantity", "price", "total")
    list_select_related = ("order",)
    search_fields = ("order__number", "sku", "offer_id")


@admin.register(OrderEvent)
class OrderEventAdmin(ReadOnlyTenantAdmin):
    list_display = ("order", "occurred_at", "status", "marketplace_status", "source")
    list_filter = ("status", "source")
    list_select_related = ("order",)
    search_fields = ("order__number", "marketplace_status")


# Pick batches, their orders, boxes and documents are built and moved by the fulfilment services.


class BatchItemInline(TenantTabularInline):
    model = BatchItem
    read_only = True
    fields = ("order", "status", "active", "error", "label_error")


class BoxInline(TenantTabularInline):
    model = Box
    read_only = True
    fields = ("barcode", "order", "external_id", "weight_g")


class DocumentInline(TenantTabularInline):
    model = Document
    fk_name = "batch"
    read_only = True
    fields = ("kind", "file", "pages", "created_at")


@admin.register(PickBatch)
class PickBatchAdmin(ReadOnlyTenantAdmin):
    list_display = ("number", "connection", "warehouse", "status", "cutoff_at", "handed_over_at", "created_at")
    list_filter = ("status", "connection__marketplace")
    list_select_related = ("connection", "warehouse")
    search_fields = ("=number", "external_ref")
    inlines = (BatchItemInline, BoxInline, DocumentInline)


@admin.register(BatchItem)
class BatchItemAdmin(ReadOnlyTenantAdmin):
    list_display = ("batch", "order", "status", "active", "updated_at")
    list_filter = ("status", "active")
    list_select_related = ("batch", "order")
    search_fields = ("order__number",)


@admin.register(Box)
class BoxAdmin(ReadOnlyTenantAdmin):
    list_display = ("barcode", "batch", "order", "external_id", "weight_g", "created_at")
    list_select_related = ("batch", "order")
    search_fields = ("barcode", "external_id", "order__number")


@admin.register(Document)
class DocumentAdmin(ReadOnlyTenantAdmin):
    list_display = ("created_at", "kind", "batch", "order", "content_type", "pages")
    list_filter = ("kind",)
    list_select_related = ("batch", "order")
