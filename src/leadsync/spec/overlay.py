"""Merge an overlay's located tree onto its base's (docs/spec.md, "Overlays").

Scalars and ordinary lists of the overlay replace the base's; mappings merge key by key; the five
lists of named items merge by key, with `after:`/`before:` to place an item and `remove: true` to
drop one. Those three keys exist only in overlays and are gone from the result. Every node keeps
the span of the layer that wrote it, so errors in the merged spec point at the right file.
"""

from __future__ import annotations

from leadsync.diagnostics import Diagnostic, Span
from leadsync.spec.codes import diag
from leadsync.spec.nodes import Entry, Map, Node, Scalar, Seq, describe, text_of, without
from leadsync.spec.suggest import did_you_mean

# top-level list → (key field, what one item is called in messages)
NAMED_LISTS = {
    "stages": ("value", "stage"),
    "statuses": ("value", "status"),
    "lead_processes": ("name", "lead process"),
    "transitions": ("name", "transition"),
    "scenarios": ("name", "scenario"),
}
DIRECTIVES = {"after", "before", "remove"}


def merge(base: Map, overlay: Map, removed: dict[tuple[str, str], Span] | None = None) -> tuple[Map, list[Diagnostic]]:
    """The merged tree and the overlay's problems. `removed` collects (list name, key) → the span of
    the `remove` that dropped a base item, so an error it causes in the base can point at it."""
    problems = _Problems()
    problems.removed = {} if removed is None else removed
    return _merge_maps(base, overlay, (), problems), list(problems)


class _Problems(list):
    """The overlay's diagnostics, and where its `remove`s are."""

    removed: dict[tuple[str, str], Span]


def _merge_node(base: Node, over: Node, path: tuple, problems: list[Diagnostic]) -> Node:
    if isinstance(base, Map) and isinstance(over, Map):
        return _merge_maps(base, over, path, problems)
    if len(path) == 1 and path[0] in NAMED_LISTS and isinstance(base, Seq) and isinstance(over, Seq):
        return _merge_named(base, over, path[0], problems)
    return over


def _merge_maps(base: Map, over: Map, path: tuple, problems: list[Diagnostic]) -> Map:
    entries = dict(base.entries)
    for key, entry in over.entries.items():
        if key in entries:
            merged = _merge_node(entries[key].node, entry.node, (*path, key), problems)
            entries[key] = Entry(key, entry.key_span, merged)
        else:
            entries[key] = entry
    return Map(entries, over.span)


def _merge_named(base: Seq, over: Seq, name: str, problems: _Problems) -> Seq:
    key_field, kind = NAMED_LISTS[name]
    items = list(base.items)
    seen: set[str] = set()
    for item in over.items:
        key = text_of(item.get(key_field)) if isinstance(item, Map) else None
        if key is None:
            items.append(item)  # the model reports what is wrong with it
            continue
        remove, place = _directives(item, f"{kind} '{key}'", problems)
        # A key repeated inside one overlay is appended, so the duplicate rule sees it.
        index = None if key in seen else _find(items, key_field, key)
        seen.add(key)
        if remove:
            if index is None:
                problems.append(diag("LS017", f"cannot remove {kind} '{key}': the base declares no such {kind}",
                                     item.entries["remove"].key_span))
            else:
                del items[index]
                problems.removed[(name, key)] = item.entries["remove"].key_span
            continue
        clean = without(item, DIRECTIVES)
        merged = clean if index is None else _merge_node(items[index], clean, (name, key), problems)
        if place is None:
            if index is None:
                items.append(merged)
            else:
                items[index] = merged
            continue
        if index is not None:
            del items[index]
        where, target, span = place
        at = _find(items, key_field, target)
        if at is None:
            names = [text_of(i.get(key_field)) for i in items if isinstance(i, Map)]
            problems.append(diag("LS017", f"{kind} '{key}' is placed {where} '{target}', which the base does not "
                                 f"declare{did_you_mean(target, names)}", span))
            items.insert(len(items) if index is None else index, merged)
        else:
            items.insert(at + 1 if where == "after" else at, merged)
    return Seq(tuple(items), over.span)


def _directives(item: Map, what: str, problems: list[Diagnostic]) -> tuple[bool, tuple | None]:
    """(remove?, (after|before, target, span) or None) from an overlay item's directive keys."""
    remove = False
    if "remove" in item.entries:
        node = item.entries["remove"].node
        if isinstance(node, Scalar) and isinstance(node.value, bool):
            remove = node.value
        else:
            problems.append(diag("LS011", f"wrong type for 'remove' of {what}: expected true or false, "
                                 f"got {describe(node)}", node.span))
    place = None
    for where in ("after", "before"):
        if where not in item.entries:
            continue
        entry = item.entries[where]
        if place is not None:
            problems.append(diag("LS018", f"{what} has both 'after' and 'before'; keep one", entry.key_span))
            continue
        target = text_of(entry.node)
        if target is None:
            problems.append(diag("LS011", f"wrong type for '{where}' of {what}: expected the text key of another "
                                 f"item, got {describe(entry.node)}", entry.node.span))
            continue
        place = (where, target, entry.node.span)
    return remove, place


def _find(items: list[Node], key_field: str, key: str) -> int | None:
    for i, item in enumerate(items):
        if isinstance(item, Map) and text_of(item.get(key_field)) == key:
            return i
    return None
