from connectors.api.serializers import ConnectionSerializer
from connectors.filters import ConnectionFilterSet
from connectors.models import Connection
from oms.api.schema import tenant_schema
from oms.api.views import TenantModelViewSet
from oms.choices import Capability


@tenant_schema
class ConnectionViewSet(TenantModelViewSet):
    """Marketplace accounts. Credentials are write-only: they are encrypted at rest and never sent back."""

    model = Connection
    serializer_class = ConnectionSerializer
    filterset_class = ConnectionFilterSet
    search_fields = ["name"]
    ordering_fields = ["id", "name", "marketplace", "status", "last_success_at", "created_at"]
    write_capability = Capability.MANAGE_CONNECTIONS
