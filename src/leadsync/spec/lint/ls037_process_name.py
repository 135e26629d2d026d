"""LS037: a lead process name must work as a Salesforce BusinessProcess name and as a file name
(the source layout writes `businessProcesses/<name>.businessProcess-meta.xml`). The default process
is named after the spec (`<name> Lead Process`), so the spec's `name` is held to the same rule.

Bad::

    lead_processes:
      - name: Inbound/Outbound      # LS037: '/' cannot be in a file name

Good::

    lead_processes:
      - name: Inbound and Outbound
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from leadsync.diagnostics import Diagnostic
from leadsync.spec.codes import diag
from leadsync.spec.locate import Locator
from leadsync.spec.model import Spec

CODE = "LS037"
MAX_LENGTH = 80
_FORBIDDEN = re.compile(r'[/\\:*?"<>|\x00-\x1f\x7f]')


def problem(name: str) -> str | None:
    if not name.strip():
        return "is blank"
    if name != name.strip():
        return "starts or ends with a space"
    if len(name) > MAX_LENGTH:
        return f"is {len(name)} characters long (at most {MAX_LENGTH})"
    bad = _FORBIDDEN.search(name)
    if bad:
        return f"contains {bad.group()!r}, which a Salesforce process or file name cannot hold"
    return None


def check(spec: Spec, locator: Locator) -> Iterator[Diagnostic]:
    if spec.lead_processes:
        for i, process in enumerate(spec.lead_processes):
            why = problem(process.name)
            if why:
                yield diag(CODE, f"lead process name '{process.name}' {why}; rename it",
                           locator.span(("lead_processes", i, "name")))
        return
    default = spec.effective_lead_processes[0].name
    why = problem(default)
    if why:
        yield diag(CODE, f"the default lead process would be named '{default}', which {why}; change `name` "
                   "or declare `lead_processes`", locator.span(("name",)))
