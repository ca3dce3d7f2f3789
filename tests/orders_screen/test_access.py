"""Roles and tenancy: WORK_ORDERS for every action (viewers see no buttons and are refused), and another
organization's orders, batches and documents do not exist."""

import pytest
from django.urls import reverse

from oms.choices import Role
from oms.tenancy import organization_scope
from orders import batches
from orders.documents.wms import export_json
from orders.models import PickBatch
from tests.orders_screen.conftest import login_as

pytestmark = pytest.mark.usefixtures("in_org")  # the tests read rows of the organization in scope


def action_urls(order, batch):
    return [
        (reverse("orders:batch_create"), {"order": [order.pk]}),
        (reverse("orders:batch_auto"), {}),
        (reverse("orders:order_cancel", args=[order.pk]), {"reason": "x"}),
        (reverse("orders:order_confirm", args=[order.pk]), {}),
        (reverse("orders:order_add_to_batch", args=[order.pk]), {}),
        (reverse("orders:order_packing_slip", args=[order.pk]), {}),
        (reverse("orders:batch_status", args=[batch.pk]), {"status": "picking"}),
        (reverse("orders:batch_picker", args=[batch.pk]), {"picker": ""}),
        (reverse("orders:batch_remove", args=[batch.pk]), {"order": [order.pk]}),
        (reverse("orders:batch_hand_over", args=[batch.pk]), {}),
        (reverse("orders:batch_document", args=[batch.pk]), {"kind": "pick_list"}),
        (reverse("orders:batch_wms_send", args=[batch.pk]), {"url": "http://127.0.0.1:9/", "secret": "s"}),
    ]


@pytest.mark.parametrize("index", range(12))
def test_a_viewer_is_refused_every_action(client, org, desk, index):
    in_batch = desk.order()
    batch = batches.create_batch([in_batch])
    login_as(client, org, Role.VIEWER, "viewer@alpha.test")
    url, data = action_urls(desk.order(), batch)[index]

    assert client.post(url, data).status_code == 403
    assert PickBatch.objects.get().status == "open"


def test_a_viewer_reads_the_screens_without_any_button(client, org, desk):
    order = desk.order()
    batch = batches.create_batch([desk.order()])
    login_as(client, org, Role.VIEWER, "viewer@alpha.test")

    screen = client.get(reverse("orders:order_list")).content.decode()
    order_page = client.get(reverse("orders:order_detail", args=[order.pk])).content.decode()
    batch_page = client.get(reverse("orders:batch_detail", args=[batch.pk])).content.decode()

    assert order.number in screen and 'name="order"' not in screen and 'id="create-batch"' not in screen
    assert 'id="order-actions"' not in order_page
    assert 'id="batch-documents"' not in batch_page and "data-transition" not in batch_page
    assert 'id="bulk-form"' not in screen


@pytest.mark.parametrize("role", [Role.WAREHOUSE, Role.MANAGER])
def test_warehouse_staff_and_managers_make_batches(client, org, desk, role):
    order = desk.order()
    login_as(client, org, role, f"{role}@alpha.test")

    assert 'id="create-batch"' in client.get(reverse("orders:order_list")).content.decode()
    assert client.post(reverse("orders:batch_create"), {"order": [order.pk]}).status_code == 302
    assert PickBatch.objects.count() == 1


def test_another_organizations_order_and_batch_pages_are_not_found(logged_in, desk, other_desk, other_org):
    theirs = other_desk.order()
    with organization_scope(other_org):
        batch = batches.create_batch([theirs])

    assert logged_in.get(reverse("orders:order_detail", args=[theirs.pk])).status_code == 404
    assert logged_in.get(reverse("orders:batch_detail", args=[batch.pk])).status_code == 404


def test_another_organizations_orders_cannot_be_batched(logged_in, desk, other_desk):
    mine, theirs = desk.order(), other_desk.order()

    response = logged_in.post(reverse("orders:batch_create"), {"order": [mine.pk, theirs.pk]})

    assert response.status_code == 404
    assert not PickBatch.objects.exists()


def test_another_organizations_batch_cannot_be_moved_or_printed(logged_in, desk, other_desk, other_org):
    with organization_scope(other_org):
        batch = batches.create_batch([other_desk.order()])

    for url, data in action_urls(desk.order(), batch)[6:]:
        assert logged_in.post(url, data).status_code == 404, url
    with organization_scope(other_org):
        assert PickBatch.objects.get().status == "open"


def test_another_organizations_document_is_not_found(logged_in, desk, other_desk, other_org):
    with organization_scope(other_org):
        document = export_json(batches.create_batch([other_desk.order()]))

    assert logged_in.get(reverse("orders:document_download", args=[document.pk])).status_code == 404
