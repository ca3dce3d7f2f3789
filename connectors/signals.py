"""Wake the push dispatcher when stock changes (after the ledger transaction committed)."""

from django.conf import settings
from django.dispatch import receiver

from inventory.signals import stock_changed


@receiver(stock_changed)
def wake_push_dispatcher(sender, *, organization_id: int, connection_ids=frozenset(), **kwargs) -> None:
    if not getattr(settings, "OKNO_PUSH_ON_COMMIT", True):
        return
    from connectors.tasks import request_push

    for connection_id in connection_ids:
        request_push(connection_id, organization_id)
