"""`leadsync render --all DIR` and `leadsync render --into PROJECT` (called from `cli.render`)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from leadsync.exitcodes import ExitCode


def render_all(folder: str, out_dir: Path, layout: str, template_dir: Path | None, force: bool) -> None:
    """One package per client spec under DIR: OUT/<name>/ where <name> is the spec's path in DIR without
    its suffix. A spec that another spec in DIR extends is a base, not a client: it is checked, not
    written. Nothing is written unless every spec is valid."""
    from leadsync.batch import expand, package_name
    from leadsync.build import build
    from leadsync.render.layouts import RENDERED_ANY
    from leadsync.render.output import write_render
    from leadsync.report.text import format_text

    ctx = click.get_current_context()
    found = expand([folder])
    built = {spec: build(spec, layout=layout, template_dir=template_dir) for spec in found.specs}
    bases = {os.path.realpath(s) for result in built.values() for s in result.load.sources[1:]}
    clients = [spec for spec in found.specs if os.path.realpath(spec) not in bases]
    problems = [d for result in built.values() for d in result.diagnostics]
    if problems:
        click.echo(format_text(problems), err=True, nl=False)
    failed = [spec for spec, result in built.items() if not result.ok]
    if failed:
        click.echo(f"{len(built)} specs: {len(built) - len(failed)} ok, {len(failed)} failed; nothing written",
                   err=True)
        ctx.exit(int(ExitCode.FAILED))
    names: dict[str, str] = {}
    for spec in clients:
        name = package_name(spec, folder)
        if name in names:
            raise click.UsageError(f"{names[name]} and {spec} would both render to {out_dir / name}; rename one")
        names[name] = spec
    if not names:
        raise click.UsageError(f"{folder} holds only bases (specs that other specs extend); nothing to render")
    for name in names:
        inner = [other for other in names if other.startswith(name + "/")]
        if inner:
            raise click.UsageError(f"{names[name]} would render to {out_dir / name}, which would also hold "
                                   f"{out_dir / inner[0]}; rename one")
    if not force:  # check every package folder before writing any
        for name in names:
            _refuse_foreign(out_dir / name, RENDERED_ANY)
    for name, spec in names.items():
        write_render(built[spec].files, out_dir / name, ours=RENDERED_ANY, force=force)
        click.echo(f"{spec} -> {out_dir / name} ({len(built[spec].files)} files)")
    skipped = len(found.specs) - len(names)
    tail = f"; {skipped} base spec{'' if skipped == 1 else 's'} checked, not rendered" if skipped else ""
    click.echo(f"wrote {len(names)} package{'' if len(names) == 1 else 's'} ({layout}) to {out_dir}{tail}")


def _refuse_foreign(out: Path, ours) -> None:
    from leadsync.errors import LeadsyncError
    from leadsync.render.output import rendered_before

    if out.exists() and not out.is_dir():
        raise click.UsageError(f"{out} exists and is not a folder")
    foreign = sorted(rel for rel in (p.relative_to(out).as_posix() for p in out.rglob("*") if not p.is_dir())
                     if not (ours.fullmatch(rel) and rendered_before(out, rel))) if out.is_dir() else []
    if foreign:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        raise LeadsyncError(f"{out} holds files that are not part of a leadsync render ({shown}); nothing was "
                            "written; pass --force to write beside them (they are kept)")


def render_into(spec: str, project: Path, template_dir: Path | None, force: bool) -> None:
    """The spec's source files in the project's package directory; nothing else of the project touched."""
    from leadsync.build import build
    from leadsync.render.into import MANIFEST, write_into
    from leadsync.report.text import format_text

    ctx = click.get_current_context()
    result = build(spec, layout="source", template_dir=template_dir)
    if result.diagnostics:
        click.echo(format_text(result.diagnostics), err=True, nl=False)
    if not result.ok:
        ctx.exit(int(ExitCode.FAILED))
    done = write_into(result.files, project, force=force)
    for rel in done.removed:
        click.echo(f"removed {rel} (no longer rendered)")
    for rel in done.kept_changed:
        click.echo(f"kept {rel}: no longer rendered, but changed since leadsync wrote it; delete it yourself",
                   err=True)
    click.echo(f"{project}: {len(done.written)} written, {len(done.unchanged)} unchanged, "
               f"{len(done.removed)} removed in {done.package_dir}/ (list: {MANIFEST})")
