"""render/output.py: atomic folder writes and byte-deterministic zips."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from leadsync.errors import LeadsyncError, UsageError
from leadsync.render import output
from leadsync.render.output import write_file, write_tree, zip_bytes

from .conftest import FULL, files_of

FILES = {"b/two.xml": b"<b/>\n", "a.xml": b"<a/>\n", "c/d/e.txt": b"e"}


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_write_tree_writes_exactly_the_files_and_replaces_an_old_folder(tmp_path: Path):
    out = tmp_path / "build"
    write_tree(FILES, out)
    assert tree(out) == FILES
    (out / "stale.xml").write_bytes(b"old")
    write_tree({"new.xml": b"n"}, out)
    assert tree(out) == {"new.xml": b"n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"], "no temp folder left behind"


def test_write_tree_failure_leaves_the_old_folder_untouched(tmp_path: Path, monkeypatch):
    out = tmp_path / "build"
    write_tree(FILES, out)
    real_replace = os.replace

    def failing_replace(src, dst):
        if Path(dst) == out and str(src).endswith(".tmp"):  # swapping the new folder in fails
            raise OSError("disk full")
        return real_replace(src, dst)

    monkeypatch.setattr(output.os, "replace", failing_replace)
    with pytest.raises(LeadsyncError, match="disk full"):
        write_tree({"x.xml": b"x"}, out)
    monkeypatch.undo()
    assert tree(out) == FILES
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]


def test_write_tree_failure_while_writing_files_cleans_up(tmp_path: Path):
    out = tmp_path / "build"
    write_tree(FILES, out)
    with pytest.raises(ValueError):
        write_tree({"ok.xml": b"1", "../escape.xml": b"2"}, out)
    assert tree(out) == FILES
    assert not (tmp_path / "escape.xml").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]


@pytest.mark.parametrize("bad", ["/abs.xml", "a/../../b.xml", "a\\b.xml", "", "./a.xml"])
def test_unsafe_paths_are_refused(tmp_path: Path, bad: str):
    with pytest.raises(ValueError):
        write_tree({bad: b""}, tmp_path / "out")
    with pytest.raises(ValueError):
        zip_bytes({bad: b""})


def test_write_tree_refuses_to_replace_a_file(tmp_path: Path):
    target = tmp_path / "build"
    target.write_text("not a folder")
    with pytest.raises(UsageError):
        write_tree(FILES, target)
    assert target.read_text() == "not a folder"


def test_write_file_is_atomic_and_leaves_no_temp(tmp_path: Path):
    target = tmp_path / "sub" / "deploy.zip"
    write_file(target, b"one")
    write_file(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["deploy.zip"]


def test_zip_is_deterministic_sorted_with_fixed_dates_and_modes():
    files = files_of(FULL, "mdapi")
    data = zip_bytes(files)
    assert data == zip_bytes(dict(reversed(list(files.items()))))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        infos = z.infolist()
        assert [i.filename for i in infos] == sorted(files)
        assert {n: z.read(n) for n in z.namelist()} == files
        for i in infos:
            assert i.date_time == (1980, 1, 1, 0, 0, 0)
            assert (i.external_attr >> 16) & 0o777 == 0o644
            assert i.compress_type == zipfile.ZIP_DEFLATED
        assert z.testzip() is None
