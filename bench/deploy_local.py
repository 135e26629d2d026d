"""Deploying to the local org: end-to-end time and memory, and how long waiting adds to a T-second deploy.

Usage: python bench/deploy_local.py [RUNS]

1. End to end: median wall time of `leadsync deploy PRESET --target-org local` in a fresh process (it
   starts the local org in-process; the default deploy takes 0.3 s in the org), each into a fresh org (a
   copy of one that has its certificates and nothing deployed: a repeat finds nothing to send), then
   the repeat (No changes.); and the peak RSS of those processes (getrusage of the children).
2. Waiting: the local org made to take T seconds per deploy (T in 1, 3, 10); the time from submitting the
   deploy to the use case returning, minus T, and the number of status calls it cost. Targets: within
   T + 1.5 s for every T, at most 8 status calls for T = 3.

Not a test: timings vary by machine.
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


def end_to_end(spec: Path, state: Path) -> float:
    env = {k: v for k, v in os.environ.items() if k not in ORG_ENV}
    env["LEADSYNC_LOCAL_ORG_STATE"] = str(state)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "leadsync", "deploy", str(spec), "--target-org", "local"],
                          capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"deploy of {spec.name} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return elapsed


class Submitted:
    """A Progress that notes when the deploy was submitted."""

    at: float | None = None

    def phase(self, text: str) -> None:
        pass

    def submitted(self, deploy_id: str, what: str) -> None:
        self.at = time.perf_counter()

    def status(self, status) -> None:
        pass


def waiting(seconds: float, state: Path) -> tuple[float, float, int]:
    """(seconds from submission to outcome, seconds for the whole use case, status calls) for one deploy."""
    from leadsync.localorg.server import LocalOrg
    from leadsync.org import auth
    from leadsync.org import deploy as use_case

    with LocalOrg(state, deploy_seconds=seconds) as org:
        options = auth.OrgOptions(instance_url=org.instance_url)
        env = {"SF_ACCESS_TOKEN": org.access_token, "REQUESTS_CA_BUNDLE": str(org.ca_file)}
        progress = Submitted()
        before = org.calls.count("checkDeployStatus")
        start = time.perf_counter()
        outcome = use_case.deploy_spec(
            PRESETS[0], lambda v: auth.connect(options, api_version=v, environ=env), use_case.DeployRequest(),
            progress=progress,
        )
        end = time.perf_counter()
        assert outcome.success, outcome
        return end - progress.at, end - start, org.calls.count("checkDeployStatus") - before


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    with tempfile.TemporaryDirectory() as tmp:
        import shutil

        from leadsync.localorg.server import LocalOrg

        pristine = Path(tmp) / "pristine"
        LocalOrg(pristine).start().stop()  # an org that has its CA and certificate, and nothing deployed
        fresh = iter(range(10_000))

        def fresh_state() -> Path:  # each deploy goes to a fresh org (a repeat would find nothing to send)
            state = Path(tmp) / f"org{next(fresh)}"
            shutil.copytree(pristine, state, ignore=shutil.ignore_patterns("lock"))
            return state

        print(f"end to end: leadsync deploy PRESET --target-org local, a fresh org each time "
              f"(n={runs}, after one warm-up)")
        for spec in PRESETS:
            end_to_end(spec, fresh_state())  # warm-up: caches
            samples = [end_to_end(spec, fresh_state()) for _ in range(runs)]
            print(f"  {spec.name}: median {statistics.median(samples):.2f} s "
                  f"(min {min(samples):.2f}, max {max(samples):.2f})")
            state = fresh_state()
            end_to_end(spec, state)
            again = [end_to_end(spec, state) for _ in range(runs)]
            print(f"  {spec.name} again, nothing differs (No changes.): median {statistics.median(again):.2f} s")
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # kilobytes on Linux
        print(f"  peak memory of one deploy process: {peak_kb / 1024:.0f} MB")

        print("waiting: a deploy the org finishes in T s (target: done within T + 1.5 s; <= 8 calls at T = 3)")
        for seconds in (1, 3, 10):
            after_submit, whole, calls = waiting(seconds, Path(tmp) / f"wait-{seconds}")
            verdict = "ok" if after_submit <= seconds + 1.5 and (seconds != 3 or calls <= 8) else "MISSED"
            print(f"  T = {seconds:>2} s: returned T + {after_submit - seconds:.2f} s after submitting "
                  f"({whole:.2f} s for the whole use case), {calls} status calls [{verdict}]")


if __name__ == "__main__":
    main()
