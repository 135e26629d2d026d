"""The project files around the components: package.xml (mdapi) and sfdx-project.json (source)."""

from __future__ import annotations

import json
from pathlib import Path

from leadsync.metadata.model import Bundle
from leadsync.render import templates

SFDX_PACKAGE_DIR = "force-app"


def package_xml(bundle: Bundle, template_dir: Path | None = None) -> str:
    """package.xml listing exactly Bundle.members(), at the bundle's API version."""
    return templates.render(
        templates.TEMPLATE_FOR["Package"], "package.xml", template_dir,
        members=bundle.members(), version=bundle.api_version,
    )


def sfdx_project_json(bundle: Bundle) -> str:
    project = {
        "name": "leadsync",
        "namespace": "",
        "packageDirectories": [{"default": True, "path": SFDX_PACKAGE_DIR}],
        "sfdcLoginUrl": "https://login.salesforce.com",
        "sourceApiVersion": bundle.api_version,
    }
    return json.dumps(project, indent=2, sort_keys=True) + "\n"


def destructive_xml(members: list[tuple[str, str]], version: str) -> bytes:
    """destructiveChanges(Post).xml: the (type, member) components a deploy deletes, in package.xml's
    form and order (types by name, members sorted); no wildcards."""
    from xml.sax.saxutils import escape

    types: dict[str, list[str]] = {}
    for type_, name in members:
        types.setdefault(type_, []).append(name)
    body = "".join(
        "    <types>\n" + "".join(f"        <members>{escape(n)}</members>\n" for n in sorted(names))
        + f"        <name>{escape(type_)}</name>\n    </types>\n"
        for type_, names in sorted(types.items())
    )
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<Package xmlns="http://soap.sforce.com/2006/04/metadata">\n'
            f"{body}    <version>{escape(version)}</version>\n</Package>\n").encode("utf-8")
