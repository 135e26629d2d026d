"""Rendered files to disk or to a zip: atomic, and the same bytes for the same input.

`write_tree` builds the whole folder beside the target, then swaps it in with renames, so a reader
sees the old folder or the new one, never half of either; on failure the old folder is left as it
was. `write_render` is what `leadsync render` uses: it replaces only what a render wrote, and never
deletes any other file (a spec, a zip, someone's Apex), with or without --force. `zip_bytes` fixes every entry's date, permissions and order, so a zip of the same files is the
same bytes (a deploy's checksum, a CI artifact's diff).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from leadsync.errors import LeadsyncError, UsageError

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
ZIP_FILE_MODE = 0o644


def _checked(relpath: str) -> PurePosixPath:
    parts = relpath.split("/")
    if "\\" in relpath or any(part in ("", ".", "..") for part in parts):
        raise ValueError(f"not a safe relative path: {relpath!r}")
    return PurePosixPath(relpath)


@contextlib.contextmanager
def _writing(path: Path):
    """An OS refusal (permissions, a read-only or full disk) is the user's to fix, not a crash."""
    try:
        yield
    except OSError as err:
        raise LeadsyncError(f"cannot write {path}: {err.strerror or err}; check the path and its permissions") from err


def write_tree(files: dict[str, bytes], out_dir: str | Path) -> None:
    """Replace `out_dir` with exactly `files` (relpath -> bytes), atomically. Whatever the folder held
    goes: `leadsync render` uses `write_render`, which never deletes a file a render did not write."""
    out = Path(out_dir)
    with _writing(out):
        _write_tree(files, out)


def write_render(files: dict[str, bytes], out_dir: str | Path, *, ours: re.Pattern[str], force: bool = False,
                 keep: tuple[str | Path, ...] = ()) -> None:
    """Write a render into `out_dir`, replacing only what a leadsync render wrote there.

    A file is a render's when this render writes it, or when its path matches `ours` (a path either
    layout renders) and it carries leadsync's mark (`rendered_before`); any other file (a spec, a zip, a
    README, someone's Apex, someone's own flow in `flows/`) is never deleted. A folder holding only a
    render, of either layout, is replaced atomically (`write_tree`). A folder holding other files is refused, unless
    `force`: then every file is written atomically beside them, and rendered files this render no
    longer writes are removed. `keep` names files this command writes itself (the --zip file): they are
    neither foreign nor removed.
    """
    out = Path(out_dir)
    with _writing(out):
        if out.exists() and not out.is_dir():
            raise UsageError(f"{out} exists and is not a folder")
        kept = _inside(out, keep)
        present, foreign = [], []
        for rel in _files_in(out):
            present.append(rel)
            if rel not in kept and rel not in files and not (ours.fullmatch(rel) and rendered_before(out, rel)):
                foreign.append(rel)
                if len(foreign) > 3 and not force:
                    break  # enough to refuse (`-o ~` must not walk a whole home folder first)
        if foreign and not force:
            shown = ", ".join(sorted(foreign)[:3]) + (" and more" if len(foreign) > 3 else "")
            raise LeadsyncError(f"{out} holds files that are not part of a leadsync render ({shown}); render into "
                                "a folder of its own, or pass --force to write beside them (they are kept)")
        if not foreign and not (kept & set(present)):
            _write_tree(files, out)
            return
        paths = {rel: _checked(rel) for rel in files}
        for rel in sorted(files):
            _write_file(out.joinpath(*paths[rel].parts), files[rel])
        others = set(foreign)
        for rel in sorted(present):
            if rel not in files and rel not in kept and rel not in others:
                os.unlink(out / rel)
                _prune_empty(out, (out / rel).parent)


# Rendered files that carry no `[managed by leadsync]` mark: their names are leadsync's alone.
_UNMARKED = re.compile(r"package\.xml|sfdx-project\.json|(.*/)?(Lead\.object(-meta\.xml)?|"
                       r"LeadStatus\.standardValueSet(-meta\.xml)?|LeadConfig\.settings(-meta\.xml)?|"
                       r"[A-Za-z][A-Za-z0-9_]*_Lifecycle_Test\.cls(-meta\.xml)?)")


def rendered_before(out: Path, rel: str) -> bool:
    """Whether the file at `rel` (a path a layout renders) came from a leadsync render: one of the names
    only leadsync writes, or a file carrying the mark every other rendered file has
    (`metadata.ownership.MARKER`). A user's own flow or permission set in the folder is not."""
    from leadsync.metadata.ownership import MARKER

    if _UNMARKED.fullmatch(rel):
        return True
    try:
        with open(out / rel, "rb") as fh:
            return MARKER.encode() in fh.read(4 << 20)
    except OSError:
        return False


def _inside(out: Path, paths: tuple[str | Path, ...]) -> set[str]:
    """The relpaths under `out` of `paths` that lie inside it."""
    root = out.resolve()
    inside = set()
    for path in paths:
        try:
            inside.add(Path(path).resolve().relative_to(root).as_posix())
        except ValueError:
            continue
    return inside


def _files_in(out: Path) -> Iterator[str]:
    """Every file (and symlink) under `out` as a POSIX relpath; symlinked folders are not followed."""
    if not out.is_dir():
        return
    for folder, dirs, names in os.walk(out):
        base = Path(folder)
        dirs.sort()
        for name in sorted(names):
            yield (base / name).relative_to(out).as_posix()
        for d in dirs:
            if (base / d).is_symlink():
                yield (base / d).relative_to(out).as_posix()


def _prune_empty(out: Path, folder: Path) -> None:
    """Remove `folder` and its parents up to `out` while they are empty (a removed render's folders)."""
    while folder != out and out in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _write_tree(files: dict[str, bytes], out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} exists and is not a folder")
    paths = {rel: _checked(rel) for rel in files}
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes 0700; the output is an ordinary folder
    old = None
    try:
        for rel in sorted(files):
            target = tmp.joinpath(*paths[rel].parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(files[rel])
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
            os.rmdir(old)
            os.replace(out, old)
        try:
            os.replace(tmp, out)
        except OSError:
            if old is not None:
                os.replace(old, out)
                old = None
            raise
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_file(path: str | Path, data: bytes) -> None:
    """Write one file atomically (a temp file beside it, then a rename)."""
    with _writing(Path(path)):
        _write_file(Path(path), data)


def _write_file(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a written artifact is an ordinary file
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """A deflated zip of `files`: entries sorted, dated 1980-01-01, mode 0644, no folder entries."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for rel in sorted(files):
            info = zipfile.ZipInfo(str(_checked(rel)), date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, so that external_attr means a mode
            info.external_attr = (0o100000 | ZIP_FILE_MODE) << 16
            zf.writestr(info, files[rel], compresslevel=9)
    return buf.getvalue()
