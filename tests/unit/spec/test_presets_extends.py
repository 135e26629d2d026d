"""`extends: preset:NAME`: an overlay of a preset shipped with leadsync (resources.presets_dir)."""

from __future__ import annotations

from leadsync.resources import presets_dir
from leadsync.spec.load import load_spec


def write(tmp_path, text: str):
    spec = tmp_path / "leadsync.yaml"
    spec.write_text(text, encoding="utf-8")
    return spec


def test_an_overlay_of_a_shipped_preset(tmp_path):
    spec = write(tmp_path, "leadsync: 1\nname: acme\nextends: preset:lifecycle\n"
                           "statuses:\n  - value: Nurture\n    after: Bad Timing\n"
                           "stages:\n  - value: Evangelist\n    remove: true\n")
    result = load_spec(spec)
    assert result.ok, [str(d) for d in result.diagnostics]
    assert result.spec.name == "acme"
    values = [s.value for s in result.spec.statuses]
    assert values[values.index("Bad Timing") + 1] == "Nurture"
    assert "Evangelist" not in [s.value for s in result.spec.stages]
    assert result.sources == [str(spec), str(presets_dir() / "lifecycle.yaml")]


def test_an_unknown_preset_is_reported_at_the_extends_line(tmp_path):
    spec = write(tmp_path, "leadsync: 1\nname: acme\nextends: preset:lifecycel\n")
    result = load_spec(spec)
    assert [(d.code, d.span.line, d.span.column) for d in result.diagnostics] == [("LS015", 3, 10)]
    assert "unknown preset 'lifecycel'" in result.diagnostics[0].message
    assert "did you mean 'lifecycle'?" in result.diagnostics[0].message


def test_an_error_the_overlay_makes_points_into_the_overlay(tmp_path):
    spec = write(tmp_path, "leadsync: 1\nname: acme\nextends: preset:salesforce-default\n"
                           "stages:\n  - value: Nope\n    after: Missing\n")
    result = load_spec(spec)
    assert [(d.code, d.span.path, d.span.line) for d in result.diagnostics] == [("LS017", str(spec), 6)]
