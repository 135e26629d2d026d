"""Retrieve: the org's components back as an mdapi package, with Salesforce's file properties.

An object's children (fields, processes, ...) come back inside `objects/Lead.object`: all of them
when the request names CustomObject Lead, else only those it names. Elements are written in the
XSD's order (alphabetical), so the file deploys back unchanged. Members that do not exist are
reported as messages, as Salesforce does, not as a failure.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from leadsync.localorg.merge import serialize
from leadsync.localorg.package import build_zip, manifest_xml
from leadsync.localorg.state import Identity
from leadsync.localorg.store import MetadataStore, Stored
from leadsync.metadata.parse import CHILD_ELEMENT, CHILD_SUFFIX, NS, TOP_LEVEL_TYPES, Manifest, local_name, parse_xml


@dataclass
class Retrieved:
    zip: bytes = b""
    file_properties: list[dict] = field(default_factory=list)
    messages: list[dict] = field(default_factory=list)
    error: str | None = None  # fault injection: the retrieve ends Failed with this message
    ready_at: float = 0.0  # fault injection: InProgress until this time.time()


def file_name(type_: str, full_name: str) -> str:
    """The mdapi path of a component (children live in their object's file)."""
    if type_ in CHILD_SUFFIX:
        return f"objects/{full_name.split('.', 1)[0]}.object"
    folder, suffix, _ = TOP_LEVEL_TYPES[type_]
    return f"{folder}/{full_name}.{suffix}"


def file_properties(s: Stored | None, type_: str, full_name: str, path: str, identity: Identity) -> dict:
    """FileProperties in the XSD's element order."""
    org_created = identity.created_date.replace("+0000", "Z")  # REST's form to xsd:dateTime's
    return {
        "createdById": identity.user_id,
        "createdByName": "Admin User",
        "createdDate": s.created_date if s else org_created,
        "fileName": path,
        "fullName": full_name,
        "id": s.id if s else "",
        "lastModifiedById": identity.user_id,
        "lastModifiedByName": "Admin User",
        "lastModifiedDate": s.last_modified_date if s else org_created,
        "manageableState": "unmanaged",
        "type": type_,
    }


def retrieve(store: MetadataStore, identity: Identity, manifest: Manifest, single_package: bool,
             specific_files: list[str], package_names: list[str]) -> Retrieved:
    prefix = "" if single_package else "unpackaged/"
    out = Retrieved()
    files: dict[str, bytes] = {}
    whole_objects: set[str] = set()
    children: dict[str, list[Stored]] = {}
    for name in package_names:
        out.messages.append({"fileName": f"{prefix}package.xml", "problem": f"No package named '{name}' found"})
    for type_, members in sorted(manifest.types.items()):
        if type_ not in TOP_LEVEL_TYPES and type_ not in CHILD_SUFFIX:
            out.messages.append({"fileName": f"{prefix}package.xml",
                                 "problem": f"The local org does not support metadata type '{type_}'"})
            continue
        for full_name in _expand(store, type_, members):
            s = store.get(type_, full_name)
            if type_ == "CustomObject" and full_name == "Lead":
                whole_objects.add(full_name)
            elif s is None:
                out.messages.append({"fileName": f"{prefix}package.xml",
                                     "problem": f"Entity of type '{type_}' named '{full_name}' cannot be found"})
                continue
            path = prefix + file_name(type_, full_name)
            if specific_files and path[len(prefix):] not in specific_files:
                continue
            out.file_properties.append(file_properties(s, type_, full_name, path, identity))
            if type_ in CHILD_SUFFIX:
                children.setdefault(full_name.split(".", 1)[0], []).append(s)
            elif type_ == "CustomObject":
                whole_objects.add(full_name)
            else:
                files[path] = s.content
                if s.meta is not None:
                    files[path + "-meta.xml"] = s.meta
    for obj in sorted(whole_objects | set(children)):
        own = store.get("CustomObject", obj) if obj in whole_objects else None
        kids = [store.get(*k) for k in store.keys() if k[0] in CHILD_SUFFIX and k[1].startswith(obj + ".")]
        chosen = [k for k in kids if k is not None] if obj in whole_objects else children.get(obj, [])
        files[f"{prefix}objects/{obj}.object"] = object_document(own, chosen)
    files[f"{prefix}package.xml"] = manifest_xml({t: list(m) for t, m in manifest.types.items()}, manifest.version or "")
    out.file_properties.append({
        **file_properties(None, "Package", f"{prefix}package.xml", f"{prefix}package.xml", identity), "id": "",
    })
    out.zip = build_zip(files)
    return out


def object_document(own: Stored | None, children: list[Stored]) -> bytes:
    """A `.object` file: the object's own settings and its children, in the XSD's (alphabetical) order."""
    from lxml import etree

    root = etree.Element(f"{{{NS}}}CustomObject", nsmap={None: NS})
    parts = []
    if own is not None:
        parts += [copy.deepcopy(el) for el in parse_xml("CustomObject", own.content) if isinstance(el.tag, str)]
    for child in children:
        el = etree.Element(f"{{{NS}}}{CHILD_ELEMENT[child.type]}")
        for sub in parse_xml(child.full_name, child.content):
            if isinstance(sub.tag, str):
                el.append(copy.deepcopy(sub))
        parts.append(el)
    for el in sorted(parts, key=local_name):  # sorted() is stable: children keep their order
        root.append(el)
    return serialize(root)


def _expand(store: MetadataStore, type_: str, members: tuple[str, ...]) -> list[str]:
    names: list[str] = []
    for member in members:
        if member == "*":
            names += (["Lead"] if type_ == "CustomObject" else []) + [k[1] for k in store.keys(type_)]
        else:
            names.append(member)
    return list(dict.fromkeys(names))
