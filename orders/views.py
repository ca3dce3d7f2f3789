"""Заказы к отгрузке (orders to ship), the order page, scanning, and pick batches with their documents.

Views parse input, call one service (``orders.services``, ``orders.batches``, ``orders.documents``) and render or
redirect. Every state change needs WORK_ORDERS; viewers read. Objects are fetched through the tenant-scoped
managers, so another organization's id is a 404.
"""

from __future__ import annotations

import os
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from connectors.models import Connection
from connectors.registry import connector_class
from inventory.models import Warehouse
from oms.choices import Capability
from oms.models import Membership
from oms.web import (
    Column,
    apply_sort,
    capability_required,
    compact_filter_form,
    filter_data,
    headers,
    member_required,
    paginate,
    render_list,
)
from orders import batches, exports, selectors, services
from orders.choices import OPEN_STATUSES, BatchItemStatus, BatchStatus, OrderStatus
from orders.documents import boxes as box_documents
from orders.documents import handover as handover_documents
from orders.documents import labels as label_documents
from orders.documents import pick_list as pick_list_documents
from orders.documents import wms as wms_documents
from orders.documents import zpl as zpl_documents
from orders.documents.common import DocumentError
from orders.filters import OrderFilterSet, PickBatchFilterSet
from orders.models import Document, Order, PickBatch

work_required = capability_required(Capability.WORK_ORDERS)

ORDER_COLUMNS = [
    Column(gettext_lazy("Number"), "number"),
    Column(gettext_lazy("Marketplace")),
    Column(gettext_lazy("Items")),
    Column(gettext_lazy("Buyer"), "buyer"),
    Column(gettext_lazy("Payment")),
    Column(gettext_lazy("Delivery address")),
    Column(gettext_lazy("Warehouse")),
    Column(gettext_lazy("Ship by"), "ship_by"),
    Column(gettext_lazy("Status"), "status"),
    Column(gettext_lazy("Stock")),
    Column(gettext_lazy("Batch")),
    Column(gettext_lazy("Total"), "total", numeric=True),
]
BATCH_SORTS = {"number": "number", "cutoff": "cutoff_at", "status": "status", "created": "created_at"}
BATCH_COLUMNS = [
    Column(gettext_lazy("Batch"), "number"),
    Column(gettext_lazy("Marketplace")),
    Column(gettext_lazy("Warehouse")),
    Column(gettext_lazy("Ship by"), "cutoff"),
    Column(gettext_lazy("Status"), "status"),
    Column(gettext_lazy("Orders"), numeric=True),
    Column(gettext_lazy("Handed over"), numeric=True),
    Column(gettext_lazy("Refused"), numeric=True),
    Column(gettext_lazy("Picker")),
    Column(gettext_lazy("Created"), "created"),
]
# Buttons of the batch page: the status a button moves the batch to → its label.
TRANSITION_LABELS = {
    BatchStatus.PICKING: gettext_lazy("Start picking"),
    BatchStatus.PACKED: gettext_lazy("Mark packed"),
    BatchStatus.OPEN: gettext_lazy("Back to open"),
    BatchStatus.CANCELLED: gettext_lazy("Cancel batch"),
}
MAX_FAILURE_MESSAGES = 10


def _can_work(request) -> bool:
    membership = getattr(request, "membership", None)
    return bool(membership and membership.can(Capability.WORK_ORDERS))


