"""The documentation site builds with strict link checks, and its generated reference pages are current.

mkdocs.yml turns every link, anchor and nav problem (a page missing from the nav, a nav entry with no
page) into a warning, and `--strict` makes each warning fail the build.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from leadsync.describe import reference

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("page", sorted(reference.PAGES))
def test_generated_reference_pages_are_current(page):
    expected = getattr(reference, reference.PAGES[page])()
    assert (REPO / "docs" / page).read_text(encoding="utf-8") == expected, (
        f"docs/{page} is stale; regenerate it with: python -m leadsync.describe.reference")


def test_the_command_reference_does_not_depend_on_what_ran_before_it():
    """click remembers a command's help option the first time it is asked for it: the reference must
    build its contexts as the command line does (`-h` too), whichever ran first in the process."""
    from click.testing import CliRunner

    from leadsync.cli import main_group

    first = reference.command_reference()
    for args in (["--help"], ["validate", "--help"], ["local-org", "serve", "-h"]):
        assert CliRunner().invoke(main_group, args).exit_code == 0
    assert reference.command_reference() == first and "`-h`" in first


def test_the_site_builds_strictly(tmp_path):
    if shutil.which("mkdocs") is None and not (Path(sys.executable).parent / "mkdocs").exists():
        pytest.skip("mkdocs is not installed (it is in the test extra)")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "site" / "reference" / "spec" / "index.html").is_file()

