"""Before-save record-triggered flows on Lead, read from the deployed XML and run on a save.

`load(name, xml)` reads a flow with `leadsync.metadata.parse` (the model: start, decisions, rules,
conditions, assignments, formulas) plus what the model does not keep (start filters and their logic,
`doesRequireRecordChangedToMeetCriteria`, `triggerOrder`, variables and constants), and lists what the
local org does not interpret. It answers:
  None                 a flow that does not run on a Lead save (inactive, not record-triggered on Lead,
                       or a delete trigger)
  str                  a flow that would run and cannot be run here (an after-save flow; a before-save
                       flow with an element, operator or value kind the interpreter lacks): the reason
  RunnableFlow         a before-save flow the interpreter runs

`RunnableFlow.run(interview)` follows the start connector through decisions (rules in order, each
with its conditions joined by its condition logic; the default connector otherwise) and assignments
(Assign, Add, Subtract) until no connector is left, at most 2,000 elements (Salesforce's limit per
interview). Formula resources are evaluated when referenced, by the formula interpreter.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from leadsync.localorg.engine.errors import UnsupportedAutomation
from leadsync.localorg.engine.values import as_number, as_datetime, is_blank, same
from leadsync.metadata import model as m
from leadsync.metadata import parse

MAX_ELEMENTS = 2000
OPERATORS = frozenset({"EqualTo", "NotEqualTo", "GreaterThan", "GreaterThanOrEqualTo", "LessThan",
                       "LessThanOrEqualTo", "IsNull", "IsChanged", "IsBlank", "Contains", "StartsWith", "EndsWith"})
ASSIGN_OPERATORS = frozenset({"Assign", "Add", "Subtract"})
VALUE_KINDS = frozenset({"stringValue", "numberValue", "booleanValue", "elementReference", "dateTimeValue"})
# Flow elements that describe the flow rather than run: never a reason to refuse it.
_DESCRIPTIVE = frozenset({
    "apiVersion", "description", "label", "processType", "status", "start", "interviewLabel", "runInMode",
    "processMetadataValues", "environments", "areMetricsLoggedToDataCloud", "isTemplate", "fullName",
    "isAdditionalPermissionRequiredToRun", "triggerOrder", "sourceTemplate", "migratedFromWorkflowRuleName",
    "isOverridable", "overriddenFlow", "customProperties", "timeZoneSidKey", "startElementReference",
})
_RUNNABLE = frozenset({"decisions", "assignments", "formulas", "variables", "constants"})


@dataclass(frozen=True)
class StartFilter:
    field: str
    operator: str
    value: m.FlowValue | None


@dataclass
class RunnableFlow:
    name: str
    model: m.Flow
    record_trigger: str  # Create, Update, CreateAndUpdate
    filters: tuple[StartFilter, ...] = ()
    filter_logic: str = "and"
    filter_formula: str | None = None
    requires_change: bool = False
    trigger_order: int = 0
    variables: dict[str, Any] = field(default_factory=dict)
    constants: dict[str, Any] = field(default_factory=dict)

    def runs_on(self, creating: bool) -> bool:
        return self.record_trigger == "CreateAndUpdate" or self.record_trigger == ("Create" if creating else "Update")

    def run(self, interview: "Interview") -> None:
        interview.flow = self
        interview.variables = dict(self.variables)
        if not self._entry_met(interview):
            return
        target = self.model.start.connector
        steps = 0
        while target:
            steps += 1
            if steps > MAX_ELEMENTS:
                raise UnsupportedAutomation(f"Flow {self.name} executed more than {MAX_ELEMENTS} elements "
                                            "(Salesforce's limit per interview): a connector loop")
            element = self.model.element(target)
            if element is None:
                raise UnsupportedAutomation(f"Flow {self.name}: connector to '{target}', which the flow does not have")
            if isinstance(element, m.FlowDecision):
                target = self._decide(element, interview)
            else:
                for item in element.items:
                    interview.assign(item)
                target = element.connector

    def _entry_met(self, interview: "Interview") -> bool:
        if self.filter_formula is not None:
            met = bool(interview.formula(self.filter_formula, "Boolean"))
            prior_met = interview.prior is not None and bool(interview.formula(self.filter_formula, "Boolean", prior=True))
        elif self.filters:
            met = self._filters_hold(interview, prior=False)
            prior_met = interview.prior is not None and self._filters_hold(interview, prior=True)
        else:
            return True
        if self.requires_change and interview.prior is not None:
            return met and not prior_met  # "only when a record is updated to meet the condition requirements"
        return met

    def _filters_hold(self, interview: "Interview", prior: bool) -> bool:
        record = "$Record__Prior" if prior else "$Record"
        results = [interview.compare(m.FlowCondition(f"{record}.{f.field}", f.operator, f.value)) for f in self.filters]
        return logic(self.filter_logic, results, f"Flow {self.name} start")

    def _decide(self, decision: m.FlowDecision, interview: "Interview") -> str | None:
        for rule in decision.rules:
            results = [interview.compare(c) for c in rule.conditions]
            if logic(rule.condition_logic, results, f"Flow {self.name} outcome {rule.name}"):
                return rule.connector
        return decision.default_connector


class Interview:
    """One run of the flows of a save: $Record (changed in place), $Record__Prior, formulas, variables."""

    def __init__(self, record: dict, prior: dict | None, now: dt.datetime,
                 spelling: Callable[[str], str | None], formula: Callable[..., Any]):
        self.record, self.prior, self.now = record, prior, now
        self._spelling, self._formula = spelling, formula
        self.flow: RunnableFlow | None = None
        self.variables: dict[str, Any] = {}

    # --- references ---------------------------------------------------------------------------

    def resolve(self, name: str) -> Any:
        head, _, rest = name.partition(".")
        if head in ("$Record", "$Record__Prior"):
            source = self.record if head == "$Record" else self.prior
            return None if source is None else source.get(self._field(rest, name))
        if head == "$Flow" and rest == "CurrentDateTime":
            return self.now
        if head == "$Flow" and rest == "CurrentDate":
            return self.now.date()
        if head == "$GlobalConstant":
            constants = {"True": True, "False": False, "EmptyString": ""}
            if rest in constants:
                return constants[rest]
        flow = self.flow
        for formula in flow.model.formulas:
            if formula.name == name:
                return self.formula(formula.expression, formula.data_type)
        if name in self.variables:
            return self.variables[name]
        if name in flow.constants:
            return flow.constants[name]
        raise UnsupportedAutomation(f"Flow {flow.name}: reference '{name}' is not supported")

    def formula(self, expression: str, data_type: str, prior: bool = False) -> Any:
        return self._formula(self, expression, data_type, prior)

    def value(self, v: m.FlowValue | None) -> Any:
        if v is None:
            return None
        if v.kind == "elementReference":
            return self.resolve(str(v.value))
        if v.kind == "dateTimeValue":
            return as_datetime(v.value)
        return v.value

    def _field(self, rest: str, name: str) -> str:
        if "." in rest or not rest:
            raise UnsupportedAutomation(f"Flow {self.flow.name}: reference '{name}' (related records) is not supported")
        spelled = self._spelling(rest)
        if spelled is None:
            raise UnsupportedAutomation(f"Flow {self.flow.name}: '{name}' names no Lead field")
        return spelled

    # --- conditions and assignments -------------------------------------------------------------

    def compare(self, c: m.FlowCondition) -> bool:
        op = c.operator
        if op == "IsChanged":
            head, _, rest = c.left.partition(".")
            if head != "$Record":
                raise UnsupportedAutomation(f"Flow {self.flow.name}: IsChanged on '{c.left}' (only $Record fields)")
            changed = self.prior is not None and not same(self.resolve(c.left), self.prior.get(self._field(rest, c.left)))
            return changed == bool(self.value(c.right))
        left = self.resolve(c.left)
        right = self.value(c.right)
        if op == "IsNull":
            return is_blank(left) == bool(right)
        if op == "IsBlank":
            return is_blank(left) == bool(right)
        if op == "EqualTo":
            return same(left, right)
        if op == "NotEqualTo":
            return not same(left, right)
        if op in ("Contains", "StartsWith", "EndsWith"):
            if is_blank(left):
                return False
            text, part = str(left), "" if right is None else str(right)
            return {"Contains": part in text, "StartsWith": text.startswith(part), "EndsWith": text.endswith(part)}[op]
        if op in ("GreaterThan", "GreaterThanOrEqualTo", "LessThan", "LessThanOrEqualTo"):
            return _order(op, left, right, f"Flow {self.flow.name}: {op} on '{c.left}'")
        raise UnsupportedAutomation(f"Flow {self.flow.name}: operator {op} is not supported")

    def assign(self, item: m.FlowAssignmentItem) -> None:
        value = self.value(item.value)
        current = self._target_value(item.assign_to)
        if item.operator == "Add":
            value = _add(current, value, 1, f"Flow {self.flow.name}: Add to '{item.assign_to}'")
        elif item.operator == "Subtract":
            value = _add(current, value, -1, f"Flow {self.flow.name}: Subtract from '{item.assign_to}'")
        elif item.operator != "Assign":
            raise UnsupportedAutomation(f"Flow {self.flow.name}: assignment operator {item.operator} is not supported")
        head, _, rest = item.assign_to.partition(".")
        if head == "$Record":
            self.record[self._field(rest, item.assign_to)] = value
        elif item.assign_to in self.variables:
            self.variables[item.assign_to] = value
        else:
            raise UnsupportedAutomation(f"Flow {self.flow.name}: cannot assign to '{item.assign_to}'")

    def _target_value(self, name: str) -> Any:
        head, _, rest = name.partition(".")
        if head == "$Record":
            return self.record.get(self._field(rest, name))
        return self.variables.get(name)


def _order(op: str, left: Any, right: Any, what: str) -> bool:
    if left is None or right is None:
        return False
    a, b = as_number(left), as_number(right)
    if a is None or b is None:
        a, b = as_datetime(left), as_datetime(right)
    if a is None or b is None:
        raise UnsupportedAutomation(f"{what}: cannot order {left!r} and {right!r}")
    return {"GreaterThan": a > b, "GreaterThanOrEqualTo": a >= b, "LessThan": a < b, "LessThanOrEqualTo": a <= b}[op]


def _add(current: Any, value: Any, sign: int, what: str) -> Any:
    if sign == 1 and (isinstance(current, str) or isinstance(value, str)):
        return ("" if current is None else str(current)) + ("" if value is None else str(value))
    a, b = as_number(current if current is not None else 0), as_number(value if value is not None else 0)
    if a is None or b is None:
        raise UnsupportedAutomation(f"{what}: {current!r} and {value!r} are not numbers")
    return a + sign * b


_LOGIC_TOKEN = re.compile(r"\s*(\d+|AND|OR|NOT|\(|\))", re.I)


def logic(text: str, results: list[bool], where: str) -> bool:
    """A condition logic: "and", "or", or a custom one such as "1 AND (2 OR NOT 3)"."""
    low = (text or "and").strip().lower()
    if low == "and":
        return all(results)
    if low == "or":
        return any(results)
    tokens, pos = [], 0
    while pos < len(text):
        mt = _LOGIC_TOKEN.match(text, pos)
        if not mt:
            raise UnsupportedAutomation(f"{where}: condition logic '{text}' cannot be read")
        tokens.append(mt.group(1).upper())
        pos = mt.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1

    def expr(i: int) -> tuple[bool, int]:
        value, i = term(i)
        while i < len(tokens) and tokens[i] == "OR":
            right, i = term(i + 1)
            value = value or right
        return value, i

    def term(i: int) -> tuple[bool, int]:
        value, i = factor(i)
        while i < len(tokens) and tokens[i] == "AND":
            right, i = factor(i + 1)
            value = value and right
        return value, i

    def factor(i: int) -> tuple[bool, int]:
        if i >= len(tokens):
            raise UnsupportedAutomation(f"{where}: condition logic '{text}' ends early")
        tok = tokens[i]
        if tok == "NOT":
            value, i = factor(i + 1)
            return not value, i
        if tok == "(":
            value, i = expr(i + 1)
            if i >= len(tokens) or tokens[i] != ")":
                raise UnsupportedAutomation(f"{where}: condition logic '{text}' has an unclosed parenthesis")
            return value, i + 1
        if tok.isdigit() and 1 <= int(tok) <= len(results):
            return results[int(tok) - 1], i + 1
        raise UnsupportedAutomation(f"{where}: condition logic '{text}' names condition {tok}, which it does not have")

    value, end = expr(0)
    if end != len(tokens):
        raise UnsupportedAutomation(f"{where}: condition logic '{text}' cannot be read")
    return value


# --- loading ----------------------------------------------------------------------------------


def load(name: str, xml: bytes) -> RunnableFlow | str | None:
    root = parse.parse_xml(f"{name}.flow", xml)
    flow = parse.parse_flow(root, name)
    start = parse.child(root, "start")
    if flow.status != "Active" or start is None or flow.start.object != "Lead":
        return None
    trigger, record_trigger = flow.start.trigger_type, flow.start.record_trigger_type
    if trigger == "RecordBeforeDelete" or record_trigger == "Delete":
        return None
    if trigger == "RecordAfterSave":
        return f"Flow {name} (an after-save record-triggered flow on Lead; the local org runs before-save flows only)"
    if trigger != "RecordBeforeSave":
        return None if not trigger else f"Flow {name} (trigger type {trigger} on Lead is not supported)"
    if record_trigger not in ("Create", "Update", "CreateAndUpdate"):
        return f"Flow {name} (record trigger type {record_trigger!r} is not supported)"
    problems = _unsupported(root, start)
    if problems:
        return f"Flow {name}: {problems[0]} is not supported"
    filters = tuple(
        StartFilter(parse.text(f, "field") or "", parse.text(f, "operator") or "", _value(parse.child(f, "value")))
        for f in parse.children(start, "filters")
    )
    order = parse.text(root, "triggerOrder")
    return RunnableFlow(
        name=name, model=flow, record_trigger=record_trigger, filters=filters,
        filter_logic=parse.text(start, "filterLogic") or "and",
        filter_formula=parse.text(start, "filterFormula"),
        requires_change=bool(parse.flag(start, "doesRequireRecordChangedToMeetCriteria", False)),
        trigger_order=int(order) if order and order.isdigit() else 0,
        variables={parse.text(v, "name") or "": _value(parse.child(v, "value"), raw=True) for v in parse.children(root, "variables")},
        constants={parse.text(c, "name") or "": _value(parse.child(c, "value"), raw=True) for c in parse.children(root, "constants")},
    )


def _unsupported(root, start) -> list[str]:
    problems = []
    for el in parse.elements(root):
        kind = parse.local_name(el)
        if kind in _DESCRIPTIVE or kind in _RUNNABLE:
            continue
        problems.append(f"element {kind} {parse.text(el, 'name') or ''}".rstrip())
    for kind in ("scheduledPaths",):
        if parse.child(start, kind) is not None:
            problems.append(f"start {kind}")
    for el in root.iter():
        local = parse.local_name(el)
        if local == "operator":
            parent = parse.local_name(el.getparent())
            allowed = ASSIGN_OPERATORS if parent == "assignmentItems" else OPERATORS
            if (el.text or "").strip() not in allowed:
                problems.append(f"operator {(el.text or '').strip()} (in {parent})")
        elif local in ("rightValue", "value") and parse.local_name(el.getparent()) != "processMetadataValues":
            kinds = [parse.local_name(c) for c in parse.elements(el)]
            if any(k not in VALUE_KINDS for k in kinds):
                problems.append(f"value kind {', '.join(k for k in kinds if k not in VALUE_KINDS)}")
    for v in parse.children(root, "variables"):
        if parse.flag(v, "isCollection", False) or (parse.text(v, "dataType") or "") in ("SObject", "Apex"):
            problems.append(f"variable {parse.text(v, 'name')} (collections and records)")
    return problems


def _value(el, raw: bool = False):
    value = parse._flow_value(el)  # noqa: SLF001 - the one reader of FlowElementReferenceOrValue
    if not raw:
        return value
    if value is None or value.kind == "elementReference":
        return None
    return as_datetime(value.value) if value.kind == "dateTimeValue" else value.value
