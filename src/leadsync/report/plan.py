"""A plan (org/plan.py) as text, as one JSON document, and as one summary line per component.

Text reads like Terraform's: components grouped, `+` added, `~` changed (old → new), `-` removed or
deactivated, each value-level change indented under its component; the leads holding every value a
deploy deactivates or renames, converted leads counted apart; preflight findings as `warning:` lines;
one summary line, or "No changes." when nothing differs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from leadsync.metadata.diff import ADD, CHANGE, REMOVE

if TYPE_CHECKING:
    from leadsync.metadata.diff import Change, ComponentDiff
    from leadsync.org.plan import Plan

NO_CHANGES = "No changes."
_OBSOLETE = "rendered by leadsync before, no longer in the spec: deleted only with --allow-destructive"


def _field_of(component: ComponentDiff) -> str | None:
    if component.type == "StandardValueSet" and component.name == "LeadStatus":
        return "Lead.Status"
    return component.name if component.type == "CustomField" else None


def change_line(plan: Plan, component: ComponentDiff, c: Change) -> str:
    text = f"{c.sign} {c.describe()}"
    field_name = _field_of(component)
    if c.sign == REMOVE and field_name and c.what.startswith("value '"):
        count = plan.count(field_name, c.what[len("value '"):-1])
        if count is not None and count.renamed_to is not None:
            moved = f"{count.leads:,} lead{'' if count.leads == 1 else 's'} move"
            kept = f", {count.converted:,} converted keep it" if count.converted else ""
            text += f" (renamed to '{count.renamed_to}': {moved}{kept})"
        elif count is not None:
            text += f" deactivated ({count.describe()})"
        else:
            text += " deactivated"
    return text


def component_heading(component: ComponentDiff, plan: Plan | None = None) -> str:
    line = f"{component.sign} {component.type} {component.name}"
    if component.sign != REMOVE:
        return line
    deactivated = {(type(r).__name__, f"Lead.{r.full_name}") for r in plan.retirements()[1]} if plan else set()
    if component.key in deactivated:
        why = ("Salesforce does not delete record types through the API" if component.type == "RecordType"
               else "a record type of the org uses it")
        return f"{line} ({_OBSOLETE.replace('deleted', 'deactivated')}; {why})"
    held = dict(plan.field_values).get(component.name) if plan else None
    data = f"; {held:,} {'lead holds' if held == 1 else 'leads hold'} a value in it" if held else ""
    return f"{line} ({_OBSOLETE}{data})"


def summary_counts(plan: Plan) -> tuple[int, int, int]:
    signs = [x.sign for x in plan.diffs] + [CHANGE for _ in plan.layouts]
    return signs.count(ADD), signs.count(CHANGE), signs.count(REMOVE)


def summary(plan: Plan) -> str:
    if not plan.has_changes:
        return NO_CHANGES
    add, change, remove = summary_counts(plan)
    return f"Plan: {add} to add, {change} to change, {remove} to remove."


def _layout_lines(plan: Plan) -> list[str]:
    out = []
    for layout in plan.layouts:
        out.append(f"  ~ Layout {layout.name} (section '{_section()}')")
        out.extend(f"      + field '{name}' ({behavior.lower().replace('readonly', 'read-only')})"
                   for name, behavior in layout.added)
    return out


def _section() -> str:
    from leadsync.org.layouts import SECTION_LABEL

    return SECTION_LABEL


def format_text(plan: Plan) -> str:
    body: list[str] = []
    for component in plan.diffs:
        body.append(f"  {component_heading(component, plan)}")
        body.extend(f"      {change_line(plan, component, c)}" for c in component.changes)
    body.extend(_layout_lines(plan))
    body.extend(_migration_lines(plan))
    lines = [f"plan for {plan.org.describe()}", ""] if plan.org is not None else []
    if body:
        lines += body + [""]
    lines.extend(f"warning: {f.message}" for f in plan.findings)
    lines.append(summary(plan))
    return "\n".join(lines) + "\n"


def _migration_lines(plan: Plan) -> list[str]:
    migration = plan.migration
    backfill = getattr(migration, "backfill", None) if migration is not None else None
    if backfill is None or not backfill.leads:
        return []
    by_status = ", ".join(f"{g.leads:,} {g.status or '(no status)'} → {g.stage}" for g in backfill.groups)
    return [f"  ~ backfill {backfill.field}: {backfill.leads:,} open lead{'' if backfill.leads == 1 else 's'} "
            f"with no stage get one ({by_status})"]


def summary_lines(plan: Plan) -> list[str]:
    """One line per component (what `deploy` prints to CI logs before it submits)."""
    if not plan.has_changes:
        return [NO_CHANGES]
    out = []
    for component in plan.diffs:
        signs = [c.sign for c in component.changes]
        parts = [f"{n} {word}" for n, word in ((signs.count(ADD), "added"), (signs.count(CHANGE), "changed"),
                                               (signs.count(REMOVE), "removed")) if n]
        out.append(f"{component.sign} {component.type} {component.name}" + (f" ({', '.join(parts)})" if parts else ""))
    out.extend(f"~ Layout {layout.name} ({len(layout.added)} fields added)" for layout in plan.layouts)
    out.extend(line.strip() for line in _migration_lines(plan))
    out.append(summary(plan))
    return out


def to_json(plan: Plan | None, *, exit_code: int = 0, error: BaseException | None = None,
            diagnostics=()) -> dict:
    org = plan.org if plan else None
    add, change, remove = summary_counts(plan) if plan else (0, 0, 0)
    return {
        "ok": plan is not None and error is None,
        "exitCode": exit_code,
        "changes": bool(plan and plan.has_changes),
        "summary": {"add": add, "change": change, "remove": remove},
        "org": {"id": org.id, "name": org.name, "isSandbox": org.is_sandbox,
                "organizationType": org.organization_type, "instanceUrl": org.instance_url} if org else None,
        "components": [
            {"type": x.type, "name": x.name, "change": x.sign, "changes": [c.to_json() for c in x.changes],
             **({"leadsWithValue": dict(plan.field_values).get(x.name, 0)}
                if x.sign == REMOVE and x.type == "CustomField" else {})}
            for x in (plan.diffs if plan else ())
        ],
        "layouts": [{"name": x.name, "change": CHANGE, "added": [{"field": f, "behavior": b} for f, b in x.added]}
                    for x in (plan.layouts if plan else ())],
        "leads": [c.to_json() for c in (plan.counts if plan else ())],
        "migration": plan.migration.to_json() if plan and plan.migration is not None else None,
        "findings": [f.to_json() for f in (plan.findings if plan else ())],
        "diagnostics": [d.to_dict() for d in diagnostics],
        "error": {"message": str(error)} if error is not None else None,
    }
