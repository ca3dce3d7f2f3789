"""Forms of the connection pages.

The account fields differ per marketplace (``ACCOUNT_FIELDS``, data): secrets go to ``Connection.credentials``
(encrypted, write-only — a password input that is never filled in, blank keeps the stored value), account ids to
``Connection.options``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import import_module
from typing import Any

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from connectors.choices import Marketplace
from connectors.models import Connection, WarehouseLink
from inventory.choices import WarehouseKind
from inventory.models import ChannelStockPolicy, Warehouse

MIN_POLL_SECONDS = 1
MAX_POLL_SECONDS = 7 * 24 * 3600
POLL_FIELDS = (
    "orders_poll_seconds", "statuses_poll_seconds", "stocks_reconcile_seconds", "fbo_poll_seconds",
    "returns_poll_seconds",
)
FAMILY_PREFIX = "family__"
URL_MAX_LENGTH = 200  # Connection.base_url

# Where each marketplace keeps its API families (name → production origin).
_HOSTS = {
    Marketplace.WB: ("connectors.wb.api", "HOSTS"),
    Marketplace.OZON: ("connectors.ozon.api", "OZON_API"),
    Marketplace.YANDEX_MARKET: ("connectors.yandex_market.api", "API"),
    Marketplace.ALIEXPRESS: ("connectors.aliexpress.api", "ALIEXPRESS_API"),
}

# Option keys the webhook modules read, and the value that means "the marketplace's documented networks".
WEBHOOK_ALLOWED_IPS = "webhook_allowed_ips"
WEBHOOK_NETWORK_KEYWORD = {Marketplace.OZON: "ozon", Marketplace.YANDEX_MARKET: "market"}


@cache
def api_families(marketplace: str) -> dict[str, str]:
    module, name = _HOSTS[marketplace]
    value = getattr(import_module(module), name)
    return dict(value if isinstance(value, dict) else value.hosts)


@dataclass(frozen=True)
class AccountField:
    """One thing the seller copies from the marketplace's cabinet."""

    key: str  # key in credentials (secret) or options
    label: Any
    help_text: Any
    secret: bool = True
    required: bool = True
    integer: bool = False


ACCOUNT_FIELDS: dict[str, tuple[AccountField, ...]] = {
    Marketplace.WB: (
        AccountField(
            "token", _("API token"),
            _("In the Wildberries seller cabinet: «Настройки» → «Доступ к API» → «Создать новый токен». Choose the "
              "«Персональный» type and the categories «Маркетплейс», «Статистика», «Аналитика», «Возвраты» and "
              "«Контент»; not read-only. A token lives 180 days."),
        ),
    ),
    Marketplace.OZON: (
        AccountField(
            "client_id", _("Client ID"),
            _("In the Ozon seller cabinet: «Настройки» → «Seller API». The Client ID is shown at the top of that "
              "page."),
        ),
        AccountField(
            "api_key", _("API key"),
            _("On the same page «Seller API»: «Сгенерировать ключ», role «Admin» (or one that covers postings, "
              "products, stock, returns and FBO). Ozon shows the key only once; it is valid for six months."),
        ),
    ),
    Marketplace.YANDEX_MARKET: (
        AccountField(
            "api_key", _("API key"),
            _("In the Yandex Market seller cabinet: «Настройки» → «API и модули» → «Токены авторизации» → «Создать "
              "токен», with access to «Обработка заказов и остатки» (or «Все методы»). Only the cabinet owner or a "
              "manager can create one."),
        ),
        AccountField(
            "business_id", _("Business (cabinet) id"),
            _("The cabinet id: «Настройки» → «API и модули», field «Идентификатор кабинета» (also the number after "
              "/business/ in the cabinet's address)."),
            secret=False, integer=True,
        ),
        AccountField(
            "campaign_id", _("Campaign (shop) id"),
            _("The campaignId of your FBS, Express or DBS shop: «Настройки» → «API и модули», next to the shop. It "
              "is not the shop number shown elsewhere in the cabinet."),
            secret=False, integer=True,
        ),
        AccountField(
            "fby_campaign_id", _("FBY campaign id"),
            _("Only if you also sell from Market's warehouses (FBY). Leave empty: Okno finds it by itself."),
            secret=False, required=False, integer=True,
        ),
    ),
    Marketplace.ALIEXPRESS: (
        AccountField(
            "token", _("API token"),
            _("In the AliExpress seller cabinet: «Настройки» → «Токены API» → «Создать токен» (see "
              "business.aliexpress.ru/docs/api-token). Copy the whole token."),
        ),
    ),
}

AE_LOGISTICS_CHOICES = (
    ("fbs", _("FBS: AliExpress logistics and Russian Post")),
    ("dbs", _("DBS: seller's own logistics («Логистика продавца»)")),
)


