"""`validate` remembers results for unchanged files, and forgets them when anything they read changes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from leadsync.cli import main_group
from leadsync.resources import presets_dir

BASE = (presets_dir() / "salesforce-default.yaml").read_text()
OVERLAY = "leadsync: 1\nname: client\nextends: base.yaml\nstatuses:\n  - value: Nurture\n    after: Contacted\n"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("LEADSYNC_CACHE_DIR", str(folder))
    monkeypatch.delenv("LEADSYNC_NO_CACHE", raising=False)
    return folder


def validate(*args: str):
    return CliRunner().invoke(main_group, ["validate", *args])


def entries(cache: Path) -> list[Path]:
    return sorted((cache / "validate").rglob("*.json")) if (cache / "validate").exists() else []


def test_a_remembered_result_prints_the_same(cache: Path, tmp_path: Path):
    spec = tmp_path / "s.yaml"
    spec.write_text(BASE.replace("Contacted", "Contacted\n  - value: Contacted"))  # a duplicate: errors
    first = validate(str(spec))
    assert first.exit_code == 1 and len(entries(cache)) == 1
    second = validate(str(spec))
    assert (second.exit_code, second.output) == (first.exit_code, first.output)


def test_editing_a_base_file_invalidates_the_overlay(cache: Path, tmp_path: Path):
    (tmp_path / "base.yaml").write_text(BASE)
    client = tmp_path / "client.yaml"
    client.write_text(OVERLAY)
    assert validate(str(client)).exit_code == 0
    (tmp_path / "base.yaml").write_text(BASE.replace("converted: true", "converted: false"))
    result = validate(str(client))
    assert result.exit_code == 1
    assert "LS022" in result.output


def test_editing_the_spec_itself_invalidates(cache: Path, tmp_path: Path):
    spec = tmp_path / "s.yaml"
    spec.write_text(BASE)
    assert validate(str(spec)).exit_code == 0
    spec.write_text(BASE.replace("name: sfdefault", "name: sfdefault\nbogus: 1"))
    result = validate(str(spec))
    assert result.exit_code == 1 and "LS010" in result.output


def test_no_cache_neither_reads_nor_writes(cache: Path, tmp_path: Path):
    spec = tmp_path / "s.yaml"
    spec.write_text(BASE)
    assert validate("--no-cache", str(spec)).exit_code == 0
    assert entries(cache) == []


def test_a_hit_in_a_fresh_process_skips_pydantic_jinja_and_lxml(cache: Path, tmp_path: Path):
    spec = tmp_path / "s.yaml"
    spec.write_text(BASE)
    code = ("import sys; from leadsync.cli import main_group; from click.testing import CliRunner; "
            f"r = CliRunner().invoke(main_group, ['validate', r'{spec}']); "
            "print(r.exit_code, sorted(m for m in ('pydantic', 'jinja2', 'lxml') if m in sys.modules))")
    env_run = lambda: subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip()
    assert env_run() == "0 ['jinja2', 'lxml', 'pydantic']"
    assert env_run() == "0 []"


def test_a_missing_base_is_looked_for_again_next_time(cache: Path, tmp_path: Path):
    client = tmp_path / "client.yaml"
    client.write_text(OVERLAY)
    first = validate(str(client))
    assert first.exit_code == 1 and "LS015" in first.output
    (tmp_path / "base.yaml").write_text(BASE)
    assert validate(str(client)).exit_code == 0
