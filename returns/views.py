"""The Возвраты screens: one list across marketplaces, the return page with its actions, claims, the XLSX export.

Reading needs membership; every action needs ``WORK_ORDERS``. Objects are looked up through the scoped managers,
so another organization's return or claim is a 404 on every URL. Actions post a form, call one service and
redirect back with a message (the marketplace's own words when it refuses).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from catalog.models import Product
from connectors.models import Connection
from oms.choices import Capability
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
from returns import selectors, services
from returns.export import returns_workbook
from returns.filters import ClaimFilterSet, ReturnFilterSet
from returns.forms import ClaimAnswerForm, DecisionForm, InspectForm, RestockForm, ScanForm, WriteOffForm
from returns.models import Claim, Return
from returns.services import AmbiguousScan, ReturnActionError

work_required = capability_required(Capability.WORK_ORDERS)

RETURN_SORTS = {
    "requested": "requested_at",
    "deadline": "deadline_at",
    "status": "status",
    "order": "order_external_id",
    "amount": "amount",
}
RETURN_COLUMNS = [
    Column(gettext_lazy("Marketplace")),
    Column(gettext_lazy("Order"), "order"),
    Column(gettext_lazy("Items")),
    Column(gettext_lazy("Reason")),
    Column(gettext_lazy("Status"), "status"),
    Column(gettext_lazy("Deadline"), "deadline"),
    Column(gettext_lazy("Requested"), "requested"),
    Column(gettext_lazy("Amount"), "amount", numeric=True),
    Column(""),
]
CLAIM_SORTS = {"deadline": "deadline_at", "status": "status", "created": "created_at"}
CLAIM_COLUMNS = [
    Column(gettext_lazy("Marketplace")),
    Column(gettext_lazy("Claim")),
    Column(gettext_lazy("Order")),
    Column(gettext_lazy("Subject")),
    Column(gettext_lazy("Status"), "status"),
    Column(gettext_lazy("Answer by"), "deadline"),
    Column(gettext_lazy("Decision")),
]


def _can_work(request: HttpRequest) -> bool:
    membership = getattr(request, "membership", None)
    return bool(membership and membership.can(Capability.WORK_ORDERS))


def _connection_dropdown(form: forms.Form) -> None:
    """The connection filter takes an id (API); the screen offers the organization's connections by name."""
    choices = [("", _("All")), *Connection.objects.order_by("marketplace", "name").values_list("pk", "name")]
    form.fields["connection"].widget = forms.Select(choices=[(str(pk), name) for pk, name in choices],
                                                    attrs={"class": "input"})


def _return(pk: int) -> Return:
    return get_object_or_404(Return.objects.select_related("connection", "order"), pk=pk)


