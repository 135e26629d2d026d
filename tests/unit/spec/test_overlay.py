"""`extends`: lists merge by key with after/before/remove, mappings merge, spans stay per layer."""

from __future__ import annotations

from pathlib import Path

from leadsync.spec.load import load_spec
from leadsync.spec.nodes import to_plain
from leadsync.spec.overlay import merge
from leadsync.spec.yamlload import parse_text

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "specs" / "overlays"


def merged(base: str, over: str):
    result, problems = merge(parse_text(base, "base.yaml").root, parse_text(over, "over.yaml").root)
    return to_plain(result), result, problems


def test_three_layers_merge_in_order(monkeypatch):
    monkeypatch.chdir(FIXTURES)
    result = load_spec("client.yaml")
    assert result.ok, [str(d) for d in result.diagnostics]
    assert result.sources == ["client.yaml", "team.yaml", "base.yaml"]
    spec = result.spec
    assert spec.name == "client"
    assert [s.value for s in spec.stages] == ["Subscriber", "Lead", "MQL", "SQL", "Opportunity"]
    assert [(s.value, s.label) for s in spec.statuses] == [
        ("New", None), ("Working", "Being worked"), ("Nurture", None), ("Bad Timing", None), ("Qualified", None)]
    assert spec.unqualified_reasons.values == ["Duplicate"]  # replaced whole
    assert spec.unqualified_reasons.field == "Unqualified_Reason__c"  # the rest of the mapping is kept
    assert spec.lead_processes[0].statuses == ["New", "Working", "Qualified"]
    assert spec.lead_processes[0].default == "New"
    assert spec.transitions[1].when[0].status == ["Qualified", "Working"]
    assert spec.transitions[1].set.stage == "SQL"
    assert spec.guards.status_requires_stage == "MQL"


def test_each_value_keeps_the_span_of_the_layer_that_wrote_it(monkeypatch):
    monkeypatch.chdir(FIXTURES)
    locator = load_spec("client.yaml").locator
    assert str(locator.span(("name",))) == "client.yaml:2:7"
    assert str(locator.span(("stages", 0, "value"))) == "team.yaml:4:12"     # Subscriber
    assert str(locator.span(("stages", 1, "value"))) == "base.yaml:9:12"     # Lead
    assert str(locator.span(("statuses", 0, "value"))) == "base.yaml:15:12"  # New
    assert str(locator.key_span(("statuses", 0, "default"))) == "base.yaml:16:5"
    assert str(locator.span(("statuses", 1, "value"))) == "team.yaml:9:12"  # Working, named again...
    assert str(locator.span(("statuses", 1, "label"))) == "team.yaml:10:12"  # ...to retitle it
    assert str(locator.span(("statuses", 3, "value"))) == "client.yaml:10:12"  # Bad Timing
    assert str(locator.span(("unqualified_reasons", "values", 0))) == "client.yaml:13:12"
    assert str(locator.span(("unqualified_reasons", "field"))) == "base.yaml:23:10"
    assert str(locator.key_span(("guards",))) == "client.yaml:17:1"


def test_overlay_only_keys_are_gone_after_merging():
    plain, _, problems = merged(
        "stages:\n  - value: A\n  - value: B\n",
        "stages:\n  - value: C\n    after: A\n  - value: B\n    remove: true\n  - value: D\n    before: A\n",
    )
    assert problems == []
    assert plain == {"stages": [{"value": "D"}, {"value": "A"}, {"value": "C"}]}


def test_after_on_a_known_item_moves_it_and_updates_it():
    plain, _, problems = merged(
        "statuses:\n  - value: A\n  - value: B\n  - value: C\n",
        "statuses:\n  - value: A\n    label: First no more\n    after: C\n",
    )
    assert problems == []
    assert plain["statuses"] == [{"value": "B"}, {"value": "C"}, {"value": "A", "label": "First no more"}]


