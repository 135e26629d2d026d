"""Deploys as Salesforce runs them: asynchronous, one at a time, all or nothing.

A deploy is Pending, then InProgress, then after its duration it is judged against the org as it is
then and ends Succeeded, SucceededPartial (rollbackOnError false, sandbox only) or Failed; or Canceled.
Check-only deploys commit nothing and can later be quick-deployed (deployRecentValidation) as long
as nothing else was deployed since. Finished deploys are written to the state dir, so status calls and
quick deploys work after a restart; a deploy still running when the org stops is finished first, as
it would go on in Salesforce.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from leadsync.localorg import ids
from leadsync.localorg.cascade import field_deletions
from leadsync.localorg.evaluate import Evaluation, evaluate, rejudge
from leadsync.localorg.files import read_json, write_atomic, write_json
from leadsync.localorg.store import MetadataStore

TEST_LEVELS = ("NoTestRun", "RunSpecifiedTests", "RunLocalTests", "RunAllTestsInOrg")
VALIDATION_DAYS = 10
KEEP_RECORDS = 200  # finished deploys kept in the state dir
PENDING_SHARE = 0.2  # of the duration spent Pending before InProgress


class DeployError(Exception):
    """A call Salesforce refuses with a fault: `code` is its exception code."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass
class Options:
    check_only: bool = False
    rollback_on_error: bool = True
    ignore_warnings: bool = False
    single_package: bool = True
    test_level: str | None = None
    run_tests: list[str] = field(default_factory=list)


@dataclass
class Message:
    """A DeployMessage: one componentSuccess or componentFailure."""

    component_type: str
    full_name: str
    file_name: str
    success: bool
    changed: bool = False
    created: bool = False
    deleted: bool = False
    id: str | None = None
    problem: str | None = None
    line: int | None = None
    column: int | None = None


@dataclass
class Job:
    id: str
    options: Options
    created: float
    duration: float
    user_id: str
    status: str = "Pending"
    done: bool = False
    completed: float | None = None
    successes: list[Message] = field(default_factory=list)
    failures: list[Message] = field(default_factory=list)
    components_total: int = 0
    canceled_by: str | None = None
    validated_generation: int | None = None  # check-only: the org generation it was judged against
    quick_deployed: bool = False
    validation_of: str | None = None  # quick deploy: the validation it deploys

    def phase(self, now: float) -> str:
        if self.done:
            return self.status
        return "Pending" if now - self.created < self.duration * PENDING_SHARE else "InProgress"

    @property
    def started(self) -> float:
        return self.created + self.duration * PENDING_SHARE

    @property
    def success(self) -> bool:
        return self.done and self.status == "Succeeded"

    @property
    def run_tests_enabled(self) -> bool:
        return self.options.test_level in ("RunSpecifiedTests", "RunLocalTests", "RunAllTestsInOrg")


