from __future__ import annotations

from oms.organizations import SESSION_KEY, resolve_membership
from oms.tenancy import activate_organization, deactivate_organization


class ActiveOrganizationMiddleware:
    """Puts the session user's active organization on the request and in tenant scope for its duration.

    API requests authenticated by token are scoped again in ``OrganizationScopedMixin`` once DRF has
    authenticated them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        membership = resolve_membership(request.user, request.session.get(SESSION_KEY))
        if membership is None and request.session.get(SESSION_KEY):
            # The stored organization is gone or the user left it: fall back to their first one.
            membership = resolve_membership(request.user, None)
        request.membership = membership
        request.organization = membership.organization if membership else None
        token = activate_organization(request.organization.pk if request.organization else None)
        try:
            return self.get_response(request)
        finally:
            deactivate_organization(token)
