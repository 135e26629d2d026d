"""The safety guards: production, and the removal of picklist values that leads hold."""

import pytest

from leadsync.errors import Refused
from leadsync.exitcodes import ExitCode
from leadsync.metadata import model as m
from leadsync.metadata.parse import parse_files
from leadsync.org.client import OrgInfo
from leadsync.org.guards import Removal, guard_production, guard_value_removal, picklist_members, removed_values

PROD = OrgInfo("00D000000000001", "Acme", False, "Enterprise Edition", "https://acme.my.salesforce.com")
SANDBOX = OrgInfo("00D000000000002", "Acme UAT", True, "Enterprise Edition", "https://acme--uat.sandbox.my.salesforce.com")


def test_production_is_refused_naming_the_org():
    with pytest.raises(Refused) as raised:
        guard_production(PROD, allow_production=False)
    assert raised.value.exit_code == ExitCode.REFUSED
    for part in ("'Acme'", "00D000000000001", "https://acme.my.salesforce.com", "--allow-production"):
        assert part in str(raised.value)


def test_allowed_with_the_flag_and_for_sandboxes():
    guard_production(PROD, allow_production=True)
    guard_production(SANDBOX, allow_production=False)


# --- value removal: what the org has active and the deploy does not --------------------------------

SALESFORCE_DEFAULTS = ("Open - Not Contacted", "Working - Contacted", "Closed - Converted", "Closed - Not Converted")


def statuses(*values: str, inactive: tuple[str, ...] = ()) -> m.StandardValueSet:
    return m.StandardValueSet("LeadStatus", tuple(
        m.StandardValue(v, v, default=i == 0, is_active=v not in inactive) for i, v in enumerate(values)))


def picklist(name: str, *values: str, inactive: tuple[str, ...] = ()) -> m.PicklistField:
    return m.PicklistField(name, name, tuple(m.PicklistValue(v, v, is_active=v not in inactive) for v in values))


def bundle(value_set: m.StandardValueSet | None = None, *fields: m.CustomField) -> m.Bundle:
    return m.Bundle("63.0", m.LeadObject(fields=fields), (value_set,) if value_set else ())


def test_lead_status_values_the_deploy_leaves_out_are_removed_in_the_orgs_order():
    org = bundle(statuses(*SALESFORCE_DEFAULTS))
    deployed = bundle(statuses("New", "Working - Contacted", "Qualified"))
    assert removed_values(org, deployed) == (
        Removal("Lead.Status", "Open - Not Contacted"),
        Removal("Lead.Status", "Closed - Converted"),
        Removal("Lead.Status", "Closed - Not Converted"),
    )


def test_custom_picklist_values_are_removed_per_field():
    org = bundle(None, picklist("Lead_Stage__c", "Lead", "Nurture", "MQL"), picklist("Reason__c", "Spam", "Fit"))
    deployed = bundle(None, picklist("Lead_Stage__c", "Lead", "MQL", "SQL"), picklist("Reason__c", "Fit"))
    assert removed_values(org, deployed) == (Removal("Lead.Lead_Stage__c", "Nurture"), Removal("Lead.Reason__c", "Spam"))


def test_values_already_inactive_in_the_org_are_not_removed_again():
    org = bundle(statuses("New", "Old", "Contacted", inactive=("Old",)),
                 picklist("Lead_Stage__c", "Lead", "Gone", inactive=("Gone",)))
    deployed = bundle(statuses("New", "Contacted"), picklist("Lead_Stage__c", "Lead"))
    assert removed_values(org, deployed) == ()


def test_a_value_the_deploy_makes_inactive_is_removed_and_one_it_reactivates_is_not():
    org = bundle(statuses("New", "Contacted", "Dormant", inactive=("Dormant",)))
    # renamed_from renders the old value inactive; a value inactive in the org and active here comes back
    deployed = bundle(statuses("New", "Working", "Dormant", "Contacted", inactive=("Contacted",)))
    assert removed_values(org, deployed) == (Removal("Lead.Status", "Contacted"),)


