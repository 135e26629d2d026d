"""Small helpers several lint rules share."""

from __future__ import annotations

from collections.abc import Iterator

from leadsync.diagnostics import Span
from leadsync.spec.model import AnyOf, Spec


def first_at(first: Span, here: Span) -> str:
    """"line 8" when both are in one file, else "base.yaml:8"."""
    return f"line {first.line}" if first.path == here.path else f"{first.path}:{first.line}"


def conditions(when: list, path: tuple) -> Iterator[tuple[object, tuple]]:
    """Every condition of a `when` list with its model path, `any:` branches included."""
    for i, cond in enumerate(when):
        yield cond, (*path, i)
        if isinstance(cond, AnyOf):
            yield from conditions(cond.any, (*path, i, "any"))


def as_list(value: str | list[str]) -> list[tuple[str, tuple]]:
    """A `str | list[str]` condition value as (value, path suffix) pairs."""
    return [(value, ())] if isinstance(value, str) else [(v, (i,)) for i, v in enumerate(value)]


def values(spec: Spec, kind: str) -> list[str]:
    return [s.value for s in (spec.stages if kind == "stage" else spec.statuses)]
