"""Every output format is a function from the same records to text; one table picks it."""

from __future__ import annotations

from collections.abc import Callable

from leadsync.diagnostics import Diagnostic


def _text(per_file: dict[str, list[Diagnostic]]) -> str:
    from leadsync.report.text import format_text, summary_line

    diagnostics = [d for ds in per_file.values() for d in ds]
    return format_text(diagnostics) + summary_line(per_file)


def _json(per_file: dict[str, list[Diagnostic]]) -> str:
    from leadsync.report.json import format_json

    return format_json(per_file)


def _junit(per_file: dict[str, list[Diagnostic]]) -> str:
    from leadsync.report.junit import junit_for_specs

    return junit_for_specs(per_file)


FORMATTERS: dict[str, Callable[[dict[str, list[Diagnostic]]], str]] = {
    "text": _text,
    "json": _json,
    "junit": _junit,
}


def render_diagnostics(per_file: dict[str, list[Diagnostic]], fmt: str) -> str:
    return FORMATTERS[fmt](per_file)
