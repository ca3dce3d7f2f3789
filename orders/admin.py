from django.contrib import admin

from oms.admin import ReadOnlyTenantAdmin, TenantTabularInline
from orders.models import Order, OrderEvent, OrderLine

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
