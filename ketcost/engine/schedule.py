"""The course a plan schedules on a protocol: its phases, their sessions, and the day of each.

- Sessions in a phase = round-half-up(duration in weeks x sessions per week), low ends together
  and high ends together, computed exactly and rounded once per phase.
- A month is 52/12 weeks; `per_month` m is 12m/52 a week, `per_year` y is y/52, `every_weeks`
  n is 1/n.
- A protocol's phases are its induction, then its maintenance: the maintenance lasts
  `maintenance_months`, or what `months` leaves after the induction, each case on its own, its
  phases in order and the open-ended one filling the rest; a fixed one is cut at the end.

Lengths are whole units of a week (1/12 week, or finer when a sheet's phases have decimals), so
every length and count is exact in integers.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal, NamedTuple

from ketcost import wording
from ketcost.domain.money import Pair, half_up
from ketcost.domain.plan import Plan
from ketcost.domain.result import Count
from ketcost.domain.sheet import FREQUENCY_KEYS, MAX_PHASE_SESSIONS, Phase, Protocol
from ketcost.domain.values import CountRange, MoneyRange
from ketcost.errors import InputError

WEEKS_PER_MONTH = Fraction(52, 12)
WEEKS_PER_YEAR = Fraction(52)
SESSIONS_PER_WEEK_WITHOUT_LENGTH = 3  # a fixed count with no length: n/3 weeks, rounded up

Case = Literal["low", "high"]

# --maintenance: the open-ended phase's frequency, as a sheet would write it.
MAINTENANCE_RATES: dict[str, dict[str, int | tuple[int, int]]] = {
    "monthly": {"per_month": 1},
    "biweekly": {"every_weeks": 2},
    "weekly": {"per_week": 1},
    "monthly-biweekly": {"per_year": (12, 26)},
}


class Schedule(NamedTuple):
    """The plan's fields a course depends on (and nothing else: not its prices or insurance)."""

    weeks: Pair | None
    per_week: Pair | None
    sessions: Pair | None
    maintenance: str | None
    maintenance_months: int
    months: int | None

    @classmethod
    def of(cls, plan: Plan) -> Schedule:
        return cls(
            _ends(plan.weeks),
            _ends(plan.per_week),
            _ends(plan.sessions),
            None if plan.maintenance is None else str(plan.maintenance),
            plan.maintenance_length,
            plan.months,
        )

    @property
    def wants_maintenance(self) -> bool:
        return self.maintenance is not None or bool(self.maintenance_months) or bool(self.months)


def _ends(value: CountRange | None) -> Pair | None:
    return None if value is None else (value.low, value.high)


@dataclass(frozen=True, slots=True)
class Scheduled:
    """A phase as the plan schedules it: how long it lasts (in the course's units of a week)
    and how many sessions it holds in each case (a phase cut by the end of the course holds its
    sessions pro rata), with its schedule in words."""

    phase: Phase
    part: Literal["induction", "maintenance"]
    length: Pair
    sessions: Count
    whole: bool  # runs its own full length (not open-ended, not cut short)
    schedule: str

    def __hash__(self) -> int:
        # A scheduled phase is a cache key (`bill.phase_bill`): hashing its phase's fields on
        # each lookup would cost more than the lookup saves. Equal ones have equal names,
        # lengths and counts; a lookup still compares the whole value.
        return hash((self.phase.name, self.length, self.sessions.low, self.sessions.high))

    def case_sessions(self, case: Case) -> int:
        return self.sessions.low if case == "low" else self.sessions.high

    def case_length(self, case: Case) -> int:
        return self.length[0] if case == "low" else self.length[1]


