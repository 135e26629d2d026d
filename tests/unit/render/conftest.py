"""Specs every render test runs over: the fixtures written for rendering, the presets, the client configs."""

from __future__ import annotations

import functools
from pathlib import Path

from leadsync.render.compile import compile_spec
from leadsync.render.layouts import render_files
from leadsync.resources import presets_dir

from .specload import load

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "tests" / "fixtures" / "specs"
FULL = FIXTURES / "full.yaml"
ESCAPING = FIXTURES / "escaping.yaml"
SPECS = [FULL, ESCAPING, *sorted(presets_dir().glob("*.yaml")), *sorted((REPO / "config" / "clients").glob("*.yaml"))]
SPEC_IDS = [p.relative_to(REPO).as_posix() for p in SPECS]


@functools.cache
def spec_of(path: Path):
    return load(path)


@functools.cache
def bundle_of(path: Path):
    return compile_spec(spec_of(path))


@functools.cache
def files_of(path: Path, layout: str) -> dict[str, bytes]:
    return render_files(bundle_of(path), layout)
