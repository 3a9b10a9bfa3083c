"""The pricing engine: a Plan and a PriceSheet in, an Estimate out. Pure: no CLI, no I/O.

Result models are built with `models.build`, without validation: their values come from
validated inputs and this arithmetic, and validating them again costs more than the arithmetic.

The arithmetic (also in the README):
- sessions in a phase = round-half-up(duration in weeks x sessions per week), low ends together
  and high ends together, computed with exact fractions and rounded once per phase;
- a month is 52/12 weeks; `per_month` m is 12m/52 a week, `per_year` y is y/52,
  `every_weeks` n is 1/n;
- cost of a phase = sessions x price per session, low with low and high with high;
- money is quantized to cents, half up; totals are sums over phases;
- a protocol's phases are its induction, then its maintenance: the maintenance lasts
  maintenance_months, or what `months` leaves after the induction, each case on its own, its
  phases in order and the open-ended one filling the rest;
- insurance is applied per plan year (see `planyear`).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

from ketcost import wording
from ketcost.errors import InputError
from ketcost.models import Extra, Maintenance, Plan, Range
from ketcost.pricesheet import (
    FREQUENCY_KEYS,
    MAX_PHASE_SESSIONS,
    Phase,
    PriceSheet,
    Protocol,
    Route,
)

from .payment import ZERO, AddonCharge, after_assistance, renewed, to_cents
from .payment import installments as split_payments
from .planyear import CaseYears, YearWindow, assisted, case_years, plan_years
from .results import (
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
    build,
    count,
    money,
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


def round_half_up(value: Fraction) -> int:
    """The nearest whole number, halves rounded up (6.5 -> 7); value is never negative here."""
    return math.floor(value + Fraction(1, 2))


def phase_cost(sessions: Count, price: Money) -> Money:
    """Low sessions at the low price, high sessions at the high price, in cents."""
    return money(to_cents(sessions.low * price.low), to_cents(sessions.high * price.high))


def _decimal_range(value: Count) -> Range[Decimal]:
    return money(Decimal(value.low), Decimal(value.high))


def _with_frequency(phase: Phase, **frequency: object) -> Phase:
    cleared: dict[str, Any] = dict.fromkeys((*FREQUENCY_KEYS, "sessions"))
    return dataclasses.replace(phase, **{**cleared, **frequency})


def _as_range(value: int | tuple[int, int]) -> Range[Decimal]:
    low, high = value if isinstance(value, tuple) else (value, value)
    return money(Decimal(low), Decimal(high))


Case = Literal["low", "high"]
CASES: tuple[Case, Case] = ("low", "high")
SESSIONS_PER_WEEK_WITHOUT_LENGTH = 3  # a fixed count with no length: n/3 weeks, rounded up


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


@dataclass(frozen=True)
class Scheduled:
    """A phase as the plan schedules it: how long it lasts and how many sessions it holds in
    each case (a phase cut by the end of the course holds its sessions pro rata)."""

    phase: Phase
    part: Literal["induction", "maintenance"]
    weeks: tuple[Fraction, Fraction]
    sessions: Count
    whole: bool  # runs its own full length (not open-ended, not cut short)

    def case_weeks(self, case: Case) -> Fraction:
        return self.weeks[0] if case == "low" else self.weeks[1]

    def case_sessions(self, case: Case) -> int:
        return self.sessions.low if case == "low" else self.sessions.high


@dataclass(frozen=True)
class Course:
    """The course a plan prices: its phases, and the length of each part, low and high case."""

    phases: tuple[Scheduled, ...]
    induction_weeks: tuple[Fraction, Fraction]
    maintenance_weeks: tuple[Fraction, Fraction]
    maintenance_phases: tuple[Phase, ...]  # every maintenance phase, priced or not

    @functools.cached_property
    def description(self) -> str:
        """How long the course is and which weeks each part covers (made once per course)."""
        return _course_line(self)

    def weeks(self, case: Case) -> Fraction:
        """The length of the whole course in one case, in weeks."""
        index = 0 if case == "low" else 1
        return self.induction_weeks[index] + self.maintenance_weeks[index]


def _sessions_in(phase: Phase, weeks: Fraction, full: Fraction | None, case: Case) -> int:
    """The sessions of `phase` over `weeks` of it in one case; a fixed count pro rata when the
    phase is cut short of its `full` length."""
    if phase.sessions is not None:
        count = phase.sessions.low if case == "low" else phase.sessions.high
        if full is None or weeks >= full:
            return count
        return round_half_up(count * weeks / full)
    rate_low, rate_high = weekly_rate(phase)
    return round_half_up(weeks * (rate_low if case == "low" else rate_high))


def _scheduled(
    phase: Phase, weeks: tuple[Fraction, Fraction], full: tuple[Fraction, Fraction] | None
) -> Scheduled:
    counts = [
        _sessions_in(phase, weeks[i], None if full is None else full[i], case)
        for i, case in enumerate(CASES)
    ]
    if counts[1] > MAX_PHASE_SESSIONS:
        raise InputError(
            f"phase {phase.name!r} would hold {counts[1]:,} sessions; "
            f"a phase holds at most {MAX_PHASE_SESSIONS:,}"
        )
    whole = not phase.open_ended and (full is None or tuple(weeks) == tuple(full))
    return Scheduled(phase, phase.course_part, weeks, count(counts[0], counts[1]), whole)


class _Same:
    """A key that is its object's identity: a sheet's protocol is immutable, so a cached course
    stays right while the protocol lives, and the cache keeps it alive."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __hash__(self) -> int:
        return id(self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same) and other.value is self.value


