"""Spec -> Bundle: every decision about names, formulas and the flow's shape is made here.

The templates only print what this module decided, so a user's template override can change how
the XML looks but not what the lifecycle means. Naming rules (all derived names are API-safe:
ASCII letters, digits and single underscores, starting with a letter; unique case-insensitively):

| component | name |
| --- | --- |
| stage date field | `<Stage>_Date__c` (e.g. `MQL_Date__c`); at most 40 characters before `__c` |
| reason rule | `<reason field without __c>_Required` |
| forward-only rule | `<stage field without __c>_Forward_Only` |
| status-needs-stage rule | `Status_Requires_<stage field without __c>` |
| flow, permission set | `<spec name>_Lead_Lifecycle` |
| bypass custom permission and its permission set | `guards.bypass_permission` as written |
| scenarios' Apex test class | `<spec name>_Lifecycle_Test` (render/apex.py) |
| default lead process | `<spec name> Lead Process` (Spec.effective_lead_processes) |
| record type | `record_type` made API-safe; label with `_` shown as spaces |

The flow (one record-triggered before-save flow on Lead) is a chain, one link per transition in
spec order: a decision labelled with the transition's name whose single outcome leads to that
transition's assignment; both the assignment and the decision's default path continue to the next
transition, so a later transition sees what an earlier one set. A transition without conditions
(`on: any`, no `when`) is just its assignment: a decision needs at least one condition. Stages are
never set backward: the stage is assigned from a formula that keeps the current stage when it is
already at the target or later. A last assignment stamps the stage dates. A spec with no
transitions (or only transitions that set nothing) and no stamp dates compiles to no flow at all.

Guards (validation rules) check a lead on create and when the field they guard changes (`ISNEW()`,
`ISCHANGED`), so leads saved before them stay editable; with `guards.bypass_permission` each starts with
`NOT($Permission.X)`. A transition on `converted: true` renders Lead Settings with
`shouldLeadConvertRequireValidation` (the flow runs during conversion only then; docs/scenarios.md).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import replace as _with

from leadsync.metadata import formula as fx
from leadsync.metadata.ownership import mark_owned
from leadsync.metadata.model import (
    OBJECT,
    Bundle,
    BusinessProcess,
    CustomPermission,
    LeadConfigSettings,
    BusinessProcessValue,
    CustomField,
    DateTimeField,
    FieldPermission,
    Flow,
    FlowAssignment,
    FlowAssignmentItem,
    FlowCondition,
    FlowDecision,
    FlowFormula,
    FlowRule,
    FlowStart,
    FlowValue,
    LeadObject,
    PermissionSet,
    PicklistField,
    PicklistValue,
    RecordType,
    RecordTypePicklist,
    StandardValue,
    StandardValueSet,
    ValidationRule,
)
from leadsync.spec.model import (
    AnyOf,
    Changed,
    Converted,
    FieldCompare,
    Scalar,
    Spec,
    StageIs,
    StatusIs,
    Transition,
)

FIELD_NAME_MAX = 40  # characters of a custom field's API name before "__c"
FIELD_LABEL_MAX = 40
RULE_NAME_MAX = 40
FLOW_NAME_MAX = 80  # flow, flow element and permission set API names
MESSAGE_MAX = 255  # validation rule errorMessage
LABEL_MAX = 80  # permission set label

RECORD = "$Record"
STATUS = "Status"

_OPERATORS = {
    "eq": "EqualTo",
    "ne": "NotEqualTo",
    "gt": "GreaterThan",
    "gte": "GreaterThanOrEqualTo",
    "lt": "LessThan",
    "lte": "LessThanOrEqualTo",
    "contains": "Contains",
}

# Flow canvas: auto-layout recomputes positions, but the file still needs deterministic ones.
_X_MAIN, _X_BRANCH, _Y_STEP = 176, 44, 120


# --- names --------------------------------------------------------------------------------------


def api_name(text: str, fallback: str = "X") -> str:
    """`text` as an API name: ASCII letters, digits and single underscores, starting with a letter."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    name = re.sub(r"[^A-Za-z0-9]+", "_", ascii_text).strip("_")
    if not name:
        return fallback
    return name if name[0].isalpha() else f"{fallback}_{name}"


