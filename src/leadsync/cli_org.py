"""Commands that reach an org: ORG-OPTIONS declared once (`org_options`), and `leadsync deploy`.

`org_options` adds the contract's seven options with their environment variables and hands the
command one `OrgOptions` (keyword `org`), remembering which were typed on the command line: those
win over the environment. Commands stay thin: parse, call one use case in `leadsync.org.deploy`, hand
the outcome to `leadsync.report.deploy`, map it to an exit code (`exit_code_for`).

Importing this module is cheap (click and leadsync's own small modules); the org machinery is
imported when a command runs.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import sys
from contextlib import contextmanager
from pathlib import Path

import click
from click.core import ParameterSource

from leadsync.errors import LeadsyncError, UsageError
from leadsync.exitcodes import ExitCode
from leadsync.org.auth import DEFAULT_LOGIN_URL, OrgOptions
from leadsync.org.client import TEST_LEVELS

# --- ORG-OPTIONS ----------------------------------------------------------------------------------

target_org = click.option(
    "--target-org", envvar="SF_TARGET_ORG", show_envvar=True, metavar="ALIAS",
    help="An org the Salesforce CLI (sf) knows; 'local' starts the local org.")
instance_url = click.option(
    "--instance-url", envvar="SF_INSTANCE_URL", show_envvar=True, metavar="URL",
    help="The org's URL; the access token comes from SF_ACCESS_TOKEN (never the command line).")
# The key and auth-URL files are not checked here (no exists=True): auth.py reads the one of the login
# method chosen and reports a missing file then (exit 2); an unused SF_JWT_KEY_FILE stops nothing.
sfdx_url_file = click.option(
    "--sfdx-url-file", type=click.Path(), metavar="FILE",
    help="A file holding an SFDX auth URL (force://...); or set SFDX_AUTH_URL to the URL itself.")
jwt_key_file = click.option(
    "--jwt-key-file", envvar="SF_JWT_KEY_FILE", show_envvar=True, type=click.Path(), metavar="FILE",
    help="JWT bearer flow: the connected app's private key (PEM).")
client_id = click.option(
    "--client-id", envvar="SF_CLIENT_ID", show_envvar=True, metavar="ID",
    help="JWT bearer flow: the connected app's consumer key.")
username = click.option(
    "--username", envvar="SF_USERNAME", show_envvar=True, metavar="USER", help="JWT bearer flow: the user.")
login_url = click.option(
    "--login-url", envvar="SF_LOGIN_URL", show_envvar=True, default=DEFAULT_LOGIN_URL, show_default=True,
    metavar="URL", help="OAuth host for the JWT bearer flow (https://login.salesforce.com for production).")

_ORG_OPTIONS = (target_org, instance_url, sfdx_url_file, jwt_key_file, client_id, username, login_url)
_ORG_FIELDS = ("target_org", "instance_url", "sfdx_url_file", "jwt_key_file", "client_id", "username", "login_url")


def org_options(command):
    """Add ORG-OPTIONS to a click command; it receives them as one `org: OrgOptions` keyword."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        ctx = click.get_current_context()
        values = {name: kwargs.pop(name) for name in _ORG_FIELDS}
        typed = frozenset(n for n in _ORG_FIELDS if ctx.get_parameter_source(n) is ParameterSource.COMMANDLINE)
        return command(*args, org=OrgOptions(**values, from_command_line=typed), **kwargs)

    for option in reversed(_ORG_OPTIONS):
        wrapper = option(wrapper)
    return wrapper


def org_args(org: OrgOptions) -> tuple[str, ...]:
    """The ORG-OPTIONS typed on the command line, to repeat in a follow-up command (none is a secret)."""
    args: list[str] = []
    for name in _ORG_FIELDS:
        value = getattr(org, name)
        if name in org.from_command_line and value:
            args += ["--" + name.replace("_", "-"), str(value)]
    return tuple(args)


# --- deploy ---------------------------------------------------------------------------------------

_DEPLOY_ID = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$")


def _deploy_id(ctx, param, value):
    if value is not None and not _DEPLOY_ID.match(value):
        raise click.BadParameter("not a deploy id (15 or 18 letters and digits, like 0Af...)")
    return value


@click.command("deploy")
@click.argument("spec", required=False, default="leadsync.yaml", type=click.Path(dir_okay=False))
@org_options
@click.option("--dry-run", is_flag=True, help="Check-only deploy: validate in the org, change nothing.")
@click.option("--test-level", type=click.Choice(TEST_LEVELS), help="Apex tests to run (default: RunSpecifiedTests with the spec's scenario test class when it has scenarios, else the org's).")
@click.option("--tests", metavar="NAMES", help="Comma-separated test classes, with --test-level RunSpecifiedTests.")
@click.option("--wait", type=click.FloatRange(min=0), default=33, show_default=True, metavar="MINUTES",
              help="How long to wait for the org; then exit 5 with the deploy id.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document with the outcome.")
