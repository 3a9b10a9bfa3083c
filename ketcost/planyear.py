"""Plan years: which plan year each charge falls in, and what the patient pays in each, the
deductible and the out-of-pocket maximum starting again at every renewal. Pure: no I/O.

Without a renewal date the plan renews every 52 weeks (364 days) from the first session; with one
(MM-DD), on that date each year from the plan's start date.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from ketcost.errors import InputError
from ketcost.models import Plan
from ketcost.payment import AddonCharge, Terms, after_assistance, course_patient_pays

DAYS_PER_PLAN_YEAR = 364  # without a renewal date, the plan renews every 52 weeks


@dataclass(frozen=True, slots=True)
class YearWindow:
    """A plan year: its first and last day from the first session (0-based), and its dates."""

    first_day: int
    last_day: int
    starts: date | int
    ends: date | int


def plan_years(plan: Plan, last_day: int) -> list[YearWindow]:
    """The plan years a course touches, up to the day `last_day` of the course.

    With a renewal date (MM-DD) the years turn on that date from the start date; without, every
    52 weeks from the first session, given as week numbers (or dates when the start is known).
    """
    renews = plan.insurance.plan_year_renews if plan.insurance else None
    if renews is None:
        count = last_day // DAYS_PER_PLAN_YEAR + 1
        windows = []
        for k in range(count):
            first, last = k * DAYS_PER_PLAN_YEAR, (k + 1) * DAYS_PER_PLAN_YEAR - 1
            if plan.start is not None:
                starts: date | int = plan.start + timedelta(days=first)
                ends: date | int = plan.start + timedelta(days=last)
            else:
                starts, ends = 52 * k + 1, 52 * (k + 1)
            windows.append(YearWindow(first, last, starts, ends))
        return windows
    if plan.start is None:
        raise InputError("--plan-year-renews needs the date of the first session (--start)")
    month, day = (int(part) for part in renews.split("-"))
    turns = [
        date(year, month, day)
        for year in range(plan.start.year, plan.start.year + last_day // 365 + 3)
        if date(year, month, day) > plan.start
    ]
    bounds = [plan.start, *turns]
    windows = []
    for index, begins in enumerate(bounds[:-1]):
        first = (begins - plan.start).days
        if first > last_day:
            break
        ends = bounds[index + 1] - timedelta(days=1)
        windows.append(YearWindow(first, (ends - plan.start).days, begins, ends))
    return windows


def year_of_day(windows: list[YearWindow], day: int) -> int:
    """The index of the plan year holding `day`."""
    return bisect.bisect_right([w.first_day for w in windows], day) - 1


@dataclass(frozen=True, slots=True)
class CaseYears:
    """One case of a course, split by plan year: sessions, and cents billed and paid by the
    patient."""

    sessions: Sequence[int]
    billed: list[int]
    patient: list[int]


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


def case_years(
    sessions: Sequence[int],
    fee: int,
    covered: bool,
    addons: list[AddonCharge],
    terms: Terms | None,
    renewed: Terms | None,
) -> CaseYears:
    """What one case bills and the patient pays in each plan year, from its `sessions` in each
    (see `year_counts`): the deductible and the cap start again from the annual amounts at each
    renewal; course add-ons fall in the first. `terms` apply in the first plan year and
    `renewed` after each renewal (None: no insurance)."""
    per_session = [a for a in addons if a.per == "session"]
    each = fee + sum([a.price for a in per_session])
    course = sum([a.price for a in addons if a.per == "course"])
    billed, patient = [], []
    for index, count in enumerate(sessions):
        own = addons if index == 0 else per_session
        billed.append(count * each + (course if index == 0 else 0))
        year_terms = terms if index == 0 else renewed
        patient.append(course_patient_pays(count, fee, covered, own, year_terms))
    return CaseYears(sessions, billed, patient)


def assisted(paid: Sequence[int], assistance: int) -> list[int]:
    """Assistance taken off the earliest amounts first; none goes below zero."""
    left = assistance
    after = []
    for amount in paid:
        used = min(left, amount)
        left -= used
        after.append(after_assistance(amount, used))
    return after