def strip_custom_suffix(name: str) -> str:
    return name[:-3] if name.endswith("__c") else name


class UniqueNames:
    """Hands out API names no longer than `limit`, unique case-insensitively (as Salesforce compares them)."""

    def __init__(self, limit: int, taken: Iterable[str] = ()):
        self.limit = limit
        self._used = {n.lower() for n in taken}

    def claim(self, base: str, suffix: str = "", prefix: str = "") -> str:
        for n in itertools.count(1):
            tail = suffix if n == 1 else f"_{n}{suffix}"
            room = self.limit - len(prefix) - len(tail)
            name = prefix + base[:room].rstrip("_") + tail
            if name.lower() not in self._used:
                self._used.add(name.lower())
                return name
        raise AssertionError("unreachable")


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- the bundle --------------------------------------------------------------------------------


def compile_spec(spec: Spec) -> Bundle:
    """The metadata a (lint-clean) spec compiles to."""
    stage_field = _stage_field(spec)
    reason_field = _reason_field(spec)
    stamps = _stamp_fields(spec, taken=[f.full_name for f in (stage_field, reason_field) if f])
    fields: list[CustomField] = [stage_field, *stamps.values()]
    if reason_field:
        fields.append(reason_field)
    processes, record_types = _processes(spec)
    lead = LeadObject(
        fields=tuple(fields),
        business_processes=processes,
        record_types=record_types,
        validation_rules=_validation_rules(spec),
        enable_history=True if any(f.track_history for f in fields) else None,
    )
    flow = _FlowBuilder(spec, stamps).build()
    bypass = _bypass(spec)
    bundle = mark_owned(Bundle(  # the marker by which plan recognises leadsync's components in an org
        api_version=spec.api_version,
        lead=lead,
        standard_value_sets=(_lead_status(spec),),
        flows=(flow,) if flow else (),
        permission_sets=_by_name(_permission_set(spec, fields, read_only={f.full_name for f in stamps.values()},
                                         record_types=record_types),
                         *([bypass[1]] if bypass else [])),
        custom_permissions=(bypass[0],) if bypass else (),
        lead_config=_lead_config(spec),
    ))
    if spec.scenarios:  # an Apex test class replaying them (render/apex.py)
        from leadsync.render.apex import scenario_test_class

        bundle = _with(bundle, apex_classes=(scenario_test_class(spec, bundle),))
    return bundle


def _lead_config(spec: Spec) -> LeadConfigSettings | None:
    """Lead Settings, only when the lifecycle needs them. By default Salesforce converts a lead without
    running the Lead's validation rules, triggers and record-triggered flows; a transition on
    `converted` only fires with "Require Validation for Converted Leads" on (docs/scenarios.md)."""
    from leadsync.spec.lint.lifecycle import converts_in_flow

    if converts_in_flow(spec):
        return LeadConfigSettings(should_lead_convert_require_validation=True)
    return None


def _by_name(*components):
    """Components in name order: the order their files (and a retrieve) give them back."""
    return tuple(sorted(components, key=lambda c: c.full_name))


def _bypass(spec: Spec) -> tuple[CustomPermission, PermissionSet] | None:
    """guards.bypass_permission: the custom permission every guard honours, and a permission set granting it."""
    name = spec.guards.bypass_permission
    if not name:
        return None
    label = _fit(f"{spec.name} lifecycle override", LABEL_MAX)
    permission = CustomPermission(
        full_name=name,
        label=label,
        description=_fit(f"Its holders pass every guard (validation rule) of the {spec.name} lead lifecycle: "
                         "for admins and integrations that must correct a stage or status.", MESSAGE_MAX),
    )
    permission_set = PermissionSet(
        full_name=name,
        label=label,
        description=_fit(f"Grants {name}: pass the {spec.name} lead lifecycle's guards. Assign it to admins "
                         "and integration users only.", MESSAGE_MAX),
        field_permissions=(),
        custom_permissions=(name,),
    )
    return permission, permission_set


def lifecycle_name(spec: Spec) -> str:
    """API name shared by the flow and the permission set."""
    return UniqueNames(FLOW_NAME_MAX).claim(api_name(spec.name), suffix="_Lead_Lifecycle")


