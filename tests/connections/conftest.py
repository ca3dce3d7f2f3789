"""Connection pages: a logged-in owner, role helpers and the shared sandbox over real HTTP."""

from __future__ import annotations

import pytest

from oms.choices import Role
from tests.connectors.conftest import control, sandbox, sandbox_server  # noqa: F401 - shared sandbox fixtures
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def logged_in(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def as_role(client, org):
    """``as_role("viewer")`` logs the test client in as a fresh member of ``org`` with that role."""

    def login(role: str):
        user = UserFactory(email=f"{role}@alpha.test")
        MembershipFactory(user=user, organization=org, role=role)
        client.force_login(user)
        return client

    return login


VIEWER = Role.VIEWER
