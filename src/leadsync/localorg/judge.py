"""Would Salesforce accept this deploy? The checks it makes on the metadata leadsync deploys.

Every finding names the component (type, full name, file) and, where known, the line and column,
like a Salesforce componentFailure. Checks run against `OrgView`: the org as it would be once the
deploy is in (so a business process may use a status deployed in the same package, and may not use
one the same package deactivates).

  package   member named in package.xml but no file; file whose component package.xml does not name;
            a type the local org does not know
  schema    the Metadata API XSD (render.schema.validate_files)
  LeadStatus          exactly one default value, at least one converted value; no value twice (letter
                      case aside: `New` and `new` are one value to Salesforce)
  CustomField         a Lead picklist: no value twice (letter case aside), at most one default
  BusinessProcess     only existing, active LeadStatus values; exactly one default
  RecordType          its business process exists; its custom picklist values exist in the field
  ValidationRule      its formula as Salesforce checks it (leadsync.localorg.formula: syntax, functions,
                      fields, types, picklists only in ISPICKVAL/TEXT/CASE); its error display field exists
  Flow                every `$Record.X` exists on Lead; every connector targets an element of the flow;
                      every reference (condition, assignment, value) names a resource the flow has or a global;
                      its formulas and entry condition formula checked like a validation rule's
  PermissionSet       every Lead field it grants exists; every record type it makes visible exists
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Iterable, Iterator
from urllib.parse import unquote

from leadsync.localorg import references
from leadsync.localorg.catalog import STANDARD_LEAD_FIELDS
from leadsync.localorg.store import Content, Key, MetadataStore
from leadsync.metadata import model as m
from leadsync.metadata import parse
from leadsync.metadata.parse import CHILD_SUFFIX, TOP_LEVEL_TYPES, Component, Manifest


@dataclass(frozen=True)
class Problem:
    type: str
    full_name: str
    file_name: str
    message: str
    line: int = 0
    column: int = 0


class OrgView:
    """The org's metadata with a deploy's contents laid over it."""

    def __init__(self, store: MetadataStore, contents: dict[Key, Content]):
        self._store, self._contents = store, contents

    def content(self, type_: str, full_name: str) -> bytes | None:
        if (type_, full_name) in self._contents:
            return self._contents[(type_, full_name)].content
        stored = self._store.get(type_, full_name)
        return stored.content if stored else None

    def names(self, type_: str) -> set[str]:
        return {k[1] for k in self._store.keys(type_)} | {k[1] for k in self._contents if k[0] == type_}

    @cached_property
    def lead_fields(self) -> set[str]:
        """Lower-cased: field names are case-insensitive in formulas and flows."""
        custom = {n.split(".", 1)[1] for n in self.names("CustomField") if n.startswith(f"{m.OBJECT}.")}
        return {f.lower() for f in (*STANDARD_LEAD_FIELDS, *custom)}

    @cached_property
    def lead_field_types(self) -> dict[str, str]:
        """Field name -> Metadata API type (Picklist, DateTime, Checkbox...), for the formula checks."""
        from leadsync.localorg.engine.schema import standard_lead_types

        types = standard_lead_types()
        for name in self.names("CustomField"):
            obj, _, field_name = name.partition(".")
            data = self.content("CustomField", name) if obj == m.OBJECT else None
            declared = parse.text(parse.parse_xml(field_name, data), "type") if data is not None else None
            if declared or (data is not None and field_name not in types):  # Status: settings only, no type
                types[field_name] = declared or "Text"
        return types

    @cached_property
    def lead_statuses(self) -> dict[str, m.StandardValue]:
        data = self.content("StandardValueSet", "LeadStatus")
        if data is None:
            return {}
        svs = parse.parse_standard_value_set(parse.parse_xml("LeadStatus", data), "LeadStatus")
        return {v.full_name: v for v in svs.values}

    def custom_picklist_values(self, field_name: str) -> set[str] | None:
        """Active values of a custom Lead picklist, or None when the org and the deploy lack the field."""
        data = self.content("CustomField", f"{m.OBJECT}.{field_name}")
        if data is None:
            return None
        field = parse.parse_custom_field(parse.parse_xml(field_name, data), field_name)
        return {v.full_name for v in field.active_values} if isinstance(field, m.PicklistField) else set()

    @cached_property
    def lead_business_processes(self) -> set[str]:
        return {n.split(".", 1)[1] for n in self.names("BusinessProcess") if n.startswith(f"{m.OBJECT}.")}


# --- the package as a whole -------------------------------------------------------------------


def package_problems(manifest: Manifest, components: list[Component], root: str,
                     unreadable: set[Key] = frozenset()) -> list[Problem]:
    manifest_file = f"{root}package.xml"
    found: dict[Key, Component] = {}
    for c in components:
        found.setdefault((c.type, c.full_name), c)
    problems = [
        Problem(t, "", manifest_file, f"The local org does not support metadata type '{t}'")
        for t in manifest.types if t not in TOP_LEVEL_TYPES and t not in CHILD_SUFFIX
    ]
    for type_, members in manifest.types.items():
        for member in members:
            missing = (type_, member) not in found and (type_, member) not in unreadable
            if member != "*" and missing and type_ in {*TOP_LEVEL_TYPES, *CHILD_SUFFIX}:
                problems.append(Problem(type_, member, manifest_file,
                                        f"An object '{member}' of type {type_} was named in package.xml, "
                                        "but was not found in zipped directory"))
    for (type_, name), c in found.items():
        parent_listed = c.object_name is not None and manifest.includes("CustomObject", c.object_name)
        if not manifest.includes(type_, name) and not parent_listed and type_ != "CustomObject":
            problems.append(Problem(type_, name, c.path,
                                    f"An object '{name}' of type {type_} was found in zipped directory, "
                                    "but was not named in package.xml", c.line))
    return problems


def schema_problems(files: dict[str, bytes], root: str, components: list[Component]) -> list[Problem]:
    """The XSD (render/schema.py, API 63.0) on the readable files of the types it covers; each finding
    attributed to the component at its line."""
    from leadsync.render.schema import ROOT_TYPES, violations

    covered = {c.path for c in components if c.type in ROOT_TYPES and c.element is not None}
    covered.add(f"{root}package.xml")
    relative = {path[len(root):]: files[path] for path in sorted(covered) if path in files}
    problems = []
    for v in violations(relative, any_order=True):
        path = root + v.path
        owner = _owner(components, path, v.line)
        kind = (owner.type, owner.full_name) if owner else (parse.classify(path) or ("", v.path))
        message = v.detail + (f" (at {v.where}{f' of {v.owner}' if v.owner else ''})" if v.where else "")
        problems.append(Problem(kind[0], kind[1], path, message, v.line, v.column))
    return problems


def _owner(components: list[Component], path: str, line: int) -> Component | None:
    """The innermost component of `path` starting at or before `line` (children follow their object)."""
    candidates = [(c.line, i, c) for i, c in enumerate(components) if c.path == path and c.line <= max(line, 1)]
    return max(candidates, key=lambda t: t[:2], default=(0, 0, None))[2]


# --- component rules --------------------------------------------------------------------------


def component_problems(components: list[Component], view: OrgView) -> list[Problem]:
    problems: list[Problem] = []
    for c in components:
        rule = RULES.get(c.type)
        if rule is not None and c.element is not None and (c.object_name in (None, m.OBJECT)):
            problems.extend(rule(c, view))
    return problems


def lead_status(c: Component, view: OrgView) -> Iterator[Problem]:
    if c.full_name != "LeadStatus":
        return
    svs = parse.parse_standard_value_set(c.element, c.full_name)
    active = svs.active_values
    defaults = [v.full_name for v in active if v.default]
    if len(defaults) != 1:
        found = ", ".join(defaults) if defaults else "none"
        yield _problem(c, f"LeadStatus must have exactly one default value (found: {found})")
    if not any(v.converted for v in active):
        yield _problem(c, "LeadStatus must have at least one converted value")
    yield from _duplicate_values(c, parse.children(c.element, "standardValue"))


def custom_field(c: Component, view: OrgView) -> Iterator[Problem]:
    """A picklist's values, as Salesforce checks them: one value whatever its letter case, one default."""
    value_set = parse.child(c.element, "valueSet")
    definition = parse.child(value_set, "valueSetDefinition") if value_set is not None else None
    if definition is None:
        return
    values = parse.children(definition, "value")
    yield from _duplicate_values(c, values)
    defaults = [v for v in values if parse.flag(v, "default", False)]
    if len(defaults) > 1:
        yield _problem(c, f"Only one default value is allowed in picklist {c.short_name}", defaults[1].sourceline)


