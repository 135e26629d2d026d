"""Renaming a status held by 50,000 leads: end-to-end time, API calls per 10,000 leads, peak memory.

Usage: python bench/rename_50k.py [LEADS]   (default 50,000)

The local org runs in this process (a throwaway state dir); 50,000 leads on 'Working - Contacted' are
seeded into it; then `leadsync deploy SPEC --instance-url URL` runs in a fresh process, with a spec that
renames 'Working - Contacted' to 'Working' (renamed_from). Reported: the deploy's wall time, the API calls
the org answered during it (every REST, Bulk and Metadata API call, per 10,000 leads), the peak RSS of
the deploy process (getrusage of the children) and of this process (the org). Targets (issue 7): at most
60 s, at most 10 calls per 10,000 leads, at most 200 MB.

Not a test: timings vary by machine.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SPEC = """\
leadsync: 1
name: bench
stages: [{value: Lead}, {value: MQL}, {value: SQL}]
statuses:
  - {value: New, default: true, renamed_from: Open - Not Contacted}
  - {value: Working, renamed_from: Working - Contacted}
  - {value: Qualified, converted: true, renamed_from: Closed - Converted}
  - {value: Unqualified, renamed_from: Closed - Not Converted}
"""
ORG_ENV = ("SF_TARGET_ORG", "SF_INSTANCE_URL", "SF_ACCESS_TOKEN", "SFDX_AUTH_URL", "SF_JWT_KEY_FILE",
           "REQUESTS_CA_BUNDLE", "LEADSYNC_LOCAL_ORG_STATE")


def main(leads: int) -> None:
    from leadsync.localorg.server import LocalOrg

    with tempfile.TemporaryDirectory() as tmp:
        org = LocalOrg(Path(tmp) / "org", deploy_seconds=0.05).start()
        try:
            started = time.perf_counter()
            for start in range(0, leads, 10_000):
                org.add_leads([{"LastName": f"L{i}", "Company": "Bench", "Status": "Working - Contacted"}
                               for i in range(start, min(leads, start + 10_000))])
            seeded = time.perf_counter() - started
            spec = Path(tmp) / "leadsync.yaml"
            spec.write_text(SPEC, encoding="utf-8")
            env = {k: v for k, v in os.environ.items() if k not in ORG_ENV}
            env.update(SF_ACCESS_TOKEN=org.access_token, REQUESTS_CA_BUNDLE=str(org.ca_file))
            calls_before = len(org.calls)
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "leadsync", "deploy", str(spec), "--instance-url",
                                   org.instance_url, "--json"], capture_output=True, text=True, env=env)
            elapsed = time.perf_counter() - started
            if done.returncode != 0:
                raise SystemExit(f"deploy failed ({done.returncode}):\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
            calls = len(org.calls) - calls_before
            moved = sum(1 for lead in org.leads.iter() if lead["Status"] == "Working")
        finally:
            org.stop()
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"seeded {leads:,} leads in {seeded:.1f} s")
    print(f"deploy (rename of {leads:,} leads): {elapsed:.1f} s end to end; {moved:,} leads moved")
    if calls is not None:
        print(f"API calls during the deploy: {calls} ({calls / leads * 10_000:.1f} per 10,000 leads)")
    print(f"peak RSS: deploy process {child_mb:.0f} MB; local org (this process) {self_mb:.0f} MB")
    in_process(leads)


def in_process(leads: int) -> None:
    """The same rename with `--target-org local`: the org inside the deploy process (one RSS for both)."""
    from leadsync.localorg.server import LocalOrg

    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp) / "org"
        org = LocalOrg(state, deploy_seconds=0.05).start()
        try:
            for start in range(0, leads, 10_000):
                org.add_leads([{"LastName": f"L{i}", "Company": "Bench", "Status": "Working - Contacted"}
                               for i in range(start, min(leads, start + 10_000))])
        finally:
            org.stop()
        spec = Path(tmp) / "leadsync.yaml"
        spec.write_text(SPEC, encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k not in ORG_ENV}
        env["LEADSYNC_LOCAL_ORG_STATE"] = str(state)
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "leadsync", "deploy", str(spec), "--target-org", "local"],
                              capture_output=True, text=True, env=env)
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"deploy failed ({done.returncode}):\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    note = "" if after > before else " (not above the first run's peak)"
    print(f"--target-org local (org in the deploy process): {elapsed:.1f} s end to end; peak RSS {after:.0f} MB{note}")


if __name__ == "__main__":
    main(int(sys.argv[1].replace(",", "").replace("_", "")) if len(sys.argv) > 1 else 50_000)
