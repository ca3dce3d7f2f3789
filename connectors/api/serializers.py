from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from connectors.models import Connection
from oms.api.fields import JSONObjectField, validate_http_url

MIN_POLL_SECONDS = 1
MAX_POLL_SECONDS = 7 * 24 * 3600
POLL_FIELDS = (
    "orders_poll_seconds", "statuses_poll_seconds", "stocks_reconcile_seconds", "fbo_poll_seconds",
    "returns_poll_seconds",
)


@extend_schema_field({"type": "object", "additionalProperties": {"type": "string", "format": "uri"}})
class BaseURLMapField(JSONObjectField):
    """``{"family": "http://host"}``: every value an http(s) URL."""

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        if not isinstance(data, dict):
            return data  # the object validator answers
        errors = {}
        for family, url in data.items():
            if not family.strip() or len(family) > 50:
                errors[family] = [_("Name an API family in at most 50 characters.")]
                continue
            try:
                validate_http_url(url)
                if len(url) > 500:
                    raise serializers.ValidationError(_("The URL is too long."))
            except serializers.ValidationError as exc:
                errors[family] = exc.detail
        if errors:
            raise serializers.ValidationError(errors)
        return data


class ConnectionSerializer(serializers.ModelSerializer):
    """A marketplace account. ``credentials`` are accepted, encrypted and never returned."""

    credentials = JSONObjectField(
        write_only=True, required=False,
        help_text=_(
            "Secrets of the account (API key, client id, token…) as a JSON object. Write-only: responses show only "
            "has_credentials and credential_fields. Omit it to keep the stored credentials."
        ),
    )
    has_credentials = serializers.BooleanField(read_only=True)
    credential_fields = serializers.SerializerMethodField(help_text=_("Names of the stored credential keys."))
    base_url = serializers.CharField(
        max_length=200, required=False, allow_blank=True, validators=[validate_http_url],
        help_text=_("One origin replacing every API host of the marketplace, e.g. a sandbox."),
    )
    api_base_urls = BaseURLMapField(
        required=False, help_text=_("Per API family base URL, e.g. {\"statistics\": \"http://…\"}; wins over base_url.")
    )
    options = JSONObjectField(required=False, help_text=_("Non-secret account identifiers (campaign id, …)."))

    class Meta:
        model = Connection
        fields = [
            "id", "marketplace", "name", "credentials", "has_credentials", "credential_fields", "base_url",
            "api_base_urls", "options", "enabled", *POLL_FIELDS, "status", "last_success_at", "last_error",
            "last_error_at", "created_at", "updated_at",
        ]
        read_only_fields = ["status", "last_success_at", "last_error", "last_error_at"]
        extra_kwargs = {
            name: {"min_value": MIN_POLL_SECONDS, "max_value": MAX_POLL_SECONDS} for name in POLL_FIELDS
        }

    def get_credential_fields(self, connection: Connection) -> list[str]:
        return sorted(connection.credentials or {})

    def validate_marketplace(self, value: str) -> str:
        if self.instance is not None and value != self.instance.marketplace:
            raise serializers.ValidationError(_("The marketplace of a connection cannot change; create a new one."))
        return value

    def validate_name(self, value: str) -> str:
        taken = Connection.objects.filter(name=value)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise serializers.ValidationError(_("A connection with this name already exists."))
        return value

    def validate_credentials(self, value: dict) -> dict:
        if any(not key.strip() for key in value):
            raise serializers.ValidationError(_("Credential names must not be empty."))
        return value
