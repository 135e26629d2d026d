"""`leadsync import`: a spec from what an org (or a folder of metadata) already holds.

What is read: LeadStatus (statuses), the stage picklist (`--stage-field`, else the Lead picklist leadsync
rendered, else `Lead_Stage__c`), the unqualified-reason picklist, lead processes (BusinessProcess) and
the record types that use them, and the validation rules leadsync rendered (guards, `requires_reason`).
What the spec cannot say (inactive statuses, other rules and flows, a lifecycle flow's transitions,
picklists that might be a stage) becomes a YAML comment beside where it would go and a warning: nothing
is dropped silently. Without a stage field, the spec gets a default stage list and a comment saying so.

`import_files(files, ...) -> Imported` works on a package's files (mdapi or source layout, as
`metadata/parse.py` reads them); `read_dir(path)` collects them from a folder; `retrieve_members()` is
what to retrieve from an org. The YAML is written by a small emitter of our own (pyyaml quotes the
scalars), so that comments sit where they belong and the output is byte-for-byte deterministic.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from leadsync.metadata import model as m

DEFAULT_STAGES = (("Lead", None), ("MQL", "Marketing Qualified Lead"), ("SQL", "Sales Qualified Lead"),
                  ("Opportunity", None), ("Customer", None))
DEFAULT_STAGE_FIELD = "Lead_Stage__c"
DEFAULT_REASON_FIELD = "Unqualified_Reason__c"
MAX_FILE_BYTES = 20 * 1024 * 1024


@dataclass
class Imported:
    text: str  # the spec, YAML with comments
    warnings: list[str] = field(default_factory=list)
    spec: dict = field(default_factory=dict)  # the same values as plain data (for tests and round trips)


def retrieve_members() -> dict[str, list[str]]:
    """What `import` retrieves from an org: LeadStatus, the whole Lead object (fields, processes, record
    types, rules) and the flows."""
    return {"CustomObject": ["Lead"], "Flow": ["*"], "StandardValueSet": ["LeadStatus"]}


def read_dir(path: str | os.PathLike) -> dict[str, bytes]:
    """Every metadata file under a folder (an mdapi package or a source project), keyed by relative path."""
    from leadsync.errors import UsageError
    from leadsync.metadata.parse import classify

    root = Path(path)
    if not root.is_dir():
        raise UsageError(f"--from-dir {path}: not a folder")
    files: dict[str, bytes] = {}
    for p in sorted(root.rglob("*")):
        if not p.is_file() or p.stat().st_size > MAX_FILE_BYTES:
            continue
        rel = p.relative_to(root).as_posix()
        if classify(rel) is not None or p.name in ("package.xml", "sfdx-project.json"):
            files[rel] = p.read_bytes()
    if not any(classify(rel) for rel in files):
        from leadsync.errors import LeadsyncError

        raise LeadsyncError(f"no metadata files under {path} (an mdapi package, or a source project such as "
                            "`sf project retrieve start` writes)")
    return files


# --- the spec ---------------------------------------------------------------------------------------


def import_files(files: Mapping[str, bytes], *, name: str = "imported", stage_field: str | None = None,
                 api_version: str | None = None) -> Imported:
    from leadsync.metadata.parse import parse_files

    bundle = parse_files(files)
    return import_bundle(bundle, name=name, stage_field=stage_field, api_version=api_version or bundle.api_version)


def import_bundle(bundle: m.Bundle, *, name: str = "imported", stage_field: str | None = None,
                  api_version: str | None = None) -> Imported:
    from leadsync.metadata.ownership import is_owned, unmark

    out = _Doc()
    warnings: list[str] = []
    owned_flow = next((f for f in bundle.flows if is_owned(f.description) and f.start.object == m.OBJECT), None)
    spec: dict[str, Any] = {"leadsync": 1, "name": _spec_name(name)}
    if owned_flow is not None and owned_flow.label.endswith(" Lead Lifecycle"):
        own = owned_flow.label[: -len(" Lead Lifecycle")]  # the spec's own name, as compile labels the flow
        if _valid_name(own):
            spec["name"] = own

    def warn(text: str) -> None:
        warnings.append(text)

    def not_imported(what: str, values, note: str = "") -> None:
        """A picklist's inactive values: a comment under the imported ones, and a warning."""
        inactive = [v.full_name for v in values if not v.is_active]
        if inactive:
            out.line(f"  # inactive in the org, not imported{note}: {', '.join(inactive)}")
            warn(f"{what}: inactive values not imported: {', '.join(inactive)}")

    pick = {f.full_name: f for f in bundle.lead.fields if isinstance(f, m.PicklistField)}
    dates = {f.full_name: f for f in bundle.lead.fields if isinstance(f, m.DateTimeField)}
    rules = list(bundle.lead.validation_rules)
    owned_rules = [r for r in rules if is_owned(r.description)]

    # reason field: named by an owned *_Required rule, else the default name
    reason_name = next((r.error_display_field for r in owned_rules if r.full_name.endswith("_Required")
                        and r.error_display_field in pick), None)
    reason_name = reason_name or (DEFAULT_REASON_FIELD if DEFAULT_REASON_FIELD in pick else None)
    # stage field: asked for, else an owned picklist that is not the reason, else the default name
    stage_name = stage_field
    if stage_name is not None and stage_name not in pick:
        warn(f"--stage-field {stage_name}: not a Lead picklist with values of its own (missing, another type, "
             "or a global value set leadsync cannot import); a default stage list is written")
        stage_name = None
    elif stage_name is None:
        owned = [n for n, f in pick.items() if is_owned(f.description) and n != reason_name]
        stage_name = owned[0] if owned else (DEFAULT_STAGE_FIELD if DEFAULT_STAGE_FIELD in pick else None)

    out.line("# Imported by `leadsync import`. Review it: comments mark what the spec cannot say.")
    out.kv("leadsync", 1)
    out.kv("name", spec["name"])
    if api_version:
        spec["api_version"] = api_version
        out.kv("api_version", api_version)

    # --- stage field and stages
    stages: list[dict] = []
    if stage_name is not None:
        sf = pick[stage_name]
        stage_values = [v for v in sf.values if v.is_active]
        stages = [_drop_none({"value": v.full_name, "label": v.label if v.label != v.full_name else None,
                              "description": unmark(v.description), "default": True if v.default else None})
                  for v in stage_values]
        spec["stage_field"] = _drop_none({"name": sf.full_name, "label": sf.label, "description": unmark(sf.description),
                                          "track_history": sf.track_history})
        stamp = _stamps_present(stages, dates, spec["stage_field"], spec["name"])
        if stamp:
            spec["stage_field"]["stamp_dates"] = True
        out.blank()
        out.mapping("stage_field", spec["stage_field"])
        not_imported(stage_name, sf.values)
        if len(stages) < 2:
            warn(f"{stage_name} has {len(stages)} active value(s); a spec needs at least 2 stages")
    else:
        stages = [_drop_none({"value": v, "label": label, "default": True if v == "Lead" else None})
                  for v, label in DEFAULT_STAGES]
        others = sorted(n for n in pick if n not in (reason_name,) and "stage" in n.lower())
        hint = f" (candidates: {', '.join(others)}; pass --stage-field NAME)" if others else ""
        warn(f"no stage field found{hint}: the spec gets a default stage list")
        out.blank()
        out.line("# No stage field was found in the org: these stages are leadsync's defaults, not the org's."
                 + (f"\n# Candidates: {', '.join(others)} (import again with --stage-field NAME)." if others else ""))
    spec["stages"] = stages
    if stage_name is not None:
        out.blank()
    out.items("stages", stages)

    # --- statuses
    svs = next((s for s in bundle.standard_value_sets if s.full_name == "LeadStatus"), None)
    statuses: list[dict] = []
    if svs is not None:
        statuses = [_drop_none({"value": v.full_name, "label": v.label if v.label != v.full_name else None,
                                "description": v.description, "default": True if v.default else None,
                                "converted": True if v.converted else None})
                    for v in svs.values if v.is_active]
    else:  # no LeadStatus: the values the lead processes use
        seen: dict[str, bool] = {}
        for bp in bundle.lead.business_processes:
            for v in bp.values:
                seen.setdefault(v.full_name, False)
                seen[v.full_name] = seen[v.full_name] or v.default
        first_default = next((k for k, d in seen.items() if d), None)
        statuses = [_drop_none({"value": k, "default": True if k == first_default else None}) for k in seen]
        if statuses:
            warn("no LeadStatus in the metadata: statuses are the values the lead processes use; "
                 "mark the converted one(s) (converted: true)")
    requires = _requires_reason(owned_rules, reason_name)
    for s in statuses:
        if s["value"] in requires:
            s["requires_reason"] = True
    if statuses and not any(s.get("default") for s in statuses):
        warn("LeadStatus has no default value: mark one status `default: true`")
    if statuses and not any(s.get("converted") for s in statuses):
        warn("LeadStatus has no converted value: mark one status `converted: true`")
    spec["statuses"] = statuses
    out.blank()
    if not statuses:
        warn("no LeadStatus and no lead process in the metadata: the spec has no statuses")
        out.line("# No LeadStatus was found: add the statuses.")
        out.line("statuses: []")
    else:
        out.items("statuses", statuses)
    if svs is not None:
        not_imported("LeadStatus", svs.values, note=" (leads may still hold them)")

    # --- unqualified reasons
    if reason_name is not None:
        rf = pick[reason_name]
        values = [v.full_name for v in rf.values if v.is_active]
        spec["unqualified_reasons"] = _drop_none({"field": rf.full_name, "label": rf.label,
                                                  "description": unmark(rf.description), "values": values})
        out.blank()
        out.mapping("unqualified_reasons", spec["unqualified_reasons"])
        not_imported(reason_name, rf.values)

    # --- lead processes and record types
    status_values = [s["value"] for s in statuses]
    by_process = {}
    for rt in bundle.lead.record_types:
        if rt.business_process:
            by_process.setdefault(rt.business_process, []).append(rt)
    processes = []
    unknown_in_processes: list[str] = []
    for bp in bundle.lead.business_processes:
        values = [v.full_name for v in bp.values if v.full_name in status_values]
        lost = [v.full_name for v in bp.values if v.full_name not in status_values]
        if lost:
            unknown_in_processes.append(f"{bp.full_name}: {', '.join(lost)}")
            warn(f"lead process {bp.full_name} offers values that are not active statuses, not imported: "
                 f"{', '.join(lost)}")
        default = next((v.full_name for v in bp.values if v.default and v.full_name in status_values), None)
        item: dict[str, Any] = {"name": bp.full_name, "description": unmark(bp.description)}
        item["statuses"] = "all" if values == status_values else values
        if default is not None:
            item["default"] = default
        rts = by_process.get(bp.full_name, [])
        if rts:
            item["record_type"] = rts[0].full_name
        processes.append(_drop_none(item))
        for extra in rts[1:]:
            warn(f"record type {extra.full_name} also uses lead process {bp.full_name}: a spec gives a process "
                 "one record type; not imported")
        if not bp.is_active:
            warn(f"lead process {bp.full_name} is inactive in the org; imported as active")
    orphan_rts = [rt.full_name for rt in bundle.lead.record_types if not rt.business_process]
    if processes:
        spec["lead_processes"] = processes
        out.blank()
        out.items("lead_processes", processes)
    for text in unknown_in_processes:
        out.line(f"# lead process {text} (not active statuses): not imported")
    if orphan_rts:
        out.line(f"# record types without a lead process, not imported: {', '.join(orphan_rts)}")
        warn(f"record types without a lead process, not imported: {', '.join(orphan_rts)}")
    extra_rts = [rt.full_name for bp in processes for rt in by_process.get(bp["name"], [])[1:]]
    if extra_rts:
        out.line(f"# record types sharing a process, not imported: {', '.join(extra_rts)}")

    # --- guards (leadsync's own rules)
    guards: dict[str, Any] = {}
    stage_key = (stage_name or "").removesuffix("__c")
    forward = any(r.full_name.endswith("_Forward_Only") and r.active for r in owned_rules)
    guards["forward_only_stages"] = bool(forward)
    requires_stage = next((r for r in owned_rules if r.full_name.startswith("Status_Requires_") and r.active), None)
    if requires_stage is not None and stages:
        rank = re.search(r"<\s*(\d+)\s*(?:\)|$|,|\s)", requires_stage.formula)
        if rank and 1 <= int(rank.group(1)) <= len(stages):
            guards["status_requires_stage"] = stages[int(rank.group(1)) - 1]["value"]
    bypass = next((mt.group(1) for r in owned_rules for mt in [re.search(r"\$Permission\.(\w+)", r.formula)] if mt), None)
    if bypass:
        guards["bypass_permission"] = bypass
    spec["guards"] = guards
    out.blank()
    out.mapping("guards", guards)
    del stage_key
    recognised = {r.full_name for r in owned_rules if r.full_name.endswith(("_Required", "_Forward_Only"))
                  or r.full_name.startswith("Status_Requires_")}
    for r in rules:
        if r.full_name in recognised:
            continue
        owner = "leadsync's, but not a guard the spec can say" if is_owned(r.description) else "the org's own"
        out.line(f"# validation rule {r.full_name} ({owner}; {'active' if r.active else 'inactive'}): not imported,"
                 " left alone in the org")
        warn(f"validation rule {r.full_name} ({owner}) is not imported")

    # --- layouts, transitions (flows)
    out.blank()
    spec["layouts"] = "all"
    out.kv("layouts", "all")
    lead_flows = [f for f in bundle.flows if f.start.object == m.OBJECT or is_owned(f.description)]
    out.blank()
    transitions = _transitions(owned_flow, spec, warn) if owned_flow is not None else None
    spec["transitions"] = transitions or []
    out.items("transitions", spec["transitions"])
    for f in lead_flows:
        if f is owned_flow and transitions is not None:
            continue
        if is_owned(f.description):
            out.line(f"# flow {f.full_name} is leadsync's, but its elements are not a chain of transitions the"
                     " spec can say: not imported; write the transitions above")
            warn(f"flow {f.full_name} (leadsync's): transitions are not imported; write them in the spec")
        else:
            out.line(f"# flow {f.full_name} ({f.start.trigger_type or f.process_type} on {f.start.object or 'no object'},"
                     f" {f.status}) is the org's own: not imported, left alone")
            warn(f"flow {f.full_name} (the org's own) is not imported")
    return Imported(out.text(), warnings, spec)


