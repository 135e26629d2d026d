"""`plan`: what a deploy of a spec would change in an org, value by value. The one read-only use case.

1. one retrieve of everything the spec manages (the Lead object with all its children, which also
   brings the org's own fields, processes, record types and rules; LeadStatus; the flow, permission
   sets and other components the spec renders by name), parsed into the model the renderer fills;
2. `metadata.diff.compare` against the compiled bundle (pure);
3. for every picklist value the deploy deactivates (a status or stage left out, a `renamed_from`),
   the leads holding it, open and converted apart: one `GROUP BY` query per field that loses a value;
   `renamed_from` and `stage_field.backfill` counted by `org/migrate.py`;
4. preflight findings: Salesforce limits and gaps a deploy would run into (`Finding`).

Nothing is deployed or written here. A retrieve the org refuses, that fails or that does not finish in
time raises `RetrieveFailed` (exit 3).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from leadsync.errors import OrgUnreachable
from leadsync.metadata import diff as d
from leadsync.metadata import model as m
from leadsync.org.guards import STANDARD_VALUE_SET_FIELDS, Removal, lead_counts_by_conversion
from leadsync.org.poll import PollPolicy

if TYPE_CHECKING:
    from leadsync.build import BuildResult
    from leadsync.org.client import OrgClient, OrgInfo

# Salesforce: at most 20 fields per object with field history tracking.
HISTORY_LIMIT = 20
# A retrieve of a few components takes Salesforce a second or two: look early, then back off.
RETRIEVE_POLICY = PollPolicy(first_interval=0.05, factor=2.0, prompt_interval=1.0)
RETRIEVE_TIMEOUT = 10 * 60.0


class RetrieveFailed(OrgUnreachable):
    """The org's current metadata could not be retrieved (refused, failed, timed out): nothing was deployed."""


@dataclass(frozen=True)
class ValueCount:
    """Leads holding a picklist value the deploy deactivates or renames."""

    field: str  # "Lead.Status", "Lead.Lead_Stage__c"
    value: str
    leads: int = 0  # open leads (not converted)
    converted: int = 0  # converted leads: read-only, they keep the value whatever happens
    renamed_to: str | None = None  # renamed_from: open leads move to this value

    def describe(self) -> str:
        held = f"{self.leads:,} lead{'' if self.leads == 1 else 's'}"
        if self.converted:
            held += f", {self.converted:,} converted"
        return held

    def to_json(self) -> dict:
        return {"field": self.field, "value": self.value, "leads": self.leads, "converted": self.converted,
                "renamedTo": self.renamed_to}


@dataclass(frozen=True)
class Finding:
    """A preflight finding: something the deploy would run into or leave undone."""

    kind: str  # history-limit | missing-field | process-statuses | flow-activation | missing-layout
    message: str

    def to_json(self) -> dict:
        return {"kind": self.kind, "message": self.message}


