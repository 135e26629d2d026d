"""parse(render(bundle)) == bundle, for every preset and spec fixture, in both layouts.

The mdapi layout keeps every order; the source layout has one file per child of Lead, so fields,
rules, processes and record types come back in file-name order and are compared by name.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from leadsync.metadata import model as m
from leadsync.metadata.parse import parse_files
from leadsync.render.compile import compile_spec
from leadsync.render.layouts import render_files
from leadsync.resources import presets_dir
from leadsync.spec.load import load_spec

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "specs"
SPECS = sorted([*presets_dir().glob("*.yaml"), *FIXTURES.glob("*.yaml")])


def by_name(bundle: m.Bundle) -> m.Bundle:
    def sort(items):
        return tuple(sorted(items, key=lambda x: x.full_name))

    lead = bundle.lead
    return replace(
        bundle,
        lead=replace(lead, fields=sort(lead.fields), business_processes=sort(lead.business_processes),
                     record_types=sort(lead.record_types), validation_rules=sort(lead.validation_rules)),
        flows=sort(bundle.flows),
        permission_sets=sort(bundle.permission_sets),
    )


@pytest.fixture(scope="module", params=SPECS, ids=lambda p: p.name)
def bundle(request) -> m.Bundle:
    loaded = load_spec(request.param)
    assert loaded.spec is not None, loaded.diagnostics
    return compile_spec(loaded.spec)


def test_specs_are_found():
    assert len(SPECS) >= 3


def test_mdapi_round_trip_is_exact(bundle):
    assert parse_files(render_files(bundle, "mdapi")) == bundle


def test_source_round_trip_is_exact_up_to_file_order(bundle):
    assert by_name(parse_files(render_files(bundle, "source"))) == by_name(bundle)
