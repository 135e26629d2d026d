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
            result.problems.append(Problem("", path[len(root):], path, "The local org does not delete components (destructiveChanges)"))
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
    return result


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
