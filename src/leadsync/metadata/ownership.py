"""How leadsync recognises its own components in an org: a marker at the end of their description.

Every component leadsync renders that has a description (custom fields, lead processes, record types,
validation rules, the flow, permission sets, custom permissions) gets `[managed by leadsync]` at the
end of it; a component whose spec gives no description gets the marker alone. An org's component
whose description ends with the marker was rendered by leadsync: when the spec no longer renders it,
`plan` shows it as `-` and `deploy --allow-destructive` deletes it. Everything else in the org (the
admin's own fields, processes, rules) is never proposed for deletion, whatever its name.

`mark_owned(bundle)` is applied once, at the end of `compile_spec`; `unmark` gives the spec's own text
back (for `import`).
"""

from __future__ import annotations

import dataclasses

from leadsync.metadata import model as m

MARKER = "[managed by leadsync]"

# Salesforce's description limits, by model record (anything else: 255).
_LIMITS: dict[type, int] = {m.PicklistField: 1000, m.DateTimeField: 1000, m.Flow: 2000}
_DEFAULT_LIMIT = 255


def mark(description: str | None, limit: int = _DEFAULT_LIMIT) -> str:
    """`description` with the marker at its end (shortened to fit `limit`), or the marker alone."""
    if description is not None and description.endswith(MARKER):
        return description
    text = (description or "").rstrip()
    if not text:
        return MARKER
    room = limit - len(MARKER) - 1
    if len(text) > room:
        text = text[: room - 1].rstrip() + "…"
    return f"{text} {MARKER}"


def is_owned(description: str | None) -> bool:
    return bool(description) and description.rstrip().endswith(MARKER)


def unmark(description: str | None) -> str | None:
    """The description without the marker (None when the marker was all of it)."""
    if not is_owned(description):
        return description
    text = description.rstrip()[: -len(MARKER)].rstrip()
    return text or None


def _marked(record):
    if not dataclasses.is_dataclass(record) or not hasattr(record, "description"):
        return record
    return dataclasses.replace(record, description=mark(record.description, _LIMITS.get(type(record), _DEFAULT_LIMIT)))


def _mark_all(container):
    """Every tuple-of-records attribute of a dataclass, each record marked (StandardValueSets excepted:
    LeadStatus is Salesforce's, and its values' descriptions are the spec's own)."""
    changes = {}
    for f in dataclasses.fields(container):
        value = getattr(container, f.name)
        if f.name == "standard_value_sets" or not isinstance(value, tuple):
            continue
        if value and all(dataclasses.is_dataclass(v) and hasattr(v, "description") for v in value):
            changes[f.name] = tuple(_marked(v) for v in value)
    return dataclasses.replace(container, **changes) if changes else container


def mark_owned(bundle: m.Bundle) -> m.Bundle:
    """The bundle with the ownership marker in the description of every component that has one."""
    return dataclasses.replace(_mark_all(bundle), lead=_mark_all(bundle.lead))


__all__ = ["MARKER", "is_owned", "mark", "mark_owned", "unmark"]
