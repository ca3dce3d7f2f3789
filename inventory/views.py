from __future__ import annotations

from functools import partial
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from catalog.models import Variant
from connectors.errors import MarketplaceError
from connectors.models import Connection
from connectors.push import verify_pushed
from connectors.tasks import request_push
from inventory import selectors, services
from inventory.filters import DriftRecordFilterSet, StockMovementFilterSet, StockScreenFilterSet
from inventory.forms import AdjustForm, ReceiveForm, show_chosen_yes_no
from inventory.sync import mark_listings_dirty
from oms.choices import Capability
from oms.tenancy import require_organization_id
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

STOCK_SORTS = {
    "sku": "sku",
    "product": "product__title",
    "warehouse": "warehouse_rank",
    "bin": "bin_order",
    "on_hand": "on_hand",
    "reserved": "reserved",
    "available": "available_units",
    "pushed": "last_pushed_at",
}
STOCK_COLUMNS = [
    Column(_("SKU"), "sku"),
    Column(_("Product"), "product"),
    Column(_("Warehouse"), "warehouse"),
    Column(_("Bin"), "bin"),
    Column(_("On hand"), "on_hand", numeric=True),
    Column(_("Reserved"), "reserved", numeric=True),
    Column(_("Available"), "available", numeric=True),
]
# After the per-connection columns (drawn with marketplace badges by the template).
LAST_PUSH_COLUMN = Column(_("Last push"), "pushed", numeric=True)
DRIFT_SORTS = {"detected": "detected_at", "sku": "listing__variant__sku", "expected": "expected", "found": "found"}
DRIFT_COLUMNS = [
    Column(_("SKU"), "sku"),
    Column(_("Product")),
    Column(_("Marketplace")),
    Column(_("Marketplace warehouse")),
    Column(_("Expected"), "expected", numeric=True),
    Column(_("On marketplace"), "found", numeric=True),
    Column(_("Since"), "detected"),
    Column(_("Resolved")),
]
KIT_HAS_NO_STOCK = _("A kit has no stock of its own: adjust its components.")


@member_required
def stock_list(request):
    """Остатки: per variant × own warehouse the counters and, per connection, what the marketplace was told."""
    all_warehouses = selectors.own_warehouses()
    all_channels = selectors.channel_columns()
    filterset = StockScreenFilterSet(filter_data(request.GET), queryset=Variant.objects.none())
    # Invalid values (a word in a number field) are dropped, as on every list; the valid ones still apply.
    filterset.is_valid()
    chosen = filterset.form.cleaned_data
    warehouses = [w for w in all_warehouses if not chosen.get("warehouse") or w.pk == chosen["warehouse"]]
    channels = [c for c in all_channels if not chosen.get("connection") or c.pk == chosen["connection"]]

    form = show_chosen_yes_no(compact_filter_form(filterset.form))
    # The filters carry ids in the URL; the screen offers the organization's warehouses and connections by name.
    form.fields["warehouse"].widget = forms.Select(
        choices=[("", _("All warehouses")), *[(w.pk, w.name) for w in all_warehouses]], attrs={"class": "input"}
    )
    form.fields["connection"].widget = forms.Select(
        choices=[("", _("All channels")), *[(c.pk, c.name) for c in all_channels]], attrs={"class": "input"}
    )
    form.fields["low_stock"].widget.attrs.update({"min": 0, "placeholder": "≤"})

    requested = request.GET.get("sort")
    sort = requested if requested and requested.lstrip("-") in STOCK_SORTS else "sku"
    keys = selectors.stock_row_keys(warehouses, filterset.filter_queryset, STOCK_SORTS[sort.lstrip("-")])
    sort_key = F("sort_key").desc(nulls_last=True) if sort.startswith("-") else F("sort_key").asc(nulls_last=True)
    # SKU then warehouse break ties, so paging is stable.
    page = paginate(request, keys.order_by(sort_key, "sku", "warehouse_rank"))
    page.object_list = selectors.stock_page_rows(page.object_list, all_warehouses, channels)
    context = {
        "filter_form": form,
        "page_obj": page,
        "headers": headers(STOCK_COLUMNS, sort),
        "push_header": headers([LAST_PUSH_COLUMN], sort)[0],
        "channels": channels,
        "column_count": len(STOCK_COLUMNS) + len(channels) + 1,
        "sort": sort,
    }
    return render_list(request, "inventory/stock_list.html", "inventory/partials/stock_table.html", context)


