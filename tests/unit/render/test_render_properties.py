"""Property tests over random valid specs: whatever the lifecycle, the rendered package is one a
deploy would take. Schema-valid in both layouts, byte-deterministic, read back to the same model,
and a flow whose every connector lands on an element, with every element reachable from the start."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings

from leadsync.build import build
from leadsync.metadata.parse import parse_files
from leadsync.render.compile import compile_spec
from leadsync.render.layouts import render_files
from strategies import valid_specs

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def built(spec: dict, layout: str):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "spec.yaml")
        path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
        return build(str(path), layout=layout)


def reachable(flow) -> set[str]:
    seen, todo = set(), [flow.start.connector]
    while todo:
        name = todo.pop()
        if name is None or name in seen:
            continue
        seen.add(name)
        element = flow.element(name)
        assert element is not None, f"connector to a missing element {name!r}"
        if hasattr(element, "rules"):
            todo += [rule.connector for rule in element.rules] + [element.default_connector]
        else:
            todo.append(element.connector)
    return seen


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
        assert reachable(flow) == names
        sets_something = [t for t in result.load.spec.transitions if t.set.status or t.set.stage or t.set.fields]
        # one decision per conditional transition, in spec order, labelled with its name
        assert [d.label for d in flow.decisions] == [t.name for t in sets_something if t.when or t.on != "any"]
