"""Many specs at once: which files in a folder are specs, and checking many of them.

`leadsync validate DIR`, `leadsync render --all DIR` use these. Finding specs is cheap: no YAML is parsed.

A file in a folder counts as a spec when it ends in `.yaml` or `.yml` and has a top-level `leadsync:`
or `extends:` key (a line starting with either); other YAML (CI workflows, ORGS.yaml, mkdocs.yml...)
is skipped, and so are hidden folders (`.git`, `.github`, `.leadsync`, `.venv`), `venv`, `site-packages`
and `node_modules`. A file named on the command line is always checked, whatever it holds.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from leadsync.errors import UsageError

SUFFIXES = (".yaml", ".yml")
_SPEC_KEY = re.compile(rb"^(?:leadsync|extends|['\"](?:leadsync|extends)['\"])[ \t]*:", re.MULTILINE)
_SKIP_DIRS = {"node_modules", "__pycache__", "venv", "site-packages"}
_SNIFF_BYTES = 64 * 1024


@dataclass
class Found:
    specs: list[str] = field(default_factory=list)  # paths as shown to the user, in a stable order
    skipped: list[str] = field(default_factory=list)  # YAML files in folders that are not specs


def looks_like_spec(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError:
        return True  # let the loader say why it cannot be read
    return bool(_SPEC_KEY.search(head))


def specs_in(folder: str) -> Found:
    """Every spec under `folder` (recursively), sorted by path; paths start with `folder` as given."""
    found = Found()
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS)
        for name in sorted(files):
            if not name.endswith(SUFFIXES) or name.startswith("."):
                continue
            path = os.path.join(root, name)
            (found.specs if looks_like_spec(Path(path)) else found.skipped).append(path)
    return found


def expand(args: tuple[str, ...] | list[str]) -> Found:
    """Command-line arguments → spec paths: a folder gives its specs, a file is taken as it is.

    A folder holding no spec is a usage error (exit 2): nothing would be checked.
    """
    found = Found()
    seen: set[str] = set()
    for arg in args:
        if os.path.isdir(arg):
            inside = specs_in(arg)
            if not inside.specs:
                raise UsageError(f"{arg} holds no spec (*.yaml or *.yml with a top-level 'leadsync:' or 'extends:')")
            paths = inside.specs
            found.skipped += inside.skipped
        else:
            paths = [arg]
        for path in paths:
            key = os.path.normpath(path)
            if key not in seen:
                seen.add(key)
                found.specs.append(path)
    return found


def package_name(spec: str, folder: str) -> str:
    """The folder name of a spec's package under `render --all -o OUT`: its path inside `folder`
    without the suffix (`clients/acme.yaml` in `clients/` → `acme`; `eu/acme.yml` → `eu/acme`)."""
    rel = os.path.relpath(spec, folder)
    stem, _ = os.path.splitext(rel)
    return Path(stem).as_posix()


def real(path: str) -> str:
    return os.path.realpath(path)


# --- checking many ------------------------------------------------------------------------------

PARALLEL_FROM = 16  # specs; below this a pool costs more than it saves


def check_all(paths: list[str], template_dir: Path | None = None, use_cache: bool = True) -> dict[str, list]:
    """`build.check` for every path, in order: on a pool of forked workers (one per core, at most 4)
    when there are many specs and the platform forks; else one after another. Each worker parses a
    shared base once (spec/yamlload.py) and stores its results in the validate cache itself."""
    from leadsync.build import check

    workers = min(4, os.cpu_count() or 1, len(paths) // (PARALLEL_FROM // 2) or 1)
    if len(paths) >= PARALLEL_FROM and workers > 1:
        import multiprocessing

        if "fork" in multiprocessing.get_all_start_methods():
            try:
                with multiprocessing.get_context("fork").Pool(workers) as pool:
                    results = pool.starmap(check, [(p, template_dir, use_cache) for p in paths],
                                           chunksize=max(1, len(paths) // (workers * 4)))
                return dict(zip(paths, results))
            except (OSError, ImportError):  # no processes to be had here: do it in this one
                pass
    return {p: check(p, template_dir, use_cache=use_cache) for p in paths}
