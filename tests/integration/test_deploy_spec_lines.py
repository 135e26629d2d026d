"""A failed deploy points each component failure back at the spec line to change."""

from __future__ import annotations

import json
import re
from pathlib import Path

from test_deploy_cli import by_url, deploy

FULL = Path(__file__).resolve().parents[1] / "fixtures" / "specs" / "full.yaml"


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_a_flow_naming_a_missing_field_is_reported_at_the_spec_line_that_names_it(local_org_factory):
    org = local_org_factory(deploy_seconds=0.05)  # an org without the spec's own fields Lead_Score__c & co.
    result = deploy(org, str(FULL), *by_url(org))
    assert result.exit_code == 1, result.output
    spec_text = FULL.read_text(encoding="utf-8")
    failures = [line for line in result.stdout.splitlines() if ": error Flow " in line]
    assert failures, result.output
    for field in ("Became_Customer__c", "Lead_Score__c", "Last_Touched_By_Flow__c"):
        line = next(f for f in failures if f'"{field}"' in f)
        assert line.startswith(f"{FULL}:{line_of(spec_text, field)}:"), line
        assert re.search(r"\(in flows/\S+\.flow:\d+:\d+\)$", line), line


def test_json_components_carry_the_spec_location(local_org_factory):
    org = local_org_factory(deploy_seconds=0.05)
    result = deploy(org, str(FULL), *by_url(org), "--json")
    doc = json.loads(result.stdout)
    failed = [c for c in doc["components"] if not c["success"]]
    assert failed and all(c["spec"]["path"] == str(FULL) and c["spec"]["line"] > 0 for c in failed)
    assert all(c["spec"] is None for c in doc["components"] if c["success"])
