"""The rendered permission set grants what leadsync creates (issue 6, point 6): every Lead field, and
the visibility of every record type, since a new record type is visible to nobody."""

from __future__ import annotations

import pytest

from leadsync.metadata import parse
from leadsync.render import schema

from .conftest import FULL, SPEC_IDS, SPECS, bundle_of, files_of


def main_permission_set(path):
    bundle = bundle_of(path)
    return next(ps for ps in bundle.permission_sets if ps.field_permissions)


def test_the_full_spec_has_a_record_type_to_grant():
    assert bundle_of(FULL).lead.record_types, "the fixture must exercise record types"


@pytest.mark.parametrize("path", SPECS, ids=SPEC_IDS)
def test_every_record_type_leadsync_creates_is_visible_through_the_permission_set(path):
    bundle = bundle_of(path)
    created = {f"Lead.{rt.full_name}" for rt in bundle.lead.record_types}
    assert set(main_permission_set(path).record_type_visibilities) == created


@pytest.mark.parametrize("layout", ["mdapi", "source"])
@pytest.mark.parametrize("path", SPECS, ids=SPEC_IDS)
def test_rendered_visibilities_are_in_schema_order_and_parse_back(path, layout):
    files = files_of(path, layout)
    assert schema.validate_files(files) == []
    ps = main_permission_set(path)
    rel = next(r for r in files if "permissionsets/" in r and ps.full_name in r)
    text = files[rel].decode()
    for name in ps.record_type_visibilities:
        assert (f"    <recordTypeVisibilities>\n        <recordType>{name}</recordType>\n"
                "        <visible>true</visible>\n    </recordTypeVisibilities>\n") in text
    parsed = parse.parse_permission_set(parse.parse_xml(rel, files[rel]), ps.full_name)
    assert parsed.record_type_visibilities == ps.record_type_visibilities
