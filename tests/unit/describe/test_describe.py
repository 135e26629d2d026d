"""The lifecycle in words and pictures: what `leadsync diagram` and `leadsync docs` say about a spec."""

from __future__ import annotations

import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from leadsync.cli import main_group
from leadsync.describe.diagram import dot, mermaid
from leadsync.describe.handbook import handbook
from leadsync.describe.lifecycle import describe
from leadsync.resources import presets_dir
from leadsync.spec.load import load_spec

REPO = Path(__file__).resolve().parents[3]
PRESETS = sorted(presets_dir().glob("*.yaml"))
SPECS = [*PRESETS, REPO / "tests/fixtures/specs/full.yaml", *sorted((REPO / "config/clients").glob("*.yaml"))]


def lifecycle_of(path: Path):
    loaded = load_spec(path)
    assert loaded.ok, [str(d) for d in loaded.diagnostics]
    return describe(loaded.spec)


def spec_text(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "leadsync.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


SMALL = """
    leadsync: 1
    name: small
    stages:
      - {value: Lead, description: Known person.}
      - {value: MQL, hubspot: marketingqualifiedlead}
      - {value: SQL}
      - {value: Opportunity}
    statuses:
      - {value: New, default: true}
      - {value: Working}
      - {value: Won, converted: true}
      - {value: Junk, requires_reason: true, description: 'Not a real "lead"'}
    unqualified_reasons: {values: [Spam, Duplicate]}
    guards: {status_requires_stage: MQL}
    transitions:
      - {name: Created, on: create, set: {stage: Lead}}
      - {name: Scored, when: [{field: Lead_Score__c, op: gte, value: 50}], set: {stage: MQL}}
      - {name: Worked, when: [{status: Working}], set: {stage: SQL}}
      - {name: From MQL, when: [{stage: MQL}, {changed: status}], set: {status: Working}}
      - {name: Converted, when: [{converted: true}], set: {stage: Opportunity}}
"""


def test_statuses_apply_from_the_guard_floor_raised_by_the_automation(tmp_path):
    lc = lifecycle_of(spec_text(tmp_path, SMALL))
    # the default status is allowed everywhere; the guard floor is MQL; 'Worked' pushes Working to SQL;
    # the converted status belongs where conversion puts the lead.
    assert lc.status_stage == {"New": "Lead", "Working": "SQL", "Won": "Opportunity", "Junk": "MQL"}
    assert lc.statuses_at("MQL") == ["Junk"]


def test_without_a_guard_statuses_apply_from_where_new_leads_start(tmp_path):
    body = SMALL.replace("guards: {status_requires_stage: MQL}", "guards: {forward_only_stages: true}")
    body = body.replace("- {value: MQL, hubspot: marketingqualifiedlead}", "- {value: MQL, default: true}")
    lc = lifecycle_of(spec_text(tmp_path, body))
    assert lc.status_stage == {"New": "MQL", "Working": "SQL", "Won": "Opportunity", "Junk": "MQL"}


def test_transitions_in_plain_words(tmp_path):
    lc = lifecycle_of(spec_text(tmp_path, SMALL))
    sentences = {m.name: m.sentence for m in lc.moves}
    assert sentences["Created"] == "When a lead is created: stage becomes Lead (unless it is already there or later)."
    assert sentences["Scored"] == ("Whenever a lead is saved and Lead_Score__c ≥ 50: stage becomes MQL "
                                   "(unless it is already there or later).")
    assert sentences["From MQL"] == "Whenever a lead is saved and stage is MQL and status changes: status becomes Working."
    assert sentences["Converted"].startswith("Whenever a lead is saved and the lead is being converted: stage becomes")


def test_mermaid_puts_every_stage_and_status_in_order_with_labelled_arrows(tmp_path):
    text = mermaid(lifecycle_of(spec_text(tmp_path, SMALL)))
    assert text.startswith("flowchart LR\n")
    assert text.count("subgraph ") == text.count("\n  end") == 4
    assert "stage0 ==> stage1 ==> stage2 ==> stage3" in text
    assert 'start -->|"Created"| stage0' in text
    assert 'stage1 -.->|"Worked: status is Working (from any earlier stage)"| stage2' in text  # dashed
    assert 'stage1 -->|"From MQL: stage is MQL and status changes"| status1' in text
    assert 'status3["Junk 🔒"]' in text and 'subgraph stage1_group["MQL 🔒"]' in text
    assert "#quot;lead#quot;" not in text  # descriptions are not in the picture...
    assert "Any status other than New needs the stage at MQL or later." in text  # ...guards are


def test_a_new_lead_enters_at_the_default_stage_when_no_transition_sets_one(tmp_path):
    # the lifecycle preset has no on-create transition: new leads get the stage picklist's default
    lc = lifecycle_of(presets_dir() / "lifecycle.yaml")
    lead = {s.value: f"stage{i}" for i, s in enumerate(lc.spec.stages)}["Lead"]
    assert f'start -->|"starts here"| {lead}' in mermaid(lc)
    assert f'start -> {lead} [label="starts here"' in dot(lc)
    # an on-create transition draws its own arrow, and no second one
    text = mermaid(lifecycle_of(spec_text(tmp_path, SMALL.replace("{value: MQL,", "{value: MQL, default: true,"))))
    assert 'start -->|"Created"| stage0' in text and "starts here" not in text


def test_mermaid_escapes_what_would_end_a_label(tmp_path):
    body = SMALL.replace("{name: Created,", "{name: 'Created \"web\" <form> #1',")
    text = mermaid(lifecycle_of(spec_text(tmp_path, body)))
    assert '|"Created #quot;web#quot; #lt;form#gt; #35;1"|' in text


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.name)
def test_every_shipped_spec_draws_deterministically(path):
    lc = lifecycle_of(path)
    assert mermaid(lc) == mermaid(lifecycle_of(path)) and dot(lc) == dot(lifecycle_of(path))
    for stage in lc.spec.stages:
        assert f'(["{stage.value}"])' in mermaid(lc)
    for status in lc.spec.statuses:
        assert status.display_label in mermaid(lc)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.name)