def _transitions(flow: m.Flow, spec: dict, warn) -> list[dict] | None:
    """The transitions leadsync's flow was compiled from, if compiling them gives this very flow."""
    from pydantic import ValidationError

    from leadsync.importer.flow import NotMine, same_flow, transitions_of
    from leadsync.render.compile import compile_spec
    from leadsync.spec.model import Spec

    stage_field = spec.get("stage_field", {}).get("name", DEFAULT_STAGE_FIELD)
    try:
        transitions, stamps = transitions_of(flow, stage_field)
    except NotMine as err:
        warn(f"flow {flow.full_name}: {err}")
        return None
    candidate = {k: v for k, v in spec.items() if k != "transitions"}
    candidate["transitions"] = transitions
    if stamps:
        candidate["stage_field"] = {**candidate.get("stage_field", {}), "stamp_dates": True}
    try:
        compiled = compile_spec(Spec.model_validate(candidate)).flows
    except (ValidationError, ValueError, KeyError, TypeError) as err:
        warn(f"flow {flow.full_name}: the transitions read from it do not compile ({str(err).splitlines()[0]})")
        return None
    if len(compiled) != 1 or not same_flow(compiled[0], flow):
        warn(f"flow {flow.full_name}: the transitions read from it compile to a different flow; not imported")
        return None
    if stamps and not spec.get("stage_field", {}).get("stamp_dates"):
        spec.setdefault("stage_field", {})["stamp_dates"] = True
    return transitions