@member_required
def drift_list(request):
    """The drift log: read-backs that disagreed with what Okno pushed; open ones unless asked otherwise."""
    data = filter_data(request.GET)
    data.setdefault("resolved", "false")
    filterset = DriftRecordFilterSet(data, queryset=selectors.drift_records())
    form = show_chosen_yes_no(compact_filter_form(filterset.form))
    form.fields["connection"].widget = forms.Select(
        choices=[("", _("All channels")), *[(c.pk, c.name) for c in Connection.objects.order_by("marketplace", "name")]],
        attrs={"class": "input"},
    )
    form.fields["variant"].widget = forms.HiddenInput()
    queryset, sort = apply_sort(filterset.qs, request.GET.get("sort"), DRIFT_SORTS, default="-detected")
    context = {
        "filter_form": form,
        "page_obj": paginate(request, queryset),
        "headers": headers(DRIFT_COLUMNS, sort),
        "sort": sort,
    }
    return render_list(request, "inventory/drift_list.html", "inventory/partials/drift_table.html", context)


# --- the variant page --------------------------------------------------------------------------------------------


def _variant(pk: int) -> Variant:
    return get_object_or_404(Variant.objects.select_related("product"), pk=pk)


def _with_return_links(movements: list) -> list:
    """Give each restock movement the return it refers to (``return_request``) and where that return is shown."""
    for movement_id, return_request in selectors.movement_returns(movements).items():
        movement = next(m for m in movements if m.pk == movement_id)
        movement.return_request = return_request
        try:
            movement.return_url = reverse("returns:return_detail", args=[return_request.pk])
        except NoReverseMatch:  # the returns screen may not have a detail page: fall back to a search
            movement.return_url = f"{reverse('returns:return_list')}?{urlencode({'q': return_request.external_id})}"
    return movements


def _variant_page(request, variant: Variant, *, receive_form=None, adjust_form=None, status: int = 200):
    """The variant page: stock, ledger, per-channel push state, drift and — for a kit — its components."""
    warehouses = selectors.own_warehouses()
    levels = selectors.variant_stock(variant)
    filterset = StockMovementFilterSet(filter_data(request.GET), queryset=selectors.variant_movements(variant))
    warehouse_id = filterset.form.cleaned_data.get("warehouse") if filterset.is_valid() else None
    page = paginate(request, filterset.qs)
    page.object_list = _with_return_links(list(page.object_list))
    can_move_stock = request.membership.can(Capability.MOVE_STOCK)
    context = {
        "variant": variant,
        "levels": levels,
        "warehouse": next((level.warehouse for level in levels if level.warehouse_id == warehouse_id), None),
        "page_obj": page,
        "channels": selectors.variant_channels(variant),
        "drift": selectors.variant_drift(variant),
        "can_move_stock": can_move_stock,
    }
    if variant.is_kit:
        context["kit_stock"] = selectors.kit_stock(variant, warehouses)
        context["kit_parts"] = selectors.kit_composition(variant, warehouses)
        context["kit_warehouses"] = warehouses
    else:
        context["used_in_kits"] = selectors.kits_containing(variant)
        warehouses = _active(warehouses)  # goods are booked into working warehouses only
        if can_move_stock and warehouses:
            context["receive_form"] = receive_form or ReceiveForm(warehouses=warehouses, prefix="receive")
            context["adjust_form"] = adjust_form or AdjustForm(warehouses=warehouses, prefix="adjust")
    if status != 200:
        # A refused form: the whole page again, the form with its errors in place.
        return render(request, "inventory/variant_ledger.html", context, status=status)
    return render_list(request, "inventory/variant_ledger.html", "inventory/partials/ledger_table.html", context)


@member_required
def variant_ledger(request, pk: int):
    return _variant_page(request, _variant(pk))


def _active(warehouses: list) -> list:
    return [w for w in warehouses if w.is_active]


def _back(variant: Variant):
    return redirect("inventory:variant_ledger", pk=variant.pk)


