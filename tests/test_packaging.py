"""Templates and presets ship inside the wheel and are found from the installed package."""

from __future__ import annotations

from importlib.metadata import files
from pathlib import Path

import pytest

import leadsync
from leadsync.resources import preset_names, presets_dir, templates_dir

REPO = Path(__file__).resolve().parents[1]


def installed_from_wheel() -> bool:
    return Path(leadsync.__file__).resolve().parent != REPO / "src" / "leadsync"


def test_every_template_and_preset_of_the_repo_is_found():
    assert {p.name for p in (REPO / "metadata_templates").glob("*.j2")} <= {p.name for p in templates_dir().glob("*.j2")}
    assert {p.stem for p in (REPO / "config" / "presets").glob("*.yaml")} == set(preset_names())


@pytest.mark.skipif(not installed_from_wheel(), reason="an editable install reads the repo's folders")
def test_a_wheel_install_reads_its_own_copies_not_the_source_tree():
    package = Path(leadsync.__file__).resolve().parent
    assert templates_dir().resolve().is_relative_to(package)
    assert presets_dir().resolve().is_relative_to(package)
    shipped = {str(f) for f in files("leadsync") or ()}
    assert "leadsync/metadata_templates/Flow.xml.j2" in shipped
    assert "leadsync/presets/lifecycle.yaml" in shipped
