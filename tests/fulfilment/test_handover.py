"""Handing a batch over to each marketplace (the sandbox over real HTTP): per-order verdicts, nothing shipped that
the marketplace refused."""

import pytest

from orders import batches
from orders.choices import BatchItemStatus, BatchStatus, OrderStatus
from orders.documents.handover import handover_act
from orders.models import BatchItem, Order, OrderEvent, PickBatch
from tests.fulfilment.shops import MARKETPLACES, open_shop


def packed(*orders):
    batch = batches.create_batch(orders)
    batches.start_picking(batch)
    return batches.mark_packed(batch)


@pytest.mark.parametrize("marketplace", MARKETPLACES)
def test_one_refused_order_does_not_block_the_others_and_is_not_shipped(marketplace, in_org, warehouse, sandbox,
                                                                        control, packer):
    shop = open_shop(marketplace, control, sandbox, in_org, warehouse)
    first, refused, last = shop.order(), shop.order("MUG-WHT"), shop.order()
    shop.buyer_cancels(refused)  # Okno has not heard yet: the marketplace refuses the handover
    batch = packed(first, refused, last)

    result = batches.hand_over(batch, packer)

    assert {item.order_id for item in result.done} == {first.pk, last.pk}
    assert [item.order_id for item in result.failed] == [refused.pk]
    assert Order.objects.get(pk=refused.pk).status != OrderStatus.SHIPPED
    assert {Order.objects.get(pk=o.pk).status for o in (first, last)} == {OrderStatus.SHIPPED}
    failed = BatchItem.objects.get(batch=batch, order=refused)
    assert failed.status == BatchItemStatus.FAILED and failed.error
    assert OrderEvent.objects.filter(order=refused, message__contains=failed.error).exists()
    assert PickBatch.objects.get(pk=batch.pk).status == BatchStatus.HANDED_OVER


def test_the_wb_supply_becomes_the_batchs_shipment_id(in_org, warehouse, sandbox, control):
    shop = open_shop("wb", control, sandbox, in_org, warehouse)
    batch = packed(shop.order(), shop.order())

    batches.hand_over(batch)

    supplies = sandbox.world.seller("wb", shop.seller["id"]).data["supplies"]
    assert PickBatch.objects.get(pk=batch.pk).external_ref in supplies


def test_the_shipped_event_says_which_batch_and_shipment(in_org, warehouse, sandbox, control, packer):
    shop = open_shop("wb", control, sandbox, in_org, warehouse)
    order = shop.order()
    batch = packed(order)

    batches.hand_over(batch, packer)

    event = OrderEvent.objects.filter(order=order, status=OrderStatus.SHIPPED).get()
    assert event.user == packer and str(batch) in event.message
    assert PickBatch.objects.get(pk=batch.pk).external_ref in event.message


def test_a_failed_order_is_retried_on_the_handed_over_batch(in_org, warehouse, sandbox, control):
    shop = open_shop("yandex_market", control, sandbox, in_org, warehouse)
    order = shop.order()
    batch = packed(order)
    control["yandex_market"].set_faults(error_rate=1.0)
    first = batches.hand_over(batch)
    control["yandex_market"].clear_faults()

    second = batches.hand_over(batch)

    assert first.failed and not first.done
    assert PickBatch.objects.get(pk=batch.pk).status == BatchStatus.HANDED_OVER
    assert [item.order_id for item in second.done] == [order.pk]
    assert Order.objects.get(pk=order.pk).status == OrderStatus.SHIPPED


def test_aliexpress_gives_its_own_handover_list_as_the_act(in_org, warehouse, sandbox, control):
    shop = open_shop("aliexpress", control, sandbox, in_org, warehouse)
    batch = packed(shop.order(), shop.order())
    batches.hand_over(batch)

    act = handover_act(batch)

    assert act.from_marketplace and act.document.pages >= 1
    assert act.document.file.read().startswith(b"%PDF")


def test_wb_has_no_act_in_its_api_so_okno_prints_one_with_every_order(in_org, warehouse, sandbox, control):
    from pypdf import PdfReader

    shop = open_shop("wb", control, sandbox, in_org, warehouse)
    orders = [shop.order(), shop.order()]
    batch = packed(*orders)
    batches.hand_over(batch)

    act = handover_act(batch)

    text = PdfReader(act.document.file.path).pages[0].extract_text()
    assert not act.from_marketplace and act.note
    assert all(order.number in text for order in orders)
    assert PickBatch.objects.get(pk=batch.pk).external_ref in text
