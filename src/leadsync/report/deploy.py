"""A deploy outcome as text, one JSON document, or JUnit XML; and the progress shown while waiting.

Every format is a function of the same `DeployOutcome` records. Component failures read like
diagnostics: `FILE:LINE:COL: error TYPE NAME: problem` (FILE is the path inside the deployed mdapi
package), so editors and CI annotators can jump to them.
"""

from __future__ import annotations

import shlex
import sys
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from leadsync.diagnostics import Span
    from leadsync.org.client import ApexTestFailure, ComponentMessage, DeployStatus
    from leadsync.org.deploy import DeployOutcome

PROGRAM = "leadsync"
VERBS = {"deploy": "deploy", "validate": "validation (check-only deploy)", "quick": "quick deploy",
         "resume": "deploy", "cancel": "deploy"}


# --- commands a user may run next --------------------------------------------------------------


def resume_command(deploy_id: str, org_args: tuple[str, ...] = ()) -> str:
    return shlex.join([PROGRAM, "deploy", "--resume", deploy_id, *org_args])


def quick_command(validation_id: str, org_args: tuple[str, ...] = ()) -> str:
    return shlex.join([PROGRAM, "deploy", "--quick", validation_id, *org_args])


# --- text ---------------------------------------------------------------------------------------


def component_line(c: ComponentMessage, spec_span: Span | None = None) -> str:
    """`PATH:LINE:COL: error TYPE NAME: problem`, at the spec line when the failure traces back to
    one (the package file and line the org named follow in parentheses), else at the package file."""
    where = c.file or "package.xml"
    if c.line:
        where += f":{c.line}:{c.column or 0}"
    severity = "warning" if (c.problem_type or "").lower() == "warning" else "error"
    subject = " ".join(part for part in (c.type, c.name) if part) or "package"
    problem = _one_line(c.problem or "failed")
    if spec_span is not None:
        return f"{spec_span}: {severity} {subject}: {problem} (in {where})"
    return f"{where}: {severity} {subject}: {problem}"


def _spec_span(outcome: DeployOutcome, c: ComponentMessage) -> Span | None:
    return outcome.spec_spans.get((c.type, c.name, c.problem))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def test_lines(f: ApexTestFailure) -> list[str]:
    name = f"{f.name}.{f.method}" if f.method else f.name
    lines = [f"test {name}: error: {f.message}"]
    lines.extend(f"    {line}" for line in (f.stack_trace or "").splitlines())
    return lines


def counts(status: DeployStatus) -> str:
    parts = [f"{status.components_deployed}/{status.components_total} components"]
    if status.component_errors:
        parts.append(f"{status.component_errors} failed")
    if status.tests_total:
        parts.append(f"tests {status.tests_completed}/{status.tests_total}")
        if status.test_errors:
            parts.append(f"{status.test_errors} tests failed")
    return ", ".join(parts)


def progress_text(status: DeployStatus) -> str:
    detail = f" ({status.state_detail})" if status.state_detail else ""
    return f"{status.status}{detail}: {counts(status)}"


def format_text(outcome: DeployOutcome, org_args: tuple[str, ...] = ()) -> str:
    """The human report: every failure on its own line, then one summary line and what to run next."""
    from leadsync.report.text import format_line

    lines = [format_line(d) for d in outcome.diagnostics]
    status = outcome.status
    if outcome.spec_failed:
        lines.append("the spec has errors: nothing was sent to the org")
        return "\n".join(lines) + "\n"
    verb = _verb(outcome)
    if getattr(outcome, "unchanged", False):  # the plan found nothing to change: nothing was sent
        from leadsync.report.plan import NO_CHANGES

        where = f" {outcome.org.describe()}" if outcome.org else ""
        lines.extend(_plan_warnings(outcome))
        if outcome.plan.has_changes:  # only deletions, and no --allow-destructive (a --dry-run)
            lines.append(f"Nothing was sent to the org{where}: the only changes are deletions, which need "
                         "--allow-destructive.")
        else:
            lines.append(f"{NO_CHANGES} Nothing was sent: the org{where} already matches the spec.")
        return "\n".join(lines) + "\n"
    if outcome.still_running:
        state = f"{status.status} ({counts(status)})" if status else "not reported yet"
        minutes = (outcome.wait_seconds or 0) / 60
        lines.append(f"{verb} {outcome.deploy_id} is still running: {state} after --wait {minutes:g} min")
        lines.append(f"deploy id: {outcome.deploy_id}")
        lines.append(f"resume waiting with: {resume_command(outcome.deploy_id, org_args)}")
        if note := _moves_pending(outcome):
            lines.append(note)
        return "\n".join(lines) + "\n"
    assert status is not None
    lines.extend(component_line(c, _spec_span(outcome, c)) for c in status.failures)
    for f in status.tests.failures:
        lines.extend(test_lines(f))
    if status.error_message and not status.failures:
        code = f"{status.error_status_code}: " if status.error_status_code else ""
        lines.append(f"error: {code}{status.error_message}")
    lines.extend(_removal_lines(outcome, status))
    lines.extend(_plan_warnings(outcome))
    deleted = [f"{c.type} {c.name}" for c in status.components if c.deleted and c.success]
    if deleted and outcome.success and not status.check_only:
        lines.append(f"deleted: {', '.join(deleted)}")
    from leadsync.report.migrate import layout_lines, migration_lines

    lines.extend(migration_lines(getattr(outcome, "migration", None), validation=outcome.action == "validate",
                                 deactivating={r.value for r in outcome.removals if r.field == "Lead.Status"}))
    if outcome.success:
        lines.extend(layout_lines(getattr(outcome, "layouts", ()), status.check_only))
    lines.append(_summary(outcome, status))
    if outcome.success and outcome.action == "validate":
        lines.append(f"quick-deploy it without running tests again: {quick_command(status.id, org_args)}")
    return "\n".join(lines) + "\n"


