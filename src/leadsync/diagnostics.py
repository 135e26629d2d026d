"""Findings as plain data that remember where they came from (yamllint/sqlfluff style, not exceptions)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Span:
    """A place in a file: 1-based line and column. A problem with the file as a whole is at 1:1, where
    editors and CI annotations (GitHub, SARIF) can show it."""

    path: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    span: Span
    hint: str | None = field(default=None, compare=False)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def to_dict(self) -> dict:
        return {
            "path": self.span.path,
            "line": self.span.line,
            "column": self.span.column,
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
        }

    def __str__(self) -> str:
        return f"{self.span}: {self.severity.value} {self.code}: {self.message}"


def error(code: str, message: str, span: Span, hint: str | None = None) -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, message, span, hint)


def warning(code: str, message: str, span: Span, hint: str | None = None) -> Diagnostic:
    return Diagnostic(code, Severity.WARNING, message, span, hint)


def has_errors(diagnostics) -> bool:
    return any(d.is_error for d in diagnostics)


def sort_key(d: Diagnostic):
    return (d.span.path, d.span.line, d.span.column, d.code)
