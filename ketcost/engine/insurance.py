"""Insurance: the per-charge rule, plan years and their renewals. Pure: no I/O.

All money here is integer cents. The rule, per covered charge in the order the sessions happen:
the remaining deductible takes what it can; of the rest, the copay (at most the rest); of what
remains, the coinsurance share, rounded to the cent half up; the patient's running total for
covered charges is capped at the out-of-pocket maximum. Charges that are not covered are paid in
full and count toward neither the deductible nor the cap. The discount applies before insurance;
assistance applies last and never takes the total below zero.

Plan years: without a renewal date the plan renews every 52 weeks (364 days) from the first
session; with one (MM-DD), on that date each year from the plan's start date. The deductible and
the cap start again from the annual amounts at each renewal.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from ketcost.domain.money import after_assistance, cents, hundredths, percent_of
from ketcost.domain.plan import Insurance
from ketcost.engine.schedule import COURSES, Course, session_days
from ketcost.errors import InputError


@dataclass(frozen=True, slots=True)
class Terms:
    """Insurance terms in cents (coinsurance in hundredths of a percent)."""

    deductible: int
    coinsurance: int
    copay: int
    oop_max: int | None

    @classmethod
    def of(cls, insurance: Insurance) -> Terms:
        """The terms for the current plan year."""
        return cls._with(insurance, insurance.deductible, insurance.oop_max)

    @classmethod
    def renewed(cls, insurance: Insurance) -> Terms:
        """The terms after a renewal: the annual amounts (default: the same as now)."""
        return cls._with(insurance, insurance.renewed_deductible, insurance.renewed_oop_max)

    @classmethod
    def both(cls, insurance: Insurance) -> tuple[Terms, Terms]:
        """The terms now and after a renewal (the same object when no annual amount is given)."""
        current = cls.of(insurance)
        if insurance.annual_deductible is None and insurance.annual_oop_max is None:
            return current, current
        return current, cls.renewed(insurance)

    @classmethod
    def _with(cls, insurance: Insurance, deductible: Decimal, oop_max: Decimal | None) -> Terms:
        return cls(
            cents(deductible),
            hundredths(insurance.coinsurance),
            cents(insurance.copay),
            None if oop_max is None else cents(oop_max),
        )


@dataclass(frozen=True, slots=True)
class Charge:
    """One thing billed, in cents, in the order it happens, and whether insurance covers it."""

    amount: int
    covered: bool


@dataclass(frozen=True, slots=True)
class AddonCharge:
    """An add-on's price in cents for one case (low or high) and whether insurance may cover it."""

    price: int
    per: Literal["session", "course"]
    covered: bool


def charges(
    sessions: int, session_fee: int, sessions_covered: bool, addons: list[AddonCharge]
) -> Iterator[Charge]:
    """Every charge of one case in order: course add-ons, then each session and its add-ons."""
    for addon in addons:
        if addon.per == "course":
            yield Charge(addon.price, addon.covered)
    per_session = [a for a in addons if a.per == "session"]
    for _ in range(sessions):
        yield Charge(session_fee, sessions_covered)
        for addon in per_session:
            yield Charge(addon.price, addon.covered)


def patient_parts(billed: Iterable[Charge], terms: Terms | None) -> Iterator[int]:
    """What the patient pays of each charge, in order, under the terms (None: no insurance)."""
    if terms is None:
        yield from (charge.amount for charge in billed)
        return
    state = _Running(terms)
    for charge in billed:
        before = state.covered_paid + state.uncovered
        state.pay(charge.amount, charge.covered)
        yield state.covered_paid + state.uncovered - before


def patient_pays(billed: Iterable[Charge], terms: Terms | None) -> int:
    """What the patient pays for the charges under the terms (None: no insurance), in cents."""
    return sum(patient_parts(billed, terms))


