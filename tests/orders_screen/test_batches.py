"""Pick batches from the orders screen: from the selection, grouped automatically, and the batch pages."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.choices import BatchStatus, OrderStatus
from orders.models import BatchItem, Document, PickBatch
from tests.orders_screen.conftest import moscow

pytestmark = pytest.mark.usefixtures("in_org")  # the test reads rows of the organization in scope


def test_a_batch_is_made_of_the_orders_selected_on_the_screen(logged_in, desk):
    first, second, left_out = desk.order(), desk.order(), desk.order()

    response = logged_in.post(reverse("orders:batch_create"), {"order": [first.pk, second.pk]})

    batch = PickBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("orders:batch_detail", args=[batch.pk])
    assert set(BatchItem.objects.filter(batch=batch).values_list("order_id", flat=True)) == {first.pk, second.pk}
    assert not BatchItem.objects.filter(order=left_out).exists()


def test_the_screen_shows_each_orders_batch(logged_in, desk):
    order = desk.order()
    logged_in.post(reverse("orders:batch_create"), {"order": [order.pk]})
    batch = PickBatch.objects.get()

    html = logged_in.get(reverse("orders:order_list")).content.decode()

    assert f'href="{reverse("orders:batch_detail", args=[batch.pk])}">#{batch.number}</a>' in html


def test_orders_of_two_connections_make_no_batch_and_the_screen_says_why(logged_in, desk):
    wb, ozon = desk.order(desk.wb), desk.order(desk.ozon)
    back = reverse("orders:order_list") + "?marketplace=wb"

    response = logged_in.post(reverse("orders:batch_create"), {"order": [wb.pk, ozon.pk], "next": back}, follow=True)

    assert not PickBatch.objects.exists()
    assert response.redirect_chain[-1][0] == back
    assert list(response.context["messages"])[-1].level_tag == "error"


def test_an_empty_selection_makes_no_batch(logged_in, desk):
    response = logged_in.post(reverse("orders:batch_create"), {}, follow=True)

    assert not PickBatch.objects.exists()
    assert list(response.context["messages"])[-1].level_tag == "error"


def test_automatic_grouping_makes_one_batch_per_connection_warehouse_and_day(logged_in, desk):
    today, tomorrow = moscow(2026, 3, 2, 15), moscow(2026, 3, 3, 15)
    desk.order(desk.wb, ship_by=today)
    desk.order(desk.wb, ship_by=today + timedelta(hours=2))
    desk.order(desk.wb, ship_by=tomorrow)
    desk.order(desk.ozon, ship_by=today)
    desk.order(desk.wb, ship_by=today, warehouse=desk.second)

    response = logged_in.post(reverse("orders:batch_auto"))

    assert response.url == reverse("orders:batch_list")
    sizes = sorted((b.connection.marketplace, b.warehouse_id == desk.main.pk, b.items.count())
                   for b in PickBatch.objects.all())
    assert sizes == [("ozon", True, 1), ("wb", False, 1), ("wb", True, 1), ("wb", True, 2)]


def test_automatic_grouping_follows_the_connection_filter_on_screen(logged_in, desk):
    desk.order(desk.wb)
    desk.order(desk.ozon)

    logged_in.post(reverse("orders:batch_auto"), {"connection": desk.ozon.pk, "warehouse": ""})

    assert list(PickBatch.objects.values_list("connection__marketplace", flat=True)) == ["ozon"]


def test_the_batch_list_shows_counts_and_picker(logged_in, desk, owner):
    orders = [desk.order(), desk.order()]
    logged_in.post(reverse("orders:batch_create"), {"order": [o.pk for o in orders]})
    batch = PickBatch.objects.get()
    logged_in.post(reverse("orders:batch_picker", args=[batch.pk]), {"picker": owner.pk})

    response = logged_in.get(reverse("orders:batch_list"))

    listed = list(response.context["page_obj"])
    assert [(b.pk, b.order_count, b.picker) for b in listed] == [(batch.pk, 2, owner)]


def test_a_batch_moves_open_to_picking_to_packed_and_its_orders_follow(logged_in, desk):
    order = desk.order()
    logged_in.post(reverse("orders:batch_create"), {"order": [order.pk]})
    batch = PickBatch.objects.get()

    logged_in.post(reverse("orders:batch_status", args=[batch.pk]), {"status": "picking"})
    logged_in.post(reverse("orders:batch_status", args=[batch.pk]), {"status": "packed"})

    batch.refresh_from_db()
    order.refresh_from_db()
    assert (batch.status, order.status) == (BatchStatus.PACKED, OrderStatus.PACKED)


def test_a_transition_the_batch_does_not_allow_is_refused_with_a_message(logged_in, desk):
    logged_in.post(reverse("orders:batch_create"), {"order": [desk.order().pk]})
    batch = PickBatch.objects.get()

    response = logged_in.post(reverse("orders:batch_status", args=[batch.pk]), {"status": "packed"}, follow=True)

    assert PickBatch.objects.get().status == BatchStatus.OPEN
    assert list(response.context["messages"])[-1].level_tag == "error"


def test_the_batch_page_offers_only_the_allowed_transitions(logged_in, desk):
    logged_in.post(reverse("orders:batch_create"), {"order": [desk.order().pk]})
    batch = PickBatch.objects.get()

    html = logged_in.get(reverse("orders:batch_detail", args=[batch.pk])).content.decode()

    assert 'data-transition="picking"' in html and 'data-transition="cancelled"' in html
    assert 'data-transition="packed"' not in html and 'id="hand-over"' not in html


def test_orders_taken_out_of_a_batch_are_free_again(logged_in, desk):
    kept, removed = desk.order(), desk.order()
    logged_in.post(reverse("orders:batch_create"), {"order": [kept.pk, removed.pk]})
    batch = PickBatch.objects.get()

    logged_in.post(reverse("orders:batch_remove", args=[batch.pk]), {"order": [removed.pk]})

    assert list(BatchItem.objects.filter(batch=batch, active=True).values_list("order_id", flat=True)) == [kept.pk]
    assert logged_in.post(reverse("orders:batch_create"), {"order": [removed.pk]}).status_code == 302
    assert BatchItem.objects.filter(order=removed, active=True).exclude(batch=batch).exists()


def test_the_pick_list_button_keeps_a_pdf_and_the_page_downloads_it(logged_in, desk):
    logged_in.post(reverse("orders:batch_create"), {"order": [desk.order(lines=[(desk.lamp, 3)]).pk]})
    batch = PickBatch.objects.get()

    response = logged_in.post(reverse("orders:batch_document", args=[batch.pk]), {"kind": "pick_list"})

    document = Document.objects.get(batch=batch)
    assert response.url == reverse("orders:batch_detail", args=[batch.pk]) + f"?download={document.pk}"
    page = logged_in.get(response.url).content.decode()
    assert f'data-auto-download href="{reverse("orders:document_download", args=[document.pk])}"' in page
    download = logged_in.get(reverse("orders:document_download", args=[document.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_wms_export_downloads_json_and_csv(logged_in, desk):
    logged_in.post(reverse("orders:batch_create"), {"order": [desk.order(number="WMS-1").pk]})
    batch = PickBatch.objects.get()

    for kind, content_type in (("wms_json", "application/json"), ("wms_csv", "text/csv; charset=utf-8")):
        logged_in.post(reverse("orders:batch_document", args=[batch.pk]), {"kind": kind})
        document = Document.objects.filter(batch=batch).first()
        body = b"".join(logged_in.get(reverse("orders:document_download", args=[document.pk])).streaming_content)
        assert document.content_type == content_type and b"WMS-1" in body


def test_sending_to_a_wms_that_refuses_shows_its_answer(logged_in, desk, live_server):
    logged_in.post(reverse("orders:batch_create"), {"order": [desk.order().pk]})
    batch = PickBatch.objects.get()
    refusing = live_server.url + "/no-such-wms/"  # answers 404: final, not retried

    response = logged_in.post(reverse("orders:batch_wms_send", args=[batch.pk]),
                              {"url": refusing, "secret": "s3cret"}, follow=True)

    assert list(response.context["messages"])[-1].level_tag == "error"
    assert "404" in PickBatch.objects.get().wms_error


def test_a_batch_without_a_deadline_still_lists(logged_in, desk):
    logged_in.post(reverse("orders:batch_create"), {"order": [desk.order(ship_by=None).pk]})

    assert logged_in.get(reverse("orders:batch_list")).status_code == 200
    assert PickBatch.objects.get().cutoff_at is None
    assert timezone.now()
