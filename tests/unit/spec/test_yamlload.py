"""Reading a spec file: located nodes, YAML 1.2 scalars, and clean refusals of hostile input."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
import yaml

from leadsync.spec import yamlload
from leadsync.spec.nodes import Map, to_plain
from leadsync.spec.yamlload import MAX_BYTES, parse_text, read_file, resolve_plain


def read(tmp_path: Path, data: bytes, name: str = "spec.yaml"):
    path = tmp_path / name
    path.write_bytes(data)
    return read_file(path, name)


def only(result) -> tuple[str, str, str]:
    [d] = result.diagnostics
    return d.code, str(d.span), d.message


# --- located nodes ------------------------------------------------------------------------------


def test_every_node_knows_its_line_and_column():
    root = parse_text("leadsync: 1\nstages:\n  - value: Lead\n    label: 'The lead'\n", "s.yaml").root
    stages = root.entries["stages"]
    assert str(stages.key_span) == "s.yaml:2:1"
    item = stages.node.items[0]
    assert isinstance(item, Map) and str(item.span) == "s.yaml:3:5"
    label = item.entries["label"]
    assert (str(label.key_span), str(label.node.span)) == ("s.yaml:4:5", "s.yaml:4:12")
    assert label.node.value == "The lead" and label.node.raw == "The lead"


def test_crlf_line_endings_keep_lines_and_columns():
    root = parse_text("a: 1\r\nb:\r\n  c: x\r\n", "s.yaml").root
    assert str(root.entries["b"].node.entries["c"].node.span) == "s.yaml:3:6"


def test_keys_are_the_text_as_written():
    root = parse_text("on: create\n1: one\ntrue: yes\nnull: x\n", "s.yaml").root
    assert list(root.entries) == ["on", "1", "true", "null"]


@pytest.mark.parametrize("text, value", [
    ("true", True), ("False", False), ("yes", "yes"), ("No", "No"), ("on", "on"), ("off", "off"),
    ("", None), ("~", None), ("null", None), ("42", 42), ("-7", -7), ("0o17", 15), ("0x1F", 31),
    ("1.5", 1.5), ("1e3", 1000.0), (".inf", float("inf")), ("-.inf", float("-inf")), ("63.0", 63.0),
    ("2024-01-01", "2024-01-01"), ("1_000", "1_000"), ("0b101", "0b101"), ("9" * 5000, "9" * 5000),
])
def test_plain_scalars_follow_yaml_1_2_core(text, value):
    assert resolve_plain(text) == value and type(resolve_plain(text)) is type(value)


def test_quoted_and_tagged_scalars():
    root = parse_text('a: "5"\nb: !!str 5\nc: !!float 5\nd: !!int "7"\ne: |\n  x\n', "s.yaml").root
    assert to_plain(root) == {"a": "5", "b": "5", "c": 5.0, "d": 7, "e": "x\n"}


def test_a_small_alias_shares_its_value():
    root = parse_text("a: &x [1, 2]\nb: *x\n", "s.yaml").root
    assert to_plain(root) == {"a": [1, 2], "b": [1, 2]}


# --- files that are not specs -------------------------------------------------------------------


def test_missing_path(tmp_path):
    assert only(read_file(tmp_path / "nope.yaml", "nope.yaml")) == ("LS001", "nope.yaml:1:1", "no such file: nope.yaml; `leadsync init nope.yaml` creates one")


def test_missing_parent_is_also_missing(tmp_path):
    (tmp_path / "file").write_text("x")
    assert only(read_file(tmp_path / "file" / "spec.yaml", "file/spec.yaml"))[0] == "LS001"


def test_a_path_with_a_nul_character():
    assert only(read_file(Path("a\0b.yaml"), "a\0b.yaml"))[::2] == ("LS001", "the path has a NUL character")


def test_folder(tmp_path):
    code, span, message = only(read_file(tmp_path, "specs"))
    assert (code, span) == ("LS001", "specs:1:1") and "is a folder" in message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_named_pipe_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe.yaml")
    code, _, message = only(read_file(tmp_path / "pipe.yaml", "pipe.yaml"))
    assert code == "LS001" and "not a regular file" in message


def test_ten_megabytes_is_refused_quickly_without_reading(tmp_path):
    path = tmp_path / "big.yaml"
    with path.open("wb") as f:
        f.truncate(10_000_000)
    start = time.perf_counter()
    code, span, message = only(read_file(path, "big.yaml"))
    assert time.perf_counter() - start < 0.5
    assert (code, span, message) == ("LS002", "big.yaml:1:1", "the file has 10,000,000 bytes; a spec may have at most 1,000,000 (1 MB)")


def test_just_over_the_limit_is_refused_and_at_the_limit_is_read(tmp_path):
    assert only(read(tmp_path, b"#" * (MAX_BYTES + 1)))[0] == "LS002"
    assert only(read(tmp_path, b"#" * MAX_BYTES))[0] == "LS004"


def test_invalid_utf8_names_line_and_column(tmp_path):
    assert only(read(tmp_path, b"leadsync: 1\nname: caf\xe9!\n")) == (
        "LS003", "spec.yaml:2:10", "byte 0xe9 is not UTF-8; save the file as UTF-8")


def test_column_of_bad_byte_counts_characters(tmp_path):
    assert only(read(tmp_path, "name: é€".encode() + b"\xff"))[1] == "spec.yaml:1:9"


def test_utf16_is_named(tmp_path):
    assert only(read(tmp_path, "leadsync: 1\n".encode("utf-16")))[2] == "the file is UTF-16 text; save it as UTF-8"


def test_utf8_bom_is_accepted(tmp_path):
    result = read(tmp_path, b"\xef\xbb\xbfname: x\n")
    assert result.diagnostics == [] and to_plain(result.root) == {"name": "x"}
    assert str(result.root.entries["name"].key_span) == "spec.yaml:1:1"


@pytest.mark.parametrize("data", [b"", b"  \n\n", b"# only a comment\n", b"---\n", b"~\n"])
def test_empty_documents(tmp_path, data):
    assert only(read(tmp_path, data))[:2] == ("LS004", "spec.yaml:1:1")


def test_end_of_stream_errors_stay_inside_the_file():
    assert only(parse_text("a: [", "s.yaml"))[1] == "s.yaml:1:5"
    assert only(parse_text("a: [\n", "s.yaml"))[1] == "s.yaml:2:1"


def test_control_character_is_located(tmp_path):
    assert only(read(tmp_path, b"a: 1\nb: x\x07y\n")) == (
        "LS005", "spec.yaml:2:5", "YAML syntax: character U+0007 is not allowed in YAML; remove it")


def test_syntax_error_uses_the_problem_mark():
    code, span, message = only(parse_text("a: 1\nb: c: d\n", "s.yaml"))
    assert (code, span) == ("LS005", "s.yaml:2:5") and message.startswith("YAML syntax: ")  # then the parser's words


def test_tab_inside_a_block_scalar_is_content_not_indentation():
    result = parse_text("a: |\n  x\n  \ty\n", "s.yaml")
    assert result.diagnostics == [] and to_plain(result.root) == {"a": "x\n\ty\n"}


# --- hostile YAML -------------------------------------------------------------------------------

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def timed(text: str):
    start = time.perf_counter()
    result = parse_text(text, "s.yaml")
    return result, time.perf_counter() - start


def test_billion_laughs_is_refused_quickly():
    result, seconds = timed(BILLION_LAUGHS)
    assert seconds < 1 and result.root is None
    code, span, message = only(result)
    assert code == "LS008" and span == "s.yaml:5:23" and "more than 50000 nodes" in message


@pytest.mark.parametrize("text", ["[" * 500_000, "{a: " * 200_000, "".join(" " * i + "a:\n" for i in range(1300)),
                                  "- " * 400_000])
def test_deep_nesting_is_refused_quickly(text):
    result, seconds = timed(text)
    assert seconds < 1
    code, _, message = only(result)
    assert code == "LS008" and "nests more than 64 levels" in message


def test_too_many_nodes_is_refused():
    result, _ = timed("a:\n" + "  - x\n" * 60_000)
    assert only(result)[0] == "LS008"


def test_recursive_alias_is_refused():
    assert only(parse_text("a: &a [1, *a]\n", "s.yaml"))[:2] == ("LS009", "s.yaml:1:11")


def test_parse_text_never_leaves_a_half_tree_after_a_syntax_error():
    result = parse_text("a: 1\na: 2\nb: [\n", "s.yaml")
    assert result.root is None
    assert [d.code for d in result.diagnostics] == ["LS007", "LS005"]


def test_memory_stays_small_for_the_bomb():
    if sys.platform != "linux":
        pytest.skip("ru_maxrss is in KiB on Linux only")
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    parse_text(BILLION_LAUGHS, "s.yaml")
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # KiB


# --- nesting is measured by leadsync, not by whichever YAML parser is installed -----------------


@pytest.mark.parametrize("loader", ["SafeLoader", "CSafeLoader"])
@pytest.mark.parametrize("text", ["[" * 2000, "a:\n" + "".join("  " * i + "- b:\n" for i in range(1, 1200)),
                                  "x: " + "{a: " * 1500])
def test_deep_nesting_is_ls008_with_either_parser(monkeypatch, loader, text):
    if not hasattr(yaml, loader):
        pytest.skip(f"PyYAML without {loader}")
    monkeypatch.setattr(yamlload, "_LOADER", getattr(yaml, loader))
    code, _, message = only(parse_text(text, "s.yaml"))
    assert code == "LS008" and "nests more than 64 levels" in message


def test_the_depth_scan_never_counts_more_than_the_parser():
    at_limit = "a: " + "[" * 63 + "]" * 63 + "\n"
    quoted = "a: [\"[[[[\", '[[['' [[', b]\n" * 1 + "c: '" + "[" * 100 + "'\n"
    block = "d: |\n" + "".join("  " + "[" * 80 + "\n" for _ in range(3)) + "e: >-\n  {{{{\n"
    comment = "f: 1  # " + "[" * 100 + "\n"
    plain = "g: a[b{c\n"
    for text in (at_limit, quoted, block, comment, plain):
        assert yamlload.too_deep(text.split("\n"), 64) is None, text
        assert parse_text(text, "s.yaml").diagnostics == []


def test_the_depth_scan_counts_block_and_flow_together():
    text = "".join("  " * i + "k:\n" for i in range(40)) + "  " * 40 + "k: " + "[" * 30 + "\n"
    assert yamlload.too_deep(text.split("\n"), 64) == (41, 107)


# --- indentation mistakes say so -----------------------------------------------------------------


@pytest.mark.parametrize("text, at, says", [
    ("statuses:\n  - value: New\n   - value: Won\n", "s.yaml:3:4",
     "check the indentation: line 3 starts at column 4, its block (line 2) at column 3"),
    ("transitions:\n  - name: A\n    set: {stage: X}\n name: B\n", "s.yaml:4:2",
     "check the indentation: line 4 starts at column 2, its block (line 1) at column 1"),
    ("a:\n  b: 1\n    c: 2\n", "s.yaml:3:6", "check the indentation: line 3 starts at column 5, deeper than"),
    ("transitions:\n  - name: A\n    on: create\n  name: B\n", "s.yaml:4:3",
     "check the indentation: line 4 is in the column of the list's items (line 2) but is not an item; start it "
     "with '- ', or indent it to line up with the keys of the item above"),
    ("name: a: b\n", "s.yaml:1:8", "; put a value that holds ': ' in quotes"),
])
def test_indentation_mistakes_get_a_hint(text, at, says):
    code, span, message = only(parse_text(text, "s.yaml"))
    assert (code, span) == ("LS005", at) and says in message


def test_a_dedented_key_that_duplicates_another_says_to_indent_it():
    text = "leadsync: 1\nname: acme\ntransitions:\n  - name: T\n    on: create\nname: U\n"
    assert only(parse_text(text, "s.yaml")) == (
        "LS007", "s.yaml:6:1", "duplicate key 'name' (first at line 2); remove one of them; if it belongs to the "
        "block above (line 5), indent it to line up with that block's keys")
    assert only(parse_text("a: 1\n# note\na: 2\n", "s.yaml"))[2] == "duplicate key 'a' (first at line 1); remove one of them"
