"""A broken template override is the user's template error, not leadsync's internal one.

`schema.validate_files` reports a rendered file that breaks the Metadata API schema as LS900, an
internal error. When the template that wrote it (or `macros.j2`) comes from the user's `--templates`
folder, the mistake is in that folder: `check_files` reports it as a template error (LS901) at the
override's file and the line that writes the offending element (line 1 when no line names it).
"""

from __future__ import annotations

import re
from pathlib import Path

from leadsync.diagnostics import Diagnostic, Span, error
from leadsync.render.templates import TEMPLATE_ERROR

_ELEMENT = re.compile(r"Element '([^']+)'|tag mismatch: ([\w:.-]+) line")


def check_files(files: dict[str, bytes], template_dir: Path | None) -> list[Diagnostic]:
    """The schema check of rendered files, with violations written by an override blamed on it."""
    from leadsync.render import schema

    if template_dir is None:
        return schema.validate_files(files)
    found = []
    for v, diagnostic in zip(schema.violations(files), schema.validate_files(files), strict=True):
        blamed = _blame(Path(template_dir), schema.template_of(v), v)
        found.append(blamed or diagnostic)
    return found


def _blame(template_dir: Path, template: str, v) -> Diagnostic | None:
    element = _element(v)
    candidates = [template_dir / template, template_dir / "macros.j2"]
    overridden = [p for p in candidates if p.is_file()]
    if not overridden:
        return None
    for path in overridden:
        line = _line_writing(path, element)
        if line:
            return _diagnostic(path, line, v)
    if (template_dir / template).is_file():
        return _diagnostic(template_dir / template, 1, v)
    return None  # only macros.j2 is overridden, and it does not write this element: not the override's doing


def _element(v) -> str | None:
    if v.where:
        return v.where.rstrip("/").rsplit("/", 1)[-1].split("[")[0] or None
    match = _ELEMENT.search(v.detail)
    return (match.group(1) or match.group(2)) if match else None


def _line_writing(path: Path, element: str | None) -> int | None:
    if not element:
        return None
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return next((n for n, text in enumerate(lines, start=1) if re.search(rf"</?{re.escape(element)}\b", text)), None)


def _diagnostic(path: Path, line: int, v) -> Diagnostic:
    detail = v.detail + (f" (at {v.where}{f' of {v.owner}' if v.owner else ''})" if v.where else "")
    message = f"template {path.name} (your override) renders {v.path} out of the Metadata API schema: {detail}"
    return error(TEMPLATE_ERROR, message, Span(str(path), line, 1),
                 hint="fix the override, or compare it with the built-in template it replaces (see rendering.md)")
