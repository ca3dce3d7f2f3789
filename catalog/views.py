from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from catalog import selectors
from catalog.filters import ProductFilterSet
from catalog.models import Product
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

PRODUCT_SORTS = {
    "title": "title",
    "brand": "brand",
    "variants": "variant_count",
    "on_hand": "on_hand",
    "available": "available",
}
PRODUCT_COLUMNS = [
    Column(_("Title"), "title"),
    Column(_("Brand"), "brand"),
    Column(_("Variants"), "variants", numeric=True),
    Column(_("On hand"), "on_hand", numeric=True),
    Column(_("Available"), "available", numeric=True),
    Column(_("Listings")),
]


@member_required
def product_list(request):
    filterset = ProductFilterSet(filter_data(request.GET), queryset=selectors.product_list())
    queryset, sort = apply_sort(filterset.qs, request.GET.get("sort"), PRODUCT_SORTS, default="title")
    page = paginate(request, queryset)
    selectors.attach_marketplaces(page.object_list)
    context = {
        "filter_form": compact_filter_form(filterset.form),
        "page_obj": page,
        "headers": headers(PRODUCT_COLUMNS, sort),
        "sort": sort,
    }
    return render_list(request, "catalog/product_list.html", "catalog/partials/product_table.html", context)


@member_required
def product_detail(request, pk: int):
    product = get_object_or_404(Product.objects, pk=pk)
    variants = selectors.product_detail_variants(product)
    stock_rows = [(variant, level) for variant in variants for level in variant.stock_levels.all()]
    return render(
        request,
        "catalog/product_detail.html",
        {
            "product": product,
            "variants": variants,
            "kits": [variant for variant in variants if variant.is_kit],
            "stock_rows": stock_rows,
            "listings": selectors.product_listings(product),
        },
    )
