"""The specs the render tests use are clean for the spec loader: compile_spec is only ever given those."""

from __future__ import annotations

import pytest

from .conftest import SPEC_IDS, SPECS


@pytest.mark.parametrize("path", SPECS, ids=SPEC_IDS)
def test_spec_is_lint_clean(path):
    load = pytest.importorskip("leadsync.spec.load")
    result = load.load_spec(path)
    assert result.ok and result.spec is not None, [str(d) for d in result.diagnostics]
    assert not result.diagnostics, [str(d) for d in result.diagnostics]
