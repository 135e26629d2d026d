"""The offline use cases behind `validate` and `render`: spec file → diagnostics and rendered files.

Everything here returns data; `cli.py` decides what to print and which exit code it means.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from leadsync.diagnostics import Diagnostic, has_errors, sort_key

if TYPE_CHECKING:
    from leadsync.metadata.model import Bundle
    from leadsync.spec.load import LoadResult


@dataclass
class BuildResult:
    path: str
    load: LoadResult
    files: dict[str, bytes] = field(default_factory=dict)
    render_diagnostics: list[Diagnostic] = field(default_factory=list)
    bundle: Bundle | None = None  # what the spec compiled to: plan, deploy and provenance share it
    template_dir: Path | None = None

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return sorted([*self.load.diagnostics, *self.render_diagnostics], key=sort_key)

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


def build(path: str | Path, layout: str = "mdapi", template_dir: Path | None = None) -> BuildResult:
    """Load, lint, compile and render one spec in memory, then check the files against the XSD."""
    from leadsync.spec.load import load_spec

    loaded = load_spec(path)
    result = BuildResult(path=str(path), load=loaded)
    if loaded.spec is None or not loaded.ok:
        return result
    # Imported here: rendering pulls in jinja2 and lxml, which `init` and bad specs never need.
    from leadsync.render.compile import compile_spec
    from leadsync.render.layouts import render_files
    from leadsync.render.limits import formula_limits
    from leadsync.render.overrides import check_files
    from leadsync.render.templates import RenderError

    try:
        result.bundle = compile_spec(loaded.spec)
        result.template_dir = template_dir
        result.files = render_files(result.bundle, layout, template_dir=template_dir)
        result.render_diagnostics.extend(formula_limits(result.bundle, loaded))
    except RenderError as err:
        result.render_diagnostics.append(err.diagnostic)
        return result
    result.render_diagnostics.extend(check_files(result.files, template_dir))
    return result


def check(path: str | Path, template_dir: Path | None = None, use_cache: bool = True) -> list[Diagnostic]:
    """`validate`'s answer for one spec: remembered when nothing it depends on changed."""
    from leadsync import validate_cache

    shown = str(path)
    if use_cache and (remembered := validate_cache.lookup(shown, template_dir)) is not None:
        return remembered
    result = build(shown, template_dir=template_dir)
    if use_cache:
        validate_cache.store(shown, template_dir, result.load.sources, result.diagnostics)
    return result.diagnostics
