"""Check rendered files against the Metadata API schema (XSD), as a deploy would.

The schema is the `xsd:schema` inside simple-salesforce's `metadata.wsdl` (API 63.0), reduced to the
types leadsync renders and everything they refer to, with a top-level element per root type so a
file's root element names its type. Building it parses a 1.5 MB WSDL, so the reduced XSD text is
cached on disk (platformdirs' user cache dir, keyed by the WSDL's size and mtime and leadsync's
version; skipped when that folder cannot be written) and the compiled schema in memory.
simple_salesforce itself is never imported (it is slow): only its file is located.

A file that does not match is a leadsync bug or a broken template override, so each violation is
an internal error (LS900) naming the file, the line, the element and the template that wrote it.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
from dataclasses import dataclass
from pathlib import Path

from leadsync import __version__
from leadsync.cachedir import cache_dir, write_quietly
from leadsync.diagnostics import Diagnostic, Span, error
from leadsync.render.templates import CHILD_TYPES, TEMPLATE_FOR

SCHEMA_ERROR = "LS900"
MD_NS = "http://soap.sforce.com/2006/04/metadata"
XSD_NS = "http://www.w3.org/2001/XMLSchema"
ROOT_TYPES = tuple(TEMPLATE_FOR)  # CustomObject, CustomField, ..., Package
_FORMAT = "1"  # bump when the reduction changes, to ignore older cache files


def wsdl_path() -> Path:
    spec = importlib.util.find_spec("simple_salesforce")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("simple-salesforce is not installed: its metadata.wsdl holds the Metadata API schema")
    return Path(next(iter(spec.submodule_search_locations))) / "metadata.wsdl"


def reduce_wsdl(wsdl: bytes, roots: tuple[str, ...] = ROOT_TYPES) -> bytes:
    """The WSDL's schema cut down to `roots` and the types they need, plus one root element per type."""
    from lxml import etree

    schema = etree.fromstring(wsdl).find(f".//{{{XSD_NS}}}schema")
    if schema is None:
        raise RuntimeError("no xsd:schema in the Metadata API WSDL")
    by_name = {el.get("name"): el for el in schema if isinstance(el.tag, str) and el.get("name")}
    needed, todo = set(), list(roots)
    while todo:
        name = todo.pop()
        if name in needed:
            continue
        needed.add(name)
        for el in by_name[name].iter():
            for attr in ("type", "base"):
                ref = el.get(attr, "")
                if ref.startswith("tns:"):
                    todo.append(ref[4:])
    out = etree.Element(
        f"{{{XSD_NS}}}schema",
        nsmap={"xsd": XSD_NS, "tns": MD_NS},
        targetNamespace=MD_NS,
        elementFormDefault="qualified",
    )
    for root in roots:
        etree.SubElement(out, f"{{{XSD_NS}}}element", name=root, type=f"tns:{root}")
    for el in schema:  # keep the WSDL's order: the output is stable for a given WSDL
        if isinstance(el.tag, str) and el.get("name") in needed:
            out.append(el)
    return etree.tostring(out, encoding="UTF-8", xml_declaration=True)


def _cache_file(wsdl: Path) -> Path | None:
    try:
        st = wsdl.stat()
    except OSError:
        return None
    key = hashlib.sha256(f"{_FORMAT}|{','.join(ROOT_TYPES)}".encode()).hexdigest()[:12]
    return cache_dir() / f"metadata-{st.st_size}-{st.st_mtime_ns}-{__version__}-{key}.xsd"


def reduced_xsd() -> bytes:
    """The reduced XSD text, from the disk cache when it is there."""
    wsdl = wsdl_path()
    cache = _cache_file(wsdl)
    if cache is not None:
        try:
            return cache.read_bytes()
        except OSError:
            pass
    text = reduce_wsdl(wsdl.read_bytes())
    if cache is not None:
        write_quietly(cache, text)
    return text


@functools.cache
def metadata_schema():
    """The compiled lxml XMLSchema (built once per process)."""
    from lxml import etree

    return etree.XMLSchema(etree.fromstring(reduced_xsd()))


@dataclass(frozen=True)
class Violation:
    """One place where a file departs from the schema, in the schema's own words."""

    path: str
    line: int
    column: int
    kind: str  # the root type, e.g. "CustomObject"; "" when the root is not one we know
    where: str  # "/CustomObject/validationRules[2]/active", or "" for the whole file
    owner: str | None  # fullName of the component the element belongs to, when it has one
    detail: str


def violations(files: dict[str, bytes], *, any_order: bool = False) -> list[Violation]:
    """Schema violations in the XML files (other files, like sfdx-project.json, are skipped).

    `any_order=True` judges as a deploy does: Salesforce accepts elements out of their sequence
    order (the Salesforce CLI itself writes a converted CustomObject's children after its own
    elements), so each element's children are first put in schema order. leadsync's own output is
    checked strictly.
    """
    from lxml import etree

    schema = None
    found = []
    for path, data in files.items():
        if not path.endswith((".xml", ".object", ".standardValueSet", ".flow", ".permissionset",
                              ".customPermission", ".settings")):
            continue
        try:
            root = etree.fromstring(data, parser=_parser())
        except etree.XMLSyntaxError as err:
            line, col = err.position
            found.append(Violation(path, line, col, "", "", None, f"not well-formed XML: {err.msg}"))
            continue
        kind = etree.QName(root).localname
        if etree.QName(root).namespace != MD_NS or kind not in TEMPLATE_FOR:
            found.append(Violation(path, root.sourceline or 1, 1, "", "", None,
                                   f"root element {root.tag} is not a Metadata API type leadsync renders"))
            continue
        if any_order:
            _put_in_schema_order(root, kind)
        schema = schema or metadata_schema()
        if schema.validate(root):
            continue
        for entry in schema.error_log:
            element = _element_at(root, entry.path)
            where, owner = _describe(element) if element is not None else ("", None)
            detail = entry.message.replace(f"{{{MD_NS}}}", "")
            found.append(Violation(path, entry.line, entry.column, kind, where, owner, detail))
    return found