def lifecycle_label(spec: Spec) -> str:
    return f"{spec.name} Lead Lifecycle"


# --- picklists and fields ------------------------------------------------------------------------


def _lead_status(spec: Spec) -> StandardValueSet:
    values = [
        StandardValue(
            full_name=s.value,
            label=s.display_label,
            default=s.default,
            converted=s.converted,
            description=s.description,
        )
        for s in spec.statuses
    ]
    # A renamed value stays in the org, inactive, so that records holding it remain valid.
    current = {s.value for s in spec.statuses}
    renamed = dict.fromkeys(s.renamed_from for s in spec.statuses if s.renamed_from and s.renamed_from not in current)
    values += [StandardValue(full_name=old, label=old, is_active=False) for old in renamed]
    return StandardValueSet(full_name="LeadStatus", values=tuple(values), sorted=False)


def _stage_field(spec: Spec) -> PicklistField:
    sf = spec.stage_field
    default = spec.default_stage.value
    return PicklistField(
        full_name=sf.name,
        label=sf.label,
        description=sf.description,
        values=tuple(
            PicklistValue(full_name=s.value, label=s.display_label, default=s.value == default, description=s.description)
            for s in spec.stages
        ),
        restricted=True,
        track_history=sf.track_history,
    )


def _reason_field(spec: Spec) -> PicklistField | None:
    ur = spec.unqualified_reasons
    if ur is None:
        return None
    return PicklistField(
        full_name=ur.field,
        label=ur.label,
        description=ur.description,
        values=tuple(PicklistValue(full_name=v, label=v) for v in ur.values),
        restricted=True,
    )


def _stamp_fields(spec: Spec, taken: list[str]) -> dict[str, DateTimeField]:
    """Stage value -> its DateTime field, when stage_field.stamp_dates is set."""
    if not spec.stage_field.stamp_dates:
        return {}
    names = UniqueNames(FIELD_NAME_MAX, taken=[strip_custom_suffix(t) for t in taken])
    out = {}
    for stage in spec.stages:
        name = names.claim(api_name(stage.value, fallback="Stage"), suffix="_Date") + "__c"
        out[stage.value] = DateTimeField(
            full_name=name,
            label=_fit(f"{stage.display_label} Date", FIELD_LABEL_MAX),
            description=f"When the lead first reached the stage {stage.value}; set by the "
            f"{lifecycle_label(spec)} flow.",
        )
    return out


# --- processes, record types -------------------------------------------------------------------


def _processes(spec: Spec) -> tuple[tuple[BusinessProcess, ...], tuple[RecordType, ...]]:
    processes, record_types = [], []
    rt_names = UniqueNames(FLOW_NAME_MAX)
    for proc in spec.effective_lead_processes:
        statuses = spec.process_statuses(proc)
        default = proc.default
        if default is None:
            default = spec.default_status.value if spec.default_status in statuses else statuses[0].value
        processes.append(
            BusinessProcess(
                full_name=proc.name,
                description=proc.description,
                values=tuple(BusinessProcessValue(full_name=s.value, default=s.value == default) for s in statuses),
            )
        )
        if proc.record_type:
            record_types.append(
                RecordType(
                    full_name=rt_names.claim(api_name(proc.record_type)),
                    label=proc.record_type.replace("_", " ").strip(),
                    business_process=proc.name,
                    description=f"Leads worked with the {proc.name} process.",
                    picklist_values=_record_type_picklists(spec),
                )
            )
    return tuple(processes), tuple(record_types)


def _record_type_picklists(spec: Spec) -> tuple[RecordTypePicklist, ...]:
    """Every value of the stage and reason picklists, offered on the record type: a record type
    lists the custom picklist values it offers (Salesforce writes them the same way)."""
    default = spec.default_stage.value
    picklists = [RecordTypePicklist(spec.stage_field.name, tuple(
        BusinessProcessValue(s.value, default=s.value == default) for s in spec.stages))]
    if spec.unqualified_reasons is not None:
        picklists.append(RecordTypePicklist(spec.unqualified_reasons.field, tuple(
            BusinessProcessValue(v) for v in spec.unqualified_reasons.values)))
    return tuple(sorted(picklists, key=lambda p: p.picklist))


