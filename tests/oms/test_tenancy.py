import pytest

from catalog.models import Product
from oms.tenancy import TenantScopeError, all_tenants_scope, organization_scope
from tests.factories import ProductFactory


def test_querying_a_tenant_model_without_an_organization_in_scope_fails_loudly(org):
    ProductFactory(organization=org)
    with pytest.raises(TenantScopeError):
        list(Product.objects.all())


def test_the_default_manager_sees_only_the_organization_in_scope(org, other_org):
    mine = ProductFactory(organization=org, title="Mine")
    ProductFactory(organization=other_org, title="Theirs")
    with organization_scope(org):
        assert list(Product.objects.all()) == [mine]
        assert not Product.objects.filter(title="Theirs").exists()


def test_crossing_tenants_is_a_deliberate_spelled_out_choice(org, other_org):
    ProductFactory(organization=org)
    ProductFactory(organization=other_org)
    assert Product.all_tenants.count() == 2
    with all_tenants_scope():
        assert Product.objects.count() == 2


def test_new_rows_take_the_organization_in_scope(org):
    with organization_scope(org):
        product = Product.objects.create(title="Created in scope")
    assert product.organization_id == org.pk


def test_related_managers_are_scoped_too(org, other_org):
    from tests.factories import VariantFactory

    variant = VariantFactory(organization=org)
    with organization_scope(other_org):
        assert list(variant.product.variants.all()) == []
    with organization_scope(org):
        assert list(variant.product.variants.all()) == [variant]


def test_an_empty_queryset_needs_no_scope(org):
    ProductFactory(organization=org)
    assert list(Product.objects.none()) == []
