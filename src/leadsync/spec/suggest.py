"""'did you mean ...?' for typos in keys and references."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, choices: Iterable[str]) -> str | None:
    options = [c for c in choices if isinstance(c, str)]
    same_case = [c for c in options if c.lower() == word.lower()]
    if same_case:
        return same_case[0]
    found = difflib.get_close_matches(word, options, n=1, cutoff=0.75)
    return found[0] if found else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """"; did you mean 'x'?" or "" when nothing is close."""
    match = closest(word, choices)
    return f"; did you mean '{match}'?" if match else ""
