"""Lead page layouts that show the generated fields (`layouts: all | none | [names]`).

Layouts belong to the org, not to leadsync: they are retrieved, and only the fields leadsync renders
that a layout does not show yet are added, in one section of leadsync's own (`Lead Lifecycle`, after the
layout's first section): the stage and reason fields editable, the stamp dates read-only. Nothing else
in a layout changes: the new section is spliced into the retrieved bytes, so every existing section,
item, related list and setting is sent back byte for byte. A field the layout already shows (in any
section) is left where it is. A layout that shows every field is not sent at all.

`org/plan.py` retrieves the layouts with everything else and patches them (`patch_layout`) to say what
a deploy would change; `with_layouts(files, changes)` adds the patched layouts to a rendered mdapi
package and its package.xml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from leadsync.metadata import model as m

if TYPE_CHECKING:
    from leadsync.org.client import OrgClient
    from leadsync.spec.model import Spec

SECTION_LABEL = "Lead Lifecycle"
FOLDER = "layouts"
_SECTION = re.compile(r"(?P<indent>[ \t]*)<layoutSections>.*?</layoutSections>[ \t]*\r?\n?", re.S)


@dataclass(frozen=True)
class LayoutChange:
    name: str  # "Lead-Lead Layout"
    added: tuple[tuple[str, str], ...]  # (field, behavior) the patch adds
    content: bytes  # the patched layout

    @property
    def path(self) -> str:
        return f"{FOLDER}/{self.name}.layout"


def wanted_fields(bundle: m.Bundle) -> list[tuple[str, str]]:
    """(field, behavior) for every field leadsync renders: picklists editable, stamp dates read-only."""
    out = []
    for f in bundle.lead.fields:
        out.append((f.full_name, "Edit" if isinstance(f, m.PicklistField) else "Readonly"))
    return out


def layout_names(spec: Spec, available: list[str]) -> list[str]:
    """The Lead layouts the spec asks for, among those the org has ("Lead-" prefix optional in the spec)."""
    choice = getattr(spec, "layouts", "all")
    if choice == "none":
        return []
    lead = sorted(n for n in available if n.startswith(f"{m.OBJECT}-"))
    if choice == "all":
        return lead
    wanted = [n if n.startswith(f"{m.OBJECT}-") else f"{m.OBJECT}-{n}" for n in choice]
    return [n for n in wanted if n in lead]


def missing_layouts(spec: Spec, available: list[str]) -> list[str]:
    """Layout names the spec lists that the org does not have."""
    choice = getattr(spec, "layouts", "all")
    if choice in ("all", "none"):
        return []
    wanted = [n if n.startswith(f"{m.OBJECT}-") else f"{m.OBJECT}-{n}" for n in choice]
    return [n for n in wanted if n not in available]


def list_layouts(client: OrgClient) -> list[str]:
    """Full names of the org's layouts (listMetadata, without parsing the WSDL: OrgClient.list_metadata)."""
    return client.list_metadata("Layout")


def patch_layout(data: bytes, fields: list[tuple[str, str]]) -> tuple[bytes, tuple[tuple[str, str], ...]] | None:
    """The layout with the missing fields added in leadsync's section, and what was added; None when
    the layout shows every field already. Bytes outside the section are kept as they were."""
    from leadsync.metadata.parse import children, elements, local_name, parse_xml

    root = parse_xml("layout", data)
    shown = {(el.text or "").strip().lower() for el in root.iter() if isinstance(el.tag, str)
             and local_name(el) == "field"}
    missing = tuple((f, b) for f, b in fields if f.lower() not in shown)
    if not missing:
        return None
    text = data.decode("utf-8")
    blocks = list(_SECTION.finditer(text))
    ours = next((b for b in blocks if f"<label>{SECTION_LABEL}</label>" in b.group(0)), None)
    if ours is not None:  # our section is there already: keep its items, add the missing ones
        section = next(s for s in children(root, "layoutSections")
                       if any(local_name(e) == "label" and (e.text or "") == SECTION_LABEL for e in elements(s)))
        kept = [(_item_field(i), _item_behavior(i)) for c in children(section, "layoutColumns")
                for i in children(c, "layoutItems")]
        items = [k for k in kept if k[0]] + list(missing)
        new = _render_section(items, ours.group("indent"), _newline(text))
        return (text[:ours.start()] + new + text[ours.end():]).encode("utf-8"), missing
    if blocks:
        at, indent = blocks[0].end(), blocks[0].group("indent")
    else:
        close = text.rfind("</Layout>")
        if close < 0:
            return None
        at, indent = close, "    "
    new = _render_section(list(missing), indent, _newline(text))
    return (text[:at] + new + text[at:]).encode("utf-8"), missing


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _item_field(item) -> str:
    from leadsync.metadata.parse import text

    return (text(item, "field") or "").strip()