@click.option("--junit", "junit_file", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Also write JUnit XML: one case per component and per Apex test.")
@click.option("--allow-production", is_flag=True, help="Allow deploying to a production org (IsSandbox false).")
@click.option("--allow-destructive", is_flag=True,
              help="Deploy even if it deactivates picklist values that open leads hold, or deletes components "
                   "leadsync rendered before and the spec no longer renders (refused with exit 4 otherwise).")
@click.option("--resume", "resume_id", metavar="ID", callback=_deploy_id,
              help="Wait again for a deploy that --wait gave up on.")
@click.option("--quick", "quick_id", metavar="ID", callback=_deploy_id,
              help="Quick-deploy a validation (--dry-run) that succeeded, without running tests again.")
@click.option("--cancel", "cancel_id", metavar="ID", callback=_deploy_id, help="Cancel a deploy in progress.")
@click.option("--templates", "template_dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="A folder of templates that override the built-in ones.")
@click.option("--all", "orgs_file", type=click.Path(dir_okay=False, exists=True), metavar="ORGS.yaml",
              help="Deploy every client spec of ORGS.yaml to its org, concurrently (docs/many-clients.md).")
@click.option("--jobs", type=click.IntRange(min=1, max=64), default=4, show_default=True, metavar="N",
              help="With --all: how many orgs to deploy at a time.")
@click.option("--report-dir", type=click.Path(file_okay=False, path_type=Path), default="leadsync-reports",
              show_default=True, metavar="DIR", help="With --all: where to write <org>.json and <org>.junit.xml.")
@click.option("--debug", is_flag=True, help="Show tracebacks and request logs (never secrets).")
def deploy_command(spec, org, dry_run, test_level, tests, wait, as_json, junit_file, allow_production,
                   allow_destructive, resume_id, quick_id, cancel_id, template_dir, orgs_file, jobs, report_dir,
                   debug):
    """Render SPEC and deploy it with the Metadata API (--dry-run: check-only).

    With --all ORGS.yaml: deploy many client specs to their orgs (SPEC and ORG-OPTIONS come from the file)."""
    ctx = click.get_current_context()
    debug = debug or bool((ctx.obj or {}).get("debug"))
    if orgs_file is not None:
        _deploy_all(ctx, orgs_file, org, dry_run=dry_run, test_level=test_level, tests=tests, wait=wait,
                    as_json=as_json, junit_file=junit_file, allow_production=allow_production,
                    allow_destructive=allow_destructive, by_id=resume_id or quick_id or cancel_id,
                    template_dir=template_dir, jobs=jobs, report_dir=report_dir)
        return
    for name in ("jobs", "report_dir"):
        if ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE:
            raise click.UsageError(f"--{name.replace('_', '-')} goes with --all ORGS.yaml")
    by_id = [(flag, value) for flag, value in (("--resume", resume_id), ("--quick", quick_id),
                                               ("--cancel", cancel_id)) if value]
    if len(by_id) > 1:
        raise click.UsageError(f"{by_id[0][0]} and {by_id[1][0]} do not go together")
    if by_id and (dry_run or test_level or tests):
        raise click.UsageError(f"{by_id[0][0]} takes no --dry-run, --test-level or --tests")

    from leadsync.org.client import DeployOptions

    try:
        options = DeployOptions.parse(check_only=dry_run, test_level=test_level, tests=tests)
    except UsageError as err:
        raise click.UsageError(str(err)) from None

    from leadsync.org import auth, deploy
    from leadsync.org.session import Redactor
    from leadsync.report import deploy as report

    redactor = Redactor()
    request = deploy.DeployRequest(options=options, wait_seconds=wait * 60, allow_production=allow_production,
                                   allow_destructive=allow_destructive)
    # Commands printed to run next (resume, quick) must pass the production guard again.
    follow_up = org_args(org) + (("--allow-production",) if allow_production else ())
    action = ("resume" if resume_id else "cancel" if cancel_id else "quick" if quick_id
              else "validate" if dry_run else "deploy")
    fail = functools.partial(_fail, action=action, as_json=as_json, junit_file=junit_file, debug=debug,
                             redactor=redactor, follow_up=follow_up)

    def connect(api_version):
        return auth.connect(org, api_version=api_version, redactor=redactor)

    progress = report.progress_for(sys.stderr)
    outcome = None
    try:
        with _debug_logs(debug, redactor):
            if resume_id:
                outcome = deploy.resume(resume_id, connect, request.wait_seconds, progress=progress,
                                        allow_production=allow_production)
            elif cancel_id:
                outcome = deploy.cancel(cancel_id, connect, request.wait_seconds, progress=progress,
                                        allow_production=allow_production)
            elif quick_id:
                outcome = deploy.quick_deploy(quick_id, connect, request, progress=progress)
            else:
                outcome = deploy.deploy_spec(spec, connect, request, template_dir=template_dir, progress=progress)
    except LeadsyncError as err:
        progress.close()
        fail(err, int(err.exit_code))
    except KeyboardInterrupt:
        progress.close()
        running = progress.deploy_id
        hint = f"; deploy {running} goes on in the org: {report.resume_command(running, follow_up)}" if running else ""
        if getattr(progress, "moving_leads", False):  # the first package is in, the rules are off
            hint = ("; the deploy is in but moving the leads did not finish: every lead is on an active value, and "
                    "leadsync's validation rules stay inactive until the same deploy is run again")
        click.echo(f"interrupted{hint}", err=True)
        ctx.exit(130)
    except Exception as err:  # noqa: BLE001 — no traceback for users, and never a secret
        progress.close()
        fail(err, int(ExitCode.FAILED), internal=True)
    progress.close()

    code = exit_code_for(outcome)
    if as_json:
        click.echo(redactor(json.dumps(report.to_json(outcome, exit_code=int(code), org_args=follow_up), indent=2)))
    else:
        click.echo(redactor(report.format_text(outcome, follow_up)), nl=False)
    if junit_file is not None:
        _write_junit(junit_file, report.to_junit(outcome), redactor)
    ctx.exit(int(code))


def _deploy_all(ctx, orgs_file, org, *, dry_run, test_level, tests, wait, as_json, junit_file, allow_production,
                allow_destructive, by_id, template_dir, jobs, report_dir):
    """`deploy --all`: the options that make sense for many orgs, then `cli_many`."""
    if ctx.get_parameter_source("spec") is ParameterSource.COMMANDLINE:
        raise click.UsageError("--all takes the specs from ORGS.yaml; give no SPEC")
    if org.from_command_line:
        raise click.UsageError("--all takes each org from ORGS.yaml; give no --target-org, --instance-url, ...")
    if by_id:
        raise click.UsageError("--resume, --quick and --cancel name one deploy in one org; not with --all")
    if junit_file is not None:
        raise click.UsageError("with --all, JUnit goes to --report-dir (one <org>.junit.xml per org)")
    from leadsync.cli_many import deploy_all_command
    from leadsync.org.client import DeployOptions

    try:
        options = DeployOptions.parse(check_only=dry_run, test_level=test_level, tests=tests)
    except UsageError as err:
        raise click.UsageError(str(err)) from None
    deploy_all_command(orgs_file, jobs=jobs, report_dir=report_dir, options=options, wait=wait,
                       allow_production=allow_production, allow_destructive=allow_destructive,
                       template_dir=template_dir, as_json=as_json)


def exit_code_for(outcome) -> ExitCode:
    """The one mapping from a deploy outcome to the contract's exit codes (errors carry their own)."""
    if outcome.spec_failed:
        return ExitCode.FAILED
    if outcome.still_running:
        return ExitCode.STILL_RUNNING
    migration = getattr(outcome, "migration", None)
    if outcome.success and migration is not None and migration.applied and not migration.complete:
        return ExitCode.FAILED  # leads the org refused to move keep an old status active: deploy again
    return ExitCode.OK if outcome.success else ExitCode.FAILED


def _fail(err: BaseException, code: int, *, action: str, as_json: bool, junit_file: Path | None, debug: bool,
          redactor, follow_up, internal=False):
    """End a deploy that raised: the message on stderr, and the --json and --junit reports say it too."""
    from leadsync.org.deploy import DeployOutcome
    from leadsync.report import deploy as report

    message = redactor(f"internal error: {type(err).__name__}: {err} (run with --debug for details)"
                       if internal else f"error: {err}")
    if debug:
        import traceback

        click.echo(redactor("".join(traceback.format_exception(err))), err=True)
    click.echo(message, err=True)
    outcome = DeployOutcome(action)  # nothing seen from the org: the action asked for
    error = message.removeprefix("error: ")
    if as_json:
        click.echo(redactor(json.dumps(report.to_json(outcome, error=Exception(error), exit_code=code,
                                                      org_args=follow_up), indent=2)))
    if junit_file is not None:
        _write_junit(junit_file, report.to_junit(outcome, error=error), redactor)
    click.get_current_context().exit(code)


def _write_junit(path: Path, xml: str, redactor) -> None:
    from leadsync.render.output import write_file

    write_file(path, redactor(xml).encode("utf-8"))


@contextmanager
def _debug_logs(enabled: bool, redactor):
    """With --debug, leadsync's own request logs go to stderr, each line through the redactor."""
    if not enabled:
        yield
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(redactor.logging_filter())
    handler.setFormatter(logging.Formatter("debug: %(name)s: %(message)s"))
    logger = logging.getLogger("leadsync")
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
