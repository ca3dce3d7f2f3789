from __future__ import annotations

from django import forms
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from catalog.models import Variant
from inventory import selectors
from inventory.filters import StockLevelFilterSet, StockMovementFilterSet
from oms.web import (
    Column,
    apply_sort,
    compact_filter_form,
    filter_data,
    headers,
    member_required,
    paginate,
    render_list,
)

STOCK_SORTS = {
    "sku": "variant__sku",
    "product": "variant__product__title",
    "warehouse": "warehouse__name",
    "bin": "location__walk_order",
    "on_hand": "on_hand",
    "reserved": "reserved",
    "available": "available_units",
}
STOCK_COLUMNS = [
    Column(_("SKU"), "sku"),
    Column(_("Product"), "product"),
    Column(_("Warehouse"), "warehouse"),
    Column(_("Bin"), "bin"),
    Column(_("On hand"), "on_hand", numeric=True),
    Column(_("Reserved"), "reserved", numeric=True),
    Column(_("Available"), "available", numeric=True),
    Column(""),
]


@member_required
def stock_list(request):
    filterset = StockLevelFilterSet(filter_data(request.GET), queryset=selectors.stock_levels())
    form = compact_filter_form(filterset.form)
    # The API filters by warehouse id; the screen offers the organization's warehouses by name.
    form.fields["warehouse"].widget = forms.Select(
        choices=[("", _("All warehouses")), *[(w.pk, w.name) for w in selectors.warehouses()]],
        attrs={"class": "input"},
    )
    form.fields["low_stock"].widget.attrs.update({"min": 0, "placeholder": "≤"})
    queryset, sort = apply_sort(filterset.qs, request.GET.get("sort"), STOCK_SORTS, default="sku")
    page = paginate(request, queryset)
    context = {"filter_form": form, "page_obj": page, "headers": headers(STOCK_COLUMNS, sort), "sort": sort}
    return render_list(request, "inventory/stock_list.html", "inventory/partials/stock_table.html", context)


@member_required
def variant_ledger(request, pk: int):
    variant = get_object_or_404(Variant.objects.select_related("product"), pk=pk)
    levels = selectors.variant_stock(variant)
    filterset = StockMovementFilterSet(filter_data(request.GET), queryset=selectors.variant_movements(variant))
    warehouse_id = filterset.form.cleaned_data.get("warehouse") if filterset.is_valid() else None
    context = {
        "variant": variant,
        "levels": levels,
        "warehouse": next((level.warehouse for level in levels if level.warehouse_id == warehouse_id), None),
        "page_obj": paginate(request, filterset.qs),
    }
    return render_list(request, "inventory/variant_ledger.html", "inventory/partials/ledger_table.html", context)
