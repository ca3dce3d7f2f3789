from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

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
from orders import selectors
from orders.choices import OPEN_STATUSES
from orders.filters import OrderFilterSet

ORDER_SORTS = {
    "number": "number",
    "status": "status",
    "ordered": "ordered_at",
    "ship_by": "ship_by",
    "total": "total",
}
ORDER_COLUMNS = [
    Column(_("Number"), "number"),
    Column(_("Marketplace")),
    Column(_("Scheme")),
    Column(_("Status"), "status"),
    Column(_("Ordered"), "ordered"),
    Column(_("Ship by"), "ship_by"),
    Column(_("Total"), "total", numeric=True),
]


@member_required
def order_list(request):
    filterset = OrderFilterSet(filter_data(request.GET), queryset=selectors.order_list())
    form = compact_filter_form(filterset.form)
    queryset, sort = apply_sort(filterset.qs, request.GET.get("sort"), ORDER_SORTS, default="-ordered")
    page = paginate(request, queryset)
    context = {
        "filter_form": form,
        "page_obj": page,
        "headers": headers(ORDER_COLUMNS, sort),
        "sort": sort,
        "open_statuses": OPEN_STATUSES,
    }
    return render_list(request, "orders/order_list.html", "orders/partials/order_table.html", context)


@member_required
def order_detail(request, pk: int):
    order = get_object_or_404(selectors.order_list(), pk=pk)
    context = {"order": order, "lines": selectors.order_lines(order), "events": selectors.order_events(order)}
    return render(request, "orders/order_detail.html", context)
