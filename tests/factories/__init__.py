"""factory_boy factories. Every tenant-owned factory takes ``organization``; related rows follow it."""

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from catalog.models import Barcode, KitComponent, Listing, Product, Variant
from connectors.choices import Marketplace
from connectors.models import Connection
from inventory.choices import WarehouseKind
from inventory.models import Location, Warehouse
from oms.choices import Role
from oms.models import Membership, Organization, User
from orders.choices import OrderStatus, Scheme
from orders.models import Order, OrderLine

SAME_ORG = factory.SelfAttribute("..organization")


class TenantFactory(DjangoModelFactory):
    """Creates rows for the organization it is given, whatever is in scope (tests set data up across tenants)."""

    class Meta:
        abstract = True

    @classmethod
    def _get_manager(cls, model_class):
        return model_class.all_tenants


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Seller {n}")
    slug = factory.Sequence(lambda n: f"seller-{n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Faker("name", locale="ru_RU")
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-123")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy passes the object
        if create:
            obj.save()


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.OWNER


class ConnectionFactory(TenantFactory):
    class Meta:
        model = Connection

    organization = factory.SubFactory(OrganizationFactory)
    marketplace = Marketplace.WB
    name = factory.Sequence(lambda n: f"Shop {n}")
    credentials = factory.LazyFunction(lambda: {"token": "secret-token-value"})


class ProductFactory(TenantFactory):
    class Meta:
        model = Product

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Product {n}")
    brand = "Okno"
    cost_price = Decimal("100.00")


class VariantFactory(TenantFactory):
    class Meta:
        model = Variant

    organization = factory.SubFactory(OrganizationFactory)
    product = factory.SubFactory(ProductFactory, organization=SAME_ORG)
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    price = Decimal("990.00")


class BarcodeFactory(TenantFactory):
    class Meta:
        model = Barcode

    organization = factory.SubFactory(OrganizationFactory)
    variant = factory.SubFactory(VariantFactory, organization=SAME_ORG)
    value = factory.Sequence(lambda n: f"460{n:010d}")


class KitComponentFactory(TenantFactory):
    class Meta:
        model = KitComponent

    organization = factory.SubFactory(OrganizationFactory)
    kit = factory.SubFactory(VariantFactory, organization=SAME_ORG, is_kit=True)
    component = factory.SubFactory(VariantFactory, organization=SAME_ORG)
    quantity = 1


class ListingFactory(TenantFactory):
    class Meta:
        model = Listing

    organization = factory.SubFactory(OrganizationFactory)
    variant = factory.SubFactory(VariantFactory, organization=SAME_ORG)
    connection = factory.SubFactory(ConnectionFactory, organization=SAME_ORG)
    offer_id = factory.SelfAttribute("variant.sku")


class WarehouseFactory(TenantFactory):
    class Meta:
        model = Warehouse

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Warehouse {n}")
    code = factory.Sequence(lambda n: f"WH{n}")
    kind = WarehouseKind.OWN


class LocationFactory(TenantFactory):
    class Meta:
        model = Location

    organization = factory.SubFactory(OrganizationFactory)
    warehouse = factory.SubFactory(WarehouseFactory, organization=SAME_ORG)
    code = factory.Sequence(lambda n: f"A-{n:02d}-01")
    zone = "A"
    aisle = factory.Sequence(lambda n: f"{n:02d}")
    walk_order = factory.Sequence(lambda n: n)


class OrderFactory(TenantFactory):
    class Meta:
        model = Order

    organization = factory.SubFactory(OrganizationFactory)
    connection = factory.SubFactory(ConnectionFactory, organization=SAME_ORG)
    external_id = factory.Sequence(lambda n: f"EXT-{n}")
    number = factory.SelfAttribute("external_id")
    scheme = Scheme.FBS
    status = OrderStatus.NEW
    total = Decimal("990.00")
    items_total = Decimal("990.00")


class OrderLineFactory(TenantFactory):
    class Meta:
        model = OrderLine

    organization = factory.SubFactory(OrganizationFactory)
    order = factory.SubFactory(OrderFactory, organization=SAME_ORG)
    variant = factory.SubFactory(VariantFactory, organization=SAME_ORG)
    sku = factory.SelfAttribute("variant.sku")
    quantity = 1
    price = Decimal("990.00")
    total = Decimal("990.00")