def test_graphviz_lays_out_the_dot_of_every_shipped_spec(path):
    done = subprocess.run(["dot", "-Tsvg"], input=dot(lifecycle_of(path)).encode(), capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
    svg = done.stdout.decode()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert all(s.display_label in svg for s in lifecycle_of(path).spec.stages)


def test_handbook_says_what_everything_means(tmp_path):
    text = handbook(lifecycle_of(spec_text(tmp_path, SMALL)))
    assert text.startswith("# Lead lifecycle: small\n")
    assert "```mermaid\nflowchart LR\n" in text
    assert "| 1 | Lead | Known person. New leads start here. |" in text
    assert '| Junk | Not a real "lead" Needs an unqualified reason. | MQL |' in text
    assert "- **Worked**. Whenever a lead is saved and status is Working: stage becomes SQL" in text
    assert "- Status Junk needs a value in Unqualified Reason." in text
    assert "When a lead is Junk, say why in **Unqualified Reason**:\n\n- Spam\n- Duplicate\n" in text
    assert "| MQL | `marketingqualifiedlead` |" in text


def test_handbook_escapes_table_cells(tmp_path):
    body = SMALL.replace("Known person.", "'Known | person.'")
    assert "| 1 | Lead | Known \\| person. New leads start here. |" in handbook(lifecycle_of(spec_text(tmp_path, body)))


@pytest.mark.parametrize("path", PRESETS, ids=lambda p: p.name)
def test_preset_handbooks_describe_every_stage_and_status(path):
    lc = lifecycle_of(path)
    text = handbook(lc)
    for item in (*lc.spec.stages, *lc.spec.statuses):
        if item.description:
            assert item.description.replace("|", "\\|") in text
    assert all(f"**{t.name}**" in text for t in lc.spec.transitions)


# --- the commands ---------------------------------------------------------------------------------


def run(args, **kw):
    return CliRunner().invoke(main_group, args, catch_exceptions=False, **kw)


def test_diagram_and_docs_write_files(tmp_path):
    spec = spec_text(tmp_path, SMALL)
    out = run(["diagram", str(spec), "--format", "dot", "-o", str(tmp_path / "d.dot")])
    assert out.exit_code == 0, out.output
    assert (tmp_path / "d.dot").read_text().startswith('digraph "small lifecycle" {')
    out = run(["docs", str(spec), "-o", str(tmp_path / "handbook.md")])
    assert out.exit_code == 0, out.output
    assert "## What moves a lead" in (tmp_path / "handbook.md").read_text()
    assert run(["diagram", str(spec)]).stdout.startswith("flowchart LR")  # warnings go to stderr


def test_an_invalid_spec_gets_its_diagnostics_and_exit_1(tmp_path):
    spec = spec_text(tmp_path, SMALL.replace("set: {stage: SQL}", "set: {stage: SQLL}"))
    for command in ("diagram", "docs"):
        out = run([command, str(spec)])
        assert out.exit_code == 1
        assert re.search(r"leadsync.yaml:\d+:\d+: error LS\d+: .*SQLL", out.output), out.output


def test_svg_without_graphviz_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot here
    out = run(["diagram", str(spec_text(tmp_path, SMALL)), "--format", "svg"])
    assert out.exit_code == 1
    assert "install Graphviz" in out.output and "--format mermaid" in out.output
