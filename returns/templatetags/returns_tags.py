"""Template helpers of the returns screens: the deadline countdown and item summaries."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from returns.models import Claim, Return
from returns.selectors import DUE_SOON
from returns.services import ANSWERABLE_CLAIM_STATUSES, OPEN_RETURN_STATUSES

register = template.Library()


def _span(delta: timedelta) -> str:
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)s min") % {"minutes": minutes}


@register.simple_tag
def deadline(moment: datetime | None, active: bool = True) -> str:
    """Time left to a deadline: red when overdue, amber within 24 hours; only the date once nothing is pending."""
    if not moment:
        return mark_safe('<span class="faint">—</span>')
    when = date_format(timezone.localtime(moment), "d.m.Y H:i")
    if not active:
        return format_html('<span class="muted" title="{}">{}</span>', when, when)
    left = moment - timezone.now()
    if left < timedelta(0):
        return format_html('<span class="deadline danger" title="{}">{}</span>', when,
                           _("overdue by %(time)s") % {"time": _span(left)})
    css = "deadline warn" if left < DUE_SOON else "deadline"
    return format_html('<span class="{}" title="{}">{}</span>', css, when, _("%(time)s left") % {"time": _span(left)})


@register.filter
def pending(obj) -> bool:
    """Whether a return still needs work or a claim still awaits an answer: only then does its deadline count."""
    if isinstance(obj, Return):
        return obj.status in OPEN_RETURN_STATUSES
    if isinstance(obj, Claim):
        return obj.status in ANSWERABLE_CLAIM_STATUSES
    return False
