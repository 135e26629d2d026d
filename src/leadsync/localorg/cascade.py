"""What deleting a custom field does to the components that name it, as in Salesforce: page layouts
lose the field's item and permission sets its field permission (flows and validation rules that name
it refuse the deletion instead: evaluate._still_referenced)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from leadsync.localorg.store import Content, MetadataStore

Key = tuple[str, str]

_BLOCKS = {  # type -> (element, how the field is named inside it)
    "Layout": ("layoutItems", lambda obj, name: name),
    "PermissionSet": ("fieldPermissions", lambda obj, name: f"{obj}.{name}"),
}


def field_deletions(changes: Mapping[Key, Content | None], store: MetadataStore) -> dict[Key, Content]:
    """Layouts and permission sets (as `changes` leaves them) without the entries of the custom
    fields `changes` deletes; only those that change."""
    gone = [k[1].split(".", 1) for k, v in changes.items() if v is None and k[0] == "CustomField" and "." in k[1]]
    if not gone:
        return {}
    out: dict[Key, Content] = {}
    for type_, (element, named) in _BLOCKS.items():
        keys = {k for k in store.keys(type_)} | {k for k in changes if k[0] == type_}
        for key in sorted(keys):
            if key in changes and changes[key] is None:
                continue
            current = changes.get(key)
            if current is None:
                stored = store.get(*key)
                if stored is None:
                    continue
                current = Content(stored.content, stored.meta)
            if type_ == "Layout":  # a layout belongs to one object: "Lead-Lead Layout"
                fields = [name for obj, name in gone if key[1].split("-", 1)[0] == obj]
            else:
                fields = [named(obj, name) for obj, name in gone]
            data = current.content
            for name in fields:
                pattern = (rb"[ \t]*<" + element.encode() + rb">(?:(?!</" + element.encode() + rb">).)*?<field>"
                           + re.escape(name.encode()) + rb"</field>.*?</" + element.encode() + rb">[ \t]*\r?\n?")
                data = re.sub(pattern, b"", data, flags=re.S)
            if data != current.content:
                out[key] = Content(data, current.meta)
    return out
