"""The command line: parse options, call one use case, hand the result to `report/`, map it to an exit code.

Commands are imported lazily (`_LazyGroup`) so that `leadsync validate` never pays for the org or
local-org machinery (simple-salesforce and zeep alone take half a second to import).
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import click
from click.core import ParameterSource

from leadsync.exitcodes import ExitCode

SPEC_ARG = click.argument("spec", required=False, default="leadsync.yaml", type=click.Path(dir_okay=True))


class _LazyGroup(click.Group):
    """A group whose heavier commands live in other modules and are imported only when invoked."""

    def __init__(self, *args, lazy: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._lazy = lazy or {}

    def list_commands(self, ctx):
        return sorted({*super().list_commands(ctx), *self._lazy})

    def get_command(self, ctx, name):
        if name in self._lazy:
            module, attr = self._lazy[name].split(":")
            return _with_debug(getattr(importlib.import_module(module), attr))
        command = super().get_command(ctx, name)
        return _with_debug(command) if command is not None else None

    def invoke(self, ctx: click.Context):
        """Turn typed failures into one clean line and their exit code; a traceback only with --debug."""
        from leadsync.errors import LeadsyncError

        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except LeadsyncError as err:
            if _debugging(ctx):
                import traceback

                traceback.print_exc()
            click.echo(f"error: {err}", err=True)
            ctx.exit(int(err.exit_code))
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except Exception as err:  # noqa: BLE001 — the last line of defence: no traceback for users
            if _debugging(ctx):
                raise
            click.echo(f"internal error: {type(err).__name__}: {err} (run with --debug for details)", err=True)
            ctx.exit(int(ExitCode.FAILED))


def _remember_debug(ctx: click.Context, param, value: bool) -> bool:
    if value:
        ctx.meta["leadsync.debug"] = True  # meta is one dict for the whole command line
    return value


def _debugging(ctx: click.Context) -> bool:
    return bool(ctx.meta.get("leadsync.debug"))


def _with_debug(command: click.Command) -> click.Command:
    """`--debug` after the command name too, on every command and subcommand (`leadsync validate x --debug`)."""
    debug = next((p for p in command.params if p.name == "debug"), None)
    if debug is None:
        command.params.append(click.Option(["--debug"], is_flag=True, expose_value=False, callback=_remember_debug,
                                           help="Show tracebacks and request logs (never secrets)."))
    elif debug.callback is None:
        debug.callback = _remember_debug
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _with_debug(sub)
    return command


@click.group(
    cls=_LazyGroup,
    lazy={
        "deploy": "leadsync.cli_org:deploy_command",
        "plan": "leadsync.cli_plan:plan_command",
        "local-org": "leadsync.cli_localorg:local_org_group",
        "import": "leadsync.cli_import:import_command",
        "diagram": "leadsync.cli_describe:diagram_command",
        "docs": "leadsync.cli_describe:docs_command",
        "test": "leadsync.cli_test:test_command",
    },
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(package_name="leadsync")
@click.option("--debug", is_flag=True, callback=_remember_debug, help="Show tracebacks and request logs (never secrets).")
@click.pass_context
def main_group(ctx: click.Context, debug: bool) -> None:
    """leadsync: your Lead lifecycle (stages, statuses, rules) as a reviewed, deployable file."""
    ctx.obj = {"debug": debug}


# --- init -------------------------------------------------------------------------------------


@main_group.command()
@click.argument("path", required=False, default="leadsync.yaml", type=click.Path(dir_okay=False))
@click.option("--preset", default="salesforce-default", show_default=True, help="Starter spec to copy.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.option("--list-presets", is_flag=True, help="Print the preset names, one a line.")
@click.option("--ci", type=click.Choice(["github"]),
              help="Write a CI workflow instead of a spec: github = .github/workflows/leadsync.yml (docs/ci.md).")
def init(path: str, preset: str, force: bool, list_presets: bool, ci: str | None) -> None:
    """Write a starter spec from a preset (and leadsync.schema.json beside it, for editors)."""
    from leadsync.starter import init_spec, preset_names

    if ci is not None:
        ctx = click.get_current_context()
        if any(ctx.get_parameter_source(n) is click.core.ParameterSource.COMMANDLINE
               for n in ("path", "preset", "list_presets")):
            raise click.UsageError("--ci writes only the workflow; give no PATH, --preset or --list-presets")
        from leadsync.ci import write_workflow

        written = write_workflow(ci, force=force)
        click.echo(f"wrote {written}; add the secret LEADSYNC_SANDBOX_AUTH_URL to the repository (docs/ci.md)")
        return
    if list_presets:
        ctx = click.get_current_context()
        given = [f"--{n.replace('_', '-')}" if n != "path" else repr(path) for n in ("path", "preset", "force")
                 if ctx.get_parameter_source(n) is click.core.ParameterSource.COMMANDLINE]
        if given:
            raise click.UsageError(f"--list-presets writes nothing and takes no {', '.join(given)}")
        click.echo("\n".join(preset_names()))
        return
    written = init_spec(Path(path), preset, force=force)
    click.echo(f"wrote {written} from preset '{preset}'; next: leadsync validate {written}")


# --- validate ---------------------------------------------------------------------------------


@main_group.command()
@click.argument("specs", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json", "junit", "github", "sarif"]), default="text",
              show_default=True, help="github: workflow annotations; sarif: SARIF 2.1.0 for code scanning.")
@click.option("--templates", "template_dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="A folder of templates that override the built-in ones.")
@click.option("--no-cache", is_flag=True, help="Check every spec afresh instead of reusing results for unchanged files.")
def validate(specs: tuple[str, ...], fmt: str, template_dir: Path | None, no_cache: bool) -> None:
    """Check specs, and the metadata they render against the Metadata API schema.

    SPECS are files or folders; a folder means every spec in it, recursively (YAML files without a
    top-level `leadsync:` or `extends:` key are skipped). With several specs, the last line says how
    many passed: `N specs: N ok, N failed`."""
    from leadsync.batch import check_all, expand
    from leadsync.diagnostics import has_errors
    from leadsync.report import formats

    found = expand(specs or ("leadsync.yaml",))
    per_file = check_all(found.specs, template_dir, use_cache=not no_cache)
    click.echo(formats.render_diagnostics(per_file, fmt), nl=False)
    _exit(ExitCode.FAILED if any(has_errors(d) for d in per_file.values()) else ExitCode.OK)


# --- render -----------------------------------------------------------------------------------


@main_group.command()
@SPEC_ARG
@click.option("-o", "--output", "out_dir", default="build", show_default=True, type=click.Path(path_type=Path),
              help="Folder to write (replaced atomically).")
@click.option("--format", "layout", type=click.Choice(["source", "mdapi"]), default="source", show_default=True,
              help="source: an sfdx project; mdapi: Metadata API layout with package.xml.")
@click.option("--zip", "zip_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write a deployable zip of the mdapi layout.")
@click.option("--templates", "template_dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="A folder of templates that override the built-in ones.")
@click.option("--force", is_flag=True,
              help="Write into a folder that holds other files too (they are kept; only a render's files are replaced).")
@click.option("--all", "all_dir", type=click.Path(exists=True, file_okay=False), metavar="DIR",
              help="Render every client spec in DIR (recursively) to OUTPUT/<name>/, one package each.")
@click.option("--into", "project", type=click.Path(exists=True, file_okay=False, path_type=Path), metavar="PROJECT",
              help="Write into an existing sfdx project's package directory, touching only leadsync's files.")
def render(spec: str, out_dir: Path, layout: str, zip_file: Path | None, template_dir: Path | None,
           force: bool, all_dir: str | None, project: Path | None) -> None:
    """Write the metadata a spec compiles to (--all DIR: one package per client spec; --into PROJECT:
    into an existing sfdx project)."""
    if all_dir is not None or project is not None:
        _render_many(spec, out_dir, layout, zip_file, template_dir, force, all_dir, project)
        return
    from leadsync.build import build
    from leadsync.render.layouts import RENDERED_ANY
    from leadsync.render.output import write_file, write_render, zip_bytes
    from leadsync.report.text import format_text

    result = build(spec, layout=layout, template_dir=template_dir)
    zipped = build(spec, layout="mdapi", template_dir=template_dir) if zip_file and layout != "mdapi" else result
    problems = result.diagnostics + (zipped.diagnostics if zipped is not result else [])
    if problems:
        click.echo(format_text(problems), err=True, nl=False)
    if not (result.ok and zipped.ok):
        _exit(ExitCode.FAILED)
    # Only files a render wrote are replaced; the zip is written after the folder, so it may live inside it.
    write_render(result.files, out_dir, ours=RENDERED_ANY, force=force, keep=(zip_file,) if zip_file else ())
    if zip_file:
        write_file(zip_file, zip_bytes(zipped.files))
    click.echo(f"wrote {len(result.files)} files ({layout}) to {out_dir}")
    if zip_file:
        click.echo(f"wrote {zip_file}")


def _render_many(spec, out_dir, layout, zip_file, template_dir, force, all_dir, project) -> None:
    from leadsync import cli_render

    ctx = click.get_current_context()
    given = {n for n in ("spec", "out_dir", "layout") if ctx.get_parameter_source(n) is ParameterSource.COMMANDLINE}
    if all_dir is not None and project is not None:
        raise click.UsageError("--all and --into do not go together (one project holds one spec's files)")
    if zip_file is not None:
        raise click.UsageError("--zip renders one spec; not with --all or --into")
    if all_dir is not None:
        if "spec" in given:
            raise click.UsageError("--all DIR takes the specs from DIR; give no SPEC")
        cli_render.render_all(all_dir, out_dir, layout, template_dir, force)
    else:
        if given & {"out_dir", "layout"}:
            raise click.UsageError("--into writes source files into the project; give no -o or --format")
        cli_render.render_into(spec, project, template_dir, force)


# --- schema -----------------------------------------------------------------------------------


@main_group.command("schema")
@click.option("-o", "--output", "out_file", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Write it to FILE (e.g. the leadsync.schema.json that `init` wrote beside a spec).")
def schema_command(out_file: Path | None) -> None:
    """Print the JSON Schema of the spec format, overlays included (for editors and CI linters)."""
    from leadsync.starter import schema_text

    if out_file is None:
        click.echo(schema_text(), nl=False)
        return
    from leadsync.render.output import write_file

    write_file(out_file, schema_text().encode("utf-8"))
    click.echo(f"wrote {out_file}")


# --- entry point ------------------------------------------------------------------------------


def _exit(code: ExitCode) -> None:
    sys.exit(int(code))


def main() -> None:
    # pydantic scans every installed distribution for plugins on first model build (~60 ms); a CLI
    # has no use for them. An explicit setting in the environment still wins.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    main_group(prog_name="leadsync")
