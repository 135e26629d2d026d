"""Salesforce formula syntax: string literals and the small expressions leadsync builds from them.

A value from the spec placed inside a formula is first made a formula string literal here
(backslash escapes), and only then escaped for XML by the templates' autoescape. Field references
(API names) are checked by the spec lint rules and are used as they are.

>>> string_literal('Say "hi"')
'"Say \\\\"hi\\\\""'
>>> case_rank("TEXT(Lead_Stage__c)", ["Lead", "MQL"])
'CASE(TEXT(Lead_Stage__c), "Lead", 1, "MQL", 2, 0)'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_UNESCAPES = {"\\": "\\", '"': '"', "'": "'", "n": "\n", "r": "\r", "t": "\t"}


def string_literal(value: str) -> str:
    """`value` as a double-quoted formula string literal: `\\`, `"`, newline, CR and tab escaped."""
    return '"' + "".join(_ESCAPES.get(ch, ch) for ch in value) + '"'


def flow_string_literal(value: str) -> str:
    """A string literal for a Flow formula, where `{!` starts a merge field even inside quotes.

    `{!` is split into `"{" & "!..."` so that a value like `{!x}` stays literal text.
    """
    if "{!" not in value:
        return string_literal(value)
    pieces = value.split("{!")  # "a{!b{!c" -> "a{" & "!b{" & "!c"
    chunks = [p + "{" for p in pieces[:-1]] + [pieces[-1]]
    return " & ".join(string_literal(c if i == 0 else "!" + c) for i, c in enumerate(chunks))


class StringLiteralError(ValueError):
    """A string literal `parse_string_literal` cannot read.

    `kind` is `"no_literal"` (no quote at `offset`), `"bad_escape"` (the backslash at `offset` is
    followed by `escape`, `""` at the end of the text) or `"unterminated"` (the literal opened at
    `offset` never closes). Callers word it their own way (the local org's lexer as Salesforce does).
    """

    def __init__(self, kind: str, offset: int, escape: str = ""):
        wording = {"no_literal": "no string literal", "bad_escape": "bad escape",
                   "unterminated": "unterminated string literal"}[kind]
        super().__init__(f"{wording} at offset {offset}")
        self.kind = kind
        self.offset = offset
        self.escape = escape


def parse_string_literal(text: str, start: int = 0) -> tuple[str, int]:
    """Read the string literal that begins at `text[start]` (`"` or `'`); return (value, index after it).

    The inverse of `string_literal`, for parsers and interpreters of rendered formulas (the local
    org's formula lexer too). Escapes: `\\\\`, `\\"`, `\\'`, `\\n`, `\\r`, `\\t`; anything else raises
    `StringLiteralError`.
    """
    quote = text[start]
    if quote not in "\"'":
        raise StringLiteralError("no_literal", start)
    out: list[str] = []
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            escape = text[i + 1:i + 2]
            if escape not in _UNESCAPES:  # "" (the text ends) is not a key either
                raise StringLiteralError("bad_escape", i, escape)
            out.append(_UNESCAPES[escape])
            i += 2
        elif ch == quote:
            return "".join(out), i + 1
        else:
            out.append(ch)
            i += 1
    raise StringLiteralError("unterminated", start)


def merge_field(reference: str) -> str:
    """A Flow formula merge field: `$Record.Status` -> `{!$Record.Status}`."""
    return "{!" + reference + "}"


def case_rank(text_expr: str, values: Sequence[str], *, literal=string_literal) -> str:
    """`CASE(expr, "v1", 1, "v2", 2, ..., 0)`: the 1-based rank of a text value, 0 when unknown."""
    pairs = ", ".join(f"{literal(v)}, {i}" for i, v in enumerate(values, start=1))
    return f"CASE({text_expr}, {pairs}, 0)"


def any_pickval(field: str, values: Iterable[str]) -> str:
    """`OR(ISPICKVAL(field, "a"), ISPICKVAL(field, "b"))`: the picklist holds one of the values; one
    value is just its ISPICKVAL (never `OR(x)`)."""
    tests = [f"ISPICKVAL({field}, {string_literal(v)})" for v in values]
    return tests[0] if len(tests) == 1 else "OR(" + ", ".join(tests) + ")"


def case_in(text_expr: str, values: Sequence[str], *, inside: int = 1, literal=string_literal) -> str:
    """`CASE(expr, "a", 1, "b", 1, 0) = 1`: the text is one of `values` (`inside=0`: is none of them).
    Shorter than ISPICKVALs or a full rank when the list is long."""
    pairs = ", ".join(f"{literal(v)}, {inside}" for v in values)
    return f"CASE({text_expr}, {pairs}, {1 - inside}) = 1"


FORMULA_MAX = 3900  # characters of a validation rule's errorConditionFormula, and of a flow formula


def compact(expr: str) -> str:
    """The same formula without the optional spaces after commas and around `<`, `=` and `&`
    (string literals untouched): a few characters more room under FORMULA_MAX."""
    out, i = [], 0
    while i < len(expr):
        ch = expr[i]
        if ch in "\"'":
            _, end = parse_string_literal(expr, i)
            out.append(expr[i:end])
            i = end
            continue
        if ch == " " and ((out and out[-1][-1:] in ",<=&") or expr[i + 1:i + 2] in ("<", "=", "&")):
            i += 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)
