"""`leadsync test`: the spec's scenarios, run against an org through its APIs. Data out, nothing printed.

Each scenario works on a lead of its own, step by step, in the spec's order:

| step | call |
| --- | --- |
| `create: {F: V}` | REST `POST sobjects/Lead` (simple-salesforce `sf.Lead.create`) |
| `update: {F: V}` | REST `PATCH sobjects/Lead/ID` (`sf.Lead.update`) |
| `convert: {}` | SOAP partner `convertLead` (org/convert.py) with the spec's first converted status |

After each step the lead is read back (`GET sobjects/Lead/ID`) and `expect` is checked: `stage`,
`status`, `fields` (numbers compare as numbers), `error` (the save must fail with a validation
error, FIELD_CUSTOM_VALIDATION_EXCEPTION, whose message contains the text, or the message of the spec's
rule whose name contains it: an org's error names no rule). After a failed save the lead must keep its
earlier values (Status, the stage, and the fields the step tried to set). A step without `error` must
succeed. Afterwards the lead is deleted, and after a conversion the opportunity, contact and account
it created; what cannot be deleted is reported (`ScenarioResult.cleanup`), never a failure.

Failures of the org itself (unreachable, expired session) raise leadsync's errors, exit 3 in the CLI.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from leadsync.spec.model import Scalar, Scenario, Spec, Step

if TYPE_CHECKING:
    from leadsync.metadata.model import ValidationRule
    from leadsync.org.client import OrgClient

VALIDATION_CODE = "FIELD_CUSTOM_VALIDATION_EXCEPTION"


# --- results -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepResult:
    scenario: str
    index: int  # 1-based
    action: str  # create | update | convert
    values: dict[str, Any]  # what the step sent
    expected: dict[str, Any]  # the step's `expect`, as written
    actual: dict[str, Any]  # what the org did: stage, status, the expected fields, error
    problems: tuple[str, ...] = ()  # one line per expectation that did not hold
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class ScenarioResult:
    name: str
    steps: tuple[StepResult, ...]
    lead_id: str | None = None
    cleanup: tuple[str, ...] = ()  # what could not be deleted afterwards

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.steps)

    @property
    def seconds(self) -> float:
        return sum(s.seconds for s in self.steps)


@dataclass(frozen=True)
class ScenarioRun:
    spec_name: str
    scenarios: tuple[ScenarioResult, ...]
    seconds: float = 0.0
    org_name: str | None = None
    instance_url: str | None = None

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.scenarios)

    @property
    def failed_steps(self) -> list[StepResult]:
        return [st for s in self.scenarios for st in s.steps if not st.ok]


OnStep = Callable[[StepResult], None]


# --- the org's leads -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SaveError:
    code: str
    message: str
    fields: tuple[str, ...] = ()


@dataclass
class Save:
    id: str | None = None
    errors: list[SaveError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class Records:
    """Lead (and converted records') REST calls through the OrgClient's simple-salesforce."""

    def __init__(self, org: OrgClient):
        self.org = org

    def _sobject(self, name: str):
        return getattr(self.org._sf, name)

    def create(self, values: dict) -> Save:
        def call() -> Save:
            from simple_salesforce.exceptions import SalesforceMalformedRequest

            try:
                return Save(id=self._sobject("Lead").create(values).get("id"))
            except SalesforceMalformedRequest as err:
                return Save(errors=_errors(err.content))

        return self.org._call("create a lead", call)

    def update(self, lead_id: str, values: dict) -> Save:
        def call() -> Save:
            from simple_salesforce.exceptions import SalesforceMalformedRequest

            try:
                self._sobject("Lead").update(lead_id, values)
                return Save(id=lead_id)
            except SalesforceMalformedRequest as err:
                return Save(id=lead_id, errors=_errors(err.content))

        return self.org._call("update a lead", call)

    def read(self, lead_id: str) -> dict[str, Any]:
        """The lead's fields, keyed by lower-cased API name."""
        record = self.org._call("read a lead", lambda: self._sobject("Lead").get(lead_id))
        return {k.lower(): v for k, v in record.items() if k != "attributes"}

    def delete(self, sobject: str, record_id: str) -> str | None:
        """Delete a record; None when done, else why not (never raises for a refusal)."""
        from leadsync.errors import LeadsyncError
        from leadsync.org.session import OrgUnreachable

        try:
            self.org._call(f"delete {sobject} {record_id}", lambda: self._sobject(sobject).delete(record_id))
            return None
        except OrgUnreachable:
            raise
        except LeadsyncError as err:
            return str(err)
        except Exception as err:  # noqa: BLE001 — simple-salesforce's refusals (404, 400) are reported
            return f"{sobject} {record_id}: {type(err).__name__}: {getattr(err, 'content', err)}"

    def convert(self, lead_id: str, status: str):
        from leadsync.org.convert import convert_lead

        return convert_lead(self.org, lead_id, status)


def _errors(content: Any) -> list[SaveError]:
    items = content if isinstance(content, list) else [content]
    out = []
    for item in items:
        if isinstance(item, dict):
            out.append(SaveError(str(item.get("errorCode") or item.get("statusCode") or ""),
                                 str(item.get("message") or ""), tuple(item.get("fields") or ())))
        else:
            out.append(SaveError("", str(item)))
    return out or [SaveError("", "the save failed")]


# --- running -------------------------------------------------------------------------------------


def run_scenarios(spec: Spec, org: OrgClient, *, on_step: OnStep | None = None,
                  clock: Callable[[], float] = time.perf_counter) -> ScenarioRun:
    from leadsync.render.compile import compile_spec

    rules = compile_spec(spec).lead.validation_rules
    records = Records(org)
    started = clock()
    results = tuple(_Scenario(spec, scenario, records, rules, on_step, clock).run() for scenario in spec.scenarios)
    info = org._org_info
    return ScenarioRun(spec_name=spec.name, scenarios=results, seconds=clock() - started,
                   org_name=info.name if info else None, instance_url=org.instance_url)


class _Scenario:
    def __init__(self, spec: Spec, scenario: Scenario, records: Records, rules: tuple[ValidationRule, ...],
                 on_step: OnStep | None, clock: Callable[[], float]):
        self.spec, self.scenario, self.records, self.rules = spec, scenario, records, rules
        self.on_step, self.clock = on_step, clock
        self.stage = spec.stage_field.name
        self.lead_id: str | None = None
        self.converted: dict[str, str] = {}  # sobject -> id of what a conversion created
        self.last_read: dict[str, Any] | None = None  # the lead as the previous step left it

    def run(self) -> ScenarioResult:
        steps: list[StepResult] = []
        try:
            for i, step in enumerate(self.scenario.steps, start=1):
                result = self._step(i, step)
                steps.append(result)
                if self.on_step is not None:
                    self.on_step(result)
        finally:
            cleanup = self._clean_up()
        return ScenarioResult(self.scenario.name, tuple(steps), self.lead_id, tuple(cleanup))

    # -- one step

    def _step(self, i: int, step: Step) -> StepResult:
        started = self.clock()
        values = dict(step.create or {}) if step.action == "create" else dict(step.update or {}) \
            if step.action == "update" else {}
        expect = step.expect
        expected = expect.model_dump(exclude_none=True, exclude_defaults=True)
        wants_error = expect.error is not None and expect.error is not False
        if step.action != "create" and self.lead_id is None:
            return self._result(i, step, values, expected, {}, ["no lead to work on: the create step failed"], started)

        before = None
        if self.lead_id and wants_error:  # the previous step's read-back, or a fresh one
            before = self.last_read if self.last_read is not None else self.records.read(self.lead_id)
        save = self._save(step, values)
        after = self.records.read(self.lead_id) if self.lead_id else None
        self.last_read = after
        actual = self._observed(expect, after, save)
        problems: list[str] = []
        if save.ok:
            if wants_error:
                bypass = self.spec.guards.bypass_permission
                hint = (f" (a user holding the bypass permission {bypass} passes every guard: run leadsync test as "
                        "a user without it)") if bypass else ""
                problems.append(f"expected a validation error{_containing(expect.error)}; the save succeeded{hint}")
        else:
            message = "; ".join(f"{e.code}: {e.message}" if e.code else e.message for e in save.errors)
            if not wants_error:
                problems.append(f"the save failed: {message}")
            else:
                problems += self._error_problems(expect.error, save.errors)
                if before is not None and after is not None:
                    problems += self._kept(before, after, values)
        if after is not None:
            problems += self._value_problems(expect, after)
        if step.action == "convert" and save.ok and after is not None and after.get("isconverted") is not True:
            problems.append("the conversion succeeded but the lead is not converted (IsConverted false)")
        return self._result(i, step, values, expected, actual, problems, started)

    def _save(self, step: Step, values: dict) -> Save:
        if step.action == "create":
            save = self.records.create(values)
            if save.ok:
                self.lead_id = save.id
            return save
        if step.action == "update":
            return self.records.update(self.lead_id, values)
        status = self.spec.converted_statuses[0].value
        result = self.records.convert(self.lead_id, status)
        if result.success:
            for sobject, record_id in (("Opportunity", result.opportunity_id), ("Contact", result.contact_id),
                                       ("Account", result.account_id)):
                if record_id:
                    self.converted[sobject] = record_id
            return Save(id=self.lead_id)
        return Save(id=self.lead_id, errors=[SaveError(e.status_code, e.message, e.fields) for e in result.errors]
                    or [SaveError("", "the conversion failed")])

    def _result(self, i, step, values, expected, actual, problems, started) -> StepResult:
        return StepResult(self.scenario.name, i, step.action, values, expected, actual, tuple(problems),
                          self.clock() - started)

    # -- checks

    def _observed(self, expect, lead: dict | None, save: Save) -> dict[str, Any]:
        actual: dict[str, Any] = {}
        if lead is not None:
            actual["stage"] = lead.get(self.stage.lower())
            actual["status"] = lead.get("status")
            for name in expect.fields:
                actual[name] = lead.get(name.lower())
        if not save.ok:
            actual["error"] = "; ".join(e.message for e in save.errors)
        return actual

    def _value_problems(self, expect, lead: dict) -> list[str]:
        problems = []
        if expect.stage is not None:
            if self.stage.lower() not in lead:
                problems.append(f"stage: the org's leads have no field {self.stage} (deploy the spec first)")
            elif lead.get(self.stage.lower()) != expect.stage:
                problems.append(f"stage: expected {expect.stage}, got {_shown(lead.get(self.stage.lower()))}")
        if expect.status is not None and lead.get("status") != expect.status:
            problems.append(f"status: expected {expect.status}, got {_shown(lead.get('status'))}")
        for name, value in expect.fields.items():
            if name.lower() not in lead:
                problems.append(f"{name}: the org's leads have no such field")
            elif not same(value, lead.get(name.lower())):
                problems.append(f"{name}: expected {_shown(value)}, got {_shown(lead.get(name.lower()))}")
        return problems

    def _error_problems(self, text: bool | str, errors: list[SaveError]) -> list[str]:
        from leadsync.render.apex import expected_messages

        validation = [e for e in errors if e.code == VALIDATION_CODE]
        shown = "; ".join(f"{e.code}: {e.message}" for e in errors)
        if not validation:
            return [f"expected a validation error{_containing(text)}; the save failed otherwise: {shown}"]
        if text is True:
            return []
        accepted = expected_messages(str(text), self.rules)
        if any(a in e.message for e in validation for a in accepted):
            return []
        return [f"expected a validation error{_containing(text)}; got: {shown}"]

    def _kept(self, before: dict, after: dict, values: dict) -> list[str]:
        names = ["Status", self.stage, *values]
        problems = []
        for name in dict.fromkeys(n.lower() for n in names):
            if before.get(name) != after.get(name):
                problems.append(f"the failed save changed {name}: {_shown(before.get(name))} -> {_shown(after.get(name))}")
        return problems

    # -- afterwards

    def _clean_up(self) -> list[str]:
        notes = []
        targets = [*self.converted.items(), *([("Lead", self.lead_id)] if self.lead_id else [])]
        for sobject, record_id in targets:
            note = self.records.delete(sobject, record_id)
            if note:
                notes.append(note)
        return notes


def same(expected: Scalar | None, actual: Any) -> bool:
    """A spec value against the REST JSON value: numbers as numbers, blank as null."""
    if expected is None:
        return actual in (None, "")
    if isinstance(expected, bool):
        return actual is expected
    if isinstance(expected, (int, float)):
        if isinstance(actual, bool):
            return False
        try:
            return float(actual) == float(expected)
        except (TypeError, ValueError):
            return False
    return actual == expected


def _containing(text: bool | str | None) -> str:
    return f" containing '{text}'" if isinstance(text, str) else ""


def _shown(value: Any) -> str:
    if value is None:
        return "(blank)"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
