from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from oms.choices import Role
from oms.tenancy import organization_scope
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

PASSWORD = "secret-pass-123"


@pytest.fixture
def org(db):
    return OrganizationFactory(name="Alpha Trade", slug="alpha")


@pytest.fixture
def other_org(db):
    return OrganizationFactory(name="Beta Goods", slug="beta")


@pytest.fixture
def owner(org):
    user = UserFactory(email="owner@alpha.test")
    MembershipFactory(user=user, organization=org, role=Role.OWNER)
    return user


@pytest.fixture
def in_org(org):
    """Run the test body with ``org`` in tenant scope, as a request of its member would."""
    with organization_scope(org):
        yield org


def member(org, role: str, email: str):
    user = UserFactory(email=email)
    MembershipFactory(user=user, organization=org, role=role)
    return user


@pytest.fixture
def api(owner) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=owner)[0].key}")
    return client


def api_client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture
def browser_client(client, owner):
    client.force_login(owner)
    return client
