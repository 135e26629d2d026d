"""LS032: `api_version` is the Metadata API version of the rendered package.xml, like "63.0"; any
other text makes the deploy fail.

Bad::

    api_version: "v63"     # LS032

Good::

    api_version: "63.0"
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from leadsync.diagnostics import Diagnostic
from leadsync.spec.codes import diag
from leadsync.spec.locate import Locator
from leadsync.spec.model import Spec

CODE = "LS032"
_VERSION = re.compile(r"[1-9][0-9]*\.0")


def check(spec: Spec, locator: Locator) -> Iterator[Diagnostic]:
    if not _VERSION.fullmatch(spec.api_version):
        yield diag(CODE, f"api_version '{spec.api_version}' is not a Metadata API version like \"63.0\"",
                   locator.span(("api_version",)))
