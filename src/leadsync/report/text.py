"""Diagnostics for people and editors: one `PATH:LINE:COL: error|warning CODE: message` a line."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from leadsync.diagnostics import Diagnostic


def format_line(d: Diagnostic) -> str:
    """One line, whatever the message quotes from the spec: control characters are escaped."""
    message = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in d.message)
    return f"{d.span.path}:{d.span.line}:{d.span.column}: {d.severity.value} {d.code}: {message}"


def format_text(diagnostics: Iterable[Diagnostic]) -> str:
    """Each diagnostic on its own line, each line ending in a newline; "" when there are none."""
    return "".join(format_line(d) + "\n" for d in diagnostics)


def summary_line(per_file: Mapping[str, list[Diagnostic]]) -> str:
    """One closing line, e.g. "2 errors, 1 warning in 3 specs"."""
    every = [d for ds in per_file.values() for d in ds]
    errors = sum(1 for d in every if d.is_error)
    warnings = len(every) - errors
    specs = _count(len(per_file), "spec")
    if not every:
        return f"{specs} checked, no problems\n"
    return f"{_count(errors, 'error')}, {_count(warnings, 'warning')} in {specs}\n"


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def batch_summary_line(per_file: Mapping[str, list[Diagnostic]]) -> str:
    """The one closing line of a check of many specs: "3 specs: 2 ok, 1 failed (4 errors, 1 warning)"."""
    failed = sum(1 for ds in per_file.values() if any(d.is_error for d in ds))
    every = [d for ds in per_file.values() for d in ds]
    errors = sum(1 for d in every if d.is_error)
    detail = f" ({_count(errors, 'error')}, {_count(len(every) - errors, 'warning')})" if every else ""
    return f"{_count(len(per_file), 'spec')}: {len(per_file) - failed} ok, {failed} failed{detail}\n"
