"""`leadsync local-org`: run or reset the offline Salesforce stand-in."""

from __future__ import annotations

from pathlib import Path

import click


@click.group("local-org")
def local_org_group() -> None:
    """The local org: an offline Salesforce stand-in over HTTPS on 127.0.0.1."""


@local_org_group.command("serve")
@click.option("--port", default=0, show_default=True, help="Port on 127.0.0.1; 0 picks a free one.")
@click.option("--state", "state_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder that keeps what was deployed (default: a per-user data folder).")
@click.option("--production", is_flag=True, help="Pretend to be a production org (IsSandbox false).")
@click.option("--deploy-seconds", default=1.0, show_default=True, type=float,
              help="How long a deploy takes, to try progress and --wait.")
@click.option("--print-env", is_flag=True,
              help="Print shell export lines (SF_INSTANCE_URL, SF_ACCESS_TOKEN, REQUESTS_CA_BUNDLE, "
                   "NODE_EXTRA_CA_CERTS) instead of the JSON line.")
@click.option("--sf-alias", metavar="NAME", callback=lambda c, p, v: _alias(v),
              help="Also print the `sf org login access-token` command that saves this org as NAME.")
def serve(port: int, state_dir: Path | None, production: bool, deploy_seconds: float, print_env: bool,
          sf_alias: str | None) -> None:
    """Serve until interrupted. The first stdout line is JSON: instance_url, access_token, username, ca_file
    (with --print-env: shell export lines instead)."""
    from leadsync.localorg import serve as server

    server.run(port=port, state_dir=state_dir, production=production, deploy_seconds=deploy_seconds,
               print_env=print_env, sf_alias=sf_alias)


def _alias(value: str | None) -> str | None:
    import re

    if value is not None and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}", value):
        raise click.BadParameter("an alias is letters, digits, '.', '_' and '-'")
    return value


@local_org_group.command("reset")
@click.option("--state", "state_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder of the local org to clear (default: the per-user data folder).")
def reset(state_dir: Path | None) -> None:
    """Forget everything deployed to the local org."""
    from leadsync.localorg import state

    cleared = state.reset(state_dir)
    click.echo(f"local org reset ({cleared})")
