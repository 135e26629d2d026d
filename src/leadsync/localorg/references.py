"""Which Lead fields a formula or a flow names, so a deploy naming a field nobody has can be refused.

Formulas: identifiers outside string literals and comments that are not functions (followed by `(`),
globals (`$User.Id`) or literals (TRUE, FALSE, NULL). `Owner.Name` follows a relationship: only its
first step is checked (OwnerId must exist, Owner:User.Name too; `Partner__r.Name` needs Partner__c). Flows: `$Record.X`
and `$Record__Prior.X` anywhere in the flow's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LITERALS = {"true", "false", "null"}
_RECORD_REF = re.compile(r"\$Record(?:__Prior)?\.([A-Za-z_][A-Za-z0-9_]*(?:[.:][A-Za-z_][A-Za-z0-9_]*)*)")
_IDENT_START = re.compile(r"[A-Za-z_$]")
_IDENT = re.compile(r"[$A-Za-z_][A-Za-z0-9_]*(?:[.:][A-Za-z_][A-Za-z0-9_]*)*")


@dataclass(frozen=True)
class Ref:
    path: str  # as written: "Status", "Owner.Name", "Partner__r.Name"
    offset: int  # where it starts in the text

    @property
    def field(self) -> str:
        """The field of the formula's own object this reference needs."""
        first = re.split(r"[.:]", self.path, maxsplit=1)[0]
        if first == self.path:
            return first
        if first.lower().endswith("__r"):
            return first[:-3] + "__c"
        return first + "Id"  # standard relationships: Owner -> OwnerId, ConvertedAccount -> ConvertedAccountId


def formula_refs(text: str) -> list[Ref]:
    refs: list[Ref] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in "\"'":
            i = _skip_string(text, i)
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
        elif ch.isdigit():
            while i < n and (text[i].isdigit() or text[i] == "."):
                i += 1
        elif _IDENT_START.match(ch):
            m = _IDENT.match(text, i)
            token, start, i = m.group(0), i, m.end()
            j = i
            while j < n and text[j] in " \t\r\n":
                j += 1
            is_function = j < n and text[j] == "("
            if not (is_function or token.startswith("$") or token.lower() in _LITERALS):
                refs.append(Ref(token, start))
        else:
            i += 1
    return refs


def record_refs(text: str) -> list[Ref]:
    return [Ref(m.group(1), m.start(1)) for m in _RECORD_REF.finditer(text)]


def _skip_string(text: str, i: int) -> int:
    quote, i = text[i], i + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == quote:
            return i + 1
        i += 1
    return i


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    """0-based line and 1-based column of `offset` in `text`."""
    line = text.count("\n", 0, offset)
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
