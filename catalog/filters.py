"""FilterSets shared by the HTML lists and the API. FK filters take ids (no import-time querysets)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.choices import ListingStatus
from catalog.models import Listing, Product, Variant


class ProductFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search: title, brand, SKU, barcode"))
    brand = django_filters.CharFilter(lookup_expr="iexact", label=_("Brand"))
    category = django_filters.CharFilter(lookup_expr="icontains", label=_("Category"))
    is_archived = django_filters.BooleanFilter(label=_("Archived"))
    # Declared, not generated from Meta.fields: generating one queries the default manager at import time,
    # and a tenant model's manager refuses to run with no organization in scope.
    is_marked = django_filters.BooleanFilter(label=_("Requires marking"))

    class Meta:
        model = Product
        fields = ["q", "brand", "category", "is_archived", "is_marked"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(
            Q(title__icontains=value)
            | Q(brand__icontains=value)
            | Q(variants__sku__icontains=value)
            | Q(variants__barcodes__value=value)
        ).distinct()


class VariantFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search: SKU, name, barcode"))
    product = django_filters.NumberFilter(field_name="product_id", label=_("Product id"))
    sku = django_filters.CharFilter(lookup_expr="iexact", label=_("SKU"))
    barcode = django_filters.CharFilter(field_name="barcodes__value", label=_("Barcode"))
    is_kit = django_filters.BooleanFilter(label=_("Kit"))
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Variant
        fields = ["q", "product", "sku", "barcode", "is_kit", "is_active"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(
            Q(sku__icontains=value) | Q(name__icontains=value) | Q(product__title__icontains=value)
            | Q(barcodes__value=value)
        ).distinct()


class ListingFilterSet(django_filters.FilterSet):
    connection = django_filters.NumberFilter(field_name="connection_id", label=_("Connection id"))
    variant = django_filters.NumberFilter(field_name="variant_id", label=_("Variant id"))
    marketplace = django_filters.CharFilter(field_name="connection__marketplace", label=_("Marketplace"))
    status = django_filters.ChoiceFilter(choices=ListingStatus.choices, label=_("Status"))
    offer_id = django_filters.CharFilter(label=_("Offer id"))
    sync_state = django_filters.CharFilter(label=_("Stock sync state"))

    class Meta:
        model = Listing
        fields = ["connection", "variant", "marketplace", "status", "offer_id", "sync_state"]
