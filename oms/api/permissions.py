from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from oms.choices import Capability


class IsOrganizationMember(BasePermission):
    """Authenticated and acting inside one of the user's organizations.

    Reads need ``view``; writes need the capability the view names in ``write_capability``
    (viewers never write).
    """

    message = "You are not a member of an organization with the required role."

    def has_permission(self, request, view) -> bool:
        membership = getattr(request, "membership", None)
        if not (request.user and request.user.is_authenticated and membership):
            return False
        if request.method in SAFE_METHODS:
            return membership.can(Capability.VIEW)
        return membership.can(getattr(view, "write_capability", Capability.MANAGE_MEMBERS))
