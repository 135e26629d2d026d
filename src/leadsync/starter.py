"""`leadsync init`: copy a shipped preset to a new spec file, never clobbering one by accident.

Every mistake here is in the command line (an unknown preset, a path that exists or is a folder), so
each is a usage error (exit 2)."""

from __future__ import annotations

from pathlib import Path

from leadsync.errors import UsageError
from leadsync.render.output import write_file
from leadsync.resources import preset_names, presets_dir

__all__ = ["init_spec", "preset_names"]


# The spec's first line points editors running yaml-language-server (VS Code's YAML extension, Neovim,
# JetBrains...) at the JSON Schema of the spec format, written beside the spec: keys complete, typos are
# flagged, offline, and the schema matches the installed leadsync (`leadsync schema -o` refreshes it).
SCHEMA_FILE = "leadsync.schema.json"
SCHEMA_COMMENT = f"# yaml-language-server: $schema={SCHEMA_FILE}\n".encode()


def schema_text() -> str:
    """The JSON Schema of the spec format as `leadsync schema` prints it."""
    import json

    from leadsync.spec.schema import json_schema

    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"


def init_spec(path: Path, preset: str, force: bool = False) -> Path:
    if preset not in preset_names():
        raise UsageError(f"unknown preset '{preset}'; choose one of: {', '.join(preset_names())}")
    if path.is_dir():
        raise UsageError(f"{path} is a folder; give a file name such as {path / 'leadsync.yaml'}")
    if path.exists() and not force:
        raise UsageError(f"{path} already exists; use --force to overwrite it")
    schema = path.parent / SCHEMA_FILE
    text = schema_text().encode("utf-8")
    if schema.exists() and not force and not _is_ours(schema):
        raise UsageError(f"{schema} exists and is not leadsync's schema; use --force to overwrite it")
    write_file(path, SCHEMA_COMMENT + (presets_dir() / f"{preset}.yaml").read_bytes())
    if not schema.exists() or schema.read_bytes() != text:
        write_file(schema, text)
    return path


def _is_ours(schema: Path) -> bool:
    import json

    try:
        return json.loads(schema.read_bytes()).get("title") == "leadsync spec"
    except (OSError, ValueError, AttributeError):
        return False
