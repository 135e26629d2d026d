"""Validating 200 client overlays of one base in one command (target: median <= 3 s on 2 cores).

Usage: python bench/validate_200.py [RUNS]

Writes a base (the lifecycle preset) and 200 small overlays (`extends: ../base.yaml`, a name, one
status label and one extra stage each) to a temporary folder, then times `leadsync validate DIR` in a
fresh process: cold (`--no-cache`: every overlay loaded, linted, rendered and schema-checked; the base
is parsed once, see spec/yamlload.py) and warm (results of unchanged specs replayed from the cache).
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
COUNT = 200

OVERLAY = """extends: ../base.yaml
name: client{n:03d}
stages:
  - value: Partner{n:03d}
    description: Referred by partner {n}.
    after: Customer
"""


def write_clients(folder: Path) -> Path:
    (folder / "base.yaml").write_bytes(BASE.read_bytes())
    clients = folder / "clients"
    clients.mkdir()
    for n in range(1, COUNT + 1):
        (clients / f"client{n:03d}.yaml").write_text(OVERLAY.format(n=n), encoding="utf-8")
    return clients


def time_once(clients: Path, env: dict[str, str], *flags: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process): CPU time shows the cost when other work shares the cores."""
    out = clients.parent / "out.log"
    with out.open("w") as stdout:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "leadsync", "validate", *flags, str(clients)],
                                stdout=stdout, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
    text = out.read_text()
    last = (text.strip().splitlines() or [""])[-1]
    if os.waitstatus_to_exitcode(status) != 0 or not last.startswith(f"{COUNT} specs: {COUNT} ok"):
        raise SystemExit(f"validate failed:\n{text[-3000:]}")
    return elapsed, usage.ru_utime + usage.ru_stime


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    with tempfile.TemporaryDirectory() as tmp:
        clients = write_clients(Path(tmp))
        env = {**os.environ, "LEADSYNC_CACHE_DIR": str(Path(tmp) / "cache")}
        time_once(clients, env)  # warm the XSD and template caches and the OS file cache
        for label, flags in (("cold (--no-cache)", ("--no-cache",)), ("warm (cached results)", ())):
            runs_ = [time_once(clients, env, *flags) for _ in range(runs)]
            samples = [wall for wall, _ in runs_]
            cpu = statistics.median(c for _, c in runs_)
            verdict = "ok" if statistics.median(samples) <= 3.0 else "MISSED"
            print(f"validate {COUNT} overlays, {label}: median {statistics.median(samples):.2f} s "
                  f"(min {min(samples):.2f}, max {max(samples):.2f}, n={runs}; CPU {cpu:.2f} s) [{verdict}]")


if __name__ == "__main__":
    main()
