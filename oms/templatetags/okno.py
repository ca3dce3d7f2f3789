"""Template filters of Okno's screens: money, quantities and marketplace/status badges."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import format_html

from connectors.choices import Marketplace
from oms.money import quantize

register = template.Library()

# Short marks for dense tables; the full marketplace name goes into the badge's title.
MARKETPLACE_MARKS = {"wb": "WB", "ozon": "Ozon", "yandex_market": "YM", "aliexpress": "AE"}


@register.filter
def rub(amount) -> str:
    """``1234.5`` → ``1 234,50 ₽`` (Russian) / ``1,234.50 ₽`` (English); empty for no amount."""
    if amount in (None, ""):
        return ""
    try:
        value = quantize(Decimal(str(amount)))
    except (InvalidOperation, ValueError):
        return ""
    return f"{number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)}\u00a0₽"


@register.filter
def qty(value) -> str:
    """Whole units with thousands grouping; a dash for none."""
    if value in (None, ""):
        return "—"
    return number_format(value, decimal_pos=0, use_l10n=True, force_grouping=True)


@register.simple_tag
def marketplace_badge(code: str) -> str:
    label = Marketplace(code).label if code in Marketplace.values else code
    return format_html('<span class="mp mp-{}" title="{}">{}</span>', code, label, MARKETPLACE_MARKS.get(code, code))


@register.filter
def signed(value) -> str:
    """Ledger deltas read as changes: ``+3``, ``−2``, empty for zero."""
    if not value:
        return ""
    return f"+{value}" if value > 0 else f"−{abs(value)}"


@register.filter
def is_past(moment) -> bool:
    """A deadline already gone (ship-by), compared in UTC."""
    return bool(moment) and moment < timezone.now()


@register.filter
def variant_details(variant) -> str:
    """What tells a variant apart from its siblings: ``M, чёрный``."""
    return ", ".join(part for part in (variant.name, variant.size, variant.colour) if part)
