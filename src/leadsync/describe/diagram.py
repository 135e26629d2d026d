"""The lifecycle as a picture: stages left to right, each status under the stage it applies from,
transitions as labelled arrows, guards marked (🔒 in Mermaid, [guard] in DOT and svg).

Mermaid renders in GitHub Markdown; DOT is Graphviz's language, and svg is DOT laid out by Graphviz's
`dot` program where it is installed (`dot_to_svg` says how to install it where it is not).
"""

from __future__ import annotations

import shutil
import subprocess

from leadsync.describe.lifecycle import Lifecycle, Move
from leadsync.errors import LeadsyncError

FORMATS = ("mermaid", "dot", "svg")
LOCK = "🔒"  # Mermaid is drawn by a browser, which has emoji fonts
DOT_MARK = "[guard]"  # Graphviz draws with system fonts, which often lack them
INSTALL_GRAPHVIZ = (
    "svg needs Graphviz's `dot` program: install Graphviz (apt-get install graphviz, brew install graphviz, "
    "or https://graphviz.org/download/), or use --format mermaid or --format dot"
)


class GraphvizMissing(LeadsyncError):
    """`--format svg` on a machine without Graphviz."""


def diagram(lc: Lifecycle, fmt: str) -> str:
    if fmt == "mermaid":
        return mermaid(lc)
    if fmt == "dot":
        return dot(lc)
    if fmt == "svg":
        return dot_to_svg(dot(lc))
    raise ValueError(f"unknown diagram format {fmt!r}")


# --- shared layout decisions --------------------------------------------------------------------


def _ids(lc: Lifecycle) -> tuple[dict[str, str], dict[str, str]]:
    stages = {s.value: f"stage{i}" for i, s in enumerate(lc.spec.stages)}
    statuses = {s.value: f"status{i}" for i, s in enumerate(lc.spec.statuses)}
    return stages, statuses


def _stage_title(lc: Lifecycle, value: str, mark: str) -> str:
    stage = next(s for s in lc.spec.stages if s.value == value)
    return stage.display_label + "".join(f" {mark}" for g in lc.guards if g.stage == value)


def _status_title(lc: Lifecycle, value: str, mark: str) -> str:
    status = next(s for s in lc.spec.statuses if s.value == value)
    notes = [n for n, on in (("default", status.default), ("converted", status.converted)) if on]
    marks = "".join(f" {mark}" for g in lc.guards if g.status == value)
    return status.display_label + (f" ({', '.join(notes)})" if notes else "") + marks


def _edges(lc: Lifecycle, stage_ids: dict[str, str], status_ids: dict[str, str]):
    """(source id, target id, label, dashed) for each transition; 'start' is a new lead."""
    stage_order = [s.value for s in lc.spec.stages]
    default = next((s.value for s in lc.spec.stages if s.default), None)
    if default and not any(m.on_create and m.to_stage for m in lc.moves):
        yield "start", stage_ids[default], "starts here", False  # the stage picklist's default value
    for move in lc.moves:
        target = stage_ids[move.to_stage] if move.to_stage else status_ids.get(move.to_status or "")
        if target is None:
            continue  # sets only other fields: in the handbook, not the picture
        label = _edge_label(move)
        if move.on_create:
            yield "start", target, label, False
        elif move.from_stages:
            for stage in move.from_stages:
                yield stage_ids[stage], target, label, False
        elif move.from_statuses and not move.to_stage:
            for status in move.from_statuses:
                yield status_ids[status], target, label, False
        else:  # from any earlier stage: drawn dashed from the one just before it, and said in the label
            index = stage_order.index(move.to_stage) if move.to_stage else 0
            yield (stage_ids[stage_order[index - 1]] if index else "start"), target, f"{label} (from any earlier stage)", True


def _edge_label(move: Move) -> str:
    condition = " and ".join(move.conditions)
    return move.name + (f": {condition}" if condition else "")


def _guard_note(lc: Lifecycle, mark: str) -> str:
    return "\n".join(f"{mark} {g.text}" for g in lc.guards)


# --- mermaid ------------------------------------------------------------------------------------