# --- validation rules ------------------------------------------------------------------------


def _message(full: str, short: str) -> str:
    return full if len(full) <= MESSAGE_MAX else _fit(short, MESSAGE_MAX)


def _shortest(*candidates: str) -> str:
    """The first of equivalent formulas (the most readable first) that fits Salesforce's length limit,
    compacted if need be; when none fits, the shortest (render/limits.py then reports it)."""
    options = [f for c in candidates for f in (c, fx.compact(c))]
    return next((f for f in options if len(f) <= fx.FORMULA_MAX), min(options, key=len))


def _guarded(spec: Spec, *conditions: str) -> str:
    """AND of `conditions`, after NOT($Permission.X) when guards.bypass_permission names one."""
    bypass = spec.guards.bypass_permission
    parts = ([f"NOT($Permission.{bypass})"] if bypass else []) + list(conditions)
    return f"AND({', '.join(parts)})"


def _on_change(*fields: str) -> str:
    """True on create and when one of `fields` changes: a guard never blocks an edit of other fields
    (owner changes, mass updates, marketing sync) on a lead that broke it before the guard existed."""
    return "OR(ISNEW(), " + ", ".join(f"ISCHANGED({f})" for f in fields) + ")"


def _validation_rules(spec: Spec) -> tuple[ValidationRule, ...]:
    names = UniqueNames(RULE_NAME_MAX)
    stage = spec.stage_field
    stage_values = [s.value for s in spec.stages]
    rules = []

    needs_reason = [s.value for s in spec.statuses if s.requires_reason]
    if needs_reason and spec.unqualified_reasons:
        ur = spec.unqualified_reasons
        shown = ", ".join(needs_reason)
        rules.append(
            ValidationRule(
                full_name=names.claim(api_name(strip_custom_suffix(ur.field)), suffix="_Required"),
                formula=_shortest(*(_guarded(spec, _on_change(STATUS, ur.field), held, f"ISBLANK(TEXT({ur.field}))")
                                    for held in (fx.any_pickval(STATUS, needs_reason),
                                                 fx.case_in(f"TEXT({STATUS})", needs_reason)))),
                error_message=_message(
                    f"{ur.label} is required when Status is {shown}.", f"{ur.label} is required for this Status."
                ),
                error_display_field=ur.field,
                description=f"A lead whose Status is {shown} needs a value in {ur.label}.",
            )
        )

    if spec.guards.forward_only_stages:
        rank = fx.case_rank(f"TEXT({stage.name})", stage_values)
        prior = fx.case_rank(f"TEXT(PRIORVALUE({stage.name}))", stage_values)
        order = " → ".join(stage_values)
        rules.append(
            ValidationRule(
                full_name=names.claim(api_name(strip_custom_suffix(stage.name)), suffix="_Forward_Only"),
                formula=_shortest(_guarded(spec, "NOT(ISNEW())", f"ISCHANGED({stage.name})", f"{rank} < {prior}")),
                error_message=_message(
                    f"{stage.label} only moves forward ({order}); it cannot go back to an earlier stage.",
                    f"{stage.label} only moves forward; it cannot go back to an earlier stage.",
                ),
                error_display_field=stage.name,
                description=f"{stage.label} is ordered and never moves back to an earlier stage.",
            )
        )

    needed = spec.guards.status_requires_stage
    if needed:
        default = spec.default_status.value
        rank = fx.case_rank(f"TEXT({stage.name})", stage_values)
        rules.append(
            ValidationRule(
                full_name=names.claim(
                    api_name(strip_custom_suffix(stage.name)), prefix="Status_Requires_"
                ),
                # below `needed`: a rank under it, or (shorter with many stages) none of the stages from it on
                formula=_shortest(*(_guarded(spec, _on_change(STATUS),
                                             f"NOT(ISPICKVAL({STATUS}, {fx.string_literal(default)}))", below)
                                    for below in (f"{rank} < {spec.stage_rank(needed)}",
                                                  fx.case_in(f"TEXT({stage.name})", stage_values[
                                                      spec.stage_rank(needed) - 1:], inside=0)))),
                error_message=_message(
                    f"A lead whose Status is not {default} must be at {stage.label} {needed} or later.",
                    f"Move {stage.label} forward before changing Status.",
                ),
                error_display_field=stage.name,
                description=f"Sales works a lead (any Status but {default}) only from {stage.label} {needed} on.",
            )
        )
    return tuple(rules)


