"""Diagnostics as SARIF 2.1.0, the format GitHub code scanning (and other SAST dashboards) upload.

One run; the tool's rules are every code of `leadsync.spec.codes` (title, help, default level), so a
dashboard can explain any result. Each result points at the spec file (a URI relative to the
repository root, `%SRCROOT%`) and, when known, its line and column (1-based, as leadsync counts).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from urllib.parse import quote

from leadsync.diagnostics import Diagnostic

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _rules() -> list[dict]:
    from leadsync.spec.codes import CODES

    return [
        {
            "id": code.code,
            "name": "".join(word.capitalize() for word in code.title.replace("_", " ").split()
                            if word.isalnum()) or code.code,
            "shortDescription": {"text": code.title},
            "fullDescription": {"text": code.help},
            "help": {"text": code.help},
            "defaultConfiguration": {"level": "error" if code.severity.value == "error" else "warning"},
        }
        for code in sorted(CODES.values(), key=lambda c: c.code)
    ]


def artifact_uri(path: str) -> tuple[str, bool]:
    """(URI, relative?) for a spec path: relative to the working folder when inside it."""
    if os.path.isabs(path):
        rel = os.path.relpath(path)
        if rel.startswith(".."):
            from pathlib import Path

            return Path(path).as_uri(), False
        path = rel
    # normpath: `./clients/a.yaml` (from `validate .`) names the repository path `clients/a.yaml`
    return quote((os.path.normpath(path) if path else path).replace(os.sep, "/"), safe="/-._~"), True


def _result(d: Diagnostic, index: dict[str, int]) -> dict:
    uri, relative = artifact_uri(d.span.path)
    location: dict = {"artifactLocation": {"uri": uri, **({"uriBaseId": "%SRCROOT%"} if relative else {})}}
    if d.span.line > 0:
        region = {"startLine": d.span.line}
        if d.span.column > 0:
            region["startColumn"] = d.span.column
        location["region"] = region
    text = d.message + (f" ({d.hint})" if d.hint else "")
    result: dict = {
        "ruleId": d.code,
        "level": "error" if d.is_error else "warning",
        "message": {"text": text},
        "locations": [{"physicalLocation": location}],
    }
    if d.code in index:
        result["ruleIndex"] = index[d.code]
    return result


def to_sarif(per_file: Mapping[str, list[Diagnostic]]) -> dict:
    from leadsync import __version__

    rules = _rules()
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results = [_result(d, index) for ds in per_file.values() for d in ds]
    artifacts = []
    for path in per_file:
        uri, relative = artifact_uri(str(path))
        artifacts.append({"location": {"uri": uri, **({"uriBaseId": "%SRCROOT%"} if relative else {})}})
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "leadsync", "version": __version__, "semanticVersion": __version__,
                                "rules": rules}},
            "artifacts": artifacts,
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    }


def format_sarif(per_file: Mapping[str, list[Diagnostic]]) -> str:
    return json.dumps(to_sarif(per_file), indent=2, ensure_ascii=False) + "\n"
