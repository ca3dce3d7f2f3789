from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from catalog.models import Variant
from connectors.models import Connection
from inventory.choices import WarehouseKind
from inventory.models import Location, StockLevel, StockMovement, Warehouse

# One adjustment moves at most this many units: a typo of extra zeros is refused, not booked.
MAX_ADJUSTMENT = 1_000_000_000


class WarehouseSerializer(serializers.ModelSerializer):
    connection = serializers.PrimaryKeyRelatedField(
        queryset=Connection.objects, required=False, allow_null=True,
        help_text=_("Required for a marketplace (FBO) warehouse: the connection that operates it."),
    )

    class Meta:
        model = Warehouse
        fields = ["id", "name", "code", "kind", "connection", "external_id", "address", "is_active", "created_at"]

    def validate_code(self, value: str) -> str:
        taken = Warehouse.objects.filter(code=value)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise serializers.ValidationError(_("A warehouse with this code already exists."))
        return value

    def validate(self, attrs):
        instance = self.instance
        kind = attrs.get("kind", instance.kind if instance else WarehouseKind.OWN)
        connection = attrs.get("connection", instance.connection if instance else None)
        if kind == WarehouseKind.FBO and connection is None:
            raise serializers.ValidationError(
                {"connection": _("A marketplace (FBO) warehouse needs the connection that operates it.")}
            )
        return attrs


class LocationSerializer(serializers.ModelSerializer):
    warehouse = serializers.PrimaryKeyRelatedField(queryset=Warehouse.objects)

    class Meta:
        model = Location
        fields = ["id", "warehouse", "code", "zone", "aisle", "rack", "shelf", "walk_order", "is_active"]
        validators = []  # uniqueness is checked in validate(), with a message on the field at fault

    def validate(self, attrs):
        instance = self.instance
        warehouse = attrs.get("warehouse", instance.warehouse if instance else None)
        code = attrs.get("code", instance.code if instance else None)
        taken = Location.objects.filter(warehouse=warehouse, code=code)
        if instance is not None:
            taken = taken.exclude(pk=instance.pk)
        if taken.exists():
            raise serializers.ValidationError({"code": _("This warehouse already has a bin with this code.")})
        return attrs


class StockLevelSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="variant.sku", read_only=True)
    product = serializers.IntegerField(source="variant.product_id", read_only=True)
    product_title = serializers.CharField(source="variant.product.title", read_only=True)
    warehouse_code = serializers.CharField(source="warehouse.code", read_only=True)
    available = serializers.IntegerField(read_only=True)
    location_code = serializers.CharField(source="location.code", read_only=True, allow_null=True, default=None)

    class Meta:
        model = StockLevel
        fields = [
            "id", "variant", "sku", "product", "product_title", "warehouse", "warehouse_code", "on_hand", "reserved",
            "available", "location", "location_code", "updated_at",
        ]
        read_only_fields = fields


class StockMovementSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="variant.sku", read_only=True)

    class Meta:
        model = StockMovement
        fields = [
            "id", "variant", "sku", "warehouse", "kind", "on_hand_delta", "reserved_delta", "on_hand_after",
            "reserved_after", "order", "order_line", "reference", "reason", "user", "created_at",
        ]
        read_only_fields = fields


class StockAdjustmentSerializer(serializers.Serializer):
    """A correction of on hand: either the quantity found by a count, or a signed change."""

    variant = serializers.PrimaryKeyRelatedField(queryset=Variant.objects)
    warehouse = serializers.PrimaryKeyRelatedField(queryset=Warehouse.objects)
    quantity = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=MAX_ADJUSTMENT,
        help_text=_("New on-hand quantity after a count (booked as kind \"count\"). Give this or delta."),
    )
    delta = serializers.IntegerField(
        required=False, allow_null=True, min_value=-MAX_ADJUSTMENT, max_value=MAX_ADJUSTMENT,
        help_text=_("Signed change of on hand (booked as kind \"adjustment\"). Give this or quantity."),
    )
    reason = serializers.CharField(max_length=1000, help_text=_("Why the stock changes; kept in the ledger."))
    reference = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def validate_variant(self, variant: Variant) -> Variant:
        if variant.is_kit:
            raise serializers.ValidationError(_("A kit has no stock of its own: adjust its components."))
        return variant

    def validate_delta(self, value: int | None) -> int | None:
        if value == 0:
            raise serializers.ValidationError(_("The change must not be zero."))
        return value

    def validate(self, attrs):
        has_quantity = attrs.get("quantity") is not None
        has_delta = attrs.get("delta") is not None
        if has_quantity == has_delta:
            raise serializers.ValidationError(
                {"non_field_errors": [_("Give either quantity (the new on hand) or delta (the change), not both.")]}
            )
        return attrs