def _poll_field(label, help_text=None) -> forms.IntegerField:
    return forms.IntegerField(label=label, help_text=help_text, min_value=MIN_POLL_SECONDS,
                              max_value=MAX_POLL_SECONDS, widget=forms.NumberInput(attrs={"class": "input"}))


class ConnectionForm(forms.Form):
    """Add or edit a connection of one marketplace. Secrets are never rendered back."""

    name = forms.CharField(label=_("Name"), max_length=120,
                           help_text=_("How this account is called in Okno, e.g. the shop's brand."),
                           widget=forms.TextInput(attrs={"class": "input", "autocomplete": "off"}))
    base_url = forms.CharField(
        label=_("Base URL"), required=False, max_length=URL_MAX_LENGTH,
        help_text=_("Only for a sandbox or a proxy: one address (e.g. http://127.0.0.1:9001) that replaces every API "
                    "host of the marketplace. Leave empty for the real marketplace."),
        widget=forms.URLInput(attrs={"class": "input", "placeholder": "https://"}),
    )
    orders_poll_seconds = _poll_field(_("New orders poll, s"))
    statuses_poll_seconds = _poll_field(_("Order statuses poll, s"))
    stocks_reconcile_seconds = _poll_field(_("Stock reconciliation, s"),
                                           _("Changes are pushed at once; this is the periodic full re-push."))
    fbo_poll_seconds = _poll_field(_("FBO poll, s"))
    returns_poll_seconds = _poll_field(_("Returns poll, s"))

    def __init__(self, marketplace: str, *args, instance: Connection | None = None, **kwargs):
        self.marketplace = marketplace
        self.instance = instance
        initial = kwargs.pop("initial", None) or {}
        if instance is not None:
            initial = {"name": instance.name, "base_url": instance.base_url,
                       **{name: getattr(instance, name) for name in POLL_FIELDS}, **initial}
        else:
            initial = {name: Connection._meta.get_field(name).default for name in POLL_FIELDS} | initial
        super().__init__(*args, initial=initial, **kwargs)
        self._add_account_fields()
        self._add_family_fields()

    # --- dynamic fields ----------------------------------------------------------------------------------------
    @property
    def account_fields(self) -> tuple[AccountField, ...]:
        return ACCOUNT_FIELDS[self.marketplace]

    def _stored_credentials(self) -> dict[str, Any]:
        return dict(self.instance.credentials or {}) if self.instance is not None else {}

    def _add_account_fields(self) -> None:
        stored = self._stored_credentials()
        options = dict(self.instance.options or {}) if self.instance is not None else {}
        for spec in self.account_fields:
            if spec.secret:
                kept = bool(stored.get(spec.key))
                help_text = spec.help_text
                field = forms.CharField(
                    label=spec.label, required=spec.required and not kept, strip=True, max_length=4000,
                    help_text=help_text,
                    # render_value=False: the stored secret never reaches the browser, not even on a form error.
                    widget=forms.PasswordInput(render_value=False, attrs={"class": "input", "autocomplete": "new-password"}),
                )
                field.is_stored = kept
            elif spec.integer:
                field = forms.IntegerField(label=spec.label, required=spec.required, min_value=1, help_text=spec.help_text,
                                           widget=forms.NumberInput(attrs={"class": "input"}))
                field.initial = options.get(spec.key)
            else:
                field = forms.CharField(label=spec.label, required=spec.required, help_text=spec.help_text,
                                        widget=forms.TextInput(attrs={"class": "input"}))
                field.initial = options.get(spec.key, "")
            field.is_secret = spec.secret
            self.fields[spec.key] = field
        if self.marketplace == Marketplace.ALIEXPRESS:
            self.fields["scheme"] = forms.ChoiceField(
                label=_("Logistics model"), choices=AE_LOGISTICS_CHOICES, initial=options.get("scheme") or "fbs",
                help_text=_("How your AliExpress orders are delivered; an order that names its model itself wins."),
                widget=forms.Select(attrs={"class": "input"}),
            )
        if self.marketplace in WEBHOOK_NETWORK_KEYWORD:
            self.fields["webhook_only_from_marketplace"] = forms.BooleanField(
                label=_("Accept notifications only from the marketplace's documented addresses"), required=False,
                initial=bool(options.get(WEBHOOK_ALLOWED_IPS)),
                help_text=_("The marketplace signs nothing; its documented source networks are the only check. Turn "
                            "it off only when a proxy in front of Okno hides the sender's address."),
            )

    def _add_family_fields(self) -> None:
        current = dict(self.instance.api_base_urls or {}) if self.instance is not None else {}
        for family, host in api_families(self.marketplace).items():
            self.fields[FAMILY_PREFIX + family] = forms.CharField(
                label=family, required=False, max_length=500, initial=current.get(family, ""),
                help_text=_("Default: %(host)s") % {"host": host},
                widget=forms.URLInput(attrs={"class": "input", "placeholder": host}),
            )

    def account_bound_fields(self) -> list[forms.BoundField]:
        names = [spec.key for spec in self.account_fields]
        names += [name for name in ("scheme",) if name in self.fields]
        return [self[name] for name in names]

    def family_bound_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(FAMILY_PREFIX)]

    def poll_bound_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in POLL_FIELDS]

    # --- validation --------------------------------------------------------------------------------------------
    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        taken = Connection.objects.filter(name=name)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("A connection with this name already exists."))
        return name

    def clean_base_url(self) -> str:
        return _http_url(self.cleaned_data.get("base_url", ""))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for name in list(cleaned):
            if name.startswith(FAMILY_PREFIX):
                try:
                    cleaned[name] = _http_url(cleaned[name])
                except forms.ValidationError as exc:
                    self.add_error(name, exc)
        return cleaned

    # --- saving ------------------------------------------------------------------------------------------------
    def save(self) -> Connection:
        data = self.cleaned_data
        connection = self.instance or Connection(marketplace=self.marketplace)
        connection.name = data["name"]
        connection.base_url = data["base_url"]
        for name in POLL_FIELDS:
            setattr(connection, name, data[name])
        credentials = self._stored_credentials()
        options = dict(connection.options or {})
        for spec in self.account_fields:
            value = data.get(spec.key)
            if spec.secret:
                if value:  # blank keeps what is stored
                    credentials[spec.key] = value
            elif value in (None, ""):
                options.pop(spec.key, None)
            else:
                options[spec.key] = value
        if "scheme" in data:
            options["scheme"] = data["scheme"]
        if "webhook_only_from_marketplace" in data:
            if not data["webhook_only_from_marketplace"]:
                options.pop(WEBHOOK_ALLOWED_IPS, None)
            elif not options.get(WEBHOOK_ALLOWED_IPS):  # a custom list set through the API stays as it is
                options[WEBHOOK_ALLOWED_IPS] = WEBHOOK_NETWORK_KEYWORD[self.marketplace]
        families = dict(connection.api_base_urls or {})
        for family in api_families(self.marketplace):
            url = data.get(FAMILY_PREFIX + family)
            if url:
                families[family] = url
            else:
                families.pop(family, None)
        connection.credentials = credentials
        connection.options = options
        connection.api_base_urls = families
        connection.save()
        return connection


