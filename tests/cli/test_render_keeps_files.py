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
    assert run("render", str(presets_dir() / "salesforce-default.yaml"), "-o", str(out), "--format", "mdapi").exit_code == 0
    (out / "keep.txt").write_text("k\n")
    assert "flows/sfdefault_Lead_Lifecycle.flow" in tree(out)
    result = run("render", str(PRESET), "-o", str(out), "--format", "mdapi", "--force")
    assert result.exit_code == 0, result.output
    files = tree(out)
    assert "keep.txt" in files and "flows/sfdefault_Lead_Lifecycle.flow" not in files and "package.xml" in files
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "no temp files left behind"


def test_a_users_own_flow_or_permission_set_in_the_folder_is_never_deleted(tmp_path: Path):
    """A path a layout could render (flows/, permissionsets/) is not enough: only a file carrying
    leadsync's mark, or one of the names only leadsync writes, is a render's to replace."""
    out = tmp_path / "out"
    assert run("render", str(PRESET), "-o", str(out), "--format", "mdapi").exit_code == 0
    mine = {"flows/Mine.flow": b"<Flow/>\n", "permissionsets/Sales.permissionset": b"<PermissionSet/>\n",
            "standardValueSets/LeadSource.standardValueSet": b"<StandardValueSet/>\n"}
    for rel, data in mine.items():
        (out / rel).write_bytes(data)
    refused = run("render", str(PRESET), "-o", str(out), "--format", "mdapi")
    assert refused.exit_code == 1 and "flows/Mine.flow" in refused.output
    assert all(tree(out)[rel] == data for rel, data in mine.items())
    for layout in ("mdapi", "source"):
        result = run("render", str(PRESET), "-o", str(out), "--format", layout, "--force")
        assert result.exit_code == 0, result.output
        assert all(tree(out)[rel] == data for rel, data in mine.items()), layout
    assert "sfdx-project.json" in tree(out) and "package.xml" not in tree(out)  # the other render went


def test_every_file_any_render_writes_is_recognised_as_a_renders(tmp_path: Path):
    """What `rendered_before` must know: every file of every shipped spec and fixture, in both layouts."""
    from leadsync.build import build
    from leadsync.render.layouts import RENDERED_ANY
    from leadsync.render.output import rendered_before, write_tree

    repo = Path(__file__).resolve().parents[2]
    specs = [*presets_dir().glob("*.yaml"), *(repo / "config" / "clients").glob("*.yaml"),
             *(repo / "tests" / "fixtures" / "specs").rglob("*.yaml")]
    for spec in specs:
        for layout in ("source", "mdapi"):
            result = build(str(spec), layout=layout)
            if not result.ok:
                continue
            out = tmp_path / f"{spec.stem}-{layout}"
            write_tree(result.files, out)
            unknown = [rel for rel in result.files if not (RENDERED_ANY.fullmatch(rel) and rendered_before(out, rel))]
            assert unknown == [], (spec, layout)
