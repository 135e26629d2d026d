"""One model of the Lead metadata leadsync touches.

The same frozen records serve every direction: `render/compile.py` builds them from a spec and the
Jinja templates turn them into XML; `metadata/parse.py` builds them from XML retrieved from an org or
deployed to the local org; plan (later) compares two of them; the local org interprets the flow and
validation rules held here. Field names follow the Metadata API's element names in snake_case.
Only what leadsync renders or must judge is modelled; everything else in a parsed file is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Union

OBJECT = "Lead"


# --- picklists ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StandardValue:
    """One LeadStatus value (StandardValueSet.standardValue)."""

    full_name: str
    label: str
    default: bool = False
    converted: bool = False
    description: str | None = None
    is_active: bool = True


@dataclass(frozen=True)
class StandardValueSet:
    full_name: str  # "LeadStatus"
    values: tuple[StandardValue, ...]
    sorted: bool = False

    @property
    def active_values(self) -> tuple[StandardValue, ...]:
        return tuple(v for v in self.values if v.is_active)


@dataclass(frozen=True)
class PicklistValue:
    """A value of a custom picklist's valueSetDefinition."""

    full_name: str
    label: str
    default: bool = False
    description: str | None = None
    is_active: bool = True


@dataclass(frozen=True)
class PicklistField:
    """CustomField of type Picklist on Lead, with a restricted local value set."""

    full_name: str  # "Lead_Stage__c" (without the object prefix)
    label: str
    values: tuple[PicklistValue, ...]
    description: str | None = None
    restricted: bool = True
    track_history: bool = False
    inline_help_text: str | None = None

    @property
    def active_values(self) -> tuple[PicklistValue, ...]:
        return tuple(v for v in self.values if v.is_active)


@dataclass(frozen=True)
class DateTimeField:
    full_name: str
    label: str
    description: str | None = None
    track_history: bool = False
    inline_help_text: str | None = None


CustomField = Union[PicklistField, DateTimeField]


# --- processes and record types ---------------------------------------------------------------


@dataclass(frozen=True)
class BusinessProcessValue:
    full_name: str
    default: bool = False


@dataclass(frozen=True)
class BusinessProcess:
    full_name: str  # "Inbound Sales" (without the object prefix)
    values: tuple[BusinessProcessValue, ...]
    description: str | None = None
    is_active: bool = True


@dataclass(frozen=True)
class RecordTypePicklist:
    """The values of one custom picklist a record type offers (Status comes from its business process)."""

    picklist: str  # field API name, e.g. "Lead_Stage__c"
    values: tuple[BusinessProcessValue, ...]


@dataclass(frozen=True)
class RecordType:
    full_name: str  # "Inbound"
    label: str
    business_process: str | None = None
    active: bool = True
    description: str | None = None
    picklist_values: tuple[RecordTypePicklist, ...] = ()


# --- validation rules -------------------------------------------------------------------------


@dataclass(frozen=True)
class ValidationRule:
    full_name: str
    formula: str  # errorConditionFormula, unescaped
    error_message: str
    active: bool = True
    description: str | None = None
    error_display_field: str | None = None


# --- flow -----------------------------------------------------------------------------------

FlowValueType = Literal["stringValue", "numberValue", "booleanValue", "elementReference", "dateTimeValue"]


@dataclass(frozen=True)
class FlowValue:
    """A FlowElementReferenceOrValue: exactly one typed value."""

    kind: FlowValueType
    value: str | float | bool


@dataclass(frozen=True)
class FlowCondition:
    left: str  # leftValueReference, e.g. "$Record.Status"
    operator: str  # EqualTo, NotEqualTo, GreaterThan, ..., IsNull, IsChanged, Contains
    right: FlowValue | None = None


@dataclass(frozen=True)
class FlowRule:
    name: str
    label: str
    conditions: tuple[FlowCondition, ...]
    condition_logic: str = "and"  # "and", "or", or a custom logic like "1 AND (2 OR 3)"
    connector: str | None = None  # target element name


@dataclass(frozen=True)
class FlowDecision:
    name: str
    label: str
    rules: tuple[FlowRule, ...]
    default_connector: str | None = None
    default_connector_label: str = "Default Outcome"
    description: str | None = None
    location_x: int = 0
    location_y: int = 0


@dataclass(frozen=True)
class FlowAssignmentItem:
    assign_to: str  # assignToReference, e.g. "$Record.Lead_Stage__c"
    operator: str  # "Assign"
    value: FlowValue


@dataclass(frozen=True)
class FlowAssignment:
    name: str
    label: str
    items: tuple[FlowAssignmentItem, ...]
    connector: str | None = None
    description: str | None = None
    location_x: int = 0
    location_y: int = 0


