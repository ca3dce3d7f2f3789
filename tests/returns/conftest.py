"""A seller with one order shipped from its warehouse and a way to hand Okno returns as a connector would."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import Listing, Variant
from connectors.choices import Marketplace
from connectors.dto import ReturnDTO, ReturnLineDTO
from connectors.models import Connection
from inventory import services as stock
from inventory.models import Location, Warehouse
from oms.tenancy import organization_scope
from orders.choices import OrderStatus, StockState
from orders.models import Order
from returns.models import Return
from returns.services import ingest_return
from tests.connectors.conftest import control, sandbox, sandbox_server  # noqa: F401 - shared sandbox fixtures
from tests.factories import (
    BarcodeFactory,
    ConnectionFactory,
    ListingFactory,
    LocationFactory,
    OrderFactory,
    OrderLineFactory,
    VariantFactory,
    WarehouseFactory,
)
from tests.sync.conftest import market  # noqa: F401 - the seller on all four sandbox marketplaces

_ids = itertools.count(1)


@dataclass
class Desk:
    """One organization's returns desk: a connection, a warehouse with a bin, a variant sold and shipped."""

    org: object
    connection: Connection
    warehouse: Warehouse
    location: Location
    variant: Variant
    listing: Listing
    barcode: str
    order: Order

    def dto(self, **fields) -> ReturnDTO:
        """What a connector hands over for a return of this desk's order (override any field)."""
        values = {
            "external_id": f"R-{self.org.slug}-{next(_ids)}",
            "order_external_id": self.order.external_id,
            "scheme": "fbs",
            "marketplace_status": "MovingToSeller",
            "status": "in_transit",
            "kind": "return",
            "reason": "Не подошёл размер",
            "reason_code": "size",
            "lines": (ReturnLineDTO(offer_id=self.listing.offer_id, quantity=1, price=Decimal("990.00")),),
            "created_at": timezone.now() - timedelta(days=1),
            "amount": Decimal("990.00"),
        }
        values.update(fields)
        return ReturnDTO(**values)

    def ingest(self, **fields) -> Return:
        dto = self.dto(**fields)
        with organization_scope(self.org):
            ingest_return(self.connection, dto)
            return Return.objects.get(connection=self.connection, external_id=dto.external_id)


def build_desk(organization, tag: str, marketplace: str = Marketplace.OZON) -> Desk:
    connection = ConnectionFactory(organization=organization, marketplace=marketplace, name=f"{tag} shop")
    warehouse = WarehouseFactory(organization=organization, name=f"{tag} warehouse", code=f"{tag}-WH")
    location = LocationFactory(organization=organization, warehouse=warehouse, code=f"{tag}-R-01")
    variant = VariantFactory(organization=organization, sku=f"{tag}-TSHIRT-M", product__title=f"{tag} T-shirt")
    barcode = BarcodeFactory(organization=organization, variant=variant, value=f"{tag}4600000000017").value
    listing = ListingFactory(organization=organization, variant=variant, connection=connection, offer_id=f"{tag}-OFFER")
    order = OrderFactory(organization=organization, connection=connection, external_id=f"{tag}-0001-1",
                         number=f"{tag}-0001", warehouse=warehouse, status=OrderStatus.DELIVERED,
                         stock_state=StockState.SHIPPED, shipped_at=timezone.now() - timedelta(days=5))
    OrderLineFactory(organization=organization, order=order, variant=variant, offer_id=listing.offer_id, quantity=1)
    with organization_scope(organization):
        stock.receive(variant=variant, warehouse=warehouse, quantity=4)
    return Desk(organization, connection, warehouse, location, variant, listing, barcode, order)


@pytest.fixture
def desk(org) -> Desk:
    return build_desk(org, "Alpha")


@pytest.fixture
def other_desk(other_org) -> Desk:
    return build_desk(other_org, "Beta")
