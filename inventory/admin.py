from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from inventory.models import (
    ChannelStockPolicy,
    DriftRecord,
    Location,
    PushedStock,
    StockLevel,
    StockMovement,
    Warehouse,
)
from oms.admin import ReadOnlyTenantAdmin, TenantAdmin, TenantTabularInline
from oms.choices import Capability


class LocationInline(TenantTabularInline):
    model = Location
    edit_capability = Capability.EDIT_WAREHOUSES
    fields = ("code", "zone", "aisle", "rack", "shelf", "walk_order", "is_active")


@admin.register(Warehouse)
class WarehouseAdmin(TenantAdmin):
    edit_capability = Capability.EDIT_WAREHOUSES
    list_display = ("name", "code", "kind", "connection", "is_active")
    list_filter = ("kind", "is_active")
    list_select_related = ("connection",)
    search_fields = ("name", "code", "external_id")
    inlines = (LocationInline,)


@admin.register(Location)
class LocationAdmin(TenantAdmin):
    edit_capability = Capability.EDIT_WAREHOUSES
    list_display = ("code", "warehouse", "zone", "aisle", "rack", "shelf", "walk_order", "is_active")
    list_filter = ("is_active", "zone")
    list_select_related = ("warehouse",)
    search_fields = ("code", "warehouse__name")
    ordering = ("warehouse", "walk_order", "code")


# Quantities change only through the ledger (inventory.services): the admin shows them and nothing more.
@admin.register(StockLevel)
class StockLevelAdmin(ReadOnlyTenantAdmin):
    list_display = ("variant", "warehouse", "location", "on_hand", "reserved", "available", "updated_at")
    list_select_related = ("variant__product", "warehouse", "location")
    search_fields = ("variant__sku", "variant__product__title")

    @admin.display(description=_("available"))
    def available(self, obj):
        return obj.available


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyTenantAdmin):
    list_display = (
        "created_at", "kind", "variant", "warehouse", "on_hand_delta", "reserved_delta", "on_hand_after",
        "reserved_after", "order", "reference", "user",
    )
    list_filter = ("kind",)
    list_select_related = ("variant__product", "warehouse", "order", "user")
    search_fields = ("variant__sku", "reference", "order__number", "idempotency_key")


@admin.register(ChannelStockPolicy)
class ChannelStockPolicyAdmin(TenantAdmin):
    edit_capability = Capability.MANAGE_CONNECTIONS
    list_display = ("connection", "product", "buffer", "share_percent", "stop_below", "frozen", "frozen_quantity")
    list_filter = ("frozen",)
    list_select_related = ("connection", "product")
    raw_id_fields = ("product",)


# The sync engine's own records: what was pushed where, and where a marketplace disagreed.
@admin.register(PushedStock)
class PushedStockAdmin(ReadOnlyTenantAdmin):
    list_display = (
        "listing", "warehouse_external_id", "quantity", "pushed_at", "marketplace_quantity", "verified", "error_at",
    )
    list_filter = ("verified",)
    list_select_related = ("listing",)
    search_fields = ("listing__offer_id", "warehouse_external_id")


@admin.register(DriftRecord)
class DriftRecordAdmin(ReadOnlyTenantAdmin):
    list_display = ("detected_at", "listing", "warehouse_external_id", "expected", "found", "resolved_at")
    list_select_related = ("listing",)
    search_fields = ("listing__offer_id",)