@dataclass(frozen=True)
class Plan:
    org: OrgInfo | None
    diffs: tuple[d.ComponentDiff, ...] = ()
    counts: tuple[ValueCount, ...] = ()
    findings: tuple[Finding, ...] = ()
    migration: Any = None  # org/migrate.py MigrationPlan (renamed_from, backfill), when the spec has either
    layouts: tuple = ()  # org/layouts.py LayoutChange: the org's Lead layouts, patched to show the fields
    current: m.Bundle | None = None  # the org's side, as retrieved and parsed
    # Obsolete Lead fields -> leads holding a value in them (deleting the field takes the values with it).
    field_values: tuple[tuple[str, int], ...] = ()

    @property
    def has_changes(self) -> bool:
        return bool(self.diffs) or bool(self.layouts) or bool(self.migration is not None and self.migration.has_work)

    @property
    def to_send(self) -> set[d.Key]:
        """Components to deploy: added or changed."""
        return {x.key for x in self.diffs if x.sign != d.REMOVE}

    @property
    def obsolete(self) -> tuple[d.ComponentDiff, ...]:
        """Components leadsync rendered before and no longer renders (destructiveChanges)."""
        return tuple(x for x in self.diffs if x.sign == d.REMOVE)

    def retirements(self) -> tuple[tuple[d.Key, ...], tuple[Any, ...]]:
        """How the obsolete components go: (deleted, deactivated records). Salesforce does not delete a
        record type through the API, so an obsolete one is deactivated; so is an obsolete lead process
        that a record type of the org still uses (it could not be deleted). Everything else is deleted."""
        obsolete = [x.key for x in self.obsolete]
        record_types = {rt.full_name: rt for rt in (self.current.lead.record_types if self.current else ())}
        processes = {bp.full_name: bp for bp in (self.current.lead.business_processes if self.current else ())}
        in_use = {rt.business_process for rt in record_types.values()}
        deleted, deactivated = [], []
        for type_, name in obsolete:
            short = name.split(".", 1)[1]
            if type_ == "RecordType" and short in record_types:
                deactivated.append(replace(record_types[short], active=False))
            elif type_ == "BusinessProcess" and short in in_use and short in processes:
                deactivated.append(replace(processes[short], is_active=False))
            else:
                deleted.append((type_, name))
        return tuple(deleted), tuple(deactivated)

    def count(self, field_name: str, value: str) -> ValueCount | None:
        return next((c for c in self.counts if c.field == field_name and c.value.casefold() == value.casefold()), None)

    @property
    def removals(self) -> tuple[Removal, ...]:
        """The value-removal guard's view (org/guards.py): deactivated values with their open and converted leads."""
        return tuple(Removal(c.field, c.value, c.leads, c.converted) for c in self.counts)


# --- the use case ---------------------------------------------------------------------------------


def make_plan(org: OrgClient, built: BuildResult, info: OrgInfo | None = None, *,
              policy: PollPolicy = RETRIEVE_POLICY, timeout: float = RETRIEVE_TIMEOUT) -> Plan:
    """Retrieve, compare, count, check. `built` is the command's one build (build.build, mdapi)."""
    from leadsync.metadata.parse import parse_files

    bundle, spec = built.bundle, built.load.spec
    members = retrieve_members(bundle)
    layout_names, missing_layouts = _layout_names(org, spec)
    if layout_names:
        members["Layout"] = layout_names
    files = retrieve_files(org, members, policy=policy, timeout=timeout)
    current = parse_files(files)
    diffs = d.compare(current, bundle, _same_content(current, bundle, files, built.files))
    migration = _migration(org, spec, current)
    counts = value_counts(org, current, diffs, spec, migration)
    findings = preflight(spec, bundle, current, files)
    if bundle.flows:  # production orgs deploy flows inactive unless they allow otherwise (org/activation.py)
        from leadsync.org.activation import activation_findings, flow_activation

        found = activation_findings(flow_activation(org, info or org.org_info()), bundle)
        findings = (*findings, *(Finding(kind, message) for kind, message in found))
    findings = (*findings, *(Finding("missing-layout", f"layout '{name}' is named in the spec's layouts but the "
                                     "org does not have it: skipped") for name in missing_layouts))
    return Plan(info, diffs, counts, findings, migration, tuple(_layout_changes(files, layout_names, bundle)), current,
                obsolete_field_values(org, diffs))


def obsolete_field_values(org: OrgClient, diffs: tuple[d.ComponentDiff, ...]) -> tuple[tuple[str, int], ...]:
    """For each obsolete Lead field, the leads holding a value in it: one COUNT query per field."""
    out = []
    for x in diffs:
        if x.sign == d.REMOVE and x.type == "CustomField" and x.name.startswith(f"{m.OBJECT}."):
            name = x.name.split(".", 1)[1]
            rows = org.query(f"SELECT COUNT(Id) n FROM {m.OBJECT} WHERE {name} != null")
            out.append((x.name, int((rows[0].get("n") or rows[0].get("expr0") or 0) if rows else 0)))
    return tuple(out)


