"""Returns and claims over the API: read shapes, and the input of each action (validated before any service runs)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from connectors.choices import Marketplace
from inventory.choices import WarehouseKind
from inventory.models import Location, Warehouse
from returns.choices import InspectionOutcome
from returns.models import Claim, Return, ReturnLine

# One line restocks or writes off at most this many units: a typo of extra zeros is refused, not booked.
MAX_LINE_QUANTITY = 100_000


class ReturnLineSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="variant.sku", read_only=True, allow_null=True, default=None)

    class Meta:
        model = ReturnLine
        fields = ["id", "variant", "sku", "order_line", "offer_id", "name", "quantity", "price", "restocked_quantity",
                  "written_off_quantity"]
        read_only_fields = fields


class ClaimSerializer(serializers.ModelSerializer):
    marketplace = serializers.ChoiceField(source="connection.marketplace", choices=Marketplace.choices, read_only=True)

    class Meta:
        model = Claim
        fields = ["id", "connection", "marketplace", "external_id", "return_request", "order", "status",
                  "marketplace_status", "subject", "description", "deadline_at", "decision", "answer", "answered_at",
                  "answered_by", "created_at", "updated_at"]
        read_only_fields = fields


class ClaimDetailSerializer(ClaimSerializer):
    """One claim with the marketplace's payload as received (its ``actions`` list the decisions it accepts)."""

    class Meta(ClaimSerializer.Meta):
        fields = [*ClaimSerializer.Meta.fields, "raw"]
        read_only_fields = fields


class ReturnSerializer(serializers.ModelSerializer):
    marketplace = serializers.ChoiceField(source="connection.marketplace", choices=Marketplace.choices, read_only=True)
    unmatched = serializers.SerializerMethodField(help_text=_("The marketplace's order is not known to Okno (yet)."))
    lines = ReturnLineSerializer(many=True, read_only=True)

    class Meta:
        model = Return
        fields = ["id", "connection", "marketplace", "external_id", "order", "order_external_id", "unmatched", "kind",
                  "scheme", "status", "marketplace_status", "reason", "reason_code", "buyer_comment", "photos",
                  "amount", "currency", "requested_at", "deadline_at", "received_at", "inspected_at",
                  "inspection_outcome", "inspection_note", "closed_at", "warehouse", "handled_by", "lines",
                  "created_at", "updated_at"]
        read_only_fields = fields

    def get_unmatched(self, ret: Return) -> bool:
        return ret.order_id is None


class ReturnDetailSerializer(ReturnSerializer):
    """One return with its claims and the marketplace's payload as received."""

    claims = ClaimSerializer(many=True, read_only=True)

    class Meta(ReturnSerializer.Meta):
        fields = [*ReturnSerializer.Meta.fields, "claims", "raw"]
        read_only_fields = fields


# --- action input -----------------------------------------------------------------------------------------------
class ScanSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=128, help_text=_("A scanned barcode, order number or return number."))


class InspectSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=InspectionOutcome.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class LineQuantitySerializer(serializers.Serializer):
    line = serializers.IntegerField(min_value=1, help_text=_("Id of a line of this return."))
    quantity = serializers.IntegerField(min_value=0, max_value=MAX_LINE_QUANTITY)


class _LinesMixin(serializers.Serializer):
    lines = LineQuantitySerializer(
        many=True, required=False, help_text=_("Units per line; by default every remaining unit of every line.")
    )

    def validate_lines(self, value):
        ids = [item["line"] for item in value]
        if len(ids) != len(set(ids)):
            raise serializers.ValidationError(_("Each line may appear once."))
        return value

    def chosen_lines(self) -> dict[int, int] | None:
        lines = self.validated_data.get("lines")
        return {item["line"]: item["quantity"] for item in lines} if lines else None


class RestockSerializer(_LinesMixin):
    warehouse = serializers.PrimaryKeyRelatedField(queryset=Warehouse.objects,
                                                   help_text=_("One of your own active warehouses."))
    location = serializers.PrimaryKeyRelatedField(queryset=Location.objects, required=False, allow_null=True,
                                                  help_text=_("A bin of that warehouse."))

    def validate_warehouse(self, warehouse: Warehouse) -> Warehouse:
        if warehouse.kind != WarehouseKind.OWN or not warehouse.is_active:
            raise serializers.ValidationError(_("Restock into one of your own active warehouses."))
        return warehouse

    def validate(self, attrs):
        location = attrs.get("location")
        if location is not None and location.warehouse_id != attrs["warehouse"].pk:
            raise serializers.ValidationError({"location": _("This bin is in another warehouse.")})
        return attrs


class WriteOffSerializer(_LinesMixin):
    reason = serializers.CharField(max_length=500)


class ApproveSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text=_("The reason the marketplace asks for."))
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class ClaimAnswerSerializer(serializers.Serializer):
    decision = serializers.CharField(max_length=100, help_text=_(
        "One of the marketplace's documented answers (for Wildberries, one of the claim's ``actions``)."
    ))
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class MarketplaceRefusalSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text=_("The marketplace's message."))
    marketplace_refused = serializers.BooleanField()
