import base64
import io

from django.utils import translation
from pypdf import PdfReader

from orders.choices import DocumentKind
from orders.documents.pick_list import pick_lines, render_pick_list, route_keys
from orders.models import Document
from tests.factories import KitComponentFactory, VariantFactory
from tests.fulfilment.builders import batch_of, bin_at, connection_for, order_of, stored_variant

# A 1×1 PNG: the smallest real photo.
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def _route(locations):
    keys = route_keys(locations)
    return [loc.code for loc in sorted(locations, key=lambda loc: keys[loc.pk])]


def test_bins_are_walked_in_an_s_shape_up_odd_aisles_and_down_even_ones(in_org, warehouse):
    bins = [bin_at(warehouse, f"{aisle}-{rack}", aisle=str(aisle), rack=str(rack), shelf="1")
            for aisle in (3, 1, 2) for rack in (2, 10, 1)]

    assert _route(bins) == ["1-1", "1-2", "1-10", "2-10", "2-2", "2-1", "3-1", "3-2", "3-10"]


def test_within_a_rack_shelves_follow_the_aisle_direction(in_org, warehouse):
    bins = [bin_at(warehouse, f"{aisle}-1-{shelf}", aisle=str(aisle), rack="1", shelf=str(shelf))
            for aisle in (1, 2) for shelf in (1, 2)]

    assert _route(bins) == ["1-1-1", "1-1-2", "2-1-2", "2-1-1"]


def test_a_walking_order_set_on_the_bins_wins_over_the_aisle_layout(in_org, warehouse):
    bins = [
        bin_at(warehouse, "A-1", aisle="1", rack="1", walk_order=30),
        bin_at(warehouse, "B-9", aisle="2", rack="9", walk_order=10),
        bin_at(warehouse, "C-5", aisle="1", rack="5", walk_order=20),
        bin_at(warehouse, "D-1", aisle="1", rack="2"),  # no walking order: after the ones that have it
    ]

    assert _route(bins) == ["B-9", "C-5", "A-1", "D-1"]


def test_lines_of_several_orders_are_added_up_per_variant(in_org, warehouse):
    connection = connection_for(in_org)
    shirt = stored_variant(warehouse, "SHIRT-M", bin_at(warehouse, "1-1", aisle="1", rack="1"))
    mug = stored_variant(warehouse, "MUG", bin_at(warehouse, "1-2", aisle="1", rack="2"))
    first = order_of(connection, warehouse, (shirt, 2), (mug, 1))
    second = order_of(connection, warehouse, (shirt, 3))

    lines = pick_lines(batch_of(first, second))

    assert [(line.sku, line.quantity, sorted(line.orders)) for line in lines] == [
        ("SHIRT-M", 5, sorted([first.number, second.number])),
        ("MUG", 1, [first.number]),
    ]


def test_an_order_moved_to_another_batch_is_picked_there_only(in_org, warehouse):
    from orders import batches

    connection = connection_for(in_org)
    shirt = stored_variant(warehouse, "SHIRT")
    mug = stored_variant(warehouse, "MUG")
    moved = order_of(connection, warehouse, (shirt, 1))
    first = batch_of(moved, order_of(connection, warehouse, (mug, 1)))
    batches.remove_orders(first, [moved])

    second = batch_of(moved)

    assert [line.sku for line in pick_lines(first)] == ["MUG"]
    assert [line.sku for line in pick_lines(second)] == ["SHIRT"]


def test_a_kit_is_picked_as_its_components(in_org, warehouse):
    connection = connection_for(in_org)
    cup = stored_variant(warehouse, "CUP", bin_at(warehouse, "1-1", aisle="1", rack="1"))
    saucer = stored_variant(warehouse, "SAUCER", bin_at(warehouse, "1-2", aisle="1", rack="2"))
    kit = VariantFactory(organization=in_org, sku="TEA-SET", is_kit=True)
    KitComponentFactory(organization=in_org, kit=kit, component=cup, quantity=2)
    KitComponentFactory(organization=in_org, kit=kit, component=saucer, quantity=2)

    lines = pick_lines(batch_of(order_of(connection, warehouse, (kit, 3), (cup, 1))))

    assert [(line.sku, line.quantity) for line in lines] == [("CUP", 7), ("SAUCER", 6)]


def test_pick_list_pdf_lists_skus_in_route_order_with_cyrillic_names(in_org, warehouse):
    connection = connection_for(in_org)
    far = stored_variant(warehouse, "SKU-FAR", bin_at(warehouse, "2-05", aisle="2", rack="1"), title="Кружка белая")
    near = stored_variant(warehouse, "SKU-NEAR", bin_at(warehouse, "1-07", aisle="1", rack="7"),
                          title="Футболка чёрная", ean="4601234567893")
    middle = stored_variant(warehouse, "SKU-MID", bin_at(warehouse, "2-09", aisle="2", rack="9"), title="Носки")
    batch = batch_of(order_of(connection, warehouse, (far, 1), (middle, 2)), order_of(connection, warehouse, (near, 4)))

    document = render_pick_list(batch)

    text = "".join(page.extract_text() for page in PdfReader(document.file.path).pages)
    positions = [text.index(sku) for sku in ("SKU-NEAR", "SKU-MID", "SKU-FAR")]
    assert positions == sorted(positions)
    assert "Футболка чёрная" in text and "Кружка белая" in text
    fonts = {str(font.get_object()["/BaseFont"]) for page in PdfReader(document.file.path).pages
             for font in page["/Resources"]["/Font"].values()}
    assert any(name.endswith("+DejaVu-Sans") for name in fonts)  # the embedded font carries Cyrillic glyphs
    assert f"#{batch.number}" in text or str(batch.number) in text


def test_the_pick_list_is_kept_as_a_document_with_its_page_count(in_org, warehouse):
    connection = connection_for(in_org)
    variants = [stored_variant(warehouse, f"SKU-{n:03d}", bin_at(warehouse, f"B{n}", aisle="1", rack=str(n)))
                for n in range(60)]
    batch = batch_of(*[order_of(connection, warehouse, (variant, 1)) for variant in variants])

    with translation.override("ru"):
        document = render_pick_list(batch)

    stored = Document.objects.get(pk=document.pk)
    assert stored.kind == DocumentKind.PICK_LIST and stored.batch == batch
    assert stored.pages == len(PdfReader(stored.file.path).pages) > 1
    assert "Страница 1 из" in PdfReader(stored.file.path).pages[0].extract_text()


def test_a_local_product_photo_is_printed_and_an_internet_one_is_never_fetched(in_org, warehouse, media_root):
    (media_root / "products").mkdir(parents=True)
    (media_root / "products" / "shirt.png").write_bytes(PIXEL)
    connection = connection_for(in_org)
    local = stored_variant(warehouse, "LOCAL", images=["/media/products/shirt.png"])
    remote = stored_variant(warehouse, "REMOTE", images=["http://192.0.2.1/never.png"])

    document = render_pick_list(batch_of(order_of(connection, warehouse, (local, 1), (remote, 1))))

    reader = PdfReader(io.BytesIO(document.file.read()))
    assert sum(len(page.images) for page in reader.pages) == 1