@dataclass(frozen=True, slots=True)
class Course:
    """The course a plan prices: its phases, the length of each part in `unit`ths of a week,
    its sessions, and how often the protocol's maintenance happens (priced or not), in words;
    with the protocol and schedule it was made from."""

    protocol_id: str
    schedule: Schedule
    unit: int
    phases: tuple[Scheduled, ...]
    induction: Pair
    maintenance: Pair
    sessions: Count
    maintenance_frequency: str | None  # "weekly, then every 2 weeks to weekly"

    def __hash__(self) -> int:
        # Courses are cache keys (`bill`, `insurance`, `assumptions`): hashing every phase's
        # fields each time would cost more than a lookup saves. Equal courses come from equal
        # protocols and schedules; a lookup still compares the whole course.
        return hash((self.protocol_id, self.schedule))

    def length(self, case: Case) -> int:
        """The whole course in one case, in units."""
        index = 0 if case == "low" else 1
        return self.induction[index] + self.maintenance[index]

    def weeks(self, case: Case) -> Fraction:
        """The length of the whole course in one case, in weeks."""
        return Fraction(self.length(case), self.unit)

    def weeks_of(self, units: Pair) -> tuple[Fraction, Fraction]:
        return Fraction(units[0], self.unit), Fraction(units[1], self.unit)


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


class Phases(NamedTuple):
    """A protocol's phases as a plan changes them, and what follows from them alone: the unit
    of a week that makes every length whole, the induction as scheduled and its length, each
    maintenance phase with its own length (None: open-ended), how often maintenance happens
    in words."""

    unit: int
    induction: tuple[Scheduled, ...]
    induction_length: Pair
    maintenance: tuple[tuple[Phase, Pair | None], ...]
    maintenance_frequency: str | None


def adjusted_phases(schedule: Schedule, protocol_id: str, protocol: Protocol) -> Phases:
    """The protocol's phases with the plan's changes (the first phase's schedule, the
    maintenance), and what follows from them alone (`Phases`)."""
    return _adjusted(
        protocol_id, protocol, schedule.weeks, schedule.per_week, schedule.sessions,
        schedule.maintenance, schedule.wants_maintenance,
    )  # fmt: skip


@functools.lru_cache(maxsize=1024)
def _adjusted(
    protocol_id: str,
    protocol: Protocol,
    weeks: Pair | None,
    per_week: Pair | None,
    sessions: Pair | None,
    maintenance: str | None,
    wants_maintenance: bool,
) -> Phases:
    """`adjusted_phases`, cached on the schedule fields that change phases and not on the
    maintenance length, which makes most of the distinct courses: a course the course cache
    has not seen mostly has phases it has seen (measured: 464 distinct in 50,000 records,
    against 7,086 courses)."""
    first, *rest = protocol.phases
    if weeks is not None:
        first = dataclasses.replace(first, weeks=_decimals(weeks), months=None)
    if per_week is not None:
        first = _with_frequency(first, per_week=_decimals(per_week))
    if sessions is not None:
        first = _with_frequency(first, sessions=CountRange.of(*sessions))
    phases = [first, *rest]
    if wants_maintenance and phases[-1].course_part != "maintenance":
        raise InputError(
            f"protocol {protocol_id!r} has no maintenance part, so maintenance options and "
            "--months do not apply to it"
        )
    if maintenance is not None:
        if not phases[-1].open_ended:
            raise InputError(
                f"protocol {protocol_id!r} has no open-ended maintenance phase for --maintenance"
            )
        rates = MAINTENANCE_RATES[maintenance]
        phases[-1] = _with_frequency(phases[-1], **{k: _decimals(v) for k, v in rates.items()})
    shared = tuple(map(_one, phases))
    unit = _unit(shared)
    induction = []
    length = (0, 0)
    for phase in shared:
        if phase.course_part == "induction":
            own = _own_units(phase, unit) or (0, 0)
            induction.append(_scheduled(phase, own, None, unit))
            length = (length[0] + own[0], length[1] + own[1])
    later = tuple(p for p in shared if p.course_part == "maintenance")
    how_often = ", then ".join(wording.frequency(p) for p in later) or None
    return Phases(
        unit, tuple(induction), length, tuple((p, _own_units(p, unit)) for p in later), how_often
    )


@functools.lru_cache(maxsize=4096)
def _one(phase: Phase) -> Phase:
    """The first phase seen equal to `phase`: courses share their phases (kept once, however
    many courses have them; measured: about a third of the course cache's memory)."""
    return phase


def _decimals(value: int | Pair) -> MoneyRange:
    low, high = value if isinstance(value, tuple) else (value, value)
    return MoneyRange.of(Decimal(low), Decimal(high))


def _with_frequency(phase: Phase, **frequency: object) -> Phase:
    cleared: dict[str, Any] = dict.fromkeys((*FREQUENCY_KEYS, "sessions"))
    return dataclasses.replace(phase, **{**cleared, **frequency})


