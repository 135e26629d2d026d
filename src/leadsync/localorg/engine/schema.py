"""What a Lead save needs from the deployed metadata, read once per metadata generation.

Fields (the standard Lead fields of `catalog.py` with their types, and every custom Lead field with the
type its XML declares), picklists (Status from the LeadStatus value set, custom picklists from their
value sets: all values, active values, restricted or not, default), converted statuses, active
validation rules, active before-save flows on Lead (`flowrun.load`), the Lead settings
(`settings/LeadConfig.settings`), and the automation a save would have to run that the local org
does not interpret (after-save flows on Lead, Apex triggers on Lead): those refuse every save that
would run them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from leadsync.localorg.catalog import STANDARD_LEAD_FIELDS
from leadsync.metadata.lead_fields import LEAD_FIELDS
from leadsync.localorg.engine import flowrun
from leadsync.localorg.store import MetadataStore
from leadsync.metadata import model as m
from leadsync.metadata import parse

SOBJECT = "Lead"

# Metadata API field types of the standard Lead fields, from the one table of them (metadata/lead_fields.py,
# which speaks the SOAP describe's type names).
_METADATA_TYPE = {
    "id": "Id", "boolean": "Checkbox", "string": "Text", "textarea": "TextArea", "email": "Email", "phone": "Phone",
    "url": "Url", "picklist": "Picklist", "currency": "Currency", "double": "Number", "int": "Number", "date": "Date",
    "datetime": "DateTime", "reference": "Lookup", "address": "Address",
}
STANDARD_TYPES = {
    f.name: "LongTextArea" if f.name == "Description" else _METADATA_TYPE[f.type] for f in LEAD_FIELDS.values()
}


def standard_lead_types() -> dict[str, str]:
    """Every standard Lead field -> its Metadata API type."""
    return {f: STANDARD_TYPES[f] for f in STANDARD_LEAD_FIELDS}


@dataclass(frozen=True)
class Picklist:
    field: str
    label: str
    values: frozenset[str]  # every value the field has, active or not
    active: frozenset[str]
    restricted: bool
    default: str | None


@dataclass
class OrgRules:
    generation: int
    fields: dict[str, str]  # lower-cased name -> its own spelling
    types: dict[str, str]  # spelling -> Metadata API type (Text, Picklist, Checkbox, DateTime, ...)
    picklists: dict[str, Picklist]
    converted_statuses: frozenset[str]
    validation_rules: tuple[m.ValidationRule, ...]
    flows: tuple[flowrun.RunnableFlow, ...]
    not_runnable: tuple[str, ...]  # automation a save would run and the local org cannot
    settings: dict[str, bool] = field(default_factory=dict)  # LeadConfigSettings booleans

    @property
    def convert_requires_validation(self) -> bool:
        return bool(self.settings.get("shouldLeadConvertRequireValidation", False))

    def spelling(self, name: str) -> str | None:
        return self.fields.get(name.lower())


class Schema:
    """`rules()` -> the OrgRules of the org as it is now (rebuilt only after a deploy)."""

    def __init__(self, metadata: MetadataStore):
        self._metadata = metadata
        self._lock = threading.Lock()
        self._rules: OrgRules | None = None

    def rules(self) -> OrgRules:
        keys = self._metadata.keys()  # refreshes the index: generation is current after this
        with self._lock:
            if self._rules is None or self._rules.generation != self._metadata.generation:
                self._rules = _build(self._metadata, keys)
            return self._rules


def _build(store: MetadataStore, keys) -> OrgRules:
    generation = store.generation
    types = standard_lead_types()
    picklists: dict[str, Picklist] = {}
    converted: frozenset[str] = frozenset()
    svs_stored = store.get("StandardValueSet", "LeadStatus")
    if svs_stored is not None:
        svs = parse.parse_standard_value_set(parse.parse_xml("LeadStatus", svs_stored.content), "LeadStatus")
        picklists["Status"] = Picklist("Status", "Status", frozenset(v.full_name for v in svs.values),
                                       frozenset(v.full_name for v in svs.active_values), True,
                                       next((v.full_name for v in svs.active_values if v.default), None))
        converted = frozenset(v.full_name for v in svs.active_values if v.converted)
    rules: list[m.ValidationRule] = []
    flows: list[flowrun.RunnableFlow] = []
    not_runnable: list[str] = []
    settings: dict[str, bool] = {}
    for type_, full_name in keys:
        if type_ == "CustomField" and full_name.startswith(f"{SOBJECT}."):
            name = full_name.split(".", 1)[1]
            stored = store.get(type_, full_name)
            if stored is None:
                continue
            root = parse.parse_xml(full_name, stored.content)
            types[name] = parse.text(root, "type") or "Text"
            model = parse.parse_custom_field(root, name)
            if isinstance(model, m.PicklistField):
                picklists[name] = Picklist(name, model.label, frozenset(v.full_name for v in model.values),
                                           frozenset(v.full_name for v in model.active_values), model.restricted,
                                           next((v.full_name for v in model.active_values if v.default), None))
        elif type_ == "ValidationRule" and full_name.startswith(f"{SOBJECT}."):
            stored = store.get(type_, full_name)
            if stored is not None:
                rule = parse.parse_validation_rule(parse.parse_xml(full_name, stored.content), full_name.split(".", 1)[1])
                if rule.active:
                    rules.append(rule)
        elif type_ == "Flow":
            stored = store.get(type_, full_name)
            if stored is None:
                continue
            flow = flowrun.load(full_name, stored.content)
            if flow is None:
                continue
            if isinstance(flow, str):
                not_runnable.append(flow)
            else:
                flows.append(flow)
        elif type_ == "ApexTrigger":
            stored = store.get(type_, full_name)
            if stored is not None and _triggers_on_lead(stored.content):
                not_runnable.append(f"Apex trigger {full_name} on Lead (the local org runs no Apex)")
        elif type_ == "Settings" and full_name == "LeadConfig":
            stored = store.get(type_, full_name)
            if stored is not None:
                root = parse.parse_xml("LeadConfig.settings", stored.content)
                settings = {parse.local_name(e): (e.text or "").strip() == "true" for e in parse.elements(root)}
    flows.sort(key=_run_order)
    fields = {f.lower(): f for f in types}
    return OrgRules(generation, fields, types, picklists, converted, tuple(rules), tuple(flows),
                    tuple(not_runnable), settings)


def _run_order(flow) -> tuple[int, int, str]:
    """Salesforce Help, "Define the Run Order of Record-Triggered Flows for an Object": trigger orders 1 to
    1,000 ascending, then flows without one (by activation date; here by API name), then 1,001 to 2,000;
    equal orders by API name."""
    order = flow.trigger_order
    band = 1 if not order else (0 if order <= 1000 else 2)
    return band, order, flow.name


def _triggers_on_lead(source: bytes) -> bool:
    import re

    return re.search(rb"\btrigger\s+\w+\s+on\s+Lead\s*\(", source, re.I) is not None
