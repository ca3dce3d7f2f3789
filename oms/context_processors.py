from oms.models import Membership
from oms.web import ADMIN_ROLES


def organization(request):
    """The active organization and the user's others, for the switcher in the layout."""
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return {}
    membership = getattr(request, "membership", None)
    return {
        "active_organization": getattr(request, "organization", None),
        "active_membership": membership,
        # Lazy: only a page that renders the organization switcher runs this query.
        "user_memberships": Membership.objects.for_user(user).order_by("organization__name"),
        "can_use_admin": bool(
            user.is_staff and (user.is_superuser or (membership is not None and membership.role in ADMIN_ROLES))
        ),
    }