@dataclass(frozen=True)
class FlowFormula:
    name: str
    data_type: str  # "String", "Number", "Boolean", "DateTime"
    expression: str
    description: str | None = None
    scale: int | None = None


@dataclass(frozen=True)
class FlowStart:
    object: str
    trigger_type: str  # "RecordBeforeSave"
    record_trigger_type: str  # "CreateAndUpdate"
    connector: str | None = None
    location_x: int = 0
    location_y: int = 0


@dataclass(frozen=True)
class Flow:
    full_name: str
    label: str
    api_version: str
    start: FlowStart
    decisions: tuple[FlowDecision, ...] = ()
    assignments: tuple[FlowAssignment, ...] = ()
    formulas: tuple[FlowFormula, ...] = ()
    description: str | None = None
    process_type: str = "AutoLaunchedFlow"
    status: str = "Active"
    interview_label: str | None = None
    run_in_mode: str | None = None

    def element(self, name: str) -> FlowDecision | FlowAssignment | None:
        for e in (*self.decisions, *self.assignments):
            if e.name == name:
                return e
        return None


# --- permission set and package ---------------------------------------------------------------


@dataclass(frozen=True)
class FieldPermission:
    field: str  # "Lead.Lead_Stage__c"
    readable: bool
    editable: bool


@dataclass(frozen=True)
class PermissionSet:
    full_name: str
    label: str
    field_permissions: tuple[FieldPermission, ...]
    description: str | None = None
    custom_permissions: tuple[str, ...] = ()  # CustomPermission names it grants (customPermissions)
    record_type_visibilities: tuple[str, ...] = ()  # record types it makes visible ("Lead.Inbound")


@dataclass(frozen=True)
class CustomPermission:
    """A custom permission (guards.bypass_permission): validation rules test it with $Permission.X."""

    full_name: str
    label: str
    description: str | None = None


@dataclass(frozen=True)
class ApexClass:
    """An Apex class: `body` is the .cls source, the rest its -meta.xml."""

    full_name: str
    body: str
    api_version: str
    status: str = "Active"


@dataclass(frozen=True)
class LeadConfigSettings:
    """Lead Settings (Settings `LeadConfig`): only what leadsync sets; None leaves the org's value."""

    should_lead_convert_require_validation: bool | None = None


@dataclass(frozen=True)
class LeadObject:
    """The Lead CustomObject and the children leadsync owns (mdapi: objects/Lead.object)."""

    fields: tuple[CustomField, ...] = ()
    business_processes: tuple[BusinessProcess, ...] = ()
    record_types: tuple[RecordType, ...] = ()
    validation_rules: tuple[ValidationRule, ...] = ()
    enable_history: bool | None = None  # None: leave the org's setting alone

    def field(self, name: str) -> CustomField | None:
        return next((f for f in self.fields if f.full_name == name), None)


@dataclass(frozen=True)
class Bundle:
    """Everything one spec compiles to: the unit that is rendered, deployed, retrieved and compared."""

    api_version: str
    lead: LeadObject = field(default_factory=LeadObject)
    standard_value_sets: tuple[StandardValueSet, ...] = ()
    flows: tuple[Flow, ...] = ()
    permission_sets: tuple[PermissionSet, ...] = ()
    custom_permissions: tuple[CustomPermission, ...] = ()
    apex_classes: tuple[ApexClass, ...] = ()
    lead_config: LeadConfigSettings | None = None  # Settings LeadConfig (settings/LeadConfig.settings)

    def members(self) -> dict[str, list[str]]:
        """package.xml members by metadata type, each list sorted (Salesforce's own order)."""
        types: dict[str, list[str]] = {}

        def add(kind: str, name: str) -> None:
            types.setdefault(kind, []).append(name)

        if self.lead.enable_history is not None:  # only then is Lead.object-meta.xml itself rendered
            add("CustomObject", OBJECT)
        for f in self.lead.fields:
            add("CustomField", f"{OBJECT}.{f.full_name}")
        for bp in self.lead.business_processes:
            add("BusinessProcess", f"{OBJECT}.{bp.full_name}")
        for rt in self.lead.record_types:
            add("RecordType", f"{OBJECT}.{rt.full_name}")
        for vr in self.lead.validation_rules:
            add("ValidationRule", f"{OBJECT}.{vr.full_name}")
        for svs in self.standard_value_sets:
            add("StandardValueSet", svs.full_name)
        for fl in self.flows:
            add("Flow", fl.full_name)
        for ps in self.permission_sets:
            add("PermissionSet", ps.full_name)
        for cp in self.custom_permissions:
            add("CustomPermission", cp.full_name)
        for cls in self.apex_classes:
            add("ApexClass", cls.full_name)
        if self.lead_config is not None:
            add("Settings", "LeadConfig")
        return {k: sorted(v) for k, v in sorted(types.items())}
