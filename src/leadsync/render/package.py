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