def test_fields_the_org_does_not_have_lose_nothing_and_fields_not_deployed_are_not_touched():
    org = bundle(statuses("New", "Closed"), picklist("Old_Field__c", "A", "B"))
    deployed = bundle(None, picklist("Lead_Stage__c", "Lead"))  # no LeadStatus, a field the org lacks
    assert removed_values(org, deployed) == ()
    assert removed_values(bundle(), bundle(statuses("New"), picklist("Lead_Stage__c", "Lead"))) == ()


def test_values_compare_by_api_name_not_label():
    org = bundle(statuses("New"))
    relabelled = bundle(m.StandardValueSet("LeadStatus", (m.StandardValue("New", "Brand new", default=True),)))
    assert removed_values(org, relabelled) == ()


def test_an_org_retrieve_parsed_into_the_model_is_compared_the_same_way():
    """What `find_removals` gets back from an org: mdapi files with inactive values after the active ones."""
    ns = "http://soap.sforce.com/2006/04/metadata"
    value = ("<standardValue><fullName>{0}</fullName><default>false</default><label>{0}</label>"
             "<isActive>{1}</isActive></standardValue>")
    lead_status = (f'<StandardValueSet xmlns="{ns}"><sorted>false</sorted>'
                   + value.format("New", "true") + value.format("Working", "true") + value.format("Old", "false")
                   + "</StandardValueSet>").encode()
    stage = (f'<CustomObject xmlns="{ns}"><fields><fullName>Lead_Stage__c</fullName><label>Stage</label>'
             "<type>Picklist</type><valueSet><restricted>true</restricted><valueSetDefinition>"
             "<value><fullName>Lead</fullName><default>true</default><label>Lead</label></value>"
             "<value><fullName>Nurture</fullName><default>false</default><label>Nurture</label></value>"
             "</valueSetDefinition></valueSet></fields></CustomObject>").encode()
    org = parse_files({"standardValueSets/LeadStatus.standardValueSet": lead_status, "objects/Lead.object": stage})
    deployed = bundle(statuses("New", "Old"), picklist("Lead_Stage__c", "Lead"))
    assert removed_values(org, deployed) == (Removal("Lead.Status", "Working"), Removal("Lead.Lead_Stage__c", "Nurture"))


def test_what_a_spec_renders_is_what_is_retrieved():
    from leadsync.build import build
    from leadsync.resources import presets_dir

    deployed = parse_files(build(presets_dir() / "lifecycle.yaml").files)
    assert picklist_members(deployed) == {"CustomField": ["Lead.Lead_Stage__c", "Lead.Unqualified_Reason__c"],
                                          "StandardValueSet": ["LeadStatus"]}
    assert picklist_members(bundle()) == {}


def test_removed_values_no_lead_holds_need_no_flag():
    guard_value_removal((Removal("Lead.Status", "Open - Not Contacted", 0),), allow_destructive=False)
    guard_value_removal((), allow_destructive=False)


def test_removed_values_that_leads_hold_are_refused_naming_each_value_and_count():
    removals = (Removal("Lead.Status", "Open - Not Contacted", 0), Removal("Lead.Status", "Working - Contacted", 1204),
                Removal("Lead.Lead_Stage__c", "Nurture", 1))
    with pytest.raises(Refused) as raised:
        guard_value_removal(removals, allow_destructive=False)
    assert raised.value.exit_code == ExitCode.REFUSED
    assert str(raised.value) == (
        "refusing to deactivate values that leads hold: Lead.Status 'Working - Contacted' (1,204 leads), "
        "Lead.Lead_Stage__c 'Nurture' (1 lead); keep them in the spec, move their leads with renamed_from, "
        "or pass --allow-destructive")
    guard_value_removal(removals, allow_destructive=True)


def test_values_only_converted_leads_hold_never_block():
    """Converted leads are read-only and keep their values: deactivating a value only they hold loses nothing."""
    only_converted = (Removal("Lead.Status", "Closed - Converted", 0, converted=812),)
    guard_value_removal(only_converted, allow_destructive=False)
    mixed = (Removal("Lead.Status", "Working - Contacted", 2, converted=5),)
    with pytest.raises(Refused) as raised:
        guard_value_removal(mixed, allow_destructive=False)
    assert "Lead.Status 'Working - Contacted' (2 leads, 5 converted)" in str(raised.value)
