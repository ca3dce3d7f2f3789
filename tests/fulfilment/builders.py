"""Small builders for fulfilment tests: a variant stored in a bin, an order of variants, a batch of orders."""

from __future__ import annotations

from decimal import Decimal

from inventory.models import StockLevel
from orders import batches
from tests.factories import (
    BarcodeFactory,
    ConnectionFactory,
    LocationFactory,
    OrderFactory,
    OrderLineFactory,
    VariantFactory,
)


def bin_at(warehouse, code: str, *, aisle: str = "", rack: str = "", shelf: str = "", zone: str = "A",
           walk_order: int = 0):
    return LocationFactory(organization=warehouse.organization, warehouse=warehouse, code=code, zone=zone,
                           aisle=aisle, rack=rack, shelf=shelf, walk_order=walk_order)


def stored_variant(warehouse, sku: str, location=None, *, title: str = "", ean: str = "", images=None):
    """A variant whose main bin in ``warehouse`` is ``location`` (zero stock: the ledger stays consistent)."""
    variant = VariantFactory(organization=warehouse.organization, sku=sku,
                             product__title=title or f"Товар {sku}", product__images=images or [])
    if ean:
        BarcodeFactory(organization=warehouse.organization, variant=variant, value=ean)
    StockLevel.all_tenants.create(organization=warehouse.organization, variant=variant, warehouse=warehouse,
                                  location=location)
    return variant


def order_of(connection, warehouse, *lines, **fields):
    """An open FBS order with (variant, quantity) lines."""
    order = OrderFactory(organization=connection.organization, connection=connection, warehouse=warehouse, **fields)
    for variant, quantity in lines:
        OrderLineFactory(organization=connection.organization, order=order, variant=variant, sku=variant.sku,
                         name=variant.product.title, quantity=quantity, price=Decimal("100.00"),
                         total=Decimal("100.00") * quantity)
    return order


def batch_of(*orders, **kwargs):
    return batches.create_batch(orders, **kwargs)


def connection_for(organization, marketplace: str = "wb", **fields):
    return ConnectionFactory(organization=organization, marketplace=marketplace, **fields)
