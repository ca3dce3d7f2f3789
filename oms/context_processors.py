from oms.models import Membership


def organization(request):
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return {}
    return {
        "active_organization": getattr(request, "organization", None),
        "active_membership": getattr(request, "membership", None),
        "user_memberships": Membership.objects.for_user(user),
    }
