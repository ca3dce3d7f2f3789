"""Which organization a user is working in."""

from __future__ import annotations

from oms.models import Membership

SESSION_KEY = "okno_active_organization_id"


def resolve_membership(user, requested_organization_id: int | str | None) -> Membership | None:
    """The membership to act under: the requested organization if the user belongs to it, else the first one."""
    if not getattr(user, "is_authenticated", False):
        return None
    memberships = Membership.objects.for_user(user).order_by("created_at", "pk")
    if requested_organization_id not in (None, ""):
        try:
            requested = int(requested_organization_id)
        except (TypeError, ValueError):
            return None
        return memberships.filter(organization_id=requested).first()
    return memberships.first()
