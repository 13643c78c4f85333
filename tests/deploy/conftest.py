"""Fixtures for the static checks of docker-compose.yml, the Dockerfile and deploy/."""

from __future__ import annotations

import copy

import pytest

from tests.deploy import compose as c


@pytest.fixture(scope="session")
def _compose_once() -> dict:
    if c.yaml is None:
        pytest.fail("PyYAML is missing: tests/deploy parse docker-compose.yml with it "
                    "(add pyyaml to the dev extra in pyproject.toml)")
    return c.load()


@pytest.fixture
def compose(_compose_once) -> dict:
    """docker-compose.yml as Compose sees it with only SECRET_KEY set: a copy each test may change."""
    return copy.deepcopy(_compose_once)