def _item_behavior(item) -> str:
    from leadsync.metadata.parse import text

    return (text(item, "behavior") or "Edit").strip()


def _render_section(items: list[tuple[str, str]], indent: str, nl: str) -> str:
    """A two-column section in the layout's own indentation: editable fields left, read-only right."""
    step = indent or "    "
    i1, i2, i3, i4 = indent + step, indent + step * 2, indent + step * 3, indent + step * 4
    left = [(f, b) for f, b in items if b != "Readonly"]
    right = [(f, b) for f, b in items if b == "Readonly"]

    def column(col: list[tuple[str, str]]) -> str:
        if not col:
            return f"{i1}<layoutColumns/>{nl}"
        body = "".join(f"{i2}<layoutItems>{nl}{i3}<behavior>{b}</behavior>{nl}{i3}<field>{f}</field>{nl}"
                       f"{i2}</layoutItems>{nl}" for f, b in col)
        return f"{i1}<layoutColumns>{nl}{body}{i1}</layoutColumns>{nl}"

    del i4
    return (f"{indent}<layoutSections>{nl}{i1}<customLabel>true</customLabel>{nl}"
            f"{i1}<detailHeading>true</detailHeading>{nl}{i1}<editHeading>true</editHeading>{nl}"
            f"{i1}<label>{SECTION_LABEL}</label>{nl}{column(left)}{column(right)}"
            f"{i1}<style>TwoColumnsTopToBottom</style>{nl}{indent}</layoutSections>{nl}")


def with_layouts(files: dict[str, bytes], changes: list[LayoutChange]) -> dict[str, bytes]:
    """A rendered mdapi package with the patched layouts added (files and package.xml members)."""
    if not changes:
        return files
    out = dict(files)
    for c in changes:
        out[c.path] = c.content
    out["package.xml"] = _manifest_with(files["package.xml"], "Layout", [c.name for c in changes])
    return out


def _manifest_with(data: bytes, type_: str, members: list[str]) -> bytes:
    """package.xml with one more <types> block, in Salesforce's order (types sorted by name)."""
    from xml.sax.saxutils import escape

    text = data.decode("utf-8")
    block = "    <types>\n" + "".join(f"        <members>{escape(n)}</members>\n" for n in sorted(members)) \
        + f"        <name>{type_}</name>\n    </types>\n"
    spots = [(mt.group(1), mt.start()) for mt in re.finditer(r"[ \t]*<types>.*?<name>([^<]*)</name>\s*</types>\n?", text, re.S)]
    after = next((start for name, start in spots if name > type_), None)
    if after is None:
        version = text.find("<version>")
        at = text.rfind("\n", 0, version) + 1 if version >= 0 else text.rfind("</Package>")
    else:
        at = after
    return (text[:at] + block + text[at:]).encode("utf-8")


__all__ = ["LayoutChange", "SECTION_LABEL", "layout_names", "list_layouts", "missing_layouts", "patch_layout",
           "wanted_fields", "with_layouts"]
