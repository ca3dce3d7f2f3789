from django.contrib import admin

from catalog.models import Barcode, KitComponent, Listing, Product, Variant
from oms.admin import TenantAdmin, TenantTabularInline
from oms.choices import Capability


class VariantInline(TenantTabularInline):
    model = Variant
    edit_capability = Capability.EDIT_CATALOG
    fields = ("sku", "name", "size", "colour", "price", "cost_price", "is_kit", "is_active")
    show_change_link = True


class BarcodeInline(TenantTabularInline):
    model = Barcode
    edit_capability = Capability.EDIT_CATALOG
    fields = ("value", "kind")


class KitComponentInline(TenantTabularInline):
    model = KitComponent
    fk_name = "kit"
    edit_capability = Capability.EDIT_CATALOG
    raw_id_fields = ("component",)


@admin.register(Product)
class ProductAdmin(TenantAdmin):
    edit_capability = Capability.EDIT_CATALOG
    list_display = ("title", "brand", "category", "is_marked", "is_archived", "updated_at")
    list_filter = ("is_archived", "is_marked", "vat_rate")
    search_fields = ("title", "brand", "category", "variants__sku")
    readonly_fields = ("created_at", "updated_at")
    inlines = (VariantInline,)


@admin.register(Variant)
class VariantAdmin(TenantAdmin):
    edit_capability = Capability.EDIT_CATALOG
    list_display = ("sku", "product", "name", "size", "colour", "price", "is_kit", "is_active")
    list_filter = ("is_kit", "is_active")
    list_select_related = ("product",)
    search_fields = ("sku", "name", "product__title", "barcodes__value")
    raw_id_fields = ("product",)
    readonly_fields = ("created_at", "updated_at")
    inlines = (BarcodeInline, KitComponentInline)


@admin.register(Barcode)
class BarcodeAdmin(TenantAdmin):
    edit_capability = Capability.EDIT_CATALOG
    list_display = ("value", "kind", "variant")
    list_filter = ("kind",)
    list_select_related = ("variant__product",)
    search_fields = ("value", "variant__sku")
    raw_id_fields = ("variant",)


@admin.register(KitComponent)
class KitComponentAdmin(TenantAdmin):
    edit_capability = Capability.EDIT_CATALOG
    list_display = ("kit", "component", "quantity")
    list_select_related = ("kit__product", "component__product")
    search_fields = ("kit__sku", "component__sku")
    raw_id_fields = ("kit", "component")


@admin.register(Listing)
class ListingAdmin(TenantAdmin):
    edit_capability = Capability.EDIT_CATALOG
    list_display = (
        "offer_id", "variant", "connection", "status", "price", "sync_state", "pushed_quantity", "pushed_at",
    )
    list_filter = ("status", "sync_state", "connection__marketplace")
    list_select_related = ("variant__product", "connection")
    search_fields = ("offer_id", "variant__sku", "external_product_id", "external_sku", "stock_key")
    raw_id_fields = ("variant",)
    readonly_fields = (
        "stock_dirty_at", "pushed_quantity", "pushed_at", "push_error", "marketplace_quantity",
        "marketplace_quantity_at", "created_at", "updated_at",
    )