def _valid_name(name: str) -> bool:
    return bool(name) and len(name) <= 80 and "\n" not in name


def _stamps_present(stages: list[dict], dates: Mapping[str, m.DateTimeField], stage_field: dict | None = None,
                    spec_name: str = "x") -> bool | None:
    """True when the org has the stamp-date field leadsync renders for every stage (named as compile names them)."""
    if len(stages) < 2 or not dates:
        return None
    from leadsync.render.compile import compile_spec
    from leadsync.spec.model import Spec

    try:
        probe = Spec.model_validate({
            "leadsync": 1, "name": spec_name, "stages": stages,
            "stage_field": {**(stage_field or {}), "stamp_dates": True},
            "statuses": [{"value": "A", "default": True, "converted": True}, {"value": "B"}]})
        wanted = [f.full_name for f in compile_spec(probe).lead.fields if isinstance(f, m.DateTimeField)]
    except Exception:  # noqa: BLE001 — a stage list the spec cannot hold: no stamps to recognise
        return None
    names = {n.lower() for n in dates}
    return True if wanted and all(w.lower() in names for w in wanted) else None


def _requires_reason(owned_rules: list[m.ValidationRule], reason_name: str | None) -> set[str]:
    if reason_name is None:
        return set()
    out: set[str] = set()
    for r in owned_rules:
        if r.full_name.endswith("_Required") and r.error_display_field == reason_name:
            out |= {_unquote(v) for v in re.findall(r"ISPICKVAL\(\s*Status\s*,\s*(\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')",
                                                    r.formula)}
    return out


