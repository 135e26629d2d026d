"""The REST API resources clients use: versions, query, a few sObject reads, and creating leads.

The Organization (sandbox or production) and the one User are built here from the org's identity;
leads are the org's stored records (`leads.py`), created with `POST sobjects/Lead`. A Lead query may
name only fields the org has. Anything else is Salesforce's 404 JSON.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from leadsync.localorg import catalog, soql
from leadsync.localorg.leads import Leads, RecordError
from leadsync.localorg.state import Identity

NOT_FOUND = [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]
_VERSIONED = re.compile(r"^/services/data/v(?P<version>\d+\.\d)(?P<rest>/.*)?$")


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any
    name: str  # what the call log calls it
    content_type: str | None = None  # set: `body` is bytes sent as is (Bulk API CSV); else JSON
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class OrgFacts:
    identity: Identity
    production: bool
    instance_url: str
    leads: Leads | None = None  # None: no records (the versions list needs none)
    faults: Any = None  # the org's Faults (bulk.py reads bulk_job_failures)
    organization_type: str = "Enterprise Edition"  # Organization.OrganizationType


def handle(method: str, path: str, params: dict[str, str], facts: OrgFacts, body: bytes = b"") -> Reply:
    """A REST call that passed authentication (the versions list needs none)."""
    path = path.rstrip("/") or "/"
    if path == "/services/data":
        return Reply(200, catalog.api_versions(), "versions")
    m = _VERSIONED.match(path)
    if not m or not catalog.supported_version(m.group("version")):
        return Reply(404, NOT_FOUND, "not_found")
    version, rest = m.group("version"), (m.group("rest") or "").rstrip("/")
    if rest == "" and method == "GET":
        return Reply(200, _resources(version), "resources")
    if rest in ("/query", "/queryAll", "/tooling/query") and method == "GET":
        return _query(params.get("q", ""), version, facts, rest == "/queryAll")
    if rest == "/tooling/sobjects/SourceMember/describe":
        return Reply(404, NOT_FOUND, "no_source_tracking")  # sf asks; like an org without source tracking
    parts = rest.strip("/").split("/")
    from leadsync.localorg import data_api

    answered = data_api.handle(method, parts, params, body, version, facts, Reply)
    if answered is not None:
        return answered
    if method == "POST" and len(parts) == 2 and parts[0] == "sobjects" and parts[1].lower() == "lead":
        return _create_lead(body, facts)
    if method == "GET" and len(parts) == 3 and parts[0] == "sobjects":
        record = next((r for r in _records(parts[1], version, facts) if r["Id"][:15] == parts[2][:15]), None)
        if record is None:
            return Reply(404, NOT_FOUND, "sobject")
        wanted = [f.strip() for f in params.get("fields", "").split(",") if f.strip()]
        if wanted:
            record = soql.run(soql.Query([soql.Column(f) for f in wanted], parts[1]), [record])[0]
        return Reply(200, record, "sobject")
    return Reply(404, NOT_FOUND, "not_found")


def _query(q: str, version: str, facts: OrgFacts, params_all: bool = False) -> Reply:
    try:
        query = soql.parse(q)
    except soql.SoqlError as err:
        return Reply(400, [{"message": str(err), "errorCode": "MALFORMED_QUERY"}], "query")
    records = _records(query.sobject, version, facts)
    if records is None:
        message = f"sObject type '{query.sobject}' is not supported."
        return Reply(400, [{"message": message, "errorCode": "INVALID_TYPE"}], "query")
    if query.sobject.lower() == "lead" and facts.leads is not None:
        known = facts.leads.fields()
        unknown = next((f for f in soql.fields_named(query) if "." not in f and f.lower() not in known), None)
        if unknown:
            message = (f"No such column '{unknown}' on entity 'Lead'. If you are attempting to use a custom field, "
                       "be sure to append the '__c' after the custom field name. Please reference your WSDL or "
                       "the describe call for the appropriate names.")
            return Reply(400, [{"message": message, "errorCode": "INVALID_FIELD"}], "query")
    rows = soql.run(query, records, _lead_attributes(version) if query.sobject.lower() == "lead" else None)
    from leadsync.localorg import data_api

    cursors = facts.leads.cursors if facts.leads is not None else None
    return Reply(200, data_api.page(rows, version, "queryAll" if params_all else "query", cursors), "query")


def _create_lead(body: bytes, facts: OrgFacts) -> Reply:
    try:
        given = json.loads(body or b"null")
    except ValueError as err:
        return Reply(400, [{"message": f"Unexpected character: {err}", "errorCode": "JSON_PARSER_ERROR"}], "create")
    if not isinstance(given, dict):
        message = "Cannot deserialize instance of Lead from a value that is not a JSON object"
        return Reply(400, [{"message": message, "errorCode": "JSON_PARSER_ERROR"}], "create")
    if facts.leads is None:
        return Reply(404, NOT_FOUND, "not_found")
    try:
        (lead_id,) = facts.leads.create([given])
    except RecordError as err:
        return Reply(400, [e.to_json() for e in err.all()], "create")
    return Reply(201, {"id": lead_id, "success": True, "errors": []}, "create")


def _records(sobject: str, version: str, facts: OrgFacts) -> list[dict] | None:
    builders = {"organization": _organization, "user": _user, "lead": _leads}
    build = builders.get(sobject.lower())
    return build(version, facts) if build else None


def _leads(version: str, facts: OrgFacts):
    """The stored leads one at a time, without "attributes" (`_lead_attributes` gives them)."""
    return facts.leads.iter() if facts.leads is not None else iter(())


def _lead_attributes(version: str):
    return lambda record: _attributes("Lead", record["Id"], version)


def _attributes(kind: str, record_id: str, version: str) -> dict:
    return {"type": kind, "url": f"/services/data/v{version}/sobjects/{kind}/{record_id}"}


def _organization(version: str, facts: OrgFacts) -> list[dict]:
    i = facts.identity
    return [{
        "attributes": _attributes("Organization", i.org_id, version),
        "Id": i.org_id,
        "Name": i.org_name,
        "IsSandbox": not facts.production,
        "OrganizationType": facts.organization_type,
        "InstanceName": "LOCAL1",
        "NamespacePrefix": None,
        "TrialExpirationDate": None,
        "CreatedDate": i.created_date,
        "CreatedById": i.user_id,
        "LastModifiedDate": i.created_date,
        "LastModifiedById": i.user_id,
        "Country": "US",
        "LanguageLocaleKey": "en_US",
        "DefaultLocaleSidKey": "en_US",
        "TimeZoneSidKey": "America/Los_Angeles",
        "IsReadOnly": False,
        "Division": None,
        "PrimaryContact": "Admin User",
        "DefaultCurrencyIsoCode": "USD",
        "UsesStartDateAsFiscalYearName": False,
        "FiscalYearStartMonth": 1,
    }]


def _user(version: str, facts: OrgFacts) -> list[dict]:
    i = facts.identity
    return [{
        "attributes": _attributes("User", i.user_id, version),
        "Id": i.user_id,
        "Username": i.username,
        "Name": "Admin User",
        "FirstName": "Admin",
        "LastName": "User",
        "Alias": "admin",
        "Email": i.username,
        "IsActive": True,
        "UserType": "Standard",
        "ProfileId": "00e5g000000LOCALAAA",
        "UserRoleId": None,
        "LanguageLocaleKey": "en_US",
        "LocaleSidKey": "en_US",
        "TimeZoneSidKey": "America/Los_Angeles",
        "CreatedDate": i.created_date,
        "LastModifiedDate": i.created_date,
    }]


def _resources(version: str) -> dict:
    base = f"/services/data/v{version}"
    names = ("tooling", "metadata", "query", "queryAll", "sobjects", "limits", "search", "recent", "composite")
    return {n: f"{base}/{n}" for n in names}
