"""The pricing engine: a Plan and a PriceSheet in, an Estimate out. Pure: no CLI, no I/O.

One engine for estimate, compare, timeline, quote, batch and the Python API. Inside it money is
integer cents and time is whole units of a week (1/12 week, or finer when a sheet's phases have
decimals), so every figure is exact without Decimal or Fraction on the hot path; Decimal appears
only where results are made. What depends only on the sheet (lookups, prices in cents, the text
of assumptions) is prepared once per sheet, and each course (its phases' sessions and schedule
text) is cached per sheet on everything it depends on.

The arithmetic (also in the README):
- sessions in a phase = round-half-up(duration in weeks x sessions per week), low ends together
  and high ends together, computed exactly and rounded once per phase;
- a month is 52/12 weeks; `per_month` m is 12m/52 a week, `per_year` y is y/52,
  `every_weeks` n is 1/n;
- cost of a phase = sessions x price per session, low with low and high with high;
- money is in whole cents, rounded half up where a share or discount makes a fraction of one;
  totals are sums over phases;
- a protocol's phases are its induction, then its maintenance: the maintenance lasts
  maintenance_months, or what `months` leaves after the induction, each case on its own, its
  phases in order and the open-ended one filling the rest;
- insurance is applied per plan year (see `planyear`).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal, TypeVar

from ketcost import wording
from ketcost.errors import InputError
from ketcost.models import Insurance, Plan, Range
from ketcost.payment import (
    AddonCharge,
    Terms,
    after_assistance,
    cents,
    course_patient_pays,
    decimal,
    discounted,
    half_up,
    installments,
)
from ketcost.planyear import YearWindow, assisted, case_years, plan_years, year_counts
from ketcost.pricesheet import (
    FREQUENCY_KEYS,
    MAX_PHASE_SESSIONS,
    Phase,
    PriceSheet,
    Protocol,
    Route,
)
from ketcost.results import (
    CaseCount,
    Cases,
    Count,
    Estimate,
    Installments,
    InsuranceResult,
    LineItem,
    Money,
    PhaseCost,
    PlanYear,
    SheetInfo,
)

WEEKS_PER_MONTH = Fraction(52, 12)
WEEKS_PER_YEAR = Fraction(52)

DISCLAIMER = (
    "This is an estimate, not a bill, a quote from a clinic, or medical advice. "
    "Ketamine treatment happens only under licensed medical supervision."
)

_MAINTENANCE_RATES: dict[str, dict[str, int | tuple[int, int]]] = {
    "monthly": {"per_month": 1},
    "biweekly": {"every_weeks": 2},
    "weekly": {"per_week": 1},
    "monthly-biweekly": {"per_year": (12, 26)},
}

Case = Literal["low", "high"]
CASES: tuple[Case, Case] = ("low", "high")
SESSIONS_PER_WEEK_WITHOUT_LENGTH = 3  # a fixed count with no length: n/3 weeks, rounded up
Pair = tuple[int, int]
T = TypeVar("T")


def weekly_rate(phase: Phase) -> tuple[Fraction, Fraction]:
    """Sessions per week at the low and high end of a phase with a frequency."""
    if phase.per_week is not None:
        return Fraction(phase.per_week.low), Fraction(phase.per_week.high)
    if phase.per_month is not None:
        return (
            Fraction(phase.per_month.low) / WEEKS_PER_MONTH,
            Fraction(phase.per_month.high) / WEEKS_PER_MONTH,
        )
    if phase.per_year is not None:
        return (
            Fraction(phase.per_year.low) / WEEKS_PER_YEAR,
            Fraction(phase.per_year.high) / WEEKS_PER_YEAR,
        )
    if phase.every_weeks is not None:
        # The rarer end (more weeks between sessions) is the low case.
        return 1 / Fraction(phase.every_weeks.high), 1 / Fraction(phase.every_weeks.low)
    raise ValueError(f"phase {phase.name!r} has a fixed session count, not a rate")


def own_weeks(phase: Phase) -> tuple[Fraction, Fraction] | None:
    """How long a phase lasts by its own terms, low and high case; None when open-ended.

    A fixed count with no length lasts n/3 weeks, rounded up (for placing its sessions)."""
    if phase.weeks is not None:
        return Fraction(phase.weeks.low), Fraction(phase.weeks.high)
    if phase.months is not None:
        return (
            Fraction(phase.months.low) * WEEKS_PER_MONTH,
            Fraction(phase.months.high) * WEEKS_PER_MONTH,
        )
    if phase.sessions is not None:
        return (
            Fraction(math.ceil(Fraction(phase.sessions.low, SESSIONS_PER_WEEK_WITHOUT_LENGTH))),
            Fraction(math.ceil(Fraction(phase.sessions.high, SESSIONS_PER_WEEK_WITHOUT_LENGTH))),
        )
    return None


# --- the course: phases, their length and sessions, in whole units of a week -----------------


def _unit(phases: Iterable[Phase]) -> int:
    """Units per week that make every length in these phases whole: 12 (so a month, 52/12
    weeks, is 52 units), times 10 for each decimal place a sheet's weeks or months have."""
    places = 0
    for phase in phases:
        for value in (phase.weeks, phase.months):
            if value is not None:
                for end in (value.low, value.high):
                    exponent = end.normalize().as_tuple().exponent
                    assert isinstance(exponent, int)  # validated: finite
                    places = max(places, -exponent)
    unit: int = 12 * 10**places
    return unit


def _units(weeks: Fraction, unit: int) -> int:
    exact = weeks * unit
    assert exact.denominator == 1, "lengths are whole units by the choice of unit"
    return int(exact)


@dataclass(frozen=True, slots=True)
class Scheduled:
    """A phase as the plan schedules it: how long it lasts (in the course's units of a week)
    and how many sessions it holds in each case (a phase cut by the end of the course holds its
    sessions pro rata), with its schedule in words."""

    phase: Phase
    part: Literal["induction", "maintenance"]
    length: Pair
    sessions: Pair
    whole: bool  # runs its own full length (not open-ended, not cut short)
    schedule: str
    count: Count

    def case_sessions(self, case: Case) -> int:
        return self.sessions[0] if case == "low" else self.sessions[1]

    def case_length(self, case: Case) -> int:
        return self.length[0] if case == "low" else self.length[1]


