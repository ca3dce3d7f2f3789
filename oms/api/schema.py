"""OpenAPI helpers shared by the API of every app."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema

from oms.api.views import ORGANIZATION_HEADER

ORGANIZATION_HEADER_PARAMETER = OpenApiParameter(
    name=ORGANIZATION_HEADER,
    type=OpenApiTypes.INT,
    location=OpenApiParameter.HEADER,
    required=False,
    description=_(
        "Id of the organization to act in, for users who belong to several. "
        "Defaults to the session's active organization, else the user's first one."
    ),
)


def tenant_schema(view_class):
    """Class decorator: documents the ``X-Organization`` header on every operation of a tenant view."""
    return extend_schema(parameters=[ORGANIZATION_HEADER_PARAMETER])(view_class)
