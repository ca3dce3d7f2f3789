from rest_framework import serializers

from connectors.choices import Marketplace
from orders.models import Order, OrderEvent, OrderLine


class OrderLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderLine
        fields = [
            "id", "variant", "listing", "external_line_id", "offer_id", "sku", "name", "quantity", "price", "total",
        ]
        read_only_fields = fields


class OrderEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderEvent
        fields = ["id", "status", "marketplace_status", "source", "message", "occurred_at", "created_at", "user"]
        read_only_fields = fields


class OrderSerializer(serializers.ModelSerializer):
    marketplace = serializers.ChoiceField(source="connection.marketplace", choices=Marketplace.choices, read_only=True)
    lines = OrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            "id", "connection", "marketplace", "external_id", "number", "scheme", "status", "marketplace_status",
            "marketplace_substatus", "stock_state", "warehouse", "buyer_name", "buyer_phone", "buyer_email",
            "delivery_address", "delivery_details", "delivery_method", "payment_status", "ordered_at", "ship_by",
            "shipped_at", "delivered_at", "cancelled_at", "cancel_reason", "currency", "items_total",
            "delivery_total", "discount_total", "total", "lines", "created_at", "updated_at",
        ]
        read_only_fields = fields


class OrderDetailSerializer(OrderSerializer):
    """One order with its status history and the marketplace's payload as received."""

    events = OrderEventSerializer(many=True, read_only=True)

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "events", "raw"]
        read_only_fields = fields
