"""LS022: at least one status is a converted status, or Salesforce cannot convert leads.

Bad::

    statuses:
      - value: New
        default: true
      - value: Qualified      # LS022: nothing has converted: true

Good::

    statuses:
      - value: New
        default: true
      - value: Qualified
        converted: true
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from leadsync.diagnostics import Diagnostic
from leadsync.spec.codes import diag
from leadsync.spec.locate import Locator
from leadsync.spec.model import Spec

CODE = "LS022"


def check(spec: Spec, locator: Locator) -> Iterator[Diagnostic]:
    if not any(s.converted for s in spec.statuses):
        likely = next((s.value for s in spec.statuses if _says_converted(s.value)), None)
        example = f" (e.g. '{likely}')" if likely else ""
        yield diag(CODE, f"no status has `converted: true`; mark the status converted leads get{example}",
                   locator.key_span(("statuses",)))


# Words in a status's name that say conversion; a negated one ("Unqualified", "Not Converted") does not.
_CONVERTED = re.compile(r"\b(convert(ed)?|qualified|won|deal)\b", re.IGNORECASE)
_NEGATED = re.compile(r"\b(un|dis|non|not|no|never)[\s-]*(convert(ed)?|qualified|won|deal)\b|\bunconvert|"
                      r"\bunqualified|\bdisqualified|\blost\b", re.IGNORECASE)


def _says_converted(value: str) -> bool:
    return bool(_CONVERTED.search(value)) and not _NEGATED.search(value)
