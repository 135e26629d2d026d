"""`leadsync render` never loses a file: it replaces only what a leadsync render wrote (issue 6, point 2).

A spec, a zip or any other file in the output folder survives, with or without --force; a folder
holding a render of the other layout is replaced.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from click.testing import CliRunner

from leadsync.cli import main_group
from leadsync.resources import presets_dir

PRESET = presets_dir() / "lifecycle.yaml"


def run(*args: str):
    return CliRunner().invoke(main_group, list(args))


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_zip_written_into_the_output_folder_is_kept(tmp_path: Path):
    out = tmp_path / "build"
    for _ in range(2):  # and again, over the first render and its zip
        result = run("render", str(PRESET), "-o", str(out), "--format", "mdapi", "--zip", str(out / "lead.zip"))
        assert result.exit_code == 0, result.output
        assert f"wrote {out / 'lead.zip'}" in result.output
        with zipfile.ZipFile(out / "lead.zip") as z:
            assert {n: z.read(n) for n in z.namelist()} == {k: v for k, v in tree(out).items() if k != "lead.zip"}


def test_force_never_deletes_the_spec_or_any_other_file(tmp_path: Path):
    t2 = tmp_path / "t2"
    t2.mkdir()
    spec = t2 / "leadsync.yaml"
    spec.write_bytes(PRESET.read_bytes())
    (t2 / "notes.md").write_text("ours\n")
    (t2 / "old.zip").write_bytes(b"PK-ish")
    classes = t2 / "force-app" / "main" / "default" / "classes"
    classes.mkdir(parents=True)
    (classes / "Mine.cls").write_text("// someone's Apex\n")
    for layout in ("source", "mdapi", "source"):
        result = run("render", str(spec), "-o", str(t2), "--format", layout, "--force")
        assert result.exit_code == 0, result.output
        assert spec.read_bytes() == PRESET.read_bytes()
        assert (t2 / "notes.md").read_text() == "ours\n" and (t2 / "old.zip").read_bytes() == b"PK-ish"
        assert (classes / "Mine.cls").read_text() == "// someone's Apex\n"
    files = tree(t2)
    assert "sfdx-project.json" in files and "package.xml" not in files, "the other layout's render is gone"
    assert not any(name.startswith(("flows/", "objects/", "standardValueSets/")) for name in files)


def test_without_force_a_folder_with_other_files_is_refused_and_untouched(tmp_path: Path):
    t2 = tmp_path / "t2"
    t2.mkdir()
    spec = t2 / "leadsync.yaml"
    spec.write_bytes(PRESET.read_bytes())
    result = run("render", str(spec), "-o", str(t2))
    assert result.exit_code == 1
    assert "leadsync.yaml" in result.output and "--force" in result.output
    assert tree(t2) == {"leadsync.yaml": PRESET.read_bytes()}


def test_readme_everyday_pair_renders_source_then_mdapi_into_the_same_folder(tmp_path: Path):
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        Path("leadsync.yaml").write_bytes(PRESET.read_bytes())
        first = run("render", "leadsync.yaml", "-o", "build", "--format", "source")
        assert first.exit_code == 0, first.output
        second = run("render", "leadsync.yaml", "-o", "build", "--format", "mdapi", "--zip", "lead.zip")
        assert second.exit_code == 0, second.output
        files = tree(Path("build"))
        assert "package.xml" in files and "sfdx-project.json" not in files
        assert Path("lead.zip").is_file() and Path("leadsync.yaml").is_file()
        back = run("render", "leadsync.yaml", "-o", "build", "--format", "source")
        assert back.exit_code == 0, back.output
        assert "package.xml" not in tree(Path("build"))
    finally:
        os.chdir(cwd)


def test_stale_rendered_files_go_when_other_files_are_kept(tmp_path: Path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("k\n")
    (out / "flows").mkdir()
    (out / "flows" / "Old_Render.flow").write_text("<Flow/>\n")
    result = run("render", str(PRESET), "-o", str(out), "--format", "mdapi", "--force")
    assert result.exit_code == 0, result.output
    files = tree(out)
    assert "keep.txt" in files and "flows/Old_Render.flow" not in files and "package.xml" in files
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "no temp files left behind"
