"""`leadsync render --all DIR -o OUT` (one package per client spec) and `render --into PROJECT`."""

from __future__ import annotations

import json
import os
from pathlib import Path

from click.testing import CliRunner

from leadsync.cli import main_group
from leadsync.render.into import MANIFEST
from leadsync.resources import presets_dir

REPO = Path(__file__).resolve().parents[2]
BAD = (REPO / "tests" / "fixtures" / "invalid" / "duplicate_status.yaml").read_text(encoding="utf-8")


def run(*args: str):
    return CliRunner().invoke(main_group, list(args))


def _clients(root: Path) -> Path:
    clients = root / "specs"
    (clients / "eu").mkdir(parents=True)
    (clients / "base.yaml").write_bytes((presets_dir() / "lifecycle.yaml").read_bytes())
    (clients / "acme.yaml").write_text("extends: base.yaml\nname: acme\n")
    (clients / "eu" / "globex.yml").write_text("extends: ../base.yaml\nname: globex\n")
    (clients / "notes.yaml").write_text("just: notes\n")
    return clients


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_render_all_writes_one_package_per_client(tmp_path: Path):
    clients = _clients(tmp_path)
    out = tmp_path / "build"
    result = run("render", "--all", str(clients), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["acme", "eu"]  # base.yaml is a base: not rendered
    assert (out / "eu" / "globex" / "sfdx-project.json").is_file()
    acme = _files(out / "acme")
    assert "force-app/main/default/flows/acme_Lead_Lifecycle.flow-meta.xml" in acme
    single = tmp_path / "single"
    assert run("render", str(clients / "acme.yaml"), "-o", str(single)).exit_code == 0
    assert all((single / f).read_bytes() == (out / "acme" / f).read_bytes() for f in acme)
    assert "wrote 2 packages (source)" in result.output and "1 base spec checked" in result.output
    mdapi = run("render", "--all", str(clients), "-o", str(tmp_path / "m"), "--format", "mdapi")
    assert mdapi.exit_code == 0 and (tmp_path / "m" / "acme" / "package.xml").is_file()


def test_render_all_writes_nothing_when_one_spec_fails(tmp_path: Path):
    clients = _clients(tmp_path)
    (clients / "bad.yaml").write_text(BAD)
    result = run("render", "--all", str(clients), "-o", str(tmp_path / "build"))
    assert result.exit_code == 1
    assert f"{clients / 'bad.yaml'}:10:" in result.output and "nothing written" in result.output
    assert not (tmp_path / "build").exists()


def test_render_all_usage(tmp_path: Path):
    clients = _clients(tmp_path)
    assert run("render", "x.yaml", "--all", str(clients)).exit_code == 2
    assert run("render", "--all", str(clients), "--zip", "a.zip").exit_code == 2
    assert run("render", "--all", str(tmp_path / "nope")).exit_code == 2


def _project(root: Path) -> Path:
    project = root / "proj"
    (project / "src" / "main" / "default" / "classes").mkdir(parents=True)
    (project / "force-app").mkdir()
    (project / "sfdx-project.json").write_text(json.dumps({
        "packageDirectories": [{"path": "force-app"}, {"path": "src", "default": True}],
        "sourceApiVersion": "63.0", "name": "theirs"}, indent=2))
    (project / "src" / "main" / "default" / "classes" / "Theirs.cls").write_text("public class Theirs {}\n")
    (project / "README.md").write_text("theirs\n")
    return project


def _snapshot(project: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(project).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in project.rglob("*") if p.is_file()}


def test_render_into_touches_only_its_files_and_removes_only_its_stale_ones(tmp_path: Path):
    project = _project(tmp_path)
    (tmp_path / "base.yaml").write_bytes((presets_dir() / "lifecycle.yaml").read_bytes())
    spec = tmp_path / "acme.yaml"
    partner = ("stages:\n  - value: Partner\n    description: Referred by a partner.\n    after: Customer\n")
    spec.write_text("extends: base.yaml\nname: acme\n" + partner)
    theirs = _snapshot(project)

    first = run("render", str(spec), "--into", str(project))
    assert first.exit_code == 0, first.output
    after = _snapshot(project)
    assert {k: v for k, v in after.items() if k in theirs} == theirs  # the project's own files: untouched
    manifest = json.loads((project / MANIFEST).read_text())
    assert manifest["packageDirectory"] == "src"
    ours = set(manifest["files"])
    assert ours == set(after) - set(theirs) - {MANIFEST}
    assert all(rel.startswith("src/main/default/") for rel in ours)
    assert not any(rel.startswith("force-app/") for rel in after)
    gone = "src/main/default/objects/Lead/fields/Partner_Date__c.field-meta.xml"
    assert gone in ours

    # Again, unchanged: nothing rewritten, the list included (mtimes kept).
    again = run("render", str(spec), "--into", str(project))
    assert again.exit_code == 0 and "0 written" in again.output
    assert _snapshot(project) == after

    # Drop the stage: its date field is stale, and removed; nothing of the project's is.
    spec.write_text("extends: base.yaml\nname: acme\n")
    third = run("render", str(spec), "--into", str(project))
    assert third.exit_code == 0, third.output
    assert not (project / gone).exists() and f"removed {gone}" in third.output
    assert gone not in json.loads((project / MANIFEST).read_text())["files"]
    assert {k: v for k, v in _snapshot(project).items() if k in theirs} == theirs


def test_stale_file_edited_by_the_user_is_kept(tmp_path: Path):
    project = _project(tmp_path)
    spec = tmp_path / "acme.yaml"
    spec.write_bytes((presets_dir() / "lifecycle.yaml").read_bytes())
    assert run("render", str(spec), "--into", str(project)).exit_code == 0
    manifest = json.loads((project / MANIFEST).read_text())
    # Pretend an earlier render wrote two more files; the user edited one of them since.
    for name, body in (("Old_A__c", b"<a/>\n"), ("Old_B__c", b"<b/>\n")):
        rel = f"src/main/default/objects/Lead/fields/{name}.field-meta.xml"
        (project / rel).write_bytes(body)
        import hashlib

        manifest["files"][rel] = hashlib.sha256(body).hexdigest()
    (project / MANIFEST).write_text(json.dumps(manifest))
    (project / "src/main/default/objects/Lead/fields/Old_B__c.field-meta.xml").write_bytes(b"<b>edited</b>\n")
    result = run("render", str(spec), "--into", str(project))
    assert result.exit_code == 0, result.output
    assert not (project / "src/main/default/objects/Lead/fields/Old_A__c.field-meta.xml").exists()
    assert (project / "src/main/default/objects/Lead/fields/Old_B__c.field-meta.xml").read_bytes() == b"<b>edited</b>\n"
    assert "kept src/main/default/objects/Lead/fields/Old_B__c.field-meta.xml" in result.output


def test_render_into_refuses_to_overwrite_a_file_it_did_not_write(tmp_path: Path):
    project = _project(tmp_path)
    lead = project / "src" / "main" / "default" / "objects" / "Lead" / "Lead.object-meta.xml"
    lead.parent.mkdir(parents=True)
    lead.write_text("<theirs/>\n")
    spec = presets_dir() / "lifecycle.yaml"
    result = run("render", str(spec), "--into", str(project))
    assert result.exit_code == 1 and "--force" in result.output
    assert lead.read_text() == "<theirs/>\n" and not (project / MANIFEST).exists()
    forced = run("render", str(spec), "--into", str(project), "--force")
    assert forced.exit_code == 0 and lead.read_text() != "<theirs/>\n"


def test_render_into_needs_an_sfdx_project(tmp_path: Path):
    result = run("render", str(presets_dir() / "lifecycle.yaml"), "--into", str(tmp_path))
    assert result.exit_code == 2 and "sfdx-project.json" in result.output
    (tmp_path / "sfdx-project.json").write_text('{"packageDirectories": [{"path": "../outside"}]}')
    result = run("render", str(presets_dir() / "lifecycle.yaml"), "--into", str(tmp_path))
    assert result.exit_code == 2 and "inside the project" in result.output
    assert run("render", "--into", str(tmp_path), "-o", "x").exit_code == 2
    assert os.listdir(tmp_path) == ["sfdx-project.json"]


def test_render_all_checks_every_package_folder_before_writing(tmp_path: Path):
    clients = _clients(tmp_path)
    out = tmp_path / "build"
    (out / "eu" / "globex").mkdir(parents=True)
    (out / "eu" / "globex" / "notes.txt").write_text("mine\n")
    result = run("render", "--all", str(clients), "-o", str(out))
    assert result.exit_code == 1 and "notes.txt" in result.output and "nothing was written" in result.output
    assert not (out / "acme").exists()
    forced = run("render", "--all", str(clients), "-o", str(out), "--force")
    assert forced.exit_code == 0 and (out / "eu" / "globex" / "notes.txt").read_text() == "mine\n"
    (clients / "eu.yaml").write_text("extends: base.yaml\nname: eu\n")
    nested = run("render", "--all", str(clients), "-o", str(tmp_path / "b2"))
    assert nested.exit_code == 2 and "rename one" in nested.output