def _next(request: HttpRequest, default: str) -> str:
    """Where to go after an action: the form's ``next`` when it stays on this site, else ``default``."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _back(request: HttpRequest, ret: Return) -> HttpResponse:
    return redirect(_next(request, reverse("returns:return_detail", args=[ret.pk])))


def _refused(request: HttpRequest, answer: services.MarketplaceAnswer) -> None:
    messages.error(request, _("The marketplace refused: %(message)s") % {"message": answer.message})


# --- lists ---------------------------------------------------------------------------------------------------------
def _filtered_returns(request: HttpRequest) -> tuple[ReturnFilterSet, object, str]:
    filterset = ReturnFilterSet(filter_data(request.GET), queryset=selectors.return_list())
    queryset, sort = apply_sort(filterset.qs, request.GET.get("sort"), RETURN_SORTS, default="-requested")
    return filterset, queryset, sort


@member_required
def return_list(request):
    filterset, queryset, sort = _filtered_returns(request)
    form = compact_filter_form(filterset.form)
    _connection_dropdown(form)
    page = paginate(request, queryset)
    context = {
        "filter_form": form,
        "page_obj": page,
        "headers": headers(RETURN_COLUMNS, sort),
        "sort": sort,
        "can_work": _can_work(request),
        "scan_form": ScanForm(),
        "export_query": urlencode(filter_data(request.GET), doseq=True),
        "receivable": {ret.pk for ret in page.object_list if services.can_receive(ret)},
        "open_statuses": services.OPEN_RETURN_STATUSES,
    }
    return render_list(request, "returns/return_list.html", "returns/partials/return_table.html", context)


@member_required
def return_export(request):
    _filterset, queryset, _sort = _filtered_returns(request)
    content = returns_workbook(queryset)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="returns-{stamp}.xlsx"'
    return response


@member_required
def claim_list(request):
    filterset = ClaimFilterSet(filter_data(request.GET), queryset=selectors.claim_list())
    form = compact_filter_form(filterset.form)
    _connection_dropdown(form)
    queryset, sort = apply_sort(filterset.qs, request.GET.get("sort"), CLAIM_SORTS, default="deadline")
    context = {
        "filter_form": form,
        "page_obj": paginate(request, queryset),
        "headers": headers(CLAIM_COLUMNS, sort),
        "sort": sort,
        "answerable": services.ANSWERABLE_CLAIM_STATUSES,
    }
    return render_list(request, "returns/claim_list.html", "returns/partials/claim_table.html", context)


@member_required
def claims_badge(request):
    """The navigation's count of claims expiring within 24 h, loaded after the page (it costs no page query)."""
    count = selectors.claims_due_soon_count() if getattr(request, "organization", None) else 0
    response = render(request, "returns/partials/claims_badge.html", {"count": count})
    response["Cache-Control"] = "private, max-age=60"
    return response


@member_required
def product_return_rates(request, pk: int):
    """The return-rate table of the product page (loaded into it by htmx)."""
    product = get_object_or_404(Product.objects, pk=pk)
    return render(request, "returns/partials/product_return_rates.html",
                  {"product": product, "rates": selectors.return_rates(product)})


# --- the return page ------------------------------------------------------------------------------------------------
@member_required
def return_detail(request, pk: int):
    ret = get_object_or_404(selectors.return_for_page(), pk=pk)
    lines = list(selectors.return_lines(ret))
    can_work = _can_work(request)
    claims = list(selectors.return_claims(ret))
    context = {
        "ret": ret,
        "lines": lines,
        "claims": [(claim, ClaimAnswerForm(claim) if can_work and services.can_answer(claim) else None)
                   for claim in claims],
        "movements": list(selectors.return_movements(ret)),
        "history": selectors.return_history(ret),
        "can_work": can_work,
        "can_receive": services.can_receive(ret),
        "can_inspect": services.can_inspect(ret),
        "can_dispose": services.can_dispose(ret),
        # A claim is answered in its own form (the marketplace's decisions); approve/reject is for plain requests.
        "can_decide": services.can_decide(ret) and not any(services.can_answer(claim) for claim in claims),
        "open_statuses": services.OPEN_RETURN_STATUSES,
    }
    if can_work:
        context.update({
            "inspect_form": InspectForm(initial={"outcome": ret.inspection_outcome or "ok"}),
            "restock_form": RestockForm(ret, lines) if context["can_dispose"] else None,
            "write_off_form": WriteOffForm(ret, lines) if context["can_dispose"] else None,
            "decision_form": DecisionForm(),
        })
    return render(request, "returns/return_detail.html", context)


# --- actions -------------------------------------------------------------------------------------------------------
@work_required
@require_POST
def receive_scan(request):
    form = ScanForm(request.POST)
    list_url = reverse("returns:return_list")
    if not form.is_valid():
        messages.error(request, _("Scan or type a barcode, an order number or a return number."))
        return redirect(list_url)
    code = form.cleaned_data["code"].strip()
    try:
        ret = services.mark_received(None, request.user, barcode=code)
    except AmbiguousScan as exc:
        messages.warning(request, exc.message)
        return redirect(f"{list_url}?{urlencode({'q': code})}")
    except ReturnActionError as exc:
        messages.error(request, exc.message)
        return redirect(list_url)
    messages.success(request, format_html(
        '{} <a href="{}">{}</a>',
        _("Return %(id)s received.") % {"id": ret.external_id},
        reverse("returns:return_detail", args=[ret.pk]), _("Inspect it"),
    ))
    return redirect(_next(request, list_url))


