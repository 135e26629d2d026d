"""Median wall time of `leadsync validate PRESET` in a fresh process (schema check included).

Usage: python bench/validate_startup.py [RUNS]   (target: median <= 0.3 s on a 2-core machine)
Not a test: timings vary by machine. Reports two numbers per preset:
- warm: the spec is unchanged since the last validate, so its remembered result is replayed;
- cold: `--no-cache`, the whole path (load, lint, render, XSD check; the reduced XSD and compiled
  templates still come from their own caches after the first run).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PRESETS = sorted((REPO / "config" / "presets").glob("*.yaml"))


def time_once(spec: Path, *flags: str) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "leadsync", "validate", *flags, str(spec)], capture_output=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"validate failed on {spec}:\n{done.stdout.decode()}{done.stderr.decode()}")
    return elapsed


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    for spec in PRESETS:
        time_once(spec)  # warm the on-disk caches and the OS file cache
        for label, flags in (("warm", ()), ("cold", ("--no-cache",))):
            samples = [time_once(spec, *flags) for _ in range(runs)]
            print(f"{spec.name} {label}: median {statistics.median(samples) * 1000:.0f} ms "
                  f"(min {min(samples) * 1000:.0f}, max {max(samples) * 1000:.0f}, n={runs})")


if __name__ == "__main__":
    main()
