"""`load_spec(path)`: a spec file (and its bases) → the model, every diagnostic, and a locator.

Never raises for bad input: each problem is a Diagnostic. All problems of a stage are reported at
once: every YAML problem of every file, then every shape error of the merged data, then every lint
finding (also when the shape errors are only unknown keys, a missing `leadsync` or `name`, or the
missing `name` of a transition, lead process or scenario, which lint can do without; the result then
still has no model).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from leadsync.diagnostics import Diagnostic, has_errors, sort_key
from leadsync.spec import lint, shape
from leadsync.spec.extends import load_layers
from leadsync.spec.locate import Locator
from leadsync.spec.model import Spec
from leadsync.spec.nodes import to_plain


@dataclass
class LoadResult:
    path: str
    spec: Spec | None
    diagnostics: list[Diagnostic]
    locator: Locator
    sources: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


def load_spec(path: str | os.PathLike) -> LoadResult:
    display = os.fspath(path)
    layers = load_layers(display)
    locator = Locator(layers.root, display, layers.removed)
    diagnostics = list(layers.diagnostics)
    spec = None
    if layers.root is not None:
        plain = to_plain(layers.root)
        spec, problems = shape.validate(plain, locator)
        diagnostics += problems
        if spec is not None:
            diagnostics += lint.run(spec, locator)
        elif (partial := shape.set_aside(plain)) is not None:
            diagnostics += lint.run(partial, locator)  # all errors of a file at once
    unique = list(dict.fromkeys(diagnostics))
    return LoadResult(display, spec, sorted(unique, key=sort_key), locator, layers.sources)
