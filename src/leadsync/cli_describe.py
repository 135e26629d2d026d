"""`leadsync diagram` and `leadsync docs`: the lifecycle as a picture and as a handbook.

Both read a valid spec; a spec with errors prints its diagnostics and exits 1, as `validate` does.
Output goes to stdout, or is written atomically to -o FILE.
"""

from __future__ import annotations

from pathlib import Path

import click

from leadsync.exitcodes import ExitCode

_SPEC = click.argument("spec", required=False, default="leadsync.yaml", type=click.Path(dir_okay=False))
_OUTPUT = click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
                       help="Write here instead of standard output.")


def _lifecycle(spec_path: str):
    from leadsync.describe.lifecycle import describe
    from leadsync.diagnostics import has_errors
    from leadsync.report.text import format_text
    from leadsync.spec.load import load_spec

    loaded = load_spec(spec_path)
    if loaded.diagnostics:
        click.echo(format_text(loaded.diagnostics), err=True, nl=False)
    if loaded.spec is None or has_errors(loaded.diagnostics):
        raise SystemExit(int(ExitCode.FAILED))
    return describe(loaded.spec)


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    from leadsync.render.output import write_file

    write_file(output, text.encode("utf-8"))
    click.echo(f"wrote {output}", err=True)


@click.command("diagram")
@_SPEC
@click.option("--format", "fmt", type=click.Choice(["mermaid", "dot", "svg"]), default="mermaid", show_default=True,
              help="mermaid renders in GitHub Markdown; svg needs Graphviz's dot.")
@_OUTPUT
def diagram_command(spec: str, fmt: str, output: Path | None) -> None:
    """The lifecycle as a picture: stages left to right, statuses under them, transitions as arrows."""
    from leadsync.describe.diagram import diagram

    _emit(diagram(_lifecycle(spec), fmt), output)


@click.command("docs")
@_SPEC
@_OUTPUT
def docs_command(spec: str, output: Path | None) -> None:
    """A Markdown handbook for sales and marketing: stages, statuses, what moves and blocks a lead."""
    from leadsync.describe.handbook import handbook

    _emit(handbook(_lifecycle(spec)), output)
