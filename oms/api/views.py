"""Base classes every API view of Okno builds on: authentication first, then the caller's organization in scope."""

from __future__ import annotations

from django.db import models
from django.template.response import SimpleTemplateResponse
from rest_framework import mixins, viewsets
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken

from oms.organizations import SESSION_KEY, resolve_membership
from oms.tenancy import activate_organization, deactivate_organization

ORGANIZATION_HEADER = "X-Organization"


class OrganizationScopedMixin:
    """Resolves the caller's membership after DRF authentication (token or session) and scopes the request.

    The organization is the one named by the ``X-Organization`` header, else the session's active one, else
    the caller's first. Querysets of tenant-owned models are then filtered by it; another organization's
    object is simply not found (404).
    """

    def initial(self, request, *args, **kwargs):
        self.perform_authentication(request)
        requested = request.headers.get(ORGANIZATION_HEADER) or request.session.get(SESSION_KEY)
        membership = resolve_membership(request.user, requested)
        request._request.membership = membership
        request._request.organization = membership.organization if membership else None
        self._organization_token = activate_organization(membership.organization_id if membership else None)
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        token = getattr(self, "_organization_token", None)
        if token is not None:
            try:
                # Render while the organization is still in scope: the browsable API's forms and filter form
                # query tenant models, and Django would otherwise render after the scope is gone.
                if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
                    response.render()
            finally:
                deactivate_organization(token)
                self._organization_token = None
        return response


class TenantViewSetMixin(OrganizationScopedMixin):
    """Querysets are built per request from ``model``'s scoped manager, never at import time."""

    model: type[models.Model]
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no tenant
            return self.model.all_tenants.none()
        queryset = self.model.objects.all()
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        return queryset


class TenantModelViewSet(TenantViewSetMixin, viewsets.ModelViewSet):
    pass


class TenantReadOnlyViewSet(TenantViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class TenantCreateViewSet(TenantViewSetMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    pass


class EmailTokenSerializer(AuthTokenSerializer):
    """E-mail addresses are stored lower-case; integrators may type them in any case."""

    def validate(self, attrs):
        attrs["username"] = (attrs.get("username") or "").strip().lower()
        return super().validate(attrs)


class TokenView(ObtainAuthToken):
    """``POST {"username": EMAIL, "password": PW}`` → ``{"token": …}``."""

    permission_classes = ()
    serializer_class = EmailTokenSerializer
