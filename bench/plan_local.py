"""`leadsync plan` against the local org with a preset in place: end-to-end wall time (target <= 1.5 s).

Usage: python bench/plan_local.py [RUNS]

Each run is a fresh process: `leadsync plan PRESET --target-org local` (it starts the local org
in-process over the state dir the preset was deployed to first). Prints the median, min and max per
preset, and whether the plan said "No changes." (it should: the preset is in place).

Not a test: timings vary by machine and by what else runs on it.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PRESETS = sorted((REPO / "config" / "presets").glob("*.yaml"))
ORG_ENV = ("SF_TARGET_ORG", "SF_INSTANCE_URL", "SF_ACCESS_TOKEN", "SFDX_AUTH_URL", "SF_JWT_KEY_FILE",
           "REQUESTS_CA_BUNDLE")


def leadsync(*args: str, state: Path) -> tuple[float, float, subprocess.CompletedProcess]:
    """(wall seconds, CPU seconds of the process, the process)."""
    env = {k: v for k, v in os.environ.items() if k not in ORG_ENV}
    env["LEADSYNC_LOCAL_ORG_STATE"] = str(state)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "leadsync", *args], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), done


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    with tempfile.TemporaryDirectory() as tmp:
        print(f"leadsync plan PRESET --target-org local, preset in place (n={runs}; target <= 1.5 s)")
        for spec in PRESETS:
            state = Path(tmp) / spec.stem
            *_, done = leadsync("deploy", str(spec), "--target-org", "local", state=state)
            if done.returncode != 0:
                raise SystemExit(f"deploy of {spec.name} failed:\n{done.stdout}{done.stderr}")
            leadsync("plan", str(spec), "--target-org", "local", state=state)  # warm-up
            samples, cpu, outputs = [], [], set()
            for _ in range(runs):
                elapsed, used, done = leadsync("plan", str(spec), "--target-org", "local", state=state)
                samples.append(elapsed)
                cpu.append(used)
                outputs.add(done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr.strip())
            median = statistics.median(samples)
            print(f"  {spec.name}: median {median:.2f} s (min {min(samples):.2f}, max {max(samples):.2f}; "
                  f"CPU median {statistics.median(cpu):.2f} s) [{'ok' if median <= 1.5 else 'MISSED'}]; "
                  f"said: {' | '.join(sorted(outputs))}")
    print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (other work stretches wall times)")


if __name__ == "__main__":
    main()
