"""Converting leads, as Salesforce's `convertLead()` does (findings and sources: docs/local-org.md, "Conversion").

For each LeadConvert (leadId, convertedStatus, accountId, contactId, doNotCreateOpportunity, ...):
  - the lead must exist (INVALID_CROSS_REFERENCE_KEY) and not be converted (CANNOT_UPDATE_CONVERTED_LEAD);
  - convertedStatus is required and must be an active LeadStatus value marked converted (INVALID_STATUS);
  - the lead becomes: Status = convertedStatus, IsConverted = true, ConvertedDate = today (a date, no
    time), ConvertedAccountId / ConvertedContactId = the given account or contact, else a new one,
    ConvertedOpportunityId = a new opportunity, or null with doNotCreateOpportunity;
  - automation on the Lead: only when the org's Lead settings require validation for converted leads
    (LeadConfigSettings.shouldLeadConvertRequireValidation, deployed as settings/LeadConfig.settings):
    then before-save flows (as an Update: $Record.IsConverted is true, $Record__Prior.IsConverted false)
    and validation rules run and may refuse the conversion; otherwise none runs (Salesforce's default);
  - the account, contact and opportunity are stored as minimal records (Id, names, AccountId).
Each lead converts or fails alone (no all-or-none), as the API's default.
"""

from __future__ import annotations

import datetime as dt

from leadsync.localorg import ids
from leadsync.localorg.engine.errors import RecordError
from leadsync.localorg.engine.values import sf_datetime

for _kind, _prefix in (("Account", "001"), ("Contact", "003"), ("Opportunity", "006")):
    ids.PREFIX.setdefault(_kind, _prefix)


def convert(leads, requests: list[dict], now: dt.datetime | None = None) -> list[dict]:
    now = now or dt.datetime.now(dt.timezone.utc)
    rules = leads.schema.rules()
    results = []
    for request in requests:
        lead_id = request.get("leadId") or ""
        try:
            results.append(_one(leads, rules, request, now))
        except RecordError as err:
            results.append({"accountId": None, "contactId": None, "leadId": lead_id or None, "opportunityId": None,
                            "success": False, "errors": [e.to_result_json() for e in err.all()]})
    return results


def _one(leads, rules, request: dict, now: dt.datetime) -> dict:
    lead_id = request.get("leadId") or ""
    if len(lead_id) not in (15, 18):
        raise RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", ("leadId",))
    lead = leads.get(lead_id)
    if lead is None:
        raise RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", ("leadId",))
    if lead.get("IsConverted"):
        raise RecordError("CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead")
    status = request.get("convertedStatus")
    if not status:
        raise RecordError("REQUIRED_FIELD_MISSING", "Required field is missing: convertedStatus", ("convertedStatus",))
    if status not in rules.converted_statuses:
        raise RecordError("INVALID_STATUS", f"invalid convertedStatus: {status}", ("convertedStatus",))
    account_id = request.get("accountId") or ids.new_id("Account")
    contact_id = request.get("contactId") or ids.new_id("Contact")
    opportunity_id = None if request.get("doNotCreateOpportunity") else (request.get("opportunityId") or ids.new_id("Opportunity"))
    record = {**lead, "Status": status, "IsConverted": True, "ConvertedDate": now.date().isoformat(),
              "ConvertedAccountId": account_id, "ConvertedContactId": contact_id,
              "ConvertedOpportunityId": opportunity_id}
    if rules.convert_requires_validation:
        leads.engine.run_automation(record, lead, rules, now)
    stamp = sf_datetime(now)
    record.update(LastModifiedDate=stamp, LastModifiedById=leads.engine.user_id, SystemModstamp=stamp)
    leads.save_converted(record)
    _related(leads, lead, request, account_id, contact_id, opportunity_id, stamp)
    return {"accountId": account_id, "contactId": contact_id, "leadId": lead["Id"], "opportunityId": opportunity_id,
            "success": True, "errors": []}


def _related(leads, lead: dict, request: dict, account_id: str, contact_id: str, opportunity_id: str | None,
             stamp: str) -> None:
    owner = request.get("ownerId") or lead.get("OwnerId")
    common = {"OwnerId": owner, "CreatedDate": stamp, "LastModifiedDate": stamp}
    store = leads.store
    if not request.get("accountId"):
        store.write("Account", inserts=[{"Id": account_id, "Name": lead.get("Company"), **common}])
    if not request.get("contactId"):
        store.write("Contact", inserts=[{"Id": contact_id, "FirstName": lead.get("FirstName"),
                                         "LastName": lead.get("LastName"), "AccountId": account_id, **common}])
    if opportunity_id and not request.get("opportunityId"):
        name = request.get("opportunityName") or f"{lead.get('Company')}-"
        store.write("Opportunity", inserts=[{"Id": opportunity_id, "Name": name, "AccountId": account_id, **common}])
