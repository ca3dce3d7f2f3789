"""API errors are answers, never crashes: validation problems become 400 with field errors."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from oms.tenancy import TenantScopeError

logger = logging.getLogger(__name__)


class Conflict(exceptions.APIException):
    status_code = 409
    default_detail = _(
        "Other records still refer to this object (orders, stock movements, kits…); it cannot be deleted."
    )
    default_code = "conflict"


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail=detail)
    elif isinstance(exc, (ProtectedError, RestrictedError)):
        # Checked before IntegrityError, its base: deleting a row other records still need is a conflict.
        exc = Conflict()
    elif isinstance(exc, DataError):
        # A value the column cannot hold (out of range…) that validation did not catch.
        logger.info("data error answered as 400: %s", exc)
        exc = exceptions.ValidationError({"non_field_errors": [_("A value is out of the range that can be stored.")]})
    elif isinstance(exc, RecursionError):
        exc = exceptions.ParseError(_("The request body is nested too deeply."))
    elif isinstance(exc, IntegrityError):
        logger.info("integrity error answered as 400: %s", exc)
        exc = exceptions.ValidationError({"non_field_errors": ["This change conflicts with existing data."]})
    elif isinstance(exc, TenantScopeError):
        exc = exceptions.PermissionDenied("No active organization.")
    return drf_exception_handler(exc, context)