def _duplicate_values(c: Component, values) -> Iterator[Problem]:
    """Salesforce compares picklist values without letter case: `MQL` and `mql` are one value, twice."""
    seen: set[str] = set()
    for value in values:
        name = unquote(parse.text(value, "fullName") or "")
        if name.lower() in seen:
            yield _problem(c, f"Duplicate picklist value {name.lower()}", value.sourceline)
        seen.add(name.lower())


def business_process(c: Component, view: OrgView) -> Iterator[Problem]:
    statuses = view.lead_statuses
    defaults = 0
    for value in parse.children(c.element, "values"):
        name = unquote(parse.text(value, "fullName") or "")
        defaults += bool(parse.flag(value, "default", False))
        status = statuses.get(name)
        if status is None:
            yield _problem(c, f"Picklist value: {name} in picklist: Status not found", value.sourceline)
        elif not status.is_active:
            yield _problem(c, f"Picklist value: {name} in picklist: Status is inactive", value.sourceline)
    if defaults != 1:
        yield _problem(c, f"Business process {c.short_name} must have exactly one default value (found {defaults})")


def record_type(c: Component, view: OrgView) -> Iterator[Problem]:
    process = parse.text(c.element, "businessProcess")
    if process is None:
        yield _problem(c, "A Lead record type needs a business process (businessProcess)")
    elif process not in view.lead_business_processes:
        line = parse.child(c.element, "businessProcess").sourceline
        yield _problem(c, f"Cannot find business process: {process}", line)
    for picklist in parse.children(c.element, "picklistValues"):
        field_name = parse.text(picklist, "picklist") or ""
        if not field_name.lower().endswith("__c"):
            continue  # standard picklists (Industry, LeadSource...) keep Salesforce's own values
        offered = view.custom_picklist_values(field_name)
        if offered is None:
            yield _problem(c, f"Picklist: {field_name} not found", picklist.sourceline)
            continue
        for value in parse.children(picklist, "values"):
            name = unquote(parse.text(value, "fullName") or "")
            if name not in offered:
                yield _problem(c, f"Picklist value: {name} in picklist: {field_name} not found", value.sourceline)


