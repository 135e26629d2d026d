"""Where the shipped data lives: inside the installed wheel, or beside `src/` in an editable checkout."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parents[2]


def _shipped(wheel_name: str, repo_relpath: str) -> Path:
    packaged = Path(str(files("leadsync"))) / wheel_name
    if packaged.is_dir():
        return packaged
    # Editable installs (pip install -e .) do not copy force-included data into the package.
    return _REPO_ROOT / repo_relpath


@cache
def templates_dir() -> Path:
    return _shipped("metadata_templates", "metadata_templates")


@cache
def presets_dir() -> Path:
    return _shipped("presets", "config/presets")


def preset_names() -> list[str]:
    return sorted(p.stem for p in presets_dir().glob("*.yaml"))
