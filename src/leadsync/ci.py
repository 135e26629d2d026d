"""`leadsync init --ci github`: a GitHub Actions workflow for a repository of specs.

The workflow is `GITHUB_WORKFLOW` below, written as it is to `.github/workflows/leadsync.yml`; docs/ci.md
shows the same text (a test keeps the two equal, parses it, and parses every leadsync command in it
with leadsync's own command line).
"""

from __future__ import annotations

from pathlib import Path

from leadsync.errors import UsageError

WORKFLOW_PATH = Path(".github") / "workflows" / "leadsync.yml"

GITHUB_WORKFLOW = """\
# leadsync: validate specs on pull requests, check-only deploy to a sandbox, deploy on merge.
# Written by `leadsync init --ci github` (docs/ci.md). Repository layout: a base spec and one overlay
# per client in clients/ (change CLIENTS below). Secret: LEADSYNC_SANDBOX_AUTH_URL, the SFDX auth URL
# (force://...) of the sandbox, from `sf org display --verbose --json` (result.sfdxAuthUrl).
name: leadsync

on:
  pull_request:
  push:
    branches: [main]
  workflow_dispatch:

permissions:
  contents: read

env:
  CLIENTS: clients
  PYTHON_VERSION: "3.11"
  # The leadsync to install, pinned to the one you tested: leadsync==X.Y.Z from your package index, or
  # "leadsync @ git+https://github.com/OWNER/leadsync@TAG".
  LEADSYNC_PACKAGE: leadsync

jobs:
  validate:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: ${{ env.PYTHON_VERSION }}
          cache: pip
          cache-dependency-path: .github/workflows/leadsync.yml
      - run: pip install "$LEADSYNC_PACKAGE"
      # Every spec in the repository; errors become annotations on the pull request's lines.
      - run: leadsync validate . --format github
      - if: always()
        run: leadsync validate . --format junit > leadsync-validate.xml
      - if: always()
        uses: actions/upload-artifact@v4
        with:
          name: leadsync-validate
          path: leadsync-validate.xml

  clients:
    runs-on: ubuntu-latest
    outputs:
      specs: ${{ steps.list.outputs.specs }}
    steps:
      - uses: actions/checkout@v4
      - id: list
        run: |
          # specs only (a top-level leadsync: or extends: key), as leadsync validate finds them
          specs=$(find "$CLIENTS" \\( -name '*.yaml' -o -name '*.yml' \\) -exec grep -lE '^(leadsync|extends):' {} + | sort | jq -R -s -c 'split("\\n") | map(select(. != ""))')
          echo "specs=$specs" >> "$GITHUB_OUTPUT"

  dry-run:
    # Pull requests from forks get no secrets: they are validated, not dry-run.
    if: github.event_name == 'pull_request' && github.event.pull_request.head.repo.full_name == github.repository && needs.clients.outputs.specs != '[]'
    needs: [validate, clients]
    runs-on: ubuntu-latest
    strategy:
      fail-fast: false
      matrix:
        spec: ${{ fromJSON(needs.clients.outputs.specs) }}
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: ${{ env.PYTHON_VERSION }}
          cache: pip
          cache-dependency-path: .github/workflows/leadsync.yml
      - run: pip install "$LEADSYNC_PACKAGE"
      - name: check-only deploy to the sandbox
        run: leadsync deploy "$SPEC" --dry-run --wait 30 --junit leadsync-dry-run.xml
        env:
          SPEC: ${{ matrix.spec }}   # a file name, so through the environment, never into the script
          SFDX_AUTH_URL: ${{ secrets.LEADSYNC_SANDBOX_AUTH_URL }}

  deploy:
    if: github.event_name == 'push' && github.ref == 'refs/heads/main' && needs.clients.outputs.specs != '[]'
    needs: [validate, clients]
    runs-on: ubuntu-latest
    environment: sandbox
    concurrency: leadsync-deploy-${{ matrix.spec }}
    strategy:
      fail-fast: false
      max-parallel: 4
      matrix:
        spec: ${{ fromJSON(needs.clients.outputs.specs) }}
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: ${{ env.PYTHON_VERSION }}
          cache: pip
          cache-dependency-path: .github/workflows/leadsync.yml
      - run: pip install "$LEADSYNC_PACKAGE"
      - name: deploy
        run: leadsync deploy "$SPEC" --wait 30 --json --junit leadsync-deploy.xml
        env:
          SPEC: ${{ matrix.spec }}
          SFDX_AUTH_URL: ${{ secrets.LEADSYNC_SANDBOX_AUTH_URL }}
"""

WORKFLOWS = {"github": (WORKFLOW_PATH, GITHUB_WORKFLOW)}


def write_workflow(kind: str, root: Path = Path("."), force: bool = False) -> Path:
    """Write the workflow for `kind` under `root`; an existing file only with `force`."""
    from leadsync.render.output import write_file

    if kind not in WORKFLOWS:
        raise UsageError(f"unknown CI '{kind}'; choose one of: {', '.join(WORKFLOWS)}")
    relpath, text = WORKFLOWS[kind]
    target = root / relpath
    if target.exists() and not force:
        raise UsageError(f"{target} already exists; use --force to overwrite it")
    write_file(target, text.encode("utf-8"))
    return target