def validation_rule(c: Component, view: OrgView) -> Iterator[Problem]:
    formula_el = parse.child(c.element, "errorConditionFormula")
    if formula_el is not None:
        yield from _formula_problems(c, view, formula_el, "validation")
    display = parse.child(c.element, "errorDisplayField")
    if display is not None and (display.text or "").strip().lower() not in view.lead_fields:
        yield _problem(c, f"Error display field {display.text} does not exist. Check spelling.", display.sourceline)


def flow(c: Component, view: OrgView) -> Iterator[Problem]:
    start = parse.child(c.element, "start")
    on_lead = start is not None and parse.text(start, "object") == m.OBJECT
    names = {parse.text(e, "name") for e in parse.elements(c.element) if parse.child(e, "name") is not None}
    every_name = {(e.text or "").strip().lower() for e in c.element.iter() if isinstance(e.tag, str) and parse.local_name(e) == "name"}
    formulas = _flow_formulas(c.element, start) if start is None or on_lead else {}
    resources = _flow_resources(c.element) if formulas else {}
    for el, (context, data_type) in formulas.items():
        yield from _formula_problems(c, view, el, context, resources, data_type)
    for el in c.element.iter():
        if not isinstance(el.tag, str):
            continue
        local = parse.local_name(el)
        if on_lead and el.text and "$Record" in el.text and el not in formulas:
            yield from _missing_fields(c, view, el, references.record_refs(el.text), flow_message=True)
        if local in _REFERENCES and el.text and not _resolves(el.text.strip(), every_name):
            owner = _flow_element_name(c.element, el)
            yield _problem(c, f'The "{owner}" element references "{el.text.strip()}", which does not exist in this flow',
                           el.sourceline)
        if local == "targetReference" and _is_connector(el.getparent()) and el.text not in names:
            owner = _flow_element_name(c.element, el)
            yield _problem(c, f'The "{owner}" element connects to "{el.text}", which does not exist in this flow',
                           el.sourceline)
        if local == "field" and _writes_lead(el, on_lead) and (el.text or "").lower() not in view.lead_fields:
            yield _problem(c, f'The field "{el.text}" for the object "{m.OBJECT}" doesn\'t exist.', el.sourceline)


def permission_set(c: Component, view: OrgView) -> Iterator[Problem]:
    for perm in parse.children(c.element, "fieldPermissions"):
        name = parse.text(perm, "field") or ""
        obj, _, fld = name.partition(".")
        if obj == m.OBJECT and fld.lower() not in view.lead_fields:
            yield _problem(c, f"In field: field - no CustomField named {name} found", perm.sourceline)
    record_types = view.names("RecordType")
    for visibility in parse.children(c.element, "recordTypeVisibilities"):
        name = parse.text(visibility, "recordType") or ""
        if name not in record_types:
            yield _problem(c, f"In field: recordType - no RecordType named {name} found", visibility.sourceline)
    custom_permissions = {n.lower() for n in view.names("CustomPermission")}
    for granted in parse.children(c.element, "customPermissions"):
        name = parse.text(granted, "name") or ""
        if name.lower() not in custom_permissions:
            yield _problem(c, f"In field: name - no CustomPermission named {name} found", granted.sourceline)


