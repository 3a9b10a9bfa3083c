"""Plan years: when a course's sessions fall, in which plan year, and which fall within an
authorization. Pure: no I/O.

Plan years turn on the renewal date (MM-DD; default January 1, as most plans do) each year from
the plan's start date.
"""

from __future__ import annotations

import bisect
import functools
from datetime import date, timedelta
from typing import NamedTuple

from ketcost.engine.schedule import COURSES, Case, Course, Scheduled
from ketcost.errors import InputError


class YearWindow(NamedTuple):
    """A plan year: its first and last day from the first session (0-based), and its dates."""

    first_day: int
    last_day: int
    starts: date
    ends: date


def sessions_before(phases: tuple[Scheduled, ...], unit: int, case: Case, day: int) -> int:
    """How many of a case's sessions fall before `day` (days from the first session's day), for
    a course's `phases` in `unit`ths of a week: what counting `session_days` below `day` gives,
    in closed form, without placing each one.

    Session k of a phase of n sessions over L units that starts S units in falls on day
    floor(7 (S n + (k + late) L) / (u n)), which is before `day` exactly when
    7 (k + late) L < (day u - 7 S) n."""
    before, start = 0, 0
    for item in phases:
        count, length = item.case_sessions(case), item.case_length(case)
        late = 1 if item.phase.starts_one_interval_after else 0
        room = (day * unit - 7 * start) * count
        if count and room > 0:
            if length == 0:  # every session on the phase's first day
                before += count
            else:
                before += min(max(-(-room // (7 * length)) - late, 0), count)
        start += length
    return before


def last_session_day(phases: tuple[Scheduled, ...], unit: int) -> int:
    """The day of a course's last session in either case (0 without sessions): the last of
    `session_days`, in closed form."""
    last = 0
    for case in ("low", "high"):
        start = 0
        for item in phases:
            count, length = item.case_sessions(case), item.case_length(case)
            late = 1 if item.phase.starts_one_interval_after else 0
            if count:
                day = 7 * (start * count + (count - 1 + late) * length) // (unit * count)
                last = max(last, day)
            start += length
    return last


def plan_years(start: date | None, renews: str, last_day: int) -> list[YearWindow]:
    """The plan years a course touches, up to the day `last_day` of the course: they turn on the
    renewal date (MM-DD) each year from the start date."""
    if start is None:
        raise InputError(
            "insurance needs the date of the first session (--start): plan years follow the "
            "calendar"
        )
    return [w for w in calendar_years(start, renews, last_day // 365) if w.first_day <= last_day]


@functools.lru_cache(maxsize=64)
def calendar_years(start: date, renews: str, years: int) -> tuple[YearWindow, ...]:
    """The plan years from `start` that a course of at most `years` + 1 years can touch.
    Cached: a batch's plans share a few start dates, so their courses share these windows
    (kept once, however many courses' plan years hold them)."""
    month, day = (int(part) for part in renews.split("-"))
    turns = [
        date(year, month, day)
        for year in range(start.year, start.year + years + 3)
        if date(year, month, day) > start
    ]
    bounds = [start, *turns]
    return tuple(
        YearWindow((begins - start).days, (ends - start).days, begins, ends)
        for begins, ends in zip(bounds[:-1], [t - timedelta(days=1) for t in turns], strict=True)
    )


def course_years(plan_course: Course, start: date | None, renews: str) -> list[YearWindow]:
    """The plan years a course's sessions fall in, up to the plan year of its last session."""
    return plan_years(start, renews, last_session_day(plan_course.phases, plan_course.unit))


class YearSplit(NamedTuple):
    """A course's plan years and its sessions in each, low case and high case."""

    windows: tuple[YearWindow, ...]
    low: tuple[int, ...]
    high: tuple[int, ...]


def year_split(plan_course: Course, start: date | None, renews: str) -> YearSplit:
    """The plan years the course touches from `start` and its sessions in each."""
    return _year_split(plan_course.phases, plan_course.unit, start, renews)


@functools.lru_cache(maxsize=COURSES)
def _year_split(
    phases: tuple[Scheduled, ...], unit: int, start: date | None, renews: str
) -> YearSplit:
    """`year_split`, cached (the engine's second seam) on the course's scheduled phases, which
    courses share (`schedule._scheduled`): a batch repeats its courses and dates, and a key
    holds no course alive once the course cache has let it go (keyed by the course, this cache
    kept 8 MB a process of courses)."""
    windows = plan_years(start, renews, last_session_day(phases, unit))
    low = year_counts(windows, phases, unit, "low")
    high = year_counts(windows, phases, unit, "high")
    return YearSplit(tuple(windows), tuple(low), tuple(high))


def year_of_day(windows: list[YearWindow], day: int) -> int:
    """The index of the plan year holding `day`."""
    return bisect.bisect_right([w.first_day for w in windows], day) - 1


def year_counts(
    windows: list[YearWindow], phases: tuple[Scheduled, ...], unit: int, case: Case
) -> list[int]:
    """How many of a case's sessions fall in each plan year: those before the next year's first
    day less those before this year's (`sessions_before`, in closed form)."""
    edges = [
        *(sessions_before(phases, unit, case, w.first_day) for w in windows),
        sum(item.case_sessions(case) for item in phases),
    ]
    return [edges[i + 1] - edges[i] for i in range(len(windows))]


def authorized_sessions(plan_course: Course, case: Case, start: date, months: int) -> int:
    """How many of a case's sessions fall within `months` months of the start date."""
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    last_day = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    ends = date(year, month, min(start.day, last_day))
    return sessions_before(plan_course.phases, plan_course.unit, case, (ends - start).days)
