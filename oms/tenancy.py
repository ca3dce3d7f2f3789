"""Tenant scoping: the organization in scope decides what every tenant-owned query sees.

The active organization lives in a context variable. The web middleware, the API views, Celery tasks and
management commands enter it with ``organization_scope(org)``. A tenant-owned model's default manager
(``objects``) filters by it and raises ``TenantScopeError`` when nothing is in scope, so a forgotten filter
fails loudly instead of leaking rows. Crossing tenants is spelled ``Model.all_tenants`` — greppable and
deliberate.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from oms.models import Organization

_active_organization_id: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "okno_active_organization_id", default=None
)


_all_tenants: contextvars.ContextVar[bool] = contextvars.ContextVar("okno_all_tenants", default=False)


class TenantScopeError(RuntimeError):
    """A tenant-owned model was queried with no organization in scope."""


def current_organization_id() -> int | None:
    return _active_organization_id.get()


def require_organization_id() -> int:
    organization_id = _active_organization_id.get()
    if organization_id is None:
        raise TenantScopeError(
            "No organization in scope: wrap the code in organization_scope(org) "
            "or use Model.all_tenants deliberately."
        )
    return organization_id


@contextlib.contextmanager
def organization_scope(organization: Organization | int) -> Iterator[None]:
    organization_id = organization if isinstance(organization, int) else organization.pk
    token = _active_organization_id.set(organization_id)
    try:
        yield
    finally:
        _active_organization_id.reset(token)


@contextlib.contextmanager
def all_tenants_scope() -> Iterator[None]:
    """Deliberately see every organization's rows through the default managers (superuser admin, system jobs)."""
    token = _all_tenants.set(True)
    try:
        yield
    finally:
        _all_tenants.reset(token)


def activate_organization(organization_id: int | None) -> contextvars.Token:
    """Low-level entry for request/response hooks that cannot use a ``with`` block."""
    return _active_organization_id.set(organization_id)


def deactivate_organization(token: contextvars.Token) -> None:
    _active_organization_id.reset(token)


class TenantQuerySet(models.QuerySet):
    def for_organization(self, organization: Organization | int) -> TenantQuerySet:
        organization_id = organization if isinstance(organization, int) else organization.pk
        return self.filter(organization_id=organization_id)


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):  # type: ignore[misc]
    """Default manager of tenant-owned models: scoped to the active organization, fails closed."""

    def get_queryset(self) -> TenantQuerySet:
        queryset = super().get_queryset()
        if _all_tenants.get():
            return queryset
        return queryset.filter(organization_id=require_organization_id())

    def none(self) -> TenantQuerySet:
        """An empty queryset leaks nothing: forms declare ``queryset=Model.objects.none()`` at import time."""
        return super().get_queryset().none()


class AllTenantsManager(models.Manager.from_queryset(TenantQuerySet)):  # type: ignore[misc]
    """Unscoped access for system jobs and superuser admin. Every use is a deliberate cross-tenant read."""


class TenantModel(models.Model):
    """Base of every business row: it belongs to exactly one organization."""

    organization = models.ForeignKey("oms.Organization", on_delete=models.CASCADE, related_name="+", editable=False)

    objects = TenantManager()
    all_tenants = AllTenantsManager()

    class Meta:
        abstract = True
        # Django's internals (FK access, cascades) use ``_base_manager``, a plain unscoped Manager: the
        # row a foreign key points at was already reached through a scoped query.

    def save(self, *args, **kwargs):
        if self.organization_id is None:
            self.organization_id = require_organization_id()
        super().save(*args, **kwargs)
