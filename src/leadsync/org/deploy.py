"""The deploy use cases: render → zip → guard → submit → poll → `DeployOutcome`. Data out, nothing printed.

- `deploy_spec`: a spec file, rendered in memory (mdapi) and deployed; `--dry-run` is check-only.
  Guards first: production (`--allow-production`), then value removal: picklist values the deploy
  would deactivate while leads hold them are refused without `--allow-destructive`; a `--dry-run`
  changes nothing, so it reports them (`DeployOutcome.removals`) and goes on.
- `quick_deploy`: deploy a validated check-only deploy again without its tests (deployRecentValidation).
- `resume`: wait again for a deploy already submitted (after `--wait` ran out).
- `cancel`: ask the org to cancel a deploy and wait until it has.

Every use case asks the org what it is first and refuses production without `allow_production`
(`guard_production`), resume and cancel too: a production org is never touched without the flag.

A deploy is never submitted twice: the deploy call is not retried after its request may have reached
the org; only reads (status, the Organization query) and cancel are retried. Errors after the deploy
was submitted say its id and how to resume waiting for it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from leadsync.diagnostics import Diagnostic, Span, has_errors
from leadsync.errors import LeadsyncError, OrgUnreachable, StillRunning
from leadsync.org.client import DeployOptions, DeployStatus, OrgClient, OrgInfo
from leadsync.org.poll import (
    DEFAULT_POLICY,
    PollPolicy,
    PollTimeout,
    poll,
    retry_unless_unreachable,
    with_retries,
)
from leadsync.org.guards import Removal, guard_obsolete, guard_production, guard_value_removal
from leadsync.org.session import OrgFault, TransientError

# Opens the org for one use case; the api version is the spec's when there is one.
Connect = Callable[[str | None], AbstractContextManager[OrgClient]]


@dataclass(frozen=True)
class DeployRequest:
    options: DeployOptions = field(default_factory=DeployOptions)
    wait_seconds: float = 33 * 60
    allow_production: bool = False
    allow_destructive: bool = False  # deploy even if picklist values that leads hold are deactivated


@dataclass(frozen=True)
class DeployOutcome:
    action: str  # deploy | validate | quick | resume | cancel
    deploy_id: str | None = None
    status: DeployStatus | None = None  # the last status seen
    org: OrgInfo | None = None
    diagnostics: tuple[Diagnostic, ...] = ()
    still_running: bool = False
    elapsed: float | None = None  # seconds from submission (or resumption) to the end of waiting
    wait_seconds: float | None = None
    # Values active in the org that the deploy leaves inactive, with the leads holding each (deploy and
    # validate only). Deactivated only when a real deploy succeeded; a validation merely found them.
    removals: tuple[Removal, ...] = ()
    allow_destructive: bool = False
    # For component failures of a deployed spec: (type, name, problem) -> the spec line to change.
    spec_spans: dict[tuple[str, str, str | None], Span] = field(default_factory=dict)
    # Existing leads moved by renamed_from / given a stage by stage_field.backfill (org/migrate.py).
    migration: object | None = None  # migrate.MigrationResult
    layouts: tuple = ()  # org/layouts.py LayoutChange: Lead layouts patched to show the generated fields
    plan: object | None = None  # org/plan.py Plan: what the deploy found to change (deploy and validate)

    @property
    def spec_failed(self) -> bool:
        return has_errors(self.diagnostics)

    @property
    def unchanged(self) -> bool:
        """Nothing differed, so nothing was sent ("No changes.")."""
        return self.plan is not None and self.status is None and self.deploy_id is None

    @property
    def success(self) -> bool:
        if self.unchanged and not self.spec_failed:
            return True
        if self.spec_failed or self.still_running or self.status is None:
            return False
        if self.action == "cancel":
            return self.status.status == "Canceled"
        return self.status.success and self.status.status == "Succeeded"


class Progress(Protocol):
    def phase(self, text: str) -> None: ...

    def submitted(self, deploy_id: str, what: str) -> None: ...

    def status(self, status: DeployStatus) -> None: ...


class NoProgress:
    def phase(self, text: str) -> None:
        pass

    def submitted(self, deploy_id: str, what: str) -> None:
        pass

    def status(self, status: DeployStatus) -> None:
        pass


NO_PROGRESS = NoProgress()


# A deploy is first looked at 0.25 s after it was submitted (a small one is often done by then), then
# on the default schedule: 0.25, 0.63, 1.19, 2.03, 3.28, 4.53 ... s.
DEPLOY_POLICY = replace(DEFAULT_POLICY, first_interval=0.25)


@dataclass(frozen=True)
class Waiting:
    """How to wait: injectable for tests of the use cases."""

    policy: PollPolicy = DEPLOY_POLICY
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


# --- use cases --------------------------------------------------------------------------------


def deploy_spec(
    spec_path: str | Path,
    connect: Connect,
    request: DeployRequest,
    *,
    template_dir: Path | None = None,
    progress: Progress = NO_PROGRESS,
    waiting: Waiting = Waiting(),
) -> DeployOutcome:
    from leadsync.build import build
    from leadsync.org.plan import make_plan

    action = "validate" if request.options.check_only else "deploy"
    progress.phase(f"rendering {spec_path}")
    built = build(spec_path, layout="mdapi", template_dir=template_dir)  # the one build: bundle, files
    diagnostics = tuple(built.diagnostics)
    if not built.ok:
        return DeployOutcome(action, diagnostics=diagnostics)
    with connect(getattr(built.load.spec, "api_version", None)) as org:
        info = _checked_org(org, progress, waiting, request.allow_production)
        progress.phase(f"planning against {info.name}")
        plan = with_retries(lambda: make_plan(org, built, info), policy=waiting.policy, sleep=waiting.sleep)
        if hasattr(progress, "plan"):
            progress.plan(plan)  # a summary line per component
        removals = plan.removals
        migration = plan.migration  # renamed_from, backfill (org/migrate.py)
        if migration is not None:
            from leadsync.org import migrate

            removals = migrate.exempt_renamed(removals, migration)
        if not request.options.check_only:
            guard_value_removal(removals, allow_destructive=request.allow_destructive)
            guard_obsolete(plan.obsolete, allow_destructive=request.allow_destructive)
        deletes = plan.obsolete if request.allow_destructive else ()
        if not plan.has_changes or not (plan.to_send or plan.layouts or deletes or migration is not None
                                        and migration.has_work):
            return DeployOutcome(action, org=info, diagnostics=diagnostics, removals=removals, plan=plan,
                                 allow_destructive=request.allow_destructive)
        files = package_files(built, plan, deletes, validation=request.options.check_only)
        progress.phase(f"submitting {len(plan.to_send) + len(plan.layouts)} components to {info.name}")
        from leadsync.org.activation import with_scenario_tests

        options = with_scenario_tests(request.options, built.bundle)  # RunSpecifiedTests: the scenarios' Apex
        deploy_id = _submit(lambda: org.deploy(zip_bytes(files), options), info)
        progress.submitted(deploy_id, action)
        outcome = _wait(org, deploy_id, action, request.wait_seconds, progress, waiting, info, diagnostics,
                        submitted_here=True)
        outcome = replace(outcome, removals=removals, allow_destructive=request.allow_destructive,
                          spec_spans=_spec_spans(outcome, built), layouts=plan.layouts, plan=plan)
        if migration is not None:
            outcome = _migrate(org, built, migration, outcome, request, progress, waiting, info)
        return outcome


def package_files(built, plan, deletes: tuple = (), *, validation: bool = False) -> dict[str, bytes]:
    """The mdapi package a deploy sends: only the components the plan says differ (rendered from the
    build's bundle), the patched layouts, and the obsolete components to delete (destructiveChangesPost.xml:
    deleted after the rest is in, so the flow no longer names a stamp field when it goes).

    While leads move (renamed_from, backfill) the whole package goes, with old statuses kept active and
    the rules off (org/migrate.py phase one); a validation checks the final components instead (it moves
    no lead, and its --quick deploy must not leave the rules off)."""
    from leadsync.metadata.diff import subset
    from leadsync.org import layouts
    from leadsync.render.layouts import render_files

    migration = plan.migration
    if migration is not None and migration.has_work and not validation:
        from leadsync.org import migrate

        files = migrate.phase_one_files(layouts.with_layouts(built.files, list(plan.layouts)), migration)
    else:
        part = subset(built.bundle, plan.to_send)
        if deletes:  # obsolete record types (and the processes they use) are deactivated, not deleted
            part = _with_deactivated(part, plan.retirements()[1])
        files = layouts.with_layouts(render_files(part, "mdapi", template_dir=built.template_dir), list(plan.layouts))
    deleted = plan.retirements()[0] if deletes else ()
    if deleted:
        from leadsync.render.package import destructive_xml

        files = {**files, DESTRUCTIVE_FILE: destructive_xml(list(deleted), built.bundle.api_version)}
    return files


def _with_deactivated(bundle, records):
    from leadsync.metadata import model as m

    lead = bundle.lead
    lead = replace(lead, record_types=lead.record_types + tuple(r for r in records if isinstance(r, m.RecordType)),
                   business_processes=lead.business_processes + tuple(
                       r for r in records if isinstance(r, m.BusinessProcess)))
    return replace(bundle, lead=lead)


DESTRUCTIVE_FILE = "destructiveChangesPost.xml"


def zip_bytes(files: dict[str, bytes]) -> bytes:
    from leadsync.render.output import zip_bytes as zipped

    return zipped(files)


def _migrate(org: OrgClient, built, migration, outcome: DeployOutcome, request: DeployRequest,
             progress: Progress, waiting: Waiting, info: OrgInfo) -> DeployOutcome:
    """After the package is in: move the leads, then deploy LeadStatus again with the old values inactive."""
    from leadsync.org import migrate

    if request.options.check_only or not outcome.success:
        return replace(outcome, migration=migrate.planned(migration))

    def redeploy(files: dict[str, bytes]):
        from leadsync.render.output import zip_bytes

        progress.phase(f"deactivating the renamed statuses in {info.name}")
        deploy_id = _submit(lambda: org.deploy(zip_bytes(files), DeployOptions(test_level=request.options.test_level,
                                                                               tests=request.options.tests)), info)
        progress.submitted(deploy_id, "deploy")
        second = _wait(org, deploy_id, "deploy", request.wait_seconds, progress, waiting, info, submitted_here=True)
        problem = None
        if not second.success:
            status = second.status
            problem = ("still running" if second.still_running else
                       "; ".join(c.problem or "" for c in status.failures) or status.error_message if status else None)
        return deploy_id, second.success, problem

    moves = progress if hasattr(progress, "moving") else migrate.NoMoveProgress()
    try:
        result = migrate.finish(org, built.load.spec, migration, built.files, redeploy, moves)
    except LeadsyncError as err:
        if isinstance(err, StillRunning):  # the deactivating deploy runs on: it turns the rules on itself
            raise
        # The first package is in (rules off, old statuses active): say so, or the org keeps running
        # without its guards and nobody knows a second run is needed.
        err.args = (f"{err}; deploy {outcome.deploy_id} is in but moving the leads did not finish: every lead is on "
                    "an active value, and leadsync's validation rules stay inactive until the same deploy "
                    "is run again (it moves the rest and turns them on)",)
        raise
    return replace(outcome, migration=result)


def _spec_spans(outcome: DeployOutcome, built) -> dict[tuple[str, str, str | None], Span]:
    """Point each component failure back at the spec node that produced it (render/provenance.py)."""
    from leadsync.render.provenance import component_origins, spec_path

    loaded = built.load
    failures = outcome.status.failures if outcome.status else ()
    origins = component_origins(loaded.spec, built.bundle) if failures else {}
    spans = {}
    for c in failures:
        path = spec_path(loaded.spec, c.type, c.name, c.problem, origins)
        if path is not None:  # a field named as a key of `set.fields` is pointed at by that key
            at = loaded.locator.key_span if path[-2:-1] == ("fields",) else loaded.locator.span
            spans[(c.type, c.name, c.problem)] = at(path)
    return spans


def quick_deploy(
    validation_id: str,
    connect: Connect,
    request: DeployRequest,
    *,
    progress: Progress = NO_PROGRESS,
    waiting: Waiting = Waiting(),
) -> DeployOutcome:
    with connect(None) as org:
        info = _checked_org(org, progress, waiting, request.allow_production)
        progress.phase(f"quick-deploying validation {validation_id}")
        deploy_id = _submit(lambda: org.quick_deploy(validation_id), info)
        progress.submitted(deploy_id, "quick")
        return _wait(org, deploy_id, "quick", request.wait_seconds, progress, waiting, info, submitted_here=True)


def resume(
    deploy_id: str,
    connect: Connect,
    wait_seconds: float,
    *,
    progress: Progress = NO_PROGRESS,
    waiting: Waiting = Waiting(),
    allow_production: bool = False,
) -> DeployOutcome:
    with connect(None) as org:
        info = _checked_org(org, progress, waiting, allow_production, doing="wait for a deploy in")
        progress.submitted(deploy_id, "resume")
        return _wait(org, deploy_id, "resume", wait_seconds, progress, waiting, info, submitted_here=False)


def cancel(
    deploy_id: str,
    connect: Connect,
    wait_seconds: float,
    *,
    progress: Progress = NO_PROGRESS,
    waiting: Waiting = Waiting(),
    allow_production: bool = False,
) -> DeployOutcome:
    with connect(None) as org:
        info = _checked_org(org, progress, waiting, allow_production, doing="cancel a deploy in")
        progress.phase(f"canceling deploy {deploy_id}")
        with_retries(lambda: org.cancel(deploy_id), policy=waiting.policy, sleep=waiting.sleep)
        progress.submitted(deploy_id, "cancel")
        return _wait(org, deploy_id, "cancel", wait_seconds, progress, waiting, info, submitted_here=False)


# --- steps ------------------------------------------------------------------------------------


def _checked_org(org: OrgClient, progress: Progress, waiting: Waiting, allow_production: bool,
                 doing: str = "deploy to") -> OrgInfo:
    """Who the org is, asked before anything else is sent, and the production guard on the answer."""
    org.warm_up()
    progress.phase(f"connecting to {org.instance_url}")
    info = with_retries(org.org_info, policy=waiting.policy, sleep=waiting.sleep, retryable=retry_unless_unreachable)
    guard_production(info, allow_production=allow_production, doing=doing)
    return info


def _submit(call: Callable[[], str], info: OrgInfo) -> str:
    """Make the one call that starts a deploy. Never repeated once its request may have reached the org."""
    try:
        return call()
    except TransientError as err:
        if not err.may_have_reached_org:
            raise OrgUnreachable(f"{err}; nothing was deployed") from err
        raise OrgUnreachable(
            f"{err}; the deploy request may have reached the org, so it was not sent again (a deploy is "
            f"never submitted twice): check Setup > Deployment Status in {info.instance_url} before deploying again"
        ) from err


def _wait(
    org: OrgClient,
    deploy_id: str,
    action: str,
    wait_seconds: float,
    progress: Progress,
    waiting: Waiting,
    info: OrgInfo | None,
    diagnostics: tuple[Diagnostic, ...] = (),
    *,
    submitted_here: bool,
) -> DeployOutcome:
    """Poll the deploy until done or `wait_seconds` pass.

    A deploy submitted by this command is first looked at after the policy's first interval, and an
    error while waiting names it and how to resume. One submitted earlier (resume, cancel) may be
    done already: it is looked at at once.
    """
    started = waiting.clock()
    deadline = started + max(0.0, wait_seconds)
    start = started if submitted_here else started - waiting.policy.first_interval
    outcome = dict(action=action, deploy_id=deploy_id, org=info, diagnostics=diagnostics, wait_seconds=wait_seconds)
    try:
        status = _named(lambda: poll(
            lambda: org.deploy_status(deploy_id),
            lambda s: s.done,
            deadline=deadline,
            policy=waiting.policy,
            clock=waiting.clock,
            sleep=waiting.sleep,
            on_result=progress.status,
            start=start,
        ), deploy_id if submitted_here else None)
    except PollTimeout as timeout:
        return DeployOutcome(**outcome, status=timeout.last, still_running=True,
                             elapsed=waiting.clock() - started)
    return DeployOutcome(**outcome, status=status, elapsed=waiting.clock() - started)


def _named(call: Callable, deploy_id: str | None):
    """Run a call about a deploy submitted here; a failure keeps its exit code and says how to resume."""
    try:
        return call()
    except (OrgUnreachable, OrgFault) as err:
        if deploy_id is None:
            raise
        hint = (f"; deploy {deploy_id} was submitted and may still be running: "
                f"check it with leadsync deploy --resume {deploy_id}")
        raise (OrgUnreachable if isinstance(err, OrgUnreachable) else OrgFault)(f"{err}{hint}") from err


__all__ = [
    "DeployOutcome",
    "DeployRequest",
    "NoProgress",
    "Progress",
    "Waiting",
    "cancel",
    "deploy_spec",
    "quick_deploy",
    "resume",
]
