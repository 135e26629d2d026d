"""`load_spec`: the public result, paths as the user typed them, and the specs the project ships."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from leadsync.diagnostics import Span
from leadsync.resources import presets_dir
from leadsync.spec.load import LoadResult, load_spec
from leadsync.spec.model import Spec

REPO = Path(__file__).resolve().parents[3]
SHIPPED = sorted(presets_dir().glob("*.yaml")) + sorted((REPO / "config" / "clients").glob("*.yaml"))
FIXTURES = [REPO / "tests" / "fixtures" / "specs" / "full.yaml",
            REPO / "tests" / "fixtures" / "specs" / "overlays" / "client.yaml"]

BAD = (REPO / "tests" / "fixtures" / "invalid" / "duplicate_status.yaml").read_text(encoding="utf-8")


def test_a_good_spec(tmp_path):
    result = load_spec(REPO / "tests" / "fixtures" / "specs" / "full.yaml")
    assert isinstance(result, LoadResult) and isinstance(result.spec, Spec)
    assert result.ok and _beyond_lifecycle(result.diagnostics) == []
    assert result.sources == [result.path]
    assert result.spec.statuses[3].value == "Qualified"
    assert str(result.locator[("statuses", 3, "value")]).endswith("full.yaml:35:12")


def test_all_lint_errors_at_once_sorted_with_the_path_as_given(tmp_path, monkeypatch):
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "bad.yaml").write_text(BAD)
    monkeypatch.chdir(tmp_path)
    result = load_spec("specs/bad.yaml")
    assert not result.ok
    assert result.spec is not None  # the shape is right; the lint findings are about its content
    assert [str(d) for d in result.diagnostics] == [
        "specs/bad.yaml:6:1: error LS022: no status has `converted: true`; mark the status converted leads get",
        "specs/bad.yaml:10:12: error LS020: statuses: 'Working' is declared twice (first at line 9); remove one",
    ]


def test_path_objects_and_absolute_paths(tmp_path):
    spec = tmp_path / "bad.yaml"
    spec.write_text(BAD)
    result = load_spec(spec)
    assert result.path == str(spec)
    assert all(d.span.path == str(spec) for d in result.diagnostics)


def test_shape_errors_give_no_model(tmp_path):
    spec = tmp_path / "s.yaml"
    spec.write_text("leadsync: 1\nname: x\nstages: 5\nstatuses: []\n")
    result = load_spec(spec)
    assert result.spec is None and not result.ok
    assert [d.code for d in result.diagnostics] == ["LS011", "LS013"]


def test_warnings_do_not_fail(tmp_path):
    spec = tmp_path / "s.yaml"
    spec.write_text("leadsync: 1\nname: x\nstages: [{value: A}, {value: B}]\n"
                    "statuses: [{value: N, default: true}, {value: W, converted: true}]\n"
                    "transitions: [{name: T, set: {}}]\n")
    result = load_spec(spec)
    assert result.ok and result.spec is not None
    assert [(d.code, d.severity.value) for d in result.diagnostics] == [("LS036", "warning")]


def test_missing_file_is_one_clean_diagnostic(tmp_path):
    result = load_spec(tmp_path / "nope.yaml")
    assert (result.spec, result.ok, result.sources) == (None, False, [])
    assert [d.code for d in result.diagnostics] == ["LS001"]
    assert result.locator[("stages", 0)] == Span(str(tmp_path / "nope.yaml"), 1, 1)


@pytest.mark.parametrize("spec", SHIPPED + FIXTURES, ids=lambda p: p.name)
def test_shipped_presets_clients_and_fixtures_are_clean(spec: Path):
    """Presets and clients are clean. Fixtures exercise features, not advice: the lifecycle warnings
    (LS050-LS055: a create transition setting the status, a transition on a converted status...) that
    the spec format's own example raises are allowed there, nothing else."""
    result = load_spec(spec)
    shown = _beyond_lifecycle(result.diagnostics) if spec in FIXTURES else result.diagnostics
    assert shown == [], [str(d) for d in result.diagnostics]
    assert result.spec is not None


LIFECYCLE_WARNINGS = {"LS050", "LS051", "LS052", "LS053", "LS054", "LS055"}


def _beyond_lifecycle(diagnostics):
    return [d for d in diagnostics if d.code not in LIFECYCLE_WARNINGS or d.is_error]


def test_both_presets_exist():
    assert {p.stem for p in presets_dir().glob("*.yaml")} >= {"salesforce-default", "lifecycle"}


@pytest.mark.shared
def test_the_spec_format_example_is_clean(shared_dir: Path, tmp_path: Path):
    text = (shared_dir / "spec-format.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(.*?)```", text, flags=re.S).group(1)
    example = "\n".join(line for line in example.splitlines() if not line.startswith("extends:"))
    spec = tmp_path / "example.yaml"
    spec.write_text(example)
    result = load_spec(spec)
    # The example shows every key, not a recommended lifecycle: its `New lead` transition sets the
    # status on create (LS055) and lifts every new lead past Subscriber (LS054).
    assert _beyond_lifecycle(result.diagnostics) == [], [str(d) for d in result.diagnostics]
    assert {d.code for d in result.diagnostics} <= LIFECYCLE_WARNINGS
    assert [s.value for s in result.spec.statuses][-1] == "Working"


def test_the_spec_package_stays_light():
    code = ("import sys; from leadsync.spec.load import load_spec; from leadsync.report import text, json; "
            "print(sorted(m for m in ('jinja2', 'lxml', 'rich', 'click', 'simple_salesforce', 'requests') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
