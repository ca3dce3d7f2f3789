import json

from django import forms
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from connectors.models import Connection, IngestError, JobState, WarehouseLink
from oms.admin import TenantAdmin, TenantAdminForm, TenantTabularInline
from oms.choices import Capability


class ConnectionAdminForm(TenantAdminForm):
    """Credentials are write-only: a new JSON object replaces them; the stored value is never rendered."""

    new_credentials = forms.CharField(
        label=_("New credentials"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password", "size": 60}),
        help_text=_('A JSON object, e.g. {"token": "…"}. Leave empty to keep the stored credentials.'),
    )

    class Meta:
        model = Connection
        exclude = ("credentials",)

    def clean_new_credentials(self):
        raw = self.cleaned_data["new_credentials"]
        if not raw:
            return None
        try:
            value = json.loads(raw)
        except ValueError:
            raise forms.ValidationError(_("Enter valid JSON."))
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Credentials must be a JSON object."))
        return value

    def save(self, commit=True):
        if self.cleaned_data.get("new_credentials") is not None:
            self.instance.credentials = self.cleaned_data["new_credentials"]
        return super().save(commit)


class WarehouseLinkInline(TenantTabularInline):
    model = WarehouseLink
    edit_capability = Capability.MANAGE_CONNECTIONS
    fields = ("warehouse", "external_id", "external_name")


@admin.register(Connection)
class ConnectionAdmin(TenantAdmin):
    form = ConnectionAdminForm
    edit_capability = Capability.MANAGE_CONNECTIONS
    list_display = ("name", "marketplace", "enabled", "status", "last_success_at", "last_error_at")
    list_filter = ("marketplace", "enabled", "status")
    search_fields = ("name",)
    readonly_fields = ("credentials_stored", "status", "last_success_at", "last_error", "last_error_at", "created_at")
    fieldsets = (
        (None, {"fields": ("marketplace", "name", "enabled")}),
        (_("Credentials"), {"fields": ("credentials_stored", "new_credentials")}),
        (_("Addresses"), {"fields": ("base_url", "api_base_urls", "options")}),
        (
            _("Schedule"),
            {
                "fields": (
                    "orders_poll_seconds", "statuses_poll_seconds", "stocks_reconcile_seconds", "fbo_poll_seconds",
                    "returns_poll_seconds",
                )
            },
        ),
        (_("Health"), {"fields": ("status", "last_success_at", "last_error_at", "last_error", "created_at")}),
    )
    inlines = (WarehouseLinkInline,)

    @admin.display(description=_("credentials stored"), boolean=True)
    def credentials_stored(self, obj):
        return obj.has_credentials if obj else False


@admin.register(WarehouseLink)
class WarehouseLinkAdmin(TenantAdmin):
    edit_capability = Capability.MANAGE_CONNECTIONS
    list_display = ("warehouse", "connection", "external_id", "external_name")
    list_select_related = ("warehouse", "connection")
    search_fields = ("external_id", "external_name", "warehouse__name")


@admin.register(JobState)
class JobStateAdmin(TenantAdmin):
    edit_capability = Capability.MANAGE_CONNECTIONS
    list_display = ("connection", "job", "last_run_at", "last_success_at", "last_error_at")
    list_filter = ("job",)
    list_select_related = ("connection",)
    readonly_fields = ("last_run_at", "last_success_at", "last_error", "last_error_at", "last_result")


@admin.register(IngestError)
class IngestErrorAdmin(TenantAdmin):
    """Payloads we could not take in, verbatim with their error. Replay arrives with the connectors issue."""

    edit_capability = Capability.MANAGE_CONNECTIONS
    list_display = (
        "created_at", "connection", "job", "kind", "external_id", "short_error", "replay_count", "resolved_at",
    )
    list_filter = ("job", "kind")
    list_select_related = ("connection",)
    search_fields = ("external_id", "error")
    fields = (
        "connection", "job", "kind", "external_id", "created_at", "replay_count", "resolved_at", "error_text",
        "payload_text",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("error"))
    def short_error(self, obj):
        return obj.error[:120]

    @admin.display(description=_("error"))
    def error_text(self, obj):
        return format_html('<pre style="white-space: pre-wrap; margin: 0">{}</pre>', obj.error)

    @admin.display(description=_("raw payload"))
    def payload_text(self, obj):
        return format_html('<pre style="white-space: pre-wrap; margin: 0; max-height: 40em; overflow: auto">{}</pre>',
                           obj.payload)
