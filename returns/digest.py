"""The daily claims digest: each organization's owners and managers learn which claims expire within 24 hours and
which are already overdue, before the working day starts.

Preconditions: ``send_claim_digest`` runs with the organization in scope.
"""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from oms.choices import Role
from oms.models import Membership, Organization
from returns import selectors
from returns.models import Claim

logger = logging.getLogger(__name__)

RECIPIENT_ROLES = (Role.OWNER, Role.MANAGER)
MAX_LISTED = 50  # per section: the e-mail points to the screen for the rest


def recipients(organization: Organization) -> list[str]:
    return sorted(
        Membership.objects.filter(organization=organization, role__in=RECIPIENT_ROLES, user__is_active=True)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
        .distinct()
    )


def _zone(organization: Organization):
    """Deadlines read in the seller's own time zone (Moscow unless the organization says otherwise)."""
    try:
        return ZoneInfo(organization.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


def _line(claim: Claim, zone) -> str:
    deadline = date_format(timezone.localtime(claim.deadline_at, zone), "d.m.Y H:i")
    order = claim.order.number if claim.order_id else (claim.return_request.order_external_id if claim.return_request_id else "")
    parts = [f"{deadline}", claim.connection.get_marketplace_display(), claim.connection.name, claim.external_id]
    if order:
        parts.append(_("order %(number)s") % {"number": order})
    if claim.subject:
        parts.append(claim.subject[:120])
    return " · ".join(parts)


def compose(organization: Organization, now: datetime | None = None) -> tuple[str, str] | None:
    """(subject, body) of the digest, or None when no claim needs attention."""
    now = now or timezone.now()
    related = ("connection", "order", "return_request")
    due = list(selectors.claims_due_soon(now).select_related(*related).order_by("deadline_at", "pk")[:MAX_LISTED + 1])
    overdue = list(selectors.claims_overdue(now).select_related(*related).order_by("deadline_at", "pk")[:MAX_LISTED + 1])
    if not due and not overdue:
        return None
    zone = _zone(organization)

    def counted(claims: list[Claim]) -> str:
        return f"{MAX_LISTED}+" if len(claims) > MAX_LISTED else str(len(claims))

    subject = _("%(organization)s: %(due)s claims expire within 24 h, %(overdue)s overdue") % {
        "organization": organization.name, "due": counted(due), "overdue": counted(overdue),
    }
    sections = []
    for title, claims in ((_("Expire within 24 hours"), due), (_("Overdue"), overdue)):
        if not claims:
            continue
        lines = [f"— {_line(claim, zone)}" for claim in claims[:MAX_LISTED]]
        if len(claims) > MAX_LISTED:
            lines.append(_("…and more on the claims screen."))
        sections.append(f"{title} ({counted(claims)}):\n" + "\n".join(lines))
    site = getattr(settings, "OKNO_SITE_URL", "")
    if site:
        footer = _("Answer them on the claims screen: %(url)s") % {"url": site.rstrip("/") + reverse("returns:claim_list")}
    else:
        footer = _("Answer them in Okno, Returns → Claims.")
    body = _("Claims that need an answer through the marketplace:") + "\n\n" + "\n\n".join(sections) + f"\n\n{footer}\n"
    return subject, body


def send_claim_digest(organization: Organization, now: datetime | None = None) -> int:
    """E-mail the digest to the organization's owners and managers; returns how many addresses it went to."""
    with translation.override(settings.LANGUAGE_CODE):
        composed = compose(organization, now)
    if composed is None:
        return 0
    to = recipients(organization)
    if not to:
        logger.info("claims digest of organization %s: nobody to send it to", organization.pk)
        return 0
    subject, body = composed
    send_mail(subject, body, None, to)
    return len(to)
