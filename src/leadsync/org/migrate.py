"""Existing leads: `renamed_from` (move leads to the new status) and `stage_field.backfill` (give leads
with no stage one). Plans (`pending`) and execution (`finish`), on top of `org/records.py`.

The order keeps every lead on an active value whatever stops it half-way:

1. the package is deployed with each new status active AND each old status still active while open
   leads hold it, and the validation rules inactive (`phase_one_files`): no lead has moved yet;
2. leads move (`apply`): first the backfill (leads with no stage get one, by status, the old status
   read as its new name), then the renames (open leads holding an old status get the new one). Both
   through `LeadRecords.update`: sObject collections for up to 2,000 leads, Bulk API 2.0 above;
3. the leads are counted again and the package is deployed again as rendered (`phase_two_files`):
   rules active, old statuses inactive, except one that open leads still hold (a row that failed).

Converted leads are read-only in Salesforce: they keep the old status, are counted apart, and do not
keep an old value active. Run the deploy again after an interruption: step 1 finds the new values in
place, step 2 moves what is left, step 3 deactivates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Protocol

from leadsync.org.records import LeadRecords, RowFailure, UpdateResult, condition

if TYPE_CHECKING:
    from leadsync.org.client import OrgClient
    from leadsync.spec.model import Spec

STATUS = "Status"
LEAD_STATUS_FILE = "standardValueSets/LeadStatus.standardValueSet"


# --- the plan -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rename:
    old: str
    new: str
    leads: int = 0  # open (not converted) leads holding the old value: they move
    converted: int = 0  # converted leads holding it: read-only, they keep it
    field: str = "Lead.Status"

    def describe(self) -> str:
        return f"{self.field} '{self.old}' → '{self.new}'"


@dataclass(frozen=True)
class BackfillGroup:
    status: str | None  # the lead's status now (None: empty)
    stage: str  # the stage it gets
    leads: int


@dataclass(frozen=True)
class Backfill:
    field: str  # "Lead.Lead_Stage__c"
    groups: tuple[BackfillGroup, ...] = ()

    @property
    def leads(self) -> int:
        return sum(g.leads for g in self.groups)


@dataclass(frozen=True)
class MigrationPlan:
    renames: tuple[Rename, ...] = ()
    backfill: Backfill | None = None

    @property
    def leads(self) -> int:
        """Leads that would change: moved by a rename or given a stage (a lead may be both)."""
        return sum(r.leads for r in self.renames) + (self.backfill.leads if self.backfill else 0)

    @property
    def keep_active(self) -> frozenset[str]:
        """Old statuses the first deploy keeps active: open leads still hold them."""
        return frozenset(r.old for r in self.renames if r.leads > 0)

    @property
    def has_work(self) -> bool:
        return self.leads > 0

    def to_json(self) -> dict:
        return {
            "renames": [{"field": r.field, "from": r.old, "to": r.new, "leads": r.leads, "converted": r.converted}
                        for r in self.renames],
            "backfill": None if self.backfill is None else {
                "field": self.backfill.field, "leads": self.backfill.leads,
                "byStatus": [{"status": g.status, "stage": g.stage, "leads": g.leads} for g in self.backfill.groups],
            },
        }


def renames_of(spec: Spec) -> list[tuple[str, str]]:
    """(old, new) for every status with `renamed_from` naming a value the spec does not declare."""
    declared = {s.value for s in spec.statuses}
    return [(s.renamed_from, s.value) for s in spec.statuses if s.renamed_from and s.renamed_from not in declared]


def backfill_enabled(spec: Spec) -> bool:
    """`stage_field.backfill` written in the spec (an empty mapping too: every lead gets the default stage)."""
    sf = spec.stage_field
    return "backfill" in getattr(sf, "model_fields_set", ()) or bool(getattr(sf, "backfill", None))


def stage_for(spec: Spec, status: str | None) -> str:
    """The stage a lead with no stage gets: by its status (an old name read as the new one), else the default."""
    mapping = {k.casefold(): v for k, v in (getattr(spec.stage_field, "backfill", None) or {}).items()}
    renamed = {old.casefold(): new for old, new in renames_of(spec)}
    key = (status or "").casefold()
    key = renamed.get(key, key).casefold()
    return mapping.get(key, spec.default_stage.value)


def pending(spec: Spec, client: OrgClient, *, stage_field_in_org: bool | None = None) -> MigrationPlan:
    """What a deploy of `spec` would do to existing leads, counted in the org (one or two GROUP BY queries).

    `stage_field_in_org`: whether the org has the stage field yet (None: find out by asking; without it
    every open lead counts as having no stage).
    """
    records = LeadRecords(client)
    renames: list[Rename] = []
    pairs = renames_of(spec)
    if pairs:
        counts = records.count([STATUS, "IsConverted"])
        for old, new in pairs:
            open_, converted = 0, 0
            for (status, is_converted), n in counts.items():
                if status is not None and str(status).casefold() == old.casefold():
                    if _truthy(is_converted):
                        converted += n
                    else:
                        open_ += n
            renames.append(Rename(old, new, open_, converted))
    backfill = None
    if backfill_enabled(spec):
        backfill = Backfill(f"Lead.{spec.stage_field.name}", _backfill_groups(spec, records, stage_field_in_org))
    return MigrationPlan(tuple(renames), backfill)


def _backfill_groups(spec: Spec, records: LeadRecords, in_org: bool | None) -> tuple[BackfillGroup, ...]:
    from leadsync.org.session import OrgFault

    stage = spec.stage_field.name
    counts = None
    if in_org is not False:
        try:
            counts = records.count([STATUS], [condition(stage, None), condition("IsConverted", False)])
        except OrgFault as err:
            if err.code != "INVALID_FIELD":
                raise
    if counts is None:  # no stage field yet: every open lead has no stage
        counts = records.count([STATUS], [condition("IsConverted", False)])
    groups: dict[tuple[str | None, str], int] = {}
    for (status,), n in sorted(counts.items(), key=lambda kv: (kv[0][0] is None, str(kv[0][0]))):
        key = (status, stage_for(spec, status))
        groups[key] = groups.get(key, 0) + n
    return tuple(BackfillGroup(s, st, n) for (s, st), n in groups.items() if n)


def _truthy(value) -> bool:
    return value is True or str(value).lower() == "true"


# --- packages -------------------------------------------------------------------------------------


LEAD_OBJECT_FILE = "objects/Lead.object"


def phase_one_files(files: dict[str, bytes], plan: MigrationPlan) -> dict[str, bytes]:
    """The package deployed before leads move: the rendered one, except that every old status open
    leads hold stays active (not default), and the validation rules are inactive while leads move
    (Salesforce runs them on every API update; a moved lead must not fail a guard it never chose).
    Unchanged when no lead moves."""
    if not plan.has_work:
        return files
    return _rules_inactive(with_statuses_active(files, plan.keep_active))


def phase_two_files(files: dict[str, bytes], still_held: frozenset[str] = frozenset()) -> dict[str, bytes]:
    """The package deployed after leads moved: as rendered (old statuses inactive, rules active), except
    old statuses that open leads still hold (a failed move), which stay active."""
    return with_statuses_active(files, still_held)


def with_statuses_active(files: dict[str, bytes], names: frozenset[str]) -> dict[str, bytes]:
    if not names or LEAD_STATUS_FILE not in files:
        return files
    from leadsync.metadata.parse import child, children, parse_xml

    root = parse_xml(LEAD_STATUS_FILE, files[LEAD_STATUS_FILE])
    for value in children(root, "standardValue"):
        name, active = child(value, "fullName"), child(value, "isActive")
        if name is not None and (name.text or "") in names and active is not None:
            active.text = "true"
    return {**files, LEAD_STATUS_FILE: _xml(root)}


def _rules_inactive(files: dict[str, bytes]) -> dict[str, bytes]:
    if LEAD_OBJECT_FILE not in files:
        return files
    from leadsync.metadata.parse import child, children, parse_xml

    root = parse_xml(LEAD_OBJECT_FILE, files[LEAD_OBJECT_FILE])
    changed = False
    for rule in children(root, "validationRules"):
        active = child(rule, "active")
        if active is not None and (active.text or "").strip() == "true":
            active.text, changed = "false", True
    return {**files, LEAD_OBJECT_FILE: _xml(root)} if changed else files


def _xml(root) -> bytes:
    from lxml import etree

    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"


# --- execution ------------------------------------------------------------------------------------


class MoveProgress(Protocol):
    def moving(self, label: str, total: int) -> None: ...

    def moved(self, count: int) -> None: ...

    def moved_all(self) -> None: ...


class NoMoveProgress:
    def moving(self, label: str, total: int) -> None:
        pass

    def moved(self, count: int) -> None:
        pass

    def moved_all(self) -> None:
        pass


@dataclass(frozen=True)
class RenameResult:
    rename: Rename
    moved: int = 0
    failed: int = 0
    remaining: int = 0  # open leads still holding the old value after the move
    converted: int = 0  # converted leads holding it (kept)


@dataclass(frozen=True)
class MigrationResult:
    plan: MigrationPlan
    renames: tuple[RenameResult, ...] = ()
    backfilled: int = 0
    backfill_failed: int = 0
    failures: tuple[RowFailure, ...] = ()  # the first few failed rows, with Salesforce's error
    apis: tuple[str, ...] = ()  # "collections", "bulk2": how leads were saved
    deactivated: tuple[str, ...] = ()  # old statuses deactivated after the move (second deploy)
    deactivation_id: str | None = None  # the second deploy's id
    deactivation_error: str | None = None
    applied: bool = True  # False for a validation (--dry-run): the plan only

    @property
    def complete(self) -> bool:
        """Every open lead moved and every old status that was kept active is now inactive."""
        if not self.applied:
            return False
        return (all(r.remaining == 0 for r in self.renames) and self.backfill_failed == 0
                and self.deactivation_error is None)

    def deactivated_value(self, old: str) -> bool:
        """Whether the old status is inactive now: by the second deploy, or by the first (no open lead held it)."""
        if old in self.deactivated:
            return True
        r = next((r for r in self.renames if r.rename.old == old), None)
        return self.applied and r is not None and r.remaining == 0 and old not in self.plan.keep_active

    def to_json(self) -> dict:
        doc = self.plan.to_json()
        moved = {r.rename.old: r for r in self.renames}
        for item in doc["renames"]:
            r = moved.get(item["from"])
            item.update(moved=r.moved if r else 0, failed=r.failed if r else 0,
                        remaining=r.remaining if r else item["leads"],
                        deactivated=self.deactivated_value(item["from"]))
        if doc["backfill"] is not None:
            doc["backfill"].update(filled=self.backfilled, failed=self.backfill_failed)
        doc.update(applied=self.applied, complete=self.complete, apis=list(self.apis),
                   deactivationId=self.deactivation_id, deactivationError=self.deactivation_error,
                   failures=[{"id": f.id, "error": f.error} for f in self.failures])
        return doc


MAX_FAILURES_KEPT = 20


def apply(client: OrgClient, spec: Spec, plan: MigrationPlan, progress: MoveProgress = NoMoveProgress(),
          *, records: LeadRecords | None = None) -> MigrationResult:
    """Move the leads (after the first deploy): backfill, then renames; count again. No deploy here."""
    records = records or LeadRecords(client)
    failures: list[RowFailure] = []
    apis: list[str] = []
    backfilled = backfill_failed = 0
    if plan.backfill is not None:
        stage = spec.stage_field.name
        pairs = [(r["Id"], stage_for(spec, r[STATUS]))
                 for r in records.select(["Id", STATUS], [condition(stage, None), condition("IsConverted", False)],
                                         expected=plan.backfill.leads)]
        done = _update(records, stage, pairs, f"backfilling {plan.backfill.field}", progress)
        backfilled, backfill_failed = done.updated, done.failed
        failures += done.failures
        apis.append(done.api)
    moved: dict[str, tuple[int, int]] = {}
    rows: list[tuple[str, str]] = []
    owner: list[str] = []
    for r in plan.renames:
        for rec in records.select(["Id"], [condition(STATUS, r.old), condition("IsConverted", False)],
                                  expected=r.leads):
            rows.append((rec["Id"], r.new))
            owner.append(r.old)
    if rows:
        olds = dict.fromkeys(owner)
        label = (f"moving leads off '{next(iter(olds))}'" if len(olds) == 1
                 else f"moving leads off {len(olds)} renamed statuses")
        done = _update(records, STATUS, rows, label, progress)
        failed_ids = {f.id[:15] for f in done.failures}
        for (lead_id, _new), old in zip(rows, owner):
            ok, bad = moved.get(old, (0, 0))
            moved[old] = (ok, bad + 1) if lead_id[:15] in failed_ids else (ok + 1, bad)
        failures += done.failures
        apis.append(done.api)
    results = []
    if plan.renames:
        remaining = {r.old: (r.leads, r.converted) for r in _recount(spec, records).renames}
        for r in plan.renames:
            ok, bad = moved.get(r.old, (0, 0))
            left, converted = remaining.get(r.old, (0, 0))
            results.append(RenameResult(r, ok, bad, left, converted))
    return MigrationResult(plan, tuple(results), backfilled, backfill_failed, tuple(failures[:MAX_FAILURES_KEPT]),
                           tuple(a for a in apis if a != "none"))


def _recount(spec: Spec, records: LeadRecords) -> MigrationPlan:
    counts = records.count([STATUS, "IsConverted"])
    out = []
    for old, new in renames_of(spec):
        open_ = sum(n for (s, c), n in counts.items() if s is not None and str(s).casefold() == old.casefold()
                    and not _truthy(c))
        conv = sum(n for (s, c), n in counts.items() if s is not None and str(s).casefold() == old.casefold()
                   and _truthy(c))
        out.append(Rename(old, new, open_, conv))
    return MigrationPlan(tuple(out))


def _update(records: LeadRecords, field_name: str, pairs: list[tuple[str, str]], label: str,
            progress: MoveProgress) -> UpdateResult:
    if not pairs:
        return UpdateResult()
    progress.moving(label, len(pairs))
    try:
        return records.update_column(field_name, pairs, progress.moved)
    finally:
        progress.moved_all()


Redeploy = Callable[[dict[str, bytes]], "tuple[str | None, bool, str | None]"]  # files -> (id, success, problem)


def finish(client: OrgClient, spec: Spec, plan: MigrationPlan, files: dict[str, bytes], redeploy: Redeploy,
           progress: MoveProgress = NoMoveProgress()) -> MigrationResult:
    """After the first deploy succeeded: move the leads, then deactivate the old statuses kept active."""
    result = apply(client, spec, plan, progress)
    if not plan.has_work:
        return result
    # Some open leads may still hold an old value (a failed row): it stays active; run the deploy again.
    held = frozenset(r.rename.old for r in result.renames if r.remaining)
    deploy_id, ok, problem = redeploy(phase_two_files(files, held))
    if not ok:
        return replace(result, deactivation_id=deploy_id,
                       deactivation_error=problem or "the deploy that deactivates the old statuses failed")
    return replace(result, deactivation_id=deploy_id, deactivated=tuple(sorted(plan.keep_active - held)))


def planned(plan: MigrationPlan) -> MigrationResult:
    """A validation's view: what the deploy would move, nothing moved."""
    return MigrationResult(plan, applied=False)


def exempt_renamed(removals: tuple, plan: MigrationPlan) -> tuple:
    """Removals (org/guards.py) of renamed statuses are not destructive: their open leads move first.

    One that open leads hold is not deactivated by the first deploy at all (`finish` does it after the
    move): it is dropped. One that only converted leads hold is deactivated at once, blocking nothing.
    """
    keep = {o.casefold() for o in plan.keep_active}
    old = {r.old.casefold() for r in plan.renames}
    out = []
    for r in removals:
        renamed = r.field == "Lead.Status" and r.value.casefold() in old
        if renamed and r.value.casefold() in keep:
            continue
        out.append(replace(r, leads=0) if renamed else r)
    return tuple(out)


__all__ = [
    "Backfill",
    "BackfillGroup",
    "MigrationPlan",
    "MigrationResult",
    "MoveProgress",
    "NoMoveProgress",
    "Rename",
    "RenameResult",
    "apply",
    "backfill_enabled",
    "exempt_renamed",
    "finish",
    "pending",
    "phase_one_files",
    "phase_two_files",
    "planned",
    "renames_of",
    "stage_for",
]
