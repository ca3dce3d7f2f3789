"""The order page: lines, addresses, the timeline, the ledger rows it caused, its documents and batches, and the
actions its status allows."""

import pytest
from django.urls import reverse
from django.utils import timezone

from inventory import services as stock
from inventory.services import StockLine
from orders import batches
from orders.choices import BatchItemStatus, EventSource, OrderStatus
from orders.models import BatchItem, Document, OrderEvent

pytestmark = pytest.mark.usefixtures("in_org")  # the tests read rows of the organization in scope


def page(client, order) -> str:
    return client.get(reverse("orders:order_detail", args=[order.pk])).content.decode()


def test_the_page_shows_lines_and_the_delivery_address(logged_in, desk):
    order = desk.order(lines=[(desk.lamp, 2), (desk.mug, 1)], delivery_address="Москва, ул. Тверская, 7, кв. 12",
                       delivery_details={"city": "Москва", "pickup_point": "ПВЗ 4411"})

    html = page(logged_in, order)

    assert "LAMP-01" in html and "MUG-02" in html
    assert "Москва, ул. Тверская, 7, кв. 12" in html and "ПВЗ 4411" in html


def test_the_timeline_lists_every_status_change_with_its_source(logged_in, desk, owner):
    order = desk.order()
    OrderEvent.objects.create(order=order, status=OrderStatus.NEW, marketplace_status="waiting",
                              source=EventSource.POLL, occurred_at=timezone.now())
    OrderEvent.objects.create(order=order, status=OrderStatus.CONFIRMED, marketplace_status="confirm",
                              source=EventSource.USER, user=owner, occurred_at=timezone.now())

    response = logged_in.get(reverse("orders:order_detail", args=[order.pk]))

    events = list(response.context["events"])
    assert [(e.status, e.source) for e in events] == [("new", "poll"), ("confirmed", "user")]
    assert "waiting" in response.content.decode() and "confirm" in response.content.decode()


def test_the_page_lists_the_ledger_rows_the_order_caused(logged_in, desk):
    stock.receive(variant=desk.lamp, warehouse=desk.main, quantity=5, reason="delivery")
    order = desk.order(lines=[(desk.lamp, 2)])
    stock.reserve(warehouse=desk.main, lines=[StockLine(desk.lamp.pk, 2)], order_id=order.pk,
                  key_prefix=f"order:{order.pk}")

    response = logged_in.get(reverse("orders:order_detail", args=[order.pk]))

    movements = list(response.context["movements"])
    assert [(m.kind, m.reserved_delta) for m in movements] == [("reservation", 2)]
    assert "delivery" not in response.content.decode()  # the receipt is not this order's


def test_a_reprinted_packing_slip_is_listed_and_downloadable(logged_in, desk):
    order = desk.order()

    response = logged_in.post(reverse("orders:order_packing_slip", args=[order.pk]))

    document = Document.objects.get(order=order)
    assert response.url.endswith(f"?download={document.pk}")
    assert reverse("orders:document_download", args=[document.pk]) in page(logged_in, order)


def test_the_page_shows_the_marketplaces_refusal_from_the_orders_batch(logged_in, desk):
    order = desk.order()
    batch = batches.create_batch([order])
    BatchItem.objects.filter(batch=batch).update(status=BatchItemStatus.FAILED,
                                                 error="Сборочное задание уже отменено покупателем")

    html = page(logged_in, order)

    assert reverse("orders:batch_detail", args=[batch.pk]) in html
    assert "Сборочное задание уже отменено покупателем" in html


def test_a_new_order_offers_confirm_cancel_and_a_batch(logged_in, desk):
    order = desk.order()

    html = page(logged_in, order)

    assert f'action="{reverse("orders:order_confirm", args=[order.pk])}"' in html
    assert 'id="cancel-form"' in html and 'name="batch"' in html


def test_a_shipped_order_offers_no_actions(logged_in, desk):
    html = page(logged_in, desk.order(status=OrderStatus.SHIPPED))

    assert 'id="order-actions"' not in html


def test_an_order_in_a_batch_links_its_batch_instead_of_offering_one(logged_in, desk):
    order = desk.order()
    batch = batches.create_batch([order])

    html = page(logged_in, order)

    assert 'name="batch"' not in html
    assert reverse("orders:batch_detail", args=[batch.pk]) in html


def test_an_order_joins_an_open_batch_of_its_connection_and_warehouse(logged_in, desk):
    first, second = desk.order(), desk.order()
    batch = batches.create_batch([first])

    response = logged_in.post(reverse("orders:order_add_to_batch", args=[second.pk]), {"batch": batch.pk})

    assert response.url == reverse("orders:batch_detail", args=[batch.pk])
    assert BatchItem.objects.filter(batch=batch, order=second, active=True).exists()
