"""`leadsync init`: copy a shipped preset to a new spec file, never clobbering one by accident.

Every mistake here is in the command line (an unknown preset, a path that exists or is a folder), so
each is a usage error (exit 2)."""

from __future__ import annotations

from pathlib import Path

from leadsync.errors import UsageError
from leadsync.render.output import write_file
from leadsync.resources import preset_names, presets_dir

__all__ = ["init_spec", "preset_names"]


def init_spec(path: Path, preset: str, force: bool = False) -> Path:
    if preset not in preset_names():
        raise UsageError(f"unknown preset '{preset}'; choose one of: {', '.join(preset_names())}")
    if path.is_dir():
        raise UsageError(f"{path} is a folder; give a file name such as {path / 'leadsync.yaml'}")
    if path.exists() and not force:
        raise UsageError(f"{path} already exists; use --force to overwrite it")
    write_file(path, (presets_dir() / f"{preset}.yaml").read_bytes())
    return path
