"""What each deployed component becomes in the org, before anyone judges it.

A component's stored form (store.py) is its own XML document: the deployed file for top-level
types, a re-rooted element for an object's children (`<fields>` -> `<CustomField>`), and the
object-level settings alone for CustomObject. Picklist values the org has but a deploy leaves out are
kept, inactive, as Salesforce does: a value set is never shortened by a deploy, values are deactivated.
A Settings deploy changes only the settings it names.
"""

from __future__ import annotations

import copy

from leadsync.localorg.store import Content, Key, MetadataStore
from leadsync.metadata.parse import CHILD_ELEMENT, NS, OBJECT_CHILDREN, TOP_LEVEL_TYPES, Component

# The XSD's element order of a picklist value (Metadata, CustomValue, then StandardValue's own).
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
_VALUE_ORDER = ("fullName", "color", "default", "description", "isActive", "label", "allowEmail", "closed",
                "converted", "cssExposed", "forecastCategory", "groupingString", "highPriority", "probability",
                "reverseRole", "reviewed", "won")


def contents(components: list[Component], files: dict[str, bytes], store: MetadataStore) -> dict[Key, Content]:
    """The stored form of every deployed component (Apex keeps source and -meta.xml)."""
    out: dict[Key, Content] = {}
    for c in components:
        key = (c.type, c.full_name)
        if c.type in TOP_LEVEL_TYPES and not TOP_LEVEL_TYPES[c.type][2]:
            prev = out.get(key, Content(b""))
            if c.path.endswith("-meta.xml"):
                out[key] = Content(prev.content, files[c.path])
            else:
                out[key] = Content(files[c.path], prev.meta)
            continue
        if c.type == "CustomObject":
            out[key] = Content(document(c.element, "CustomObject", skip=set(OBJECT_CHILDREN)))
        elif c.type in CHILD_ELEMENT:
            out[key] = Content(document(c.element, c.type))
        else:
            out[key] = Content(files[c.path])
        old = store.get(*key)
        if old is not None and c.type in ("StandardValueSet", "CustomField"):
            out[key] = Content(keep_omitted_values(out[key].content, old.content, c.type))
        elif old is not None and c.type == "Settings":
            out[key] = Content(keep_omitted_settings(out[key].content, old.content))
    return out


def keep_omitted_settings(new: bytes, old: bytes) -> bytes:
    """A Settings deploy changes the settings it names; the org keeps every other one as it was."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    new_root, old_root = etree.fromstring(new, parser), etree.fromstring(old, parser)
    named = {child.tag for child in new_root if isinstance(child.tag, str)}
    kept = [copy.deepcopy(child) for child in old_root if isinstance(child.tag, str) and child.tag not in named]
    for child in kept:
        new_root.append(child)
    return serialize(new_root) if kept else new


def document(el, root_type: str, skip: set[str] = frozenset()) -> bytes:
    """`el`'s children under a new root element in the metadata namespace, indented like Salesforce's files."""
    from lxml import etree

    root = etree.Element(f"{{{NS}}}{root_type}", nsmap={None: NS})
    for child in el:
        if isinstance(child.tag, str) and etree.QName(child).localname not in skip:
            root.append(_in_namespace(copy.deepcopy(child)))
    return serialize(root)


def serialize(root) -> bytes:
    from lxml import etree

    for el in root.iter():
        if isinstance(el.tag, str) and len(el) == 0 and el.text is not None and not el.text.strip() and "\n" in el.text:
            el.text = None
    etree.indent(root, space="    ")
    return XML_DECLARATION + etree.tostring(root, encoding="UTF-8") + b"\n"


def keep_omitted_values(new: bytes, old: bytes, type_: str) -> bytes:
    """`new` with every value of `old` it does not name appended, inactive and not default."""
    from leadsync.metadata.parse import parse_xml

    new_root, old_root = parse_xml("new", new), parse_xml("old", old)
    item = "standardValue" if type_ == "StandardValueSet" else "value"
    new_box, old_box = _value_box(new_root, type_), _value_box(old_root, type_)
    if new_box is None or old_box is None:
        return new
    named = {_name(v) for v in _items(new_box, item)}
    omitted = [v for v in _items(old_box, item) if _name(v) not in named]
    if not omitted:
        return new
    present = _items(new_box, item)
    anchor = present[-1] if present else None
    for value in omitted:
        value = _in_namespace(copy.deepcopy(value))
        _set(value, "default", "false")
        _set(value, "isActive", "false")
        if anchor is None:
            new_box.append(value)
        else:
            anchor.addnext(value)
        anchor = value
    return serialize(new_root)


def _value_box(root, type_: str):
    if type_ == "StandardValueSet":
        return root
    value_set = _first(root, "valueSet")
    return _first(value_set, "valueSetDefinition") if value_set is not None else None


def _set(value, name: str, text: str) -> None:
    from lxml import etree

    el = _first(value, name)
    if el is None:
        el = etree.Element(f"{{{NS}}}{name}")
        rank = _VALUE_ORDER.index(name)
        later = next((c for c in value if _local(c) in _VALUE_ORDER[rank + 1:]), None)
        if later is None:
            value.append(el)
        else:
            later.addprevious(el)
    el.text = text


def _in_namespace(el):
    for node in el.iter():
        if isinstance(node.tag, str) and not node.tag.startswith("{"):
            node.tag = f"{{{NS}}}{node.tag}"
    return el


def _local(el) -> str:
    return el.tag.rsplit("}", 1)[-1] if isinstance(el.tag, str) else ""


def _items(el, name: str) -> list:
    return [c for c in el if _local(c) == name]


def _first(el, name: str):
    return next((c for c in el if _local(c) == name), None)


def _name(value) -> str:
    el = _first(value, "fullName")
    return (el.text or "") if el is not None else ""
