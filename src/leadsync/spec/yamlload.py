"""A spec file → located nodes, refusing anything that could hang, exhaust memory or hide a mistake.

The tree is built from PyYAML's event stream (libyaml when available) rather than `yaml.compose`:
events come lazily, so nesting depth and node count are checked while reading, and an alias bomb
or a 500 000-deep `[[[[` stops after a few events instead of after minutes. Aliases share the
anchored node (nodes are immutable) and are charged its full expanded size.

Scalars follow YAML 1.2's core schema: only `true`/`false` are booleans (`on:` and `No` stay text),
and timestamps stay text. Mapping keys are always the text as written. Duplicate keys are errors.
"""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from leadsync.diagnostics import Diagnostic, Span
from leadsync.spec.codes import diag
from leadsync.spec.nodes import Entry, Map, Node, Scalar, Seq

MAX_BYTES = 1_000_000
MAX_NODES = 50_000
MAX_DEPTH = 64

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_STD = "tag:yaml.org,2002:"


@dataclass
class ReadResult:
    root: Node | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    was_read: bool = False  # the bytes were read (whatever they held): the file counts as a source


def read_file(path: Path, display: str) -> ReadResult:
    """Read and parse one spec file; `display` is the path as the user wrote it (used in spans)."""
    whole = Span(display, 1, 1)
    try:
        info = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        create = "leadsync init" if display == "leadsync.yaml" else f"leadsync init {display}"
        return ReadResult(None, [diag("LS001", f"no such file: {display}; `{create}` creates one", whole)])
    except ValueError:
        return ReadResult(None, [diag("LS001", "the path has a NUL character", whole)])
    except OSError as err:
        return ReadResult(None, [diag("LS001", f"cannot read {display}: {err.strerror or err}", whole)])
    if stat.S_ISDIR(info.st_mode):
        return ReadResult(None, [diag("LS001", f"{display} is a folder; pass the spec file inside it", whole)])
    if not stat.S_ISREG(info.st_mode):
        return ReadResult(None, [diag("LS001", f"{display} is not a regular file", whole)])
    if info.st_size > MAX_BYTES:
        return ReadResult(None, [_too_large(info.st_size, whole)])
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as err:
        return ReadResult(None, [diag("LS001", f"cannot read {display}: {err.strerror or err}", whole)])
    if len(data) > MAX_BYTES:
        return ReadResult(None, [_too_large(len(data), whole)])
    key = (display, data)
    cached = _PARSED.get(key)
    if cached is not None:
        return cached
    result = parse_bytes(data, display)
    result.was_read = True
    if len(_PARSED) >= _PARSED_MAX:
        _PARSED.pop(next(iter(_PARSED)))
    _PARSED[key] = result
    return result


# Parsed files by (path as shown, bytes): `validate DIR` with 200 overlays of one base parses the base
# once. Keyed by the bytes read, not the mtime, so an edit is always seen. Results are never mutated
# (nodes are immutable; callers copy the diagnostics).
_PARSED: dict[tuple[str, bytes], ReadResult] = {}
_PARSED_MAX = 256


def parse_bytes(data: bytes, display: str) -> ReadResult:
    text = _decode(data, display)
    if isinstance(text, Diagnostic):
        return ReadResult(None, [text])
    return parse_text(text, display)


def parse_text(text: str, display: str) -> ReadResult:
    if not text.strip():
        return ReadResult(None, [diag("LS004", "the spec file is empty", Span(display, 1, 1))])
    lines = _LINE_BREAK.split(text)
    deep = too_deep(lines, MAX_DEPTH)
    if deep:
        return ReadResult(None, [_nests_too_deep(Span(display, *deep))])
    builder = _Builder(display, lines)
    try:
        root = builder.build(yaml.parse(text, Loader=_LOADER))
    except yaml.MarkedYAMLError as err:
        return ReadResult(None, builder.diagnostics + [_syntax(err, lines, display)])
    except yaml.reader.ReaderError as err:
        return ReadResult(None, builder.diagnostics + [_bad_character(err, text, display)])
    except _Refused as err:
        return ReadResult(None, builder.diagnostics + [err.diagnostic])
    if root is None:
        return ReadResult(None, [diag("LS004", "the spec file holds only comments or blank lines", Span(display, 1, 1))])
    if isinstance(root, Scalar) and root.value is None:
        return ReadResult(None, [diag("LS004", "the spec file holds an empty document", Span(display, 1, 1))])
    return ReadResult(root, builder.diagnostics)


