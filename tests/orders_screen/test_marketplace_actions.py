"""Actions of the order and batch pages against the sandbox marketplaces over real HTTP: cancel, confirm, and a
handover in which the marketplace refuses one order."""

from django.urls import reverse

from connectors.services import run_job
from inventory.models import StockLevel
from orders.choices import BatchItemStatus, OrderStatus
from orders.models import BatchItem, Order, PickBatch
from tests.sync.conftest import market  # noqa: F401 - the seller on all four sandbox marketplaces


def sell(market, marketplace, variant, quantity=1):  # noqa: F811 - the fixture's value, passed in
    seller = f"okno-{market.connections[marketplace].pk}"
    placed = market.controls[marketplace].place_order(seller, [{"offer_id": variant.sku, "quantity": quantity}])
    run_job(market.connections[marketplace], "orders")
    return Order.objects.get(connection=market.connections[marketplace], external_id=str(placed[0]["id"]))


def test_cancelling_on_the_order_page_cancels_at_the_marketplace_and_frees_the_stock(logged_in, market):  # noqa: F811
    order = sell(market, "wb", market.variants[1])
    assert StockLevel.objects.get(variant=market.variants[1]).reserved == 1

    response = logged_in.post(reverse("orders:order_cancel", args=[order.pk]), {"reason": "Нет в наличии"})

    order.refresh_from_db()
    assert response.status_code == 302
    assert (order.status, order.cancel_reason) == (OrderStatus.CANCELLED, "Нет в наличии")
    assert StockLevel.objects.get(variant=market.variants[1]).reserved == 0
    run_job(market.connections["wb"], "statuses")  # the marketplace agrees: nothing moves back
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED


def test_a_marketplace_without_seller_cancellation_says_so_and_nothing_changes(logged_in, market):  # noqa: F811
    order = sell(market, "aliexpress", market.variants[1])

    response = logged_in.post(reverse("orders:order_cancel", args=[order.pk]), {"reason": "x"}, follow=True)

    assert Order.objects.get(pk=order.pk).status == OrderStatus.NEW
    assert list(response.context["messages"])[-1].level_tag == "error"
    assert StockLevel.objects.get(variant=market.variants[1]).reserved == 1


def test_confirming_a_yandex_market_order_moves_it_to_confirmed(logged_in, market, owner):  # noqa: F811
    order = sell(market, "yandex_market", market.variants[0])

    logged_in.post(reverse("orders:order_confirm", args=[order.pk]))

    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert order.events.filter(status=OrderStatus.CONFIRMED, user=owner).exists()


def test_a_refused_handover_shows_the_marketplaces_message_and_the_rest_is_shipped(logged_in, market):  # noqa: F811
    kept, refused = sell(market, "ozon", market.variants[0]), sell(market, "ozon", market.variants[1])
    market.controls["ozon"].order_action(f"okno-{market.connections['ozon'].pk}", refused.external_id, "cancel")
    logged_in.post(reverse("orders:batch_create"), {"order": [kept.pk, refused.pk]})
    batch = PickBatch.objects.get()
    for status in ("picking", "packed"):
        logged_in.post(reverse("orders:batch_status", args=[batch.pk]), {"status": status})

    response = logged_in.post(reverse("orders:batch_hand_over", args=[batch.pk]), follow=True)

    failed = BatchItem.objects.get(batch=batch, order=refused)
    html = response.content.decode()
    assert failed.status == BatchItemStatus.FAILED and failed.error
    assert failed.error in html and f'data-order="{refused.pk}" data-result="failed"' in html
    assert f'data-order="{kept.pk}" data-result="done"' in html
    assert Order.objects.get(pk=kept.pk).status == OrderStatus.SHIPPED
    assert Order.objects.get(pk=refused.pk).status != OrderStatus.SHIPPED
    assert [m.level_tag for m in response.context["messages"]][-2:] == ["warning", "error"]
