"""Median time to compile and render one client spec, over 500 variations of a preset in one process.

Usage: python bench/render_500.py [PRESET] [N]   (target: median <= 5 ms per spec)
Prints two medians: compile + the mdapi layout (what `deploy` and `render --format mdapi` do), and
compile + both layouts.
Not a test: timings vary by machine. The first spec pays for jinja2/lxml imports and template
compilation; the median shows the steady state a batch (500 client configs in CI) runs at.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from leadsync.render.compile import compile_spec
from leadsync.render.layouts import render_files
from leadsync.resources import presets_dir
from leadsync.spec.model import Spec


def load_preset(path: Path) -> dict:
    """The preset as plain data (presets have no `extends`); YAML 1.1 reads the key `on:` as True."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for t in data.get("transitions", []):
        if True in t:
            t["on"] = t.pop(True)
    return data


def variation(base: dict, i: int) -> Spec:
    """Client i: its own name and labels, an extra status and transition, stamp dates on every other."""
    data = {**base, "name": f"client{i:03d}"}
    data["stage_field"] = {**base.get("stage_field", {}), "stamp_dates": i % 2 == 0, "label": f"Stage {i}"}
    data["statuses"] = [*base["statuses"], {"value": f"Waiting on client {i}"}]
    data["stages"] = [{**s, "description": f"{s.get('description', '')} (client {i})"} for s in base["stages"]]
    data["transitions"] = [
        *base.get("transitions", []),
        {"name": f"Client {i} follow-up", "on": "update",
         "when": [{"changed": "status"}, {"any": [{"status": f"Waiting on client {i}"}, {"field": "Rating", "op": "eq", "value": "Hot"}]}],
         "set": {"fields": {"Rating": "Warm", "NumberOfEmployees": i}}},
    ]
    return Spec.model_validate(data)


def main() -> None:
    preset = Path(sys.argv[1]) if len(sys.argv) > 1 else presets_dir() / "lifecycle.yaml"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    base = load_preset(preset)
    specs = [variation(base, i) for i in range(n)]
    for label, layouts in (("compile + mdapi", ("mdapi",)), ("compile + source + mdapi", ("source", "mdapi"))):
        samples, files = [], 0
        for spec in specs:
            start = time.perf_counter()
            bundle = compile_spec(spec)
            rendered = {k: v for layout in layouts for k, v in render_files(bundle, layout).items()}
            samples.append(time.perf_counter() - start)
            files += len(rendered)
        ms = sorted(s * 1000 for s in samples)
        print(f"{preset.name}: {n} specs, {files} files; per spec ({label}): median {statistics.median(ms):.2f} ms, "
              f"p95 {ms[int(0.95 * (n - 1))]:.2f} ms, first {samples[0] * 1000:.0f} ms")


if __name__ == "__main__":
    main()
