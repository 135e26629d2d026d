"""Waiting for the org without wasting time or API calls. Pure: the clock and sleep are injected.

The schedule: the first check `first_interval` after the start, then intervals growing by `factor`
up to `max_interval`; during the first `prompt_window` seconds no interval exceeds `prompt_interval`.
Checks land at 0.5, 1.25, 2.4, 3.6, 4.9 ... 9.9, 11.1, then 13.4, 16.8, 21.8 and every 5 s: a deploy
that takes up to 10 s is seen within 1.25 s of finishing (T = 3 s costs 4 status calls), a longer one
within 5 s, and a long deploy costs one call every 5 s.

Transient failures (see `session.TransientError`) are retried with exponential backoff, at most
`max_failures` in a row; the schedule resumes where it was. Each interval is measured from the start
of the previous call, so the org's latency does not stretch the schedule.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from leadsync.org.session import TransientError

T = TypeVar("T")


@dataclass(frozen=True)
class PollPolicy:
    first_interval: float = 0.5
    factor: float = 1.5
    max_interval: float = 5.0
    prompt_window: float = 10.0  # seconds after the start during which ...
    prompt_interval: float = 1.25  # ... no interval is longer than this
    max_failures: int = 6  # consecutive transient failures before giving up
    backoff_first: float = 0.5
    backoff_max: float = 8.0

    def backoff(self, failures: int) -> float:
        """Seconds to wait after the n-th consecutive failure (n >= 1): 0.5, 1, 2, 4, 8, 8."""
        return min(self.backoff_max, self.backoff_first * 2 ** (failures - 1))


DEFAULT_POLICY = PollPolicy()


class PollTimeout(Exception, Generic[T]):
    """The deadline passed before `done`; `last` is the last result seen (None if every call failed)."""

    def __init__(self, last: T | None):
        super().__init__("deadline passed")
        self.last = last


def is_transient(exc: BaseException) -> bool:
    return isinstance(exc, TransientError)


def poll(
    fetch: Callable[[], T],
    done: Callable[[T], bool],
    *,
    deadline: float | None,
    policy: PollPolicy = DEFAULT_POLICY,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    on_result: Callable[[T], None] | None = None,
    retryable: Callable[[BaseException], bool] = is_transient,
    start: float | None = None,
) -> T:
    """Call `fetch` on the schedule until `done(result)`; return that result.

    `deadline` is a `clock()` time (None: no limit). One last call is made at the deadline itself;
    if that is not done either, PollTimeout(last) is raised. `start` anchors the schedule (default:
    now), e.g. to the moment a deploy was submitted. Non-retryable errors propagate at once; the
    (max_failures + 1)-th consecutive retryable error propagates too.
    """
    origin = clock() if start is None else start
    next_at = origin + policy.first_interval
    interval = min(policy.max_interval, policy.first_interval * policy.factor)
    failures = 0
    last: T | None = None
    while True:
        now = clock()
        if deadline is not None and next_at > deadline:
            next_at = max(deadline, now)
        if next_at > now:
            sleep(next_at - now)
        called_at = clock()
        try:
            result = fetch()
        except Exception as exc:
            if not retryable(exc):
                raise
            failures += 1
            if failures > policy.max_failures:
                raise
            if deadline is not None and called_at >= deadline:
                raise PollTimeout(last) from exc
            next_at = called_at + policy.backoff(failures)
            continue
        failures = 0
        last = result
        if on_result is not None:
            on_result(result)
        if done(result):
            return result
        if deadline is not None and called_at >= deadline:
            raise PollTimeout(last)
        if called_at - origin < policy.prompt_window:
            interval = min(interval, policy.prompt_interval)
        next_at = called_at + interval
        interval = min(policy.max_interval, interval * policy.factor)


def with_retries(
    call: Callable[[], T],
    *,
    policy: PollPolicy = DEFAULT_POLICY,
    sleep: Callable[[float], None] = time.sleep,
    retryable: Callable[[BaseException], bool] = is_transient,
) -> T:
    """One idempotent call, retried on transient failures with the policy's backoff."""
    failures = 0
    while True:
        try:
            return call()
        except Exception as exc:
            if not retryable(exc):
                raise
            failures += 1
            if failures > policy.max_failures:
                raise
            sleep(policy.backoff(failures))


def retry_unless_unreachable(exc: BaseException) -> bool:
    """For the first call to an org: a refused connection means a wrong URL far more often than a blip."""
    return isinstance(exc, TransientError) and exc.kind != "connect"
