"""Located YAML nodes: plain values that remember the file, line and column that wrote them.

Overlays merge these trees (each node keeps the span of the layer that set it), the locator walks
them to turn a model path into a span, and `to_plain` hands pydantic ordinary dicts and lists.
Nodes are never mutated after they are built; merging makes new containers.
"""

from __future__ import annotations

from typing import Any, Union

from leadsync.diagnostics import Span

# Plain slotted classes, not dataclasses: a spec can have tens of thousands of nodes, and these are
# created on every `leadsync validate` start (frozen dataclasses are slow to build and to import).


class Scalar:
    __slots__ = ("value", "span", "raw")

    def __init__(self, value: str | int | float | bool | None, span: Span, raw: str):
        self.value = value
        self.span = span
        self.raw = raw  # the text as written, for messages ("put '63.10' in quotes")


class Seq:
    __slots__ = ("items", "span")

    def __init__(self, items: tuple["Node", ...], span: Span):
        self.items = items
        self.span = span


class Entry:
    __slots__ = ("key", "key_span", "node")

    def __init__(self, key: str, key_span: Span, node: "Node"):
        self.key = key
        self.key_span = key_span
        self.node = node


class Map:
    __slots__ = ("entries", "span")

    def __init__(self, entries: dict[str, Entry], span: Span):
        self.entries = entries
        self.span = span

    def get(self, key: str) -> "Node | None":
        entry = self.entries.get(key)
        return entry.node if entry else None


Node = Union[Scalar, Seq, Map]


def to_plain(node: Node | None) -> Any:
    if node is None:
        return None
    if isinstance(node, Scalar):
        return node.value
    if isinstance(node, Seq):
        return [to_plain(n) for n in node.items]
    return {k: to_plain(e.node) for k, e in node.entries.items()}


def text_of(node: Node | None) -> str | None:
    """The node's value when it is text, else None (for keys like `value`, `name`, `after`)."""
    if isinstance(node, Scalar) and isinstance(node.value, str):
        return node.value
    return None


def without(node: Map, keys: set[str]) -> Map:
    return Map({k: e for k, e in node.entries.items() if k not in keys}, node.span)


def describe(node: Node | None) -> str:
    """How a written value reads in a message: "number 5", "text 'abc'", "a list"."""
    if node is None:
        return "nothing"
    if isinstance(node, Seq):
        return "a list"
    if isinstance(node, Map):
        return "a mapping"
    value = node.value
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return f"boolean {node.raw}"
    if isinstance(value, (int, float)):
        return f"number {node.raw}"
    return f"text '{shorten(value)}'"


def shorten(text: str, limit: int = 60) -> str:
    """The text on one line (control characters escaped), cut to `limit` characters."""
    flat = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
