"""Reservations race for the last units on real PostgreSQL: exactly the available number succeed."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connections

from inventory import services
from inventory.models import StockLevel
from inventory.services import StockLine
from oms.tenancy import organization_scope
from tests.factories import OrganizationFactory, VariantFactory, WarehouseFactory


def race(organization, warehouse, lines_per_thread, threads: int) -> list[bool]:
    barrier = threading.Barrier(threads)
    results: list[bool] = [False] * threads

    def worker(index: int) -> None:
        try:
            with organization_scope(organization):
                barrier.wait()
                results[index] = services.reserve(
                    warehouse=warehouse, lines=lines_per_thread(index), key_prefix=f"order:{index}"
                ).ok
        finally:
            connections.close_all()

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=60)
    close_old_connections()
    return results


@pytest.mark.django_db(transaction=True)
def test_fifty_buyers_competing_for_ten_units_get_exactly_ten_reservations():
    org = OrganizationFactory()
    warehouse = WarehouseFactory(organization=org)
    variant = VariantFactory(organization=org)
    with organization_scope(org):
        services.receive(variant=variant, warehouse=warehouse, quantity=10)

    results = race(org, warehouse, lambda i: [StockLine(variant.pk, 1)], threads=50)

    assert sum(results) == 10
    with organization_scope(org):
        row = StockLevel.objects.get(variant=variant, warehouse=warehouse)
    assert (row.on_hand, row.reserved, row.available) == (10, 10, 0)


@pytest.mark.django_db(transaction=True)
def test_multi_line_orders_racing_in_opposite_order_neither_deadlock_nor_oversell():
    org = OrganizationFactory()
    warehouse = WarehouseFactory(organization=org)
    first, second = VariantFactory(organization=org), VariantFactory(organization=org)
    with organization_scope(org):
        services.receive(variant=first, warehouse=warehouse, quantity=5)
        services.receive(variant=second, warehouse=warehouse, quantity=5)

    def lines(index):
        pair = [StockLine(first.pk, 1), StockLine(second.pk, 1)]
        return pair if index % 2 else list(reversed(pair))

    results = race(org, warehouse, lines, threads=20)

    assert sum(results) == 5
    with organization_scope(org):
        assert sorted(StockLevel.objects.values_list("reserved", flat=True)) == [5, 5]
