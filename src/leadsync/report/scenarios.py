"""`leadsync test` results as text (a line per step), JSON and JUnit XML (a test case per scenario).

Text, step by step (`step_line` is printed as each step finishes, so a slow org shows progress):

    Scenario: Working a lead makes it SQL
      ok    1 create {LastName: Doe, Company: Acme}: stage Lead, status New
      FAIL  2 update {Status: Connected}
            expected: stage SQL, status Connected
            actual:   stage Lead, status Connected
            stage: expected SQL, got Lead
    2 scenarios, 5 steps: 1 step failed (0.41 s)
"""

from __future__ import annotations

from typing import Any

from leadsync.org.scenarios import ScenarioResult, StepResult, ScenarioRun
from leadsync.report.junit import JUnitCase, to_junit


def scenario_line(name: str) -> str:
    return f"Scenario: {name}\n"


def step_line(step: StepResult) -> str:
    head = f"  {'ok  ' if step.ok else 'FAIL'}  {step.index} {step.action}{_values(step.values)}"
    if step.ok:
        seen = _pairs(step.actual, keys=["stage", "status", *[k for k in step.actual if k not in ("stage", "status")]])
        return f"{head}: {seen}\n" if seen else head + "\n"
    lines = [head, f"        expected: {_pairs(step.expected) or 'success'}",
             f"        actual:   {_pairs(step.actual) or '-'}"]
    lines += [f"        {p}" for p in step.problems]
    return "\n".join(lines) + "\n"


def cleanup_lines(scenario: ScenarioResult) -> str:
    return "".join(f"  note: not cleaned up: {note}\n" for note in scenario.cleanup)


def summary_line(run: ScenarioRun) -> str:
    steps = sum(len(s.steps) for s in run.scenarios)
    failed = len(run.failed_steps)
    verdict = "all passed" if not failed else f"{failed} step{'' if failed == 1 else 's'} failed"
    where = f" against {run.org_name}" if run.org_name else ""
    return (f"{len(run.scenarios)} scenario{'' if len(run.scenarios) == 1 else 's'}, {steps} step"
            f"{'' if steps == 1 else 's'}{where}: {verdict} ({run.seconds:.2f} s)\n")


def format_text(run: ScenarioRun) -> str:
    out = []
    for scenario in run.scenarios:
        out.append(scenario_line(scenario.name))
        out += [step_line(s) for s in scenario.steps]
        out.append(cleanup_lines(scenario))
    out.append(summary_line(run))
    return "".join(out)


def to_json(run: ScenarioRun | None, *, exit_code: int, error: str | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {"ok": bool(run and run.ok and error is None), "exit_code": exit_code}
    if error is not None:
        doc["error"] = error
    if run is None:
        doc["scenarios"] = []
        return doc
    doc.update({
        "spec": run.spec_name,
        "org": {"name": run.org_name, "instance_url": run.instance_url},
        "seconds": round(run.seconds, 3),
        "scenarios": [{
            "name": s.name,
            "ok": s.ok,
            "cleanup": list(s.cleanup),
            "steps": [{"index": st.index, "action": st.action, "ok": st.ok, "values": st.values,
                       "expected": st.expected, "actual": st.actual, "problems": list(st.problems),
                       "seconds": round(st.seconds, 3)} for st in s.steps],
        } for s in run.scenarios],
    })
    return doc


def to_junit_xml(run: ScenarioRun | None, *, error: str | None = None) -> str:
    if run is None:
        return to_junit("leadsync test", [JUnitCase(name="scenarios", classname="leadsync.scenarios",
                                                    failure=error or "not run")])
    cases = []
    for s in run.scenarios:
        text = "".join(step_line(st) for st in s.steps) + cleanup_lines(s)
        failed = [st for st in s.steps if not st.ok]
        cases.append(JUnitCase(
            name=s.name,
            classname=f"leadsync.scenarios.{run.spec_name}",
            time=s.seconds,
            failure=text if failed else None,
            failure_message=(f"step {failed[0].index} ({failed[0].action}): {failed[0].problems[0]}"
                             if failed else None),
            system_out=None if failed else text,
        ))
    return to_junit(f"leadsync test {run.spec_name}", cases)


def _values(values: dict) -> str:
    if not values:
        return ""
    return " {" + ", ".join(f"{k}: {_scalar(v)}" for k, v in values.items()) + "}"


def _pairs(data: dict, keys: list[str] | None = None) -> str:
    parts = []
    for key in keys or list(data):
        if key not in data:
            continue
        value = data[key]
        if key == "fields" and isinstance(value, dict):
            parts += [f"{k} {_scalar(v)}" for k, v in value.items()]
        elif key == "error":
            parts.append(f"error '{value}'" if isinstance(value, str) else "a validation error")
        else:
            parts.append(f"{key} {_scalar(value)}")
    return ", ".join(parts)


def _scalar(value: Any) -> str:
    if value is None:
        return "(blank)"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