# --- nesting, measured before any parser sees the text -----------------------------------------
# YAML parsers refuse deep nesting at limits and in words of their own (libyaml since PyYAML 6.0.4
# says "exceeded maximum nesting depth" past 1000 levels; the pure-Python parser has no limit).
# This scan counts the collections a text opens (block indentation, `- ` indicators, flow brackets)
# so the refusal is LS008 whichever parser runs. It may count too few (the builder's own depth check
# then refuses while reading events), never too many, so no valid spec is refused by it.

_KEY = re.compile(r"""(?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"\[\]{},&*!|>%@`?-][^#]*?|-[^\s#][^#]*?)\s*:(?:\s|$)""")
_BLOCK_SCALAR = re.compile(r"[|>][-+0-9]*\s*(?:#.*)?$")
_FLOW_MARK = re.compile(r"[\[\]{}\"'#]")
_QUOTE_END = {'"': re.compile(r'(?:[^"\\]|\\.)*"'), "'": re.compile(r"(?:[^']|'')*'")}


def too_deep(lines: list[str], limit: int) -> tuple[int, int] | None:
    """The 1-based (line, column) where the text opens more than `limit` nested collections."""
    indents: list[int] = []  # columns of the open block collections
    flow = 0  # open `[` and `{`
    quote = ""  # the quote character of a quoted scalar open inside flow
    block_scalar = -1  # indentation of the line that opened a `|` or `>` scalar
    for number, line in enumerate(lines, start=1):
        column = 0
        if not flow and not quote:
            content = line.lstrip(" ")
            indent = len(line) - len(content)
            if block_scalar >= 0:
                if not content or indent > block_scalar:
                    continue
                block_scalar = -1
            if not content or content[0] in "#\t" or content.startswith(("---", "...", "%")):
                continue
            while indents and indents[-1] > indent:
                indents.pop()
            column = indent
            while True:  # a `- ` indicator or a key opens a collection at its column
                dash = line.startswith("- ", column) or column == len(line) - 1 and line[column] == "-"
                key = None if dash else _KEY.match(line, column)
                if not dash and not key:
                    break
                if not indents or indents[-1] < column:
                    indents.append(column)
                    if len(indents) > limit:
                        return number, column + 1
                if key:
                    column = key.end()
                    break
                column += 1
                while column < len(line) and line[column] == " ":
                    column += 1
            while column < len(line) and line[column] == " ":
                column += 1
            if _BLOCK_SCALAR.match(line, column):
                block_scalar = indent
                continue
            if not line.startswith(("[", "{"), column):
                continue
        while column < len(line):
            if quote:
                closed = _QUOTE_END[quote].match(line, column)
                if not closed:
                    break  # the quoted text goes on on the next line
                quote, column = "", closed.end()
                continue
            mark = _FLOW_MARK.search(line, column)
            if not mark:
                break
            column, char = mark.start(), mark.group()
            if char in "[{":
                flow += 1
                if len(indents) + flow > limit:
                    return number, column + 1
            elif char in "]}":
                flow = max(flow - 1, 0)
                if not flow:
                    break
            elif char == "#":
                if line[column - 1:column] in (" ", "\t"):
                    break  # a comment
            elif _starts_a_scalar(line, column):
                quote = char
            column += 1
    return None


