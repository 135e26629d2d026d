"""`leadsync render`: both layouts on disk, a deterministic zip, nothing written for a bad spec."""

from __future__ import annotations

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


def test_source_layout_is_an_sfdx_project(tmp_path: Path):
    out = tmp_path / "src"
    result = run("render", str(PRESET), "-o", str(out), "--format", "source")
    assert result.exit_code == 0, result.output
    files = tree(out)
    assert "sfdx-project.json" in files
    assert "force-app/main/default/standardValueSets/LeadStatus.standardValueSet-meta.xml" in files
    assert "force-app/main/default/objects/Lead/fields/Lead_Stage__c.field-meta.xml" in files
    assert not any(name.endswith("package.xml") for name in files)


def test_mdapi_layout_and_zip_hold_the_same_files(tmp_path: Path):
    out, zipped = tmp_path / "md", tmp_path / "deploy.zip"
    result = run("render", str(PRESET), "-o", str(out), "--format", "mdapi", "--zip", str(zipped))
    assert result.exit_code == 0, result.output
    files = tree(out)
    assert {"package.xml", "objects/Lead.object", "standardValueSets/LeadStatus.standardValueSet"} <= set(files)
    with zipfile.ZipFile(zipped) as z:
        assert {n: z.read(n) for n in z.namelist()} == files


def test_rendering_twice_gives_identical_bytes(tmp_path: Path):
    for n in (1, 2):
        assert run("render", str(PRESET), "-o", str(tmp_path / f"o{n}"), "--format", "mdapi",
                   "--zip", str(tmp_path / f"z{n}.zip")).exit_code == 0
    assert tree(tmp_path / "o1") == tree(tmp_path / "o2")
    assert (tmp_path / "z1.zip").read_bytes() == (tmp_path / "z2.zip").read_bytes()


def test_bad_spec_writes_nothing_and_keeps_the_old_output(tmp_path: Path):
    out = tmp_path / "build"
    assert run("render", str(PRESET), "-o", str(out)).exit_code == 0
    before = tree(out)
    bad = tmp_path / "bad.yaml"
    bad.write_text("leadsync: 1\nname: x\nstages: []\n")
    result = run("render", str(bad), "-o", str(out), "--zip", str(tmp_path / "bad.zip"))
    assert result.exit_code == 1
    assert f"{bad}:" in result.output
    assert tree(out) == before
    assert not (tmp_path / "bad.zip").exists()


def test_an_output_path_that_cannot_be_written_is_a_clean_error(tmp_path: Path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    result = run("render", str(PRESET), "-o", str(blocker / "out"))
    assert result.exit_code == 1
    assert f"cannot write {blocker / 'out'}" in result.output and "Traceback" not in result.output
    result = run("render", str(PRESET), "-o", str(tmp_path / "ok"), "--zip", str(blocker / "x.zip"))
    assert result.exit_code == 1 and f"cannot write {blocker / 'x.zip'}" in result.output


def test_a_folder_holding_other_files_is_never_swept_away(tmp_path: Path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "leadsync.yaml").write_bytes(PRESET.read_bytes())
    (project / "README.md").write_text("ours\n")
    result = run("render", str(project / "leadsync.yaml"), "-o", str(project), "--zip", str(tmp_path / "x.zip"))
    assert result.exit_code == 1
    assert "README.md" in result.output and "--force" in result.output
    assert sorted(p.name for p in project.iterdir()) == ["README.md", "leadsync.yaml"]
    assert not (tmp_path / "x.zip").exists(), "nothing is written when the folder is refused"


def test_a_previous_render_is_replaced_and_force_keeps_other_files(tmp_path: Path):
    out = tmp_path / "out"
    assert run("render", str(PRESET), "-o", str(out)).exit_code == 0
    assert run("render", str(PRESET), "-o", str(out)).exit_code == 0, "a previous render is replaceable"
    (out / "force-app" / "main" / "default" / "classes").mkdir(exist_ok=True)  # the scenarios' Apex test is there
    (out / "force-app" / "main" / "default" / "classes" / "Mine.cls").write_text("// someone's Apex\n")
    assert run("render", str(PRESET), "-o", str(out)).exit_code == 1
    assert run("render", str(PRESET), "-o", str(out), "--force").exit_code == 0
    assert (out / "force-app" / "main" / "default" / "classes" / "Mine.cls").read_text() == "// someone's Apex\n"


def test_the_output_folder_has_ordinary_permissions(tmp_path: Path):
    import os
    import stat

    old = os.umask(0o022)
    try:
        assert run("render", str(PRESET), "-o", str(tmp_path / "out"), "--zip", str(tmp_path / "o.zip")).exit_code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "out").stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "o.zip").stat().st_mode) == 0o644
