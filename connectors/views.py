from __future__ import annotations

from django.shortcuts import get_object_or_404, render

from connectors import selectors
from connectors.filters import ConnectionFilterSet
from oms.web import compact_filter_form, filter_data, member_required, render_list


@member_required
def connection_list(request):
    filterset = ConnectionFilterSet(filter_data(request.GET), queryset=selectors.connection_list())
    context = {
        "filter_form": compact_filter_form(filterset.form),
        "connections": filterset.qs.order_by("marketplace", "name"),
    }
    return render_list(
        request, "connectors/connection_list.html", "connectors/partials/connection_table.html", context
    )


@member_required
def connection_detail(request, pk: int):
    connection = get_object_or_404(selectors.connection_list(), pk=pk)
    context = {
        "connection": connection,
        "job_states": selectors.connection_job_states(connection),
        "warehouse_links": selectors.connection_warehouse_links(connection),
        "ingest_errors": selectors.connection_open_ingest_errors(connection),
    }
    return render(request, "connectors/connection_detail.html", context)