def layout(c: Component, view: OrgView) -> Iterator[Problem]:
    """A Lead page layout shows only fields Lead has (standard, or custom deployed before or with it)."""
    if not c.full_name.startswith(f"{m.OBJECT}-"):
        return
    for item in c.element.iter():
        if isinstance(item.tag, str) and parse.local_name(item) == "layoutItems":
            name = (parse.text(item, "field") or "").strip()
            if name and name.lower() not in view.lead_fields:
                yield _problem(c, f"In field: field - no CustomField named {m.OBJECT}.{name} found", item.sourceline)


RULES: dict[str, Callable[[Component, OrgView], Iterable[Problem]]] = {
    "Layout": layout,
    "StandardValueSet": lead_status,
    "CustomField": custom_field,
    "BusinessProcess": business_process,
    "RecordType": record_type,
    "ValidationRule": validation_rule,
    "Flow": flow,
    "PermissionSet": permission_set,
}


# --- helpers ----------------------------------------------------------------------------------


def _problem(c: Component, message: str, line: int | None = None, column: int = 0) -> Problem:
    return Problem(c.type, c.full_name, c.path, message, line or c.line, column)


def _formula_problems(c: Component, view: OrgView, el, context: str, flow_resources=frozenset(),
                      result_type: str | None = None) -> Iterator[Problem]:
    """What Salesforce says of a validation rule's or a flow's formula (leadsync.localorg.formula.check):
    syntax, unknown functions, fields and custom permissions, argument counts and types, picklists
    outside ISPICKVAL/TEXT/CASE."""
    from leadsync.localorg.formula import problems

    text = el.text or ""
    prefix = "" if context == "validation" else "The formula expression is invalid: "
    permissions = view.names("CustomPermission")  # Salesforce checks a validation rule's $Permission.X
    for err in problems(text, view.lead_field_types, context, flow_resources, result_type, permissions):
        line, column = references.line_and_column(text, err.position)
        yield _problem(c, prefix + err.message, (el.sourceline or c.line) + line, column)


def _flow_resources(flow_el) -> dict[str, str]:
    """What a flow formula may name with `{!name}`: every element and resource (variables, constants,
    formulas: with their dataType) and every decision outcome (true when it was taken)."""
    found: dict[str, str] = {}
    for e in parse.elements(flow_el):
        name = parse.text(e, "name")
        if name:
            found[name] = parse.text(e, "dataType") or ""
        for rule in parse.children(e, "rules"):
            if parse.text(rule, "name"):
                found[parse.text(rule, "name")] = "Boolean"
    return found


def _flow_formulas(flow_el, start) -> dict:
    """A flow's formula texts: each formula resource's expression (with its dataType) and the start
    element's entry condition formula."""
    found = {}
    for formula in parse.children(flow_el, "formulas"):
        expression = parse.child(formula, "expression")
        if expression is not None:
            found[expression] = ("flow", parse.text(formula, "dataType"))
    entry = parse.child(start, "filterFormula") if start is not None else None
    if entry is not None:
        found[entry] = ("flow_entry", "Boolean")
    return found


def _missing_fields(c: Component, view: OrgView, el, refs, flow_message: bool = False) -> Iterator[Problem]:
    text = el.text or ""
    for ref in refs:
        if ref.field.lower() in view.lead_fields:
            continue
        line, column = references.line_and_column(text, ref.offset)
        message = (f'The field "{ref.field}" for the object "{m.OBJECT}" doesn\'t exist.' if flow_message
                   else f"Field {ref.field} does not exist. Check spelling.")
        yield _problem(c, message, (el.sourceline or c.line) + line, column)


# Where a flow names one of its resources (variable, constant, formula, element, screen field...) or a global.
_REFERENCES = frozenset({"leftValueReference", "assignToReference", "elementReference"})


def _resolves(reference: str, every_name: set[str]) -> bool:
    """`{!X}`-free references: `$Global.Field`, `resource`, or `record_variable.Field`."""
    head = reference.split(".", 1)[0]
    return head.startswith("$") or head.lower() in every_name  # flow API names ignore letter case


def _is_connector(el) -> bool:
    local = parse.local_name(el) if el is not None else ""
    return local == "connector" or local.endswith("Connector")


def _flow_element_name(flow_el, el) -> str:
    while el.getparent() is not None and el.getparent() is not flow_el:
        el = el.getparent()
    return parse.text(el, "name") or parse.local_name(el)


def _writes_lead(field_el, on_lead: bool) -> bool:
    """A `<field>` of a record element (update, lookup, create) working on Lead records."""
    holder = field_el.getparent()
    element = holder.getparent() if holder is not None else None
    if element is None or parse.local_name(holder) not in ("inputAssignments", "filters", "outputAssignments"):
        return False
    if parse.text(element, "object") == m.OBJECT:
        return True
    return on_lead and parse.text(element, "inputReference") == "$Record"
