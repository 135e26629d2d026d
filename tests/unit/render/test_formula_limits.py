"""Every formula leadsync renders stays within Salesforce's limits (issue 6, point 3): the shortest
equivalent formula is rendered, and one that still does not fit is an error (LS902) naming the guard
or transition and its length. `OR(x)` with one argument is never rendered."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
import yaml

from leadsync.build import build
from leadsync.metadata.formula import FORMULA_MAX, compact

from .conftest import SPEC_IDS, SPECS, bundle_of


def built(spec: dict):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "leadsync.yaml")
        path.write_text(yaml.safe_dump(spec, sort_keys=False, width=10_000), encoding="utf-8")
        return build(str(path)), path.read_text().splitlines()


def many_stages(n: int, width: int) -> list[str]:
    return [f"Stage {i:03d} " + "x" * (width - 10) for i in range(n)]


def spec_with(stages: list[str], **extra) -> dict:
    return {"leadsync": 1, "name": "Long", "stages": [{"value": s} for s in stages],
            "statuses": [{"value": "New", "default": True}, {"value": "Unqualified", "requires_reason": True},
                         {"value": "Qualified", "converted": True}],
            "unqualified_reasons": {"values": ["Bad fit"]}, **extra}


def formulas(bundle) -> list[str]:
    return [r.formula for r in bundle.lead.validation_rules] + [f.expression for fl in bundle.flows
                                                                 for f in fl.formulas]


@pytest.mark.parametrize("path", SPECS, ids=SPEC_IDS)
def test_no_formula_has_an_or_of_one_argument_and_every_one_fits(path):
    for text in formulas(bundle_of(path)):
        assert len(text) <= FORMULA_MAX
        for m in re.finditer(r"\bOR\(", text):
            depth, i, commas = 1, m.end(), 0
            while depth:
                ch = text[i]
                depth += (ch == "(") - (ch == ")")
                commas += ch == "," and depth == 1
                i += 1 if ch not in "\"'" else 0
                if ch in "\"'":  # skip a string literal
                    i = text.index(ch, i + 1) + 1
                    continue
            assert commas >= 1, f"OR with one argument in {text}"


def test_a_single_status_needing_a_reason_is_one_ispickval():
    result, _ = built(spec_with(["Lead", "MQL"]))
    assert result.ok, result.diagnostics
    rule = next(r for r in result.bundle.lead.validation_rules if r.full_name.endswith("_Required"))
    assert 'ISPICKVAL(Status, "Unqualified")' in rule.formula and "OR(ISPICKVAL" not in rule.formula


def test_long_stage_lists_get_the_shorter_equivalent_formula():
    stages = many_stages(45, 90)  # a full CASE rank over them is over 4,000 characters
    transitions = [{"name": "Late", "when": [{"status": "Qualified"}], "set": {"stage": stages[-1]}}]
    result, _ = built(spec_with(stages, guards={"status_requires_stage": stages[-2], "forward_only_stages": False},
                                transitions=transitions))
    assert result.ok, "\n".join(map(str, result.diagnostics))
    for text in formulas(result.bundle):
        assert len(text) <= FORMULA_MAX
    guard = next(r for r in result.bundle.lead.validation_rules if r.full_name.startswith("Status_Requires_"))
    assert f'CASE(TEXT(Lead_Stage__c), "{stages[-2]}", 0, "{stages[-1]}", 0, 1) = 1' in guard.formula


def test_a_formula_that_cannot_fit_is_an_error_naming_the_guard_and_its_length():
    stages = many_stages(45, 90)
    result, lines = built(spec_with(stages, guards={"forward_only_stages": True}))
    assert not result.ok
    found = [d for d in result.diagnostics if d.code == "LS902"]
    assert len(found) == 1, result.diagnostics
    d = found[0]
    rule = next(r for r in result.bundle.lead.validation_rules if r.full_name.endswith("_Forward_Only"))
    assert "the guard forward_only_stages" in d.message and f"{len(rule.formula):,} characters" in d.message
    assert "3,900" in d.message
    assert "forward_only_stages" in lines[d.span.line - 1]
    assert len(rule.formula) == len(compact(rule.formula)), "the compact form was tried"


def test_a_default_guard_that_cannot_fit_points_at_the_stages():
    result, lines = built(spec_with(many_stages(45, 90)))  # forward_only_stages is on by default
    d = next(d for d in result.diagnostics if d.code == "LS902")
    assert "the guard forward_only_stages" in d.message
    assert lines[d.span.line - 1].startswith("stages:") or "value:" in lines[d.span.line - 1]


def test_a_stage_formula_that_cannot_fit_names_the_transition():
    stages = many_stages(45, 90)
    transitions = [{"name": "Early", "when": [{"status": "Qualified"}], "set": {"stage": stages[0]}}]
    result, lines = built(spec_with(stages, guards={"forward_only_stages": False}, transitions=transitions))
    found = [d for d in result.diagnostics if d.code == "LS902"]
    assert found and "transition 'Early'" in found[0].message and "flow formula" in found[0].message
    assert "stage:" in lines[found[0].span.line - 1]


def test_the_cli_reports_it_as_an_error(tmp_path):
    from click.testing import CliRunner

    from leadsync.cli import main_group

    spec = tmp_path / "leadsync.yaml"
    spec.write_text(yaml.safe_dump(spec_with(many_stages(45, 90), guards={"forward_only_stages": True}),
                                   sort_keys=False, width=10_000))
    result = CliRunner().invoke(main_group, ["validate", str(spec), "--no-cache"])
    assert result.exit_code == 1 and "error LS902" in result.output, result.output


@pytest.mark.shared
def test_the_shorter_forms_parse_in_formulon_and_evaluate_in_sformula(checkers, tmp_path):
    """The CASE forms leadsync falls back on, through the third-party formula engines (../shared/checks),
    evaluated as on a create (sformula cannot evaluate ISNEW/ISCHANGED; see test_third_party_checks)."""
    import sys

    from leadsync.render.output import write_tree

    stages = many_stages(45, 90)
    spec = spec_with(stages, guards={"status_requires_stage": stages[-2], "forward_only_stages": False},
                     transitions=[{"name": "Late", "when": [{"status": "Unqualified"}], "set": {"stage": stages[-1]}}])
    spec["statuses"].insert(2, {"value": "Working", "requires_reason": True})
    path = tmp_path / "long.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False, width=10_000))
    result = build(str(path))
    assert result.ok and "CASE(TEXT(Lead_Stage__c)" in result.files["objects/Lead.object"].decode()
    on_create = re.sub(rb"OR\(ISNEW\(\), ISCHANGED\([^()]*\)(, ISCHANGED\([^()]*\))*\)", b"TRUE",
                       result.files["objects/Lead.object"])
    write_tree({**result.files, "objects/Lead.object": on_create}, tmp_path / "md")
    done = checkers.run([sys.executable, str(checkers.scripts / "formulas.py"), str(path), str(tmp_path / "md")])
    assert done.returncode == 0 and done.stdout.strip() == "", done.stdout + done.stderr
