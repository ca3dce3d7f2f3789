"""FilterSets of returns and claims, shared by the Возвраты screens, the XLSX export and the API.

FK filters take ids (no import-time querysets); the screen turns the connection id into a drop-down itself.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import django_filters
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from connectors.choices import Marketplace
from orders.choices import Scheme
from returns.choices import ClaimStatus, ReasonCode, ReturnKind, ReturnStatus
from returns.models import Claim, Return
from returns.selectors import DUE_SOON
from returns.services import OPEN_RETURN_STATUSES


class Deadline(models.TextChoices):
    OVERDUE = "overdue", _("Overdue")
    TODAY = "today", _("Due today")
    TOMORROW = "tomorrow", _("Due tomorrow")
    WITHIN_24H = "24h", _("Due within 24 h")


def _deadline_window(value: str) -> Q | None:
    """The deadline range a choice means, in the seller's calendar (Moscow) for today/tomorrow."""
    now = timezone.now()
    local_midnight = timezone.make_aware(datetime.combine(timezone.localdate(now), time.min))
    if value == Deadline.OVERDUE:
        return Q(deadline_at__lt=now)
    if value == Deadline.TODAY:
        return Q(deadline_at__gte=now, deadline_at__lt=local_midnight + timedelta(days=1))
    if value == Deadline.TOMORROW:
        start = local_midnight + timedelta(days=1)
        return Q(deadline_at__gte=start, deadline_at__lt=start + timedelta(days=1))
    if value == Deadline.WITHIN_24H:
        return Q(deadline_at__gte=now, deadline_at__lt=now + DUE_SOON)
    return None


class ReturnFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search: order, return id, SKU, barcode"))
    marketplace = django_filters.MultipleChoiceFilter(
        field_name="connection__marketplace", choices=Marketplace.choices, label=_("Marketplace")
    )
    connection = django_filters.NumberFilter(field_name="connection_id", label=_("Connection"))
    status = django_filters.MultipleChoiceFilter(choices=ReturnStatus.choices, label=_("Status"))
    kind = django_filters.MultipleChoiceFilter(choices=ReturnKind.choices, label=_("Kind"))
    reason_code = django_filters.MultipleChoiceFilter(choices=ReasonCode.choices, label=_("Reason"))
    scheme = django_filters.ChoiceFilter(choices=Scheme.choices, label=_("Scheme"))
    deadline = django_filters.ChoiceFilter(choices=Deadline.choices, method="filter_deadline", label=_("Deadline"))
    unmatched = django_filters.BooleanFilter(method="filter_unmatched", label=_("Order unknown"))
    open = django_filters.BooleanFilter(method="filter_open", label=_("Needs work"))
    requested_after = django_filters.IsoDateTimeFilter(
        field_name="requested_at", lookup_expr="gte", label=_("Requested from")
    )
    requested_before = django_filters.IsoDateTimeFilter(
        field_name="requested_at", lookup_expr="lt", label=_("Requested before")
    )

    class Meta:
        model = Return
        fields = ["q", "marketplace", "connection", "status", "kind", "reason_code", "scheme", "deadline", "unmatched"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(external_id=value)
            | Q(order_external_id=value)
            | Q(order__number__icontains=value)
            | Q(lines__offer_id__iexact=value)
            | Q(lines__variant__sku__iexact=value)
            | Q(lines__variant__barcodes__value=value)
        ).distinct()

    def filter_deadline(self, queryset, name, value):
        window = _deadline_window(value)
        # A deadline only matters while the return still needs work.
        return queryset.filter(window, status__in=OPEN_RETURN_STATUSES) if window is not None else queryset

    def filter_unmatched(self, queryset, name, value):
        return queryset.filter(order__isnull=value)

    def filter_open(self, queryset, name, value):
        if value:
            return queryset.filter(status__in=OPEN_RETURN_STATUSES)
        return queryset.exclude(status__in=OPEN_RETURN_STATUSES)


class ClaimFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search: claim id, order, subject"))
    marketplace = django_filters.MultipleChoiceFilter(
        field_name="connection__marketplace", choices=Marketplace.choices, label=_("Marketplace")
    )
    connection = django_filters.NumberFilter(field_name="connection_id", label=_("Connection"))
    status = django_filters.MultipleChoiceFilter(choices=ClaimStatus.choices, label=_("Status"))
    deadline = django_filters.ChoiceFilter(choices=Deadline.choices, method="filter_deadline", label=_("Deadline"))
    return_request = django_filters.NumberFilter(field_name="return_request_id", label=_("Return id"))

    class Meta:
        model = Claim
        fields = ["q", "marketplace", "connection", "status", "deadline", "return_request"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(external_id=value)
            | Q(order__number__icontains=value)
            | Q(order__external_id=value)
            | Q(subject__icontains=value)
        )

    def filter_deadline(self, queryset, name, value):
        window = _deadline_window(value)
        if window is None:
            return queryset
        return queryset.filter(window, status__in=(ClaimStatus.OPEN, ClaimStatus.EXPIRED))
