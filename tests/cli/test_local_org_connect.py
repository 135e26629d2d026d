"""`leadsync local-org serve --print-env / --sf-alias`: settings a user can source, that really connect."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

from leadsync.localorg.connect import env_lines, sf_login_command
from leadsync.resources import presets_dir

ORG_ENV = ("SF_TARGET_ORG", "SF_INSTANCE_URL", "SF_ACCESS_TOKEN", "SFDX_AUTH_URL", "SF_JWT_KEY_FILE",
           "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "LEADSYNC_LOCAL_ORG_STATE")
INFO = {"instance_url": "https://127.0.0.1:4443", "access_token": "00Dlocal!it's $secret", "username": "u",
        "ca_file": "/tmp/dir with space/ca.pem"}


def test_lines_are_shell_quoted():
    lines = env_lines(INFO)
    done = subprocess.run(["bash", "-c", lines + 'printf "%s|" "$SF_ACCESS_TOKEN" "$REQUESTS_CA_BUNDLE" '
                           '"$NODE_EXTRA_CA_CERTS" "$SF_INSTANCE_URL"'], capture_output=True, text=True, check=True)
    assert done.stdout == "00Dlocal!it's $secret|/tmp/dir with space/ca.pem|/tmp/dir with space/ca.pem|https://127.0.0.1:4443|"
    words = shlex.split(sf_login_command(INFO, "ls-local"))
    assert words[:2] == ["SF_ACCESS_TOKEN=00Dlocal!it's $secret", "NODE_EXTRA_CA_CERTS=/tmp/dir with space/ca.pem"]
    assert words[2:] == ["sf", "org", "login", "access-token", "--instance-url", "https://127.0.0.1:4443",
                         "--alias", "ls-local", "--no-prompt"]


def test_serve_print_env_connects_a_deploy(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k not in ORG_ENV}
    out = tmp_path / "org.env"
    with out.open("w") as stdout:
        server = subprocess.Popen([sys.executable, "-m", "leadsync", "local-org", "serve", "--print-env",
                                   "--sf-alias", "ls-local", "--state", str(tmp_path / "state"),
                                   "--deploy-seconds", "0.05"], stdout=stdout, stderr=subprocess.PIPE, env=env)
    try:
        deadline = time.monotonic() + 60
        while out.read_text().count("\n") < 5:
            assert server.poll() is None and time.monotonic() < deadline, server.stderr.read().decode()
            time.sleep(0.05)
        text = out.read_text()
        exports = [line for line in text.splitlines() if line.startswith("export ")]
        assert [line.split("=")[0] for line in exports] == [
            "export SF_INSTANCE_URL", "export SF_ACCESS_TOKEN", "export REQUESTS_CA_BUNDLE", "export NODE_EXTRA_CA_CERTS"]
        assert text.splitlines()[4].split()[2:6] == ["sf", "org", "login", "access-token"]
        assert "--alias ls-local" in text
        script = "\n".join(exports) + f"\nexec {shlex.quote(sys.executable)} -m leadsync deploy " \
                                      f"{shlex.quote(str(presets_dir() / 'lifecycle.yaml'))}"
        deployed = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env, timeout=300)
        assert deployed.returncode == 0, deployed.stdout + deployed.stderr
        assert "Succeeded" in deployed.stdout
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
        server.stderr.close()


def test_bad_alias_is_a_usage_error():
    done = subprocess.run([sys.executable, "-m", "leadsync", "local-org", "serve", "--sf-alias", "a b"],
                          capture_output=True, text=True)
    assert done.returncode == 2 and "alias" in done.stderr
