"""Remember `validate` results, so a spec that has not changed is not loaded, rendered and
schema-checked again (as ruff and mypy remember theirs).

An entry is keyed by everything the result depends on: leadsync's own code and templates (version
and newest file time), the Metadata API WSDL, a template override folder, the working directory,
the spec path as given and the spec's bytes. It lists every file the spec read (its `extends`
bases) with their hashes; a hit requires each to be unchanged. A hit replays the diagnostics without
importing pydantic, Jinja or lxml.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import cache
from pathlib import Path

from leadsync import __version__
from leadsync.cachedir import cache_dir, caching_disabled, write_quietly
from leadsync.diagnostics import Diagnostic, Severity, Span

_FORMAT = "1"
_PACKAGE = Path(__file__).resolve().parent


def lookup(path: str, template_dir: Path | None) -> list[Diagnostic] | None:
    """The remembered diagnostics of `path`, or None when anything they depend on changed."""
    entry_file = _entry_file(path, template_dir)
    if entry_file is None:
        return None
    try:
        entry = json.loads(entry_file.read_bytes())
        if any(_digest(Path(source)) != digest for source, digest in entry["sources"]):
            return None
        return [_diagnostic(d) for d in entry["diagnostics"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None


# A file that could not be read (LS001) or a base that does not exist (LS015) is absent from
# `sources`, so creating it later could not invalidate the entry: such results are not remembered.
_ABOUT_ABSENT_FILES = {"LS001", "LS015"}


def store(path: str, template_dir: Path | None, sources: list[str], diagnostics: list[Diagnostic]) -> None:
    entry_file = _entry_file(path, template_dir)
    if entry_file is None or not sources or any(d.code in _ABOUT_ABSENT_FILES for d in diagnostics):
        return
    try:
        entry = {
            "sources": [[str(Path(s).resolve()), _digest(Path(s))] for s in sources],
            "diagnostics": [{**d.to_dict(), "hint": d.hint} for d in diagnostics],
        }
    except OSError:
        return
    write_quietly(entry_file, json.dumps(entry).encode())


def _entry_file(path: str, template_dir: Path | None) -> Path | None:
    if caching_disabled():
        return None
    try:
        key = hashlib.sha256()
        for part in (_FORMAT, __version__, _code_identity(), _wsdl_identity(), _folder_identity(template_dir),
                     os.getcwd(), path):
            key.update(part.encode("utf-8", "surrogateescape") + b"\0")
        key.update(Path(path).read_bytes())
    except OSError:
        return None
    return cache_dir("validate", key.hexdigest()[:2]) / f"{key.hexdigest()}.json"


@cache
def _code_identity() -> str:
    """Newest change to leadsync's code and shipped templates (an editable checkout changes without a version bump).

    Walked once per process: `validate DIR` keys hundreds of specs, and the code does not change under a
    running command."""
    from leadsync.resources import templates_dir

    return _folder_identity(_PACKAGE) + "|" + _folder_identity(templates_dir())


def _folder_identity(folder: Path | None) -> str:
    if folder is None:
        return "-"
    newest, count = 0, 0
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in files:
            newest = max(newest, os.stat(os.path.join(root, name)).st_mtime_ns)
            count += 1
    return f"{folder}:{count}:{newest}"


def _wsdl_identity() -> str:
    from leadsync.render.schema import wsdl_path

    st = wsdl_path().stat()
    return f"{st.st_size}:{st.st_mtime_ns}"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _diagnostic(d: dict) -> Diagnostic:
    return Diagnostic(d["code"], Severity(d["severity"]), d["message"], Span(d["path"], d["line"], d["column"]),
                      d.get("hint"))
