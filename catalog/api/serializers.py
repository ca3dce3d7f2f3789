from __future__ import annotations

import re

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from catalog.choices import BarcodeKind
from catalog.models import Barcode, KitComponent, Listing, Product, Variant
from connectors.choices import Marketplace
from connectors.models import Connection
from oms.api.fields import NON_NEGATIVE_MONEY, JSONObjectField, URLListField

MAX_BARCODES = 50
MAX_COMPONENTS = 100
MAX_PER_KIT = 10_000
_BARCODE_RE = re.compile(r"^[\x21-\x7e]+$")  # printable ASCII, no spaces: what a scanner sends


def barcode_kind(value: str) -> str:
    if value.isdigit():
        return {13: BarcodeKind.EAN13, 8: BarcodeKind.EAN8, 12: BarcodeKind.UPC}.get(len(value), BarcodeKind.CODE128)
    return BarcodeKind.CODE128


class BarcodeListField(serializers.ListField):
    """The variant's barcodes as plain strings; writing replaces the whole set."""

    def __init__(self, **kwargs):
        kwargs.setdefault("child", serializers.CharField(max_length=64))
        kwargs.setdefault("max_length", MAX_BARCODES)
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return [barcode.value for barcode in instance.barcodes.all()]


class VariantCompactSerializer(serializers.ModelSerializer):
    barcodes = BarcodeListField(read_only=True)

    class Meta:
        model = Variant
        fields = ["id", "sku", "name", "size", "colour", "barcodes"]
        read_only_fields = fields


class ProductSerializer(serializers.ModelSerializer):
    attributes = JSONObjectField(
        required=False, help_text=_("Free-form characteristics, e.g. {\"material\": \"cotton\"}.")
    )
    images = URLListField(required=False, help_text=_("Image URLs, the first is the main one."))
    variants = VariantCompactSerializer(many=True, read_only=True)

    class Meta:
        model = Product
        fields = [
            "id", "title", "description", "brand", "category", "attributes", "images", "is_marked", "vat_rate",
            "country_of_origin", "weight_g", "length_mm", "width_mm", "height_mm", "cost_price", "is_archived",
            "variants", "created_at", "updated_at",
        ]
        extra_kwargs = {"cost_price": NON_NEGATIVE_MONEY}


class KitComponentSerializer(serializers.ModelSerializer):
    variant = serializers.PrimaryKeyRelatedField(source="component", queryset=Variant.objects)
    sku = serializers.CharField(source="component.sku", read_only=True)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_PER_KIT)

    class Meta:
        model = KitComponent
        fields = ["variant", "sku", "quantity"]