COURSES = 8192  # courses kept: the benchmark's 100,000 varied records have about 8,600


@functools.lru_cache(maxsize=COURSES)
def course(protocol_id: str, protocol: Protocol, schedule: Schedule) -> Course:
    """The course `schedule` makes of the protocol, each phase with its length and sessions.

    The induction runs as the protocol (and --weeks, --per-week, --sessions) says. The
    maintenance part lasts `maintenance_months`, or what `months` leaves after the induction;
    its phases run in order, the open-ended one filling what is left, a fixed one cut at the end.

    Cached (the engine's first seam): a batch asks for the same few thousand courses again and
    again, and working one out is most of an estimate's time."""
    phases = adjusted_phases(schedule, protocol_id, protocol)
    unit = phases.unit
    priced = list(phases.induction)
    induction = phases.induction_length
    month = 52 * unit // 12  # units in a month of 52/12 weeks (unit is a multiple of 12)
    if schedule.months is not None:
        whole = schedule.months * month
        if induction[1] > whole:
            weeks = (Fraction(induction[0], unit), Fraction(induction[1], unit))
            raise InputError(
                f"--months {schedule.months} is shorter than the induction "
                f"({wording.weeks_span(weeks)} weeks); give more months"
            )
        left = [whole - induction[0], whole - induction[1]]
    else:
        left = [schedule.maintenance_months * month] * 2
    start = (left[0], left[1])
    for phase, full in phases.maintenance:
        taken = (
            left[0] if full is None else min(full[0], left[0]),
            left[1] if full is None else min(full[1], left[1]),
        )
        left = [left[0] - taken[0], left[1] - taken[1]]
        if taken[1] > 0 or taken[0] > 0:
            priced.append(_scheduled(phase, taken, full, unit))
    sessions = Count(sum(s.sessions.low for s in priced), sum(s.sessions.high for s in priced))
    used = (start[0] - left[0], start[1] - left[1])
    return Course(
        protocol_id, schedule, unit, tuple(priced), induction, used, sessions,
        phases.maintenance_frequency,
    )  # fmt: skip


def _unit(phases: tuple[Phase, ...]) -> int:
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


def _own_units(phase: Phase, unit: int) -> Pair | None:
    weeks = own_weeks(phase)
    if weeks is None:
        return None
    low, high = weeks[0] * unit, weeks[1] * unit
    assert low.denominator == high.denominator == 1, "lengths are whole units by the unit"
    return int(low), int(high)


@functools.lru_cache(maxsize=4096)
def _scheduled(phase: Phase, taken: Pair, full: Pair | None, unit: int) -> Scheduled:
    """The phase over `taken` units of its `full` length (None: its own), with its sessions and
    schedule in words. Cached: courses share most of their phases (the same induction under
    many maintenance lengths), and the words cost more than the counting."""
    low = _sessions_in(phase, taken[0], None if full is None else full[0], 0, unit)
    high = _sessions_in(phase, taken[1], None if full is None else full[1], 1, unit)
    if high > MAX_PHASE_SESSIONS:
        raise InputError(
            f"phase {phase.name!r} would hold {high:,} sessions; "
            f"a phase holds at most {MAX_PHASE_SESSIONS:,}"
        )
    whole = not phase.open_ended and (full is None or taken == full)
    weeks = (Fraction(taken[0], unit), Fraction(taken[1], unit))
    text = wording.scheduled(phase, weeks, whole)
    return Scheduled(phase, phase.course_part, taken, Count(low, high), whole, text)


def _sessions_in(phase: Phase, taken: int, full: int | None, case: int, unit: int) -> int:
    """The sessions of `phase` over `taken` units of it in one case; a fixed count pro rata when
    the phase is cut short of its `full` length."""
    if phase.sessions is not None:
        count = phase.sessions.low if case == 0 else phase.sessions.high
        if full is None or taken >= full:
            return count
        return half_up(count * taken, full)
    rate = weekly_rate(phase)[case] / unit
    return half_up(taken * rate.numerator, rate.denominator)


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
            under = unit * count  # 7 x (start + k x length / count) / unit
            days.extend(7 * (start * count + (k + late) * length) // under for k in range(count))
        start += length
    return days
