"""Marketplace labels through the connectors (the sandbox over real HTTP), merged into one print-ready file."""

import pytest
from pypdf import PdfReader

from orders import batches
from orders.documents.common import DocumentError
from orders.documents.labels import fetch_labels, parse_format
from orders.models import BatchItem
from tests.fulfilment.shops import MARKETPLACES, open_shop

MM = 72 / 25.4


def page_sizes_mm(document):
    return [(float(p.mediabox.width) / MM, float(p.mediabox.height) / MM)
            for p in PdfReader(document.file.path).pages]


def handed_over(*orders):
    batch = batches.create_batch(orders)
    batches.start_picking(batch)
    batches.mark_packed(batch)
    batches.hand_over(batch)
    return batch


@pytest.mark.parametrize("marketplace", MARKETPLACES)
def test_labels_merge_into_one_pdf_with_a_58x40_page_per_order(marketplace, in_org, warehouse, sandbox, control):
    shop = open_shop(marketplace, control, sandbox, in_org, warehouse)
    batch = handed_over(shop.order(), shop.order("MUG-WHT"), shop.order())

    result = fetch_labels(batch, size=(58, 40))

    assert not result.failed
    sizes = page_sizes_mm(result.document)
    assert len(sizes) == result.document.pages == 3
    assert all(abs(w - 58) < 0.5 and abs(h - 40) < 0.5 for w, h in sizes)


def test_wb_stickers_print_before_handover_in_wbs_own_58x40_size(in_org, warehouse, sandbox, control):
    shop = open_shop("wb", control, sandbox, in_org, warehouse)
    batch = batches.start_picking(batches.create_batch([shop.order(), shop.order()]))

    result = fetch_labels(batch)  # WB prints stickers only for tasks in a supply: they are confirmed first

    assert result.format.code == "pdf_58x40" and result.document.pages == 2
    assert all(abs(w - 58) < 0.5 and abs(h - 40) < 0.5 for w, h in page_sizes_mm(result.document))


def test_without_a_size_the_marketplaces_own_label_size_is_kept(in_org, warehouse, sandbox, control):
    shop = open_shop("ozon", control, sandbox, in_org, warehouse)
    batch = handed_over(shop.order())

    result = fetch_labels(batch)

    (width, height), = page_sizes_mm(result.document)
    assert (round(width), round(height)) == tuple(round(v) for v in result.size_mm) != (58, 40)


def test_a_refused_label_is_kept_on_its_order_and_the_others_print(in_org, warehouse, sandbox, control):
    shop = open_shop("yandex_market", control, sandbox, in_org, warehouse)
    orders = [shop.order(), shop.order(), shop.order(), shop.order()]
    shop.buyer_cancels(orders[2])
    batch = batches.create_batch(orders)

    result = fetch_labels(batch, size=(58, 40))

    assert result.document.pages == 3
    assert [item.order_id for item in result.failed] == [orders[2].pk]
    refused = BatchItem.objects.get(batch=batch, order=orders[2])
    assert "cancelled" in refused.label_error
    assert set(BatchItem.objects.filter(batch=batch, label_error="").values_list("order_id", flat=True)) == {
        orders[0].pk, orders[1].pk, orders[3].pk}


def test_ozon_labels_before_assembly_are_refused_with_ozons_message(in_org, warehouse, sandbox, control):
    shop = open_shop("ozon", control, sandbox, in_org, warehouse)
    batch = batches.create_batch([shop.order()])

    result = fetch_labels(batch)

    assert result.document is None
    assert "aren't ready" in BatchItem.objects.get(batch=batch).label_error


def test_wb_zpl_stickers_come_as_one_zpl_file(in_org, warehouse, sandbox, control):
    shop = open_shop("wb", control, sandbox, in_org, warehouse)
    batch = batches.create_batch([shop.order(), shop.order()])

    result = fetch_labels(batch, output="zpl")

    content = result.document.file.read()
    assert result.format.kind == "zpl" and content.count(b"^XA") == result.document.pages == 2


def test_zpl_is_refused_where_the_marketplace_does_not_offer_it(in_org, warehouse, sandbox, control):
    shop = open_shop("ozon", control, sandbox, in_org, warehouse)
    batch = batches.create_batch([shop.order()])

    with pytest.raises(DocumentError):
        fetch_labels(batch, output="zpl")


@pytest.mark.parametrize(("code", "kind", "size"), [
    ("pdf", "pdf", None), ("png_40x30", "png", (40, 30)), ("zplv_58x40", "zpl", (58, 40)),
    ("pdf_a9_horizontally", "pdf", (58, 40)), ("pdf_a7", "pdf", (75, 120)),
])
def test_label_format_names_are_understood(code, kind, size):
    parsed = parse_format(code)

    assert (parsed.kind, parsed.size) == (kind, size)
