"""A preset's scenarios against the local org (target: at most 2 s, the deploy excluded).

Usage: python bench/scenarios.py [RUNS]

For each preset: starts a local org in this process, deploys the preset once (not timed), then runs
`leadsync test PRESET --instance-url URL --json` RUNS times (default 7) in fresh processes and prints
the median wall time of the whole command (process start, login, every step, cleanup) and the median
of the time the run itself reports (the steps alone). Not a test: timings vary by machine.
"""

from __future__ import annotations

import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PRESETS = sorted((REPO / "config" / "presets").glob("*.yaml"))
ORG_ENV = ("SF_TARGET_ORG", "SF_INSTANCE_URL", "SF_ACCESS_TOKEN", "SFDX_AUTH_URL", "SF_JWT_KEY_FILE",
           "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "LEADSYNC_LOCAL_ORG_STATE")


def run(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args[1:])} failed ({done.returncode}):\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return elapsed, done.stdout


def main() -> None:
    from leadsync.localorg.server import LocalOrg

    logging.getLogger("leadsync.localorg").setLevel(logging.ERROR)  # its "does not answer DELETE Account" lines
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    leadsync = [sys.executable, "-m", "leadsync"]
    for preset in PRESETS:
        with tempfile.TemporaryDirectory() as tmp:
            org = LocalOrg(Path(tmp) / "org", deploy_seconds=0.05).start()
            try:
                env = {k: v for k, v in os.environ.items() if k not in ORG_ENV}
                env.update(SF_ACCESS_TOKEN=org.access_token, REQUESTS_CA_BUNDLE=str(org.ca_file),
                           LEADSYNC_CACHE_DIR=str(Path(tmp) / "cache"))
                url = ["--instance-url", org.instance_url]
                run([*leadsync, "deploy", str(preset), *url], env)  # not timed
                walls, reported = [], []
                for _ in range(runs):
                    wall, out = run([*leadsync, "test", str(preset), *url, "--json"], env)
                    doc = json.loads(out)
                    assert doc["ok"], doc
                    walls.append(wall)
                    reported.append(doc["seconds"])
                steps = sum(len(s["steps"]) for s in doc["scenarios"])
                print(f"{preset.stem}: {len(doc['scenarios'])} scenarios, {steps} steps: leadsync test median "
                      f"{statistics.median(walls):.2f} s end to end (min {min(walls):.2f}, max {max(walls):.2f}); "
                      f"steps alone median {statistics.median(reported):.2f} s; {runs} runs")
            finally:
                org.stop()


if __name__ == "__main__":
    main()
