"""The parsed formula: small frozen dataclasses, each with the offset where it starts."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Node:
    pos: int


@dataclass(frozen=True)
class Literal(Node):
    value: str | Decimal | bool | None
    kind: str  # "text", "number", "boolean", "null"


@dataclass(frozen=True)
class Ref(Node):
    """A field, a global (`$Permission.X`, `$User.Alias`) or, in a flow, a resource.

    `name` is as written, without braces: `Status`, `Owner.Name`, `$Record.Status`, `myFormula`.
    `merge` is true for `{!name}` (flow merge-field syntax).
    """

    name: str
    merge: bool = False

    @property
    def parts(self) -> list[str]:
        return self.name.split(".")


@dataclass(frozen=True)
class Call(Node):
    name: str  # upper-cased
    args: tuple[Node, ...]
    written: str = ""  # as written, for messages that quote it


@dataclass(frozen=True)
class Unary(Node):
    op: str  # "-", "+", "!"
    operand: Node


@dataclass(frozen=True)
class Binary(Node):
    op: str  # normalized: "=" for "=="/"=", "<>" for "!="/"<>"
    left: Node
    right: Node
