"""Django admin, tenant-aware.

- Superusers see every organization: each admin view runs (and renders) inside ``all_tenants_scope()``, lists
  get an organization column and filter, and a new row asks which organization it belongs to.
- Other staff may enter only as owner or manager of their active organization; the request's tenant scope
  (``ActiveOrganizationMiddleware``) then shows them that organization alone. What they may change follows the
  capability matrix (``oms.choices``), not Django's per-model permissions.
- A row may only point at rows of its own organization, whoever edits it.
"""

from __future__ import annotations

from functools import wraps

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.utils.translation import gettext_lazy as _

from oms.choices import Capability
from oms.models import Membership, Organization, User
from oms.tenancy import TenantModel, all_tenants_scope, current_organization_id
from oms.web import ADMIN_ROLES

site = admin.site
site.site_header = _("Okno administration")
site.site_title = _("Okno administration")
site.index_title = _("Data of the organization")
site.site_url = "/"


def has_admin_access(request) -> bool:
    user = request.user
    if not (user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    membership = getattr(request, "membership", None)
    return membership is not None and membership.role in ADMIN_ROLES


_django_admin_view = site.admin_view


def tenant_admin_view(view, cacheable=False):
    """Django's ``admin_view`` plus tenancy: a superuser's request runs and renders across all organizations.

    The template response is rendered inside the scope too: querysets evaluated while rendering (related rows,
    widgets) must see what the view saw.
    """

    @wraps(view)
    def scoped(request, *args, **kwargs):
        if not (request.user.is_active and request.user.is_superuser):
            return view(request, *args, **kwargs)
        with all_tenants_scope():
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            return response

    return _django_admin_view(scoped, cacheable)


# The default site is built by django.contrib.admin before this module is imported and its URLs are included
# by oms/urls.py, so it is adjusted in place rather than replaced.
site.admin_view = tenant_admin_view
site.has_permission = has_admin_access


def _can(request, capability: str) -> bool:
    if request.user.is_superuser:
        return True
    membership = getattr(request, "membership", None)
    return membership is not None and membership.role in ADMIN_ROLES and membership.can(capability)


class TenantAdminForm(forms.ModelForm):
    """Keeps a row and everything it points at inside one organization.

    The organization is known before validation (the active one, or the one a superuser picked), so the
    database's per-organization unique constraints are checked as form errors instead of failing on save.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.organization_id is None and current_organization_id() is not None:
            self.instance.organization_id = current_organization_id()

    def clean(self):
        cleaned = super().clean()
        chosen = cleaned.get("organization")
        if chosen is not None:
            self.instance.organization = chosen
        organization_id = self.instance.organization_id
        for name, value in list(cleaned.items()):
            if isinstance(value, TenantModel) and organization_id and value.organization_id != organization_id:
                self.add_error(name, _("Choose a row of the same organization."))
        return cleaned

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        if self.instance.organization_id is not None:
            exclude.discard("organization")
        return exclude


class TenantInlineFormSet(forms.BaseInlineFormSet):
    """New inline rows belong to their parent's organization."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if form.instance.pk is None and self.instance.organization_id is not None:
            # Not the editor's active organization: a superuser may be adding rows to another one.
            form.instance.organization_id = self.instance.organization_id
        return form


class CapabilityAdminMixin:
    """Permissions from the membership's capabilities; superusers may do everything."""

    edit_capability: str = Capability.MANAGE_MEMBERS
    read_only = False

    def has_view_permission(self, request, obj=None) -> bool:
        return _can(request, Capability.VIEW)

    def has_module_permission(self, request) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request, obj=None) -> bool:
        return not self.read_only and _can(request, self.edit_capability)

    def has_change_permission(self, request, obj=None) -> bool:
        return not self.read_only and _can(request, self.edit_capability)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not self.read_only and _can(request, self.edit_capability)


class OrganizationListFilter(admin.RelatedFieldListFilter):
    """The superuser's organization filter, titled in the interface language."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = _("Organization")


class TenantAdmin(CapabilityAdminMixin, admin.ModelAdmin):
    """Base admin of every tenant-owned model."""

    form = TenantAdminForm
    list_per_page = 50
    show_full_result_count = False  # one COUNT less on big tables

    def _chooses_organization(self, request, obj) -> bool:
        return request.user.is_superuser and obj is None

    def get_form(self, request, obj=None, change=False, **kwargs):
        fields = kwargs.pop("fields") if "fields" in kwargs else flatten_fieldsets(self.get_fieldsets(request, obj))
        if fields is not None:
            # ``organization`` is not editable on the model; a superuser's choice is a separate form field.
            fields = [name for name in fields if name != "organization"]
        form = super().get_form(request, obj, change, fields=fields, **kwargs)
        if self._chooses_organization(request, obj):
            field = forms.ModelChoiceField(queryset=Organization.objects.all(), label=_("Organization"))
            form = type(form.__name__, (form,), {"organization": field})
        return form

    def get_readonly_fields(self, request, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        if request.user.is_superuser and obj is not None:
            readonly = ("organization_name", *readonly)
        return readonly

    def get_list_display(self, request):
        display = tuple(super().get_list_display(request))
        return (*display, "organization_name") if request.user.is_superuser else display

    def get_list_filter(self, request):
        filters = tuple(super().get_list_filter(request))
        return (("organization", OrganizationListFilter), *filters) if request.user.is_superuser else filters

    @admin.display(description=_("Organization"), ordering="organization__name")
    def organization_name(self, obj) -> str:
        return obj.organization.name

    def get_list_select_related(self, request):
        related = super().get_list_select_related(request)
        if not request.user.is_superuser or related is True:
            return related
        # The organization column would otherwise cost a query per row.
        return (*(related or ()), "organization")

    def save_model(self, request, obj, form, change):
        if not change and form.cleaned_data.get("organization") is not None:
            obj.organization = form.cleaned_data["organization"]
        super().save_model(request, obj, form, change)


class ReadOnlyTenantAdmin(TenantAdmin):
    """Rows that only services write (the stock ledger and its sums): look, never touch."""

    read_only = True


class TenantTabularInline(CapabilityAdminMixin, admin.TabularInline):
    """Set ``edit_capability`` to the parent admin's: an inline is edited as part of its parent."""

    form = TenantAdminForm
    formset = TenantInlineFormSet
    extra = 0


# --- users and organizations (not tenant-owned) -----------------------------------------------------------


class SuperuserOnlyMixin:
    """Users and organizations span tenants: only superusers manage them here."""

    def has_module_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser


class UserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name")


class UserChangeForm(DjangoUserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("organization",)


@admin.register(User)
class UserAdmin(SuperuserOnlyMixin, DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ("email",)
    list_display = ("email", "full_name", "is_active", "is_staff", "is_superuser", "last_login")
    list_filter = ("is_active", "is_staff", "is_superuser")
    search_fields = ("email", "full_name")
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("full_name",)}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),)
    inlines = (MembershipInline,)


class OrganizationMembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Organization)
class OrganizationAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "timezone", "created_at")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (OrganizationMembershipInline,)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Superusers manage every membership; an owner reads who belongs to the active organization."""

    list_display = ("user", "organization", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__email", "user__full_name", "organization__name")
    autocomplete_fields = ("user", "organization")
    list_select_related = ("user", "organization")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(organization_id=getattr(request.organization, "pk", None))

    def get_list_filter(self, request):
        return ("organization", "role") if request.user.is_superuser else ("role",)

    def has_module_permission(self, request) -> bool:
        return self.has_view_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return _can(request, Capability.MANAGE_MEMBERS)

    def has_add_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser
