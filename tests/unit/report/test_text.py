"""The human form: `PATH:LINE:COL: error|warning CODE: message`, one a line."""

from __future__ import annotations

from leadsync.diagnostics import Span, error, warning
from leadsync.report.text import format_text, summary_line

E = error("LS020", "statuses: 'Working' is declared twice (first at line 9); remove one", Span("specs/a.yaml", 10, 12))
W = warning("LS030", "9 statuses; more than 8", Span("specs/a.yaml", 6, 1))


def test_exact_line_format():
    assert format_text([W, E]) == (
        "specs/a.yaml:6:1: warning LS030: 9 statuses; more than 8\n"
        "specs/a.yaml:10:12: error LS020: statuses: 'Working' is declared twice (first at line 9); remove one\n"
    )


def test_nothing_to_say_is_the_empty_string():
    assert format_text([]) == ""


def test_a_message_with_line_breaks_stays_on_one_line():
    text = format_text([error("LS020", "stages: 'A\nB' is declared twice", Span("a.yaml", 3, 5))])
    assert text == "a.yaml:3:5: error LS020: stages: 'A\\nB' is declared twice\n"


def test_control_characters_are_escaped_and_unicode_kept():
    text = format_text([error("LS020", "stages: 'Prä\tqual\x00' twice\r", Span("a.yaml", 3, 5))])
    assert text == "a.yaml:3:5: error LS020: stages: 'Prä\\tqual\\x00' twice\\r\n"


def test_whole_file_problems_are_at_line_1_column_1():
    assert format_text([error("LS001", "no such file: x.yaml", Span("x.yaml"))]) == \
        "x.yaml:1:1: error LS001: no such file: x.yaml\n"


def test_summary_counts_errors_warnings_and_specs():
    assert summary_line({"a.yaml": [E, W], "b.yaml": [E]}) == "2 errors, 1 warning in 2 specs\n"
    assert summary_line({"a.yaml": [W]}) == "0 errors, 1 warning in 1 spec\n"
    assert summary_line({"a.yaml": [], "b.yaml": []}) == "2 specs checked, no problems\n"
