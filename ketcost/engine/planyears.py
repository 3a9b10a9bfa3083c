"""Plan years: when a course's sessions fall, in which plan year, and which fall within an
authorization. Pure: no I/O.

Plan years turn on the renewal date (MM-DD; default January 1, as most plans do) each year from
the plan's start date.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from ketcost.engine.schedule import COURSES, Course, session_days
from ketcost.errors import InputError


@dataclass(frozen=True, slots=True)
class YearWindow:
    """A plan year: its first and last day from the first session (0-based), and its dates."""

    first_day: int
    last_day: int
    starts: date
    ends: date


def plan_years(start: date | None, renews: str, last_day: int) -> list[YearWindow]:
    """The plan years a course touches, up to the day `last_day` of the course: they turn on the
    renewal date (MM-DD) each year from the start date."""
    if start is None:
        raise InputError(
            "insurance needs the date of the first session (--start): plan years follow the "
            "calendar"
        )
    month, day = (int(part) for part in renews.split("-"))
    turns = [
        date(year, month, day)
        for year in range(start.year, start.year + last_day // 365 + 3)
        if date(year, month, day) > start
    ]
    bounds = [start, *turns]
    windows = []
    for index, begins in enumerate(bounds[:-1]):
        first = (begins - start).days
        if first > last_day:
            break
        ends = bounds[index + 1] - timedelta(days=1)
        windows.append(YearWindow(first, (ends - start).days, begins, ends))
    return windows


def course_years(
    plan_course: Course, start: date | None, renews: str
) -> tuple[list[YearWindow], tuple[list[int], list[int]] | None]:
    """The plan years a course's sessions fall in, and each session's day (low and high case)
    for placing them.

    A course that cannot reach a second plan year (the usual case) has every session in the
    first, and placing them is skipped: its days are None."""
    bound = 7 * max(plan_course.length("low"), plan_course.length("high")) // plan_course.unit
    windows = plan_years(start, renews, bound)
    if len(windows) == 1:
        return windows, None
    days = (session_days(plan_course, "low"), session_days(plan_course, "high"))
    return plan_years(start, renews, max([0, *days[0], *days[1]])), days


@dataclass(frozen=True, slots=True)
class YearSplit:
    """A course's plan years and its sessions in each, low case and high case."""

    windows: tuple[YearWindow, ...]
    low: tuple[int, ...]
    high: tuple[int, ...]


@functools.lru_cache(maxsize=COURSES)
def year_split(plan_course: Course, start: date | None, renews: str) -> YearSplit:
    """The plan years the course touches from `start` and its sessions in each.

    Cached (the engine's second seam): placing every session of a long course on the calendar
    is the costliest step of an insured estimate, and a batch repeats its courses and dates."""
    windows, days = course_years(plan_course, start, renews)
    low = year_counts(windows, None if days is None else days[0], plan_course.sessions.low)
    high = year_counts(windows, None if days is None else days[1], plan_course.sessions.high)
    return YearSplit(tuple(windows), tuple(low), tuple(high))


def year_of_day(windows: list[YearWindow], day: int) -> int:
    """The index of the plan year holding `day`."""
    return bisect.bisect_right([w.first_day for w in windows], day) - 1


def year_counts(windows: list[YearWindow], days: list[int] | None, sessions: int) -> list[int]:
    """How many of a case's sessions fall in each plan year, from each session's day (None: all
    `sessions` in the one plan year)."""
    counts = [0] * len(windows)
    if days is None:
        counts[0] = sessions
        return counts
    # Each year holds the days from its first day to the next year's: counted by where those
    # first days fall among the days in order, not day by day.
    ordered = sorted(days)  # in order already from `session_days`: one pass, in C
    edges = [0, *(bisect.bisect_left(ordered, w.first_day) for w in windows[1:]), len(ordered)]
    return [edges[i + 1] - edges[i] for i in range(len(windows))]


def authorized_sessions(days: Sequence[int], start: date, months: int) -> int:
    """How many sessions fall within `months` months of the start date (the days in order)."""
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    last_day = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    ends = date(year, month, min(start.day, last_day))
    return bisect.bisect_left(list(days), (ends - start).days)
