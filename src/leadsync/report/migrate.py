"""Existing leads moved by a deploy (org/migrate.py) as text lines, and their progress display."""

from __future__ import annotations

from typing import IO


def _n(count: int, what: str = "lead") -> str:
    return f"{count:,} {what}{'' if count == 1 else 's'}"


def _keep(count: int) -> str:
    return "keeps" if count == 1 else "keep"


def migration_lines(result, validation: bool = False, deactivating=frozenset()) -> list[str]:
    """One line per rename that touches leads and one for the backfill; a validation says what the
    deploy would do; a failed deploy moved nothing and says nothing here. A rename finished by an earlier
    deploy (no open lead on its old value, which this deploy does not deactivate: `deactivating`, the
    old values it does) is not news: no line, or every later deploy would repeat it."""
    if result is None or (not result.applied and not validation):
        return []
    lines: list[str] = []
    plan = result.plan
    if not result.applied:
        for r in plan.renames:
            if not (r.leads or r.converted) or not r.leads and r.old not in deactivating:
                continue
            kept = f"; {_n(r.converted, 'converted lead')} {_keep(r.converted)} it" if r.converted else ""
            lines.append(f"would rename: {r.describe()}: {_n(r.leads)} to move{kept}")
        if plan.backfill is not None and plan.backfill.leads:
            lines.append(f"would backfill: {plan.backfill.field} on {_n(plan.backfill.leads)} with no stage"
                         + _groups(plan.backfill))
        if plan.has_work:
            lines.append("note: a --quick deploy of this validation moves no lead; deploy the spec to move them")
        return lines
    for r in result.renames:
        if not (r.moved or r.failed or r.converted or r.remaining or r.rename.leads):
            continue
        if not (r.moved or r.failed or r.remaining or r.rename.leads or r.rename.old in result.deactivated
                or r.rename.old in deactivating):
            continue  # done by an earlier deploy
        parts = [f"{_n(r.moved)} moved"]
        if r.failed:
            parts.append(f"{_n(r.failed)} failed")
        if r.converted:
            parts.append(f"{_n(r.converted, 'converted lead')} {_keep(r.converted)} it (read-only)")
        if r.remaining:
            parts.append(f"'{r.rename.old}' stays active while {_n(r.remaining)} hold it: deploy again to finish")
        elif result.deactivated_value(r.rename.old):
            parts.append(f"'{r.rename.old}' deactivated")
        lines.append(f"renamed: {r.rename.describe()}: " + ", ".join(parts))
    if plan.backfill is not None and (plan.backfill.leads or result.backfilled or result.backfill_failed):
        failed = f", {_n(result.backfill_failed)} failed" if result.backfill_failed else ""
        lines.append(f"backfilled: {plan.backfill.field} on {_n(result.backfilled)}{failed}")
    for f in result.failures[:5]:
        lines.append(f"  lead {f.id}: {f.error}")
    if result.deactivation_error:
        lines.append(f"error: the old statuses were not deactivated ({result.deactivation_error}); "
                     "every lead is on an active value, and leadsync's validation rules stay inactive: deploy again to finish")
    return lines


def layout_lines(changes, check_only: bool = False) -> list[str]:
    verb = "would add" if check_only else "added"
    return [f"layout '{c.name}': {verb} {', '.join(f for f, _ in c.added)} (section Lead Lifecycle)" for c in changes]


def _groups(backfill) -> str:
    if not backfill.groups:
        return ""
    shown = ", ".join(f"{g.status or '(no status)'} → {g.stage}: {g.leads:,}" for g in backfill.groups[:6])
    more = f", ... ({len(backfill.groups) - 6} more)" if len(backfill.groups) > 6 else ""
    return f" ({shown}{more})"


class PlainMoves:
    """Moving leads in CI logs: a line when it starts and one when it ends."""

    def __init__(self, stream: IO[str]):
        self._stream, self._label, self._total, self._done = stream, "", 0, 0

    def moving(self, label: str, total: int) -> None:
        self._label, self._total, self._done = label, total, 0
        self._stream.write(f"{label}: {_n(total)}\n")
        self._stream.flush()

    def moved(self, count: int) -> None:
        self._done += count

    def moved_all(self) -> None:
        self._stream.write(f"{self._label}: {self._done:,}/{self._total:,} done\n")
        self._stream.flush()


class BarMoves:
    """On a terminal: a rich progress bar per batch of leads (shown, then left in place)."""

    def __init__(self, stream: IO[str], pause=None, resume=None):
        self._stream, self._pause, self._resume = stream, pause, resume
        self._progress = None
        self._task = None

    def moving(self, label: str, total: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        if self._pause:
            self._pause()
        self._progress = Progress(TextColumn("{task.description}", markup=False), BarColumn(),
                                  MofNCompleteColumn(), TimeElapsedColumn(),
                                  console=Console(file=self._stream, highlight=False))
        self._progress.start()
        self._task = self._progress.add_task(label, total=total)

    def moved(self, count: int) -> None:
        if self._progress is not None:
            self._progress.advance(self._task, count)

    def moved_all(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
        if self._resume:
            self._resume()
