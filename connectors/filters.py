import django_filters
from django.utils.translation import gettext_lazy as _

from connectors.choices import ConnectionStatus, Marketplace
from connectors.models import Connection


class ConnectionFilterSet(django_filters.FilterSet):
    marketplace = django_filters.ChoiceFilter(choices=Marketplace.choices, label=_("Marketplace"))
    status = django_filters.ChoiceFilter(choices=ConnectionStatus.choices, label=_("Status"))
    enabled = django_filters.BooleanFilter(label=_("Enabled"))

    class Meta:
        model = Connection
        fields = ["marketplace", "status", "enabled"]
