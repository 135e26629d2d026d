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
from strategies import NAME, valid_specs

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


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
