"""The local org's side of renaming a value held by 50,000 leads: Bulk API 2.0 through simple-salesforce.

Usage: python bench/localorg_bulk_50k.py [LEADS]   (default 50,000)

A throwaway state dir gets LEADS leads on 'Open - Not Contacted' (seeded in this process, not timed),
then `leadsync local-org serve` runs it in a child process and the lifecycle preset (a before-save flow
with formulas, three validation rules) is deployed to it. Timed: a Bulk 2.0 query job for the leads'
Ids, a Bulk 2.0 update job moving them to 'New' (the record engine runs the flow and the rules on every
lead), and the GROUP BY count that checks it. Reported: wall time, API calls (counted on the client's
session) per 10,000 leads, peak RSS of the org process (VmHWM) and of this client.
Targets (issue 7): at most 60 s, at most 10 calls per 10,000 leads, at most 200 MB.
bench/rename_50k.py measures the same through `leadsync deploy` (renamed_from).

Not a test: timings vary by machine.
"""

from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PRESET = REPO / "config" / "presets" / "lifecycle.yaml"


def main(leads: int) -> None:
    import requests
    from simple_salesforce import Salesforce

    from leadsync.localorg.server import LocalOrg

    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp) / "org"
        org = LocalOrg(state).start()
        for start in range(0, leads, 10_000):
            org.add_leads([{"LastName": f"L{i}", "Company": "Bench"} for i in range(start, min(leads, start + 10_000))])
        org.stop()
        rendered = Path(tmp) / "mdapi"
        subprocess.run([sys.executable, "-m", "leadsync", "render", str(PRESET), "-o", str(rendered), "--format", "mdapi"],
                       check=True, capture_output=True)
        server = subprocess.Popen([sys.executable, "-m", "leadsync", "local-org", "serve", "--state", str(state),
                                   "--deploy-seconds", "0.05"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            info = json.loads(server.stdout.readline())
            os.environ["REQUESTS_CA_BUNDLE"] = info["ca_file"]
            session = requests.Session()
            session.verify = info["ca_file"]
            calls = [0]
            send = session.request

            def counted(*args, **kwargs):
                calls[0] += 1
                return send(*args, **kwargs)

            session.request = counted
            sf = Salesforce(instance_url=info["instance_url"], session_id=info["access_token"], session=session,
                            version="63.0")
            _deploy(sf, rendered)
            calls[0] = 0
            started = time.perf_counter()
            pages = sf.bulk2.Lead.query("SELECT Id FROM Lead WHERE Status = 'Open - Not Contacted'", wait=0.1)
            ids = [line.strip('"') for page in pages for line in page.splitlines()[1:] if line]
            results = sf.bulk2.Lead.update(records=[{"Id": i, "Status": "New"} for i in ids], wait=0.5)
            counts = {r["Status"]: r["n"] for r in sf.query(
                "SELECT Status, COUNT(Id) n FROM Lead GROUP BY Status")["records"]}
            elapsed = time.perf_counter() - started
            with open(f"/proc/{server.pid}/status") as f:
                org_mb = next(int(line.split()[1]) for line in f if line.startswith("VmHWM")) / 1024
        finally:
            server.terminate()
            server.wait(30)
    failed = sum(r["numberRecordsFailed"] for r in results)
    client_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"moved {counts.get('New', 0):,} of {leads:,} leads to New in {elapsed:.1f} s ({failed} failed)")
    print(f"API calls: {calls[0]} ({calls[0] / leads * 10_000:.1f} per 10,000 leads)")
    print(f"peak RSS: local org process {org_mb:.0f} MB; client {client_mb:.0f} MB")


def _deploy(sf, folder: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                z.write(path, path.relative_to(folder).as_posix())
    buf.seek(0)
    deploy_id, _ = sf.mdapi.deploy(buf, sandbox=True, rollbackOnError=True)
    while True:
        status, *_ = sf.mdapi.check_deploy_status(deploy_id)
        if status in ("Succeeded", "Failed", "SucceededPartial", "Canceled"):
            break
        time.sleep(0.1)
    if status != "Succeeded":
        raise SystemExit(f"deploy of the lifecycle preset: {status}")


if __name__ == "__main__":
    main(int(sys.argv[1].replace(",", "").replace("_", "")) if len(sys.argv) > 1 else 50_000)