@capability_required(Capability.MOVE_STOCK)
@require_POST
def variant_receive(request, pk: int):
    """Оприходовать: goods arrived in an own warehouse; one receipt row in the ledger."""
    variant = _variant(pk)
    form = ReceiveForm(request.POST, warehouses=_active(selectors.own_warehouses()), prefix="receive")
    if variant.is_kit:
        # The page shows no stock forms for a kit; say why a hand-made request is refused.
        messages.error(request, KIT_HAS_NO_STOCK)
    elif form.is_valid():
        data = form.cleaned_data
        token = data["token"]
        try:
            movements = services.receive(
                variant=variant, warehouse=form.chosen_warehouse(), quantity=data["quantity"], reason=data["reason"],
                reference=data["reference"], user=request.user,
                idempotency_key=f"web-receive:{variant.pk}:{token}" if token else None,
            )
        except services.StockError as error:
            form.add_error(None, error.message)
        else:
            if movements:
                messages.success(request, gettext("Received %(quantity)s into %(warehouse)s.") % {
                    "quantity": data["quantity"], "warehouse": form.chosen_warehouse().name})
            else:
                messages.info(request, gettext("This receipt was already booked."))
            return _back(variant)
    return _variant_page(request, variant, receive_form=form, status=400)


@capability_required(Capability.MOVE_STOCK)
@require_POST
def variant_adjust(request, pk: int):
    """Корректировка / Инвентаризация: a signed change or the quantity a count found, with a reason."""
    variant = _variant(pk)
    form = AdjustForm(request.POST, warehouses=_active(selectors.own_warehouses()), prefix="adjust")
    if variant.is_kit:
        # The page shows no stock forms for a kit; say why a hand-made request is refused.
        messages.error(request, KIT_HAS_NO_STOCK)
    elif form.is_valid():
        try:
            movements = services.adjust(
                variant=variant, warehouse=form.chosen_warehouse(), reason=form.cleaned_data["reason"],
                user=request.user, **form.service_arguments(),
            )
        except services.StockError as error:
            form.add_error(None, error.message)
        else:
            if movements:
                messages.success(request, gettext("On hand in %(warehouse)s is now %(on_hand)s.") % {
                    "warehouse": form.chosen_warehouse().name, "on_hand": movements[-1].on_hand_after})
            else:
                messages.info(request, gettext("The count matches the stock on hand; nothing changed."))
            return _back(variant)
    return _variant_page(request, variant, adjust_form=form, status=400)


@capability_required(Capability.MOVE_STOCK)
@require_POST
def variant_push(request, pk: int):
    """Отправить остатки сейчас: mark the variant's listings (and its kits') dirty and wake each dispatcher.

    The dispatcher sends what differs from the last push; the stamp is the outbox, so nothing is lost if the
    wake-up message is.
    """
    variant = _variant(pk)
    organization_id = require_organization_id()
    with transaction.atomic():
        connection_ids = sorted(mark_listings_dirty([variant.pk]))
        for connection_id in connection_ids:
            transaction.on_commit(partial(request_push, connection_id, organization_id))
    if connection_ids:
        messages.success(request, ngettext("Stock push requested on %(count)s channel.",
                                           "Stock push requested on %(count)s channels.", len(connection_ids))
                         % {"count": len(connection_ids)})
    else:
        messages.info(request, gettext("This variant is not listed on any marketplace."))
    return _back(variant)


@capability_required(Capability.MOVE_STOCK)
@require_POST
def variant_verify(request, pk: int):
    """Проверить на маркетплейсах: read back what each connection of the variant shows and mark drift."""
    variant = _variant(pk)
    checked = verified = drifting = 0
    for connection in Connection.objects.filter(pk__in=selectors.variant_connection_ids(variant)):
        try:
            result = verify_pushed(connection)
        except MarketplaceError as error:
            messages.error(request, f"{connection.name}: {error.user_message()}")
            continue
        checked += result["checked"]
        verified += result["verified"]
        drifting += result["drifting"]
    message = gettext("Checked %(checked)s quantities on the marketplaces: %(verified)s verified, "
                          "%(drifting)s drifting.") % {"checked": checked, "verified": verified, "drifting": drifting}
    (messages.warning if drifting else messages.success)(request, message)
    return _back(variant)
