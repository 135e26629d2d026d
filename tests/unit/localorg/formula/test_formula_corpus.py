"""Formulas from real orgs' metadata (../shared/corpus: validation rules, flow formulas and entry
conditions that Salesforce accepted) pass check() too. Custom fields the corpus does not define are
given no type (any)."""

from __future__ import annotations

import re

import pytest
from lxml import etree

from leadsync.localorg.engine.schema import standard_lead_types
from leadsync.localorg.formula import check, parse
from leadsync.localorg.formula.ast import Call, Node

pytestmark = pytest.mark.shared
MD = "{http://soap.sforce.com/2006/04/metadata}"


def formulas(root) -> list[tuple[str, str, str | None]]:
    found = [("validation", el.text or "", None) for el in root.iter(MD + "errorConditionFormula")]
    found += [("flow", f.findtext(MD + "expression") or "", f.findtext(MD + "dataType")) for f in root.iter(MD + "formulas")]
    found += [("flow_entry", el.text or "", None) for el in root.iter(MD + "filterFormula")]
    return found


def calls(node: Node) -> set[str]:
    names = {node.name} if isinstance(node, Call) else set()
    for child in getattr(node, "args", ()) or [getattr(node, n) for n in ("left", "right", "operand") if hasattr(node, n)]:
        names |= calls(child)
    return names


def test_every_corpus_formula_is_accepted(corpus_dir):
    checked, seen_functions = 0, set()
    for path in sorted(corpus_dir.rglob("*")):
        if not path.is_file() or path.suffix not in (".xml", ".object", ".flow"):
            continue
        root = etree.parse(str(path)).getroot()
        types = standard_lead_types()
        types.update({f.findtext(MD + "fullName"): f.findtext(MD + "type") or "" for f in root.iter(MD + "fields")
                      if f.findtext(MD + "fullName")})
        names = {e.text for e in root.iter(MD + "name") if e.text}
        for context, text, data_type in formulas(root):
            fields = {**{c: "" for c in re.findall(r"\b\w+__c\b", text)}, **types}
            assert check(text, fields, context, names, data_type) == [], (path.name, text)
            seen_functions |= calls(parse(text))
            checked += 1
    if checked == 0:
        pytest.skip("the corpus holds no formula")
    assert {"AND", "ISPICKVAL", "ISBLANK"} <= seen_functions
