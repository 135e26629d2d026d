"""Every output format is a function from the same records to text; one table picks it."""

from __future__ import annotations

from collections.abc import Callable

from leadsync.diagnostics import Diagnostic


def _text(per_file: dict[str, list[Diagnostic]]) -> str:
    from leadsync.report.text import batch_summary_line, format_text, summary_line

    diagnostics = [d for ds in per_file.values() for d in ds]
    summary = batch_summary_line(per_file) if len(per_file) > 1 else summary_line(per_file)
    return format_text(diagnostics) + summary


def _json(per_file: dict[str, list[Diagnostic]]) -> str:
    from leadsync.report.json import format_json

    return format_json(per_file)


def _junit(per_file: dict[str, list[Diagnostic]]) -> str:
    from leadsync.report.junit import junit_for_specs

    return junit_for_specs(per_file)


def _github(per_file: dict[str, list[Diagnostic]]) -> str:
    from leadsync.report.github import format_github

    return format_github(per_file)


def _sarif(per_file: dict[str, list[Diagnostic]]) -> str:
    from leadsync.report.sarif import format_sarif

    return format_sarif(per_file)


FORMATTERS: dict[str, Callable[[dict[str, list[Diagnostic]]], str]] = {
    "text": _text,
    "json": _json,
    "junit": _junit,
    "github": _github,
    "sarif": _sarif,
}


def render_diagnostics(per_file: dict[str, list[Diagnostic]], fmt: str) -> str:
    return FORMATTERS[fmt](per_file)
