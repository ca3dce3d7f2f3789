"""The connection screens: list, add/edit, and the connection page with its htmx actions.

Reading needs membership; every write needs ``MANAGE_CONNECTIONS``. Objects are looked up through the scoped
managers, so another organization's connection (or its links and kept payloads) is a 404 on every URL.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from connectors import configure, replay, selectors
from connectors.choices import Job, Marketplace
from connectors.filters import ConnectionFilterSet
from connectors.forms import (
    ACCOUNT_FIELDS,
    WEBHOOK_ALLOWED_IPS,
    ConnectionForm,
    StockPolicyForm,
    WarehouseLinkForm,
)
from connectors.models import Connection, IngestError, WarehouseLink
from connectors.services import check_connection
from connectors.webhooks import webhook_path
from inventory.models import ChannelStockPolicy
from oms.choices import Capability
from oms.web import capability_required, compact_filter_form, filter_data, member_required, paginate, render_list

logger = logging.getLogger(__name__)
manage_required = capability_required(Capability.MANAGE_CONNECTIONS)
ERRORS_PER_PAGE = 20
WEBHOOK_MARKETPLACES = (Marketplace.OZON, Marketplace.YANDEX_MARKET)


def _can_manage(request: HttpRequest) -> bool:
    membership = getattr(request, "membership", None)
    return bool(membership and membership.can(Capability.MANAGE_CONNECTIONS))


def _connection(pk: int) -> Connection:
    return get_object_or_404(Connection.objects, pk=pk)


def _back_to(connection: Connection, anchor: str = "") -> HttpResponse:
    url = reverse("connectors:connection_detail", args=[connection.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


# --- list, add, edit ------------------------------------------------------------------------------------------------
@member_required
def connection_list(request):
    filterset = ConnectionFilterSet(filter_data(request.GET), queryset=selectors.connection_list())
    context = {
        "filter_form": compact_filter_form(filterset.form),
        "connections": filterset.qs.order_by("marketplace", "name"),
        "can_manage": _can_manage(request),
    }
    return render_list(
        request, "connectors/connection_list.html", "connectors/partials/connection_table.html", context
    )


@manage_required
def connection_add(request):
    """Step one: which marketplace. Step two is the marketplace's own form."""
    return render(request, "connectors/connection_add.html", {"marketplaces": Marketplace.choices})


@manage_required
@require_http_methods(["GET", "POST"])
def connection_add_form(request, marketplace: str):
    if marketplace not in ACCOUNT_FIELDS:
        return redirect("connectors:connection_add")
    form = ConnectionForm(marketplace, request.POST or None)
    if request.method == "POST" and form.is_valid():
        connection = form.save()
        messages.success(request, _("Connection “%(name)s” added. Check it, then link your warehouses.")
                         % {"name": connection.name})
        return _back_to(connection)
    context = {"form": form, "marketplace": marketplace, "marketplace_label": Marketplace(marketplace).label}
    return render(request, "connectors/connection_form.html", context)


@manage_required
@require_http_methods(["GET", "POST"])
def connection_edit(request, pk: int):
    connection = _connection(pk)
    form = ConnectionForm(connection.marketplace, request.POST or None, instance=connection)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Connection saved."))
        return _back_to(connection)
    context = {"form": form, "connection": connection, "marketplace": connection.marketplace,
               "marketplace_label": connection.get_marketplace_display()}
    return render(request, "connectors/connection_form.html", context)


# --- the connection page ----------------------------------------------------------------------------------------------
@member_required
def connection_detail(request, pk: int):
    connection = get_object_or_404(selectors.connection_list(), pk=pk)
    can_manage = _can_manage(request)
    policy = selectors.connection_stock_policy(connection)
    context = {
        "connection": connection,
        "can_manage": can_manage,
        "job_rows": selectors.connection_job_rows(connection),
        "warehouse_links": selectors.connection_warehouse_links(connection),
        "link_form": WarehouseLinkForm(connection) if can_manage else None,
        "policy": policy,
        "policy_form": StockPolicyForm(instance=policy or ChannelStockPolicy(connection=connection)),
        "product_policy_count": selectors.connection_product_policy_count(connection),
        "webhook": _webhook_context(request, connection),
        **_errors_context(request, connection),
    }
    return render(request, "connectors/connection_detail.html", context)


def _webhook_context(request: HttpRequest, connection: Connection) -> dict | None:
    if connection.marketplace not in WEBHOOK_MARKETPLACES:
        return None
    from connectors.ozon.webhooks import OZON_PUSH_NETWORKS
    from connectors.yandex_market.webhooks import MARKET_NETWORKS

    networks = OZON_PUSH_NETWORKS if connection.marketplace == Marketplace.OZON else MARKET_NETWORKS
    return {
        "url": request.build_absolute_uri(webhook_path(connection)),
        "restricted": bool((connection.options or {}).get(WEBHOOK_ALLOWED_IPS)),
        "networks": networks,
    }


def _errors_context(request: HttpRequest, connection: Connection) -> dict:
    include_resolved = request.GET.get("errors") == "all"
    page = paginate(request, selectors.connection_ingest_errors(connection, include_resolved=include_resolved),
                    per_page=ERRORS_PER_PAGE)
    rows = [(error, replay.why_not_replayable(error, connection.marketplace)) for error in page.object_list]
    return {"errors_page": page, "error_rows": rows, "include_resolved": include_resolved}


