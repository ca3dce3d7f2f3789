"""Fulfilment tests: batches, documents and handover. The marketplaces are the sandbox over real HTTP (the session
fixtures of ``tests/connectors``); generated files go to a per-test MEDIA_ROOT."""

from __future__ import annotations

import pytest

from tests.connectors.conftest import control, sandbox, sandbox_server  # noqa: F401 - fixtures shared by import
from tests.factories import UserFactory, WarehouseFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def warehouse(org):
    return WarehouseFactory(organization=org, name="Склад Подольск", code="POD")


@pytest.fixture
def packer(org):
    from oms.choices import Role
    from tests.factories import MembershipFactory

    user = UserFactory(email="packer@alpha.test", full_name="Пётр Сборщиков")
    MembershipFactory(user=user, organization=org, role=Role.WAREHOUSE)
    return user
