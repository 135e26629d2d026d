"""Load spec files for render tests: through `leadsync.spec.load` when it is there, else plain YAML.

The fallback reads YAML with 1.2 booleans only (`on:` stays a key, as the spec loader reads it) and
knows nothing of `extends`; specs that need it are skipped until the spec loader lands.
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
    try:
        from leadsync.spec.load import load_spec
    except ImportError:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Yaml12Loader)
        if "extends" in data:
            pytest.skip("extends needs leadsync.spec.load")
        return Spec.model_validate(data)
    result = load_spec(path)
    assert result.spec is not None and result.ok, [str(d) for d in result.diagnostics]
    return result.spec