def _starts_a_scalar(line: str, column: int) -> bool:
    """Whether the character at `column` begins a flow scalar (and so a quote there opens one)."""
    before = column - 1
    while before >= 0 and line[before] == " ":
        before -= 1
    return before < 0 or line[before] in "[{,:"


def _nests_too_deep(span: Span) -> Diagnostic:
    return diag("LS008", f"the document nests more than {MAX_DEPTH} levels deep", span)


# --- bytes → text -----------------------------------------------------------------------------


def _too_large(size: int, span: Span) -> Diagnostic:
    return diag("LS002", f"the file has {size:,} bytes; a spec may have at most {MAX_BYTES:,} (1 MB)", span)


def _decode(data: bytes, display: str) -> str | Diagnostic:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return diag("LS003", "the file is UTF-16 text; save it as UTF-8", Span(display, 1, 1))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        lines = _LINE_BREAK.split(data[: err.start].decode("utf-8-sig"))
        return diag("LS003", f"byte 0x{data[err.start]:02x} is not UTF-8; save the file as UTF-8",
                    Span(display, len(lines), len(lines[-1]) + 1))


# --- events → nodes ---------------------------------------------------------------------------


class _Refused(Exception):
    """Stop reading: the document is too deep, too big once aliases expand, or not one document."""

    def __init__(self, diagnostic: Diagnostic):
        self.diagnostic = diagnostic


class _Builder:
    def __init__(self, display: str, lines: list[str]):
        self.display = display
        self.lines = lines
        self.diagnostics: list[Diagnostic] = []
        self.anchors: dict[str, tuple[Node, int]] = {}  # name → (node, expanded size)
        self.open_anchors: set[str] = set()
        self.count = 0

    def span(self, event) -> Span:
        return _span(self.display, self.lines, event.start_mark)

    def build(self, events) -> Node | None:
        events = iter(events)
        next(events)  # StreamStart
        start = next(events)
        if isinstance(start, StreamEndEvent):
            return None
        root = self.node(events, next(events), 1)
        next(events)  # DocumentEnd
        after = next(events)
        if isinstance(after, DocumentStartEvent):
            raise _Refused(diag("LS009", "a spec is one YAML document; remove this second one (and the `---`)",
                                self.span(after)))
        return root

    def charge(self, size: int, event) -> None:
        self.count += size
        if self.count > MAX_NODES:
            raise _Refused(diag("LS008", f"the document expands to more than {MAX_NODES} nodes "
                                "(anchors and aliases?); write the spec out plainly", self.span(event)))

    def node(self, events, event, depth: int) -> Node:
        if isinstance(event, AliasEvent):
            return self.alias(event)
        if depth > MAX_DEPTH:
            raise _Refused(_nests_too_deep(self.span(event)))
        anchor = event.anchor
        if anchor is not None:
            self.open_anchors.add(anchor)
        before = self.count
        if isinstance(event, ScalarEvent):
            self.charge(1, event)
            built: Node = Scalar(self.scalar(event), self.span(event), event.value)
        elif isinstance(event, SequenceStartEvent):
            built = self.sequence(events, event, depth)
        else:
            built = self.mapping(events, event, depth)
        if anchor is not None:
            self.open_anchors.discard(anchor)
            self.anchors[anchor] = (built, self.count - before)
        return built

    def alias(self, event) -> Node:
        if event.anchor in self.open_anchors:
            raise _Refused(diag("LS009", f"alias '*{event.anchor}' refers to the node it is inside; "
                                "recursive structures are not allowed", self.span(event)))
        if event.anchor not in self.anchors:
            raise _Refused(diag("LS005", f"YAML syntax: alias '*{event.anchor}' has no anchor "
                                f"'&{event.anchor}' before it", self.span(event)))
        target, size = self.anchors[event.anchor]
        self.charge(size, event)
        return target

    def sequence(self, events, start, depth: int) -> Seq:
        self.charge(1, start)
        self.check_tag(start, "seq")
        items = []
        while not isinstance(event := next(events), SequenceEndEvent):
            items.append(self.node(events, event, depth + 1))
        return Seq(tuple(items), self.span(start))

    def mapping(self, events, start, depth: int) -> Map:
        self.charge(1, start)
        self.check_tag(start, "map")
        entries: dict[str, Entry] = {}
        while not isinstance(event := next(events), MappingEndEvent):
            key_span = self.span(event)
            key = self.key(events, event, depth)
            value = self.node(events, next(events), depth + 1)
            if key is None:
                continue
            if key in entries:
                first = entries[key].key_span
                self.diagnostics.append(diag("LS007", f"duplicate key '{key}' (first at line {first.line}); "
                                             "remove one of them" + dedented_hint(self.lines, key_span.line - 1),
                                             key_span))
                continue
            entries[key] = Entry(key, key_span, value)
        return Map(entries, self.span(start))

    def key(self, events, event, depth: int) -> str | None:
        """A mapping key is the text as written (`on`, `yes`, `1` are all text keys)."""
        node = self.node(events, event, depth + 1)
        if isinstance(node, Scalar):
            return node.raw
        kind = "list" if isinstance(node, Seq) else "mapping"
        self.diagnostics.append(diag("LS009", f"a key must be text, not a {kind}", self.span(event)))
        return None

    def check_tag(self, event, kind: str) -> None:
        if event.tag not in (None, "!", _STD + kind):
            short = event.tag.replace(_STD, "!!")
            self.diagnostics.append(diag("LS009", f"unsupported YAML tag '{short}'", self.span(event)))

    def scalar(self, event):
        tag, text = event.tag, event.value
        if tag is None and event.implicit[0]:
            return resolve_plain(text)
        if tag in (None, "!", _STD + "str"):
            return text
        kind = _TYPED_TAGS.get(tag)
        value = resolve_plain(text) if kind else None
        if kind is float and type(value) is int:
            value = float(value)
        if kind is None or type(value) is not kind:
            short = tag.replace(_STD, "!!")
            problem = f"'{text}' is not a valid {short}" if kind else f"unsupported YAML tag '{short}'"
            self.diagnostics.append(diag("LS009", problem, self.span(event)))
            return text
        return value