def validate_files(files: dict[str, bytes]) -> list[Diagnostic]:
    """leadsync's rendered files against the schema, strictly: each violation is an internal error
    naming the template that wrote the element."""
    diagnostics = []
    for v in violations(files):
        detail = v.detail + (f" (at {v.where}{f' of {v.owner}' if v.owner else ''})" if v.where else "")
        template = _template_for(v.kind, v.where) if v.kind else _template_for_file(v.path)
        diagnostics.append(_diagnostic(v.path, v.line, v.column, template, detail))
    return diagnostics


def template_of(v: Violation) -> str:
    """The template that wrote the element (or the file) a violation is about."""
    return _template_for(v.kind, v.where) if v.kind else _template_for_file(v.path)


def _put_in_schema_order(element, type_name: str) -> None:
    """Reorder `element`'s children (recursively) by the sequence of its XSD type; unknown ones last."""
    sequence = _sequences().get(type_name)
    if not sequence:
        return
    children = [c for c in element if isinstance(c.tag, str)]
    rank = {name: i for i, (name, _) in enumerate(sequence)}
    types = dict(sequence)
    for child in sorted(children, key=lambda c: rank.get(c.tag.rsplit("}", 1)[-1], len(rank))):
        element.append(child)  # re-appending moves it: a stable sort into schema order
        child_type = types.get(child.tag.rsplit("}", 1)[-1])
        if child_type:
            _put_in_schema_order(child, child_type)


@functools.cache
def _sequences() -> dict[str, list[tuple[str, str]]]:
    """Each complex type's element names and types in sequence order, its base type's first."""
    from lxml import etree

    schema = etree.fromstring(reduced_xsd())
    own, bases = {}, {}
    for ctype in schema.iter(f"{{{XSD_NS}}}complexType"):
        name = ctype.get("name")
        own[name] = [(el.get("name"), el.get("type", "").removeprefix("tns:"))
                     for el in ctype.iter(f"{{{XSD_NS}}}element") if el.get("name")]
        ext = ctype.find(f".//{{{XSD_NS}}}extension")
        if ext is not None:
            bases[name] = ext.get("base", "").removeprefix("tns:")

    def full(name: str) -> list[tuple[str, str]]:
        return (full(bases[name]) if name in bases else []) + own.get(name, [])

    return {name: full(name) for name in own}


def _element_at(root, xpath: str | None):
    from lxml import etree

    try:
        found = root.getroottree().xpath(xpath) if xpath else []
    except etree.XPathError:
        return None
    return found[0] if found else None


def _describe(element) -> tuple[str, str | None]:
    """`/CustomObject/validationRules[2]/active` and the fullName of the component it belongs to."""
    steps, owner, node = [], None, element
    while node is not None:
        parent = node.getparent()
        step = node.tag.rsplit("}", 1)[-1]
        if parent is not None:
            same = [c for c in parent if c.tag == node.tag]
            if len(same) > 1:
                step += f"[{same.index(node) + 1}]"
            name = node.findtext(f"{{{MD_NS}}}fullName")
            if name and owner is None:
                owner = name
        steps.append(step)
        node = parent
    return "/" + "/".join(reversed(steps)), owner


@functools.cache
def _parser():
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)


def _template_for(kind: str, where: str) -> str:
    """The template that wrote the element: a Lead child's own template inside the mdapi Lead.object."""
    steps = where.strip("/").split("/")
    if kind == "CustomObject" and len(steps) > 1:
        child = steps[1].split("[")[0]
        if child in CHILD_TYPES:
            return TEMPLATE_FOR[CHILD_TYPES[child]]
    return TEMPLATE_FOR[kind]


def _template_for_file(path: str) -> str:
    if path.endswith("package.xml"):
        return TEMPLATE_FOR["Package"]
    suffixes = {
        ".object": "CustomObject", ".object-meta.xml": "CustomObject", ".field-meta.xml": "CustomField",
        ".businessProcess-meta.xml": "BusinessProcess", ".recordType-meta.xml": "RecordType",
        ".validationRule-meta.xml": "ValidationRule", ".standardValueSet": "StandardValueSet",
        ".standardValueSet-meta.xml": "StandardValueSet", ".flow": "Flow", ".flow-meta.xml": "Flow",
        ".permissionset": "PermissionSet", ".permissionset-meta.xml": "PermissionSet",
        ".customPermission": "CustomPermission", ".customPermission-meta.xml": "CustomPermission",
        ".settings": "LeadConfigSettings", ".settings-meta.xml": "LeadConfigSettings",
        ".cls-meta.xml": "ApexClass",
    }
    kind = next((k for suffix, k in suffixes.items() if path.endswith(suffix)), None)
    return TEMPLATE_FOR[kind] if kind else "an unknown template"


def _diagnostic(path: str, line: int, col: int, template: str, detail: str) -> Diagnostic:
    return error(
        SCHEMA_ERROR,
        f"internal error: {path} (from template {template}) does not match the Metadata API schema: {detail}",
        Span(path, line or 0, col or 0),
        hint="a leadsync bug, or a template override that writes elements out of the schema's order",
    )
