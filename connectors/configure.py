"""Changing a connection's setup from the connection pages: enable/disable, warehouse links, channel stock policy.

Each change that alters what the marketplace should show (a warehouse linked or unlinked, a policy edited, a
connection switched back on) stamps every listing of the connection dirty in the same transaction — the outbox the
push dispatcher reads — and wakes the dispatcher after commit, exactly like a ledger change does.

Preconditions: the connection's organization is in scope; objects were fetched through scoped managers.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.functions import Now

from catalog.choices import StockSyncState
from catalog.models import Listing
from connectors.models import Connection, WarehouseLink
from inventory.models import ChannelStockPolicy, Warehouse

logger = logging.getLogger(__name__)

POLICY_FIELDS = ("buffer", "share_percent", "stop_below", "frozen", "frozen_quantity")


def restamp_listings(connection: Connection) -> int:
    """Mark every listing of the connection for a push and wake the dispatcher once the transaction commits."""
    count = Listing.objects.filter(connection=connection).update(
        stock_dirty_at=Now(), sync_state=StockSyncState.PENDING
    )
    if count and connection.enabled:
        transaction.on_commit(lambda: _wake(connection))
    return count


def _wake(connection: Connection) -> None:
    from connectors.tasks import request_push

    try:
        request_push(connection.pk, connection.organization_id)
    except Exception:  # the stamps are committed; the periodic sweep pushes them
        logger.exception("could not wake the push dispatcher for connection %s", connection.pk)


@transaction.atomic
def set_enabled(connection: Connection, enabled: bool) -> None:
    Connection.objects.filter(pk=connection.pk).update(enabled=enabled)
    connection.enabled = enabled
    if enabled:
        # While off, nothing was pushed: the marketplace may show stale quantities.
        restamp_listings(connection)


@transaction.atomic
def link_warehouse(connection: Connection, warehouse: Warehouse, external_id: str, external_name: str = ""
                   ) -> WarehouseLink:
    link = WarehouseLink.objects.create(
        connection=connection, warehouse=warehouse, external_id=external_id.strip(), external_name=external_name.strip()
    )
    restamp_listings(connection)
    return link


@transaction.atomic
def unlink_warehouse(link: WarehouseLink) -> None:
    connection = link.connection
    link.delete()
    restamp_listings(connection)


@transaction.atomic
def set_stock_policy(connection: Connection, **values) -> ChannelStockPolicy:
    """The connection's default policy (per-product overrides stay as they are)."""
    values = {name: values[name] for name in POLICY_FIELDS if name in values}
    policy, _created = ChannelStockPolicy.objects.update_or_create(connection=connection, product=None, defaults=values)
    restamp_listings(connection)
    return policy