class VariantSerializer(serializers.ModelSerializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects)
    product_title = serializers.CharField(source="product.title", read_only=True)
    barcodes = BarcodeListField(
        required=False, help_text=_("All barcodes of the variant; sending the list replaces the stored set.")
    )
    components = KitComponentSerializer(
        many=True, required=False, max_length=MAX_COMPONENTS,
        help_text=_("What a kit is made of; sending the list replaces it. Only kits have components."),
    )

    class Meta:
        model = Variant
        fields = [
            "id", "product", "product_title", "sku", "name", "size", "colour", "weight_g", "length_mm", "width_mm",
            "height_mm", "cost_price", "price", "is_kit", "is_active", "barcodes", "components", "created_at",
            "updated_at",
        ]
        extra_kwargs = {"cost_price": NON_NEGATIVE_MONEY, "price": NON_NEGATIVE_MONEY}

    def validate_sku(self, value: str) -> str:
        value = value.strip()
        taken = Variant.objects.filter(sku=value)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise serializers.ValidationError(_("A variant with this SKU already exists."))
        return value

    def validate_barcodes(self, values: list[str]) -> list[str]:
        cleaned = list(dict.fromkeys(value.strip() for value in values))  # order kept, repeats dropped
        for value in cleaned:
            if not _BARCODE_RE.match(value):
                raise serializers.ValidationError(
                    _("Barcode %(value)s may contain only printable Latin characters and digits, without spaces.")
                    % {"value": value}
                )
        taken = Barcode.objects.filter(value__in=cleaned).select_related("variant")
        if self.instance is not None:
            taken = taken.exclude(variant=self.instance)
        errors = [
            _("Barcode %(value)s is already used by variant %(sku)s.") % {"value": b.value, "sku": b.variant.sku}
            for b in taken
        ]
        if errors:
            raise serializers.ValidationError(errors)
        return cleaned

    def validate(self, attrs):
        instance = self.instance
        is_kit = attrs.get("is_kit", instance.is_kit if instance else False)
        components = attrs.get("components")
        if not is_kit:
            if components:
                raise serializers.ValidationError({"components": _("Only a kit has components; set is_kit.")})
            if components is None and instance is not None and instance.components.exists():
                raise serializers.ValidationError(
                    {"is_kit": _("This kit still has components: send \"components\": [] to remove them.")}
                )
        elif instance is not None and not instance.is_kit:
            parent_kits = list(instance.used_in_kits.values_list("kit__sku", flat=True)[:5])
            if parent_kits:
                raise serializers.ValidationError(
                    {"is_kit": _("This variant is a component of kits %(kits)s; a kit cannot contain kits.")
                     % {"kits": ", ".join(parent_kits)}}
                )
        if components:
            self._validate_components(components)
        return attrs

    def _validate_components(self, components: list[dict]) -> None:
        # Errors keyed by item index, the way DRF reports a list serializer's invalid items.
        seen: set[int] = set()
        errors: dict[int, dict] = {}
        for index, item in enumerate(components):
            component = item["component"]
            if self.instance is not None and component.pk == self.instance.pk:
                errors[index] = {"variant": [_("A kit cannot contain itself.")]}
            elif component.is_kit:
                errors[index] = {"variant": [_("A kit cannot contain another kit (%(sku)s).") % {"sku": component.sku}]}
            elif component.pk in seen:
                errors[index] = {"variant": [_("Variant %(sku)s is listed twice.") % {"sku": component.sku}]}
            seen.add(component.pk)
        if errors:
            raise serializers.ValidationError({"components": errors})

    def create(self, validated_data):
        barcodes = validated_data.pop("barcodes", None)
        components = validated_data.pop("components", None)
        with transaction.atomic():
            variant = super().create(validated_data)
            self._save_relations(variant, barcodes, components)
        return variant

    def update(self, instance, validated_data):
        barcodes = validated_data.pop("barcodes", None)
        components = validated_data.pop("components", None)
        with transaction.atomic():
            variant = super().update(instance, validated_data)
            self._save_relations(variant, barcodes, components)
        return variant

    @staticmethod
    def _save_relations(variant: Variant, barcodes: list[str] | None, components: list[dict] | None) -> None:
        if barcodes is not None:
            Barcode.objects.filter(variant=variant).exclude(value__in=barcodes).delete()
            existing = set(Barcode.objects.filter(variant=variant).values_list("value", flat=True))
            Barcode.objects.bulk_create(
                [
                    Barcode(
                        organization_id=variant.organization_id, variant=variant, value=value, kind=barcode_kind(value)
                    )
                    for value in barcodes
                    if value not in existing
                ]
            )
        if components is not None:
            KitComponent.objects.filter(kit=variant).delete()
            KitComponent.objects.bulk_create(
                [
                    KitComponent(
                        organization_id=variant.organization_id, kit=variant, component=item["component"],
                        quantity=item["quantity"],
                    )
                    for item in components
                ]
            )


class ListingSerializer(serializers.ModelSerializer):
    variant = serializers.PrimaryKeyRelatedField(queryset=Variant.objects)
    connection = serializers.PrimaryKeyRelatedField(queryset=Connection.objects)
    sku = serializers.CharField(source="variant.sku", read_only=True)
    marketplace = serializers.ChoiceField(source="connection.marketplace", choices=Marketplace.choices, read_only=True)
    attributes = JSONObjectField(required=False, help_text=_("Marketplace attribute values for this listing."))

    class Meta:
        model = Listing
        fields = [
            "id", "variant", "sku", "connection", "marketplace", "offer_id", "external_product_id", "external_sku",
            "stock_key", "price", "old_price", "status", "marketplace_status", "category_id", "attributes",
            "sync_state", "stock_dirty_at", "pushed_quantity", "pushed_at", "push_error", "marketplace_quantity",
            "marketplace_quantity_at", "created_at", "updated_at",
        ]
        read_only_fields = [
            "sync_state", "stock_dirty_at", "pushed_quantity", "pushed_at", "push_error", "marketplace_quantity",
            "marketplace_quantity_at",
        ]
        extra_kwargs = {"price": NON_NEGATIVE_MONEY, "old_price": NON_NEGATIVE_MONEY}
        validators = []  # uniqueness is checked in validate(), with a message on the field at fault

    def validate(self, attrs):
        instance = self.instance
        connection = attrs.get("connection", instance.connection if instance else None)
        variant = attrs.get("variant", instance.variant if instance else None)
        offer_id = attrs.get("offer_id", instance.offer_id if instance else None)
        others = Listing.objects.filter(connection=connection)
        if instance is not None:
            others = others.exclude(pk=instance.pk)
        if others.filter(offer_id=offer_id).exists():
            raise serializers.ValidationError(
                {"offer_id": _("This connection already has a listing with this offer id.")}
            )
        if others.filter(variant=variant).exists():
            raise serializers.ValidationError({"variant": _("This variant is already listed on this connection.")})
        return attrs

