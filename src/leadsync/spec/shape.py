"""Validate merged spec data with the pydantic model; turn its errors into located diagnostics.

pydantic's error locations mix data keys with union tags and branch labels
(`("transitions", 0, "when", 0, "status", "status", "list[str]", 1)`). Walking the model's types
along the location tells the two apart, so each error lands on the YAML node it is about, and
the model class at that place supplies the known keys for "did you mean".
"""

from __future__ import annotations

import copy
import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, Tag, ValidationError

from leadsync.diagnostics import Diagnostic
from leadsync.spec.codes import diag
from leadsync.spec.locate import Locator, dotted
from leadsync.spec.model import AnyOf, Changed, Converted, FieldCompare, Spec, StageIs, StatusIs
from leadsync.spec.nodes import Map, Scalar, describe
from leadsync.spec.overlay import DIRECTIVES, NAMED_LISTS
from leadsync.spec.suggest import did_you_mean

_CONDITION_KEYS = ("status", "stage", "converted", "changed", "field", "any")
_CONDITION_CLASSES = (StatusIs, StageIs, Converted, Changed, FieldCompare, AnyOf)
_EXPECTED = {
    "string_type": "text",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}


def validate(data: Any, locator: Locator) -> tuple[Spec | None, list[Diagnostic]]:
    try:
        return Spec.model_validate(data), []
    except ValidationError as err:
        return None, diagnose(err.errors(include_url=False), locator)


# Stand-ins for missing top-level keys, so the rest of a file can still be linted.
_STAND_INS = {("leadsync",): 1, ("name",): "spec"}


def set_aside(data: Any) -> Spec | None:
    """A model of `data` once what its shape errors are about is set aside (unknown keys and optional
    keys of the wrong type dropped, a missing or wrong `leadsync` or `name`, or a transition's,
    process's or scenario's missing `name`, stood in for), so that one mistake does not hide the file's
    other errors; None when other shape errors remain. List items are never dropped, so every
    model path still names the node it came from."""
    if not isinstance(data, dict):
        return None
    data = copy.deepcopy(data)
    for _ in range(4):
        try:
            return Spec.model_validate(data)
        except ValidationError as err:
            for error in err.errors(include_url=False):
                path = _walk(error["loc"])[0]
                if path in _STAND_INS:
                    data[path[0]] = _STAND_INS[path]
                elif error["type"] == "missing":
                    if not _name_stand_in(data, path):
                        return None
                elif not _drop(data, path):  # an unknown key, or an optional one of the wrong type:
                    return None  # its default stands in (a required one comes back as missing)
    return None


# A transition, lead process or scenario without its `name`: a stand-in that no real name looks like,
# so that the rest of the file (its duplicates, its undeclared references) is still linted.
_NAMED_ITEMS = ("transitions", "lead_processes", "scenarios")


def _name_stand_in(data: Any, path: tuple) -> bool:
    if len(path) != 3 or path[0] not in _NAMED_ITEMS or path[2] != "name" or not isinstance(path[1], int):
        return False
    items = data.get(path[0])
    if not isinstance(items, list) or not 0 <= path[1] < len(items) or not isinstance(items[path[1]], dict):
        return False
    items[path[1]]["name"] = f"{path[0]}[{path[1]}]"
    return True


def _drop(data: Any, path: tuple) -> bool:
    for part in path[:-1]:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return False
    if isinstance(data, dict) and path and path[-1] in data:
        del data[path[-1]]
        return True
    return False


def diagnose(errors: list[dict], locator: Locator) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    typed: dict[tuple, list[dict]] = {}
    every_path = []
    judged = set()  # paths whose value was judged (too short, invalid): other union branches are noise
    for error in errors:
        path = _walk(error["loc"])[0]
        every_path.append(path)
        kind = error["type"]
        if kind == "extra_forbidden":
            out.append(_unknown_key(path, _walk(error["loc"][:-1])[1], locator))
        elif kind == "missing":
            out.append(_missing(path, locator))
        elif kind == "condition":
            out.append(_not_a_condition(path, locator))
        elif kind == "too_short":
            ctx = error.get("ctx", {})
            judged.add(path)
            out.append(diag("LS013", f"'{dotted(path)}' needs at least {ctx.get('min_length')} item(s), "
                            f"has {ctx.get('actual_length')}", locator.key_span(path)))
        elif kind == "string_too_short":
            judged.add(path)
            out.append(diag("LS013", f"'{dotted(path)}' is empty; give it a value", locator.span(path)))
        elif kind == "value_error":
            message = error["msg"].removeprefix("Value error, ")
            out.append(diag("LS013", f"{dotted(path) or 'spec'}: {message}", locator.span(path)))
        else:
            typed.setdefault(path, []).append(error)
    for path, group in typed.items():
        # A branch that accepted the container and failed inside it says more than the others.
        if path in judged or any(other[: len(path)] == path and len(other) > len(path) for other in every_path):
            continue
        out.append(_wrong_type(path, group, locator))
    return list(dict.fromkeys(out))


# --- one diagnostic per kind of error ---------------------------------------------------------


