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
def serve(port: int, state_dir: Path | None, production: bool, deploy_seconds: float) -> None:
    """Serve until interrupted. The first stdout line is JSON: instance_url, access_token, username, ca_file."""
    from leadsync.localorg import serve as server

    server.run(port=port, state_dir=state_dir, production=production, deploy_seconds=deploy_seconds)


@local_org_group.command("reset")
@click.option("--state", "state_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder of the local org to clear (default: the per-user data folder).")
def reset(state_dir: Path | None) -> None:
    """Forget everything deployed to the local org."""
    from leadsync.localorg import state

    cleared = state.reset(state_dir)
    click.echo(f"local org reset ({cleared})")
