from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConnectorsConfig(AppConfig):
    name = "connectors"
    verbose_name = _("Marketplace connections")

    def ready(self) -> None:
        from connectors import signals  # noqa: F401 - registers the stock_changed receiver
