"""What clients asked the org, in order, so tests can assert on it (e.g. "at most 8 status calls").

A long-running `serve` keeps only the last MAX_CALLS.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Iterator


@dataclass(frozen=True)
class Call:
    name: str  # SOAP operation ("deploy", "checkDeployStatus") or REST/OAuth name ("query", "token")
    detail: dict[str, Any] = field(default_factory=dict)  # what tests may assert on; never secrets


MAX_CALLS = 10_000


class CallLog:
    def __init__(self) -> None:
        self._calls: deque[Call] = deque(maxlen=MAX_CALLS)
        self._lock = threading.Lock()

    def add(self, name: str, **detail: Any) -> Call:
        """Record a call; its `detail` may be filled in while the call is handled."""
        call = Call(name, dict(detail))
        with self._lock:
            self._calls.append(call)
        return call

    def names(self) -> list[str]:
        return [c.name for c in self]

    def count(self, name: str) -> int:
        return sum(1 for c in self if c.name == name)

    def of(self, name: str) -> list[Call]:
        return [c for c in self if c.name == name]

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()

    def __iter__(self) -> Iterator[Call]:
        with self._lock:
            return iter(list(self._calls))

    def __len__(self) -> int:
        with self._lock:
            return len(self._calls)
