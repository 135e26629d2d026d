"""Where in the spec a rendered component (and a problem an org reports about it) comes from.

An org judges the package leadsync sent and names its files (`flows/acme_Lead_Lifecycle.flow:76`);
an admin edits the spec. `spec_path` turns an org's component failure back into the path of the
spec node to change (`("transitions", 3, "set", "fields", "Became_Customer__c")`), which the spec's
`Locator` turns into `leadsync.yaml:78:38`. It starts from the component the failure names and
narrows down with the field or value the problem quotes; when nothing narrower is found, the
component's own node is the answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from leadsync.metadata.model import Bundle
from leadsync.render.compile import compile_spec
from leadsync.spec.model import AnyOf, Changed, FieldCompare, Spec

Path = tuple[str | int, ...]

_QUOTED = re.compile(r"""["'“]([^"'”]+)["'”]""")
_PICKLIST_VALUE = re.compile(r"Picklist value: (.+?) in picklist")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def spec_path(spec: Spec, component_type: str, full_name: str, problem: str | None,
              origins: dict[tuple[str, str], Path] | None = None) -> Path | None:
    """The spec node a failure of component (type, fullName as in package.xml) points back to.
    Pass `origins` (component_origins(spec)) when asking about many failures of one spec."""
    owner = (origins if origins is not None else component_origins(spec)).get((component_type, full_name))
    if owner is None:
        return None
    words = _mentioned(problem or "")
    if component_type == "Flow":
        return _field_in_transitions(spec, words) or owner
    if component_type in ("StandardValueSet", "BusinessProcess"):
        return _status_value(spec, owner, words) or owner
    if component_type == "ValidationRule":
        return _declared_field(spec, words) or owner
    return owner


def component_origins(spec: Spec, bundle: Bundle | None = None) -> dict[tuple[str, str], Path]:
    """(type, package.xml member) of every component the spec renders -> the node it comes from.
    Pass `bundle` when the spec was compiled already (one build per command)."""
    bundle = bundle if bundle is not None else compile_spec(spec)
    origins: dict[tuple[str, str], Path] = {("StandardValueSet", "LeadStatus"): ("statuses",)}
    reasons = spec.unqualified_reasons
    for f in bundle.lead.fields:
        if f.full_name == spec.stage_field.name:
            where: Path = ("stage_field", "name")
        elif reasons is not None and f.full_name == reasons.field:
            where = ("unqualified_reasons", "field")
        else:
            where = ("stage_field", "stamp_dates")
        origins[("CustomField", f"Lead.{f.full_name}")] = where
    for i, bp in enumerate(bundle.lead.business_processes):
        origins[("BusinessProcess", f"Lead.{bp.full_name}")] = ("lead_processes", i, "name") \
            if spec.lead_processes else ("name",)
    declared = [i for i, p in enumerate(spec.lead_processes) if p.record_type]
    for i, rt in zip(declared, bundle.lead.record_types):
        origins[("RecordType", f"Lead.{rt.full_name}")] = ("lead_processes", i, "record_type")
    for rule in bundle.lead.validation_rules:
        origins[("ValidationRule", f"Lead.{rule.full_name}")] = _rule_origin(spec, rule.full_name)
    for flow in bundle.flows:
        origins[("Flow", flow.full_name)] = ("transitions",)
    for ps in bundle.permission_sets:
        origins[("PermissionSet", ps.full_name)] = ("guards", "bypass_permission") if ps.custom_permissions \
            else ("name",)
    for cp in bundle.custom_permissions:
        origins[("CustomPermission", cp.full_name)] = ("guards", "bypass_permission")
    for cls in bundle.apex_classes:
        origins[("ApexClass", cls.full_name)] = ("scenarios",)
    if bundle.lead_config is not None:
        converting = next((i for i, t in enumerate(spec.transitions)
                           if any("converted" in c.model_dump(exclude_none=True) for c in t.when)), None)
        origins[("Settings", "LeadConfig")] = ("transitions", converting, "when") if converting is not None \
            else ("transitions",)
    if bundle.lead.enable_history is not None:
        origins[("CustomObject", "Lead")] = ("stage_field", "track_history")
    return origins


def _rule_origin(spec: Spec, rule_name: str) -> Path:
    if rule_name.startswith("Status_Requires_"):
        return ("guards", "status_requires_stage")
    if rule_name.endswith("_Forward_Only"):
        return ("guards", "forward_only_stages")
    first = next((i for i, s in enumerate(spec.statuses) if s.requires_reason), None)
    return ("statuses", first, "requires_reason") if first is not None else ("unqualified_reasons",)


def _mentioned(problem: str) -> list[str]:
    """Quoted names first, then a picklist value, then every word: the most specific candidates first."""
    found = [*_QUOTED.findall(problem), *_PICKLIST_VALUE.findall(problem), *_WORD.findall(problem)]
    return list(dict.fromkeys(found))


def _field_in_transitions(spec: Spec, words: list[str]) -> Path | None:
    for word in words:
        for i, t in enumerate(spec.transitions):
            if word in t.set.fields:
                return ("transitions", i, "set", "fields", word)
            for path in _condition_paths(t.when, ("transitions", i, "when"), word):
                return path
    return None


def _condition_paths(conditions, prefix: Path, field: str) -> Iterator[Path]:
    for j, c in enumerate(conditions):
        if isinstance(c, FieldCompare) and c.field == field:
            yield (*prefix, j, "field")
        elif isinstance(c, Changed) and c.changed == field:
            yield (*prefix, j, "changed")
        elif isinstance(c, AnyOf):
            yield from _condition_paths(c.any, (*prefix, j, "any"), field)


def _status_value(spec: Spec, owner: Path, words: list[str]) -> Path | None:
    for word in words:
        if owner[0] == "lead_processes" and isinstance(spec.lead_processes[owner[1]].statuses, list):
            listed = spec.lead_processes[owner[1]].statuses
            if word in listed:
                return ("lead_processes", owner[1], "statuses", listed.index(word))
        for i, s in enumerate(spec.statuses):
            if s.value == word:
                return ("statuses", i, "value")
    return None


def _declared_field(spec: Spec, words: list[str]) -> Path | None:
    for word in words:
        if word == spec.stage_field.name:
            return ("stage_field", "name")
        if spec.unqualified_reasons is not None and word == spec.unqualified_reasons.field:
            return ("unqualified_reasons", "field")
    return None