COURSE_CACHE_SIZE = 1024  # distinct schedules kept; a batch run sees far fewer


def course(plan: Plan, protocol_id: str, protocol: Protocol) -> Course:
    """The course `plan` schedules on `protocol` (see `_course`), cached on what it depends on:
    the protocol and the plan's schedule fields, never its prices or insurance."""
    return _cached_course(
        _Same(protocol), protocol_id, plan.weeks, plan.per_week, plan.sessions,
        plan.maintenance, plan.maintenance_months, plan.months,
    )  # fmt: skip


@functools.lru_cache(maxsize=COURSE_CACHE_SIZE)
def _cached_course(
    protocol: _Same,
    protocol_id: str,
    weeks: Count | None,
    per_week: Count | None,
    sessions: Count | None,
    maintenance: Maintenance | None,
    maintenance_months: int | None,
    months: int | None,
) -> Course:
    schedule = Plan.model_construct(
        weeks=weeks, per_week=per_week, sessions=sessions, maintenance=maintenance,
        maintenance_months=maintenance_months, months=months,
    )  # fmt: skip
    assert isinstance(protocol.value, Protocol)
    return _course(schedule, protocol_id, protocol.value)


def _course(plan: Plan, protocol_id: str, protocol: Protocol) -> Course:
    """The protocol's phases with the plan's changes, each with its length and sessions.

    The induction runs as the protocol (and --weeks, --per-week, --sessions) says. The
    maintenance part lasts `maintenance_months`, or what `months` leaves after the induction;
    its phases run in order, the open-ended one filling what is left, a fixed one cut at the end.
    """
    phases = list(adjusted_phases(plan, protocol_id, protocol))
    induction = [p for p in phases if p.course_part == "induction"]
    maintenance = [p for p in phases if p.course_part == "maintenance"]
    priced = [_scheduled(p, own_weeks(p) or (Fraction(0), Fraction(0)), None) for p in induction]
    induction_weeks = (
        sum((s.weeks[0] for s in priced), Fraction(0)),
        sum((s.weeks[1] for s in priced), Fraction(0)),
    )
    if plan.months is not None:
        length = plan.months * WEEKS_PER_MONTH
        if induction_weeks[1] > length:
            raise InputError(
                f"--months {plan.months} is shorter than the induction "
                f"({wording.weeks_span(induction_weeks)} weeks); give more months"
            )
        left = [length - induction_weeks[0], length - induction_weeks[1]]
    else:
        left = [plan.maintenance_length * WEEKS_PER_MONTH] * 2
    maintenance_weeks = (left[0], left[1])
    for phase in maintenance:
        full = own_weeks(phase)
        taken = (
            left[0] if full is None else min(full[0], left[0]),
            left[1] if full is None else min(full[1], left[1]),
        )
        left = [left[0] - taken[0], left[1] - taken[1]]
        if taken[1] > 0 or taken[0] > 0:
            priced.append(_scheduled(phase, taken, full))
    used = (maintenance_weeks[0] - left[0], maintenance_weeks[1] - left[1])
    return Course(tuple(priced), induction_weeks, used, tuple(maintenance))


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
    wants_maintenance = (
        plan.maintenance is not None or plan.maintenance_length or plan.months is not None
    )
    if wants_maintenance and phases[-1].course_part != "maintenance":
        raise InputError(
            f"protocol {protocol_id!r} has no maintenance part, so maintenance options and "
            "--months do not apply to it"
        )
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
    start = Fraction(0)
    for item in plan_course.phases:
        count, length = item.case_sessions(case), item.case_weeks(case)
        late = 1 if item.phase.starts_one_interval_after else 0
        for k in range(count):
            yield start + (k + late) * length / count
        start += length


