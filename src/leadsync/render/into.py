"""`render --into PROJECT`: leadsync's files in an existing sfdx project, and nothing else touched.

The source layout's `force-app/...` paths go under the project's package directory (the `default`
one of `sfdx-project.json`'s `packageDirectories`, else the first); the project's own
`sfdx-project.json` is left as it is. `.leadsync/rendered.json` in the project (commit it) lists
every file leadsync wrote there with its SHA-256, so that the next render:

- writes a file only when its bytes change (an unchanged file keeps its mtime);
- removes a file it rendered before and renders no more, if nobody changed it since; a changed one
  is kept and reported;
- refuses to overwrite a file it did not write (a `Lead.object-meta.xml` the project already had),
  unless `force`: then it overwrites it and takes it over.

Every file, the manifest included, is written atomically; the manifest last.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from leadsync.errors import LeadsyncError, UsageError
from leadsync.render import package

MANIFEST = ".leadsync/rendered.json"
_FORMAT = 1


@dataclass
class IntoResult:
    package_dir: str
    written: list[str] = field(default_factory=list)  # project-relative POSIX paths
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept_changed: list[str] = field(default_factory=list)  # stale, but edited since leadsync wrote them


def package_directory(project: Path) -> str:
    """The project's package directory (POSIX, relative), from sfdx-project.json."""
    config = project / "sfdx-project.json"
    try:
        doc = json.loads(config.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{project} is not an sfdx project: it has no sfdx-project.json") from None
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise UsageError(f"cannot read {config}: {getattr(err, 'strerror', None) or err}") from None
    dirs = doc.get("packageDirectories") if isinstance(doc, dict) else None
    if not isinstance(dirs, list) or not dirs or not all(isinstance(d, dict) and isinstance(d.get("path"), str)
                                                         for d in dirs):
        raise UsageError(f"{config} lists no packageDirectories with a path")
    chosen = next((d for d in dirs if d.get("default") is True), dirs[0])["path"]
    rel = PurePosixPath(chosen.replace("\\", "/"))
    if rel.is_absolute() or ".." in rel.parts or not rel.parts or str(rel) == ".":
        raise UsageError(f"{config}: package directory '{chosen}' is not a folder inside the project")
    real = (project / rel).resolve()
    if project.resolve() not in (real, *real.parents):
        raise UsageError(f"{config}: package directory '{chosen}' leads outside the project")
    return rel.as_posix()


def place(files: dict[str, bytes], package_dir: str) -> dict[str, bytes]:
    """Source-layout files → project paths: `force-app/` becomes the package directory; no sfdx-project.json."""
    prefix = package.SFDX_PACKAGE_DIR + "/"
    placed = {}
    for rel, data in files.items():
        if rel == "sfdx-project.json":
            continue
        if not rel.startswith(prefix):
            raise ValueError(f"not a source-layout path: {rel}")
        placed[f"{package_dir}/{rel[len(prefix):]}"] = data
    return placed


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_manifest(project: Path) -> dict[str, str]:
    """{path: sha256} of what leadsync wrote before; {} when there is no (readable) manifest."""
    try:
        doc = json.loads((project / MANIFEST).read_text(encoding="utf-8"))
        files = doc["files"]
        if isinstance(files, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
            return {k: v for k, v in files.items() if _safe(k)}
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return {}


def _safe(rel: str) -> bool:
    p = PurePosixPath(rel)
    return bool(p.parts) and not p.is_absolute() and ".." not in p.parts and p.parts[0] != ".leadsync"


def _current(path: Path) -> bytes | None:
    try:
        return path.read_bytes() if path.is_file() and not path.is_symlink() else None
    except OSError:
        return None


def write_into(files: dict[str, bytes], project: str | Path, *, force: bool = False) -> IntoResult:
    """Put a source-layout render into `project` (see the module docstring)."""
    from leadsync.render.output import write_file

    project = Path(project)
    if not project.is_dir():
        raise UsageError(f"{project} is not a folder")
    package_dir = package_directory(project)
    placed = place(files, package_dir)
    before = read_manifest(project)
    result = IntoResult(package_dir)

    # Check everything before writing anything.
    foreign = []
    for rel, data in placed.items():
        target = project / rel
        if target.is_symlink() or (target.exists() and not target.is_file()):
            raise LeadsyncError(f"{target} is not a regular file; leadsync will not write through it")
        current = _current(target)
        if current is not None and current != data and rel not in before:
            foreign.append(rel)
    if foreign and not force:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        raise LeadsyncError(f"{project} already has files leadsync would overwrite and did not write ({shown}); "
                            "pass --force to overwrite them (leadsync then owns them)")

    for rel in sorted(placed):
        data = placed[rel]
        target = project / rel
        if _current(target) == data:
            result.unchanged.append(rel)
            continue
        write_file(target, data)
        result.written.append(rel)
    for rel in sorted(set(before) - set(placed)):
        target = project / rel
        current = _current(target)
        if current is None:
            continue
        if _digest(current) != before[rel]:
            result.kept_changed.append(rel)
            continue
        os.unlink(target)
        result.removed.append(rel)
        _prune(project / package_dir, target.parent)
    manifest = {"leadsync": _FORMAT, "packageDirectory": package_dir,
                "files": {rel: _digest(data) for rel, data in sorted(placed.items())}}
    # Stale files a user changed stay listed: a later render removes them once they match again.
    manifest["files"].update({rel: before[rel] for rel in result.kept_changed})
    manifest["files"] = dict(sorted(manifest["files"].items()))
    listing = (json.dumps(manifest, indent=2) + "\n").encode("utf-8")
    if _current(project / MANIFEST) != listing:  # a re-run that changes nothing touches nothing
        write_file(project / MANIFEST, listing)
    return result


def _prune(root: Path, folder: Path) -> None:
    """Remove folders left empty by a removal, up to (not including) the package directory."""
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