@dataclass(frozen=True, slots=True)
class Course:
    """The course a plan prices: its phases, the length of each part (in `unit`ths of a week),
    and its text: how long it is and what its maintenance is."""

    unit: int
    phases: tuple[Scheduled, ...]
    induction: Pair
    maintenance: Pair
    sessions: Count
    description: str
    maintenance_line: str | None

    def length(self, case: Case) -> int:
        """The whole course in one case, in units."""
        index = 0 if case == "low" else 1
        return self.induction[index] + self.maintenance[index]

    def weeks(self, case: Case) -> Fraction:
        """The length of the whole course in one case, in weeks."""
        return Fraction(self.length(case), self.unit)


def _rate(phase: Phase, case: int, unit: int) -> Fraction:
    """Sessions per unit of a week."""
    return weekly_rate(phase)[case] / unit


def _sessions_in(phase: Phase, taken: int, full: int | None, case: int, unit: int) -> int:
    """The sessions of `phase` over `taken` units of it in one case; a fixed count pro rata when
    the phase is cut short of its `full` length."""
    if phase.sessions is not None:
        count = phase.sessions.low if case == 0 else phase.sessions.high
        if full is None or taken >= full:
            return count
        return half_up(count * taken, full)
    rate = _rate(phase, case, unit)
    return half_up(taken * rate.numerator, rate.denominator)


def _scheduled(phase: Phase, taken: Pair, full: Pair | None, unit: int) -> Scheduled:
    counts = (
        _sessions_in(phase, taken[0], None if full is None else full[0], 0, unit),
        _sessions_in(phase, taken[1], None if full is None else full[1], 1, unit),
    )
    if counts[1] > MAX_PHASE_SESSIONS:
        raise InputError(
            f"phase {phase.name!r} would hold {counts[1]:,} sessions; "
            f"a phase holds at most {MAX_PHASE_SESSIONS:,}"
        )
    whole = not phase.open_ended and (full is None or taken == full)
    weeks = (Fraction(taken[0], unit), Fraction(taken[1], unit))
    text = wording.scheduled(phase, weeks, whole)
    return Scheduled(
        phase, phase.course_part, taken, counts, whole, text, Count(counts[0], counts[1])
    )


def _own_units(phase: Phase, unit: int) -> Pair | None:
    weeks = own_weeks(phase)
    return None if weeks is None else (_units(weeks[0], unit), _units(weeks[1], unit))