def test_mappings_merge_recursively_and_other_lists_are_replaced():
    plain, _, _ = merged(
        "transitions:\n  - name: T\n    when: [{status: A}, {stage: B}]\n    set: {status: A, stage: B}\n"
        "stage_field: {name: X__c, label: X}\n",
        "transitions:\n  - name: T\n    when: [{status: C}]\n    set: {stage: D}\nstage_field: {label: Y}\n",
    )
    assert plain["transitions"] == [{"name": "T", "when": [{"status": "C"}], "set": {"status": "A", "stage": "D"}}]
    assert plain["stage_field"] == {"name": "X__c", "label": "Y"}


def test_null_in_the_overlay_clears_a_base_value():
    plain, _, _ = merged("unqualified_reasons: {values: [A]}\ndescription: old\n",
                         "unqualified_reasons:\ndescription: ~\n")
    assert plain == {"unqualified_reasons": None, "description": None}


def test_scenarios_merge_by_name_like_the_other_named_lists():
    plain, _, problems = merged("scenarios: [{name: A, steps: [1]}, {name: B, steps: [2]}]\n",
                                "scenarios: [{name: C, steps: [3], before: A}, {name: B, remove: true},"
                                " {name: A, description: d}]\n")
    assert problems == []
    assert plain["scenarios"] == [{"name": "C", "steps": [3]}, {"name": "A", "steps": [1], "description": "d"}]


def test_a_key_repeated_in_one_overlay_is_appended_for_the_duplicate_rule():
    plain, _, _ = merged("statuses:\n  - value: A\n", "statuses:\n  - value: N\n  - value: N\n    label: again\n")
    assert plain["statuses"] == [{"value": "A"}, {"value": "N"}, {"value": "N", "label": "again"}]


def test_items_without_a_key_and_lists_replaced_by_scalars_pass_through():
    plain, _, problems = merged("stages:\n  - value: A\n", "stages:\n  - label: no value\n  - just text\n")
    assert problems == []
    assert plain["stages"] == [{"value": "A"}, {"label": "no value"}, "just text"]
    plain, _, _ = merged("stages:\n  - value: A\n", "stages: none\n")
    assert plain["stages"] == "none"


def test_placing_after_an_unknown_item_keeps_the_item_and_reports_the_target():
    plain, _, problems = merged("stages:\n  - value: Lead\n  - value: MQL\n", "stages:\n  - value: X\n    before: MQl\n")
    assert [s["value"] for s in plain["stages"]] == ["Lead", "MQL", "X"]
    [problem] = problems
    assert (problem.code, str(problem.span)) == ("LS017", "over.yaml:3:13")
    assert "did you mean 'MQL'?" in problem.message


def test_extends_is_relative_to_the_file_and_shown_relative_to_what_the_user_typed(tmp_path, monkeypatch):
    (tmp_path / "presets").mkdir()
    (tmp_path / "clients" / "acme").mkdir(parents=True)
    (tmp_path / "presets" / "base.yaml").write_text("leadsync: 1\nname: base\nstages: []\nstatuses: []\n")
    (tmp_path / "clients" / "acme" / "spec.yaml").write_text("extends: ../../presets/base.yaml\n")
    monkeypatch.chdir(tmp_path / "clients")
    result = load_spec("acme/spec.yaml")
    assert result.sources == ["acme/spec.yaml", "../presets/base.yaml"]
    assert [str(d.span) for d in result.diagnostics] == ["../presets/base.yaml:3:1", "../presets/base.yaml:4:1"]


def test_absolute_extends_and_absolute_paths_stay_absolute(tmp_path):
    base = tmp_path / "base.yaml"
    base.write_text("leadsync: 1\nname: [x\n")
    spec = tmp_path / "spec.yaml"
    spec.write_text(f"extends: {base}\n")
    result = load_spec(spec)
    assert result.sources == [str(spec), str(base)]
    assert result.diagnostics[0].span.path == str(base)


def test_a_long_chain_is_refused(tmp_path):
    (tmp_path / "s0.yaml").write_text("leadsync: 1\n")
    for i in range(1, 13):
        (tmp_path / f"s{i}.yaml").write_text(f"extends: s{i - 1}.yaml\n")
    result = load_spec(tmp_path / "s12.yaml")
    [problem] = result.diagnostics
    assert problem.code == "LS016" and "longer than 10 files" in problem.message
