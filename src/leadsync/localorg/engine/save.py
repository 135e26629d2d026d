"""Saving a Lead as Salesforce does, in its order of execution, on the metadata deployed to the org.

For a create (`insert`) or an update (`update`, given the stored record):
  1. load: the stored record (update) or a new one; the request's fields over it. Refused: a field the
     org lacks (INVALID_FIELD), a system field (INVALID_FIELD_FOR_INSERT_UPDATE), any change to a
     converted lead (CANNOT_UPDATE_CONVERTED_LEAD). On create, picklists the request leaves empty get
     their default value (Status: the default LeadStatus).
  2. system validation of the request: a restricted picklist (Status, and custom picklists with a
     restricted value set) changed to a value that is not active (INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST).
     A record keeps an inactive value it already holds; only a change to one is refused.
  3. before-save record-triggered flows on Lead (active; Create/Update/CreateAndUpdate; start filters),
     in Salesforce's run order (triggerOrder 1-1000, then flows without one, then 1001-2000; ties by
     API name), changing $Record in place.
  4. system validation again (required LastName and Company, restricted picklists the flows changed),
     then every active validation rule; a rule whose formula is true refuses the save with its message
     and errorDisplayField (FIELD_CUSTOM_VALIDATION_EXCEPTION); every failing rule is reported.
  5. the record is stored by the caller (leads.py), which writes a whole batch at once.
Automation the org would run and the local org cannot (after-save flows, Apex triggers on Lead, an
element or operator the interpreter lacks, a formula it cannot evaluate) refuses the save with
LOCAL_ORG_CANNOT_RUN naming it. Assignment rules, workflow, duplicate rules and after-save automation
do not run.

Conversion (`convert`): see convert.py; it calls `run_automation` only when the org's Lead settings
require validation for converted leads.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from leadsync.localorg.engine import formulas
from leadsync.localorg.engine.errors import RecordError, UnsupportedAutomation
from leadsync.localorg.engine.flowrun import Interview
from leadsync.localorg.engine.schema import OrgRules, Schema
from leadsync.localorg.engine.values import is_blank, sf_datetime, to_record, to_typed
from leadsync.localorg import ids

SOBJECT = "Lead"
REQUIRED = ("LastName", "Company")
NOT_WRITABLE = frozenset(f.lower() for f in (
    "Id", "IsDeleted", "MasterRecordId", "Name", "Address", "PhotoUrl", "IsConverted", "ConvertedDate",
    "ConvertedAccountId", "ConvertedContactId", "ConvertedOpportunityId", "CreatedDate", "CreatedById",
    "LastModifiedDate", "LastModifiedById", "SystemModstamp", "LastActivityDate", "LastViewedDate",
    "LastReferencedDate", "LastTransferDate",
))
SYSTEM_FIELDS = ("Id", "Name", "IsConverted", "IsDeleted", "CreatedDate", "CreatedById", "LastModifiedDate",
                 "LastModifiedById", "SystemModstamp")


class SaveEngine:
    def __init__(self, schema: Schema, user_id: str):
        self.schema, self.user_id = schema, user_id
        # Custom permissions the API user holds ($Permission.X in formulas): none unless a test grants them.
        self.permissions: frozenset[str] = frozenset()

    def rules(self) -> OrgRules:
        return self.schema.rules()

    # --- the two saves ------------------------------------------------------------------------

    def insert(self, given: dict, now: dt.datetime | None = None, rules: OrgRules | None = None) -> dict:
        """A new, complete record (with Id and audit fields) or RecordError."""
        rules = rules or self.rules()
        now = now or _now()
        record = self._load(given, rules, creating=True)
        for name, picklist in rules.picklists.items():
            if is_blank(record.get(name)) and picklist.default is not None:
                record[name] = picklist.default
        record.setdefault("OwnerId", self.user_id)
        record["IsConverted"] = False
        self._check_picklists(record, None, rules)
        self.run_automation(record, None, rules, now)
        stamp = sf_datetime(now)
        return {"Id": ids.new_id(SOBJECT), **record, "Name": _name(record), "IsConverted": False, "IsDeleted": False,
                "CreatedDate": stamp, "CreatedById": self.user_id, "LastModifiedDate": stamp,
                "LastModifiedById": self.user_id, "SystemModstamp": stamp}

    def update(self, stored: dict, given: dict, now: dt.datetime | None = None, rules: OrgRules | None = None) -> dict:
        """The record after the update, or RecordError."""
        rules = rules or self.rules()
        now = now or _now()
        if stored.get("IsConverted"):
            raise RecordError("CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead")
        changes = self._load(given, rules, creating=False)
        changes.pop("Id", None)
        record = {**stored, **changes}
        self._check_picklists(record, stored, rules)
        self.run_automation(record, stored, rules, now)
        stamp = sf_datetime(now)
        record.update(Name=_name(record), LastModifiedDate=stamp, LastModifiedById=self.user_id, SystemModstamp=stamp)
        return record

    # --- the steps ----------------------------------------------------------------------------

    def run_automation(self, record: dict, prior: dict | None, rules: OrgRules, now: dt.datetime) -> None:
        """Steps 3 and 4: before-save flows, system validation, validation rules (record changed in place)."""
        creating = prior is None
        if rules.not_runnable:
            raise UnsupportedAutomation(rules.not_runnable[0])
        flows = [f for f in rules.flows if f.runs_on(creating)]
        if flows:
            before_flows = dict(record)
            flow_record = dict(record)
            if creating:
                for system in SYSTEM_FIELDS:  # a record being created has no Id yet
                    flow_record.pop(system, None)
                flow_record["IsConverted"] = record.get("IsConverted", False)
            interview = Interview(flow_record, prior, now, rules.spelling, self._flow_formula(rules))
            for flow in flows:
                flow.run(interview)
            for name, value in flow_record.items():
                record[name] = to_record(value, rules.types.get(name, "Text"))
            self._check_picklists(record, before_flows, rules)
        missing = [f for f in REQUIRED if is_blank(record.get(f))]
        if missing:
            raise RecordError("REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(missing)}]",
                              tuple(missing))
        failures = [RecordError("FIELD_CUSTOM_VALIDATION_EXCEPTION", rule.error_message,
                                (rule.error_display_field,) if rule.error_display_field else ())
                    for rule in rules.validation_rules if self._fails(rule, record, prior, rules, now)]
        if failures:
            raise RecordError(failures[0].code, failures[0].message, failures[0].fields, tuple(failures[1:]))

    def _load(self, given: dict, rules: OrgRules, creating: bool) -> dict:
        row: dict = {}
        for name, value in given.items():
            if name == "attributes":
                continue
            field = rules.spelling(name)
            if field is None:
                raise RecordError("INVALID_FIELD", f"No such column '{name}' on sobject of type {SOBJECT}")
            if name.lower() in NOT_WRITABLE and not (name.lower() == "id" and not creating):
                raise RecordError("INVALID_FIELD_FOR_INSERT_UPDATE",
                                  f"Unable to create/update fields: {field}. Please check the security settings "
                                  "of this field and verify that it is read/write for your profile or permission set.",
                                  (field,))
            row[field] = None if value == "" else value
        return row

    def _check_picklists(self, record: dict, before: dict | None, rules: OrgRules) -> None:
        for name, picklist in rules.picklists.items():
            value = record.get(name)
            if is_blank(value) or (before is not None and before.get(name) == value):
                continue
            if picklist.restricted and value not in picklist.active:
                raise RecordError("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                                  f"{picklist.label}: bad value for restricted picklist field: {value}", (name,))

    def _fails(self, rule, record: dict, prior: dict | None, rules: OrgRules, now: dt.datetime) -> bool:
        try:
            return bool(formulas.evaluate(rule.formula, record, prior, rules, now, "Boolean",
                                          permissions=self.permissions))
        except UnsupportedAutomation:
            raise
        except formulas.FormulaFailure as err:
            raise UnsupportedAutomation(f"validation rule {rule.full_name}: {err}") from None

    def _flow_formula(self, rules: OrgRules):
        def evaluate(interview: Interview, expression: str, data_type: str, prior: bool) -> Any:
            record = interview.prior if prior else interview.record
            resources = formulas.FlowResources(interview)
            try:
                return formulas.evaluate(expression, record, interview.prior, rules, interview.now, data_type,
                                         resources=resources, permissions=self.permissions)
            except formulas.FormulaFailure as err:
                raise UnsupportedAutomation(f"Flow {interview.flow.name}: formula {expression[:80]!r}: {err}") from None

        return evaluate


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _name(record: dict) -> str:
    return " ".join(str(record[f]) for f in ("FirstName", "LastName") if record.get(f))


__all__ = ["SaveEngine", "RecordError", "UnsupportedAutomation", "to_typed"]
