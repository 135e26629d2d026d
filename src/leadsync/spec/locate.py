"""Model path → span: where in which file the value at ("statuses", 3, "value") was written.

Paths are the model's (and pydantic's data) paths: mapping keys and list indices. A path that does
not exist in the YAML (a default, a missing key) answers with its deepest written ancestor.
"""

from __future__ import annotations

from collections.abc import Sequence

from leadsync.diagnostics import Span
from leadsync.spec.nodes import Entry, Map, Node, Seq

Path = Sequence[str | int]


class Locator:
    def __init__(self, root: Node | None, path: str, removed: dict[tuple[str, str], Span] | None = None):
        self.root = root
        self.file = Span(path, 1, 1)  # the file as a whole: its first line, as editors count
        self.removed = removed or {}  # (named list, key) → where an overlay removed that base item

    def resolve(self, path: Path) -> tuple[tuple, Node | None, Entry | None]:
        """The longest written prefix of `path`, its node, and its mapping entry (None for list items)."""
        node, entry, done = self.root, None, []
        for part in path:
            if isinstance(node, Map) and isinstance(part, str) and part in node.entries:
                entry = node.entries[part]
                node = entry.node
            elif isinstance(node, Seq) and type(part) is int and 0 <= part < len(node.items):
                entry, node = None, node.items[part]
            else:
                break
            done.append(part)
        return tuple(done), node, entry

    def has(self, path: Path) -> bool:
        return len(self.resolve(path)[0]) == len(path)

    def node(self, path: Path) -> Node | None:
        found, node, _ = self.resolve(path)
        return node if len(found) == len(path) else None

    def span(self, path: Path = ()) -> Span:
        """Where the value at `path` (or its deepest written ancestor) starts."""
        node = self.resolve(path)[1]
        return node.span if node is not None else self.file

    def key_span(self, path: Path) -> Span:
        """Where the key of the entry at `path` is written; the value's span for list items."""
        found, node, entry = self.resolve(path)
        if entry is not None and len(found) == len(path):
            return entry.key_span
        return node.span if node is not None else self.file

    __getitem__ = span


def dotted(path: Path) -> str:
    """("statuses", 3, "value") → "statuses[3].value", the way messages name a place."""
    text = ""
    for part in path:
        text += f"[{part}]" if type(part) is int else (f".{part}" if text else str(part))
    return text
