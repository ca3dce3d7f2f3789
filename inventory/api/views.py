from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from inventory.api.serializers import (
    LocationSerializer,
    StockAdjustmentSerializer,
    StockLevelSerializer,
    StockMovementSerializer,
    WarehouseSerializer,
)
from inventory.filters import LocationFilterSet, StockLevelFilterSet, StockMovementFilterSet, WarehouseFilterSet
from inventory.models import Location, StockLevel, StockMovement, Warehouse
from inventory.services import StockError, adjust
from oms.api.schema import tenant_schema
from oms.api.views import TenantCreateViewSet, TenantModelViewSet, TenantReadOnlyViewSet
from oms.choices import Capability


@tenant_schema
class WarehouseViewSet(TenantModelViewSet):
    """Own warehouses and marketplace (FBO) warehouses."""

    model = Warehouse
    serializer_class = WarehouseSerializer
    filterset_class = WarehouseFilterSet
    search_fields = ["name", "code", "address"]
    ordering_fields = ["id", "name", "code", "kind", "created_at"]
    write_capability = Capability.EDIT_WAREHOUSES


@tenant_schema
class LocationViewSet(TenantModelViewSet):
    """Bin locations; ``walk_order`` sorts them along the picker's route."""

    model = Location
    serializer_class = LocationSerializer
    filterset_class = LocationFilterSet
    search_fields = ["code"]
    ordering_fields = ["id", "code", "walk_order", "zone", "aisle", "rack", "shelf"]
    write_capability = Capability.EDIT_WAREHOUSES


@tenant_schema
class StockLevelViewSet(TenantReadOnlyViewSet):
    """On hand, reserved and available per variant and warehouse. Changed only through the ledger."""

    model = StockLevel
    serializer_class = StockLevelSerializer
    filterset_class = StockLevelFilterSet
    select_related = ("variant__product", "warehouse", "location")
    ordering_fields = ["id", "on_hand", "reserved", "updated_at", "variant__sku", "warehouse__code"]


@tenant_schema
class StockMovementViewSet(TenantReadOnlyViewSet):
    """The append-only stock ledger, newest first."""

    model = StockMovement
    serializer_class = StockMovementSerializer
    filterset_class = StockMovementFilterSet
    select_related = ("variant",)
    ordering_fields = ["id", "created_at", "kind"]


@tenant_schema
class StockAdjustmentViewSet(TenantCreateViewSet):
    """Correct on hand after a count (``quantity``) or by a signed change (``delta``); books one ledger row."""

    model = StockMovement
    serializer_class = StockAdjustmentSerializer
    write_capability = Capability.MOVE_STOCK

    @extend_schema(
        request=StockAdjustmentSerializer,
        responses={
            201: StockMovementSerializer,
            200: OpenApiResponse(
                inline_serializer("StockAdjustmentNoChange", {"detail": serializers.CharField()}),
                description=_("A count found exactly what is on hand: nothing was booked."),
            ),
            400: OpenApiResponse(description=_("Invalid input, or the ledger refused the change.")),
        },
    )
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            movements = adjust(
                variant=data["variant"], warehouse=data["warehouse"], delta=data.get("delta"),
                new_quantity=data.get("quantity"), reason=data["reason"], reference=data["reference"],
                user=request.user,
            )
        except StockError as exc:
            raise serializers.ValidationError({"non_field_errors": [exc.message]})
        if not movements:
            return Response({"detail": _("On hand already equals the counted quantity: nothing to change.")})
        return Response(StockMovementSerializer(movements[0]).data, status=status.HTTP_201_CREATED)
