"""Tokens -> AST, by recursive descent. Precedence, loosest first:

    ||    &&    = == != <>    < > <= >=    + - &    * /    ^    unary - + !    primary

All binary operators group left to right (`2 ^ 3 ^ 2` is 64, `-2 ^ 2` is 4), as formulon and sformula
(two independent reimplementations of Salesforce formulas) evaluate them.

Function names and TRUE/FALSE/NULL are case-insensitive, as in Salesforce. Which functions exist and
how many arguments they take is judged later (`check.py`, `evaluate.py`), like Salesforce's own
messages, which name the function: `Unknown function XYZ. Check spelling.`
"""

from __future__ import annotations

from functools import lru_cache

from leadsync.localorg.formula.ast import Binary, Call, Literal, Node, Ref, Unary
from leadsync.localorg.formula.errors import FormulaError
from leadsync.localorg.formula.lexer import Token, tokenize

_LEVELS: tuple[tuple[str, ...], ...] = (
    ("||",), ("&&",), ("=", "==", "!=", "<>"), ("<", ">", "<=", ">="), ("+", "-", "&"), ("*", "/"), ("^",),
)
_PRECEDENCE = {op: level for level, ops in enumerate(_LEVELS) for op in ops}
_NORMAL = {"==": "=", "!=": "<>"}


@lru_cache(maxsize=2048)
def parse(text: str) -> Node:
    """The AST of `text`; FormulaError(message, position) when Salesforce would call it a syntax error."""
    if not text.strip() or not any(t.kind != "end" for t in tokenize(text)):
        raise FormulaError("Syntax error. The formula is empty", 0)
    try:
        return _Parser(tokenize(text)).formula()
    except RecursionError:
        raise FormulaError("Syntax error. The formula is nested too deeply", 0) from None


class _Parser:
    def __init__(self, tokens: list[Token]):
        self.tokens, self.i, self.depth = tokens, 0, 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def next(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def formula(self) -> Node:
        node = self.expression()
        if self.tok.kind != "end":
            raise self.unexpected()
        return node

    def expression(self, level: int = 0) -> Node:
        """Precedence climbing: operators of `level` or tighter, each grouping left to right."""
        node = self.unary()
        while self.tok.kind == "op" and _PRECEDENCE.get(self.tok.text, -1) >= level:
            op = self.next()
            right = self.expression(_PRECEDENCE[op.text] + 1)
            node = Binary(op.pos, _NORMAL.get(op.text, op.text), node, right)
        return node

    def unary(self) -> Node:
        if self.tok.kind == "op" and self.tok.text in ("-", "+", "!"):
            op = self.next()
            return Unary(op.pos, op.text, self.unary())
        return self.primary()

    def primary(self) -> Node:
        tok = self.tok
        if tok.kind == "number":
            self.next()
            return Literal(tok.pos, tok.value, "number")
        if tok.kind == "string":
            self.next()
            return Literal(tok.pos, tok.value, "text")
        if tok.kind == "merge":
            self.next()
            return Ref(tok.pos, tok.value, merge=True)
        if tok.kind == "(":
            self.next()
            node = self.expression()
            self.expect_close(tok)
            return node
        if tok.kind == "ident":
            self.next()
            if self.tok.kind == "(":
                return self.call(tok)
            word = tok.text.upper()
            if word in ("TRUE", "FALSE"):
                return Literal(tok.pos, word == "TRUE", "boolean")
            if word == "NULL":
                return Literal(tok.pos, None, "null")
            return Ref(tok.pos, tok.text)
        raise self.unexpected()

    def call(self, name: Token) -> Node:
        open_ = self.next()
        args: list[Node] = []
        if self.tok.kind == ")":
            self.next()
            return Call(name.pos, name.text.upper(), (), name.text)
        while True:
            if self.tok.kind == ",":
                raise FormulaError("Syntax error. Extra ','", self.tok.pos)
            if self.tok.kind == ")":
                raise FormulaError("Syntax error. Extra ','", self.tokens[self.i - 1].pos)
            args.append(self.expression())
            if self.tok.kind == ",":
                self.next()
                continue
            self.expect_close(open_)
            return Call(name.pos, name.text.upper(), tuple(args), name.text)

    def expect_close(self, open_: Token) -> None:
        if self.tok.kind == ")":
            self.next()
            return
        if self.tok.kind == "end":
            raise FormulaError("Syntax error. Missing ')'", open_.pos)
        raise self.unexpected()

    def unexpected(self) -> FormulaError:
        tok = self.tok
        if tok.kind == "end":
            return FormulaError("Syntax error. Missing operand at the end of the formula", tok.pos)
        if tok.kind == ")":
            return FormulaError("Syntax error. Extra ')'", tok.pos)
        if tok.kind == ",":
            return FormulaError("Syntax error. Extra ','", tok.pos)
        return FormulaError(f"Syntax error. Found '{tok.text}'", tok.pos)
