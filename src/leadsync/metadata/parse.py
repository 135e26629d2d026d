"""Metadata XML, as retrieved from an org or deployed to the local org, turned into `metadata/model.py`.

Both layouts are read: mdapi (`objects/Lead.object` holding its fields, processes, record types and
rules; `standardValueSets/LeadStatus.standardValueSet`; `flows/X.flow`; `package.xml`) and source
format (`objects/Lead/fields/X.field-meta.xml`, `flows/X.flow-meta.xml`, ...). Real orgs hold far more
than leadsync models: unknown elements and types are skipped, never an error. Only XML that is not
well-formed raises `MetadataParseError`.

Two levels, because the local org must judge what the model does not hold:
`components_of(path, data)` splits a file into `Component`s (type, full name, file, element, line);
`to_model(component)` turns one into a model record (or None when not modelled);
`parse_files(files)` does both for a whole package and returns a `Bundle`.

Picklist value names inside business processes and record types are URL-encoded by Salesforce
(`Can%E2%80%99t buy`); they are decoded here so they compare equal to the value set's names.
lxml is imported inside the functions that parse bytes; import this module lazily.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping
from urllib.parse import unquote

from leadsync.errors import LeadsyncError
from leadsync.metadata import model as m

NS = "http://soap.sforce.com/2006/04/metadata"

# Top-level metadata types leadsync or the local org may meet: type -> (mdapi folder, file suffix,
# content is XML). Types whose content is not XML (Apex) come with a `-meta.xml` companion file.
TOP_LEVEL_TYPES: dict[str, tuple[str, str, bool]] = {
    "CustomObject": ("objects", "object", True),
    "StandardValueSet": ("standardValueSets", "standardValueSet", True),
    "GlobalValueSet": ("globalValueSets", "globalValueSet", True),
    "Flow": ("flows", "flow", True),
    "FlowDefinition": ("flowDefinitions", "flowDefinition", True),
    "PermissionSet": ("permissionsets", "permissionset", True),
    "Profile": ("profiles", "profile", True),
    "Layout": ("layouts", "layout", True),
    "FlexiPage": ("flexipages", "flexipage", True),
    "CustomApplication": ("applications", "app", True),
    "CustomTab": ("tabs", "tab", True),
    "QuickAction": ("quickActions", "quickAction", True),
    "CustomLabels": ("labels", "labels", True),
    "CustomMetadata": ("customMetadata", "md", True),
    "AssignmentRules": ("assignmentRules", "assignmentRules", True),
    "AutoResponseRules": ("autoResponseRules", "autoResponseRules", True),
    "Workflow": ("workflows", "workflow", True),
    "ApexClass": ("classes", "cls", False),
    "CustomPermission": ("customPermissions", "customPermission", True),
    "Settings": ("settings", "settings", True),  # root element <NameSettings>: LeadConfig -> LeadConfigSettings
    "ApexTrigger": ("triggers", "trigger", False),
}

# Elements of a CustomObject that are metadata components of their own: element (= source folder) -> type.
OBJECT_CHILDREN: dict[str, str] = {
    "fields": "CustomField",
    "businessProcesses": "BusinessProcess",
    "recordTypes": "RecordType",
    "validationRules": "ValidationRule",
    "listViews": "ListView",
    "webLinks": "WebLink",
    "compactLayouts": "CompactLayout",
    "fieldSets": "FieldSet",
    "sharingReasons": "SharingReason",
    "indexes": "Index",
}
CHILD_ELEMENT: dict[str, str] = {t: e for e, t in OBJECT_CHILDREN.items()}
# Source-format suffix of each child type: objects/Lead/fields/X.field-meta.xml
CHILD_SUFFIX: dict[str, str] = {
    "CustomField": "field",
    "BusinessProcess": "businessProcess",
    "RecordType": "recordType",
    "ValidationRule": "validationRule",
    "ListView": "listView",
    "WebLink": "webLink",
    "CompactLayout": "compactLayout",
    "FieldSet": "fieldSet",
    "SharingReason": "sharingReason",
    "Index": "index",
}
_SUFFIX_CHILD = {s: t for t, s in CHILD_SUFFIX.items()}
_SUFFIX_TOP = {(folder, suffix): t for t, (folder, suffix, _) in TOP_LEVEL_TYPES.items()}

MANIFESTS = ("package.xml", "destructiveChanges.xml", "destructiveChangesPre.xml", "destructiveChangesPost.xml")


class MetadataParseError(LeadsyncError):
    """A metadata file that is not well-formed XML (or not the element its name promises)."""

    def __init__(self, path: str, message: str, line: int = 0, column: int = 0):
        super().__init__(f"{path}:{line}:{column}: {message}")
        self.path, self.problem, self.line, self.column = path, message, line, column


@dataclass(frozen=True)
class Component:
    """One metadata component as found in a file: what package.xml would call it, and where it is."""

    type: str
    full_name: str  # as package.xml names it: "Lead.Stage__c", "LeadStatus"
    path: str
    element: Any = field(default=None, compare=False, repr=False)  # lxml element; None for non-XML content

    @property
    def line(self) -> int:
        return getattr(self.element, "sourceline", None) or 0

    @property
    def object_name(self) -> str | None:
        """The parent object of a child component ("Lead" for "Lead.Stage__c")."""
        return self.full_name.split(".", 1)[0] if self.type in CHILD_SUFFIX else None

    @property
    def short_name(self) -> str:
        """The name without the object prefix, as the XML's own fullName says it."""
        return self.full_name.split(".", 1)[1] if self.type in CHILD_SUFFIX else self.full_name


