"""LS034 (warning): `hubspot` names a stage HubSpot does not have, so the mirror would never match.

Bad::

    stages:
      - value: MQL
        hubspot: mql                      # LS034

Good::

    stages:
      - value: MQL
        hubspot: marketingqualifiedlead
"""

from __future__ import annotations

from collections.abc import Iterator

from leadsync.diagnostics import Diagnostic
from leadsync.spec.codes import diag
from leadsync.spec.locate import Locator
from leadsync.spec.model import Spec
from leadsync.spec.suggest import did_you_mean

CODE = "LS034"
HUBSPOT_STAGES = ("subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity",
                  "customer", "evangelist", "other")


def check(spec: Spec, locator: Locator) -> Iterator[Diagnostic]:
    for i, stage in enumerate(spec.stages):
        if stage.hubspot is not None and stage.hubspot not in HUBSPOT_STAGES:
            hint = did_you_mean(stage.hubspot, HUBSPOT_STAGES) or f"; use one of: {', '.join(HUBSPOT_STAGES)}"
            yield diag(CODE, f"stages: '{stage.value}' mirrors HubSpot stage '{stage.hubspot}', which HubSpot "
                       f"does not have{hint}", locator.span(("stages", i, "hubspot")))
