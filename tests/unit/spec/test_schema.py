"""`leadsync schema` accepts what `validate` accepts: every shipped spec, every valid fixture, overlays,
and every spec valid by construction; and refuses what the model refuses."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings

from leadsync.cli import main_group
from leadsync.resources import presets_dir
from leadsync.spec.load import load_spec
from leadsync.spec.nodes import to_plain
from leadsync.spec.schema import json_schema
from leadsync.spec.yamlload import parse_text, read_file
from strategies import valid_specs

REPO = Path(__file__).resolve().parents[3]
SHIPPED = sorted(presets_dir().glob("*.yaml")) + sorted((REPO / "config" / "clients").glob("*.yaml"))
FIXTURES = sorted((REPO / "tests" / "fixtures" / "specs").rglob("*.yaml"))
VALIDATOR = jsonschema.Draft202012Validator(json_schema())


def data(path: Path):
    """The file as the loader reads it (YAML 1.2: `on:` stays a text key, dates stay text)."""
    return to_plain(read_file(path, str(path)).root)


def errors(value) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(value)]


def test_the_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(json_schema())


def test_leadsync_schema_prints_it():
    result = CliRunner().invoke(main_group, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.output) == json.loads(json.dumps(json_schema()))


@pytest.mark.parametrize("path", SHIPPED + FIXTURES, ids=lambda p: str(p.relative_to(p.parents[1])))
def test_every_shipped_spec_and_valid_fixture_matches_the_schema(path):
    assert load_spec(path).ok  # valid for validate (an overlay with its base) ...
    assert errors(data(path)) == []  # ... and for the schema, on its own


OVERLAYS = {
    "a remove, a placement and a partial item": "extends: base.yaml\nstatuses:\n  - value: Old\n    remove: true\n"
                                                 "  - value: Nurture\n    after: Working\n  - value: New\n"
                                                 "    label: Fresh\n",
    "a preset base and partial mappings": "extends: preset:lifecycle\nname: acme\nguards: {bypass_permission: X}\n"
                                          "unqualified_reasons: {label: Why}\n"
                                          "transitions:\n  - name: Converted\n    on: update\n",
    "scenarios merge by name": "extends: base.yaml\nscenarios:\n  - {name: S, remove: true}\n",
}


@pytest.mark.parametrize("text", OVERLAYS.values(), ids=OVERLAYS.keys())
def test_overlays_match_the_schema(text):
    assert errors(to_plain(parse_text(text, "o.yaml").root)) == []


REFUSED = {
    "an unknown key": "leadsync: 1\nname: x\nstages: [{value: A}, {value: B}]\nstatuses: [{value: N}, {value: W}]\n"
                      "stauses: []\n",
    "overlay keys without extends": "leadsync: 1\nname: x\nstages: [{value: A, remove: true}, {value: B}]\n"
                                    "statuses: [{value: N}, {value: W}]\n",
    "a complete spec without stages": "leadsync: 1\nname: x\nstatuses: [{value: N}, {value: W}]\n",
    "an overlay item without its key": "extends: base.yaml\nstages: [{label: A}]\n",
    "after and before together": "extends: base.yaml\nstages: [{value: A, after: B, before: C}]\n",
    "a partial condition in an overlay": "extends: base.yaml\ntransitions: [{name: T, when: [{field: X}]}]\n",
}


@pytest.mark.parametrize("text", REFUSED.values(), ids=REFUSED.keys())
def test_what_the_model_refuses_the_schema_refuses(text):
    assert errors(to_plain(parse_text(text, "s.yaml").root)) != []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_specs())
def test_every_spec_valid_by_construction_matches_the_schema(spec):
    assert errors(spec) == []
