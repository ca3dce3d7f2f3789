"""Wake the push dispatcher when stock changes (after the ledger transaction committed)."""

import logging

from django.conf import settings
from django.dispatch import receiver

from inventory.signals import stock_changed

logger = logging.getLogger(__name__)


@receiver(stock_changed)
def wake_push_dispatcher(sender, *, organization_id: int, connection_ids=frozenset(), **kwargs) -> None:
    if not getattr(settings, "OKNO_PUSH_ON_COMMIT", True):
        return
    from connectors.tasks import request_push

    for connection_id in connection_ids:
        try:
            request_push(connection_id, organization_id)
        except Exception:  # the stock change is committed and stamped; the periodic sweep pushes it
            logger.exception("could not wake the push dispatcher for connection %s", connection_id)