def session_days(plan_course: Course, case: Case) -> list[int]:
    """The day of each session, from 0 (the first session's day): floor(7 x its week), as
    `session_weeks` places them, in whole-number arithmetic (it runs for every long course)."""
    days: list[int] = []
    start = Fraction(0)
    for item in plan_course.phases:
        count, length = item.case_sessions(case), item.case_weeks(case)
        late = 1 if item.phase.starts_one_interval_after else 0
        if count:
            # 7 x (start + k x length / count) = (7 x (c·b·n + k·a·d)) / (d·b·n)
            a, b, c, d = length.numerator, length.denominator, start.numerator, start.denominator
            base, step, under = 7 * c * b * count, 7 * a * d, d * b * count
            days.extend((base + (k + late) * step) // under for k in range(count))
        start += length
    return days


def resolve(plan: Plan, sheet: PriceSheet) -> tuple[str, str]:
    """The route id and protocol id a plan names, or an InputError saying what is allowed.

    Without --protocol, the route's own default protocol (the sheet's `default_protocol`), else
    `standard`."""
    route_names = ", ".join(sheet.route_names())
    protocol_id = None
    if plan.protocol is not None:
        protocol_id = sheet.find_protocol(plan.protocol)
        if protocol_id is None:
            raise InputError(
                f"unknown protocol {plan.protocol!r}{_suggest(plan.protocol, sheet.protocols)}; "
                f"protocols: {', '.join(sheet.protocols) or 'none'}"
            )
    route_name = plan.route or (protocol_id and sheet.protocols[protocol_id].route)
    if route_name is None:
        raise InputError(f"give --route: which route to price ({route_names})")
    route_id = sheet.find_route(route_name)
    if route_id is None:
        suggestion = _suggest(route_name, sheet.route_names())
        raise InputError(f"unknown route {route_name!r}{suggestion}; routes: {route_names}")
    if protocol_id is None:
        protocol_id = sheet.routes[route_id].default_protocol or sheet.find_protocol("standard")
        if protocol_id is None:
            raise InputError(
                f"route {route_id!r} has no default protocol in this sheet; give --protocol "
                f"({', '.join(sheet.protocols) or 'none in this sheet'})"
            )
    return route_id, protocol_id


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


def resolve_addons(plan: Plan, sheet: PriceSheet, route_id: str) -> tuple[tuple[Extra, bool], ...]:
    """The sheet add-ons the plan asks for (`with`, each once however often it is named), then
    its own extras, each with whether insurance may cover it (sheet add-ons when eligible with
    the route; extras never). Unknown names are errors."""
    chosen: dict[str, tuple[Extra, bool]] = {}
    for name in plan.with_:
        addon_id = sheet.find_addon(name)
        if addon_id is None:
            allowed = ", ".join(sheet.addons) or "none in this sheet"
            suggestion = _suggest(name, sheet.addons)
            raise InputError(f"unknown add-on {name!r}{suggestion}; add-ons: {allowed}")
        addon = sheet.addons[addon_id]
        extra = Extra.model_construct(label=addon.label, price=addon.price, per=addon.per)
        chosen.setdefault(addon_id, (extra, addon.eligible_with(route_id)))
    return (*chosen.values(), *((extra, False) for extra in plan.extra))


def addon_charges(extras: tuple[tuple[Extra, bool], ...], case: str) -> list[AddonCharge]:
    """The add-ons' prices for one case ("low" or "high"), in cents."""
    return [
        AddonCharge(to_cents(getattr(extra.price, case)), extra.per, eligible)
        for extra, eligible in extras
    ]


def session_fee(price: Money, discount: Decimal) -> Money:
    """A session's fee after the discount (a percentage), in cents."""
    keep = (100 - discount) / 100
    return _money(price.low * keep, price.high * keep)


def _money(low: Decimal, high: Decimal) -> Money:
    return money(to_cents(low), to_cents(high))


def _cases(low: Decimal, high: Decimal) -> Cases:
    """Low-case and high-case money in cents, for line items (a discount's are negative).

    One change from the engine this was: a discount over zero sessions was written "-0.00";
    adding zero makes it "0.00", as the integer engine writes it."""
    return build(Cases, low=to_cents(low) + ZERO, high=to_cents(high) + ZERO)


def _installments(out_of_pocket: Money, count: int | None) -> Installments | None:
    if count is None:
        return None
    low, last_low = split_payments(out_of_pocket.low, count)
    high, last_high = split_payments(out_of_pocket.high, count)
    return build(
        Installments,
        count=count,
        payment=_money(low, high),
        last_payment=_money(last_low, last_high),
    )


def _course_line(plan_course: Course) -> str:
    """How long the course is in weeks and months, and which weeks each part covers."""
    low, high = plan_course.weeks("low"), plan_course.weeks("high")
    months = (low / WEEKS_PER_MONTH, high / WEEKS_PER_MONTH)
    induction = plan_course.induction_weeks
    maintenance = plan_course.maintenance_weeks
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


def _maintenance_line(plan: Plan, plan_course: Course) -> str | None:
    phases = plan_course.maintenance_phases
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
    after = renewed(terms)
    cap = "no cap" if after.oop_max is None else wording.money(after.oop_max, sheet.currency)
    given = terms.annual_deductible is not None or terms.annual_oop_max is not None
    lines.append(
        f"After each renewal the deductible is {wording.money(after.deductible, sheet.currency)} "
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


def _assumptions(
    sheet: PriceSheet, route_id: str, plan_course: Course, plan: Plan, covered: bool, years: int
) -> tuple[str, ...]:
    route = sheet.routes[route_id]
    lines = [
        f"Prices per session are the published range for {route.label} in "
        f'"{sheet.name}" (as of {sheet.as_of.isoformat()}); a clinic\'s own prices may differ.',
        f"Price source: {route.source}",
        plan_course.description,
    ]
    maintenance = _maintenance_line(plan, plan_course)
    if maintenance:
        lines.append(maintenance)
    if route.observation_minutes is not None:
        lines.append(
            f"Each session includes at least {wording.span(route.observation_minutes)} minutes "
            "of observation at the clinic after the dose, until the clinician judges the "
            "patient ready to leave (time to plan for, not a separate charge here)."
        )
    lines.append(
        "Session counts are rounded half up once per phase (a month is 52/12 weeks); "
        "money is rounded to the cent, half up."
    )
    if plan.discount:
        lines.append(
            f"A {wording.number(plan.discount)}% discount applies to treatment-session fees, "
            "not to add-ons, before insurance."
        )
    if plan.insurance is not None:
        lines.extend(_insurance_lines(sheet, plan, route, covered, years))
    if plan.assistance:
        lines.append(
            f"Financial assistance of {wording.money(to_cents(plan.assistance), sheet.currency)} "
            "reduces what you pay, never below zero."
        )
    missing = [
        *(["insurance"] if plan.insurance is None else []),
        *([] if plan.with_ or plan.extra else ["consultations, psychotherapy or other add-ons"]),
    ]
    if missing:
        lines.append(f"Not included: {', '.join(missing)}.")
    return tuple(lines)


# --- the estimate ------------------------------------------------------------------------------


def estimate(plan: Plan, sheet: PriceSheet) -> Estimate:
    """What the plan costs under the sheet's prices and what the patient pays, low and high."""
    route_id, protocol_id = resolve(plan, sheet)
    route, protocol = sheet.routes[route_id], sheet.protocols[protocol_id]
    plan_course = course(plan, protocol_id, protocol)
    extras = resolve_addons(plan, sheet, route_id)
    price = _money(route.session_price.low, route.session_price.high)
    costs = [
        build(
            PhaseCost,
            name=item.phase.name,
            part=item.part,
            schedule=wording.scheduled(item.phase, item.weeks, item.whole),
            sessions=item.sessions,
            price_per_session=price,
            cost=phase_cost(item.sessions, price),
        )
        for item in plan_course.phases
    ]
    total_sessions = count(sum(c.sessions.low for c in costs), sum(c.sessions.high for c in costs))
    items = [
        build(
            LineItem,
            label=c.name,
            kind="session",
            quantity=c.sessions,
            unit_price=_cases(c.price_per_session.low, c.price_per_session.high),
            amount=_cases(c.cost.low, c.cost.high),
        )
        for c in costs
    ]
    for extra, _ in extras:
        quantity = total_sessions if extra.per == "session" else count(1)
        unit = _money(extra.price.low, extra.price.high)
        items.append(
            build(
                LineItem,
                label=extra.label,
                kind="addon",
                quantity=quantity,
                unit_price=_cases(unit.low, unit.high),
                amount=_cases(quantity.low * unit.low, quantity.high * unit.high),
            )
        )
    fee = session_fee(price, plan.discount)
    if plan.discount:
        off_low, off_high = fee.low - price.low, fee.high - price.high
        items.append(
            build(
                LineItem,
                label=f"discount {wording.number(plan.discount)}% on session fees",
                kind="discount",
                quantity=total_sessions,
                unit_price=_cases(off_low, off_high),
                amount=_cases(total_sessions.low * off_low, total_sessions.high * off_high),
            )
        )
    total = _money(
        sum((i.amount.low for i in items), Decimal(0)),
        sum((i.amount.high for i in items), Decimal(0)),
    )
    covered = plan.insurance is not None and (
        route.insurance_eligible if plan.insurance.covered is None else plan.insurance.covered
    )
    insurance = None
    if plan.insurance is None:  # no insurance: the patient pays every charge
        patient = total
    else:
        windows, days = course_years(plan, plan_course)
        years = {
            case: case_years(
                plan, days[case], windows, getattr(fee, case), covered,
                addon_charges(extras, case),
            )
            for case in CASES
        }  # fmt: skip
        patient = _money(sum(years["low"].patient, ZERO), sum(years["high"].patient, ZERO))
        insurance = _insurance_result(plan, windows, years, covered, total, patient)
    out_of_pocket = _money(
        after_assistance(patient.low, plan.assistance),
        after_assistance(patient.high, plan.assistance),
    )
    return build(
        Estimate,
        schema_version=1,
        currency=sheet.currency,
        route=route_id,
        route_label=route.label,
        protocol=protocol_id,
        protocol_label=protocol.label,
        price_sheet=build(SheetInfo, name=sheet.name, as_of=sheet.as_of, source=sheet.source),
        phases=tuple(costs),
        sessions=total_sessions,
        line_items=tuple(items),
        total=total,
        insurance=insurance,
        assistance=_money(patient.low - out_of_pocket.low, patient.high - out_of_pocket.high),
        out_of_pocket=out_of_pocket,
        installments=_installments(out_of_pocket, plan.installments),
        maintenance_months=plan.maintenance_length,
        months=plan.months,
        start=plan.start,
        assumptions=_assumptions(
            sheet,
            route_id,
            plan_course,
            plan,
            covered,
            len(insurance.plan_years) if insurance else 1,
        ),
        disclaimer=DISCLAIMER,
    )


def course_years(plan: Plan, plan_course: Course) -> tuple[list[YearWindow], dict[Case, list[int]]]:
    """The plan years a course's sessions fall in, and each session's day for the placing.

    A course that cannot reach a second plan year (the usual case) has every session in the
    first, and placing them is skipped: its days are given as 0."""
    bound = math.floor(7 * max(plan_course.weeks("low"), plan_course.weeks("high")))
    windows = plan_years(plan, bound)
    if len(windows) == 1:
        counts = {case: sum(i.case_sessions(case) for i in plan_course.phases) for case in CASES}
        return windows, {case: [0] * counts[case] for case in CASES}
    days = {case: session_days(plan_course, case) for case in CASES}
    return plan_years(plan, max([0, *days["low"], *days["high"]])), days


def _insurance_result(
    plan: Plan,
    windows: list[YearWindow],
    years: dict[Case, CaseYears],
    covered: bool,
    total: Money,
    patient: Money,
) -> InsuranceResult:
    terms = plan.insurance
    assert terms is not None
    after = renewed(terms)
    paid = {case: assisted(years[case].patient, plan.assistance) for case in CASES}
    rows = [
        build(
            PlanYear,
            starts=window.starts,
            ends=window.ends,
            sessions=build(CaseCount, low=years["low"].sessions[i], high=years["high"].sessions[i]),
            out_of_pocket=_cases(paid["low"][i], paid["high"][i]),
            insurer_pays=_cases(
                years["low"].billed[i] - years["low"].patient[i],
                years["high"].billed[i] - years["high"].patient[i],
            ),
        )
        for i, window in enumerate(windows)
    ]
    return build(
        InsuranceResult,
        covered=covered,
        deductible=to_cents(terms.deductible),
        coinsurance=terms.coinsurance,
        copay=to_cents(terms.copay),
        oop_max=None if terms.oop_max is None else to_cents(terms.oop_max),
        insurer_pays=_money(total.low - patient.low, total.high - patient.high),
        annual_deductible=to_cents(after.deductible),
        annual_oop_max=None if after.oop_max is None else to_cents(after.oop_max),
        plan_year_renews=terms.plan_year_renews,
        plan_years=tuple(rows),
    )


def rank(results: list[Estimate]) -> list[Estimate]:
    """Options cheapest first in the worst case: by high out-of-pocket, then low; ties keep
    their order."""
    return sorted(results, key=lambda r: (r.out_of_pocket.high, r.out_of_pocket.low))
