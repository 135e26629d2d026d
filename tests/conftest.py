"""Shared fixtures: paths to the repo's data and to ../shared (tests that need it skip without it)."""

from __future__ import annotations

from pathlib import Path

import pytest

# The local org fixtures (local_org, local_org_factory, sf_client) and the third-party `checkers`.
pytest_plugins = ["fixtures_localorg", "checkers"]

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is absent")
    return SHARED


@pytest.fixture
def corpus_dir(shared_dir: Path) -> Path:
    return shared_dir / "corpus"
