"""LS038: text that XML cannot carry. Every value, label and description ends up in a metadata file,
and XML 1.0 has no way to write control characters (other than tab and line breaks) or U+FFFE/U+FFFF.

Bad::

    statuses:
      - value: "New\\u0007"        # LS038: a BEL character

Good::

    statuses:
      - value: New
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from leadsync.diagnostics import Diagnostic
from leadsync.spec.codes import diag
from leadsync.spec.locate import Locator
from leadsync.spec.model import Spec

CODE = "LS038"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _strings(value, path=()):
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key, path)
            yield from _strings(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, (*path, i))


def check(spec: Spec, locator: Locator) -> Iterator[Diagnostic]:
    for path, text in _strings(spec.model_dump(exclude_defaults=True)):
        bad = _NOT_XML.search(text)
        if bad:
            where = ".".join(str(p) for p in path) or "the spec"
            yield diag(CODE, f"{where}: {text!r} holds U+{ord(bad.group()):04X}, a character XML cannot hold; "
                       "remove it", locator.span(path))
