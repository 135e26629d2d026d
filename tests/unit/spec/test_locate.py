"""The locator: model paths to spans, with sensible answers for paths the YAML does not have."""

from __future__ import annotations

from leadsync.diagnostics import Span
from leadsync.spec.locate import Locator, dotted
from leadsync.spec.yamlload import parse_text

TEXT = """\
name: x
statuses:
  - value: New
    default: true
  - {value: Won, converted: true}
"""


def locator() -> Locator:
    return Locator(parse_text(TEXT, "s.yaml").root, "s.yaml")


def test_value_and_key_spans():
    loc = locator()
    assert str(loc.span(("statuses", 0, "default"))) == "s.yaml:4:14"
    assert str(loc.key_span(("statuses", 0, "default"))) == "s.yaml:4:5"
    assert str(loc[("statuses", 1, "converted")]) == "s.yaml:5:29"
    assert str(loc.key_span(("statuses", 1, "converted"))) == "s.yaml:5:18"


def test_list_items_have_no_key_so_key_span_is_the_item():
    assert str(locator().key_span(("statuses", 1))) == "s.yaml:5:5"


def test_paths_the_yaml_lacks_fall_back_to_the_deepest_written_ancestor():
    loc = locator()
    assert str(loc.span(("statuses", 1, "label"))) == "s.yaml:5:5"
    assert str(loc.key_span(("statuses", 7))) == "s.yaml:3:3"
    assert str(loc.span(("stage_field", "name"))) == "s.yaml:1:1"
    assert loc.node(("statuses", 1, "label")) is None
    assert loc.has(("statuses", 1, "value")) and not loc.has(("statuses", 2))


def test_bools_are_not_list_indices():
    assert str(locator().span(("statuses", True))) == "s.yaml:3:3"


def test_no_tree_answers_with_the_whole_file():
    assert Locator(None, "gone.yaml").span(("a", 1)) == Span("gone.yaml", 1, 1)


def test_dotted_names_places_like_messages_do():
    assert dotted(("statuses", 3, "value")) == "statuses[3].value"
    assert dotted(("transitions", 0, "when", 1, "any", 0)) == "transitions[0].when[1].any[0]"
    assert dotted(()) == ""
