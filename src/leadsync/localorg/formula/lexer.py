"""Formula text -> tokens. Comments (`/* */`) and whitespace are dropped; positions are offsets.

String literals take `'` or `"` and Salesforce's escapes: `\\'`, `\\"`, `\\\\`, `\\n`, `\\r`, `\\t`.
`{!name}` (flow merge field) is one token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from leadsync.localorg.formula.errors import FormulaError

_ESCAPES = {"\\": "\\", '"': '"', "'": "'", "n": "\n", "r": "\r", "t": "\t"}
_IDENT = re.compile(r"\$?[A-Za-z_][A-Za-z0-9_]*(?:[.:][A-Za-z_$][A-Za-z0-9_]*)*")  # Owner:User.Name: polymorphic
_NUMBER = re.compile(r"(?:\d+(?:\.\d*)?|\.\d+)")
_DIGITS = frozenset("0123456789")
_OPERATORS = ("&&", "||", "==", "!=", "<>", "<=", ">=", "+", "-", "*", "/", "^", "&", "=", "<", ">", "!")


@dataclass(frozen=True)
class Token:
    kind: str  # "number", "string", "ident", "merge", "op", "(", ")", ",", "end"
    text: str  # as written
    pos: int
    value: object = None  # Decimal for numbers, the unescaped str for strings, the name for merges


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise FormulaError("Syntax error. Missing '*/'", i)
            i = end + 2
        elif ch in "\"'":
            value, end = _string(text, i)
            tokens.append(Token("string", text[i:end], i, value))
            i = end
        elif text.startswith("{!", i):
            end = text.find("}", i + 2)
            if end < 0:
                raise FormulaError("Syntax error. Missing '}'", i)
            name = text[i + 2:end].strip()
            if not _IDENT.fullmatch(name):
                raise FormulaError(f"Syntax error. Found '{text[i:end + 1]}'", i)
            tokens.append(Token("merge", text[i:end + 1], i, name))
            i = end + 1
        elif ch in _DIGITS or (ch == "." and i + 1 < n and text[i + 1] in _DIGITS):
            m = _NUMBER.match(text, i)
            tokens.append(Token("number", m.group(0), i, Decimal(m.group(0))))
            i = m.end()
        elif ch == "$" or ch.isalpha() or ch == "_":
            m = _IDENT.match(text, i)
            if m is None:
                raise FormulaError(f"Syntax error. Found '{ch}'", i)
            tokens.append(Token("ident", m.group(0), i))
            i = m.end()
        elif ch in "(),":
            tokens.append(Token(ch, ch, i))
            i += 1
        else:
            op = next((o for o in _OPERATORS if text.startswith(o, i)), None)
            if op is None:
                raise FormulaError(f"Syntax error. Found '{ch}'", i)
            tokens.append(Token("op", op, i))
            i += len(op)
    tokens.append(Token("end", "", n))
    return tokens


def _string(text: str, start: int) -> tuple[str, int]:
    quote, out, i = text[start], [], start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            nxt = text[i + 1] if i + 1 < len(text) else ""
            if nxt not in _ESCAPES:
                raise FormulaError(f"Syntax error. Invalid escape sequence '\\{nxt}'", i)
            out.append(_ESCAPES[nxt])
            i += 2
        elif ch == quote:
            return "".join(out), i + 1
        else:
            out.append(ch)
            i += 1
    raise FormulaError(f"Syntax error. Missing '{quote}'", start)