def _unquote(literal: str) -> str:
    return re.sub(r"\\(.)", r"\1", literal[1:-1])


def _spec_name(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_]+", "_", name).strip("_")
    if not cleaned or not cleaned[0].isalpha():
        cleaned = "org_" + cleaned
    return re.sub(r"_+", "_", cleaned)[:30].rstrip("_") or "imported"


def _drop_none(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}


# --- a small YAML emitter: block mappings and lists of mappings, scalars by pyyaml -------------------


def scalar(value: Any) -> str:
    import yaml

    if isinstance(value, list):
        return "[" + ", ".join(scalar(v) for v in value) + "]"
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10**9)
    text = text.rstrip("\n")
    if text.endswith("\n..."):
        text = text[: -len("\n...")]
    return text


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key) else scalar(key)


class _Doc:
    def __init__(self) -> None:
        self._lines: list[str] = []

    def line(self, text: str) -> None:
        self._lines.extend(text.split("\n"))

    def blank(self) -> None:
        if self._lines and self._lines[-1] != "":
            self._lines.append("")

    def kv(self, key: str, value: Any, indent: str = "") -> None:
        if isinstance(value, dict):
            self.mapping(key, value, indent)
        else:
            self._lines.append(f"{indent}{_key(key)}: {scalar(value)}")

    def mapping(self, key: str, value: dict, indent: str = "") -> None:
        if not value:
            self._lines.append(f"{indent}{_key(key)}: {{}}")
            return
        self._lines.append(f"{indent}{_key(key)}:")
        for k, v in value.items():
            self.kv(k, v, indent + "  ")

    def items(self, key: str, items: list[dict]) -> None:
        if not items:
            self._lines.append(f"{_key(key)}: []")
            return
        self._lines.append(f"{_key(key)}:")
        for item in items:
            first = True
            for k, v in item.items():
                lead = "  - " if first else "    "
                first = False
                if isinstance(v, dict):
                    self._lines.append(f"{lead}{_key(k)}:")
                    for k2, v2 in v.items():
                        self.kv(k2, v2, "      ")
                else:
                    self._lines.append(f"{lead}{_key(k)}: {scalar(v)}")

    def text(self) -> str:
        while self._lines and self._lines[-1] == "":
            self._lines.pop()
        return "\n".join(self._lines) + "\n"


__all__ = ["Imported", "import_bundle", "import_files", "read_dir", "retrieve_members", "scalar"]


def import_org(client, *, name: str | None = None, stage_field: str | None = None) -> Imported:
    """Retrieve what `import` reads from an org (`OrgClient`) and import it; named after the org."""
    import io
    import zipfile

    from leadsync.org.session import OrgFault

    data = client.retrieve(retrieve_members())
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            files = {n: archive.read(n) for n in archive.namelist() if not n.endswith("/")}
    except (zipfile.BadZipFile, EOFError, ValueError) as err:
        raise OrgFault(f"the org's retrieve result is not a readable zip: {err}") from None
    org_name = name or client.org_info().name
    return import_files(files, name=org_name, stage_field=stage_field, api_version=client.api_version)
