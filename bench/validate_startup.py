"""Median wall time of `leadsync validate PRESET` in a fresh process (schema check included).

Usage: python bench/validate_startup.py [RUNS]   (target: median <= 0.3 s on a 2-core machine)
Not a test: timings vary by machine. Run it after a warm-up so the reduced XSD cache exists.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PRESETS = sorted((REPO / "config" / "presets").glob("*.yaml"))


def time_once(spec: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "leadsync", "validate", str(spec)], capture_output=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"validate failed on {spec}:\n{done.stdout.decode()}{done.stderr.decode()}")
    return elapsed


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    for spec in PRESETS:
        time_once(spec)  # warm the on-disk schema cache and the OS file cache
        samples = [time_once(spec) for _ in range(runs)]
        print(f"{spec.name}: median {statistics.median(samples) * 1000:.0f} ms "
              f"(min {min(samples) * 1000:.0f}, max {max(samples) * 1000:.0f}, n={runs})")


if __name__ == "__main__":
    main()
