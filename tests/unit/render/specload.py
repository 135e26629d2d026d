"""Load spec files for render tests: plain YAML for self-contained specs, `leadsync.spec.load` for overlays.

Self-contained specs are read with YAML 1.2 booleans only (`on:` stays a key, as the spec loader
reads it), so render tests do not depend on the lint rules; specs with `extends` need the spec
loader and are skipped while it is missing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from leadsync.spec.model import Spec


class _Yaml12Loader(yaml.SafeLoader):
    pass


_Yaml12Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:bool"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf"))


def load(path: Path) -> Spec:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Yaml12Loader)
    if "extends" not in data:
        return Spec.model_validate(data)
    try:
        from leadsync.spec.load import load_spec
    except ImportError:
        pytest.skip("extends needs leadsync.spec.load")
    result = load_spec(path)
    assert result.spec is not None and result.ok, [str(d) for d in result.diagnostics]
    return result.spec