@member_required
def connection_errors(request, pk: int):
    """The kept-payloads table alone: paging and the "show resolved" switch swap it in place."""
    connection = _connection(pk)
    context = {"connection": connection, "can_manage": _can_manage(request), **_errors_context(request, connection)}
    return render(request, "connectors/partials/ingest_errors.html", context)


@member_required
def connection_jobs(request, pk: int):
    connection = _connection(pk)
    return _render_jobs(request, connection)


def _render_jobs(request: HttpRequest, connection: Connection, notice: str = "", refresh: bool = False):
    context = {"connection": connection, "can_manage": _can_manage(request),
               "job_rows": selectors.connection_job_rows(connection), "notice": notice, "refresh": refresh}
    return render(request, "connectors/partials/job_table.html", context)


# --- actions --------------------------------------------------------------------------------------------------------
@manage_required
@require_POST
def connection_check(request, pk: int):
    connection = _connection(pk)
    try:
        ok, message = check_connection(connection)
    except Exception as exc:  # classified marketplace errors are answered inside; anything else still gets words
        logger.exception("check of connection %s failed", connection.pk)
        ok, message = False, _("The check could not run: %(error)s") % {"error": f"{type(exc).__name__}: {exc}"}
    connection.refresh_from_db(fields=["status", "last_error", "last_error_at", "last_success_at"])
    context = {"connection": connection, "ok": ok, "message": message}
    if request.htmx:
        return render(request, "connectors/partials/check_result.html", context)
    (messages.success if ok else messages.error)(request, message)
    return _back_to(connection)


@manage_required
@require_POST
def connection_run(request, pk: int, job: str):
    from connectors.tasks import run_connection_job

    connection = _connection(pk)
    if job not in Job.values:
        return HttpResponse(status=404)
    if not connection.enabled:
        notice = _("The connection is disabled: enable it to run its jobs.")
    else:
        try:
            run_connection_job.delay(connection.pk, connection.organization_id, job, woken=True)
        except Exception as exc:  # the broker is down: say so rather than answer 500
            logger.exception("could not queue %s for connection %s", job, connection.pk)
            notice = _("The job could not be queued: %(error)s") % {"error": f"{type(exc).__name__}: {exc}"}
        else:
            notice = _("“%(job)s” queued; the table refreshes when it has run.") % {"job": Job(job).label}
    if request.htmx:
        return _render_jobs(request, connection, notice=notice, refresh=connection.enabled)
    messages.info(request, notice)
    return _back_to(connection, "jobs")


@manage_required
@require_POST
def connection_toggle(request, pk: int):
    connection = _connection(pk)
    configure.set_enabled(connection, not connection.enabled)
    messages.success(request, _("Connection enabled.") if connection.enabled else _("Connection disabled: "
                                                                                   "nothing is polled or pushed."))
    return _back_to(connection)


@manage_required
@require_POST
def warehouse_link_add(request, pk: int):
    connection = _connection(pk)
    form = WarehouseLinkForm(connection, request.POST)
    if form.is_valid():
        configure.link_warehouse(connection, form.cleaned_data["warehouse"], form.cleaned_data["external_id"],
                                 form.cleaned_data["external_name"])
        messages.success(request, _("Warehouse linked; stock will be pushed to it."))
    else:
        messages.error(request, _("Warehouse not linked: %(errors)s") % {"errors": _form_errors(form)})
    return _back_to(connection, "warehouses")


@manage_required
@require_POST
def warehouse_link_remove(request, pk: int, link_pk: int):
    connection = _connection(pk)
    link = get_object_or_404(WarehouseLink.objects, pk=link_pk, connection=connection)
    configure.unlink_warehouse(link)
    messages.success(request, _("Warehouse link removed."))
    return _back_to(connection, "warehouses")


@manage_required
@require_POST
def stock_policy_save(request, pk: int):
    connection = _connection(pk)
    policy = selectors.connection_stock_policy(connection) or ChannelStockPolicy(connection=connection)
    form = StockPolicyForm(request.POST, instance=policy)
    if form.is_valid():
        configure.set_stock_policy(connection, **form.cleaned_data)
        messages.success(request, _("Stock policy saved; quantities will be pushed again."))
    else:
        messages.error(request, _("Stock policy not saved: %(errors)s") % {"errors": _form_errors(form)})
    return _back_to(connection, "policy")


def _form_errors(form) -> str:
    return "; ".join(f"{form.fields[name].label if name in form.fields else ''}: {' '.join(errors)}".lstrip(": ")
                     for name, errors in form.errors.items())


def _ingest_error(connection: Connection, error_pk: int) -> IngestError:
    return get_object_or_404(IngestError.objects.select_related("connection"), pk=error_pk, connection=connection)


@manage_required
@require_POST
def ingest_error_replay(request, pk: int, error_pk: int):
    connection = _connection(pk)
    error = _ingest_error(connection, error_pk)
    ok, message = replay.replay_ingest_error(error)
    return _after_error_action(request, connection, error, ok, message)


@manage_required
@require_POST
def ingest_error_resolve(request, pk: int, error_pk: int):
    connection = _connection(pk)
    error = _ingest_error(connection, error_pk)
    replay.resolve_ingest_error(error)
    return _after_error_action(request, connection, error, True, _("Marked as resolved."))


def _after_error_action(request, connection: Connection, error: IngestError, ok: bool, message: str):
    if request.htmx:
        context = {"connection": connection, "error": error, "ok": ok, "message": message,
                   "can_manage": True, "reason": replay.why_not_replayable(error, connection.marketplace)}
        return render(request, "connectors/partials/ingest_error_row.html", context)
    (messages.success if ok else messages.error)(request, message)
    return _back_to(connection, "errors")