@dataclass(frozen=True)
class Manifest:
    """package.xml (or destructiveChanges.xml): members by type, and the API version."""

    types: Mapping[str, tuple[str, ...]]
    version: str | None = None

    def includes(self, type_: str, full_name: str) -> bool:
        members = self.types.get(type_, ())
        return full_name in members or "*" in members


# --- reading files ------------------------------------------------------------------------------


def classify(path: str) -> tuple[str, str] | None:
    """(type, full name) of the component a file holds, from its path alone; None for anything else."""
    parts = path.replace("\\", "/").split("/")
    name = parts[-1]
    base = name[: -len("-meta.xml")] if name.endswith("-meta.xml") else name
    if "." not in base or len(parts) < 2:
        return None
    stem, suffix = base.rsplit(".", 1)
    folder = parts[-2]
    child = _SUFFIX_CHILD.get(suffix)
    if child and len(parts) >= 4 and folder == CHILD_ELEMENT[child] and parts[-4] == "objects":
        return child, f"{parts[-3]}.{stem}"
    if suffix == "object" and len(parts) >= 3 and parts[-3] == "objects" and folder == stem:
        return "CustomObject", stem  # source format: objects/Lead/Lead.object-meta.xml
    top = _SUFFIX_TOP.get((folder, suffix))
    return (top, stem) if top else None


def components_of(path: str, data: bytes) -> list[Component]:
    """The components one file holds: an mdapi `.object` holds the object and each child."""
    kind = classify(path)
    if kind is None:
        return []
    type_, full_name = kind
    if type_ in TOP_LEVEL_TYPES and not TOP_LEVEL_TYPES[type_][2] and not path.endswith("-meta.xml"):
        return [Component(type_, full_name, path)]  # Apex source: not XML
    root = parse_xml(path, data)
    _expect_root(path, root, type_)
    found = [Component(type_, full_name, path, root)]
    if type_ == "CustomObject":
        for child in elements(root):
            child_type = OBJECT_CHILDREN.get(local_name(child))
            child_name = text(child, "fullName")
            if child_type and child_name:
                found.append(Component(child_type, f"{full_name}.{child_name}", path, child))
    return found


def read_components(files: Mapping[str, bytes]) -> list[Component]:
    """Every component of a package, files in path order, children in document order."""
    return [c for path in sorted(files) for c in components_of(path, files[path])]


