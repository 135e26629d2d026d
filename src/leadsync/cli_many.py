"""`leadsync deploy --all ORGS.yaml`: parse, run `leadsync.org.many`, print one table, write reports.

Called from `cli_org.deploy_command` when `--all` is given; the deploy options (--dry-run,
--test-level, --tests, --wait, --allow-production, --allow-destructive, --templates) apply to every org.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import click

from leadsync.exitcodes import ExitCode


def deploy_all_command(orgs_file: str, *, jobs: int, report_dir: Path | None, options, wait: float,
                       allow_production: bool, allow_destructive: bool, template_dir: Path | None,
                       as_json: bool) -> None:
    from leadsync.org import deploy, many
    from leadsync.report import many as report

    ctx = click.get_current_context()
    try:
        entries = many.load_orgs(orgs_file)
    except many.OrgsFileError as err:
        for line in err.problems:
            click.echo(f"error: {line}", err=True)
        ctx.exit(int(ExitCode.USAGE))
    request = deploy.DeployRequest(options=options, wait_seconds=wait * 60, allow_production=allow_production,
                                   allow_destructive=allow_destructive)
    lock = threading.Lock()
    plural = "" if len(entries) == 1 else "s"
    click.echo(f"deploying {len(entries)} org{plural}, {min(jobs, len(entries))} at a time", err=True)

    def done(result) -> None:
        with lock:
            click.echo(f"{result.name}: {report.result_word(result)} in {result.seconds:.1f} s", err=True)

    try:
        results = many.deploy_all(entries, request, jobs=jobs, template_dir=template_dir,
                                  progress_for=lambda name: report.OrgProgress(name, sys.stderr, lock),
                                  on_done=done)
    except KeyboardInterrupt:
        click.echo("interrupted: deploys already submitted go on in their orgs", err=True)
        ctx.exit(130)
    if report_dir is not None:
        report.write_reports(results, report_dir)
    if as_json:
        click.echo(report.summary_json(results, report_dir), nl=False)
    else:
        click.echo(report.format_table(results, color=sys.stdout.isatty()), nl=False)
        if report_dir is not None:
            click.echo(f"reports: {report_dir}/<org>.json, <org>.junit.xml, summary.json")
    ctx.exit(many.worst(r.exit_code for r in results))
