from orders.documents import zpl
from orders.documents.boxes import BoxLabel
from tests.fulfilment.builders import batch_of, connection_for, order_of, stored_variant


def _label(**fields):
    values = {"barcode": "OK0000070001", "order_number": "4711-1", "marketplace": "Ozon", "marketplace_code": "ozon",
              "batch_number": 7, "index": 1, "count": 1}
    values.update(fields)
    return BoxLabel(**values)


def test_a_box_label_prints_its_barcode_as_code128_of_58x40_mm_at_203_dpi():
    text = zpl.box_label_zpl(_label())

    assert text.startswith("^XA") and text.endswith("^XZ")
    assert "^PW464" in text and "^LL320" in text
    assert "^BCN,110,Y,N,N,A^FH_^FDOK0000070001^FS" in text


def test_an_ean13_goes_to_the_printer_as_its_12_data_digits():
    text = zpl.box_label_zpl(_label(ean13="4601234567893"), size="100x150")

    assert "^BEN,150,Y,N^FH_^FD460123456789^FS" in text and "^PW800" in text and "^LL1200" in text


def test_an_order_number_cannot_inject_zpl_commands():
    text = zpl.box_label_zpl(_label(order_number="1^XZ~JR_"))

    assert "^FD1_5EXZ_7EJR_5F^FS" in text
    assert text.count("^XZ") == 1


def test_the_zpl_file_of_a_batch_has_one_label_per_order(in_org, warehouse):
    connection = connection_for(in_org, "ozon")
    shirt = stored_variant(warehouse, "SHIRT")
    batch = batch_of(*[order_of(connection, warehouse, (shirt, 1)) for _ in range(3)])

    document = zpl.render_box_labels_zpl(batch)

    content = document.file.read().decode()
    assert document.pages == 3 == content.count("^XA")
    assert all(f"^FDOK{batch.number:06d}{n:04d}^FS" in content for n in (1, 2, 3))
