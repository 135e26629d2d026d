"""Golden files: the full spec rendered in both layouts, kept in tests/golden/ and reviewed like code.

After an intended change to compile.py or a template, regenerate them and review the diff:
    LEADSYNC_UPDATE_GOLDEN=1 python -m pytest tests/unit/render/test_golden.py
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from .conftest import FULL, REPO, files_of

GOLDEN = REPO / "tests" / "golden"
UPDATE = os.environ.get("LEADSYNC_UPDATE_GOLDEN") == "1"


def on_disk(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("layout", ["source", "mdapi"])
def test_full_spec_matches_the_golden_files(layout):
    folder = GOLDEN / FULL.stem / layout
    files = files_of(FULL, layout)
    if UPDATE:
        shutil.rmtree(folder, ignore_errors=True)
        for rel, data in files.items():
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_bytes(data)
    golden = on_disk(folder)
    assert sorted(files) == sorted(golden), "files added or removed: set LEADSYNC_UPDATE_GOLDEN=1 and review"
    for rel, data in files.items():
        assert data.decode() == golden[rel].decode(), f"{rel} changed: set LEADSYNC_UPDATE_GOLDEN=1 and review"
