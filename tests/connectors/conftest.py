"""A sandbox per test session over real HTTP on loopback; its world is reset before each test that uses it."""

from __future__ import annotations

import importlib.util

import pytest

from connectors.sandbox.client import SandboxControl
from connectors.sandbox.registry import APPS
from connectors.sandbox.server import Sandbox
from connectors.specs import specs_available


@pytest.fixture(scope="session")
def sandbox_server():
    # Strict: a request that breaks the official spec is refused as the marketplace would, and recorded.
    present = [mp for mp, path in APPS.items() if importlib.util.find_spec(path.rsplit(".", 1)[0])]
    server = Sandbox(strict_specs=True, marketplaces=present).start()
    yield server
    server.stop()


@pytest.fixture
def sandbox(sandbox_server):
    sandbox_server.world.reset()
    yield sandbox_server
    violations = list(sandbox_server.world.spec_violations)
    sandbox_server.world.reset()
    assert not violations, "traffic broke the official specs:\n" + "\n".join(violations[:20])


@pytest.fixture
def control(sandbox):
    """Control clients per marketplace: ``control["wb"].create_seller(...)``."""
    return {marketplace: SandboxControl(url) for marketplace, url in sandbox.urls.items()}


@pytest.fixture
def specs_for():
    return specs_available