def mermaid(lc: Lifecycle) -> str:
    stage_ids, status_ids = _ids(lc)
    out = ["flowchart LR", f"  %% {lc.spec.name}: the lead lifecycle (leadsync diagram)", '  start(("new lead"))']
    for stage in lc.spec.stages:
        sid = stage_ids[stage.value]
        out.append(f'  subgraph {sid}_group["{_mm(_stage_title(lc, stage.value, LOCK))}"]')
        out.append("    direction TB")
        out.append(f'    {sid}(["{_mm(stage.value)}"])')
        for status in lc.statuses_at(stage.value):
            out.append(f'    {status_ids[status]}["{_mm(_status_title(lc, status, LOCK))}"]')
        out.append("  end")
    chain = [stage_ids[s.value] for s in lc.spec.stages]
    out.append("  " + " ==> ".join(chain))
    for source, target, label, dashed in _edges(lc, stage_ids, status_ids):
        arrow = "-.->" if dashed else "-->"
        out.append(f'  {source} {arrow}|"{_mm(label)}"| {target}')
    if lc.guards:
        out.append(f'  guards["{_mm(_guard_note(lc, LOCK))}"]')
        out.append("  classDef guard fill:#fff4e5,stroke:#c77700")
        out.append("  class guards guard")
    return "\n".join(out) + "\n"


def _mm(text: str) -> str:
    """Text inside a quoted Mermaid label: quotes and angle brackets as entities, lines as <br/>."""
    escaped = text.replace("#", "#35;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
    return escaped.replace("\n", "<br/>")


# --- dot ----------------------------------------------------------------------------------------


def dot(lc: Lifecycle) -> str:
    stage_ids, status_ids = _ids(lc)
    out = [
        f"digraph {_dq(lc.spec.name + ' lifecycle')} {{",
        "  rankdir=LR; compound=true; newrank=true;",
        '  node [fontname="Helvetica", fontsize=11, shape=box, style="rounded"];',
        '  edge [fontname="Helvetica", fontsize=9];',
        '  start [label="new lead", shape=circle];',
    ]
    for stage in lc.spec.stages:
        sid = stage_ids[stage.value]
        out.append(f"  subgraph cluster_{sid} {{")
        out.append(f'    label={_dq(_stage_title(lc, stage.value, DOT_MARK))}; style="rounded"; color="#5b7bd5";')
        out.append(f'    {sid} [label={_dq(stage.value)}, shape=box, style="rounded,filled", fillcolor="#dfe7fb"];')
        for status in lc.statuses_at(stage.value):
            out.append(f"    {status_ids[status]} [label={_dq(_status_title(lc, status, DOT_MARK))}];")
        column = " ".join([sid, *(status_ids[s] for s in lc.statuses_at(stage.value))])
        out.append(f"    {{ rank=same; {column} }}")
        out.append("  }")
    chain = [stage_ids[s.value] for s in lc.spec.stages]
    out.append("  " + " -> ".join(chain) + " [style=bold, weight=10];")
    for source, target, label, dashed in _edges(lc, stage_ids, status_ids):
        style = ", style=dashed" if dashed else ""
        out.append(f"  {source} -> {target} [label={_dq(label)}{style}];")
    if lc.guards:
        note = _dq("Guards\n" + _guard_note(lc, DOT_MARK))
        out.append(f'  guards [label={note}, shape=note, style=filled, fillcolor="#fff4e5"];')
    out.append("}")
    return "\n".join(out) + "\n"


def _dq(text: str) -> str:
    """A DOT double-quoted string (newlines become left-justified line breaks)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\l") + ("\\l" if "\n" in text else "") + '"'


def dot_to_svg(source: str) -> str:
    program = shutil.which("dot")
    if program is None:
        raise GraphvizMissing(INSTALL_GRAPHVIZ)
    done = subprocess.run([program, "-Tsvg"], input=source.encode("utf-8"), capture_output=True, timeout=60)
    if done.returncode != 0:
        raise LeadsyncError(f"Graphviz dot failed: {done.stderr.decode('utf-8', 'replace').strip()}")
    return done.stdout.decode("utf-8")
