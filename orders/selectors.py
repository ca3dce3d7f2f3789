"""Read queries of the order screens. Tenant-scoped through the default managers; joins named explicitly."""

from __future__ import annotations

from django.db.models import QuerySet

from orders.choices import OPEN_STATUSES
from orders.models import Order, OrderEvent, OrderLine


def order_list() -> QuerySet[Order]:
    return Order.objects.select_related("connection", "warehouse")


def open_order_count() -> int:
    return Order.objects.filter(status__in=OPEN_STATUSES).count()


def orders_to_ship(limit: int = 8) -> list[Order]:
    """Open orders with the nearest ship-by deadline first: what the dashboard puts in front of the seller."""
    return list(
        order_list().filter(status__in=OPEN_STATUSES).order_by("ship_by", "ordered_at", "pk")[:limit]
    )


def order_lines(order: Order) -> QuerySet[OrderLine]:
    return OrderLine.objects.filter(order=order).select_related("variant__product", "listing").order_by("pk")


def order_events(order: Order) -> QuerySet[OrderEvent]:
    return OrderEvent.objects.filter(order=order).select_related("user").order_by("occurred_at", "pk")
