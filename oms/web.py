"""Building blocks of the server-rendered screens: access checks, list filters, sorting, paging, htmx partials.

Every screen is scoped by ``ActiveOrganizationMiddleware`` already; these helpers add the membership and
capability checks and the list mechanics every list page shares (GET parameters stay in the URL, the same view
answers a full page or, for an htmx request, only the table partial).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import wraps

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _

from oms.choices import Capability, Role

PAGE_SIZE = 50
# Roles that may open Django admin (with is_staff); there they see only their active organization.
ADMIN_ROLES = (Role.OWNER, Role.MANAGER)
# Parameters that steer the list itself rather than filter it.
LIST_CONTROL_PARAMS = ("page", "sort")


# --- access -------------------------------------------------------------------------------------------------


def _check_access(request: HttpRequest, capability: str) -> HttpResponse | None:
    """None when the request may go on; otherwise the response that stops it."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    membership = getattr(request, "membership", None)
    if membership is None:
        # Logged in but not (or no longer) a member anywhere: say so instead of failing on a missing scope.
        return render(request, "oms/no_organization.html", status=403)
    if not membership.can(capability):
        raise PermissionDenied
    return None


def capability_required(capability: str = Capability.VIEW) -> Callable:
    """View decorator: a logged-in user acting in an organization where their role grants ``capability``."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            stop = _check_access(request, capability)
            return stop if stop is not None else view(request, *args, **kwargs)

        return wrapper

    return decorator


member_required = capability_required(Capability.VIEW)


class CapabilityRequiredMixin:
    """Class-based views: ``required_capability`` is checked before dispatch."""

    required_capability: str = Capability.VIEW

    def dispatch(self, request, *args, **kwargs):
        stop = _check_access(request, self.required_capability)
        return stop if stop is not None else super().dispatch(request, *args, **kwargs)


class EmailAuthenticationForm(AuthenticationForm):
    """Log in by e-mail; addresses are stored lower-case, so a capitalised one still matches."""

    username = forms.EmailField(
        label=_("E-mail"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


# --- list mechanics -----------------------------------------------------------------------------------------


def filter_data(query: QueryDict) -> QueryDict:
    """The GET parameters that filter, without blanks (an "all" choice) and without paging/sorting."""
    data = QueryDict(mutable=True)
    for key, values in query.lists():
        if key in LIST_CONTROL_PARAMS:
            continue
        kept = [value for value in values if value.strip() != ""]
        if kept:
            data.setlist(key, kept)
    return data


class AllYesNoSelect(forms.NullBooleanSelect):
    """A yes/no filter whose empty choice means "all" rather than "unknown"."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = (("", _("All")), ("true", _("Yes")), ("false", _("No")))

    def format_value(self, value):
        return {True: "true", False: "false", "true": "true", "false": "false"}.get(value, "")


class OneOfManySelect(forms.SelectMultiple):
    """A plain drop-down for a multi-value filter: the screen picks one value, the API may pass several."""

    allow_multiple_selected = False


def compact_filter_form(form: forms.Form, *, all_label=None) -> forms.Form:
    """Turn a FilterSet form into the one-line filter bar: drop-downs with an "all" choice, CSS classes."""
    all_label = all_label or _("All")
    for field in form.fields.values():
        if isinstance(field, forms.NullBooleanField):
            field.widget = AllYesNoSelect()
        elif isinstance(field, forms.MultipleChoiceField):
            field.widget = OneOfManySelect(choices=[("", all_label), *field.choices])
        elif isinstance(field, forms.ChoiceField):
            field.widget = forms.Select(choices=[("", all_label), *[c for c in field.choices if c[0] != ""]])
        field.widget.attrs.setdefault("class", "input")
    return form


@dataclass(frozen=True)
class Column:
    """A table header; ``sort_key`` makes it sortable by that public name."""

    label: str
    sort_key: str | None = None
    numeric: bool = False


@dataclass(frozen=True)
class Header:
    label: str
    numeric: bool
    sort_key: str | None
    next_sort: str | None
    direction: str | None  # "asc", "desc" or None when the list is not sorted by this column


def apply_sort(
    queryset: QuerySet,
    requested: str | None,
    orderings: Mapping[str, str],
    default: str,
    tie_breaker: str = "pk",
) -> tuple[QuerySet, str]:
    """Order by the public sort key ``requested`` (``-`` for descending) if it is one of ``orderings``.

    ``orderings`` maps public keys to model lookups, so a URL can never order by an arbitrary field.
    Returns the queryset and the sort key actually applied.
    """
    sort = requested if requested and requested.lstrip("-") in orderings else default
    descending = sort.startswith("-")
    lookup = orderings[sort.lstrip("-")]
    expression = F(lookup).desc(nulls_last=True) if descending else F(lookup).asc(nulls_last=True)
    return queryset.order_by(expression, tie_breaker), sort


def headers(columns: Iterable[Column], current_sort: str) -> list[Header]:
    result = []
    for column in columns:
        direction = next_sort = None
        if column.sort_key:
            if current_sort == column.sort_key:
                direction, next_sort = "asc", f"-{column.sort_key}"
            elif current_sort == f"-{column.sort_key}":
                direction, next_sort = "desc", column.sort_key
            else:
                # Numbers read best largest first; text A to Z.
                next_sort = f"-{column.sort_key}" if column.numeric else column.sort_key
        result.append(Header(str(column.label), column.numeric, column.sort_key, next_sort, direction))
    return result


def paginate(request: HttpRequest, queryset, per_page: int = PAGE_SIZE) -> Page:
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def render_list(request: HttpRequest, template: str, partial: str, context: dict) -> HttpResponse:
    """The whole page, or only the results partial when htmx swaps the table after a filter change."""
    is_swap = bool(getattr(request, "htmx", False)) and not request.htmx.history_restore_request
    response = render(request, partial if is_swap else template, context)
    # The same URL answers two shapes: caches and the back button must keep them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response