@work_required
@require_POST
def receive(request, pk: int):
    ret = _return(pk)
    try:
        services.mark_received(ret, request.user)
        messages.success(request, _("Return %(id)s received.") % {"id": ret.external_id})
    except ReturnActionError as exc:
        messages.error(request, exc.message)
    return _back(request, ret)


@work_required
@require_POST
def inspect(request, pk: int):
    ret = _return(pk)
    form = InspectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an inspection outcome."))
        return _back(request, ret)
    try:
        services.inspect(ret, request.user, form.cleaned_data["outcome"], form.cleaned_data["note"])
        messages.success(request, _("Inspection recorded."))
    except ReturnActionError as exc:
        messages.error(request, exc.message)
    return _back(request, ret)


def _form_errors(form: forms.Form) -> str:
    return "; ".join(f"{form.fields[name].label if name in form.fields else ''}: {' '.join(errors)}".lstrip(": ")
                     for name, errors in form.errors.items())


@work_required
@require_POST
def restock(request, pk: int):
    ret = _return(pk)
    lines = list(selectors.return_lines(ret))
    form = RestockForm(ret, lines, request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _back(request, ret)
    try:
        services.restock(ret, request.user, form.cleaned_data["warehouse"], form.cleaned_data["location"],
                         form.chosen_lines())
        messages.success(request, _("Restocked: the stock and every marketplace will show it."))
    except ReturnActionError as exc:
        messages.error(request, exc.message)
    return _back(request, ret)


@work_required
@require_POST
def write_off(request, pk: int):
    ret = _return(pk)
    lines = list(selectors.return_lines(ret))
    form = WriteOffForm(ret, lines, request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _back(request, ret)
    try:
        services.write_off(ret, request.user, form.cleaned_data["reason"], form.chosen_lines())
        messages.success(request, _("Written off."))
    except ReturnActionError as exc:
        messages.error(request, exc.message)
    return _back(request, ret)


@work_required
@require_POST
def approve(request, pk: int):
    return _decide(request, pk, lambda ret, data: services.approve(ret, request.user, data.get("comment", "")),
                   _("Approved through the marketplace."))


@work_required
@require_POST
def reject(request, pk: int):
    return _decide(request, pk, lambda ret, data: services.reject(ret, request.user, data.get("reason", ""),
                                                                  data.get("comment", "")),
                   _("Rejected through the marketplace."))


def _decide(request, pk: int, decide, done: str):
    """Send the seller's decision on a return to the marketplace and say what it answered."""
    ret = _return(pk)
    form = DecisionForm(request.POST)
    form.is_valid()
    try:
        answer = decide(ret, form.cleaned_data)
    except ReturnActionError as exc:
        messages.error(request, exc.message)
        return _back(request, ret)
    if answer.ok:
        messages.success(request, done)
    else:
        _refused(request, answer)
    return _back(request, ret)


# --- claims ---------------------------------------------------------------------------------------------------------
@member_required
def claim_detail(request, pk: int):
    claim = get_object_or_404(selectors.claim_list(), pk=pk)
    can_work = _can_work(request)
    context = {
        "claim": claim,
        "form": ClaimAnswerForm(claim) if can_work and services.can_answer(claim) else None,
        "can_work": can_work,
        "answerable": services.ANSWERABLE_CLAIM_STATUSES,
    }
    return render(request, "returns/claim_detail.html", context)


@work_required
@require_POST
def claim_answer(request, pk: int):
    claim = get_object_or_404(Claim.objects.select_related("connection", "return_request"), pk=pk)
    form = ClaimAnswerForm(claim, request.POST)
    back = _next(request, reverse("returns:claim_detail", args=[claim.pk]))
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(back)
    try:
        answer = services.answer_claim(claim, request.user, form.cleaned_data["decision"], form.cleaned_data["comment"])
    except ReturnActionError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    if answer.ok:
        messages.success(request, _("Claim answered through the marketplace."))
    else:
        _refused(request, answer)
    return redirect(back)
