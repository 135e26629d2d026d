"""Property tests over random valid specs: whatever the lifecycle, the rendered package is one a
deploy would take. Schema-valid in both layouts, byte-deterministic, read back to the same model,
and a flow whose every connector lands on an element, with every element reachable from the start."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from leadsync.build import build
from leadsync.metadata.parse import parse_files
from leadsync.render.compile import compile_spec
from leadsync.render.layouts import render_files
from bundles import by_name, walk
from strategies import valid_specs

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def built(spec: dict, layout: str):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "spec.yaml")
        path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
        return build(str(path), layout=layout)


@SETTINGS
@given(valid_specs())
def test_every_valid_spec_renders_a_schema_valid_deterministic_package(spec):
    for layout in ("mdapi", "source"):
        result = built(spec, layout)
        assert result.ok, "\n".join(map(str, result.diagnostics))
        bundle = compile_spec(result.load.spec)
        assert render_files(bundle, layout) == result.files
    assert parse_files(render_files(bundle, "mdapi")) == bundle


@SETTINGS
@given(valid_specs())
def test_every_flow_element_is_connected_and_reachable(spec):
    result = built(spec, "mdapi")
    assert result.ok, "\n".join(map(str, result.diagnostics))
    for flow in compile_spec(result.load.spec).flows:
        names = {e.name for e in (*flow.decisions, *flow.assignments)}
        assert set(walk(flow)) == names
        sets_something = [t for t in result.load.spec.transitions if t.set.status or t.set.stage or t.set.fields]
        # one decision per conditional transition, in spec order, labelled with its name
        assert [d.label for d in flow.decisions] == [t.name for t in sets_something if t.when or t.on != "any"]


ANY_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=40)
PRINTABLE = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=40)


@st.composite
def specs_with_any_text(draw) -> dict:
    """A well-formed spec whose names, values, labels and descriptions are any text at all."""
    TEXT = draw(st.sampled_from([ANY_TEXT, PRINTABLE]))
    stages = draw(st.lists(TEXT, min_size=2, max_size=4, unique=True))
    statuses = draw(st.lists(TEXT, min_size=2, max_size=4, unique=True))
    spec = {
        "leadsync": 1,
        # names that become API or file names take control characters only half the time, so that
        # values with any character in them (CR, tab...) do reach render and parse
        "name": draw(st.one_of(st.just("Demo"), TEXT)),
        "stage_field": {"label": draw(TEXT), "stamp_dates": draw(st.booleans())},
        "stages": [{"value": v, "label": draw(TEXT), "description": draw(TEXT)} for v in stages],
        "statuses": [{"value": v, "description": draw(TEXT), **({"default": True} if i == 0 else {}),
                      **({"converted": True} if i == 1 else {})} for i, v in enumerate(statuses)],
        "unqualified_reasons": {"values": draw(st.lists(TEXT, min_size=1, max_size=3, unique=True))},
        "transitions": [{"name": draw(TEXT), "when": [{"status": statuses[-1]}], "set": {"stage": stages[-1]}}],
    }
    if draw(st.booleans()):
        spec["lead_processes"] = [{"name": draw(st.one_of(st.just("Inbound"), TEXT)),
                                   "record_type": draw(st.one_of(st.just("Inbound"), TEXT))}]
    return spec


def any_text_spec(text: str) -> dict:
    """A valid spec whose values, labels and descriptions are `text` (names that become API or file
    names cannot hold control characters: LS026, LS037)."""
    return {
        "leadsync": 1, "name": "Demo", "stage_field": {"label": text, "stamp_dates": True},
        "stages": [{"value": text, "label": text, "description": text}, {"value": text + "2", "label": text + "2"}],
        "statuses": [{"value": text, "description": text, "default": True}, {"value": text + "2", "converted": True}],
        "unqualified_reasons": {"values": [text]},
        "transitions": [{"name": "Move " + text, "when": [{"status": text + "2"}], "set": {"stage": text}}],
        "lead_processes": [{"name": "Inbound", "statuses": [text, text + "2"], "record_type": "Inbound"}],
    }


@pytest.mark.parametrize("text", ["one\r\ntwo", "a\rb", "tab\tand\nnewline & <b> 'q' \"qq\" %2E {!x}"])
def test_the_examples_of_the_any_text_test_are_valid_specs(text):
    """Else the examples below would check nothing: a spec with errors renders no files to compare."""
    for layout in ("mdapi", "source"):
        result = built(any_text_spec(text), layout)
        assert result.ok, "\n".join(map(str, result.diagnostics))


@SETTINGS
@given(specs_with_any_text())
@example(any_text_spec("one\r\ntwo"))
@example(any_text_spec("a\rb"))
@example(any_text_spec("tab\tand\nnewline & <b> 'q' \"qq\" %2E {!x}"))
def test_any_text_in_a_spec_comes_back_unchanged_from_render_and_parse(spec):
    """Files or diagnostics, never a crash; and what renders reads back to the very same values
    (a CR dropped or turned into a newline anywhere on the way is caught here)."""
    for layout in ("mdapi", "source"):
        result = built(spec, layout)  # must not raise
        assert result.ok == (not any(d.is_error for d in result.diagnostics))
        if not result.ok:
            continue
        assert result.files
        bundle = compile_spec(result.load.spec)
        # the source layout keeps Lead's children in files of their own, read back in name order
        read = parse_files(result.files)
        assert (read == bundle) if layout == "mdapi" else (by_name(read) == by_name(bundle)), layout
        # the spec's own values, as written, are the ones the files hold
        statuses = {v.full_name: v for v in bundle.standard_value_sets[0].values}
        for status in spec["statuses"]:
            assert status["value"] in statuses, (layout, status["value"])
            if "description" in status:
                assert statuses[status["value"]].description == status["description"]
        stage_field = bundle.lead.fields[0]
        assert [v.full_name for v in stage_field.values] == [s["value"] for s in spec["stages"]]
        assert stage_field.label == spec["stage_field"]["label"]
