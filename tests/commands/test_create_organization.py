"""``manage.py create_organization``: an organization, its owner and a token — and nothing new the second time."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.authtoken.models import Token

from oms.choices import Role
from oms.models import Membership, Organization, User
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Sturdy-pass-2024"


def create_organization(*args: str) -> str:
    out = StringIO()
    call_command("create_organization", *args, stdout=out)
    return out.getvalue()


def printed_token(output: str) -> str:
    return next(line.split(":", 1)[1].strip() for line in output.splitlines() if line.startswith("API token:"))


def test_creates_the_organization_the_owner_and_prints_the_owners_api_token():
    output = create_organization("Ромашка", "--owner", "Anna@Example.com", "--password", PASSWORD)

    organization = Organization.objects.get(name="Ромашка")
    user = User.objects.get(email="anna@example.com")
    assert user.check_password(PASSWORD)
    assert Membership.objects.get(user=user, organization=organization).role == Role.OWNER
    assert printed_token(output) == Token.objects.get(user=user).key


def test_a_cyrillic_name_gets_a_transliterated_slug():
    create_organization("ООО Щедрый Ёжик", "--owner", "owner@example.com", "--password", PASSWORD)

    assert Organization.objects.get(name="ООО Щедрый Ёжик").slug == "ooo-shchedryy-ezhik"


def test_a_slug_already_taken_by_another_organization_gets_a_suffix():
    OrganizationFactory(name="Alpha Old", slug="alpha")

    create_organization("Alpha", "--owner", "owner@example.com", "--password", PASSWORD)

    assert Organization.objects.get(name="Alpha").slug == "alpha-2"


def test_a_second_run_changes_nothing_says_so_and_prints_the_same_token():
    first = create_organization("Ромашка", "--owner", "anna@example.com", "--password", PASSWORD)
    counts = (Organization.objects.count(), User.objects.count(), Membership.objects.count(), Token.objects.count())

    second = create_organization("Ромашка", "--owner", "anna@example.com", "--password", PASSWORD)

    assert "nothing changed" in second
    assert printed_token(second) == printed_token(first)
    assert counts == (
        Organization.objects.count(), User.objects.count(), Membership.objects.count(), Token.objects.count()
    )


def test_an_existing_user_with_the_same_password_becomes_owner_of_a_new_organization():
    user = UserFactory(email="boss@example.com")  # factory password: secret-pass-123

    create_organization("Second Shop", "--owner", "boss@example.com", "--password", "secret-pass-123")

    assert Membership.objects.get(user=user, organization__name="Second Shop").role == Role.OWNER
    assert User.objects.filter(email="boss@example.com").count() == 1


def test_an_existing_user_with_a_different_password_is_refused_with_a_message():
    UserFactory(email="boss@example.com")

    with pytest.raises(CommandError, match="already exists with a different password"):
        create_organization("Second Shop", "--owner", "boss@example.com", "--password", PASSWORD)
    assert not Organization.objects.filter(name="Second Shop").exists()


def test_a_member_with_another_role_is_not_silently_made_owner():
    organization = OrganizationFactory(name="Shop", slug="shop")
    user = UserFactory(email="clerk@example.com")
    MembershipFactory(user=user, organization=organization, role=Role.WAREHOUSE)

    with pytest.raises(CommandError, match="role 'warehouse', not owner"):
        create_organization("Shop", "--owner", "clerk@example.com", "--password", "secret-pass-123")
    assert Membership.objects.get(user=user, organization=organization).role == Role.WAREHOUSE


def test_an_invalid_email_is_refused_with_a_message():
    with pytest.raises(CommandError, match="not a valid e-mail address"):
        create_organization("Shop", "--owner", "not-an-email", "--password", PASSWORD)
    assert not User.objects.exists()


def test_a_weak_password_for_a_new_user_is_refused_with_the_validators_reasons():
    with pytest.raises(CommandError, match="too weak"):
        create_organization("Shop", "--owner", "owner@example.com", "--password", "12345")
    assert not Organization.objects.exists()


def test_an_empty_name_is_refused_with_a_message():
    with pytest.raises(CommandError, match="must not be empty"):
        create_organization("  ", "--owner", "owner@example.com", "--password", PASSWORD)
