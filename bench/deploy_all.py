"""`deploy --all` to 10 local orgs with --jobs 4, against one deploy (targets: at most 4x one deploy's
wall time, peak memory at most 400 MB).

Usage: python bench/deploy_all.py [RUNS] [ORGS]

Starts ORGS (default 10) local orgs in this process (each its own state folder, CA and token; a
deploy takes 0.3 s in the org), writes one client overlay per org and an ORGS.yaml naming each org by
instance_url + access_token_env + ca_bundle, then times in fresh processes:
- one deploy: `leadsync deploy clients/c0.yaml --instance-url URL` (SF_ACCESS_TOKEN, REQUESTS_CA_BUNDLE);
- all: `leadsync deploy --all ORGS.yaml --jobs 4`.
Peak memory is the maximum resident set of each `deploy --all` process (wait4's rusage).
Not a test: timings vary by machine.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BASE = REPO / "config" / "presets" / "lifecycle.yaml"
ORG_ENV = ("SF_TARGET_ORG", "SF_INSTANCE_URL", "SF_ACCESS_TOKEN", "SFDX_AUTH_URL", "SF_JWT_KEY_FILE",
           "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


def timed(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one command in a fresh process; exits when it fails."""
    with open(cwd / "out.log", "wb") as out, open(cwd / "err.log", "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        logs = (cwd / "out.log").read_text()[-3000:] + (cwd / "err.log").read_text()[-3000:]
        raise SystemExit(f"{' '.join(args[2:])} failed ({proc.returncode}):\n{logs}")
    return elapsed, usage.ru_maxrss / 1024  # kilobytes on Linux


def main() -> None:
    from leadsync.localorg.server import LocalOrg

    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        orgs = [LocalOrg(folder / f"org{i}", deploy_seconds=0.3).start() for i in range(count)]
        try:
            (folder / "base.yaml").write_bytes(BASE.read_bytes())
            (folder / "clients").mkdir()
            env = {k: v for k, v in os.environ.items() if k not in ORG_ENV}
            env["LEADSYNC_CACHE_DIR"] = str(folder / "cache")
            lines = ["orgs:"]
            for i, org in enumerate(orgs):
                (folder / "clients" / f"c{i}.yaml").write_text(f"extends: ../base.yaml\nname: c{i}\n")
                lines += [f"  c{i}:", f"    spec: clients/c{i}.yaml", f"    instance_url: {org.instance_url}",
                          f"    access_token_env: ORG{i}_TOKEN", f"    ca_bundle: {org.ca_file}"]
                env[f"ORG{i}_TOKEN"] = org.access_token
            (folder / "ORGS.yaml").write_text("\n".join(lines) + "\n")
            one_env = {**env, "SF_ACCESS_TOKEN": orgs[0].access_token, "REQUESTS_CA_BUNDLE": str(orgs[0].ca_file)}
            one = [sys.executable, "-m", "leadsync", "deploy", "clients/c0.yaml", "--instance-url", orgs[0].instance_url]
            every = [sys.executable, "-m", "leadsync", "deploy", "--all", "ORGS.yaml", "--jobs", "4",
                     "--report-dir", "reports"]
            timed(one, folder, one_env)  # warm-up: XSD, templates, OS file cache
            singles = [timed(one, folder, one_env)[0] for _ in range(runs)]
            alls = [timed(every, folder, env) for _ in range(runs)]
        finally:
            for org in orgs:
                org.stop()
    single = statistics.median(singles)
    together = statistics.median(t for t, _ in alls)
    peak = max(m for _, m in alls)
    print(f"one deploy: median {single:.2f} s (n={runs})")
    print(f"deploy --all to {count} orgs, --jobs 4: median {together:.2f} s = {together / single:.1f}x one deploy "
          f"[{'ok' if together <= 4 * single else 'MISSED'}: <= 4x]")
    print(f"peak memory of deploy --all: {peak:.0f} MB [{'ok' if peak <= 400 else 'MISSED'}: <= 400 MB]")


if __name__ == "__main__":
    main()