def _http_url(value: str) -> str:
    value = (value or "").strip().rstrip("/")
    if not value:
        return ""
    URLValidator(schemes=["http", "https"], message=_("Enter an http:// or https:// address."))(value)
    return value


class MarketplaceChoiceForm(forms.Form):
    marketplace = forms.ChoiceField(label=_("Marketplace"), choices=Marketplace.choices)


class WarehouseLinkForm(forms.Form):
    warehouse = forms.ModelChoiceField(label=_("Our warehouse"), queryset=Warehouse.objects.none(),
                                       widget=forms.Select(attrs={"class": "input"}))
    external_id = forms.CharField(label=_("Marketplace warehouse id"), max_length=64,
                                  widget=forms.TextInput(attrs={"class": "input"}))
    external_name = forms.CharField(label=_("Marketplace warehouse name"), max_length=200, required=False,
                                    widget=forms.TextInput(attrs={"class": "input"}))

    def __init__(self, connection: Connection, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.connection = connection
        # Built per request: the organization in scope decides which warehouses exist.
        self.fields["warehouse"].queryset = Warehouse.objects.filter(kind=WarehouseKind.OWN, is_active=True).order_by(
            "name"
        )

    def clean_external_id(self) -> str:
        value = self.cleaned_data["external_id"].strip()
        if WarehouseLink.objects.filter(connection=self.connection, external_id=value).exists():
            raise forms.ValidationError(_("This marketplace warehouse is already linked."))
        return value


class StockPolicyForm(forms.ModelForm):
    class Meta:
        model = ChannelStockPolicy
        fields = ["buffer", "share_percent", "stop_below", "frozen", "frozen_quantity"]
        help_texts = {
            "buffer": _("Units kept back from this marketplace."),
            "share_percent": _("Share of the rest offered here, 0–100."),
            "stop_below": _("Offer nothing while fewer units are available."),
            "frozen": _("Stop changing the quantity on this marketplace."),
            "frozen_quantity": _("What it shows while frozen (empty: 0)."),
        }
        widgets = {
            name: forms.NumberInput(attrs={"class": "input"})
            for name in ("buffer", "share_percent", "stop_below", "frozen_quantity")
        }

    def clean_share_percent(self) -> int:
        value = self.cleaned_data["share_percent"]
        if value > 100:
            raise forms.ValidationError(_("A share cannot exceed 100%."))
        return value