def _layout_names(org: OrgClient, spec) -> tuple[list[str], list[str]]:
    """The org's Lead layouts the spec asks to patch (org/layouts.py), and those the spec names that the
    org does not have; listMetadata, no retrieve."""
    from leadsync.org import layouts

    if getattr(spec, "layouts", "all") == "none":
        return [], []
    available = layouts.list_layouts(org)
    return layouts.layout_names(spec, available), layouts.missing_layouts(spec, available)


def _layout_changes(files: dict[str, bytes], names: list[str], bundle: m.Bundle) -> list:
    """Each retrieved layout patched in memory to show the generated fields; only those that change."""
    from leadsync.org import layouts

    wanted = layouts.wanted_fields(bundle)
    out = []
    for name in names:
        data = next((v for k, v in files.items() if k.endswith(f"{layouts.FOLDER}/{name}.layout")), None)
        patched = layouts.patch_layout(data, wanted) if data is not None else None
        if patched is not None:
            out.append(layouts.LayoutChange(name, patched[1], patched[0]))
    return out


def retrieve_members(bundle: m.Bundle) -> dict[str, list[str]]:
    """package.xml members of one retrieve: the whole Lead object (every child: the org's own and
    those leadsync rendered before), LeadStatus, and every other component the bundle holds by name."""
    members = {t: list(v) for t, v in bundle.members().items() if t not in d.REMOVABLE_TYPES}
    members["CustomObject"] = [m.OBJECT]
    members.setdefault("StandardValueSet", [])
    for name in STANDARD_VALUE_SET_FIELDS:
        if name not in members["StandardValueSet"]:
            members["StandardValueSet"].append(name)
    return {t: sorted(v) for t, v in sorted(members.items())}


def retrieve_files(org: OrgClient, members: dict[str, list[str]], *, policy: PollPolicy = RETRIEVE_POLICY,
                   timeout: float = RETRIEVE_TIMEOUT) -> dict[str, bytes]:
    """The retrieved package as {path: bytes}; any failure is RetrieveFailed (exit 3, nothing deployed)."""
    import zipfile

    from leadsync.org.session import OrgFault

    try:
        data = org.retrieve(members, timeout=timeout, policy=policy)
    except OrgFault as err:
        raise RetrieveFailed(f"could not retrieve the org's current metadata: {err}; nothing was deployed") from err
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return {n: archive.read(n) for n in archive.namelist() if not n.endswith("/")}
    except (zipfile.BadZipFile, EOFError, ValueError) as err:
        raise RetrieveFailed(f"the org's retrieve result is not a readable zip: {err}; nothing was deployed") from None


def _same_content(current: m.Bundle, bundle: m.Bundle, retrieved: dict[str, bytes],
                  rendered: dict[str, bytes]) -> dict[d.Key, bool]:
    """For components the model does not parse (yet) but the org has: is its XML the rendered XML?"""
    from leadsync.metadata.parse import classify

    modelled = d.components(current)
    wanted = [k for k in d.components(bundle) if k not in modelled and k[0] != "CustomObject"]
    if not wanted:
        return {}

    def by_key(files: dict[str, bytes]) -> dict[d.Key, dict[str, bytes]]:
        out: dict[d.Key, dict[str, bytes]] = {}
        for path, data in files.items():
            kind = classify(path)
            if kind in wanted:
                out.setdefault(kind, {})[path.rsplit("/", 1)[-1]] = data
        return out

    theirs, ours = by_key(retrieved), by_key(rendered)
    return {k: _canonical(theirs[k]) == _canonical(ours.get(k, {})) for k in wanted if k in theirs}


