"""Benchmark: BusinessCalendar.add_working_time and recomputing SLA due times.

Run from the repository root:

    /work/venv/bin/python benchmarks/bench_calendar.py            # full run
    /work/venv/bin/python benchmarks/bench_calendar.py --clocks 100000   # quicker

Targets (issue "Business calendar and SLA clocks"): at least 200,000 add_working_time calls
per second on the Vietnamese office calendar, and one million due-time recomputations in
under 10 seconds.
"""

from __future__ import annotations

import argparse
import gc
import platform
import random
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop_helpdesk.domain.calendar import OFFICE_HOURS, BusinessCalendar  # noqa: E402
from desktop_helpdesk.domain.sla import (  # noqa: E402
    ClockTimeTarget,
    SlaClock,
    SlaPolicy,
    WorkingTimeTarget,
)

UTC = timezone.utc
YEARS = range(2026, 2036)  # holidays for ten years
DURATIONS = [
    ("1 minute", timedelta(minutes=1)),
    ("15 minutes", timedelta(minutes=15)),
    ("4 hours", timedelta(hours=4)),
    ("24 hours", timedelta(hours=24)),
    ("7 days", timedelta(days=7)),
    ("30 days", timedelta(days=30)),
]


def random_starts(rng: random.Random, count: int) -> list[datetime]:
    """Starts spread over 2026–2034 to the second, in UTC as the app stores them."""
    base = datetime(2026, 1, 1, tzinfo=UTC)
    span = 9 * 365 * 86_400
    return [base + timedelta(seconds=rng.randrange(span)) for _ in range(count)]


def best_rate(function, starts, durations, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        for start, duration in zip(starts, durations):
            function(start, duration)
        best = min(best, time.perf_counter() - started)
    return len(starts) / best


def bench_add(calendar: BusinessCalendar, calls: int) -> None:
    rng = random.Random(2026)
    starts = random_starts(rng, calls)
    started = time.perf_counter()
    calendar.add_working_time(starts[0], timedelta(hours=1))  # builds the precomputed window
    print(f"first call (precomputes 10 years): {(time.perf_counter() - started) * 1000:.1f} ms")
    print(f"add_working_time, {calls:,} calls per duration, random starts 2026-2034:")
    for label, duration in DURATIONS:
        rate = best_rate(calendar.add_working_time, starts, [duration] * calls)
        print(f"  {label:>12}: {rate:12,.0f} calls/s")
    mixed = [timedelta(seconds=rng.randrange(60, 30 * 86_400)) for _ in range(calls)]
    rate = best_rate(calendar.add_working_time, starts, mixed)
    print(f"  {'mixed 1 min-30 days':>12}: {rate:12,.0f} calls/s")
    ends = [start + timedelta(seconds=rng.randrange(60, 30 * 86_400)) for start in starts]
    rate = best_rate(calendar.working_time_between, starts, ends)
    print(f"working_time_between, mixed windows: {rate:12,.0f} calls/s")


def bench_recompute(calendar: BusinessCalendar, count: int) -> None:
    policy = SlaPolicy()
    targets: list[WorkingTimeTarget | ClockTimeTarget] = [
        policy.proposal,
        policy.fix,
        policy.complaint,
    ]
    rng = random.Random(7)
    starts = random_starts(rng, 10_000)
    pauses = [timedelta(0)] * 3 + [timedelta(minutes=rng.randrange(1, 600)) for _ in range(7)]
    clocks = []
    for index in range(count):
        target = targets[index % 3]
        start = starts[index % len(starts)]
        paused = pauses[index % len(pauses)]
        columns = {
            "started_at": start,
            "paused_total": paused,
            "paused_since": None,
            "stopped_at": None,
            "due_at": start,  # stale on purpose: recompute fills it in
        }
        clocks.append(SlaClock.from_columns(columns, target, calendar))
    # Someone adds a day off: every open clock is recomputed on the new calendar.
    edited = BusinessCalendar(
        calendar.timezone,
        calendar.weekly_hours,
        calendar.holidays | {date(2027, 3, 8)},
        calendar.extra_working_days,
    )
    edited.add_working_time(starts[0], timedelta(hours=1))  # precompute outside the timing
    gc.collect()
    started = time.perf_counter()
    recomputed = [clock.recompute(calendar=edited) for clock in clocks]
    elapsed = time.perf_counter() - started
    assert len(recomputed) == count
    print(
        f"recompute {count:,} clocks (1/3 each proposal 4 working h, fix 24/48 h, "
        f"complaint 72 h; 70% with pauses): {elapsed:.2f} s "
        f"({count / elapsed:,.0f} clocks/s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200_000, help="calls per duration")
    parser.add_argument("--clocks", type=int, default=1_000_000, help="clocks to recompute")
    args = parser.parse_args()
    print(f"Python {platform.python_version()} on {platform.machine()} ({platform.system()})")
    calendar = BusinessCalendar.vietnam(OFFICE_HOURS, years=YEARS)
    print(
        f"calendar: Asia/Ho_Chi_Minh, Mon-Fri 08:00-12:00 + 13:30-17:30, "
        f"{len(calendar.holidays)} holidays and {len(calendar.extra_working_days)} make-up days "
        f"for {YEARS.start}-{YEARS.stop - 1}"
    )
    bench_add(calendar, args.calls)
    bench_recompute(calendar, args.clocks)


if __name__ == "__main__":
    main()
