from django.contrib import admin

from oms.admin import ReadOnlyTenantAdmin, TenantTabularInline
from returns.models import Claim, Return, ReturnLine

# Returns and claims arrive from the marketplaces and move through returns.services (inspection, restock
# through the stock ledger, answers through the APIs): the admin shows them and does not edit them.


class ReturnLineInline(TenantTabularInline):
    model = ReturnLine
    read_only = True
    fields = ("offer_id", "name", "variant", "quantity", "price", "restocked_quantity", "written_off_quantity")


@admin.register(Return)
class ReturnAdmin(ReadOnlyTenantAdmin):
    list_display = ("external_id", "connection", "kind", "status", "order", "amount", "requested_at", "deadline_at")
    list_filter = ("kind", "status", "reason_code", "connection__marketplace")
    list_select_related = ("connection", "order")
    search_fields = ("external_id", "order_external_id", "order__number")
    inlines = (ReturnLineInline,)


@admin.register(ReturnLine)
class ReturnLineAdmin(ReadOnlyTenantAdmin):
    list_display = ("return_request", "offer_id", "name", "quantity", "restocked_quantity", "written_off_quantity")
    list_select_related = ("return_request",)
    search_fields = ("offer_id", "return_request__external_id")


@admin.register(Claim)
class ClaimAdmin(ReadOnlyTenantAdmin):
    list_display = ("external_id", "connection", "status", "subject", "deadline_at", "answered_at")
    list_filter = ("status", "connection__marketplace")
    list_select_related = ("connection",)
    search_fields = ("external_id", "subject", "order__number")