def parse_xml(path: str, data: bytes):
    """Well-formed XML or `MetadataParseError` with the line and column; no entities, no network."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True, remove_pis=True)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        line, column = err.position if err.position else (0, 0)
        raise MetadataParseError(path, f"not well-formed XML: {err.msg}", line, column) from None


def parse_manifest(data: bytes, path: str = "package.xml") -> Manifest:
    root = parse_xml(path, data)
    _expect_root(path, root, "Package")
    types: dict[str, list[str]] = {}
    for t in children(root, "types"):
        name = text(t, "name")
        if name:
            types.setdefault(name, []).extend(x.text or "" for x in children(t, "members"))
    return Manifest({k: tuple(v) for k, v in types.items()}, text(root, "version"))


# --- the model ----------------------------------------------------------------------------------


def parse_files(files: Mapping[str, bytes]) -> m.Bundle:
    """A whole package (mdapi or source layout) as the model; components leadsync does not model are skipped."""
    fields: list[m.CustomField] = []
    processes: list[m.BusinessProcess] = []
    record_types: list[m.RecordType] = []
    rules: list[m.ValidationRule] = []
    value_sets: list[m.StandardValueSet] = []
    flows: list[m.Flow] = []
    permission_sets: list[m.PermissionSet] = []
    custom_permissions: list[m.CustomPermission] = []
    apex_classes: list[m.ApexClass] = []
    lead_config: m.LeadConfigSettings | None = None
    enable_history: bool | None = None
    for c in read_components(files):
        if c.type == "ApexClass" and c.element is not None:  # the -meta.xml; the body is the .cls beside it
            body = files.get(c.path[: -len("-meta.xml")], b"").decode("utf-8", "replace")
            apex_classes.append(parse_apex_class(c.element, c.short_name, body))
            continue
        if c.type == "Settings" and c.full_name == "LeadConfig" and c.element is not None:
            lead_config = parse_lead_config(c.element)
            continue
        if c.object_name not in (None, m.OBJECT) or (c.type == "CustomObject" and c.full_name != m.OBJECT):
            continue
        if c.type == "CustomObject":
            enable_history = flag(c.element, "enableHistory", None)
            continue
        record = to_model(c)
        bucket = {
            m.PicklistField: fields,
            m.DateTimeField: fields,
            m.BusinessProcess: processes,
            m.RecordType: record_types,
            m.ValidationRule: rules,
            m.StandardValueSet: value_sets,
            m.Flow: flows,
            m.PermissionSet: permission_sets,
            m.CustomPermission: custom_permissions,
        }.get(type(record))
        if bucket is not None:
            bucket.append(record)
    return m.Bundle(
        api_version=_api_version(files),
        lead=m.LeadObject(tuple(fields), tuple(processes), tuple(record_types), tuple(rules), enable_history),
        standard_value_sets=tuple(value_sets),
        flows=tuple(flows),
        permission_sets=tuple(permission_sets),
        custom_permissions=tuple(custom_permissions),
        apex_classes=tuple(apex_classes),
        lead_config=lead_config,
    )


def to_model(c: Component):
    """The model record for one component, or None when leadsync does not model it."""
    if c.element is None:
        return None
    parse = {
        "StandardValueSet": parse_standard_value_set,
        "CustomField": parse_custom_field,
        "BusinessProcess": parse_business_process,
        "RecordType": parse_record_type,
        "ValidationRule": parse_validation_rule,
        "Flow": parse_flow,
        "PermissionSet": parse_permission_set,
        "CustomPermission": parse_custom_permission,
    }.get(c.type)
    return parse(c.element, c.short_name) if parse else None


def parse_standard_value_set(el, name: str) -> m.StandardValueSet:
    values = tuple(
        m.StandardValue(
            full_name=text(v, "fullName") or "",
            label=text(v, "label") or text(v, "fullName") or "",
            default=bool(flag(v, "default", False)),
            converted=bool(flag(v, "converted", False)),
            description=text(v, "description"),
            is_active=bool(flag(v, "isActive", True)),
        )
        for v in children(el, "standardValue")
    )
    return m.StandardValueSet(text(el, "fullName") or name, values, bool(flag(el, "sorted", False)))


def parse_custom_field(el, name: str) -> m.CustomField | None:
    """Custom Picklist (with its own value set) and DateTime fields; None for every other field."""
    full_name = text(el, "fullName") or name
    if not full_name.endswith("__c"):
        return None  # standard fields (Status, ...) carry only settings
    common = dict(
        full_name=full_name,
        label=text(el, "label") or full_name,
        description=text(el, "description"),
        track_history=bool(flag(el, "trackHistory", False)),
        inline_help_text=text(el, "inlineHelpText"),
    )
    kind = text(el, "type")
    if kind == "DateTime":
        return m.DateTimeField(**common)
    if kind != "Picklist":
        return None
    value_set = child(el, "valueSet")
    definition = child(value_set, "valueSetDefinition") if value_set is not None else None
    if definition is None:
        return None  # a global value set, or the pre-v38 <picklist> form: not modelled
    values = tuple(
        m.PicklistValue(
            full_name=text(v, "fullName") or "",
            label=text(v, "label") or text(v, "fullName") or "",
            default=bool(flag(v, "default", False)),
            description=text(v, "description"),
            is_active=bool(flag(v, "isActive", True)),
        )
        for v in children(definition, "value")
    )
    return m.PicklistField(values=values, restricted=bool(flag(value_set, "restricted", False)), **common)


def parse_business_process(el, name: str) -> m.BusinessProcess:
    values = tuple(
        m.BusinessProcessValue(unquote(text(v, "fullName") or ""), bool(flag(v, "default", False)))
        for v in children(el, "values")
    )
    return m.BusinessProcess(
        full_name=text(el, "fullName") or name,
        values=values,
        description=text(el, "description"),
        is_active=bool(flag(el, "isActive", True)),
    )


def parse_record_type(el, name: str) -> m.RecordType:
    full_name = text(el, "fullName") or name
    return m.RecordType(
        full_name=full_name,
        label=text(el, "label") or full_name,
        business_process=text(el, "businessProcess"),
        active=bool(flag(el, "active", True)),
        description=text(el, "description"),
        picklist_values=tuple(
            m.RecordTypePicklist(
                text(p, "picklist") or "",
                tuple(m.BusinessProcessValue(unquote(text(v, "fullName") or ""), bool(flag(v, "default", False)))
                      for v in children(p, "values")),
            )
            for p in children(el, "picklistValues")
        ),
    )


def parse_validation_rule(el, name: str) -> m.ValidationRule:
    return m.ValidationRule(
        full_name=text(el, "fullName") or name,
        formula=text(el, "errorConditionFormula") or "",
        error_message=text(el, "errorMessage") or "",
        active=bool(flag(el, "active", True)),
        description=text(el, "description"),
        error_display_field=text(el, "errorDisplayField"),
    )


def parse_permission_set(el, name: str) -> m.PermissionSet:
    perms = tuple(
        m.FieldPermission(text(p, "field") or "", bool(flag(p, "readable", False)), bool(flag(p, "editable", False)))
        for p in children(el, "fieldPermissions")
    )
    return m.PermissionSet(
        full_name=text(el, "fullName") or name,
        label=text(el, "label") or name,
        field_permissions=perms,
        description=text(el, "description"),
        custom_permissions=tuple(text(p, "name") or "" for p in children(el, "customPermissions")
                                 if flag(p, "enabled", False)),
        record_type_visibilities=tuple(text(v, "recordType") or "" for v in children(el, "recordTypeVisibilities")
                                       if flag(v, "visible", False)),
    )


def parse_custom_permission(el, name: str) -> m.CustomPermission:
    return m.CustomPermission(full_name=text(el, "fullName") or name, label=text(el, "label") or name,
                              description=text(el, "description"))


def parse_apex_class(el, name: str, body: str) -> m.ApexClass:
    return m.ApexClass(full_name=name, body=body, api_version=text(el, "apiVersion") or "",
                       status=text(el, "status") or "Active")


def parse_lead_config(el) -> m.LeadConfigSettings:
    return m.LeadConfigSettings(should_lead_convert_require_validation=flag(el, "shouldLeadConvertRequireValidation", None))


# --- flows --------------------------------------------------------------------------------------

_FLOW_VALUE_KINDS = ("stringValue", "numberValue", "booleanValue", "elementReference", "dateTimeValue")


def parse_flow(el, name: str) -> m.Flow:
    """The elements leadsync renders (start, decisions, assignments, formulas); others are skipped."""
    return m.Flow(
        full_name=text(el, "fullName") or name,
        label=text(el, "label") or name,
        api_version=text(el, "apiVersion") or "",
        start=_flow_start(el),
        decisions=tuple(_flow_decision(d) for d in children(el, "decisions")),
        assignments=tuple(_flow_assignment(a) for a in children(el, "assignments")),
        formulas=tuple(_flow_formula(f) for f in children(el, "formulas")),
        description=text(el, "description"),
        process_type=text(el, "processType") or "AutoLaunchedFlow",
        status=text(el, "status") or "Draft",
        interview_label=text(el, "interviewLabel"),
        run_in_mode=text(el, "runInMode"),
    )


def _flow_start(flow) -> m.FlowStart:
    start = child(flow, "start")
    if start is None:  # old flows name their first element instead
        return m.FlowStart("", "", "", connector=text(flow, "startElementReference"))
    return m.FlowStart(
        object=text(start, "object") or "",
        trigger_type=text(start, "triggerType") or "",
        record_trigger_type=text(start, "recordTriggerType") or "",
        connector=_target(start, "connector"),
        location_x=_int(start, "locationX"),
        location_y=_int(start, "locationY"),
    )


def _flow_decision(d) -> m.FlowDecision:
    rules = tuple(
        m.FlowRule(
            name=text(r, "name") or "",
            label=text(r, "label") or "",
            conditions=tuple(
                m.FlowCondition(
                    left=text(c, "leftValueReference") or "",
                    operator=text(c, "operator") or "",
                    right=_flow_value(child(c, "rightValue")),
                )
                for c in children(r, "conditions")
            ),
            condition_logic=text(r, "conditionLogic") or "and",
            connector=_target(r, "connector"),
        )
        for r in children(d, "rules")
    )
    return m.FlowDecision(
        name=text(d, "name") or "",
        label=text(d, "label") or "",
        rules=rules,
        default_connector=_target(d, "defaultConnector"),
        default_connector_label=text(d, "defaultConnectorLabel") or "Default Outcome",
        description=text(d, "description"),
        location_x=_int(d, "locationX"),
        location_y=_int(d, "locationY"),
    )


def _flow_assignment(a) -> m.FlowAssignment:
    items = tuple(
        m.FlowAssignmentItem(
            assign_to=text(i, "assignToReference") or "",
            operator=text(i, "operator") or "Assign",
            value=_flow_value(child(i, "value")) or m.FlowValue("stringValue", ""),
        )
        for i in children(a, "assignmentItems")
    )
    return m.FlowAssignment(
        name=text(a, "name") or "",
        label=text(a, "label") or "",
        items=items,
        connector=_target(a, "connector"),
        description=text(a, "description"),
        location_x=_int(a, "locationX"),
        location_y=_int(a, "locationY"),
    )


def _flow_formula(f) -> m.FlowFormula:
    scale = text(f, "scale")
    return m.FlowFormula(
        name=text(f, "name") or "",
        data_type=text(f, "dataType") or "",
        expression=text(f, "expression") or "",
        description=text(f, "description"),
        scale=int(scale) if scale and scale.lstrip("-").isdigit() else None,
    )


def _flow_value(el) -> m.FlowValue | None:
    """A FlowElementReferenceOrValue; an empty `<stringValue/>` is the empty string, other kinds None."""
    if el is None:
        return None
    for kind in _FLOW_VALUE_KINDS:
        v = child(el, kind)
        if v is None:
            continue
        text = v.text or ""
        if kind == "numberValue":
            return m.FlowValue(kind, float(text or 0))
        if kind == "booleanValue":
            return m.FlowValue(kind, text.strip() == "true")
        return m.FlowValue(kind, text)
    return None


def _target(el, connector: str) -> str | None:
    c = child(el, connector)
    return text(c, "targetReference") if c is not None else None


# --- XML helpers, namespace-agnostic (some tools write files without the namespace); the judge uses them too


def local_name(el) -> str:
    tag = el.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def elements(el) -> Iterable:
    return (c for c in el if isinstance(c.tag, str))


def children(el, name: str) -> list:
    return [c for c in elements(el) if local_name(c) == name]


def child(el, name: str):
    return next((c for c in elements(el) if local_name(c) == name), None)


def text(el, name: str) -> str | None:
    c = child(el, name)
    return None if c is None else (c.text or "")


def flag(el, name: str, default: bool | None) -> bool | None:
    t = text(el, name)
    return default if t is None else t.strip().lower() == "true"


def _int(el, name: str) -> int:
    t = text(el, name)
    try:
        return int(float(t)) if t else 0
    except ValueError:
        return 0


def _expect_root(path: str, root, type_: str) -> None:
    if type_ == "Settings" and local_name(root).endswith("Settings"):
        return
    if local_name(root) != type_:
        raise MetadataParseError(path, f"expected a <{type_}> root element, found <{local_name(root)}>", root.sourceline or 0)


def _api_version(files: Mapping[str, bytes]) -> str:
    for path, data in files.items():
        if path.rsplit("/", 1)[-1] == "package.xml":
            return parse_manifest(data, path).version or ""
    for path, data in files.items():
        if path.rsplit("/", 1)[-1] == "sfdx-project.json":
            try:
                return str(json.loads(data).get("sourceApiVersion") or "")
            except (ValueError, AttributeError):
                return ""
    return ""
