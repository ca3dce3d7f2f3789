"""Database helpers shared by the apps' services."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, transaction

T = TypeVar("T")


def atomic_upsert(work: Callable[[], T], attempts: int = 3) -> T:
    """Run ``work`` in a transaction, again when a concurrent twin inserted the same unique row first.

    Idempotent ingest (orders, returns) looks the row up under a lock and creates it when missing; two deliveries
    of the same object can both miss it, and the loser's insert fails on the unique constraint. The retry then finds
    the winner's row and locks it.
    """
    for attempt in range(attempts):
        try:
            with transaction.atomic():
                return work()
        except IntegrityError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")
