"""`leadsync plan [SPEC] ORG-OPTIONS [--json] [--detailed-exitcode]`: what a deploy would change, value by value.

Thin: parse, call `leadsync.org.plan.plan_spec`, hand the plan to `leadsync.report.plan`, map to an exit
code: 0 (whatever the plan), 10 with --detailed-exitcode when something would change, 1 for spec errors,
2 usage, 3 org unreachable or the retrieve failed or timed out.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from leadsync.cli_org import _debug_logs, org_options
from leadsync.errors import LeadsyncError
from leadsync.exitcodes import ExitCode


@click.command("plan")
@click.argument("spec", required=False, default="leadsync.yaml", type=click.Path(dir_okay=False))
@org_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document with the plan.")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 0 when nothing would change, 10 when something would.")
@click.option("--templates", "template_dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="A folder of templates that override the built-in ones.")
@click.option("--debug", is_flag=True, help="Show tracebacks and request logs (never secrets).")
def plan_command(spec, org, as_json, detailed_exitcode, template_dir, debug):
    """Show what deploying SPEC would change in the org, value by value (nothing is deployed)."""
    ctx = click.get_current_context()
    debug = debug or bool((ctx.obj or {}).get("debug"))
    from leadsync.org import auth
    from leadsync.org import plan as use_case
    from leadsync.org.session import Redactor
    from leadsync.report import plan as report

    redactor = Redactor()

    def connect(api_version):
        return auth.connect(org, api_version=api_version, redactor=redactor)

    def fail(err: BaseException, code: int, internal: bool = False):
        message = redactor(f"internal error: {type(err).__name__}: {err} (run with --debug for details)"
                           if internal else f"error: {err}")
        if debug:
            import traceback

            click.echo(redactor("".join(traceback.format_exception(err))), err=True)
        click.echo(message, err=True)
        if as_json:
            doc = report.to_json(None, exit_code=code, error=Exception(message.removeprefix("error: ")))
            click.echo(redactor(json.dumps(doc, indent=2)))
        ctx.exit(code)

    progress = _Phases(sys.stderr)
    try:
        with _debug_logs(debug, redactor):
            outcome = use_case.plan_spec(spec, connect, template_dir=template_dir, progress=progress)
    except LeadsyncError as err:
        fail(err, int(err.exit_code))
    except Exception as err:  # noqa: BLE001 — no traceback for users, and never a secret
        fail(err, int(ExitCode.FAILED), internal=True)

    if outcome.plan is None:  # the spec has errors: nothing was asked of the org
        from leadsync.report.text import format_line

        code = int(ExitCode.FAILED)
        if as_json:
            click.echo(json.dumps(report.to_json(None, exit_code=code, diagnostics=outcome.diagnostics), indent=2))
        else:
            click.echo("".join(format_line(d) + "\n" for d in outcome.diagnostics), nl=False)
            click.echo("the spec has errors: nothing was asked of the org")
        ctx.exit(code)
    plan = outcome.plan
    code = ExitCode.PLAN_CHANGES if detailed_exitcode and plan.has_changes else ExitCode.OK
    if as_json:
        doc = report.to_json(plan, exit_code=int(code), diagnostics=outcome.diagnostics)
        click.echo(redactor(json.dumps(doc, indent=2)))
    else:
        from leadsync.report.text import format_line

        warnings = "".join(format_line(d) + "\n" for d in outcome.diagnostics)
        click.echo(redactor(warnings + report.format_text(plan)), nl=False)
    ctx.exit(int(code))


class _Phases:
    """What plan is doing, on stderr, only on a terminal (CI logs get the plan alone)."""

    def __init__(self, stream):
        self._stream = stream if stream.isatty() else None

    def phase(self, text: str) -> None:
        if self._stream is not None:
            self._stream.write(f"{text}...\n")
            self._stream.flush()


__all__ = ["plan_command"]