def course_patient_pays(
    sessions: int,
    session_fee: int,
    sessions_covered: bool,
    addons: list[AddonCharge],
    terms: Terms | None,
) -> int:
    """What the patient pays for a whole course: the same as `patient_pays` over `charges(...)`,
    without walking every session once the deductible is used up.

    After the deductible, every session (with its per-session add-ons) costs the patient the same
    until the out-of-pocket maximum is reached, and after that only its uncovered charges; so
    those sessions are counted in bulk and only the sessions around each turn are walked.
    """
    # one session's charges, as (amount, covered) pairs: the session, then its add-ons
    group = [(session_fee, sessions_covered)]
    once: list[AddonCharge] = []  # the course add-ons, charged first
    for addon in addons:
        if addon.per == "session":
            group.append((addon.price, addon.covered))
        else:
            once.append(addon)
    if terms is None:
        return sum([a.price for a in once]) + sessions * sum([amount for amount, _ in group])
    state = _Running(terms)
    for addon in once:
        state.pay(addon.price, addon.covered)
    if len(group) == 1:  # no per-session add-ons (the usual case): no sums to take
        covered_sum, uncovered_part = (session_fee, 0) if sessions_covered else (0, session_fee)
    else:
        covered_sum = sum([amount for amount, covered in group if covered])
        uncovered_part = sum([amount for amount, covered in group if not covered])
    oop_max = terms.oop_max
    done = 0
    if covered_sum > 0:
        # whole sessions the deductible takes in full (and the cap has room for)
        done = min(sessions, state.deductible_left // covered_sum)
        if oop_max is not None:
            done = min(done, max(oop_max - state.covered_paid, 0) // covered_sum)
        state.deductible_left -= done * covered_sum
        state.covered_paid += done * covered_sum
        state.uncovered += done * uncovered_part
        while done < sessions and state.deductible_left > 0:
            for amount, covered in group:
                state.pay(amount, covered)
            done += 1
    if len(group) == 1:
        covered_part = state.share_after_deductible(session_fee) if sessions_covered else 0
    else:
        covered_part = sum([state.share_after_deductible(a) for a, covered in group if covered])
    left = sessions - done
    if left and covered_part > 0 and oop_max is not None:
        # whole sessions that fit under the cap, then walk the one that reaches it
        room = max(oop_max - state.covered_paid, 0)
        fit = min(left, room // covered_part)
        state.covered_paid += fit * covered_part
        state.uncovered += fit * uncovered_part
        left -= fit
        if left:
            for amount, covered in group:
                state.pay(amount, covered)
            left -= 1
        state.uncovered += left * uncovered_part  # past the cap, covered charges cost nothing
    else:
        state.covered_paid += left * covered_part
        state.uncovered += left * uncovered_part
    return state.covered_paid + state.uncovered


class _Running:
    """The patient's running totals while charges are paid one by one under `terms`."""

    __slots__ = ("covered_paid", "deductible_left", "terms", "uncovered")

    def __init__(self, terms: Terms) -> None:
        self.terms = terms
        self.deductible_left = terms.deductible
        self.covered_paid = 0
        self.uncovered = 0

    def share_after_deductible(self, amount: int) -> int:
        copay = min(self.terms.copay, amount)
        return copay + percent_of(amount - copay, self.terms.coinsurance)

    def pay(self, amount: int, covered: bool) -> None:
        if not covered:
            self.uncovered += amount
            return
        from_deductible = min(self.deductible_left, amount)
        self.deductible_left -= from_deductible
        part = from_deductible + self.share_after_deductible(amount - from_deductible)
        if self.terms.oop_max is not None:
            part = min(part, max(self.terms.oop_max - self.covered_paid, 0))
        self.covered_paid += part


DAYS_PER_PLAN_YEAR = 364  # without a renewal date, the plan renews every 52 weeks


@dataclass(frozen=True, slots=True)
class YearWindow:
    """A plan year: its first and last day from the first session (0-based), and its dates."""

    first_day: int
    last_day: int
    starts: date | int
    ends: date | int


def plan_years(start: date | None, renews: str | None, last_day: int) -> list[YearWindow]:
    """The plan years a course touches, up to the day `last_day` of the course.

    With a renewal date (MM-DD) the years turn on that date from the start date; without, every
    52 weeks from the first session, given as week numbers (or dates when the start is known).
    """
    if renews is None:
        count = last_day // DAYS_PER_PLAN_YEAR + 1
        windows = []
        for k in range(count):
            first, last = k * DAYS_PER_PLAN_YEAR, (k + 1) * DAYS_PER_PLAN_YEAR - 1
            if start is not None:
                starts: date | int = start + timedelta(days=first)
                ends: date | int = start + timedelta(days=last)
            else:
                starts, ends = 52 * k + 1, 52 * (k + 1)
            windows.append(YearWindow(first, last, starts, ends))
        return windows
    if start is None:
        raise InputError("--plan-year-renews needs the date of the first session (--start)")
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
    plan_course: Course, start: date | None, renews: str | None
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
def year_split(plan_course: Course, start: date | None, renews: str | None) -> YearSplit:
    """The plan years the course touches from `start` and its sessions in each.

    Cached (the engine's second seam): placing every session of a long course on the calendar
    is the costliest step of an insured estimate, and a batch repeats its courses and dates."""
    windows, days = course_years(plan_course, start, renews)
    low = year_counts(windows, None if days is None else days[0], plan_course.sessions.low)
    high = year_counts(windows, None if days is None else days[1], plan_course.sessions.high)
    return YearSplit(tuple(windows), tuple(low), tuple(high))


@functools.lru_cache(maxsize=1024)
def terms(insurance: Insurance) -> tuple[Terms, Terms]:
    """The insurance terms in cents now and after a renewal (`Terms.both`), cached on the
    terms: a batch of one insurer's plans repeats them."""
    return Terms.both(insurance)


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
