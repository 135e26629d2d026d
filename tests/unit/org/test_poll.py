"""The poll loop over a fake clock: schedule, call counts, deadlines, transient retries."""

from __future__ import annotations

import pytest

from leadsync.org.poll import PollPolicy, PollTimeout, poll, retry_unless_unreachable, with_retries
from leadsync.org.session import OrgFault, TransientError


class FakeTime:
    def __init__(self):
        self.now = 100.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds


class Deploy:
    """A status source that is done `finish_after` seconds after `start`; records call times."""

    def __init__(self, t: FakeTime, finish_after: float, latency: float = 0.0, fail_at: set[int] = frozenset(),
                 error=None):
        self.t, self.start, self.finish_after, self.latency = t, t.now, finish_after, latency
        self.calls: list[float] = []
        self.fail_at = fail_at
        self.error = error or TransientError("HTTP 503", "http")

    def __call__(self) -> bool:
        self.calls.append(self.t.now)
        self.t.now += self.latency
        if len(self.calls) in self.fail_at:
            raise self.error
        return self.t.now - self.start >= self.finish_after


def run(t: FakeTime, source: Deploy, deadline: float | None = None, **kw):
    return poll(source, bool, deadline=deadline, clock=t.clock, sleep=t.sleep, **kw)


def test_schedule_starts_at_half_a_second_stays_prompt_for_ten_seconds_then_grows_to_five():
    t = FakeTime()
    source = Deploy(t, finish_after=60)
    run(t, source)
    at = [c - source.start for c in source.calls]
    assert at[:4] == pytest.approx([0.5, 1.25, 2.375, 3.625])
    gaps = [b - a for a, b in zip([0.0, *at], at)]
    assert all(g <= 1.25 + 1e-9 for a, g in zip(at, gaps) if a <= 11.2)
    assert max(gaps) == pytest.approx(5.0)
    assert gaps[-1] == pytest.approx(5.0)


@pytest.mark.parametrize("finish_after", [x / 10 for x in range(1, 101)])
def test_any_deploy_up_to_10_s_is_seen_within_T_plus_1_5_s(finish_after):
    t = FakeTime()
    source = Deploy(t, finish_after=finish_after, latency=0.05)
    run(t, source)
    assert t.now - source.start <= finish_after + 1.5


@pytest.mark.parametrize("finish_after, max_calls", [(1, 2), (3, 4), (10, 10)])
def test_status_calls_for_the_bench_deploys(finish_after, max_calls):
    t = FakeTime()
    source = Deploy(t, finish_after=finish_after, latency=0.02)
    run(t, source)
    assert len(source.calls) <= max_calls <= 10
    assert finish_after != 3 or len(source.calls) <= 8  # the bench target


def test_a_long_deploy_costs_one_call_every_five_seconds():
    t = FakeTime()
    source = Deploy(t, finish_after=33 * 60)
    run(t, source)
    assert len(source.calls) <= 33 * 60 / 5 + 15


def test_latency_does_not_stretch_the_schedule():
    t = FakeTime()
    slow = Deploy(t, finish_after=60, latency=0.3)
    run(t, slow)
    gaps = [b - a for a, b in zip(slow.calls, slow.calls[1:])]
    assert gaps[:3] == pytest.approx([0.75, 1.125, 1.25])


def test_deadline_makes_one_last_call_then_times_out_with_the_last_status():
    t = FakeTime()
    seen = []
    source = Deploy(t, finish_after=1000)
    with pytest.raises(PollTimeout) as raised:
        run(t, source, deadline=t.now + 7, on_result=seen.append)
    assert source.calls[-1] == pytest.approx(source.start + 7)
    assert raised.value.last is False
    assert len(seen) == len(source.calls)


def test_zero_wait_checks_once_at_once():
    t = FakeTime()
    source = Deploy(t, finish_after=1000)
    with pytest.raises(PollTimeout):
        run(t, source, deadline=t.now)
    assert source.calls == [source.start]


def test_start_anchors_the_schedule():
    t = FakeTime()
    source = Deploy(t, finish_after=0)
    run(t, source, start=t.now - 0.5)
    assert source.calls == [source.start]  # first call at once


def test_transient_failures_are_retried_with_backoff_and_the_schedule_resumes():
    t = FakeTime()
    source = Deploy(t, finish_after=4, fail_at={2, 3})
    assert run(t, source) is True
    gaps = [b - a for a, b in zip(source.calls, source.calls[1:])]
    assert gaps[:3] == pytest.approx([0.75, 0.5, 1.0])  # interval, then backoff 0.5, 1


def test_too_many_consecutive_failures_propagate():
    t = FakeTime()
    source = Deploy(t, finish_after=100, fail_at=set(range(1, 50)))
    with pytest.raises(TransientError):
        run(t, source, policy=PollPolicy(max_failures=6))
    assert len(source.calls) == 7
    assert t.sleeps[1:] == pytest.approx([0.5, 1, 2, 4, 8, 8][:6])


def test_failures_that_are_not_transient_propagate_at_once():
    t = FakeTime()
    source = Deploy(t, finish_after=100, fail_at={1}, error=OrgFault("the org refused checkDeployStatus: X"))
    with pytest.raises(OrgFault):
        run(t, source)
    assert len(source.calls) == 1


def test_with_retries_retries_transient_failures_only():
    t = FakeTime()
    attempts = []

    def flaky():
        attempts.append(1)
        if len(attempts) < 3:
            raise TransientError("reset", "reset")
        return "ok"

    assert with_retries(flaky, sleep=t.sleep) == "ok"
    assert t.sleeps == [0.5, 1.0]


def test_a_refused_connection_is_not_retried_on_first_contact():
    assert not retry_unless_unreachable(TransientError("refused", "connect"))
    assert retry_unless_unreachable(TransientError("503", "http"))
    assert not retry_unless_unreachable(OrgFault("x"))