def _back(request, fallback: str) -> HttpResponseRedirect:
    """Back to where the form was (``next``, same host only), else ``fallback``."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(fallback)


def _ids(values: list[str]) -> list[int]:
    ids = []
    for value in values:
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            continue
    return ids


# --- Заказы к отгрузке ----------------------------------------------------------------------------------------


def _screen(request):
    """The filtered, sorted queryset of the orders screen and the filter form that produced it."""
    data = filter_data(request.GET)
    filterset = OrderFilterSet(data, queryset=selectors.order_list(), request=request)
    form = compact_filter_form(filterset.form)
    form.fields["status"].widget.choices = [("", _("Awaiting work")), *OrderStatus.choices]
    form.fields["marketplace"].widget.choices = [("", _("All marketplaces")),
                                                 *form.fields["marketplace"].choices]
    form.fields["connection"].label = _("Connection")
    form.fields["connection"].widget = forms.Select(
        choices=[("", _("All connections")), *[
            (c.pk, c.name) for c in Connection.objects.only("pk", "name", "marketplace").order_by("marketplace", "name")
        ]], attrs={"class": "input"},
    )
    form.fields["warehouse"].label = _("Warehouse")
    form.fields["warehouse"].widget = forms.Select(
        choices=[("", _("All warehouses")), *[
            (w.pk, w.name) for w in Warehouse.objects.filter(is_active=True).only("pk", "name").order_by("name")
        ]], attrs={"class": "input"},
    )
    # An invalid parameter is ignored (django-filter drops it), as everywhere else on the lists.
    queryset = selectors.awaiting_work(filterset.qs, data)
    queryset, sort = selectors.screen_sort(queryset, request.GET.get("sort"))
    return form, queryset, sort, data


@member_required
def order_list(request):
    form, queryset, sort, data = _screen(request)
    page = selectors.screen_page(queryset, selectors.page_number(request.GET.get("page")), sort=sort,
                                 statuses=selectors.screen_statuses(data), search=bool(data.get("q", "").strip()))
    context = {
        "filter_form": form,
        "page_obj": page,
        "headers": headers(ORDER_COLUMNS, sort),
        "sort": sort,
        "open_statuses": OPEN_STATUSES,
        "can_work": _can_work(request),
        "count_cap": selectors.COUNT_CAP,
        "query": request.GET.urlencode(),
        "filter_connection": data.get("connection", ""),
        "filter_warehouse": data.get("warehouse", ""),
        "now": timezone.now(),
    }
    return render_list(request, "orders/order_list.html", "orders/partials/order_table.html", context)


@member_required
@require_GET
def order_export(request):
    """Every order of the current view (filters and sort from the URL) as XLSX."""
    _form, queryset, _sort, _data = _screen(request)
    workbook = exports.write_xlsx(queryset)
    filename = f"orders-{timezone.localtime():%Y-%m-%d-%H%M}.xlsx"
    return FileResponse(workbook, as_attachment=True, filename=filename, content_type=exports.XLSX_CONTENT_TYPE)


@member_required
@require_GET
def scan(request):
    """The barcode-scanner field: a scanner types the code and Enter; we go where the code leads."""
    code = request.GET.get("code", "").strip()
    list_url = reverse("orders:order_list")
    if not code:
        return redirect(list_url)
    found = selectors.scan(code)
    if found.order is not None:
        return redirect("orders:order_detail", found.order.pk)
    if found.orders:  # the same number on two connections
        return redirect(f"{list_url}?{urlencode({'q': code})}")
    if found.box is not None:
        return redirect("orders:batch_detail", found.box.batch_id)
    if found.variant is not None:
        messages.info(request, _("Open orders with %(sku)s.") % {"sku": found.variant.sku})
        return redirect(f"{list_url}?{urlencode({'q': found.variant.sku})}")
    messages.error(request, _("Nothing found for “%(code)s”.") % {"code": code})
    return redirect(list_url)


def _requested_download(request, **owner) -> Document | None:
    """The document a page was asked to download once (``?download=<id>`` after generating it)."""
    wanted = request.GET.get("download", "")
    return Document.objects.filter(pk=int(wanted), **owner).first() if wanted.isdigit() else None


# --- one order ------------------------------------------------------------------------------------------------


@member_required
def order_detail(request, pk: int):
    order = get_object_or_404(selectors.order_list(), pk=pk)
    now = timezone.now()
    order.deadline = selectors.Deadline.of(order.ship_by, now, active=order.status in OPEN_STATUSES)
    current = selectors.current_batch_item(order)
    batchable = (order.status in OPEN_STATUSES and order.scheme in batches.BATCHABLE_SCHEMES
                 and order.warehouse_id is not None and current is None)
    context = {
        "order": order,
        "lines": selectors.order_lines(order),
        "events": selectors.order_events(order),
        "movements": selectors.order_movements(order),
        "documents": selectors.order_documents(order),
        "batch_items": selectors.order_batch_items(order),
        "current_item": current,
        "can_work": _can_work(request),
        "can_cancel": order.status in OPEN_STATUSES,
        "can_confirm": order.status == OrderStatus.NEW,
        "batchable": batchable,
        "join_batches": list(selectors.batches_to_join(order)) if batchable else [],
        "open_statuses": OPEN_STATUSES,
        "download": _requested_download(request, order=order),
    }
    return render(request, "orders/order_detail.html", context)


@work_required
@require_POST
def order_cancel(request, pk: int):
    order = get_object_or_404(Order.objects.select_related("connection"), pk=pk)
    reason = request.POST.get("reason", "").strip()[:500]
    if order.status not in OPEN_STATUSES:
        messages.error(request, _("Only an order awaiting work can be cancelled."))
    else:
        result = services.cancel_on_marketplace(order, reason, user=request.user)
        if result.ok:
            messages.success(request, _("Order %(number)s is cancelled.") % {"number": order.number})
        else:
            messages.error(request, _("The marketplace did not cancel the order: %(message)s")
                           % {"message": result.message})
    return redirect("orders:order_detail", order.pk)


@work_required
@require_POST
def order_confirm(request, pk: int):
    order = get_object_or_404(Order.objects.select_related("connection"), pk=pk)
    if order.status != OrderStatus.NEW:
        messages.error(request, _("Only a new order can be confirmed."))
    else:
        result = services.confirm_on_marketplace(order, user=request.user)
        if result.ok:
            messages.success(request, _("Order %(number)s is confirmed.") % {"number": order.number})
        else:
            messages.error(request, _("The marketplace did not confirm the order: %(message)s")
                           % {"message": result.message})
    return redirect("orders:order_detail", order.pk)


@work_required
@require_POST
def order_add_to_batch(request, pk: int):
    order = get_object_or_404(Order, pk=pk)
    target = _ids([request.POST.get("batch", "")])
    try:
        if target:
            batch = batches.add_orders(get_object_or_404(PickBatch, pk=target[0]), [order], user=request.user)
        else:
            batch = batches.create_batch([order], user=request.user)
    except batches.BatchError as exc:
        messages.error(request, str(exc))
        return redirect("orders:order_detail", order.pk)
    messages.success(request, _("Order %(number)s is in batch %(batch)s.") % {"number": order.number, "batch": batch})
    return redirect("orders:batch_detail", batch.pk)


@work_required
@require_POST
def order_packing_slip(request, pk: int):
    order = get_object_or_404(Order, pk=pk)
    try:
        document = box_documents.render_packing_slip(order, user=request.user)
    except DocumentError as exc:
        messages.error(request, str(exc))
        return redirect("orders:order_detail", order.pk)
    return redirect(f"{reverse('orders:order_detail', args=[order.pk])}?download={document.pk}")


# --- pick batches ---------------------------------------------------------------------------------------------


@member_required
def batch_list(request):
    data = filter_data(request.GET)
    filterset = PickBatchFilterSet(data, queryset=selectors.batch_list(), request=request)
    form = compact_filter_form(filterset.form)
    queryset, sort = apply_sort(filterset.qs, request.GET.get("sort"), BATCH_SORTS, default="-created")
    context = {
        "filter_form": form,
        "page_obj": paginate(request, queryset),
        "headers": headers(BATCH_COLUMNS, sort),
        "sort": sort,
        "can_work": _can_work(request),
    }
    return render_list(request, "orders/batch_list.html", "orders/partials/batch_table.html", context)


@work_required
@require_POST
def batch_create(request):
    """A batch from the orders selected on the screen (checkboxes named ``order``)."""
    ids = _ids(request.POST.getlist("order"))
    try:
        batch = batches.create_batch(ids, user=request.user)
    except Order.DoesNotExist:
        raise Http404
    except batches.BatchError as exc:
        messages.error(request, str(exc))
        return _back(request, reverse("orders:order_list"))
    messages.success(request, _("Batch %(batch)s created with %(count)s orders.") % {"batch": batch, "count": len(ids)})
    return redirect("orders:batch_detail", batch.pk)


@work_required
@require_POST
def batch_auto(request):
    """Сформировать автоматически: one batch per marketplace connection, warehouse and ship-by day."""
    connection_id, warehouse_id = _ids([request.POST.get("connection", "")]), _ids([request.POST.get("warehouse", "")])
    connection = get_object_or_404(Connection, pk=connection_id[0]) if connection_id else None
    warehouse = get_object_or_404(Warehouse, pk=warehouse_id[0]) if warehouse_id else None
    made = batches.auto_group(user=request.user, connection=connection, warehouse=warehouse)
    if made:
        messages.success(request, _("Batches created: %(numbers)s.") % {"numbers": ", ".join(str(b) for b in made)})
    else:
        messages.info(request, _("Every open order is in a batch already."))
    return redirect("orders:batch_list")


def _batch_or_404(pk: int) -> PickBatch:
    try:
        return batches.get_batch(pk)
    except PickBatch.DoesNotExist:
        raise Http404


@member_required
def batch_detail(request, pk: int):
    batch = _batch_or_404(pk)
    marketplace_connector = connector_class(batch.connection.marketplace)
    formats = label_documents.offered_formats(marketplace_connector)
    items = selectors.batch_rows(batch)
    active = [item for item in items if item.active]
    context = {
        "batch": batch,
        "items": items,
        "active_count": len(active),
        "failed_count": sum(1 for item in active if item.status == BatchItemStatus.FAILED),
        "done_count": sum(1 for item in active if item.status == BatchItemStatus.DONE),
        "removable": batch.status != BatchStatus.CANCELLED and any(i.status != BatchItemStatus.DONE for i in active),
        "documents": selectors.batch_documents(batch),
        "can_work": _can_work(request),
        "transitions": [(status, TRANSITION_LABELS[status]) for status in batches.TRANSITIONS[batch.status]
                        if status in TRANSITION_LABELS],
        "can_hand_over": batch.status == BatchStatus.PACKED or (
            batch.status == BatchStatus.HANDED_OVER and any(i.status == BatchItemStatus.FAILED for i in active)),
        "label_sizes": [(f"{w}x{h}", f"{w}×{h}") for w, h in label_documents.offered_sizes(marketplace_connector)],
        "label_zpl": any(fmt.kind == "zpl" for fmt in formats),
        "box_sizes": [(key, key.replace("x", "×")) for key in box_documents.BOX_SIZES_MM],
        "pickers": Membership.objects.filter(organization=request.organization).select_related("user")
        .order_by("user__full_name", "user__email"),
        "download": _requested_download(request, batch=batch),
        "open_statuses": OPEN_STATUSES,
    }
    return render(request, "orders/batch_detail.html", context)


@work_required
@require_POST
def batch_status(request, pk: int):
    batch = _batch_or_404(pk)
    try:
        batch = batches.change_batch_status(batch, request.POST.get("status", ""), user=request.user)
    except (batches.BatchError, ValueError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Batch %(batch)s: %(status)s.") % {"batch": batch,
                                                                       "status": batch.get_status_display()})
    return redirect("orders:batch_detail", batch.pk)


@work_required
@require_POST
def batch_picker(request, pk: int):
    batch = _batch_or_404(pk)
    picker_id = _ids([request.POST.get("picker", "")])
    picker = None
    if picker_id:
        membership = Membership.objects.filter(organization=request.organization, user_id=picker_id[0]).first()
        if membership is None:
            raise Http404
        picker = membership.user
    try:
        batches.assign_picker(batch, picker, user=request.user)
    except batches.BatchError as exc:
        messages.error(request, str(exc))
    return redirect("orders:batch_detail", batch.pk)


@work_required
@require_POST
def batch_remove(request, pk: int):
    batch = _batch_or_404(pk)
    ids = _ids(request.POST.getlist("order"))
    if not ids:
        messages.error(request, _("Select the orders to take out of the batch."))
        return redirect("orders:batch_detail", batch.pk)
    try:
        batches.remove_orders(batch, ids, user=request.user)
    except Order.DoesNotExist:
        raise Http404
    except batches.BatchError as exc:
        messages.error(request, str(exc))
    return redirect("orders:batch_detail", batch.pk)


@work_required
@require_POST
def batch_hand_over(request, pk: int):
    """Передать: hand the batch to the marketplace; the page then shows which orders it refused and why."""
    batch = _batch_or_404(pk)
    try:
        result = batches.hand_over(batch, request.user)
    except batches.BatchError as exc:
        messages.error(request, str(exc))
        return redirect("orders:batch_detail", batch.pk)
    if result.error:
        messages.error(request, _("The marketplace refused the handover: %(message)s") % {"message": result.error})
    elif result.failed:
        messages.warning(request, _("Handed over: %(done)s. Refused by the marketplace: %(failed)s.")
                         % {"done": len(result.done), "failed": len(result.failed)})
        for item in result.failed[:MAX_FAILURE_MESSAGES]:
            messages.error(request, _("%(number)s: %(message)s") % {"number": item.order.number, "message": item.error})
    else:
        messages.success(request, _("Handed over: %(done)s.") % {"done": len(result.done)})
    return redirect("orders:batch_detail", batch.pk)


def _label_size(value: str) -> tuple[int, int] | None:
    width, _x, height = (value or "").partition("x")
    return (int(width), int(height)) if width.isdigit() and height.isdigit() else None


def _make_document(request, batch: PickBatch, kind: str) -> Document | None:
    """Run the document service ``kind`` asks for; None (with a message) when it printed nothing."""
    user = request.user
    output = request.POST.get("output", "pdf")
    if kind == "pick_list":
        return pick_list_documents.render_pick_list(batch, user=user)
    if kind == "labels":
        result = label_documents.fetch_labels(batch, output=output, size=_label_size(request.POST.get("size", "")),
                                              user=user)
        if result.failed:
            messages.warning(request, _("The marketplace refused %(count)s labels; see the orders below.")
                             % {"count": len(result.failed)})
        if result.document is None:
            messages.error(request, _("No label was printed."))
        return result.document
    if kind == "box_labels":
        size = request.POST.get("size", "58x40")
        if output == "zpl":
            return zpl_documents.render_box_labels_zpl(batch, size=size, user=user)
        return box_documents.render_box_labels(batch, size=size, user=user)
    if kind == "packing_slips":
        return box_documents.render_packing_slips(batch, user=user)
    if kind == "handover_act":
        act = handover_documents.handover_act(batch, user=user)
        if act.note:
            messages.info(request, act.note)
        return act.document
    if kind == "wms_json":
        return wms_documents.export_json(batch, user=user)
    if kind == "wms_csv":
        return wms_documents.export_csv(batch, user=user)
    raise Http404


@work_required
@require_POST
def batch_document(request, pk: int):
    """Generate a document of the batch; the batch page then downloads it (and shows any refusals)."""
    batch = _batch_or_404(pk)
    try:
        document = _make_document(request, batch, request.POST.get("kind", ""))
    except DocumentError as exc:
        messages.error(request, str(exc))
        document = None
    url = reverse("orders:batch_detail", args=[batch.pk])
    return redirect(f"{url}?download={document.pk}" if document else url)


@work_required
@require_POST
def batch_wms_send(request, pk: int):
    """Отправить в WMS: POST the batch to the WMS URL, signed with the secret (neither is stored)."""
    batch = _batch_or_404(pk)
    url, secret = request.POST.get("url", "").strip(), request.POST.get("secret", "")
    if not url.startswith(("http://", "https://")) or not secret:
        messages.error(request, _("Give the WMS address (http or https) and the signing secret."))
        return redirect("orders:batch_detail", batch.pk)
    result = wms_documents.send_to_wms(batch, url, secret)
    if result.ok:
        messages.success(request, _("Sent to the WMS (HTTP %(status)s).") % {"status": result.status_code})
    else:
        messages.error(request, result.error)
    return redirect("orders:batch_detail", batch.pk)


# --- documents ------------------------------------------------------------------------------------------------


@member_required
def document_download(request, pk: int):
    document = get_object_or_404(Document, pk=pk)
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404
    return FileResponse(handle, as_attachment=True, filename=os.path.basename(document.file.name),
                        content_type=document.content_type or "application/octet-stream")
