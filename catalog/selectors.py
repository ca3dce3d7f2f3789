"""Read queries of the catalogue screens. Tenant-scoped through the default managers; joins named explicitly."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from catalog.models import KitComponent, Listing, Product, Variant

# Stock on the products list counts the seller's own warehouses: FBO stock sits with the marketplace and is
# shown per warehouse on the product page.
OWN_WAREHOUSE = "own"


def _per_product(aggregate) -> Subquery:
    return Subquery(
        Variant.objects.filter(product=OuterRef("pk"))
        .order_by()
        .values("product")
        .annotate(result=aggregate)
        .values("result"),
        output_field=IntegerField(),
    )


def product_list() -> QuerySet[Product]:
    """Products with variant count and own-warehouse on hand / available, one row per product.

    Correlated subqueries rather than joins: joining variants and stock levels together would multiply rows.
    """
    own = Q(stock_levels__warehouse__kind=OWN_WAREHOUSE)
    return Product.objects.annotate(
        variant_count=Coalesce(_per_product(Count("pk")), Value(0)),
        on_hand=Coalesce(_per_product(Sum("stock_levels__on_hand", filter=own)), Value(0)),
        available=Coalesce(
            _per_product(Sum("stock_levels__on_hand", filter=own) - Sum("stock_levels__reserved", filter=own)),
            Value(0),
        ),
    )


def active_product_count() -> int:
    return Product.objects.filter(is_archived=False).count()


def attach_marketplaces(products: Iterable[Product]) -> None:
    """Set ``product.marketplaces``: the marketplace codes it is listed on, in one query for the whole page."""
    products = list(products)
    found: dict[int, set[str]] = defaultdict(set)
    rows = (
        Listing.objects.filter(variant__product_id__in=[p.pk for p in products])
        .order_by()
        .values_list("variant__product_id", "connection__marketplace")
        .distinct()
    )
    for product_id, marketplace in rows:
        found[product_id].add(marketplace)
    for product in products:
        product.marketplaces = sorted(found[product.pk])


def product_detail_variants(product: Product) -> list[Variant]:
    """The product's variants with barcodes, kit composition and stock per warehouse, in four queries."""
    from inventory.models import StockLevel  # the screen shows stock; the catalogue model does not depend on it

    return list(
        Variant.objects.filter(product=product)
        .select_related("product")  # effective cost and weight fall back to the product's
        .prefetch_related(
            "barcodes",
            Prefetch(
                "components",
                queryset=KitComponent.objects.select_related("component__product").order_by("component__sku"),
            ),
            Prefetch(
                "stock_levels",
                queryset=StockLevel.objects.select_related("warehouse", "location").order_by("warehouse__name"),
            ),
        )
        .order_by("sku")
    )


def product_listings(product: Product) -> QuerySet[Listing]:
    return (
        Listing.objects.filter(variant__product=product)
        .select_related("connection", "variant")
        .order_by("connection__marketplace", "connection__name", "variant__sku")
    )
