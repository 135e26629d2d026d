"""`leadsync local-org serve`: run the local org in the foreground until SIGINT or SIGTERM.

The first stdout line is the connect JSON (instance_url, access_token, username, ca_file), flushed at
once so a script can read it and go; the second is for humans and holds no secret. Requests the org
does not answer are logged to stderr (method and path only); `log_requests` logs every request.
"""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import TextIO

from leadsync.localorg.server import LocalOrg
from leadsync.localorg.state import default_state_dir


def run(port: int = 0, state_dir: Path | None = None, production: bool = False, deploy_seconds: float = 0.3,
        log_requests: bool = False, out: TextIO | None = None, print_env: bool = False,
        sf_alias: str | None = None) -> None:
    """`print_env`: stdout is shell `export` lines instead of the JSON line (the human line goes to
    stderr); `sf_alias`: one more stdout line, the `sf org login` command for that alias (connect.py)."""
    out = out or sys.stdout
    _log_to_stderr(logging.DEBUG if log_requests else logging.INFO)
    state_dir = Path(state_dir) if state_dir is not None else default_state_dir()
    org = LocalOrg(state_dir, port=port, production=production, deploy_seconds=deploy_seconds)
    org.start()
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        from leadsync.localorg import connect

        info = org.connect_info()
        lines = connect.env_lines(info) if print_env else json.dumps(info) + "\n"
        if sf_alias:
            lines += connect.sf_login_command(info, sf_alias)
        out.write(lines)  # one write: a script reading the file sees all of it or nothing
        out.flush()
        kind = "production" if production else "sandbox"
        print(f"local org ({kind}) at {org.instance_url}, state in {state_dir}; trust {org.ca_file}; "
              "Ctrl-C stops it", file=sys.stderr if print_env else out, flush=True)
        while not stop.wait(0.1):  # a timeout: a signal that lands on another thread cannot wake a bare wait()
            pass
    finally:
        org.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _log_to_stderr(level: int) -> None:
    log = logging.getLogger("leadsync.localorg")
    log.setLevel(level)
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%H:%M:%S"))
        log.addHandler(handler)
