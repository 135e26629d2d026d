"""Bundle -> files: `{relpath: bytes}` in the `source` (sfdx project) or `mdapi` layout.

| component | source (under force-app/main/default/) | mdapi |
| --- | --- | --- |
| Lead settings (enable_history) | objects/Lead/Lead.object-meta.xml | objects/Lead.object, |
| CustomField | objects/Lead/fields/X.field-meta.xml | which holds every |
| BusinessProcess | objects/Lead/businessProcesses/X.businessProcess-meta.xml | Lead child |
| RecordType | objects/Lead/recordTypes/X.recordType-meta.xml | (fullName kept) |
| ValidationRule | objects/Lead/validationRules/X.validationRule-meta.xml | |
| StandardValueSet | standardValueSets/X.standardValueSet-meta.xml | standardValueSets/X.standardValueSet |
| Flow | flows/X.flow-meta.xml | flows/X.flow |
| PermissionSet | permissionsets/X.permissionset-meta.xml | permissionsets/X.permissionset |
| CustomPermission | customPermissions/X.customPermission-meta.xml | customPermissions/X.customPermission |
| ApexClass | classes/X.cls and classes/X.cls-meta.xml | the same |
| Settings LeadConfig | settings/LeadConfig.settings-meta.xml | settings/LeadConfig.settings |
| project | sfdx-project.json (at the root) | package.xml |

As `sf` writes them, source files of Lead's children keep their fullName and top-level components
have none. Every XML file is UTF-8 with the XML declaration, 4-space indents and a final newline.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from leadsync.metadata.model import OBJECT, Bundle
from leadsync.render import package, templates
from leadsync.render.templates import CHILD_TYPES, TEMPLATE_FOR

Layout = Literal["source", "mdapi"]
SOURCE_ROOT = f"{package.SFDX_PACKAGE_DIR}/main/default"

# The one Apex class leadsync renders (render/apex.py): other classes in the folder are the user's.
_APEX = r"classes/[A-Za-z][A-Za-z0-9_]*_Lifecycle_Test\.cls(-meta\.xml)?"
# Every path a layout can hold (whatever the spec): an output folder holding anything else is not a
# previous render, and `render` will not replace it without --force.
RENDERED_PATHS: dict[str, re.Pattern[str]] = {
    "source": re.compile(
        rf"sfdx-project\.json|{re.escape(SOURCE_ROOT)}/(objects/{OBJECT}/({OBJECT}\.object-meta\.xml|"
        r"(fields|businessProcesses|recordTypes|validationRules)/[^/]+)|"
        r"(standardValueSets|flows|permissionsets|customPermissions|settings)/[^/]+|" + _APEX + ")"),
    "mdapi": re.compile(rf"package\.xml|objects/{OBJECT}\.object|"
                        r"(standardValueSets|flows|permissionsets|customPermissions|settings)/[^/]+|" + _APEX),
}
# A path that either layout renders: `render` replaces a folder holding a render of the other layout.
RENDERED_ANY = re.compile("|".join(f"(?:{p.pattern})" for p in RENDERED_PATHS.values()))


def render_files(bundle: Bundle, layout: Layout, template_dir: Path | None = None) -> dict[str, bytes]:
    """Render every component of `bundle`; keys are sorted POSIX relative paths."""
    template_dir = Path(template_dir).resolve() if template_dir else None
    if layout == "source":
        files = _source(bundle, template_dir)
    elif layout == "mdapi":
        files = _mdapi(bundle, template_dir)
    else:
        raise ValueError(f"unknown layout {layout!r} (source or mdapi)")
    return {path: files[path].encode("utf-8") for path in sorted(files)}


def _render(kind: str, node: str, template_dir: Path | None, **context) -> str:
    return templates.render(TEMPLATE_FOR[kind], f"{kind} {node}", template_dir, **context)


# Lead's children as files of their own: LeadObject attribute, folder (the mdapi element), file
# suffix, template variable.
_SOURCE_CHILDREN = (
    ("fields", "fields", "field", "field"),
    ("business_processes", "businessProcesses", "businessProcess", "process"),
    ("record_types", "recordTypes", "recordType", "record_type"),
    ("validation_rules", "validationRules", "validationRule", "rule"),
)


def _source(bundle: Bundle, tdir: Path | None) -> dict[str, str]:
    lead = bundle.lead
    obj = f"{SOURCE_ROOT}/objects/{OBJECT}"
    files = {"sfdx-project.json": package.sfdx_project_json(bundle)}
    if lead.enable_history is not None:
        files[f"{obj}/{OBJECT}.object-meta.xml"] = _render(
            "CustomObject", OBJECT, tdir, lead=lead, with_children=False
        )
    for attr, folder, suffix, var in _SOURCE_CHILDREN:
        kind = CHILD_TYPES[folder]
        for child in getattr(lead, attr):
            files[f"{obj}/{folder}/{_file(child.full_name)}.{suffix}-meta.xml"] = _render(
                kind, f"{OBJECT}.{child.full_name}", tdir, nested=False, **{var: child}
            )
    for name, text in _top_level(bundle, tdir).items():
        files[f"{SOURCE_ROOT}/{name}-meta.xml"] = text
    for name, text in _apex(bundle, tdir).items():
        files[f"{SOURCE_ROOT}/{name}"] = text
    return files


def _mdapi(bundle: Bundle, tdir: Path | None) -> dict[str, str]:
    lead = bundle.lead
    files = {"package.xml": package.package_xml(bundle, tdir)}
    if lead.enable_history is not None or lead.fields or lead.business_processes or lead.record_types \
            or lead.validation_rules:
        files[f"objects/{OBJECT}.object"] = _render("CustomObject", OBJECT, tdir, lead=lead, with_children=True)
    files.update(_top_level(bundle, tdir))
    files.update(_apex(bundle, tdir))
    return files


def _top_level(bundle: Bundle, tdir: Path | None) -> dict[str, str]:
    """Components that are files of their own in both layouts, by their mdapi path."""
    files = {}
    for svs in bundle.standard_value_sets:
        files[f"standardValueSets/{_file(svs.full_name)}.standardValueSet"] = _render(
            "StandardValueSet", svs.full_name, tdir, value_set=svs
        )
    for flow in bundle.flows:
        files[f"flows/{_file(flow.full_name)}.flow"] = _render("Flow", flow.full_name, tdir, flow=flow)
    for ps in bundle.permission_sets:
        files[f"permissionsets/{_file(ps.full_name)}.permissionset"] = _render(
            "PermissionSet", ps.full_name, tdir, permission_set=ps
        )
    for cp in bundle.custom_permissions:
        files[f"customPermissions/{_file(cp.full_name)}.customPermission"] = _render(
            "CustomPermission", cp.full_name, tdir, permission=cp
        )
    if bundle.lead_config is not None:
        files["settings/LeadConfig.settings"] = _render(
            "LeadConfigSettings", "LeadConfig", tdir, settings=bundle.lead_config
        )
    return files


def _apex(bundle: Bundle, tdir: Path | None) -> dict[str, str]:
    """Apex classes: the same two files in both layouts (classes/X.cls and classes/X.cls-meta.xml)."""
    files = {}
    for cls in bundle.apex_classes:
        files[f"classes/{_file(cls.full_name)}.cls"] = cls.body
        files[f"classes/{_file(cls.full_name)}.cls-meta.xml"] = _render("ApexClass", cls.full_name, tdir,
                                                                        apex_class=cls)
    return files


def _file(name: str) -> str:
    """A component name as a file name; `/` and `\\` would make folders, and cannot be in one."""
    if "/" in name or "\\" in name or name in ("", ".", ".."):
        raise ValueError(f"{name!r} cannot be a file name")
    return name
