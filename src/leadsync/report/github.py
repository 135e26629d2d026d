"""Diagnostics as GitHub Actions workflow commands: `::error file=PATH,line=L,col=C,title=T::message`.

GitHub shows each as an annotation on the file and line in a pull request. Escaping follows the
Actions toolkit (`@actions/core` command.ts): in the message `%`, CR and LF become `%25`, `%0D`, `%0A`;
in a property value `:` and `,` also become `%3A`, `%2C`. One plain summary line closes the output.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from leadsync.diagnostics import Diagnostic


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation_path(path: str) -> str:
    """A path GitHub can match against the repository: relative to the working folder when inside it."""
    if os.path.isabs(path):
        try:
            rel = os.path.relpath(path)
        except ValueError:  # another drive on Windows
            return path.replace(os.sep, "/")
        if not rel.startswith(".."):
            path = rel
    # `./clients/a.yaml` (from `validate .`) is not a repository path: GitHub would not show it on the diff.
    return (os.path.normpath(path) if path else path).replace(os.sep, "/")


def annotation(d: Diagnostic) -> str:
    command = "error" if d.is_error else "warning"
    props = [f"file={escape_property(annotation_path(d.span.path))}"]
    if d.span.line:
        props.append(f"line={d.span.line}")
        if d.span.column:
            props.append(f"col={d.span.column}")
    props.append(f"title={escape_property(f'leadsync {d.code}')}")
    message = f"{d.code}: {d.message}" + (f"\n{d.hint}" if d.hint else "")
    return f"::{command} {','.join(props)}::{escape_data(message)}"


def format_github(per_file: Mapping[str, list[Diagnostic]]) -> str:
    from leadsync.report.text import batch_summary_line, summary_line

    lines = [annotation(d) for ds in per_file.values() for d in ds]
    summary = batch_summary_line(per_file) if len(per_file) > 1 else summary_line(per_file)
    return "".join(line + "\n" for line in lines) + summary
