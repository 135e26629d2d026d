"""`serve.run` in its own process: the connect JSON comes first, then a human line; SIGTERM stops it."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import requests


def test_serve_prints_connect_json_first_and_stops_on_sigterm(tmp_path):
    code = ("import sys; from pathlib import Path; from leadsync.localorg.serve import run; "
            "run(port=0, state_dir=Path(sys.argv[1]), production=True, deploy_seconds=0.1)")
    proc = subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "state")], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        info = json.loads(proc.stdout.readline())
        human = proc.stdout.readline()
        assert set(info) == {"instance_url", "access_token", "username", "ca_file"}
        assert info["access_token"] not in human and "production" in human
        versions = requests.get(f"{info['instance_url']}/services/data", verify=info["ca_file"], timeout=10)
        assert versions.status_code == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        assert info["access_token"] not in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
