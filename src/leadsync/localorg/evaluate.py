"""One deploy's package, read and judged: what it holds, what the org would become, what is wrong.

Pure with respect to the org: nothing is committed here (deploys.py decides that), so a check-only
deploy, a failed deploy and a quick deploy of a validation all go through the same code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from leadsync.localorg import judge, merge
from leadsync.localorg.judge import Problem
from leadsync.localorg.package import BadPackage, package_root, unzip
from leadsync.localorg.store import Content, Key, MetadataStore
from leadsync.metadata import parse
from leadsync.metadata.parse import MANIFESTS, Component, MetadataParseError


@dataclass
class Evaluation:
    components: list[Component] = field(default_factory=list)  # those package.xml selects
    contents: dict[Key, Content] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    manifest_file: str = "package.xml"
    has_apex: bool = False
    deletions: list[Key] = field(default_factory=list)  # destructiveChanges*.xml: components the deploy deletes

    @property
    def failed_keys(self) -> set[Key]:
        return {(p.type, p.full_name) for p in self.problems}

    def file_of(self, key: Key) -> str:
        return next((c.path for c in self.components if (c.type, c.full_name) == key), self.manifest_file)


def evaluate(data: bytes, single_package: bool, store: MetadataStore) -> Evaluation:
    try:
        files = unzip(data)
        root = package_root(files, single_package)
    except BadPackage as err:
        return Evaluation(problems=[Problem("", "package.xml", "package.xml", str(err))])
    result = Evaluation(manifest_file=f"{root}package.xml")
    try:
        manifest = parse.parse_manifest(files[result.manifest_file], result.manifest_file)
    except MetadataParseError as err:
        result.problems.append(Problem("", "package.xml", err.path, f"Error parsing file: {err.problem}", err.line, err.column))
        return result
    components: list[Component] = []
    unreadable: set[tuple[str, str]] = set()  # already reported: not "missing" from the package too
    for path in sorted(files):
        if not path.startswith(root):
            continue
        if path[len(root):] in MANIFESTS[1:]:
            result.deletions += _deletions(path, files[path], store, result.problems)
            continue
        try:
            components.extend(parse.components_of(path, files[path]))
        except MetadataParseError as err:
            kind = parse.classify(path) or ("", path)
            unreadable.add(kind)
            result.problems.append(Problem(kind[0], kind[1], path, f"Error parsing file: {err.problem}", err.line, err.column))
    result.problems += judge.package_problems(manifest, components, root, unreadable)
    result.problems += judge.schema_problems(files, root, components)
    result.components = [c for c in components if _selected(c, manifest)]
    result.has_apex = any(c.type in ("ApexClass", "ApexTrigger") for c in result.components)
    result.contents = merge.contents(result.components, files, store)
    result.problems += judge.component_problems(result.components, judge.OrgView(store, result.contents))
    result.problems += _still_referenced(result, store)
    return result


def _deletions(path: str, data: bytes, store: MetadataStore, problems: list[Problem]) -> list[Key]:
    """The components a destructive manifest names that the org has. As Salesforce: no wildcards; a
    member the org does not have is skipped (Salesforce answers a warning and deletes the others).
    Pre, post or plain, deletions are judged together with the package (the local org commits at once)."""
    try:
        manifest = parse.parse_manifest(data, path)
    except MetadataParseError as err:
        problems.append(Problem("", path, path, f"Error parsing file: {err.problem}", err.line, err.column))
        return []
    out: list[Key] = []
    for type_, members in manifest.types.items():
        for member in members:
            if member == "*":
                problems.append(Problem(type_, member, path, "Wildcards are not supported in destructiveChanges"))
            elif store.get(type_, member) is not None:
                out.append((type_, member))
    return out


def _still_referenced(result: Evaluation, store: MetadataStore) -> list[Problem]:
    """A Lead field cannot be deleted while a flow or validation rule of the org (as the deploy leaves
    it) still names it; permission sets and layouts lose their entries for it, as in Salesforce."""
    from leadsync.localorg.references import formula_refs, record_refs

    fields = {k[1].split(".", 1)[1].lower(): k[1] for k in result.deletions
              if k[0] == "CustomField" and k[1].startswith(f"{parse.m.OBJECT}.")}
    if not fields:
        return []
    gone = set(result.deletions)
    problems = []
    keys = {k for k in store.keys() if k[0] in ("Flow", "ValidationRule")} | \
        {k for k in result.contents if k[0] in ("Flow", "ValidationRule")}
    for key in sorted(keys - gone):
        content = result.contents[key].content if key in result.contents else store.get(*key).content
        text = content.decode("utf-8", "replace")
        refs = record_refs(text) if key[0] == "Flow" else formula_refs(_formula(text))
        for ref in refs:
            name = fields.get(ref.field.lower())
            if name is not None:
                problems.append(Problem("CustomField", name, "destructiveChanges.xml",
                                        f"This custom field is referenced elsewhere in salesforce.com: {key[0]} "
                                        f"{key[1]}"))
                fields.pop(ref.field.lower())
    return problems


def _formula(text: str) -> str:
    import re

    found = re.search(r"<errorConditionFormula>(.*?)</errorConditionFormula>", text, re.S)
    return found.group(1) if found else ""


def rejudge(result: Evaluation, keep: set[Key], store: MetadataStore) -> Evaluation:
    """The same package reduced to `keep` (a partial deploy commits only what passes on its own)."""
    components = [c for c in result.components if (c.type, c.full_name) in keep]
    contents = {k: v for k, v in result.contents.items() if k in keep}
    problems = judge.component_problems(components, judge.OrgView(store, contents))
    return Evaluation(components, contents, problems, result.manifest_file, result.has_apex)


def _selected(c: Component, manifest: parse.Manifest) -> bool:
    if manifest.includes(c.type, c.full_name):
        return True
    return c.object_name is not None and manifest.includes("CustomObject", c.object_name)