class _Memo:
    """A bounded cache: when full, its oldest quarter goes, so a run with endless distinct
    schedules stays small and a run with a few more than fit keeps most of them."""

    __slots__ = ("get", "items", "size")

    def __init__(self, size: int) -> None:
        self.items: dict[Any, Any] = {}
        self.size = size
        # the dict's own lookup: a memo is asked several times a record, and put() never
        # replaces the dict
        self.get: Callable[[Any], Any] = self.items.get

    def one(self, value: T) -> T:
        """The kept object equal to `value` (`value` itself, kept, when there is none)."""
        found: T | None = self.items.get(value)
        return self.put(value, value) if found is None else found

    def put(self, key: Any, value: Any) -> Any:
        items = self.items
        if len(items) >= self.size:
            try:
                for old in list(itertools.islice(items, max(self.size // 4, 1))):
                    items.pop(old, None)
            except RuntimeError:  # another thread changed it meanwhile (the Python API)
                items.clear()
        items[key] = value
        return value


def _ends(value: Range[int] | None) -> tuple[int, int] | tuple[None, None]:
    return (None, None) if value is None else (value.low, value.high)


def _phases_key(plan: Plan, protocol_id: str) -> tuple[Any, ...]:
    """Everything the protocol's phases as the plan changes them depend on, as plain values in
    one flat tuple (fast to hash, and small: the course cache keeps thousands)."""
    return (
        protocol_id, *_ends(plan.weeks), *_ends(plan.per_week), *_ends(plan.sessions),
        plan.maintenance,
    )  # fmt: skip


def _schedule_key(plan: Plan, protocol_id: str) -> tuple[Any, ...]:
    """Everything a course depends on besides its sheet: its phases and its length."""
    return (*_phases_key(plan, protocol_id), plan.maintenance_months, plan.months)


@dataclass(frozen=True, slots=True)
class _Frame:
    """A protocol's phases as a plan's phase fields change them, before the course's length is
    known: the unit, the induction's phases scheduled (their lengths are their own) and its
    length, and the maintenance phases with their own lengths, in order."""

    unit: int
    induction: tuple[Scheduled, ...]
    induction_units: Pair
    maintenance: tuple[tuple[Phase, Pair | None], ...]
    later: tuple[Phase, ...]  # the maintenance phases
    later_ids: tuple[int, ...]  # their identities (they are interned, `_Pieces.same`)
    ends_in_maintenance: bool


class _Pieces:
    """The parts of courses on one sheet's protocols, each cached on what it depends on: the
    protocol's phases as the plan changes them, each phase's sessions and schedule text for a
    length and a cut, and the course's text."""

    def __init__(self) -> None:
        self.adjusted = _Memo(1024)
        # One object for equal values, so they are kept once however many courses have them:
        # phases (so `phases` can key on identity), lengths, counts and plan-year splits.
        self.same = _Memo(4096)
        self.phases = _Memo(4096)
        self.lines = _Memo(4096)

    def frame(self, plan: Plan, protocol_id: str, protocol: Protocol) -> _Frame:
        """What the plan's phase fields make of the protocol, whatever the course's length."""
        key = _phases_key(plan, protocol_id)
        found: _Frame | None = self.adjusted.get(key)
        if found is None:
            phases = tuple(self.same.one(p) for p in adjusted_phases(plan, protocol_id, protocol))
            found = self.adjusted.put(key, self._frame(phases))
        return found

    def _frame(self, phases: tuple[Phase, ...]) -> _Frame:
        unit = _unit(phases)
        induction: list[Scheduled] = []
        units = [0, 0]
        maintenance: list[tuple[Phase, Pair | None]] = []
        for phase in phases:
            full = _own_units(phase, unit)
            if phase.course_part == "maintenance":
                maintenance.append((phase, full))
                continue
            length = full or (0, 0)
            induction.append(self.scheduled(phase, length, None, unit))
            units[0] += length[0]
            units[1] += length[1]
        later = tuple(phase for phase, _ in maintenance)
        return _Frame(
            unit,
            tuple(induction),
            self.same.one((units[0], units[1])),
            tuple(maintenance),
            later,
            tuple(map(id, later)),
            phases[-1].course_part == "maintenance",
        )

    def scheduled(self, phase: Phase, taken: Pair, full: Pair | None, unit: int) -> Scheduled:
        # Keyed on the phase's identity (hashing a model is slow); checked, since an id can be
        # reused once a phase is gone from the cache above.
        key = (id(phase), taken, full, unit)
        found: Scheduled | None = self.phases.get(key)
        if found is None or found.phase is not phase:
            found = self.phases.put(key, _scheduled(phase, taken, full, unit))
        return found

    def text(self, key: tuple[Any, ...], make: Any, objects: tuple[object, ...] = ()) -> Any:
        """Text cached on `key`; when the key holds the ids of `objects`, they are kept with
        the text and checked, since an id can be reused once its object is gone."""
        found = self.lines.get(key)
        if found is None or any(a is not b for a, b in zip(found[1], objects, strict=True)):
            found = self.lines.put(key, (make(), objects))
        return found[0]


def course(plan: Plan, protocol_id: str, protocol: Protocol) -> Course:
    """The course `plan` schedules on `protocol` (see `_course`), worked out afresh."""
    return _course(plan, protocol_id, protocol, _Pieces())


def _course(plan: Plan, protocol_id: str, protocol: Protocol, pieces: _Pieces) -> Course:
    """The protocol's phases with the plan's changes, each with its length and sessions.

    The induction runs as the protocol (and --weeks, --per-week, --sessions) says. The
    maintenance part lasts `maintenance_months`, or what `months` leaves after the induction;
    its phases run in order, the open-ended one filling what is left, a fixed one cut at the end.
    """
    frame = pieces.frame(plan, protocol_id, protocol)
    if not frame.ends_in_maintenance:
        _check_maintenance(plan, protocol_id)
    unit, induction = frame.unit, frame.induction_units
    priced = list(frame.induction)
    month = 52 * unit // 12  # units in a month of 52/12 weeks (unit is a multiple of 12)
    if plan.months is not None:
        whole = plan.months * month
        if induction[1] > whole:
            weeks = (Fraction(induction[0], unit), Fraction(induction[1], unit))
            raise InputError(
                f"--months {plan.months} is shorter than the induction "
                f"({wording.weeks_span(weeks)} weeks); give more months"
            )
        left = [whole - induction[0], whole - induction[1]]
    else:
        left = [plan.maintenance_length * month] * 2
    start = (left[0], left[1])
    for phase, full in frame.maintenance:
        taken = (
            left[0] if full is None else min(full[0], left[0]),
            left[1] if full is None else min(full[1], left[1]),
        )
        left = [left[0] - taken[0], left[1] - taken[1]]
        if taken[1] > 0 or taken[0] > 0:
            priced.append(pieces.scheduled(phase, taken, full, unit))
    # Lengths and counts repeat from course to course: each is kept once (`pieces.same`).
    one = pieces.same.one
    used = one((start[0] - left[0], start[1] - left[1]))
    totals = one(Count(sum(s.sessions[0] for s in priced), sum(s.sessions[1] for s in priced)))
    later, ends = frame.later, induction
    description = pieces.text(("course", unit, ends, used), lambda: _course_line(unit, ends, used))
    maintenance_line = pieces.text(
        ("maintenance", frame.later_ids, plan.months, plan.maintenance_length),
        lambda: _maintenance_line(plan, later),
        later,
    )
    return Course(unit, tuple(priced), ends, used, totals, description, maintenance_line)


def _check_maintenance(plan: Plan, protocol_id: str) -> None:
    """For a protocol with no maintenance part: an InputError when the plan asks for one."""
    wants_maintenance = (
        plan.maintenance is not None or plan.maintenance_length or plan.months is not None
    )
    if wants_maintenance:
        raise InputError(
            f"protocol {protocol_id!r} has no maintenance part, so maintenance options and "
            "--months do not apply to it"
        )


def _decimal_range(value: Range[int]) -> Range[Decimal]:
    return Range[Decimal].of(Decimal(value.low), Decimal(value.high))


def _with_frequency(phase: Phase, **frequency: object) -> Phase:
    cleared: dict[str, Any] = dict.fromkeys((*FREQUENCY_KEYS, "sessions"))
    return dataclasses.replace(phase, **{**cleared, **frequency})


def _as_range(value: int | tuple[int, int]) -> Range[Decimal]:
    low, high = value if isinstance(value, tuple) else (value, value)
    return Range[Decimal].of(Decimal(low), Decimal(high))


def adjusted_phases(plan: Plan, protocol_id: str, protocol: Protocol) -> tuple[Phase, ...]:
    """The protocol's phases with the plan's changes: first-phase schedule and maintenance."""
    first, *rest = protocol.phases
    if plan.weeks is not None:
        first = dataclasses.replace(first, weeks=_decimal_range(plan.weeks), months=None)
    if plan.per_week is not None:
        first = _with_frequency(first, per_week=_decimal_range(plan.per_week))
    if plan.sessions is not None:
        first = _with_frequency(first, sessions=plan.sessions)
    phases = [first, *rest]
    if phases[-1].course_part != "maintenance":
        _check_maintenance(plan, protocol_id)
    if plan.maintenance is not None:
        if not phases[-1].open_ended:
            raise InputError(
                f"protocol {protocol_id!r} has no open-ended maintenance phase for --maintenance"
            )
        rates = {k: _as_range(v) for k, v in _MAINTENANCE_RATES[plan.maintenance].items()}
        phases[-1] = _with_frequency(phases[-1], **rates)
    return tuple(phases)


def session_weeks(plan_course: Course, case: Case) -> Iterator[Fraction]:
    """When each session happens, in weeks from the first: session k of a phase of n sessions
    lasting W weeks falls at k*W/n from the phase's start ((k+1)*W/n for a phase that starts one
    interval late); phases follow one another."""
    start = 0
    for item in plan_course.phases:
        count, length = item.case_sessions(case), item.case_length(case)
        late = 1 if item.phase.starts_one_interval_after else 0
        for k in range(count):
            yield Fraction(start * count + (k + late) * length, count * plan_course.unit)
        start += length


def session_days(plan_course: Course, case: Case) -> list[int]:
    """The day of each session, from 0 (the first session's day): floor(7 x its week), as
    `session_weeks` places them, in whole numbers."""
    days: list[int] = []
    start, unit = 0, plan_course.unit
    for item in plan_course.phases:
        count, length = item.case_sessions(case), item.case_length(case)
        late = 1 if item.phase.starts_one_interval_after else 0
        if count:
            # 7 x (start + k x length / count) / unit
            under = unit * count
            days.extend(7 * (start * count + (k + late) * length) // under for k in range(count))
        start += length
    return days


def _course_line(unit: int, induction_units: Pair, maintenance_units: Pair) -> str:
    """How long the course is in weeks and months, and which weeks each part covers."""
    induction = (Fraction(induction_units[0], unit), Fraction(induction_units[1], unit))
    maintenance = (Fraction(maintenance_units[0], unit), Fraction(maintenance_units[1], unit))
    low, high = induction[0] + maintenance[0], induction[1] + maintenance[1]
    months = (low / WEEKS_PER_MONTH, high / WEEKS_PER_MONTH)
    if induction[0] == induction[1]:
        parts = f"the induction weeks 1–{math.ceil(induction[0])}"
    else:
        parts = f"the induction the first {wording.weeks_span(induction)} weeks"
    if maintenance[1] > 0 or maintenance[0] > 0:
        if induction[0] == induction[1] and maintenance[0] == maintenance[1]:
            first = math.floor(induction[0]) + 1
            parts += f", maintenance weeks {first}–{math.ceil(induction[0] + maintenance[0])}"
        else:
            parts += f", maintenance the next {wording.weeks_span(maintenance)} weeks"
    return (
        f"The course lasts {wording.weeks_span((low, high))} weeks "
        f"({wording.weeks_span(months)} months) from the first session: {parts}."
    )


def _maintenance_line(plan: Plan, phases: tuple[Phase, ...]) -> str | None:
    if not phases:
        return None
    how_often = ", then ".join(wording.frequency(p) for p in phases)
    if plan.months is not None:
        return f"Maintenance ({how_often}) fills the rest of the {plan.months}-month course."
    months = plan.maintenance_length
    if months == 0:
        return (
            f"Maintenance ({how_often}) is not included; add --maintenance-months N "
            "to include N months of it, or --months N for a course of N months in all."
        )
    plural = "month" if months == 1 else "months"
    return f"Includes {wording.number(months)} {plural} of maintenance ({how_often})."


# --- the sheet, prepared once -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _RouteFacts:
    """A route as pricing uses it: its price in cents and its fixed assumption lines."""

    route: Route
    index: int  # its place among the sheet's routes, where a course keeps its pricing on it
    price: Pair
    price_money: Money
    price_cases: Cases
    lines: tuple[str, ...]  # the price, its source
    observation: str | None


@dataclass(frozen=True, slots=True)
class Addon:
    """An add-on as a plan takes it: label, price in cents, per session or per course, and
    whether insurance may cover it beside the plan's route; with its charge in each case."""

    label: str
    price: Pair
    per: Literal["session", "course"]
    covered: bool
    charges: tuple[AddonCharge, AddonCharge]


def _addon(label: str, price: Pair, per: Literal["session", "course"], covered: bool) -> Addon:
    charges = AddonCharge(price[0], per, covered), AddonCharge(price[1], per, covered)
    return Addon(label, price, per, covered, charges)


@dataclass(frozen=True, slots=True)
class _Bill:
    """What a course bills on a route with its add-ons and discount: the line items, the
    total and the session fee after the discount, in cents."""

    items: tuple[LineItem, ...]
    total: Pair
    fee: Pair


@dataclass(frozen=True, slots=True)
class _PhaseBill:
    """A scheduled phase on a route: its cost and its session line (made once per phase and
    route, and shared by every estimate that has them)."""

    scheduled: Scheduled
    cost: PhaseCost
    item: LineItem
    low: int
    high: int


def _phase_bill(item: Scheduled, facts: _RouteFacts) -> _PhaseBill:
    low, high = item.sessions[0] * facts.price[0], item.sessions[1] * facts.price[1]
    cost = Money(decimal(low), decimal(high))
    name = item.phase.name
    return _PhaseBill(
        item,
        PhaseCost(name, item.part, item.schedule, item.count, facts.price_money, cost),
        LineItem(name, "session", item.count, facts.price_cases, Cases(cost.low, cost.high)),
        low,
        high,
    )


@dataclass(frozen=True, slots=True)
class _Priced:
    """A course on a route, priced with no add-ons and no discount: each phase's cost and its
    session line, and the total in cents. Kept with the course, so it holds only what the
    estimate cannot cheaply remake."""

    phases: tuple[PhaseCost, ...]
    items: tuple[LineItem, ...]
    low: int
    high: int


# A course's plan years for one start and renewal date: the windows, then the sessions in each,
# low case and high case.
_Split = tuple[tuple[YearWindow, ...], tuple[int, ...], tuple[int, ...]]


class _Known:
    """A course a sheet has seen, with what was worked out from it: the course priced on each
    route it was asked on (by the route's index), and its plan years for each start and
    renewal date (the last DATES; None until an insured plan asks). Kept together, they are
    looked up by a short key and leave the cache together. A sheet keeps thousands of these,
    so they hold no more than they need."""

    __slots__ = ("course", "priced", "years")
    DATES = 8

    def __init__(self, course: Course, routes: int) -> None:
        self.course = course
        self.priced: list[_Priced | None] = [None] * routes
        self.years: list[tuple[date | None, str | None, *_Split]] | None = None


def _bill(
    priced: _Priced,
    sessions: Count,
    addons: tuple[Addon, ...],
    facts: _RouteFacts,
    discount: Decimal,
) -> _Bill:
    """The priced course's bill (of `sessions` sessions) with add-ons and a discount."""
    items = list(priced.items)
    total_low, total_high = priced.low, priced.high
    for addon in addons:
        quantity = sessions if addon.per == "session" else _ONCE
        low, high = quantity.low * addon.price[0], quantity.high * addon.price[1]
        total_low += low
        total_high += high
        unit = _cases(*addon.price)
        items.append(LineItem(addon.label, "addon", quantity, unit, _cases(low, high)))
    fee = discounted(facts.price[0], discount), discounted(facts.price[1], discount)
    if discount:
        off_low, off_high = fee[0] - facts.price[0], fee[1] - facts.price[1]
        low, high = sessions.low * off_low, sessions.high * off_high
        total_low += low
        total_high += high
        items.append(
            LineItem(
                f"discount {wording.number(discount)}% on session fees",
                "discount",
                sessions,
                _cases(off_low, off_high),
                _cases(low, high),
            )
        )
    total = (total_low, total_high)
    return _Bill(tuple(items), total, fee)


class Prepared:
    """What pricing needs of one sheet, worked out once: name lookups, prices in cents, fixed
    text, and the sheet's cache of courses."""

    # Courses kept per sheet, each with its pricing on the routes asked and its plan-year
    # splits, about 1.5 KB in all (its phases, text, lengths and plan years are shared). The
    # benchmark's 100,000 varied records have 8,632 courses (10,251 in 1,000,000), and each of
    # two processes sees most of them; 8,192 a process keeps two processes at about 80 MB.
    COURSES = 8192

    def __init__(self, sheet: PriceSheet) -> None:
        self.sheet = sheet
        self.route_ids: dict[str, str] = {}
        for route_id, route in sheet.routes.items():
            for name in (route_id, *route.aliases):
                self.route_ids.setdefault(name.casefold(), route_id)
        self.protocol_ids: dict[str, str] = {}
        for protocol_id in sheet.protocols:
            self.protocol_ids.setdefault(protocol_id.casefold(), protocol_id)
        self.addon_ids: dict[str, str] = {}
        for addon_id in sheet.addons:
            self.addon_ids.setdefault(addon_id.casefold(), addon_id)
        self.info = SheetInfo(sheet.name, sheet.as_of, sheet.source)
        self.routes = {
            route_id: self._route(route, index)
            for index, (route_id, route) in enumerate(sheet.routes.items())
        }
        self.courses = _Memo(self.COURSES)
        self.pieces = _Pieces()
        self.chosen = _Memo(1024)
        self.named = _Memo(1024)
        self.lines = _Memo(1024)
        self.costs = _Memo(4096)  # each scheduled phase priced on a route
        self.terms_in_cents = _Memo(1024)

    def _route(self, route: Route, index: int) -> _RouteFacts:
        sheet = self.sheet
        price = (cents(route.session_price.low), cents(route.session_price.high))
        observation = None
        if route.observation_minutes is not None:
            observation = (
                f"Each session includes at least {wording.span(route.observation_minutes)} "
                "minutes of observation at the clinic after the dose, until the clinician "
                "judges the patient ready to leave (time to plan for, not a separate charge "
                "here)."
            )
        return _RouteFacts(
            route,
            index,
            price,
            Money(decimal(price[0]), decimal(price[1])),
            Cases(decimal(price[0]), decimal(price[1])),
            (
                f"Prices per session are the published range for {route.label} in "
                f'"{sheet.name}" (as of {sheet.as_of.isoformat()}); a clinic\'s own prices '
                "may differ.",
                f"Price source: {route.source}",
            ),
            observation,
        )

    def known(self, plan: Plan, protocol_id: str) -> _Known:
        """The plan's course on one of the sheet's protocols with what has been worked out from
        it, cached on the schedule fields (a schedule that cannot be priced is cached as its
        message)."""
        key = _schedule_key(plan, protocol_id)
        found: _Known | str | None = self.courses.get(key)
        if found is None:
            protocol = self.sheet.protocols[protocol_id]
            try:
                found = _Known(_course(plan, protocol_id, protocol, self.pieces), len(self.routes))
            except InputError as error:
                found = str(error)
            self.courses.put(key, found)
        if isinstance(found, str):
            raise InputError(found)
        return found

    def course(self, plan: Plan, protocol_id: str) -> Course:
        """The plan's course on one of the sheet's protocols (see `known`)."""
        return self.known(plan, protocol_id).course

    def priced(self, known: _Known, facts: _RouteFacts) -> _Priced:
        """The course priced on the route (kept with the course), from its phases priced on it
        (cached per phase and route)."""
        found = known.priced[facts.index]
        if found is None:
            found = known.priced[facts.index] = self._priced(known.course, facts)
        return found

    def _priced(self, plan_course: Course, facts: _RouteFacts) -> _Priced:
        bills = []
        for item in plan_course.phases:
            key = (id(item), facts.index)
            found: _PhaseBill | None = self.costs.get(key)
            if found is None or found.scheduled is not item:
                found = self.costs.put(key, _phase_bill(item, facts))
            bills.append(found)
        return _Priced(
            tuple(b.cost for b in bills),
            tuple(b.item for b in bills),
            sum(b.low for b in bills),
            sum(b.high for b in bills),
        )

    def years(self, plan: Plan, known: _Known) -> _Split:
        """The plan years the course touches and its sessions in each, low and high case, kept
        with the course for the plan's start and renewal date (the last DATES of them). The
        windows and counts are shared between courses: most courses have the same."""
        renews = plan.insurance.plan_year_renews if plan.insurance else None
        start = plan.start
        kept = known.years
        if kept is None:
            kept = known.years = []
        for entry in kept:
            if entry[0] == start and entry[1] == renews:
                return entry[2:]
        plan_course = known.course
        windows, days = course_years(plan, plan_course)
        low = year_counts(windows, None if days is None else days[0], plan_course.sessions.low)
        high = year_counts(windows, None if days is None else days[1], plan_course.sessions.high)
        shared = self.pieces.same.one
        entry = (start, renews, shared(tuple(windows)), shared(tuple(low)), shared(tuple(high)))
        if len(kept) >= _Known.DATES:
            del kept[0]
        kept.append(entry)
        return entry[2:]

    def terms(self, insurance: Insurance) -> tuple[Terms, Terms]:
        """The insurance terms in cents now and after a renewal (`Terms.both`), cached on the
        amounts: a batch of one insurer's plans repeats them."""
        key = (
            insurance.deductible, insurance.coinsurance, insurance.copay, insurance.oop_max,
            insurance.annual_deductible, insurance.annual_oop_max,
        )  # fmt: skip
        found: tuple[Terms, Terms] | None = self.terms_in_cents.get(key)
        if found is None:
            found = self.terms_in_cents.put(key, Terms.both(insurance))
        return found

    def insurance_lines(
        self, plan: Plan, facts: _RouteFacts, covered: bool, years: int
    ) -> list[str]:
        """The insurance assumptions (`_insurance_lines`), cached on what they depend on: the
        amounts only matter after a renewal."""
        terms = plan.insurance
        assert terms is not None
        given = bool(terms.deductible or terms.coinsurance or terms.copay)
        renews = terms.plan_year_renews
        after = None
        if years > 1:
            annual = terms.annual_deductible is not None or terms.annual_oop_max is not None
            after = (terms.renewed_deductible, terms.renewed_oop_max, annual)
        start = plan.start if renews else None
        route = facts.route
        capped = terms.oop_max is not None
        key = (route.label, route.insurance_eligible, covered, years, given, capped, renews)
        key_: tuple[Any, ...] = (*key, start, after)
        found: list[str] | None = self.lines.get(key_)
        if found is None:
            found = self.lines.put(
                key_, _insurance_lines(self.sheet, plan, facts.route, covered, years)
            )
        return found

    def resolve(self, plan: Plan) -> tuple[str, str]:
        """The route id and protocol id a plan names, or an InputError saying what is allowed.

        Without --protocol, the route's own default protocol (the sheet's `default_protocol`),
        else `standard`. Names found are cached; a name not found is looked into each time."""
        key = (plan.route, plan.protocol)
        found: tuple[str, str] | None = self.named.get(key)
        if found is None:
            found = self._resolve(plan)
            self.named.put(key, found)
        return found

    def _resolve(self, plan: Plan) -> tuple[str, str]:
        sheet = self.sheet
        protocol_id = None
        if plan.protocol is not None:
            protocol_id = self.protocol_ids.get(plan.protocol.strip().casefold())
            if protocol_id is None:
                raise InputError(
                    f"unknown protocol {plan.protocol!r}"
                    f"{_suggest(plan.protocol, sheet.protocols)}; "
                    f"protocols: {', '.join(sheet.protocols) or 'none'}"
                )
        route_name = plan.route or (protocol_id and sheet.protocols[protocol_id].route)
        route_names = ", ".join(sheet.route_names())
        if route_name is None:
            raise InputError(f"give --route: which route to price ({route_names})")
        route_id = self.route_ids.get(route_name.strip().casefold())
        if route_id is None:
            suggestion = _suggest(route_name, sheet.route_names())
            raise InputError(f"unknown route {route_name!r}{suggestion}; routes: {route_names}")
        if protocol_id is None:
            protocol_id = sheet.routes[route_id].default_protocol or self.protocol_ids.get(
                "standard"
            )
            if protocol_id is None:
                raise InputError(
                    f"route {route_id!r} has no default protocol in this sheet; give --protocol "
                    f"({', '.join(sheet.protocols) or 'none in this sheet'})"
                )
        return route_id, protocol_id

    def addons(self, plan: Plan, route_id: str) -> tuple[Addon, ...]:
        """The sheet add-ons the plan asks for (`with`, each once however often it is named),
        then its own extras (never covered). Unknown names are errors."""
        chosen: tuple[Addon, ...] | None = ()
        if plan.with_:
            key = (plan.with_, route_id)
            chosen = self.chosen.get(key)
            if chosen is None:
                chosen = self.chosen.put(key, self._chosen(plan.with_, route_id))
        assert chosen is not None
        if not plan.extra:
            return chosen
        extras = tuple(
            _addon(e.label, (cents(e.price.low), cents(e.price.high)), e.per, False)
            for e in plan.extra
        )
        return (*chosen, *extras)

    def _chosen(self, names: tuple[str, ...], route_id: str) -> tuple[Addon, ...]:
        sheet = self.sheet
        chosen: dict[str, Addon] = {}
        for name in names:
            addon_id = self.addon_ids.get(name.strip().casefold())
            if addon_id is None:
                allowed = ", ".join(sheet.addons) or "none in this sheet"
                suggestion = _suggest(name, sheet.addons)
                raise InputError(f"unknown add-on {name!r}{suggestion}; add-ons: {allowed}")
            addon = sheet.addons[addon_id]
            price = (cents(addon.price.low), cents(addon.price.high))
            chosen.setdefault(
                addon_id, _addon(addon.label, price, addon.per, addon.eligible_with(route_id))
            )
        return tuple(chosen.values())


_PREPARED: dict[int, Prepared] = {}
PREPARED_SHEETS = 64  # sheets kept prepared; a batch run names a few


def prepared(sheet: PriceSheet) -> Prepared:
    """The sheet prepared for pricing, made once per sheet (kept while the sheet is in use)."""
    found = _PREPARED.get(id(sheet))
    if found is None or found.sheet is not sheet:
        if len(_PREPARED) >= PREPARED_SHEETS:
            _PREPARED.clear()
        found = _PREPARED[id(sheet)] = Prepared(sheet)
    return found


def resolve(plan: Plan, sheet: PriceSheet) -> tuple[str, str]:
    """The route id and protocol id a plan names (see `Prepared.resolve`)."""
    return prepared(sheet).resolve(plan)


def _suggest(name: str, known: Iterable[str]) -> str:
    """` (did you mean 'iv'?)` for a near miss, else nothing."""
    import difflib

    lowered = {k.casefold(): k for k in known}
    close = difflib.get_close_matches(name.strip().casefold(), list(lowered), n=1, cutoff=0.6)
    return f" (did you mean {lowered[close[0]]!r}?)" if close else ""


def schedule_warnings(plan: Plan, sheet: PriceSheet) -> tuple[str, ...]:
    """One line for each way the plan's schedule is outside the route's label or usual practice:
    a protocol made for another route, or more sessions a week than the sheet allows the route.
    The estimate is still made."""
    route_id, protocol_id = resolve(plan, sheet)
    route, protocol = sheet.routes[route_id], sheet.protocols[protocol_id]
    lines = []
    made_for = protocol.route and sheet.find_route(protocol.route)
    if made_for and made_for != route_id:
        lines.append(
            f"warning: protocol {protocol_id!r} is made for {sheet.routes[made_for].label}, "
            f"not {route.label}; the figures follow it anyway"
        )
    if route.max_per_week is not None:
        for phase in adjusted_phases(plan, protocol_id, protocol):
            if phase.sessions is not None:
                weeks = own_weeks(phase)
                most = Fraction(phase.sessions.high) / (weeks[0] if weeks and weeks[0] else 1)
            else:
                most = weekly_rate(phase)[1]
            if most > Fraction(route.max_per_week.high):
                limit = wording.number(route.max_per_week.high)
                lines.append(
                    f"warning: {phase.name} schedules up to {wording.weeks_span((most, most))} "
                    f"sessions a week, more than the {limit} a week usual for {route.label} "
                    f"({(route.max_per_week_source or '').rstrip('.')})"
                )
    return tuple(lines)


def session_fee(price: Range[Decimal], discount: Decimal) -> Pair:
    """A session's fee in cents after the discount (a percentage), low and high, half up."""
    return discounted(cents(price.low), discount), discounted(cents(price.high), discount)


def _money(low: int, high: int) -> Money:
    return Money(decimal(low), decimal(high))


def _cases(low: int, high: int) -> Cases:
    return Cases(decimal(low), decimal(high))


_ONCE = Count(1, 1)
_NONE = Money(decimal(0), decimal(0))


def _insurance_lines(
    sheet: PriceSheet, plan: Plan, route: Route, covered: bool, years: int
) -> list[str]:
    terms = plan.insurance
    assert terms is not None
    lines = [
        "Insurance is applied per covered charge in the order sessions happen: the deductible "
        "first, then the copay, then the coinsurance share, up to the out-of-pocket maximum; "
        "charges not covered are paid in full."
    ]
    if not (terms.deductible or terms.coinsurance or terms.copay or terms.oop_max is not None):
        lines.append(
            "No deductible, coinsurance or copay was given, so insurance pays every covered "
            "charge in full; give --deductible and --coinsurance for your plan's terms."
        )
    within = (
        "this course falls within one plan year" if years == 1 else f"it spans {years} plan years"
    )
    if terms.plan_year_renews is None:
        lines.append(
            "The deductible and out-of-pocket maximum are yearly: the plan is taken to renew "
            f"every 52 weeks from the first session, and {within} (--plan-year-renews MM-DD "
            "sets the real date)."
        )
    else:
        start = plan.start.isoformat() if plan.start else "the start"
        lines.append(
            "The deductible and out-of-pocket maximum renew every year on "
            f"{terms.plan_year_renews} (MM-DD); the course starts {start}, and {within}."
        )
    if years == 1:
        lines.extend(_coverage_lines(route, covered))
        return lines
    cap = "no cap"
    if terms.renewed_oop_max is not None:
        cap = wording.money(terms.renewed_oop_max, sheet.currency)
    given = terms.annual_deductible is not None or terms.annual_oop_max is not None
    lines.append(
        "After each renewal the deductible is "
        f"{wording.money(terms.renewed_deductible, sheet.currency)} "
        f"and the out-of-pocket maximum {cap}"
        + (
            "."
            if given
            else " (the same as now; --annual-deductible and --annual-oop-max set them)."
        )
    )
    lines.extend(_coverage_lines(route, covered))
    return lines


def _coverage_lines(route: Route, covered: bool) -> list[str]:
    lines = []
    if not route.insurance_eligible and not covered:
        lines.append(
            f"{route.label} is usually not covered by insurance, so its sessions are counted "
            "as not covered; --covered overrides."
        )
    elif not route.insurance_eligible:
        lines.append(
            f"{route.label} is usually not covered by insurance; its sessions are counted as "
            "covered because --covered was given. Confirm with the insurer."
        )
    return lines


ROUNDING_LINE = (
    "Session counts are rounded half up once per phase (a month is 52/12 weeks); "
    "money is rounded to the cent, half up."
)


def _assumptions(
    ready: Prepared,
    facts: _RouteFacts,
    plan_course: Course,
    plan: Plan,
    covered: bool,
    years: int,
) -> tuple[str, ...]:
    lines = [*facts.lines, plan_course.description]
    if plan_course.maintenance_line:
        lines.append(plan_course.maintenance_line)
    if facts.observation is not None:
        lines.append(facts.observation)
    lines.append(ROUNDING_LINE)
    if plan.discount:
        lines.append(
            f"A {wording.number(plan.discount)}% discount applies to treatment-session fees, "
            "not to add-ons, before insurance."
        )
    if plan.insurance is not None:
        lines.extend(ready.insurance_lines(plan, facts, covered, years))
    if plan.assistance:
        lines.append(
            "Financial assistance of "
            f"{wording.money(decimal(cents(plan.assistance)), ready.sheet.currency)} "
            "reduces what you pay, never below zero."
        )
    if plan.insurance is None:
        if plan.with_ or plan.extra:
            lines.append("Not included: insurance.")
        else:
            lines.append("Not included: insurance, consultations, psychotherapy or other add-ons.")
    elif not (plan.with_ or plan.extra):
        lines.append("Not included: consultations, psychotherapy or other add-ons.")
    return tuple(lines)


# --- the estimate ------------------------------------------------------------------------------


def estimate(plan: Plan, sheet: PriceSheet) -> Estimate:
    """What the plan costs under the sheet's prices and what the patient pays, low and high."""
    ready = prepared(sheet)
    route_id, protocol_id = ready.resolve(plan)
    facts = ready.routes[route_id]
    protocol = sheet.protocols[protocol_id]
    known = ready.known(plan, protocol_id)
    plan_course = known.course
    addons = ready.addons(plan, route_id)
    priced = ready.priced(known, facts)
    sessions = plan_course.sessions
    if addons or plan.discount:
        bill = _bill(priced, sessions, addons, facts, plan.discount)
        items, (total_low, total_high), fee = bill.items, bill.total, bill.fee
    else:
        items, total_low, total_high, fee = priced.items, priced.low, priced.high, facts.price
    total = _money(total_low, total_high)
    terms = plan.insurance
    covered = terms is not None and (
        facts.route.insurance_eligible if terms.covered is None else terms.covered
    )
    insurance = None
    if terms is None:  # no insurance: the patient pays every charge
        patient = (total_low, total_high)
    else:
        windows, low_counts, high_counts = ready.years(plan, known)
        current, renewed = ready.terms(terms)
        low_charges = [a.charges[0] for a in addons]
        high_charges = [a.charges[1] for a in addons]
        paid: tuple[Sequence[int], Sequence[int]]
        if len(windows) == 1:  # the usual case: one plan year, billed the course's total
            paid = (
                (course_patient_pays(low_counts[0], fee[0], covered, low_charges, current),),
                (course_patient_pays(high_counts[0], fee[1], covered, high_charges, current),),
            )
            billed: tuple[Sequence[int], Sequence[int]] = ((total_low,), (total_high,))
        else:
            low = case_years(low_counts, fee[0], covered, low_charges, current, renewed)
            high = case_years(high_counts, fee[1], covered, high_charges, current, renewed)
            paid, billed = (low.patient, high.patient), (low.billed, high.billed)
        patient = (sum(paid[0]), sum(paid[1]))
        insurance = _insurance_result(
            terms, current, renewed, windows, (low_counts, high_counts), billed, paid, covered,
            (total_low, total_high), patient, plan.assistance,
        )  # fmt: skip
    assistance = cents(plan.assistance) if plan.assistance else 0
    out_low, out_high = patient
    if assistance:
        out_low = after_assistance(out_low, assistance)
        out_high = after_assistance(out_high, assistance)
    if out_low == total_low and out_high == total_high:  # paid in full: the total's figures
        out_of_pocket = total
    else:
        out_of_pocket = _money(out_low, out_high)
    return Estimate(
        currency=sheet.currency,
        route=route_id,
        route_label=facts.route.label,
        protocol=protocol_id,
        protocol_label=protocol.label,
        price_sheet=ready.info,
        phases=priced.phases,
        sessions=sessions,
        line_items=items,
        total=total,
        insurance=insurance,
        assistance=_money(patient[0] - out_low, patient[1] - out_high) if assistance else _NONE,
        out_of_pocket=out_of_pocket,
        installments=_installments(out_low, out_high, plan.installments),
        maintenance_months=plan.maintenance_length,
        months=plan.months,
        start=plan.start,
        assumptions=_assumptions(
            ready,
            facts,
            plan_course,
            plan,
            covered,
            len(insurance.plan_years) if insurance else 1,
        ),
        disclaimer=DISCLAIMER,
    )


def _installments(low: int, high: int, count: int | None) -> Installments | None:
    if count is None:
        return None
    each_low, last_low = installments(low, count)
    each_high, last_high = installments(high, count)
    return Installments(count, _money(each_low, each_high), _money(last_low, last_high))


def course_years(
    plan: Plan, plan_course: Course
) -> tuple[list[YearWindow], tuple[list[int], list[int]] | None]:
    """The plan years a course's sessions fall in, and each session's day (low and high case)
    for placing them.

    A course that cannot reach a second plan year (the usual case) has every session in the
    first, and placing them is skipped: its days are None."""
    bound = 7 * max(plan_course.length("low"), plan_course.length("high")) // plan_course.unit
    windows = plan_years(plan, bound)
    if len(windows) == 1:
        return windows, None
    days = (session_days(plan_course, "low"), session_days(plan_course, "high"))
    return plan_years(plan, max([0, *days[0], *days[1]])), days


def _insurance_result(
    terms: Insurance,
    current: Terms,
    renewed: Terms,
    windows: tuple[YearWindow, ...],
    sessions: tuple[Sequence[int], Sequence[int]],
    billed: tuple[Sequence[int], Sequence[int]],
    paid: tuple[Sequence[int], Sequence[int]],
    covered: bool,
    total: Pair,
    patient: Pair,
    assistance: Decimal,
) -> InsuranceResult:
    """The insurance part of an estimate, from each plan year's sessions, billed cents and
    cents the patient pays (before assistance), low case then high case."""
    out: tuple[Sequence[int], Sequence[int]] = paid
    if assistance:
        help_ = cents(assistance)
        out = (assisted(paid[0], help_), assisted(paid[1], help_))
    rows = tuple(
        PlanYear(
            window.starts,
            window.ends,
            CaseCount(sessions[0][i], sessions[1][i]),
            _cases(out[0][i], out[1][i]),
            _cases(billed[0][i] - paid[0][i], billed[1][i] - paid[1][i]),
        )
        for i, window in enumerate(windows)
    )
    return InsuranceResult(
        covered=covered,
        deductible=decimal(current.deductible),
        coinsurance=terms.coinsurance,
        copay=decimal(current.copay),
        oop_max=None if current.oop_max is None else decimal(current.oop_max),
        insurer_pays=_money(total[0] - patient[0], total[1] - patient[1]),
        annual_deductible=decimal(renewed.deductible),
        annual_oop_max=None if renewed.oop_max is None else decimal(renewed.oop_max),
        plan_year_renews=terms.plan_year_renews,
        plan_years=rows,
    )


def rank(results: list[Estimate]) -> list[Estimate]:
    """Options cheapest first in the worst case: by high out-of-pocket, then low; ties keep
    their order."""
    return sorted(results, key=lambda r: (r.out_of_pocket.high, r.out_of_pocket.low))