def _plan_warnings(outcome: DeployOutcome) -> list[str]:
    """The plan's preflight findings, and for a validation, the obsolete components a deploy would delete."""
    plan = getattr(outcome, "plan", None)
    if plan is None:
        return []
    lines = [f"warning: {f.message}" for f in plan.findings]
    if plan.obsolete and not outcome.allow_destructive:
        names = ", ".join(f"{c.type} {c.name}" for c in plan.obsolete)
        lines.append(f"warning: leadsync rendered these before and the spec no longer does: {names}; "
                     "deploying without --allow-destructive is refused (with it, they are deleted)")
    return lines


def _removal_lines(outcome: DeployOutcome, status: DeployStatus) -> list[str]:
    """What the deploy deactivated; for a validation, a warning about values that leads hold."""
    if not outcome.removals:
        return []
    if status.check_only:
        blocking = [r for r in outcome.removals if r.leads > 0]
        if not blocking:
            return []
        then = ("--allow-destructive was given" if outcome.allow_destructive
                else "deploying the spec without --allow-destructive is refused (a --quick deploy of this "
                     "validation is not checked again: it would deactivate them)")
        values = ", ".join(r.describe() for r in blocking)
        return [f"warning: this would deactivate values that leads hold: {values}; {then}"]
    if outcome.success:
        return [f"deactivated: {', '.join(r.describe() for r in outcome.removals)}"]
    return []


def _verb(outcome: DeployOutcome) -> str:
    """What the deploy is: a resumed or canceled validation is a validation, as the org reports it."""
    status = outcome.status
    if outcome.action in ("resume", "cancel") and status is not None and status.check_only:
        return VERBS["validate"]
    return VERBS[outcome.action]


def _summary(outcome: DeployOutcome, status: DeployStatus) -> str:
    verb = _verb(outcome)
    # `deploy X Succeeded to ORG`, but `Canceled in ORG`, and a validation runs in the org, changing nothing.
    into = outcome.action != "cancel" and not status.check_only and status.status not in ("Canceled", "Canceling")
    where = f" {'to' if into else 'in'} {outcome.org.describe()}" if outcome.org else ""
    took = f" in {outcome.elapsed:.1f} s" if outcome.elapsed is not None else ""
    head = f"{verb} {status.id} {status.status}{where}{took}: {counts(status)}"
    if outcome.action == "cancel":
        return head if status.status == "Canceled" else f"{head}; it finished before it could be canceled"
    if outcome.success:
        return head + ("; nothing was changed (check-only)" if status.check_only else "")
    if status.check_only:
        return head + "; check-only, nothing was changed"
    return head + "; rolled back, nothing was changed"


# --- JSON -----------------------------------------------------------------------------------------


