"""parse(render(bundle)) == bundle, for every preset and spec fixture, in both layouts.

The mdapi layout keeps every order; the source layout has one file per child of Lead, so fields,
rules, processes and record types come back in file-name order and are compared by name.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from leadsync.metadata import model as m
from leadsync.metadata.parse import parse_files
from leadsync.render.compile import compile_spec
from leadsync.render.layouts import render_files
from leadsync.resources import presets_dir
from leadsync.spec.load import load_spec
from bundles import by_name

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "specs"
SPECS = sorted([*presets_dir().glob("*.yaml"), *FIXTURES.glob("*.yaml")])


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
