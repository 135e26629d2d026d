"""org/layouts.py (patching a layout's bytes) and org/migrate.py's pure parts (phase files, backfill map)."""

from __future__ import annotations

from leadsync.localorg.standard_layout import layout_xml
from leadsync.metadata import model as m
from leadsync.metadata import parse
from leadsync.org import layouts, migrate
from leadsync.org.guards import Removal

FIELDS = [("Lead_Stage__c", "Edit"), ("Unqualified_Reason__c", "Edit"), ("Lead_Date__c", "Readonly")]


def test_patch_adds_one_section_after_the_first_and_keeps_every_other_byte():
    before = layout_xml()
    after, added = layouts.patch_layout(before, FIELDS)
    assert added == tuple(FIELDS)
    first_end = before.index(b"</layoutSections>\n") + len(b"</layoutSections>\n")
    inserted = after[first_end:len(after) - (len(before) - first_end)]
    assert after[:first_end] + after[first_end + len(inserted):] == before
    assert inserted.startswith(b"    <layoutSections>\n") and b"<label>Lead Lifecycle</label>" in inserted
    section = parse.parse_xml("x", inserted)
    columns = parse.children(section, "layoutColumns")
    assert [parse.text(i, "field") for i in parse.children(columns[0], "layoutItems")] == ["Lead_Stage__c",
                                                                                          "Unqualified_Reason__c"]
    assert [parse.text(i, "behavior") for i in parse.children(columns[1], "layoutItems")] == ["Readonly"]


def test_patch_is_idempotent_and_respects_fields_placed_elsewhere():
    once, _ = layouts.patch_layout(layout_xml(), FIELDS[:1])
    assert layouts.patch_layout(once, FIELDS[:1]) is None  # shown already: nothing to send
    twice, added = layouts.patch_layout(once, FIELDS)
    assert added == tuple(FIELDS[1:])
    assert twice.count(b"<label>Lead Lifecycle</label>") == 1  # our section grows, no second one
    assert twice.count(b"<field>Lead_Stage__c</field>") == 1
    moved = layout_xml().replace(b"<field>Title</field>", b"<field>Lead_Stage__c</field>")
    _, added = layouts.patch_layout(moved, FIELDS)
    assert "Lead_Stage__c" not in dict(added)  # the admin put it somewhere: left there


def test_patch_keeps_windows_line_ends():
    crlf = layout_xml().replace(b"\n", b"\r\n")
    after, _ = layouts.patch_layout(crlf, FIELDS)
    assert b"\n" not in after.replace(b"\r\n", b"")


def test_manifest_gets_layout_members_in_type_order():
    manifest = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Package xmlns="http://soap.sforce.com/2006/04/metadata">\n'
                b"    <types>\n        <members>X</members>\n        <name>Flow</name>\n    </types>\n"
                b"    <types>\n        <members>Y</members>\n        <name>PermissionSet</name>\n    </types>\n"
                b"    <version>63.0</version>\n</Package>\n")
    change = layouts.LayoutChange("Lead-Lead Layout", (), b"<Layout/>")
    files = layouts.with_layouts({"package.xml": manifest}, [change])
    parsed = parse.parse_manifest(files["package.xml"])
    assert list(parsed.types) == ["Flow", "Layout", "PermissionSet"]
    assert files["layouts/Lead-Lead Layout.layout"] == b"<Layout/>"


# --- migrate --------------------------------------------------------------------------------------


def _spec(backfill=None):
    from leadsync.spec.model import Spec

    stage_field = {} if backfill is None else {"backfill": backfill}
    return Spec.model_validate({
        "leadsync": 1, "name": "t", "stage_field": stage_field,
        "stages": [{"value": "Lead"}, {"value": "MQL", "default": True}, {"value": "SQL"}],
        "statuses": [{"value": "New", "default": True, "renamed_from": "Open - Not Contacted"},
                     {"value": "Working", "renamed_from": "Working - Contacted"},
                     {"value": "Won", "converted": True}],
    })


def test_backfill_reads_old_statuses_as_their_new_names():
    spec = _spec({"Working": "SQL"})
    assert migrate.backfill_enabled(spec)
    assert migrate.stage_for(spec, "Working") == "SQL"
    assert migrate.stage_for(spec, "working - contacted") == "SQL"
    assert migrate.stage_for(spec, "New") == "MQL"  # the default stage
    assert migrate.stage_for(spec, None) == "MQL"
    assert not migrate.backfill_enabled(_spec())
    assert migrate.backfill_enabled(_spec({}))  # written, empty: every lead gets the default stage


