"""`leadsync import`: write a spec from an org (ORG-OPTIONS) or from a folder of metadata (--from-dir).

The library does the work (`leadsync.importer`); this module parses options, writes the spec
atomically, prints the warnings on stderr (`warning: ...`) and maps failures to exit codes.
"""

from __future__ import annotations

from pathlib import Path

import click

from leadsync.cli_org import org_options
from leadsync.exitcodes import ExitCode


@click.command("import")
@org_options
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              metavar="SPEC", help="The spec file to write.")
@click.option("--from-dir", "from_dir", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Read an mdapi or source folder (sf project retrieve output) instead of an org.")
@click.option("--stage-field", metavar="NAME", help="The Lead picklist that holds the stage (default: leadsync's, "
              "else Lead_Stage__c).")
@click.option("--name", "spec_name", metavar="NAME", help="The spec's name (default: the org's or the folder's).")
@click.option("--force", is_flag=True, help="Overwrite SPEC if it exists.")
@click.option("--debug", is_flag=True, help="Show tracebacks and request logs (never secrets).")
def import_command(org, output: Path, from_dir: Path | None, stage_field: str | None, spec_name: str | None,
                   force: bool, debug: bool) -> None:
    """Write a spec from what an org or a metadata folder already holds."""
    from leadsync import importer
    from leadsync.render.output import write_file

    ctx = click.get_current_context()
    if output.exists() and not force:
        raise click.UsageError(f"{output} exists; pass --force to overwrite it")
    if from_dir is not None:
        if org.from_command_line:
            raise click.UsageError("--from-dir reads a folder: it takes no ORG-OPTIONS")
        from leadsync.metadata.parse import MetadataParseError

        try:
            result = importer.import_files(importer.read_dir(from_dir), name=spec_name or from_dir.resolve().name,
                                           stage_field=stage_field)
        except MetadataParseError as err:  # the file as the user can open it: DIR/relative path
            raise MetadataParseError((from_dir / err.path).as_posix(), err.problem, err.line, err.column) from None
    else:
        from leadsync.org import auth
        from leadsync.org.session import Redactor

        with auth.connect(org, redactor=Redactor()) as client:
            result = importer.import_org(client, name=spec_name, stage_field=stage_field)
    write_file(output, result.text.encode("utf-8"))
    for w in result.warnings:
        click.echo(f"warning: {w}", err=True)
    counts = ", ".join(_count(len(result.spec.get(key, [])), noun) for key, noun in (
        ("statuses", "status"), ("stages", "stage"), ("lead_processes", "lead process")))
    click.echo(f"wrote {output}: {counts}; {_count(len(result.warnings), 'warning')}; "
               f"next: leadsync validate {output}")
    ctx.exit(int(ExitCode.OK))


def _count(n: int, noun: str) -> str:
    plural = noun + ("es" if noun.endswith(("s", "ss")) else "s")
    return f"{n} {noun if n == 1 else plural}"
