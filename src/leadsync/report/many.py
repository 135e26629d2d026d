"""`deploy --all`: the summary table, the per-org JSON and JUnit files, progress lines prefixed by org.

Every text passes through the org's redactor (its tokens, refresh tokens, keys) before it is shown or
written; the table and the summary document pass through every org's.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from leadsync.org.many import OrgResult

RESULTS = {0: "ok", 1: "failed", 2: "usage error", 3: "unreachable", 4: "refused", 5: "still running"}


def result_word(r: OrgResult) -> str:
    outcome = r.outcome
    if outcome is not None:
        if outcome.spec_failed:
            return "spec invalid"
        if outcome.still_running:
            return "still running"
        if outcome.success:
            return "validated" if outcome.action == "validate" else "deployed"
    return RESULTS.get(r.exit_code, "failed")


def components(r: OrgResult) -> str:
    status = getattr(r.outcome, "status", None)
    if status is None:
        return "-"
    text = f"{status.components_deployed}/{status.components_total}"
    if status.component_errors:
        text += f" ({status.component_errors} failed)"
    return text


def detail(r: OrgResult) -> str:
    """One line saying why an org failed ("" when it did not)."""
    if r.ok:
        return ""
    if r.error:
        return " ".join(r.error.split())
    outcome = r.outcome
    if outcome is None:
        return ""
    if outcome.spec_failed:
        first = next(d for d in outcome.diagnostics if d.is_error)
        return f"{first.span}: {first.code}: {first.message}"
    status = outcome.status
    if outcome.still_running:
        return f"deploy {outcome.deploy_id} still running"
    if status is not None:
        if status.failures:
            c = status.failures[0]
            more = f" (+{len(status.failures) - 1} more)" if len(status.failures) > 1 else ""
            return f"{c.type} {c.name}: {' '.join((c.problem or 'failed').split())}{more}"
        if status.error_message:
            return " ".join(status.error_message.split())
    return ""


def redact_all(results: Iterable[OrgResult], text: str) -> str:
    for r in results:
        text = r.redact(text)
    return text


def format_table(results: list[OrgResult], *, width: int | None = None, color: bool = False) -> str:
    """The summary: one row per org (org, spec, result, components, time), then one closing line."""
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for column in ("org", "spec", "result", "components", "time"):
        table.add_column(column, justify="right" if column in ("components", "time") else "left",
                         overflow="fold")
    for r in results:
        style = "green" if r.ok else "red"
        table.add_row(Text(r.name), Text(r.spec), Text(result_word(r), style=style), Text(components(r)),
                      Text(f"{r.seconds:.1f} s"))
    import io

    buffer = io.StringIO()
    console = Console(file=buffer, width=width or 120, color_system="standard" if color else None,
                      force_terminal=color, highlight=False, soft_wrap=False)
    console.print(table)
    lines = [line.rstrip() for line in buffer.getvalue().splitlines()]
    for r in results:
        why = detail(r)
        if why:
            lines.append(f"{r.name}: {why}")
    lines.append(closing_line(results))
    return redact_all(results, "\n".join(lines) + "\n")


def closing_line(results: list[OrgResult]) -> str:
    from leadsync.org.many import worst

    ok = sum(1 for r in results if r.ok)
    return (f"{len(results)} org{'' if len(results) == 1 else 's'}: {ok} ok, {len(results) - ok} failed "
            f"(exit {worst(r.exit_code for r in results)})")


# --- per-org files --------------------------------------------------------------------------------


def org_json(r: OrgResult) -> dict:
    from leadsync.org.deploy import DeployOutcome
    from leadsync.report.deploy import to_json

    outcome = r.outcome if r.outcome is not None else DeployOutcome("deploy")
    doc = to_json(outcome, error=Exception(r.error) if r.error else None, exit_code=r.exit_code)
    doc["orgInfo"] = doc.pop("org")  # "org" is the name in ORGS.yaml here
    return {"org": r.name, "spec": r.spec, "result": result_word(r), "seconds": round(r.seconds, 3), **doc}


def org_junit(r: OrgResult) -> str:
    from leadsync.org.deploy import DeployOutcome
    from leadsync.report.deploy import to_junit

    outcome = r.outcome if r.outcome is not None else DeployOutcome("deploy")
    return to_junit(outcome, error=r.error)


def write_reports(results: list[OrgResult], folder: Path) -> list[Path]:
    """`<org>.json` and `<org>.junit.xml` for each org, and `summary.json`; each written atomically."""
    from leadsync.org.many import worst
    from leadsync.render.output import write_file

    written = []
    summary = {"ok": all(r.ok for r in results), "exitCode": worst(r.exit_code for r in results), "orgs": []}
    for r in results:
        json_path, junit_path = folder / f"{r.name}.json", folder / f"{r.name}.junit.xml"
        write_file(json_path, r.redact(json.dumps(org_json(r), indent=2)).encode("utf-8") + b"\n")
        write_file(junit_path, r.redact(org_junit(r)).encode("utf-8"))
        written += [json_path, junit_path]
        summary["orgs"].append({"org": r.name, "spec": r.spec, "result": result_word(r), "exitCode": r.exit_code,
                                "components": components(r), "seconds": round(r.seconds, 3), "detail": detail(r),
                                "json": str(json_path), "junit": str(junit_path)})
    path = folder / "summary.json"
    write_file(path, redact_all(results, json.dumps(summary, indent=2)).encode("utf-8") + b"\n")
    return [*written, path]


def summary_json(results: list[OrgResult], report_dir: Path | None) -> str:
    from leadsync.org.many import worst

    doc = {"ok": all(r.ok for r in results), "exitCode": worst(r.exit_code for r in results),
           "orgs": [{**org_json(r),
                     "reports": {"json": str(report_dir / f"{r.name}.json"),
                                 "junit": str(report_dir / f"{r.name}.junit.xml")} if report_dir else None}
                    for r in results]}
    return redact_all(results, json.dumps(doc, indent=2)) + "\n"


# --- progress -------------------------------------------------------------------------------------


class OrgProgress:
    """Progress lines for one org, prefixed with its name; one lock for every org's lines."""

    def __init__(self, name: str, stream: IO[str], lock: threading.Lock):
        from leadsync.report.deploy import PlainProgress

        self._name, self._stream, self._lock = name, stream, lock
        self._inner = PlainProgress(self)  # writes through self.write
        self.deploy_id: str | None = None

    def write(self, text: str) -> None:
        for line in text.splitlines():
            with self._lock:
                self._stream.write(f"{self._name}: {line}\n")
                self._stream.flush()

    def flush(self) -> None:
        pass

    def phase(self, text: str) -> None:
        pass

    def submitted(self, deploy_id: str, what: str) -> None:
        self.deploy_id = deploy_id
        self._inner.submitted(deploy_id, what)

    def status(self, status) -> None:
        self._inner.status(status)
