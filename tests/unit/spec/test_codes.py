"""The code catalogue, docs/diagnostics.md, the lint registry and the tests stay in step."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from leadsync.diagnostics import Severity
from leadsync.spec import lint
from leadsync.spec.codes import CODES, render_markdown

REPO = Path(__file__).resolve().parents[3]
SRC = REPO / "src" / "leadsync"
HERE = Path(__file__).parent
CODE = re.compile(r"\bLS\d{3}\b")


def codes_in(paths) -> set[str]:
    return {c for p in paths for c in CODE.findall(p.read_text(encoding="utf-8"))}


def test_docs_are_the_rendered_catalogue():
    docs = (REPO / "docs" / "diagnostics.md").read_text(encoding="utf-8")
    assert docs == render_markdown(), (
        "docs/diagnostics.md is stale; regenerate it with: python -c \"from leadsync.spec.codes import "
        "render_markdown; open('docs/diagnostics.md', 'w').write(render_markdown())\"")


def test_every_code_used_in_the_source_has_a_doc_entry():
    used = codes_in(p for p in SRC.rglob("*.py") if p.name != "codes.py")
    docs = (REPO / "docs" / "diagnostics.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^## (LS\d{3}): ", docs, flags=re.M))
    assert used <= documented, sorted(used - documented)
    assert used <= set(CODES)


def test_every_catalogued_code_is_used_somewhere():
    used = codes_in(p for p in SRC.rglob("*.py") if p.name != "codes.py")
    assert set(CODES) <= used, sorted(set(CODES) - used)


def test_every_spec_code_is_tested():
    tested = codes_in([HERE / "rule_cases.yaml", HERE / "load_cases.yaml", HERE / "test_yamlload.py"])
    spec_codes = {c for c in CODES if c < "LS900"}
    assert spec_codes <= tested, sorted(spec_codes - tested)


def test_every_lint_code_has_a_case_in_rule_cases():
    cases = (HERE / "rule_cases.yaml").read_text(encoding="utf-8")
    missing = [rule.CODE for rule in lint.RULES if f'"{rule.CODE} ' not in cases]
    assert missing == []


def test_registry_lists_every_rule_module_once_in_order():
    modules = sorted(p.stem for p in (SRC / "spec" / "lint").glob("ls*.py"))
    assert [r.__name__.rsplit(".", 1)[1] for r in lint.RULES] == modules
    assert len({r.CODE for r in lint.RULES}) == len(lint.RULES)


def test_each_rule_has_a_code_a_bad_and_good_example_and_a_check():
    for rule in lint.RULES:
        module = importlib.import_module(rule.__name__)
        assert module.CODE in CODES
        assert module.__name__.rsplit(".", 1)[1].startswith(module.CODE.lower() + "_")
        assert module.__doc__.startswith(module.CODE), module.__name__
        assert "Bad::" in module.__doc__ and "Good::" in module.__doc__, module.__name__
        assert callable(module.check)


def test_warnings_are_the_extras_only():
    warnings = sorted(c.code for c in CODES.values() if c.severity is Severity.WARNING)
    assert warnings == ["LS030", "LS033", "LS034", "LS035", "LS036",
                        "LS050", "LS051", "LS052", "LS053", "LS054", "LS055"]  # the lifecycle lint
