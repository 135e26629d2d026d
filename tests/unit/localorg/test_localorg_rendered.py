"""What leadsync renders, the local org accepts; and retrieving it gives back the same model."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from leadsync.metadata import model as m
from leadsync.metadata.parse import parse_files, parse_manifest
from leadsync.render.compile import compile_spec
from leadsync.render.layouts import render_files
from leadsync.resources import presets_dir
from leadsync.spec.load import load_spec
from bundles import by_name
from localorg_pkg import deploy_and_wait, lead_object, manifest, retrieve

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "specs"
SPECS = sorted([*presets_dir().glob("*.yaml"), *FIXTURES.glob("*.yaml")])


# Fields a spec's transitions use but do not create: the org must have them already, as a real one would.
ORG_FIELDS = {"full.yaml": {"Lead_Score__c": "Number", "Became_Customer__c": "Checkbox", "Last_Touched_By_Flow__c": "Checkbox"}}
FIELD_XML = {  # in the XSD's order, around the label
    "Number": "<label>{0}</label><precision>18</precision><scale>0</scale><type>Number</type>",
    "Checkbox": "<defaultValue>false</defaultValue><label>{0}</label><type>Checkbox</type>",
}


def comparable(bundle: m.Bundle) -> m.Bundle:
    """Children by name (a retrieve sorts them), and only active LeadStatus values: the org keeps
    the values a deploy left out, inactive."""
    return replace(by_name(bundle), standard_value_sets=tuple(replace(s, values=s.active_values)
                                                              for s in bundle.standard_value_sets))


def org_fields(sf, spec: Path) -> None:
    fields = ORG_FIELDS.get(spec.name, {})
    if fields:
        body = "".join(f"<fields><fullName>{n}</fullName>{FIELD_XML[t].format(n)}</fields>" for n, t in fields.items())
        files = {"objects/Lead.object": lead_object(body),
                 "package.xml": manifest({"CustomField": [f"Lead.{n}" for n in fields]})}
        assert deploy_and_wait(sf, files)["status"] == "Succeeded"


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.name)
def test_rendered_package_deploys_and_retrieves_unchanged(spec, local_org, sf_client):
    loaded = load_spec(spec)
    bundle = compile_spec(loaded.spec)
    files = render_files(bundle, "mdapi")
    sf = sf_client(local_org)
    org_fields(sf, spec)
    r = deploy_and_wait(sf, files)
    assert r["status"] == "Succeeded", r["failures"]
    # "*": simple-salesforce writes member names into its retrieve request unescaped ("&" breaks it)
    got, _ = retrieve(sf, {t: ["*"] for t in parse_manifest(files["package.xml"]).types})
    want = comparable(bundle)
    got_bundle = comparable(parse_files(got))
    if ORG_FIELDS.get(spec.name):  # the org's own fields come back too; leadsync does not model them
        assert not {f.full_name for f in got_bundle.lead.fields} & set(ORG_FIELDS[spec.name])
    assert got_bundle == want