def _files():
    from leadsync.render.compile import compile_spec
    from leadsync.render.layouts import render_files

    return render_files(compile_spec(_spec()), "mdapi")


def test_phase_one_keeps_held_old_values_active_and_rules_off():
    files = _files()
    plan = migrate.MigrationPlan((migrate.Rename("Working - Contacted", "Working", leads=3),
                                  migrate.Rename("Open - Not Contacted", "New", leads=0, converted=2)))
    first = parse.parse_files(migrate.phase_one_files(files, plan))
    values = {v.full_name: v.is_active for v in first.standard_value_sets[0].values}
    assert values["Working - Contacted"] is True and values["Open - Not Contacted"] is False
    assert first.lead.validation_rules and not any(r.active for r in first.lead.validation_rules)
    second = parse.parse_files(migrate.phase_two_files(files))
    assert {v.full_name: v.is_active for v in second.standard_value_sets[0].values}["Working - Contacted"] is False
    assert all(r.active for r in second.lead.validation_rules)
    held = parse.parse_files(migrate.phase_two_files(files, frozenset({"Working - Contacted"})))
    assert {v.full_name: v.is_active for v in held.standard_value_sets[0].values}["Working - Contacted"] is True
    nothing = migrate.MigrationPlan((migrate.Rename("Working - Contacted", "Working"),))
    assert migrate.phase_one_files(files, nothing) is files


def test_renamed_values_are_not_destructive():
    plan = migrate.MigrationPlan((migrate.Rename("Working - Contacted", "Working", leads=3),
                                  migrate.Rename("Open - Not Contacted", "New", leads=0, converted=2)))
    removals = (Removal("Lead.Status", "Working - Contacted", 5), Removal("Lead.Status", "Open - Not Contacted", 2),
                Removal("Lead.Status", "Other", 4), Removal(f"{m.OBJECT}.Lead_Stage__c", "Old", 1))
    kept = migrate.exempt_renamed(removals, plan)
    assert kept == (Removal("Lead.Status", "Open - Not Contacted", 0), Removal("Lead.Status", "Other", 4),
                    Removal("Lead.Lead_Stage__c", "Old", 1))


def test_layout_names_from_the_spec():
    class S:
        layouts = "all"

    org = ["Account-Account Layout", "Lead-Lead Layout", "Lead-Inbound Layout"]
    assert layouts.layout_names(S, org) == ["Lead-Inbound Layout", "Lead-Lead Layout"]
    S.layouts = "none"
    assert layouts.layout_names(S, org) == []
    S.layouts = ["Lead Layout", "Lead-Missing Layout"]
    assert layouts.layout_names(S, org) == ["Lead-Lead Layout"]
    assert layouts.missing_layouts(S, org) == ["Lead-Missing Layout"]


def test_import_with_a_stage_field_takes_its_active_values():
    from leadsync.importer import import_files

    field = (b'<?xml version="1.0" encoding="UTF-8"?>\n<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">'
             b"<fullName>Journey__c</fullName><label>Journey</label><type>Picklist</type><valueSet><restricted>true"
             b"</restricted><valueSetDefinition><sorted>false</sorted>"
             b"<value><fullName>Cold</fullName><default>false</default><label>Cold</label></value>"
             b"<value><fullName>Warm</fullName><default>true</default><label>Warm</label></value>"
             b"<value><fullName>Old</fullName><default>false</default><label>Old</label><isActive>false</isActive></value>"
             b"<value><fullName>Hot</fullName><default>false</default><label>Hot</label></value>"
             b"</valueSetDefinition></valueSet></CustomField>")
    files = {"objects/Lead/fields/Journey__c.field-meta.xml": field}
    imported = import_files(files, name="acme", stage_field="Journey__c")
    assert [s["value"] for s in imported.spec["stages"]] == ["Cold", "Warm", "Hot"]
    assert imported.spec["stages"][1]["default"] is True
    assert imported.spec["stage_field"]["name"] == "Journey__c"
    assert "# inactive in the org, not imported: Old" in imported.text
    unknown = import_files(files, name="acme", stage_field="Nope__c")
    assert any("--stage-field Nope__c" in w for w in unknown.warnings)
    hinted = import_files(files, name="acme")
    assert "leadsync's defaults" in hinted.text
