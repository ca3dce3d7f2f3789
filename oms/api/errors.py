"""API errors are answers, never crashes: validation problems become 400 with field errors."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from oms.tenancy import TenantScopeError

logger = logging.getLogger(__name__)


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail=detail)
    elif isinstance(exc, IntegrityError):
        logger.info("integrity error answered as 400: %s", exc)
        exc = exceptions.ValidationError({"non_field_errors": ["This change conflicts with existing data."]})
    elif isinstance(exc, TenantScopeError):
        exc = exceptions.PermissionDenied("No active organization.")
    return drf_exception_handler(exc, context)
