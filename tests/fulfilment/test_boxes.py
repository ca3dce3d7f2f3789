from pypdf import PdfReader

from orders.documents.boxes import create_boxes, render_box_labels, render_packing_slips
from tests.fulfilment.builders import batch_of, connection_for, order_of, stored_variant

MM = 72 / 25.4


def _size_mm(page):
    return round(float(page.mediabox.width) / MM), round(float(page.mediabox.height) / MM)


def test_every_order_gets_one_box_with_a_barcode_unique_in_the_organization(in_org, warehouse):
    connection = connection_for(in_org)
    shirt = stored_variant(warehouse, "SHIRT")
    batch = batch_of(order_of(connection, warehouse, (shirt, 1)), order_of(connection, warehouse, (shirt, 2)))

    boxes = create_boxes(batch)
    again = create_boxes(batch)

    assert [b.barcode for b in boxes] == [f"OK{batch.number:06d}0001", f"OK{batch.number:06d}0002"]
    assert [b.pk for b in again] == [b.pk for b in boxes]


def test_box_labels_are_one_58x40_page_per_box(in_org, warehouse):
    connection = connection_for(in_org)
    shirt = stored_variant(warehouse, "SHIRT")
    batch = batch_of(*[order_of(connection, warehouse, (shirt, 1)) for _ in range(3)])

    document = render_box_labels(batch)

    pages = PdfReader(document.file.path).pages
    assert document.pages == len(pages) == 3
    assert {_size_mm(page) for page in pages} == {(58, 40)}


def test_a_box_holding_one_product_carries_its_ean13_and_a_mixed_box_does_not(in_org, warehouse):
    connection = connection_for(in_org)
    shirt = stored_variant(warehouse, "SHIRT", ean="4601234567893")
    mug = stored_variant(warehouse, "MUG", ean="4006381333931")
    batch = batch_of(order_of(connection, warehouse, (shirt, 2)), order_of(connection, warehouse, (shirt, 1), (mug, 1)))

    document = render_box_labels(batch, size="100x150")

    first, second = (page.extract_text() for page in PdfReader(document.file.path).pages)
    assert "4601234567893" in first
    assert "4601234567893" not in second and "4006381333931" not in second
    assert _size_mm(PdfReader(document.file.path).pages[0]) == (100, 150)


def test_packing_slips_have_a_page_per_order_with_its_lines(in_org, warehouse):
    connection = connection_for(in_org)
    shirt = stored_variant(warehouse, "SHIRT", title="Футболка чёрная")
    orders = [order_of(connection, warehouse, (shirt, n), buyer_name="Иванова Мария") for n in (1, 2)]
    batch = batch_of(*orders)

    document = render_packing_slips(batch)

    pages = PdfReader(document.file.path).pages
    assert document.pages == 2
    assert all(order.number in page.extract_text() for order, page in zip(orders, pages, strict=True))
    assert "Иванова Мария" in pages[0].extract_text() and "Футболка чёрная" in pages[1].extract_text()