def to_json(outcome: DeployOutcome | None, *, error: BaseException | None = None, exit_code: int = 0,
            org_args: tuple[str, ...] = ()) -> dict:
    """The one JSON document of `deploy --json`; the same keys whatever happened."""
    status = outcome.status if outcome else None
    org = outcome.org if outcome else None
    doc: dict = {
        "ok": bool(outcome and outcome.success and error is None and exit_code == 0),
        "exitCode": exit_code,
        "action": outcome.action if outcome else None,
        "id": (status.id if status else None) or (outcome.deploy_id if outcome else None),
        "status": status.status if status else None,
        # A deploy that found nothing to change is done and successful without a deploy id ("No changes.").
        "done": bool(status and status.done) or bool(getattr(outcome, "unchanged", False)),
        "success": bool(status and status.success) or bool(getattr(outcome, "unchanged", False)),
        # As the org reported it; before any status, what was asked for (a --dry-run is a validation).
        "checkOnly": bool(status.check_only) if status else (outcome.action == "validate" if outcome else None),
        "stillRunning": bool(outcome and outcome.still_running),
        "elapsedSeconds": round(outcome.elapsed, 3) if outcome and outcome.elapsed is not None else None,
        "org": {"id": org.id, "name": org.name, "isSandbox": org.is_sandbox,
                "organizationType": org.organization_type, "instanceUrl": org.instance_url} if org else None,
        "numberComponentsTotal": status.components_total if status else 0,
        "numberComponentsDeployed": status.components_deployed if status else 0,
        "numberComponentErrors": status.component_errors if status else 0,
        "components": [
            {"type": c.type, "name": c.name, "file": c.file, "line": c.line, "column": c.column,
             "problem": c.problem, "problemType": c.problem_type, "success": c.success,
             "created": c.created, "changed": c.changed, "deleted": c.deleted,
             "spec": _span_dict(_spec_span(outcome, c)) if outcome else None}
            for c in (status.components if status else ())
        ],
        "tests": {
            "total": status.tests_total if status else 0,
            "completed": status.tests_completed if status else 0,
            "failed": status.test_errors if status else 0,
            "run": status.tests.run if status else 0,
            "failures": [
                {"name": f.name, "method": f.method, "message": f.message, "stackTrace": f.stack_trace,
                 "timeMs": f.time_ms}
                for f in (status.tests.failures if status else ())
            ],
            "successes": [{"name": s.name, "method": s.method, "timeMs": s.time_ms}
                          for s in (status.tests.successes if status else ())],
        },
        "errorMessage": status.error_message if status else None,
        "diagnostics": [d.to_dict() for d in (outcome.diagnostics if outcome else ())],
        "error": {"message": str(error)} if error is not None else None,
        "resumeCommand": resume_command(outcome.deploy_id, org_args)
        if outcome and outcome.still_running and outcome.deploy_id else None,
        # Set when --wait ran out before leads moved: resuming only waits; the same deploy must run again.
        "movesPending": _moves_pending(outcome) if outcome and outcome.still_running else None,
        # Deactivated only when a deploy succeeded and was not check-only (see success, checkOnly).
        "deactivated": [{"field": r.field, "value": r.value, "leads": r.leads,
                         "converted": getattr(r, "converted", 0)}
                        for r in (outcome.removals if outcome else ())],
        # What the deploy found to change before it sent anything (org/plan.py); null when it did not plan.
        "plan": _plan_json(outcome),
        # Existing leads: renamed_from moves and stage_field.backfill (null when the spec has neither).
        "migration": outcome.migration.to_json() if outcome and getattr(outcome, "migration", None) else None,
        # Lead page layouts patched to show the generated fields (sent with the package).
        "layouts": [{"name": c.name, "added": [{"field": f, "behavior": b} for f, b in c.added]}
                    for c in (getattr(outcome, "layouts", ()) if outcome else ())],
    }
    return doc


def _plan_json(outcome: DeployOutcome | None) -> dict | None:
    plan = getattr(outcome, "plan", None) if outcome else None
    if plan is None:
        return None
    from leadsync.report.plan import to_json as plan_json

    doc = plan_json(plan)
    return {k: doc[k] for k in ("changes", "summary", "components", "layouts", "leads", "findings") if k in doc}


def _span_dict(span: Span | None) -> dict | None:
    return {"path": span.path, "line": span.line, "column": span.column} if span else None


# --- JUnit ----------------------------------------------------------------------------------------


def to_junit(outcome: DeployOutcome, *, error: str | None = None) -> str:
    """One test case per component and per Apex test method (leadsync.report.junit builds the XML).

    A deploy that ended with an error (refused, unreachable, ...) is one failing case with its message,
    so that CI always finds a report.
    """
    from leadsync.report.junit import JUnitCase, to_junit as build
    from leadsync.report.text import format_line

    status = outcome.status
    cases: list = []
    if error is not None:
        cases.append(JUnitCase(name=outcome.action, classname="leadsync.deploy", failure=error))
    for d in outcome.diagnostics:
        if d.is_error:
            cases.append(JUnitCase(name=f"{d.span}", classname="leadsync.spec", failure=format_line(d)))
    if getattr(outcome, "unchanged", False):
        cases.append(JUnitCase(name="no changes", classname="leadsync.deploy"))
    if status is not None:
        for c in status.components:
            cases.append(JUnitCase(
                name=c.name or c.file or "package.xml",
                classname=c.type or "package",
                failure=None if c.success else component_line(c, _spec_span(outcome, c)),
            ))
        for f in status.tests.failures:
            cases.append(JUnitCase(
                name=f.method or f.name, classname=f.name, failure="\n".join(test_lines(f)),
                time=(f.time_ms or 0) / 1000,
            ))
        for s in status.tests.successes:
            cases.append(JUnitCase(name=s.method or s.name, classname=s.name, time=(s.time_ms or 0) / 1000))
    name = f"leadsync {outcome.action} {outcome.deploy_id}" if outcome.deploy_id else f"leadsync {outcome.action}"
    return build(name, cases)


