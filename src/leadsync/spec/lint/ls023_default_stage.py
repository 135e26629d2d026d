"""LS023: at most one stage is the default (without one, the first stage is).

Bad::

    stages:
      - value: Lead
        default: true
      - value: MQL
        default: true         # LS023

Good::

    stages:
      - value: Lead
        default: true
      - value: MQL
"""

from __future__ import annotations

from collections.abc import Iterator

from leadsync.diagnostics import Diagnostic
from leadsync.spec.codes import diag
from leadsync.spec.lint.common import first_at
from leadsync.spec.locate import Locator
from leadsync.spec.model import Spec

CODE = "LS023"


def check(spec: Spec, locator: Locator) -> Iterator[Diagnostic]:
    defaults = [i for i, s in enumerate(spec.stages) if s.default]
    for i in defaults[1:]:
        here = locator.key_span(("stages", i, "default"))
        first = locator.key_span(("stages", defaults[0], "default"))
        yield diag(CODE, f"stages: '{spec.stages[i].value}' is a second default stage (first: "
                   f"'{spec.stages[defaults[0]].value}' at {first_at(first, here)}); keep one", here)
