from drf_spectacular.utils import extend_schema, extend_schema_view

from oms.api.schema import tenant_schema
from oms.api.views import TenantReadOnlyViewSet
from orders.api.serializers import OrderDetailSerializer, OrderSerializer
from orders.filters import OrderFilterSet
from orders.models import Order


@tenant_schema
@extend_schema_view(retrieve=extend_schema(responses=OrderDetailSerializer))
class OrderViewSet(TenantReadOnlyViewSet):
    """Every order of every connection in one unified shape, with its lines (detail adds the status history)."""

    model = Order
    serializer_class = OrderSerializer
    filterset_class = OrderFilterSet
    select_related = ("connection",)
    prefetch_related = ("lines",)
    ordering_fields = ["id", "ordered_at", "ship_by", "total", "number", "status", "created_at", "updated_at"]

    def get_queryset(self):
        # Marketplace credentials are never needed to show an order: keep them out of memory.
        queryset = super().get_queryset().defer("connection__credentials")
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("events")
        return queryset

    def get_serializer_class(self):
        return OrderDetailSerializer if self.action == "retrieve" else OrderSerializer
