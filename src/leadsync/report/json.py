"""Diagnostics as one JSON document: `{"ok": bool, "diagnostics": [{path, line, column, severity,
code, message}]}` (docs/cli.md). Accepts what callers have at hand: a {path: diagnostics} mapping,
load results (anything with `.diagnostics`), or diagnostics."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from leadsync.diagnostics import Diagnostic, has_errors


def format_json(results: Mapping[str, list[Diagnostic]] | Iterable, ok: bool | None = None) -> str:
    diagnostics = _flatten(results)
    if ok is None:
        ok = not has_errors(diagnostics)
    return json.dumps({"ok": ok, "diagnostics": [d.to_dict() for d in diagnostics]}, indent=2,
                      ensure_ascii=False) + "\n"


def _flatten(results) -> list[Diagnostic]:
    if isinstance(results, Mapping):
        results = results.values()
    out: list[Diagnostic] = []
    for item in results:
        if isinstance(item, Diagnostic):
            out.append(item)
        elif hasattr(item, "diagnostics"):
            out.extend(item.diagnostics)
        else:
            out.extend(item)
    return out
