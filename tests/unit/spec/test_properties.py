"""Property tests: whatever the file holds, `load_spec` returns a clean result with valid spans.

Specs are built from strategies over the model (stages, statuses, transitions, processes,
scenarios), then some are broken on purpose (a key dropped, a value of the wrong type, an unknown
key, an overlay with random placements); raw text and bytes are thrown at the loader too.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadsync.diagnostics import sort_key
from leadsync.report.json import format_json
from leadsync.report.junit import junit_for_specs
from leadsync.report.text import format_text
from leadsync.spec.codes import CODES
from leadsync.spec.load import load_spec

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")

WORDS = ("Lead", "Mql", "Sales", "New", "Open", "Working", "Won", "Lost", "Nurture", "Bad Timing", "Customer",
         "Qualified", "True", "No", "Null", "On", "Yes", "Hot", "Cold", "Partner", "Inbound", "Evangelist")
NAME = st.sampled_from(WORDS)
API = st.sampled_from(("Rating", "Lead_Score__c", "Industry", "Became_Customer__c", "Status", "Region__c"))
SCALAR = st.one_of(st.booleans(), st.integers(-1000, 1000), NAME)
OPS = ["eq", "ne", "gt", "gte", "lt", "lte", "contains"]


# --- strategies over the model --------------------------------------------------------------------


@st.composite
def conditions(draw, statuses, stages, api, depth=0):
    kinds = ["status", "statuses", "converted", "changed", "field", "null"] + (["stage"] if stages else [])
    kinds += ["any"] if depth < 2 else []
    kind = draw(st.sampled_from(kinds))
    if kind == "status":
        return {"status": draw(st.sampled_from(statuses))}
    if kind == "statuses":
        return {"status": draw(st.lists(st.sampled_from(statuses), min_size=1, max_size=3))}
    if kind == "stage":
        return {"stage": draw(st.sampled_from(stages))}
    if kind == "converted":
        return {"converted": draw(st.booleans())}
    if kind == "changed":
        return {"changed": draw(st.sampled_from(["status", "stage", draw(api)]))}
    if kind == "field":
        return {"field": draw(api), "op": draw(st.sampled_from(OPS)), "value": draw(SCALAR)}
    if kind == "null":
        return {"field": draw(api), "op": draw(st.sampled_from(["is_null", "not_null"]))}
    return {"any": draw(st.lists(conditions(statuses, stages, api, depth + 1), min_size=1, max_size=3))}


@st.composite
def valid_specs(draw) -> dict:
    """A spec that is right by construction: unique names, one default status, declared references."""
    stages = draw(st.lists(NAME, min_size=2, max_size=6, unique=True))
    statuses = draw(st.lists(NAME, min_size=2, max_size=8, unique=True))
    default = draw(st.integers(0, len(statuses) - 1))
    converted = draw(st.sets(st.integers(0, len(statuses) - 1), min_size=1))
    reasons = draw(st.booleans())
    spec: dict = {
        "leadsync": 1,
        "name": draw(NAME),
        "api_version": draw(st.sampled_from(["63.0", "61.0"])),
        "stages": [{"value": v} for v in stages],
        "statuses": [
            {"value": v, **({"default": True} if i == default else {}), **({"converted": True} if i in converted else {}),
             **({"requires_reason": True} if reasons and i != default and draw(st.booleans()) else {})}
            for i, v in enumerate(statuses)
        ],
    }
    if reasons:
        spec["unqualified_reasons"] = {"values": draw(st.lists(NAME, min_size=1, max_size=4, unique=True))}
    if draw(st.booleans()):
        spec["stages"][draw(st.integers(0, len(stages) - 1))]["default"] = True
    if draw(st.booleans()):
        spec["guards"] = {"status_requires_stage": draw(st.sampled_from(stages))}
    processes = []
    for name in draw(st.lists(NAME, max_size=3, unique=True)):
        own = draw(st.one_of(st.just("all"), st.lists(st.sampled_from(statuses), min_size=1, unique=True)))
        process = {"name": name, "statuses": own}
        if draw(st.booleans()):
            process["default"] = draw(st.sampled_from(statuses if own == "all" else own))
        processes.append(process)
    if processes:
        spec["lead_processes"] = processes
    transitions = []
    for name in draw(st.lists(NAME, max_size=4, unique=True)):
        action = {}
        if draw(st.booleans()):
            action["status"] = draw(st.sampled_from(statuses))
        if draw(st.booleans()) or not action:
            action["stage"] = draw(st.sampled_from(stages))
        # Stage conditions only where nothing sets the stage: a stage condition after a later
        # stage would be a (deliberate) backward move, LS029.
        when = draw(st.lists(conditions(statuses, [] if "stage" in action else stages, API), max_size=3))
        transitions.append({"name": name, "on": draw(st.sampled_from(["create", "update", "any"])),
                            "when": when, "set": action})
    if transitions:
        spec["transitions"] = transitions
    scenarios = []
    for name in draw(st.lists(NAME, max_size=2, unique=True)):
        steps = [{"create": {"LastName": draw(NAME)}, "expect": {"status": draw(st.sampled_from(statuses))}},
                 {"update": {"Status": draw(st.sampled_from(statuses))}, "expect": {"stage": draw(st.sampled_from(stages))}}]
        scenarios.append({"name": name, "steps": steps})
    if scenarios:
        spec["scenarios"] = scenarios
    return spec


def paths(tree, prefix=()):
    yield prefix
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from paths(value, (*prefix, key))
    elif isinstance(tree, list):
        for i, value in enumerate(tree):
            yield from paths(value, (*prefix, i))


@st.composite
def broken_specs(draw) -> dict:
    """A valid spec with one to three things broken: dropped keys, wrong types, unknown keys, duplicates."""
    spec = draw(valid_specs())
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from([p for p in paths(spec) if p]))
        parent = spec
        for part in path[:-1]:
            parent = parent[part]
        last = path[-1]
        how = draw(st.sampled_from(["drop", "retype", "unknown", "duplicate"]))
        if how == "drop":
            del parent[last]
        elif how == "retype":
            parent[last] = draw(st.one_of(st.none(), st.integers(), st.lists(st.integers(), max_size=2),
                                          st.dictionaries(NAME, st.integers(), max_size=2), NAME))
        elif how == "unknown" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["stauses", "vaule", "colour", "after", "remove"]))] = 1
        elif isinstance(parent, list):
            parent.append(parent[last])
    return spec


@st.composite
def overlays(draw) -> tuple[dict, dict]:
    base = draw(valid_specs())
    overlay: dict = {"extends": "base.yaml"}
    for list_name, key in (("stages", "value"), ("statuses", "value")):
        known = [item[key] for item in base[list_name]]
        items = []
        for _ in range(draw(st.integers(0, 3))):
            item = {key: draw(st.one_of(st.sampled_from(known), NAME))}
            directive = draw(st.sampled_from(["none", "remove", "after", "before"]))
            if directive == "remove":
                item["remove"] = True
            elif directive != "none":
                item[directive] = draw(st.one_of(st.sampled_from(known), NAME))
            items.append(item)
        if items:
            overlay[list_name] = items
    return base, overlay


# --- checks every result must pass ----------------------------------------------------------------


def check(result, files: dict[str, str]) -> None:
    assert result.diagnostics == sorted(result.diagnostics, key=sort_key)
    for d in result.diagnostics:
        assert d.code in CODES and d.severity is CODES[d.code].severity, d
        assert d.span.path in files, d
        if d.span.line == 0:
            assert d.span.column == 0, d
            continue
        lines = LINE_BREAK.split(files[d.span.path])
        assert 1 <= d.span.line <= len(lines), d
        assert 1 <= d.span.column <= len(lines[d.span.line - 1]) + 1, d
    assert result.ok == (not any(d.is_error for d in result.diagnostics))
    if result.spec is None:
        assert not result.ok, "no model but no error either"
    assert set(result.sources) <= set(files)
    assert format_text(result.diagnostics).count("\n") == len(result.diagnostics)
    format_json([result])
    junit_for_specs({result.path: result.diagnostics})


def load(files: dict[str, bytes | str], main: str = "spec.yaml"):
    with tempfile.TemporaryDirectory() as folder:
        for name, data in files.items():
            raw = data.encode("utf-8") if isinstance(data, str) else data
            (Path(folder) / name).write_bytes(raw)
        result = load_spec(Path(folder) / main)
    shown = {str(Path(folder) / name): (data if isinstance(data, str) else data.decode("utf-8", "replace"))
             for name, data in files.items()}
    return result, shown


def dump(data) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


# --- properties -----------------------------------------------------------------------------------


@FAST
@given(valid_specs())
def test_specs_valid_by_construction_load_without_errors(spec):
    result, files = load({"spec.yaml": dump(spec)})
    check(result, files)
    assert result.ok, [str(d) for d in result.diagnostics]
    assert [s.value for s in result.spec.statuses] == [s["value"] for s in spec["statuses"]]
    assert [t.name for t in result.spec.transitions] == [t["name"] for t in spec.get("transitions", [])]


@FAST
@given(broken_specs())
def test_broken_specs_give_clean_diagnostics(spec):
    check(*load({"spec.yaml": dump(spec)}))


@FAST
@given(overlays())
def test_random_overlays_give_clean_results(pair):
    base, overlay = pair
    result, files = load({"base.yaml": dump(base), "spec.yaml": dump(overlay)})
    check(result, files)
    assert len(result.sources) == 2


YAML_BITS = st.sampled_from([
    "leadsync", "name", "stages", "statuses", "value", "default", "true", "1", "on", ":", ": ", " ", "  ",
    "\n", "\r\n", "- ", "[", "]", "{", "}", ",", "&a ", "*a", "!!str ", "!x ", "|", ">", "'", '"', "#", "\t",
    "---", "...", "? ", "é", "\x07", "%YAML 1.2\n", "<<", "\ufeff", "\u2028", "~",
])


@FAST
@given(st.lists(YAML_BITS, max_size=80).map("".join))
def test_yaml_like_text_never_breaks_the_loader(text):
    check(*load({"spec.yaml": text}))


@FAST
@given(st.text(max_size=300))
def test_any_text_never_breaks_the_loader(text):
    check(*load({"spec.yaml": text}))


@FAST
@given(st.binary(max_size=300))
def test_any_bytes_never_break_the_loader(data):
    result, files = load({"spec.yaml": data})
    check(result, files)