_TYPED_TAGS = {_STD + "int": int, _STD + "float": float, _STD + "bool": bool, _STD + "null": type(None)}
_NULLS = {"", "~", "null", "Null", "NULL"}
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?[0-9]+")
_OCT = re.compile(r"0o[0-7]+")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_SPECIAL_FLOATS = {".inf": "inf", ".Inf": "inf", ".INF": "inf", ".nan": "nan", ".NaN": "nan", ".NAN": "nan"}


def resolve_plain(text: str):
    """YAML 1.2 core schema for an unquoted scalar."""
    if text in _NULLS:
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    try:
        if _INT.fullmatch(text):
            return int(text)
        if _OCT.fullmatch(text):
            return int(text[2:], 8)
        if _HEX.fullmatch(text):
            return int(text[2:], 16)
    except ValueError:  # more digits than Python converts; keep the text
        return text
    if _FLOAT.fullmatch(text):
        return float(text)
    sign, rest = (text[0], text[1:]) if text[:1] in "+-" else ("", text)
    if rest in _SPECIAL_FLOATS and (not sign or _SPECIAL_FLOATS[rest] == "inf"):
        return float(sign + _SPECIAL_FLOATS[rest])
    return text


# --- errors → diagnostics ---------------------------------------------------------------------


def _span(display: str, lines: list[str], mark) -> Span:
    """A mark as a span inside the text: libyaml puts end-of-stream on a line past a last line
    that has no line break."""
    if mark.line >= len(lines):
        return Span(display, len(lines), len(lines[-1]) + 1)
    return Span(display, mark.line + 1, mark.column + 1)


