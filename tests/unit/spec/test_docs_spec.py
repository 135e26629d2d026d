"""docs/spec.md's example shows every key; it must load without errors, as the contract's does."""

from __future__ import annotations

import re
from pathlib import Path

from leadsync.spec.load import load_spec

REPO = Path(__file__).resolve().parents[3]


def test_the_docs_example_has_no_errors(tmp_path):
    text = (REPO / "docs" / "spec.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(.*?)```", text, flags=re.S).group(1)
    assert "backfill:" in example and "bypass_permission:" in example and "layouts:" in example
    example = "\n".join(line for line in example.splitlines() if not line.startswith("extends:"))
    spec = tmp_path / "example.yaml"
    spec.write_text(example, encoding="utf-8")
    result = load_spec(spec)
    assert result.spec is not None and result.ok, [str(d) for d in result.diagnostics if d.is_error]
