from catalog.api.serializers import ListingSerializer, ProductSerializer, VariantSerializer
from catalog.filters import ListingFilterSet, ProductFilterSet, VariantFilterSet
from catalog.models import Listing, Product, Variant
from oms.api.schema import tenant_schema
from oms.api.views import TenantModelViewSet
from oms.choices import Capability


@tenant_schema
class ProductViewSet(TenantModelViewSet):
    """Golden product records with their variants. Search with ``q`` (title, brand, SKU, barcode)."""

    model = Product
    serializer_class = ProductSerializer
    filterset_class = ProductFilterSet
    prefetch_related = ("variants__barcodes",)
    ordering_fields = ["id", "title", "brand", "category", "cost_price", "created_at", "updated_at"]
    write_capability = Capability.EDIT_CATALOG


@tenant_schema
class VariantViewSet(TenantModelViewSet):
    """Sellable units (SKU) with barcodes; a kit lists its components."""

    model = Variant
    serializer_class = VariantSerializer
    filterset_class = VariantFilterSet
    select_related = ("product",)
    prefetch_related = ("barcodes", "components__component")
    ordering_fields = ["id", "sku", "name", "price", "cost_price", "created_at", "updated_at"]
    write_capability = Capability.EDIT_CATALOG


@tenant_schema
class ListingViewSet(TenantModelViewSet):
    """A variant offered on one marketplace connection; stock-sync fields are maintained by Okno."""

    model = Listing
    serializer_class = ListingSerializer
    filterset_class = ListingFilterSet
    select_related = ("variant", "connection")
    search_fields = ["offer_id", "variant__sku", "external_sku", "external_product_id"]
    ordering_fields = ["id", "offer_id", "price", "status", "sync_state", "pushed_at", "created_at", "updated_at"]
    write_capability = Capability.EDIT_CATALOG

    def get_queryset(self):
        # Marketplace credentials are never needed to show a listing: keep them out of memory.
        return super().get_queryset().defer("connection__credentials")