def _canonical(files: dict[str, bytes]) -> dict[str, bytes]:
    """Each file as canonical XML without insignificant whitespace (or its stripped bytes, for Apex)."""
    from lxml import etree

    out = {}
    for name, data in files.items():
        try:
            root = etree.fromstring(data, etree.XMLParser(remove_blank_text=True, remove_comments=True,
                                                          resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError:
            out[name] = data.strip()
            continue
        for el in root.iter():
            if el.text is not None and not el.text.strip():
                el.text = None
            if el.tail is not None and not el.tail.strip():
                el.tail = None
        out[name] = etree.tostring(root, method="c14n")
    return out


# --- leads holding values -------------------------------------------------------------------------


def _picklist_field(component: d.ComponentDiff) -> str | None:
    """The Lead field whose values a component holds ("Lead.Status" for LeadStatus), if a picklist."""
    if component.type == "StandardValueSet":
        name = STANDARD_VALUE_SET_FIELDS.get(component.name)
        return f"{m.OBJECT}.{name}" if name else None
    if component.type == "CustomField":
        return component.name
    return None


def deactivated_values(diffs: tuple[d.ComponentDiff, ...]) -> dict[str, list[str]]:
    """Lead field -> the values the deploy deactivates, in the diff's order."""
    out: dict[str, list[str]] = {}
    for component in diffs:
        field_name = _picklist_field(component)
        if field_name is None or component.sign != d.CHANGE:
            continue
        for c in component.changes:
            if c.sign == d.REMOVE and c.what.startswith("value '") and c.what.endswith("'"):
                out.setdefault(field_name, []).append(c.what[len("value '"):-1])
    return out


def value_counts(org: OrgClient, current: m.Bundle, diffs: tuple[d.ComponentDiff, ...], spec,
                 migration=None) -> tuple[ValueCount, ...]:
    """Leads holding each value the deploy deactivates, open and converted apart (one query per field).

    A renamed status (`renamed_from`) is counted by org/migrate.py already; its open leads move."""
    renamed = {(r.field, r.old.casefold()): r for r in (migration.renames if migration is not None else ())}
    out: list[ValueCount] = []
    for field_name, values in deactivated_values(diffs).items():
        todo = [v for v in values if (field_name, v.casefold()) not in renamed]
        counts = lead_counts_by_conversion(org, field_name.split(".", 1)[1]) if todo else {}
        for v in values:
            r = renamed.get((field_name, v.casefold()))
            if r is not None:
                out.append(ValueCount(field_name, v, r.leads, r.converted, renamed_to=r.new))
            else:
                open_, converted = counts.get(v.casefold(), (0, 0))
                out.append(ValueCount(field_name, v, open_, converted))
    return tuple(out)


def _migration(org: OrgClient, spec, current: m.Bundle):
    """renamed_from and stage_field.backfill, counted by org/migrate.py (None when the spec has neither)."""
    from leadsync.org import migrate

    if not migrate.renames_of(spec) and not migrate.backfill_enabled(spec):
        return None
    return migrate.pending(spec, org, stage_field_in_org=current.lead.field(spec.stage_field.name) is not None)


# --- preflight ------------------------------------------------------------------------------------


def preflight(spec, bundle: m.Bundle, current: m.Bundle, retrieved: dict[str, bytes]) -> tuple[Finding, ...]:
    lead_fields = _org_lead_fields(retrieved)
    return (*_history_limit(bundle, lead_fields), *_missing_fields(spec, bundle, lead_fields),
            *_processes_without_new_statuses(bundle, current))


def _org_lead_fields(retrieved: dict[str, bytes]) -> dict[str, bool]:
    """Every Lead field the retrieve shows (standard ones too, in a real org): name -> history tracked."""
    from leadsync.metadata.parse import flag, read_components

    out: dict[str, bool] = {}
    for c in read_components(retrieved):
        if c.type == "CustomField" and c.object_name == m.OBJECT and c.element is not None:
            out[c.short_name] = bool(flag(c.element, "trackHistory", False))
    return out


def _history_limit(bundle: m.Bundle, lead_fields: dict[str, bool]) -> list[Finding]:
    ours = {f.full_name for f in bundle.lead.fields if getattr(f, "track_history", False)}
    if not ours:
        return []
    tracked = {n for n, on in lead_fields.items() if on} | ours
    if len(tracked) <= HISTORY_LIMIT:
        return []
    in_org = {n for n, on in lead_fields.items() if on}
    return [Finding("history-limit",
                    f"field history tracking: Lead would track {len(tracked)} fields ({len(in_org)} tracked in the "
                    f"org, {len(ours - in_org)} added by the spec), past Salesforce's limit of {HISTORY_LIMIT} per "
                    "object, so the deploy will fail: set stage_field.track_history: false, or stop tracking a "
                    "field in the org")]


def transition_fields(spec) -> list[tuple[str, str]]:
    """(transition name, Lead field) for every field a transition's conditions test or its `set` writes."""
    from leadsync.spec.model import AnyOf, Changed, FieldCompare

    out: list[tuple[str, str]] = []

    def walk(name, conditions):
        for c in conditions:
            if isinstance(c, FieldCompare):
                out.append((name, c.field))
            elif isinstance(c, Changed) and c.changed not in ("status", "stage"):
                out.append((name, c.changed))
            elif isinstance(c, AnyOf):
                walk(name, c.any)

    for t in spec.transitions:
        walk(t.name, t.when)
        out.extend((t.name, f) for f in t.set.fields)
    return out


def _missing_fields(spec, bundle: m.Bundle, lead_fields: dict[str, bool]) -> list[Finding]:
    have = {n.casefold() for n in lead_fields} | {f.full_name.casefold() for f in bundle.lead.fields}
    missing: dict[str, list[str]] = {}
    for transition, name in transition_fields(spec):
        if name.casefold().endswith("__c") and name.casefold() not in have:
            missing.setdefault(name, []).append(transition)
    return [Finding("missing-field",
                    f"Lead.{name} does not exist in the org (transition{'s' if len(ts) > 1 else ''} "
                    f"{', '.join(repr(t) for t in dict.fromkeys(ts))}); the flow will not deploy: create the "
                    "field first")
            for name, ts in missing.items()]


def _processes_without_new_statuses(bundle: m.Bundle, current: m.Bundle) -> list[Finding]:
    def active(b: m.Bundle) -> list[str]:
        svs = next((s for s in b.standard_value_sets if s.full_name == "LeadStatus"), None)
        return [v.full_name for v in svs.active_values] if svs else []

    before = {v.casefold() for v in active(current)}
    new = [v for v in active(bundle) if v.casefold() not in before]
    if not new:
        return []
    ours = {p.full_name for p in bundle.lead.business_processes}
    shown = ", ".join(f"'{v}'" for v in new)
    return [Finding("process-statuses",
                    f"lead process '{p.full_name}' is not managed by this spec and will not offer the new "
                    f"status{'es' if len(new) > 1 else ''} {shown} (Salesforce does not add them): add them in "
                    "Setup, or list the process under lead_processes")
            for p in current.lead.business_processes if p.full_name not in ours and p.is_active]




# --- the command's use case -----------------------------------------------------------------------


@dataclass(frozen=True)
class PlanOutcome:
    plan: Plan | None  # None when the spec has errors (nothing was asked of the org)
    diagnostics: tuple = ()


def plan_spec(spec_path, connect, *, template_dir=None, progress=None, retry_policy=None,
              retrieve_policy: PollPolicy = RETRIEVE_POLICY, timeout: float = RETRIEVE_TIMEOUT) -> PlanOutcome:
    """Build the spec once, then plan it against the org `connect(api_version)` opens. Read-only: a
    production org is planned without --allow-production (nothing is deployed)."""
    from leadsync.build import build
    from leadsync.org.poll import DEFAULT_POLICY, retry_unless_unreachable, with_retries

    built = build(spec_path, layout="mdapi", template_dir=template_dir)
    diagnostics = tuple(built.diagnostics)
    if not built.ok:
        return PlanOutcome(None, diagnostics)
    with connect(getattr(built.load.spec, "api_version", None)) as org:
        org.warm_up()
        if progress is not None:
            progress.phase(f"connecting to {org.instance_url}")
        info = with_retries(org.org_info, policy=retry_policy or DEFAULT_POLICY, retryable=retry_unless_unreachable)
        if progress is not None:
            progress.phase(f"retrieving what the spec manages from {info.name}")
        return PlanOutcome(make_plan(org, built, info, policy=retrieve_policy, timeout=timeout), diagnostics)


__all__ = ["Finding", "Plan", "PlanOutcome", "RetrieveFailed", "ValueCount", "make_plan", "plan_spec", "retrieve_members"]
