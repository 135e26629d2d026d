"""Lead records: created as Salesforce creates them (checked, defaulted), stored in `records.py`, queried.

A new lead must name only fields the org has (the standard Lead fields of `catalog.py` and the custom
fields deployed), may not set system fields, needs LastName and Company, and its restricted picklists
(Status, and custom picklists with a restricted value set) hold active values only. Status defaults to
the org's default LeadStatus value and a custom picklist to its default value, as an API insert does.
Automation (the flow, validation rules, assignment rules) does not run yet.
"""

from __future__ import annotations

import datetime as dt

from leadsync.localorg import ids
from leadsync.localorg.catalog import STANDARD_LEAD_FIELDS
from leadsync.localorg.records import RecordStore
from leadsync.localorg.store import MetadataStore
from leadsync.metadata import model as m
from leadsync.metadata import parse

SOBJECT = "Lead"
REQUIRED = ("LastName", "Company")
NOT_CREATABLE = frozenset(f.lower() for f in (
    "Id", "IsDeleted", "MasterRecordId", "Name", "Address", "PhotoUrl", "IsConverted", "ConvertedDate",
    "ConvertedAccountId", "ConvertedContactId", "ConvertedOpportunityId", "CreatedDate", "CreatedById",
    "LastModifiedDate", "LastModifiedById", "SystemModstamp", "LastActivityDate", "LastViewedDate",
    "LastReferencedDate", "LastTransferDate",
))


class RecordError(Exception):
    """A save Salesforce refuses: one entry of the REST error list."""

    def __init__(self, code: str, message: str, fields: tuple[str, ...] = ()):
        super().__init__(code, message)
        self.code, self.message, self.fields = code, message, fields

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def to_json(self) -> dict:
        return {"message": self.message, "errorCode": self.code, "fields": list(self.fields)}


class Leads:
    def __init__(self, records: RecordStore, metadata: MetadataStore, user_id: str):
        self._records, self._metadata, self._user_id = records, metadata, user_id

    def all(self) -> list[dict]:
        return self._records.all(SOBJECT)

    def fields(self) -> dict[str, str]:
        """Every Lead field the org has: lower-cased name -> its own spelling."""
        custom = [k[1].split(".", 1)[1] for k in self._metadata.keys("CustomField") if k[1].startswith(f"{SOBJECT}.")]
        return {f.lower(): f for f in (*STANDARD_LEAD_FIELDS, *custom)}

    def create(self, records: list[dict]) -> list[str]:
        """Check and store new leads, all or none; their ids. Raises RecordError for the first bad one."""
        rows = [self._new(r) for r in records]
        self._records.insert(SOBJECT, rows)
        return [r["Id"] for r in rows]

    # --- one record ---------------------------------------------------------------------------

    def _new(self, given: dict) -> dict:
        known = self.fields()
        row: dict = {}
        for name, value in given.items():
            if name == "attributes":
                continue
            field = known.get(name.lower())
            if field is None:
                raise RecordError("INVALID_FIELD", f"No such column '{name}' on sobject of type {SOBJECT}")
            if name.lower() in NOT_CREATABLE:
                raise RecordError("INVALID_FIELD_FOR_INSERT_UPDATE",
                                  f"Unable to create/update fields: {field}. Please check the security settings "
                                  "of this field and verify that it is read/write for your profile or permission set.",
                                  (field,))
            row[field] = value
        picklists = self._picklists()
        for field, (_label, _values, default) in picklists.items():
            if row.get(field) in (None, "") and default is not None:
                row[field] = default
        missing = [f for f in REQUIRED if row.get(f) in (None, "")]
        if missing:
            raise RecordError("REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(missing)}]",
                              tuple(missing))
        for field, (label, values, _default) in picklists.items():
            value = row.get(field)
            if values is not None and value not in (None, "") and value not in values:
                raise RecordError("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                                  f"{label}: bad value for restricted picklist field: {value}", (field,))
        now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
        name = " ".join(str(row[f]) for f in ("FirstName", "LastName") if row.get(f))
        return {
            "Id": ids.new_id(SOBJECT), **row, "Name": name, "IsConverted": False, "IsDeleted": False,
            "OwnerId": row.get("OwnerId") or self._user_id, "CreatedDate": now, "CreatedById": self._user_id,
            "LastModifiedDate": now, "LastModifiedById": self._user_id, "SystemModstamp": now,
        }

    def _picklists(self) -> dict[str, tuple[str, frozenset[str] | None, str | None]]:
        """field -> (label, active values when restricted else None, default value)."""
        out: dict[str, tuple[str, frozenset[str] | None, str | None]] = {}
        stored = self._metadata.get("StandardValueSet", "LeadStatus")
        if stored is not None:
            svs = parse.parse_standard_value_set(parse.parse_xml("LeadStatus", stored.content), "LeadStatus")
            out["Status"] = ("Status", frozenset(v.full_name for v in svs.active_values), _default(svs.active_values))
        for _type, full_name in self._metadata.keys("CustomField"):
            if not full_name.startswith(f"{SOBJECT}."):
                continue
            stored = self._metadata.get("CustomField", full_name)
            name = full_name.split(".", 1)[1]
            field = parse.parse_custom_field(parse.parse_xml(full_name, stored.content), name) if stored else None
            if isinstance(field, m.PicklistField):
                active = frozenset(v.full_name for v in field.active_values)
                out[field.full_name] = (field.label, active if field.restricted else None, _default(field.active_values))
        return out


def _default(values) -> str | None:
    return next((v.full_name for v in values if v.default), None)
