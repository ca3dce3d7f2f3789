"""The durable side of real-time stock sync: which listings must be pushed.

Inside the same transaction as a ledger change, every listing of the changed variants — and of every kit built
from them — on every connection is stamped ``stock_dirty_at``. The stamp is the outbox: if a worker dies, the
next dispatcher run still finds it. After commit, ``stock_changed`` tells the dispatcher which connections to wake.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models.functions import Now

from catalog.choices import StockSyncState
from catalog.models import Listing
from inventory.availability import kits_using


def mark_listings_dirty(variant_ids: Iterable[int]) -> set[int]:
    """Stamp the listings whose offered quantity may have changed; returns the connections to wake."""
    variant_ids = set(variant_ids)
    if not variant_ids:
        return set()
    affected = variant_ids | kits_using(variant_ids)
    listings = Listing.objects.filter(variant_id__in=affected)
    connection_ids = set(listings.values_list("connection_id", flat=True).distinct())
    if connection_ids:
        listings.update(stock_dirty_at=Now(), sync_state=StockSyncState.PENDING)
    return connection_ids
