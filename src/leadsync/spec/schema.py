"""`leadsync schema`: the JSON Schema of the spec format, accepting what `validate` accepts.

The model's own schema (`Spec.model_json_schema()`) describes a complete spec. A spec that
`extends` a base is an overlay: it may leave out any key, its items of the named lists (`stages`,
`statuses`, `lead_processes`, `transitions`, `scenarios`) may be partial and carry `after`,
`before` and `remove`, and mappings (`stage_field`, `guards`, a transition's `set`...) merge key by
key, so they may be partial too. Ordinary lists (`when`, `steps`, `values`) replace the base's
whole, so their items stay complete. The root is `anyOf` the two: a complete spec without
`extends`, or an overlay with it. Lint rules (duplicates, references, API names) are not in the
schema; `leadsync validate` checks them.
"""

from __future__ import annotations

import copy
from typing import Any

from leadsync.spec.model import Spec
from leadsync.spec.overlay import NAMED_LISTS

_REF = "#/$defs/"
_OVERLAY = "Overlay"


def json_schema() -> dict:
    full = Spec.model_json_schema()
    defs: dict[str, Any] = full.pop("$defs")
    overlay = _partial(full, defs, root=True)
    overlay["properties"]["extends"] = {
        "type": "string", "minLength": 1, "title": "Extends",
        "description": "the base spec: a path relative to this file, or preset:NAME for a preset shipped "
                       "with leadsync",
    }
    overlay["required"] = ["extends"]
    overlay["title"] = "Spec overlay"
    full["title"] = "Spec"
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "leadsync spec",
        "description": "A leadsync spec (docs/spec.md): a complete spec, or an overlay of a base (`extends`).",
        "anyOf": [full, overlay],
        "$defs": defs,
    }


def _partial(schema: dict, defs: dict, root: bool = False, key: str | None = None) -> dict:
    """A copy of an object schema with nothing required (but `key`), whose mapping-valued properties
    refer to partial definitions too."""
    out = copy.deepcopy(schema)
    out["required"] = [key] if key else []
    if not out["required"]:
        del out["required"]
    for name, prop in out.get("properties", {}).items():
        if root and name in NAMED_LISTS:
            item = prop["items"]["$ref"].removeprefix(_REF)
            prop["items"] = {"$ref": _REF + _overlay_item(item, NAMED_LISTS[name][0], defs)}
            prop.pop("minItems", None)
            continue
        _point_at_partial(prop, defs)
    return out


def _point_at_partial(prop: dict, defs: dict) -> None:
    """Redirect a property's reference(s) to a model (directly or as a member of `anyOf`) to its
    partial definition; lists and plain values keep their schema."""
    for member in [prop, *prop.get("anyOf", ())]:
        ref = member.get("$ref")
        if ref:
            member["$ref"] = _REF + _overlay_def(ref.removeprefix(_REF), defs)


def _overlay_def(name: str, defs: dict) -> str:
    partial = name + _OVERLAY
    if partial not in defs:
        defs[partial] = {}  # placeholder: definitions may refer to each other
        defs[partial] = _partial(defs[name], defs)
    return partial


def _overlay_item(name: str, key: str, defs: dict) -> str:
    item = name + "Item" + _OVERLAY
    if item not in defs:
        defs[item] = {}
        schema = _partial(defs[name], defs, key=key)
        schema["properties"].update({
            "after": {"type": "string", "minLength": 1, "description": "place a new item after this one"},
            "before": {"type": "string", "minLength": 1, "description": "place a new item before this one"},
            "remove": {"type": "boolean", "description": "drop the base's item with this key"},
        })
        schema["not"] = {"required": ["after", "before"]}
        defs[item] = schema
    return item