# --- permission set --------------------------------------------------------------------------


def _permission_set(spec: Spec, fields: list[CustomField], read_only: set[str],
                    record_types: tuple[RecordType, ...] = ()) -> PermissionSet:
    """Field access, and the record types leadsync creates: without a visibility grant nobody could
    choose them (a new record type is visible to no profile and no permission set)."""
    return PermissionSet(
        full_name=lifecycle_name(spec),
        label=_fit(lifecycle_label(spec), LABEL_MAX),
        description=_fit(
            f"Read and edit the Lead fields of the {spec.name} lead lifecycle (stage dates are read-only: "
            "the flow sets them).",
            MESSAGE_MAX,
        ),
        field_permissions=tuple(
            FieldPermission(field=f"{OBJECT}.{f.full_name}", readable=True, editable=f.full_name not in read_only)
            for f in sorted(fields, key=lambda f: f.full_name)
        ),
        record_type_visibilities=tuple(sorted(f"{OBJECT}.{rt.full_name}" for rt in record_types)),
    )


# --- flow --------------------------------------------------------------------------------------


def _typed(value: Scalar | None) -> FlowValue:
    if value is None:
        return FlowValue("elementReference", "$GlobalConstant.EmptyString")
    if isinstance(value, bool):
        return FlowValue("booleanValue", value)
    if isinstance(value, (int, float)):
        return FlowValue("numberValue", float(value))
    return FlowValue("stringValue", value)


def _shown(value: Scalar | None) -> str:
    """A literal as the spec's YAML would write it (for descriptions)."""
    if value is None:
        return "blank"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _sets_something(t: Transition) -> bool:
    return t.set.status is not None or t.set.stage is not None or bool(t.set.fields)


_TRUE = FlowValue("booleanValue", True)
_FALSE = FlowValue("booleanValue", False)