def _syntax(err: yaml.MarkedYAMLError, lines: list[str], display: str) -> Diagnostic:
    mark = err.problem_mark or err.context_mark
    tab = _tab_indent(lines, mark.line if mark else 0)
    if tab:
        return diag("LS006", "tab character used for indentation; YAML indents with spaces only",
                    Span(display, *tab))
    message = f"YAML syntax: {err.problem or 'invalid YAML'}"
    cm = err.context_mark
    if err.context and cm and mark and (cm.line, cm.column) != (mark.line, mark.column):
        message += f" ({err.context} at line {cm.line + 1}, column {cm.column + 1})"
    if mark and any(words in (err.problem or "") for words in _INDENTATION_PROBLEMS):
        message += _indentation_hint(lines, mark.line, cm.line if cm else None)
    return diag("LS005", message, _span(display, lines, mark) if mark else Span(display, 1, 1))


# What the parsers say when a line is indented wrongly (an item or key in no column of its block).
_INDENTATION_PROBLEMS = ("expected '-' indicator", "expected key", "expected <block end>",
                         "mapping values are not allowed")


def _indentation_hint(lines: list[str], index: int, context: int | None) -> str:
    """"; check the indentation ..." naming the columns of the error line and of its block's start."""
    if not 0 <= index < len(lines) or not lines[index].strip():
        return "; check the indentation of this line and the lines before it"
    column = _indent(lines[index]) + 1
    if context is not None and 0 <= context < len(lines) and context != index:
        block = _indent(lines[context]) + 1
        if block == column and lines[context].lstrip().startswith("-") and not lines[index].lstrip().startswith("-"):
            return (f"; check the indentation: line {index + 1} is in the column of the list's items (line "
                    f"{context + 1}) but is not an item; start it with '- ', or indent it to line up with the keys "
                    "of the item above")
        return (f"; check the indentation: line {index + 1} starts at column {column}, its block (line "
                f"{context + 1}) at column {_indent(lines[context]) + 1}; the items of a list, and the keys of a "
                "mapping, line up in one column")
    above = next((text for text in reversed(lines[:index]) if text.strip() and not text.lstrip().startswith("#")),
                 None)
    if above is not None and _indent(above) < column - 1:
        return (f"; check the indentation: line {index + 1} starts at column {column}, deeper than the line above "
                "it, so it is read as part of that line's value (or quote a value that holds ': ')")
    return "; put a value that holds ': ' in quotes"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def dedented_hint(lines: list[str], index: int) -> str:
    """For a duplicate key: when the line before it is indented deeper, the key was probably meant
    for that block."""
    if not 0 <= index < len(lines):
        return ""
    for before in range(index - 1, -1, -1):
        text = lines[before]
        if text.strip() and not text.lstrip().startswith("#"):
            if _indent(text) > _indent(lines[index]):
                return (f"; if it belongs to the block above (line {before + 1}), indent it to line up with that "
                        "block's keys")
            return ""
    return ""


def _tab_indent(lines: list[str], index: int) -> tuple[int, int] | None:
    """The (line, column) of a tab in the indentation of the error line or the line before it."""
    for i in (index, index - 1):
        if 0 <= i < len(lines):
            indent = re.match(r"[ \t]*", lines[i]).group()
            if "\t" in indent:
                return i + 1, indent.index("\t") + 1
    return None


def _bad_character(err: yaml.reader.ReaderError, text: str, display: str) -> Diagnostic:
    found = yaml.reader.Reader.NON_PRINTABLE.search(text)  # compiled by PyYAML already
    position = found.start() if found else min(max(err.position, 0), len(text))
    char = text[position] if position < len(text) else "\0"
    breaks = list(_LINE_BREAK.finditer(text, 0, position))
    line = len(breaks) + 1
    column = position - (breaks[-1].end() if breaks else 0) + 1
    return diag("LS005", f"YAML syntax: character U+{ord(char):04X} is not allowed in YAML; remove it",
                Span(display, line, column))
