"""`leadsync test [SPEC] ORG-OPTIONS [--junit FILE] [--json]`: run the spec's scenarios against an org.

Thin: load the spec, connect (org/auth.py), run (org/scenarios.py), report (report/scenarios.py).
Exit 0 when every step held, 1 when one did not (or the spec is invalid), 2 for usage, 3 when the org
cannot be reached or refuses the login, 4 for a production org without --allow-production (scenarios
write leads).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from leadsync.cli_org import _debug_logs, _write_junit, org_options
from leadsync.errors import LeadsyncError
from leadsync.exitcodes import ExitCode


@click.command("test")
@click.argument("spec", required=False, default="leadsync.yaml", type=click.Path(dir_okay=False))
@org_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document with every step's outcome.")
@click.option("--junit", "junit_file", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Also write JUnit XML: one test case per scenario.")
@click.option("--allow-production", is_flag=True,
              help="Allow running scenarios in a production org (they create, convert and delete leads there).")
@click.option("--debug", is_flag=True, help="Show tracebacks and request logs (never secrets).")
def test_command(spec, org, as_json, junit_file, allow_production, debug):
    """Run SPEC's scenarios against an org: each with its own lead, deleted afterwards."""
    from leadsync.org.session import Redactor
    from leadsync.report import scenarios as report
    from leadsync.report.text import format_text
    from leadsync.spec.load import load_spec

    ctx = click.get_current_context()
    debug = debug or bool((ctx.obj or {}).get("debug"))
    redactor = Redactor()

    def finish(run, code: ExitCode, error: str | None = None):
        if as_json:
            click.echo(redactor(json.dumps(report.to_json(run, exit_code=int(code), error=error), indent=2)))
        if junit_file is not None:
            _write_junit(junit_file, report.to_junit_xml(run, error=error), redactor)
        ctx.exit(int(code))

    loaded = load_spec(spec)
    if loaded.diagnostics:
        click.echo(format_text(loaded.diagnostics), err=True, nl=False)
    if loaded.spec is None or not loaded.ok:
        finish(None, ExitCode.FAILED, f"{spec} is not a valid spec")
    if not loaded.spec.scenarios:
        click.echo(f"{spec} has no scenarios: nothing to test", err=True)
        finish(None, ExitCode.OK)

    from leadsync.org import auth
    from leadsync.org.guards import guard_production
    from leadsync.org.scenarios import run_scenarios

    seen: set[str] = set()

    def on_step(step):
        if as_json:
            return
        if step.scenario not in seen:
            seen.add(step.scenario)
            click.echo(report.scenario_line(step.scenario), nl=False)
        click.echo(redactor(report.step_line(step)), nl=False)

    try:
        with _debug_logs(debug, redactor):
            with auth.connect(org, api_version=loaded.spec.api_version, redactor=redactor) as client:
                guard_production(client.org_info(), allow_production=allow_production,
                                 doing="run scenarios (create, convert and delete leads) in")
                run = run_scenarios(loaded.spec, client, on_step=on_step)
    except LeadsyncError as err:
        if debug:
            import traceback

            click.echo(redactor("".join(traceback.format_exception(err))), err=True)
        message = redactor(str(err))
        click.echo(f"error: {message}", err=True)
        finish(None, err.exit_code, message)
    except Exception as err:  # noqa: BLE001 — no traceback for users, and never a secret
        if debug:
            raise
        message = redactor(f"internal error: {type(err).__name__}: {err} (run with --debug for details)")
        click.echo(message, err=True)
        finish(None, ExitCode.FAILED, message)

    if not as_json:
        for scenario in run.scenarios:
            if scenario.cleanup:
                click.echo(redactor(report.cleanup_lines(scenario)), nl=False, err=True)
        click.echo(report.summary_line(run), nl=False)
    finish(run, ExitCode.OK if run.ok else ExitCode.FAILED)


__all__ = ["test_command"]
