"""Follow a spec's `extends` chain: read each base (a path relative to the file naming it, or
`preset:NAME` for a preset shipped with leadsync), refuse cycles and missing files at the `extends`
line, and merge the layers from the deepest base up."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from leadsync.diagnostics import Diagnostic, Span
from leadsync.spec import overlay
from leadsync.spec.codes import diag
from leadsync.spec.nodes import Map, describe, text_of, without
from leadsync.spec.suggest import did_you_mean
from leadsync.spec.yamlload import read_file

MAX_CHAIN = 10
PRESET_PREFIX = "preset:"


@dataclass
class Layers:
    root: Map | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    removed: dict[tuple[str, str], Span] = field(default_factory=dict)  # (list, key) → the overlay's `remove`


def load_layers(display: str) -> Layers:
    """The merged tree of the spec at `display` (as the user wrote the path) and all its bases."""
    out = Layers(None)
    out.root = _load(Path(display), display, (), out)
    return out


def _load(path: Path, display: str, chain: tuple[tuple[str, str], ...], out: Layers) -> Map | None:
    read = read_file(path, display)
    out.diagnostics += read.diagnostics
    if read.was_read:
        out.sources.append(display)
    root = read.root
    if root is None:
        return None
    if not isinstance(root, Map):
        out.diagnostics.append(diag("LS011", "a spec is a mapping of keys (leadsync, name, stages, ...); "
                                    f"this file holds {describe(root)}", root.span))
        return None
    entry = root.entries.get("extends")
    if entry is None:
        return root
    root = without(root, {"extends"})
    target = text_of(entry.node)
    if not target or not target.strip() or "\0" in target:
        out.diagnostics.append(diag("LS011", "wrong type for 'extends': expected the path of a base spec or preset:NAME, "
                                    f"got {describe(entry.node)}", entry.node.span))
        return None
    if target.startswith(PRESET_PREFIX):
        found = _preset(target, entry.node.span)
        if isinstance(found, Diagnostic):
            out.diagnostics.append(found)
            return None
        base_path, base_display = found, os.fspath(found)
    else:
        base_path = path.parent / target
        base_display = os.path.normpath(os.path.join(os.path.dirname(display), target))
    here = (os.path.realpath(path), display)
    seen = [*chain, here]
    if any(real == os.path.realpath(base_path) for real, _ in seen):
        loop = " → ".join([name for _, name in seen] + [base_display])
        out.diagnostics.append(diag("LS016", f"extends cycle: {loop}; remove one `extends`", entry.node.span))
        return None
    if len(seen) > MAX_CHAIN:
        out.diagnostics.append(diag("LS016", f"the extends chain is longer than {MAX_CHAIN} files", entry.node.span))
        return None
    if not base_path.is_file():
        why = "is a folder" if base_path.is_dir() else "is not a file" if base_path.exists() else "does not exist"
        looked = f" (looked for {base_display})" if base_display != target else ""
        out.diagnostics.append(diag("LS015", f"base spec '{target}' {why}{looked}", entry.node.span))
        return None
    base = _load(base_path, base_display, tuple(seen), out)
    if base is None:
        return None
    merged, problems = overlay.merge(base, root, out.removed)
    out.diagnostics += problems
    return merged


def _preset(target: str, span: Span) -> Path | Diagnostic:
    """`preset:NAME` → the preset shipped with leadsync (`leadsync init --list-presets` lists them)."""
    from leadsync.resources import preset_names, presets_dir

    name = target[len(PRESET_PREFIX):].strip()
    names = preset_names()
    if name not in names:
        hint = did_you_mean(name, names) or f"; shipped presets: {', '.join(names)}"
        return diag("LS015", f"unknown preset '{name}' in `extends: {target}`{hint}", span)
    return presets_dir() / f"{name}.yaml"