class _FlowBuilder:
    """Builds the one lifecycle flow. Element names share one namespace (decisions, outcomes, assignments, formulas)."""

    def __init__(self, spec: Spec, stamps: dict[str, DateTimeField]):
        self.spec = spec
        self.stamps = stamps
        self.stage_ref = f"{RECORD}.{spec.stage_field.name}"
        self.names = UniqueNames(FLOW_NAME_MAX)
        self.stage_formulas: dict[str, FlowFormula] = {}  # target stage -> its never-backward formula
        self.stamp_formulas: list[FlowFormula] = []
        self.stage_keys = {s.value: api_name(s.value, fallback="Stage") for s in spec.stages}

    def build(self) -> Flow | None:
        spec = self.spec
        # Each link: (entry element, assignment); connectors are filled in once every name is known.
        # A transition that sets nothing does nothing, so it has no link.
        links = [self._transition(t) for t in spec.transitions if _sets_something(t)]
        if self.stamps:
            links.append(self._stamp_link())
        if not links:
            return None
        decisions, assignments = self._connect(links)
        stage_formulas = [self.stage_formulas[s] for s in sorted(self.stage_formulas, key=spec.stage_rank)]
        label = lifecycle_label(spec)
        return Flow(
            full_name=lifecycle_name(spec),
            label=label,
            api_version=spec.api_version,
            description=_fit(
                spec.description
                or f"Lead lifecycle {spec.name}, compiled by leadsync: applies the transitions of the spec in order, "
                "never moves the stage backward, and stamps the date a lead first reaches each stage.",
                2000,
            ),
            interview_label=f"{label} {fx.merge_field('$Flow.CurrentDateTime')}",
            start=FlowStart(
                object=OBJECT,
                trigger_type="RecordBeforeSave",
                record_trigger_type="CreateAndUpdate",
                connector=links[0][0].name,
                location_x=_X_MAIN,
                location_y=0,
            ),
            decisions=tuple(decisions),
            assignments=tuple(assignments),
            formulas=(*stage_formulas, *self.stamp_formulas),
        )

    # -- links ----------------------------------------------------------------------------------

    def _transition(self, t: Transition) -> tuple[FlowDecision | FlowAssignment, FlowAssignment]:
        base = api_name(t.name, fallback="Transition")
        conditions, logic = self._rule_conditions(t)
        items = self._set_items(t)
        assignment = FlowAssignment(
            name=self.names.claim(base, prefix="Apply_"),
            label=_fit(f"Apply: {t.name}", 255),
            items=items,
            description=_fit(t.description or f"{t.name}: set {self._describe_set(t)}.", 255),
        )
        if not conditions:
            return assignment, assignment
        decision = FlowDecision(
            name=self.names.claim(base, prefix="Check_"),
            label=t.name,
            description=_fit(f"{t.name}: does the lead meet the conditions of this transition?", 255),
            default_connector_label="Otherwise",
            rules=(
                FlowRule(
                    name=self.names.claim(base, suffix="_Applies"),
                    label="Applies",
                    conditions=conditions,
                    condition_logic=logic,
                ),
            ),
        )
        return decision, assignment

    def _stamp_link(self) -> tuple[FlowAssignment, FlowAssignment]:
        items = []
        stage_text = f"TEXT({fx.merge_field(self.stage_ref)})"
        for stage in self.spec.stages:
            field = self.stamps[stage.value]
            ref = f"{RECORD}.{field.full_name}"
            current = fx.merge_field(ref)
            f = FlowFormula(
                name=self.names.claim(strip_custom_suffix(field.full_name), prefix="Stamp_"),
                data_type="DateTime",
                expression=f"IF(AND(ISBLANK({current}), {stage_text} = {fx.flow_string_literal(stage.value)}), "
                f"{fx.merge_field('$Flow.CurrentDateTime')}, {current})",
                description=_fit(f"{field.full_name}: now, the first time the lead is at stage {stage.value}.", 255),
            )
            self.stamp_formulas.append(f)
            items.append(FlowAssignmentItem(ref, "Assign", FlowValue("elementReference", f.name)))
        assignment = FlowAssignment(
            name=self.names.claim("Stamp_Stage_Dates"),
            label="Stamp stage dates",
            items=tuple(items),
            description="Record when the lead first reached each stage (set once, never overwritten).",
        )
        return assignment, assignment

    def _connect(self, links) -> tuple[list[FlowDecision], list[FlowAssignment]]:
        """Wire each link to the next, and place the elements top to bottom."""
        decisions, assignments = [], []
        row = 1
        for i, (entry, assignment) in enumerate(links):
            nxt = links[i + 1][0].name if i + 1 < len(links) else None
            if entry is assignment:
                assignments.append(_with(assignment, connector=nxt, location_x=_X_MAIN, location_y=row * _Y_STEP))
                row += 1
                continue
            rule = _with(entry.rules[0], connector=assignment.name)
            decisions.append(
                _with(entry, rules=(rule,), default_connector=nxt, location_x=_X_MAIN, location_y=row * _Y_STEP)
            )
            assignments.append(
                _with(assignment, connector=nxt, location_x=_X_BRANCH, location_y=(row + 1) * _Y_STEP)
            )
            row += 3
        return decisions, assignments

    # -- conditions -------------------------------------------------------------------------------

    def _field_ref(self, name: str) -> str:
        return {"status": f"{RECORD}.{STATUS}", "stage": self.stage_ref}.get(name, f"{RECORD}.{name}")

    def _atoms(self, cond) -> list[FlowCondition]:
        """One condition of `when` as flow conditions of which at least one must hold (OR)."""
        if isinstance(cond, StatusIs | StageIs):
            ref = f"{RECORD}.{STATUS}" if isinstance(cond, StatusIs) else self.stage_ref
            values = cond.status if isinstance(cond, StatusIs) else cond.stage
            values = [values] if isinstance(values, str) else values
            return [FlowCondition(ref, "EqualTo", FlowValue("stringValue", v)) for v in values]
        if isinstance(cond, Converted):
            return [FlowCondition(f"{RECORD}.IsConverted", "EqualTo", FlowValue("booleanValue", cond.converted))]
        if isinstance(cond, Changed):
            return [FlowCondition(self._field_ref(cond.changed), "IsChanged", _TRUE)]
        if isinstance(cond, FieldCompare):
            ref = f"{RECORD}.{cond.field}"
            if cond.op in ("is_null", "not_null"):
                return [FlowCondition(ref, "IsNull", _TRUE if cond.op == "is_null" else _FALSE)]
            value = FlowValue("stringValue", str(cond.value)) if cond.op == "contains" else _typed(cond.value)
            return [FlowCondition(ref, _OPERATORS[cond.op], value)]
        if isinstance(cond, AnyOf):
            return [atom for sub in cond.any for atom in self._atoms(sub)]
        raise TypeError(f"unknown condition {cond!r}")

    def _rule_conditions(self, t: Transition) -> tuple[tuple[FlowCondition, ...], str]:
        groups = []  # AND of groups, OR within a group
        if t.on != "any":
            groups.append([FlowCondition(f"{RECORD}.Id", "IsNull", _TRUE if t.on == "create" else _FALSE)])
        groups += [self._atoms(c) for c in t.when]
        return tuple(a for g in groups for a in g), condition_logic([len(g) for g in groups])

    # -- assignments ------------------------------------------------------------------------------

    def _set_items(self, t: Transition) -> tuple[FlowAssignmentItem, ...]:
        items = []
        if t.set.status is not None:
            items.append(FlowAssignmentItem(f"{RECORD}.{STATUS}", "Assign", FlowValue("stringValue", t.set.status)))
        if t.set.stage is not None:
            items.append(
                FlowAssignmentItem(self.stage_ref, "Assign", FlowValue("elementReference", self._stage_formula(t.set.stage)))
            )
        for name, value in t.set.fields.items():
            items.append(FlowAssignmentItem(f"{RECORD}.{name}", "Assign", _typed(value)))
        return tuple(items)

    def _stage_formula(self, stage: str) -> str:
        """Name of the formula giving `stage`, or the current stage when the lead is already there or later."""
        if stage not in self.stage_formulas:
            current = f"TEXT({fx.merge_field(self.stage_ref)})"
            rank = fx.case_rank(current, [s.value for s in self.spec.stages], literal=fx.flow_string_literal)
            formula = FlowFormula(
                name=self.names.claim(self.stage_keys.get(stage, api_name(stage)), prefix="Stage_At_Least_"),
                data_type="String",
                expression=_shortest(*(f"IF({below}, {fx.flow_string_literal(stage)}, {current})" for below in (
                    f"{rank} < {self.spec.stage_rank(stage)}",
                    fx.case_in(current, [s.value for s in self.spec.stages][self.spec.stage_rank(stage) - 1:],
                               inside=0, literal=fx.flow_string_literal)))),
                description=_fit(f"{stage}, unless the lead is already at {stage} or a later stage.", 255),
            )
            self.stage_formulas[stage] = formula
        return self.stage_formulas[stage].name

    def _describe_set(self, t: Transition) -> str:
        parts = []
        if t.set.status is not None:
            parts.append(f"Status = {t.set.status}")
        if t.set.stage is not None:
            parts.append(f"{self.spec.stage_field.label} at least {t.set.stage}")
        parts += [f"{k} = {_shown(v)}" for k, v in t.set.fields.items()]
        return ", ".join(parts)


def condition_logic(group_sizes: list[int]) -> str:
    """Flow conditionLogic for an AND of OR-groups, conditions numbered in order.

    >>> condition_logic([1, 1]), condition_logic([3]), condition_logic([1, 2])
    ('and', 'or', '1 AND (2 OR 3)')
    """
    if all(n == 1 for n in group_sizes):
        return "and"
    if len(group_sizes) == 1:
        return "or"
    numbers = itertools.count(1)
    parts = []
    for n in group_sizes:
        nums = [str(next(numbers)) for _ in range(n)]
        parts.append(nums[0] if n == 1 else "(" + " OR ".join(nums) + ")")
    return " AND ".join(parts)