class Deploys:
    def __init__(self, store: MetadataStore, records_dir: Path, production: bool, duration: float, user_id: str):
        self._store, self._dir, self._production = store, Path(records_dir), production
        self.default_duration, self._user_id = duration, user_id
        self._jobs: dict[str, Job] = {}
        self._timers: dict[str, threading.Timer] = {}
        self._lock = threading.RLock()  # one deploy finishes at a time

    # --- calls ------------------------------------------------------------------------------

    def submit(self, zip_bytes: bytes, options: Options, duration: float | None = None) -> Job:
        self._check_test_options(options)
        job = Job(ids.new_id("Deploy"), options, time.time(), self.default_duration if duration is None else duration,
                  self._user_id)
        self._write_zip(job.id, zip_bytes)
        with self._lock:
            self._jobs[job.id] = job
        self._schedule(job)
        return job

    def get(self, deploy_id: str) -> Job:
        job = self._jobs.get(deploy_id) or self._load(deploy_id)
        if job is None:
            raise DeployError("INVALID_CROSS_REFERENCE_KEY", f"invalid cross reference id: {deploy_id}")
        if not job.done and time.time() - job.created >= job.duration:
            self._finish(job)
        return job

    def cancel(self, deploy_id: str) -> Job:
        job = self.get(deploy_id)
        with self._lock:
            if job.done:
                raise DeployError("INVALID_ID_FIELD", f"The deployment {deploy_id} is already complete")
            job.status, job.done, job.completed, job.canceled_by = "Canceled", True, time.time(), self._user_id
            self._unschedule(job.id)
            self._record(job)
        return job

    def quick_deploy(self, validation_id: str, duration: float | None = None) -> Job:
        validation = self.get(validation_id)
        with self._lock:
            fresh = time.time() - (validation.completed or 0) < VALIDATION_DAYS * 86400
            if not (validation.options.check_only and validation.success and not validation.quick_deployed and fresh
                    and validation.validated_generation == self._store.generation):
                raise DeployError("INVALID_ID_FIELD", f"The validation {validation_id} is not eligible for a quick deploy")
            package = self._zip(validation_id)
            validation.quick_deployed = True
            self._record(validation)
        options = Options(**{**asdict(validation.options), "check_only": False})
        job = Job(ids.new_id("Deploy"), options, time.time(), self.default_duration if duration is None else duration,
                  self._user_id, validation_of=validation_id)
        self._write_zip(job.id, package)
        with self._lock:
            self._jobs[job.id] = job
        self._schedule(job)
        return job

    def finish_all(self) -> None:
        """Stop the timers and finish whatever is still running (called when the org stops)."""
        for job in list(self._jobs.values()):
            if not job.done:
                self._finish(job)

    # --- the work ---------------------------------------------------------------------------

    def _finish(self, job: Job) -> None:
        with self._lock:
            if job.done:
                return
            self._unschedule(job.id)
            result = evaluate(self._zip(job.id), job.options.single_package, self._store)
            self._conclude(job, result)
            job.done, job.completed = True, time.time()
            self._record(job)

    def _conclude(self, job: Job, result: Evaluation) -> None:
        failed = result.failed_keys
        keys = [k for k in dict.fromkeys([*result.contents, *failed]) if k[0]]  # not package.xml itself
        job.components_total = len(keys) + len(result.deletions)
        if job.options.test_level is None and self._production and result.has_apex:
            job.options.test_level = "RunLocalTests"
        commit = set(result.contents) - failed
        problems = list(result.problems)
        if failed and not job.options.check_only and not job.options.rollback_on_error and not self._production:
            while True:  # partial: what passes once its failed neighbours are gone
                again = rejudge(result, commit, self._store).problems
                if not again:
                    break
                problems += again
                failed = failed | {(p.type, p.full_name) for p in again}
                commit -= failed
        elif failed:
            commit = set()
        ok = [k for k in keys if k not in failed]
        job.failures = [self._failure(p) for p in problems]
        job.successes = [self._success(k, result) for k in ok] + [
            Message(k[0], k[1], "destructiveChanges.xml", True, deleted=True) for k in result.deletions if not failed
        ] + [Message("", "package.xml", result.manifest_file, True, True)]
        if not failed:
            job.status = "Succeeded"
        elif commit:
            job.status = "SucceededPartial"
        else:
            job.status = "Failed"
        if job.options.check_only:
            job.validated_generation = self._store.generation
        elif commit or (result.deletions and not failed):
            deletes = {k: None for k in result.deletions} if not failed else {}
            changes = {**{k: result.contents[k] for k in commit}, **deletes}
            self._store.commit({**changes, **field_deletions(changes, self._store)})  # layouts lose the field

    def _success(self, key, result: Evaluation) -> Message:
        old = self._store.get(*key)
        new = result.contents.get(key)
        changed = old is not None and new is not None and (old.content, old.meta) != (new.content, new.meta)
        return Message(key[0], key[1], result.file_of(key), True, changed=changed, created=old is None,
                       id=old.id if old else None)

    @staticmethod
    def _failure(p) -> Message:
        return Message(p.type, p.full_name, p.file_name, False, problem=p.message, line=p.line or None,
                       column=p.column or None)

    def _check_test_options(self, options: Options) -> None:
        level = options.test_level
        if level is not None and level not in TEST_LEVELS:
            raise DeployError("INVALID_OPERATION", f"Invalid testLevel: {level}")
        if level == "NoTestRun" and self._production:
            raise DeployError("INVALID_OPERATION", "testLevel of NoTestRun cannot be used in production organizations")
        if level == "RunSpecifiedTests" and not options.run_tests:
            raise DeployError("INVALID_OPERATION", "No tests specified: runTests is required with RunSpecifiedTests")
        if options.run_tests and level != "RunSpecifiedTests":
            raise DeployError("INVALID_OPERATION", "runTests can only be used with a testLevel of RunSpecifiedTests")

    # --- timers and records -----------------------------------------------------------------

    def _schedule(self, job: Job) -> None:
        timer = threading.Timer(job.duration, self._finish, (job,))
        timer.daemon = True
        with self._lock:
            self._timers[job.id] = timer
        timer.start()

    def _unschedule(self, deploy_id: str) -> None:
        timer = self._timers.pop(deploy_id, None)
        if timer is not None and timer is not threading.current_thread():
            timer.cancel()

    def _record(self, job: Job) -> None:
        write_json(self._dir / f"{job.id}.json", asdict(job))
        if not (job.options.check_only and job.success and not job.quick_deployed):
            (self._dir / f"{job.id}.zip").unlink(missing_ok=True)
        records = sorted(self._dir.glob("*.json"), key=lambda p: p.stat().st_mtime)
        for old in records[:-KEEP_RECORDS]:
            old.unlink(missing_ok=True)
            old.with_suffix(".zip").unlink(missing_ok=True)

    def _load(self, deploy_id: str) -> Job | None:
        if not deploy_id.isalnum():
            return None
        raw = read_json(self._dir / f"{deploy_id}.json")
        if raw is None:
            return None
        raw = {k: v for k, v in raw.items() if k in Job.__dataclass_fields__}  # records of older versions
        raw["options"] = Options(**raw["options"])
        for key in ("successes", "failures"):
            raw[key] = [Message(**m) for m in raw[key]]
        job = Job(**raw)
        with self._lock:
            return self._jobs.setdefault(deploy_id, job)

    def _write_zip(self, deploy_id: str, data: bytes) -> None:
        write_atomic(self._dir / f"{deploy_id}.zip", data)

    def _zip(self, deploy_id: str) -> bytes:
        try:
            return (self._dir / f"{deploy_id}.zip").read_bytes()
        except FileNotFoundError:
            raise DeployError("INVALID_ID_FIELD", f"The package of deploy {deploy_id} is gone") from None


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