def _unknown_key(path: tuple, model: type[BaseModel] | None, locator: Locator) -> Diagnostic:
    key, parent = str(path[-1]), path[:-1]
    place = f" in {dotted(parent)}" if parent else ""
    known = list(model.model_fields) if model else []
    span = locator.key_span(path)
    if key in DIRECTIVES and len(parent) == 2 and parent[0] in NAMED_LISTS:
        return diag("LS010", f"unknown key '{key}'{place}: '{key}' only works in a spec that extends a base "
                    "(`extends:`)", span)
    if model in _CONDITION_CLASSES and key in _CONDITION_KEYS:
        first = next(iter(model.model_fields))
        return diag("LS010", f"a condition has one kind: '{key}' cannot be combined with '{first}' in "
                    f"{dotted(parent)}; write two conditions", span)
    hint = did_you_mean(key, known)
    if not hint and known:
        hint = f"; known keys: {', '.join(known)}"
    return diag("LS010", f"unknown key '{key}'{place}{hint}", span)


def _missing(path: tuple, locator: Locator) -> Diagnostic:
    key, parent = path[-1], path[:-1]
    place = f" in {dotted(parent)}" if parent else ""
    return diag("LS012", f"missing required key '{key}'{place}", locator.span(parent))


def _not_a_condition(path: tuple, locator: Locator) -> Diagnostic:
    node = locator.node(path)
    kinds = ", ".join(_CONDITION_KEYS)
    if isinstance(node, Map) and node.entries:
        key = next(iter(node.entries))
        hint = did_you_mean(key, _CONDITION_KEYS) or f"; a condition starts with one of: {kinds}"
        return diag("LS010", f"unknown condition '{key}' in {dotted(path)}{hint}", locator.key_span((*path, key)))
    if isinstance(node, Map):
        return diag("LS013", f"{dotted(path)} is an empty condition; a condition starts with one of: {kinds}",
                    locator.span(path))
    return diag("LS011", f"wrong type for '{dotted(path)}': expected a condition like {{status: New}}, "
                f"got {describe(node)}", locator.span(path))


def _wrong_type(path: tuple, group: list[dict], locator: Locator) -> Diagnostic:
    node = locator.node(path)
    given = describe(node)
    where = dotted(path) or "spec"
    if all(e["type"] == "literal_error" for e in group):
        choices = " or ".join(e.get("ctx", {}).get("expected", "?") for e in group)
        if path == ("leadsync",):
            return diag("LS013", f"unsupported spec format version ({given}); this leadsync reads `leadsync: 1`",
                        locator.span(path))
        return diag("LS013", f"'{where}' must be {choices}, not {given}", locator.span(path))
    expected = list(dict.fromkeys(_expected(e) for e in group))
    if "a number" in expected and "a whole number" in expected:
        expected.remove("a whole number")
    message = f"wrong type for '{where}': expected {_either(expected)}, got {given}"
    if "text" in expected and isinstance(node, Scalar) and node.value is not None:
        message += f"; put it in quotes if it is text: \"{node.raw}\""
    return diag("LS011", message, locator.span(path))


def _expected(error: dict) -> str:
    if error["type"] == "literal_error":
        return error.get("ctx", {}).get("expected", "?")
    return _EXPECTED.get(error["type"], error["msg"].removeprefix("Input should be "))


def _either(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


# --- pydantic location → data path and model class --------------------------------------------


def _walk(loc: tuple) -> tuple[tuple, type[BaseModel] | None]:
    """Split pydantic's location into the data path and the model class found at its end."""
    tp: Any = Spec
    data: list = []
    for part in loc:
        tp, is_data = _step(tp, part)
        if is_data:
            data.append(part)
    return tuple(data), _model(tp)


def _step(tp: Any, part: str | int) -> tuple[Any, bool]:
    members = _members(tp)
    for tag, member in members:
        if tag is not None and tag == part:
            return member, False
    for _, member in members:
        if isinstance(part, str) and _is_model(member) and part in member.model_fields:
            return member.model_fields[part].annotation, True
        if isinstance(part, int) and get_origin(member) is list:
            return get_args(member)[0], True
        if isinstance(part, str) and get_origin(member) is dict:
            return get_args(member)[1], True
    if isinstance(part, str) and len(members) > 1:  # a union branch label: "str", "list[str]", ...
        for _, member in members:
            if _label_matches(member, part):
                return member, False
        return tp, False
    return None, True


def _members(tp: Any) -> list[tuple[str | None, Any]]:
    """A union's non-None members with their discriminator tags; [(None, tp)] for anything else."""
    tp = _bare(tp)
    if get_origin(tp) not in (Union, types.UnionType):
        return [(None, tp)]
    out = []
    for member in get_args(tp):
        tag = next((m.tag for m in getattr(member, "__metadata__", ()) if isinstance(m, Tag)), None)
        if _bare(member) is not type(None):
            out.append((tag, _bare(member)))
    return out


def _bare(tp: Any) -> Any:
    while get_origin(tp) is Annotated:
        tp = get_args(tp)[0]
    return tp


def _label_matches(member: Any, label: str) -> bool:
    origin = get_origin(member)
    if origin is Literal:
        return label.startswith("literal[")
    if origin is not None:
        return label.startswith(f"{origin.__name__}[")
    return label == getattr(member, "__name__", None)


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _model(tp: Any) -> type[BaseModel] | None:
    return next((m for _, m in _members(tp) if _is_model(m)), None)