def _moves_pending(outcome) -> str | None:
    """What to do when --wait ran out before leads moved (renamed_from, backfill)."""
    moving = getattr(outcome, "migration", None)
    if outcome.action != "deploy" or moving is None or not moving.plan.has_work:
        return None
    return ("leads are still to move (renamed_from, backfill), and this deploy turns leadsync's validation rules "
            "off until they have: once it has finished, run the same deploy again (--resume only waits): it moves "
            "the leads and turns the rules on")


# --- progress -------------------------------------------------------------------------------------


class PlainProgress:
    """Progress as plain lines (CI logs): one line per change of state or counts, nothing else."""

    def __init__(self, stream: IO[str] | None = None):
        self._stream = stream or sys.stderr
        self._last: tuple | None = None
        self.deploy_id: str | None = None
        # Leads are moving (org/migrate.py): the deploy before is done, the rules are off until the next one.
        self.moving_leads = False

    def phase(self, text: str) -> None:
        pass

    def submitted(self, deploy_id: str, what: str) -> None:
        self.deploy_id, self.moving_leads = deploy_id, False
        # resume and cancel name only the id: whether it is a deploy or a validation is known once it answers
        label = {"resume": "waiting for", "cancel": "cancel requested for"}.get(what, f"{VERBS[what]} submitted:")
        self._write(f"{label} {deploy_id}")

    def status(self, status: DeployStatus) -> None:
        key = status.progress_key()
        if key != self._last:
            self._last = key
            self._write(progress_text(status))

    def close(self) -> None:
        pass

    def plan(self, plan) -> None:
        """What the deploy will change: one line per component (CI logs show what was sent and why)."""
        from leadsync.report.plan import summary_lines

        for line in summary_lines(plan):
            self._write(line)

    # moving existing leads (org/migrate.py MoveProgress)
    def moving(self, label: str, total: int) -> None:
        from leadsync.report.migrate import PlainMoves

        self.deploy_id, self.moving_leads = None, True  # that deploy finished: nothing goes on in the org
        self._moves = getattr(self, "_moves", None) or PlainMoves(self._stream)
        self._moves.moving(label, total)

    def moved(self, count: int) -> None:
        self._moves.moved(count)

    def moved_all(self) -> None:
        self._moves.moved_all()

    def _write(self, line: str) -> None:
        self._stream.write(line + "\n")
        self._stream.flush()


class LiveProgress(PlainProgress):
    """On a terminal: one live status line (rich) that changes in place; the id line stays printed."""

    def __init__(self, stream: IO[str] | None = None):
        super().__init__(stream)
        from rich.console import Console
        from rich.text import Text

        self._text = Text  # plain text: org messages may hold [brackets] rich would read as markup
        self._console = Console(file=self._stream, highlight=False)
        self._live = self._console.status(Text("starting"), spinner="dots")
        self._live.start()

    def phase(self, text: str) -> None:
        self._live.update(self._text(text))

    def submitted(self, deploy_id: str, what: str) -> None:
        self.deploy_id, self.moving_leads = deploy_id, False
        self._console.print(f"{VERBS.get(what, 'deploy')} {deploy_id}", markup=False)
        self._live.update(self._text(f"{deploy_id}: waiting for the org"))

    def status(self, status: DeployStatus) -> None:
        self._live.update(self._text(f"{status.id}: {progress_text(status)}"))

    def plan(self, plan) -> None:
        from leadsync.report.plan import summary_lines

        for line in summary_lines(plan):
            self._console.print(line, markup=False)

    def moving(self, label: str, total: int) -> None:
        from leadsync.report.migrate import BarMoves

        self.deploy_id, self.moving_leads = None, True
        self._moves = BarMoves(self._stream, pause=self._live.stop, resume=self._live.start)
        self._moves.moving(label, total)

    def close(self) -> None:
        self._live.stop()


def progress_for(stream: IO[str]) -> PlainProgress:
    return LiveProgress(stream) if stream.isatty() else PlainProgress(stream)
