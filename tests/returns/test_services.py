"""A return's life at the seller's desk: scan to receive, inspect, restock through the ledger or write off."""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalog.models import Listing
from connectors.dto import ReturnLineDTO
from inventory.choices import MovementKind
from inventory.models import StockLevel, StockMovement
from returns.models import Return
from returns.services import (
    AmbiguousScan,
    ReturnActionError,
    inspect,
    mark_received,
    restock,
    write_off,
)
from tests.factories import KitComponentFactory, ListingFactory, LocationFactory, VariantFactory, WarehouseFactory


def on_hand(desk, variant=None) -> int:
    return StockLevel.objects.get(variant=variant or desk.variant, warehouse=desk.warehouse).on_hand


@pytest.mark.parametrize("code", ["order number", "return id", "barcode", "sku"])
def test_a_scan_finds_the_return_awaiting_receipt(desk, in_org, owner, code):
    ret = desk.ingest()
    scanned = {"order number": desk.order.number, "return id": ret.external_id, "barcode": desk.barcode,
               "sku": desk.variant.sku}[code]

    received = mark_received(None, owner, barcode=f"  {scanned}\n")

    assert received.pk == ret.pk
    ret.refresh_from_db()
    assert (ret.status, ret.handled_by) == ("received", owner)
    assert ret.received_at is not None


def test_a_scan_matching_several_returns_by_item_asks_which(desk, in_org, owner):
    desk.ingest()
    desk.ingest()

    with pytest.raises(AmbiguousScan) as refused:
        mark_received(None, owner, barcode=desk.barcode)

    assert len(refused.value.candidates) == 2
    assert not Return.objects.filter(status="received").exists()


def test_a_scan_of_an_unknown_code_is_refused_with_the_code(desk, in_org, owner):
    desk.ingest()

    with pytest.raises(ReturnActionError, match="0000-NOPE"):
        mark_received(None, owner, barcode="0000-NOPE")


def test_a_return_is_received_only_once(desk, in_org, owner):
    ret = desk.ingest()
    mark_received(ret, owner)

    with pytest.raises(ReturnActionError):
        mark_received(ret, owner)


@pytest.mark.parametrize("fields", [{"kind": "cancellation"}, {"scheme": "fbo"}])
def test_cancellations_and_fbo_returns_never_reach_the_sellers_desk(desk, in_org, owner, fields):
    ret = desk.ingest(**fields)

    with pytest.raises(ReturnActionError):
        mark_received(ret, owner)


def test_inspection_needs_the_parcel_received_first(desk, in_org, owner):
    ret = desk.ingest()

    with pytest.raises(ReturnActionError):
        inspect(ret, owner, "ok")


def test_inspection_records_outcome_and_note_in_the_returns_history(desk, in_org, owner):
    ret = desk.ingest()
    mark_received(ret, owner)

    inspect(ret, owner, "defect", "Шов разошёлся")

    ret.refresh_from_db()
    assert (ret.status, ret.inspection_outcome) == ("inspected", "defect")
    assert "Шов разошёлся" in ret.inspection_note
    assert ret.inspection_note.count("\n") == 1  # one line per action: received, inspected


def test_an_unknown_outcome_is_refused(desk, in_org, owner):
    ret = desk.ingest()
    mark_received(ret, owner)

    with pytest.raises(ReturnActionError):
        inspect(ret, owner, "looks fine")


def inspected(desk, owner, **fields) -> Return:
    ret = desk.ingest(**fields)
    mark_received(ret, owner)
    inspect(ret, owner, "ok")
    return ret


def test_restock_books_a_return_row_in_the_ledger_and_marks_every_listing_dirty(desk, in_org, owner):
    ret = inspected(desk, owner)
    Listing.objects.update(stock_dirty_at=None)

    restock(ret, owner, desk.warehouse, desk.location)

    movement = StockMovement.objects.get(kind=MovementKind.RETURN)
    assert (movement.on_hand_delta, movement.reference, movement.user) == (1, f"return:{ret.pk}", owner)
    assert desk.location.code in movement.reason
    assert on_hand(desk) == 5
    assert Listing.objects.get(pk=desk.listing.pk).stock_dirty_at is not None
    ret.refresh_from_db()
    assert (ret.status, ret.warehouse, ret.lines.get().restocked_quantity) == ("restocked", desk.warehouse, 1)
    assert ret.closed_at is not None


def test_a_second_restock_of_the_same_return_is_refused_and_books_nothing(desk, in_org, owner):
    ret = inspected(desk, owner)
    restock(ret, owner, desk.warehouse)

    with pytest.raises(ReturnActionError):
        restock(ret, owner, desk.warehouse)

    assert StockMovement.objects.filter(kind=MovementKind.RETURN).count() == 1
    assert on_hand(desk) == 5


def test_part_restocked_and_the_rest_written_off_closes_the_return(desk, in_org, owner):
    ret = inspected(desk, owner, lines=(ReturnLineDTO(offer_id=desk.listing.offer_id, quantity=3, price=Decimal("1")),))
    line = ret.lines.get()

    restock(ret, owner, desk.warehouse, lines={line.pk: 2})
    ret.refresh_from_db()
    assert ret.status == "inspected"
    write_off(ret, owner, "Порван")

    ret.refresh_from_db()
    line.refresh_from_db()
    assert (ret.status, line.restocked_quantity, line.written_off_quantity) == ("restocked", 2, 1)
    assert on_hand(desk) == 6


def test_writing_off_books_no_ledger_row(desk, in_org, owner):
    ret = inspected(desk, owner)

    write_off(ret, owner, "Брак")

    ret.refresh_from_db()
    assert ret.status == "written_off"
    assert not StockMovement.objects.filter(kind__in=[MovementKind.RETURN, MovementKind.WRITE_OFF]).exists()
    assert on_hand(desk) == 4


def test_more_units_than_returned_are_refused(desk, in_org, owner):
    ret = inspected(desk, owner)

    with pytest.raises(ReturnActionError):
        restock(ret, owner, desk.warehouse, lines={ret.lines.get().pk: 2})

    assert on_hand(desk) == 4


def test_a_bin_of_another_warehouse_is_refused(desk, in_org, owner):
    ret = inspected(desk, owner)
    elsewhere = LocationFactory(organization=desk.org, warehouse=WarehouseFactory(organization=desk.org))

    with pytest.raises(ReturnActionError):
        restock(ret, owner, desk.warehouse, elsewhere)


def test_a_returned_kit_goes_back_on_the_shelf_as_its_components(desk, in_org, owner):
    kit = VariantFactory(organization=desk.org, sku="KIT-2", is_kit=True)
    KitComponentFactory(organization=desk.org, kit=kit, component=desk.variant, quantity=2)
    ListingFactory(organization=desk.org, variant=kit, connection=desk.connection, offer_id="KIT-OFFER")
    ret = inspected(desk, owner, lines=(ReturnLineDTO(offer_id="KIT-OFFER", quantity=1),))

    restock(ret, owner, desk.warehouse)

    assert on_hand(desk) == 6


def test_an_unmatched_item_cannot_be_restocked_but_can_be_written_off(desk, in_org, owner):
    ret = inspected(desk, owner, lines=(ReturnLineDTO(offer_id="UNKNOWN-OFFER", quantity=1),))

    with pytest.raises(ReturnActionError):
        restock(ret, owner, desk.warehouse)
    write_off(ret, owner, "Чужой товар")

    ret.refresh_from_db()
    assert ret.status == "written_off"
