"""Property tests over random valid specs: whatever the lifecycle, the rendered package is one a
deploy would take. Schema-valid in both layouts, byte-deterministic, read back to the same model,
and a flow whose every connector lands on an element, with every element reachable from the start."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadsync.build import build
from leadsync.metadata.parse import parse_files
from leadsync.render.compile import compile_spec
from leadsync.render.layouts import render_files
from bundles import walk
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
        "name": draw(TEXT),
        "stage_field": {"label": draw(TEXT), "stamp_dates": draw(st.booleans())},
        "stages": [{"value": v, "label": draw(TEXT), "description": draw(TEXT)} for v in stages],
        "statuses": [{"value": v, "description": draw(TEXT), **({"default": True} if i == 0 else {}),
                      **({"converted": True} if i == 1 else {})} for i, v in enumerate(statuses)],
        "unqualified_reasons": {"values": draw(st.lists(TEXT, min_size=1, max_size=3, unique=True))},
        "transitions": [{"name": draw(TEXT), "when": [{"status": statuses[-1]}], "set": {"stage": stages[-1]}}],
    }
    if draw(st.booleans()):
        spec["lead_processes"] = [{"name": draw(TEXT), "record_type": draw(TEXT)}]
    return spec


@SETTINGS
@given(specs_with_any_text())
def test_any_text_in_a_spec_gives_files_or_diagnostics_never_a_crash(spec):
    for layout in ("mdapi", "source"):
        result = built(spec, layout)  # must not raise
        assert result.ok == (not any(d.is_error for d in result.diagnostics))
        if result.ok:
            assert result.files
