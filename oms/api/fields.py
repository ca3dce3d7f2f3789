"""Serializer fields and validators shared by the API of every app: input is checked before it reaches the database."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

# Keyword arguments for money fields: roubles never go negative in a price or a cost.
NON_NEGATIVE_MONEY = {"min_value": Decimal("0")}
# The largest JSON document accepted in a free-form field (attributes, options…), in characters.
MAX_JSON_CHARS = 100_000


def validate_http_url(value: str) -> str:
    """An absolute http(s) URL with a host. Single-label hosts (``http://sandbox:8000``) are fine: containers."""
    if not isinstance(value, str):
        raise serializers.ValidationError(_("Enter a URL as a string."))
    try:
        parts = urlsplit(value)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        raise serializers.ValidationError(_("Enter a valid http(s) URL."))
    if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok or any(c.isspace() for c in value):
        raise serializers.ValidationError(_("Enter a valid http(s) URL."))
    return value


def _contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_contains_nul(item) for item in value)
    return False


def validate_json_document(value: Any) -> Any:
    """Storable in PostgreSQL jsonb (no NUL characters) and of a sane size."""
    if _contains_nul(value):
        raise serializers.ValidationError(_("Null characters are not allowed."))
    if len(json.dumps(value, ensure_ascii=False)) > MAX_JSON_CHARS:
        raise serializers.ValidationError(
            _("The document is too large (at most %(limit)s characters).") % {"limit": MAX_JSON_CHARS}
        )
    return value


def validate_json_object(value: Any) -> Any:
    if not isinstance(value, dict):
        raise serializers.ValidationError(_("Expected a JSON object."))
    return validate_json_document(value)


@extend_schema_field(OpenApiTypes.OBJECT)
class JSONObjectField(serializers.JSONField):
    """A JSON object (``{...}``); arrays, strings and numbers are refused."""

    def __init__(self, **kwargs):
        kwargs.setdefault("validators", [])
        kwargs["validators"] = [validate_json_object, *kwargs["validators"]]
        super().__init__(**kwargs)


@extend_schema_field({"type": "array", "items": {"type": "string", "format": "uri"}})
class URLListField(serializers.JSONField):
    """A JSON array of http(s) URLs."""

    def __init__(self, max_items: int = 50, **kwargs):
        self.max_items = max_items
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        if not isinstance(data, list):
            raise serializers.ValidationError(_("Expected a list of URLs."))
        if len(data) > self.max_items:
            raise serializers.ValidationError(_("At most %(limit)s URLs.") % {"limit": self.max_items})
        errors = {}
        for index, url in enumerate(data):
            try:
                validate_http_url(url)
                if len(url) > 2000:
                    raise serializers.ValidationError(_("The URL is too long."))
            except serializers.ValidationError as exc:
                errors[index] = exc.detail
        if errors:
            raise serializers.ValidationError(errors)
        return data
