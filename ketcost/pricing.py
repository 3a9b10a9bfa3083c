"""The pricing engine: a Plan and a PriceSheet in, an Estimate out. Pure: no CLI, no I/O.

The arithmetic (also in the README):
- sessions in a phase = round-half-up(duration in weeks x sessions per week), low ends together
  and high ends together, computed with exact fractions and rounded once per phase;
- a month is 52/12 weeks; `per_month` m is 12m/52 a week, `per_year` y is y/52,
  `every_weeks` n is 1/n;
- cost of a phase = sessions x price per session, low with low and high with high;
- money is quantized to cents, half up; totals are sums over phases.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from ketcost import wording
from ketcost.errors import InputError
from ketcost.models import (
    FREQUENCY_KEYS,
    Count,
    Estimate,
    Money,
    Phase,
    PhaseCost,
    Plan,
    PriceSheet,
    Protocol,
    Range,
    SheetInfo,
)

WEEKS_PER_MONTH = Fraction(52, 12)
WEEKS_PER_YEAR = Fraction(52)
CENT = Decimal("0.01")

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


def to_cents(amount: Decimal) -> Decimal:
    """Money rounded to the cent, half up: the one rounding rule for money."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


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


def duration_weeks(phase: Phase, maintenance_months: int) -> tuple[Fraction, Fraction]:
    """How long a phase lasts, in weeks; an open-ended phase lasts `maintenance_months`."""
    if phase.weeks is not None:
        return Fraction(phase.weeks.low), Fraction(phase.weeks.high)
    if phase.months is not None:
        return (
            Fraction(phase.months.low) * WEEKS_PER_MONTH,
            Fraction(phase.months.high) * WEEKS_PER_MONTH,
        )
    length = maintenance_months * WEEKS_PER_MONTH
    return length, length


def phase_sessions(phase: Phase, maintenance_months: int) -> Count:
    """How many sessions a phase holds, low and high, rounded once (half up)."""
    if phase.sessions is not None:
        return phase.sessions
    rate_low, rate_high = weekly_rate(phase)
    weeks_low, weeks_high = duration_weeks(phase, maintenance_months)
    return Range[int].of(round_half_up(weeks_low * rate_low), round_half_up(weeks_high * rate_high))


def phase_cost(sessions: Count, price: Money) -> Money:
    """Low sessions at the low price, high sessions at the high price, in cents."""
    return Range[Decimal].of(
        to_cents(sessions.low * price.low), to_cents(sessions.high * price.high)
    )


def _decimal_range(value: Count) -> Range[Decimal]:
    return Range[Decimal].of(Decimal(value.low), Decimal(value.high))


def _with_frequency(phase: Phase, **frequency: object) -> Phase:
    cleared: dict[str, object] = dict.fromkeys((*FREQUENCY_KEYS, "sessions"))
    return phase.model_copy(update={**cleared, **frequency})


def _as_range(value: int | tuple[int, int]) -> Range[Decimal]:
    low, high = value if isinstance(value, tuple) else (value, value)
    return Range[Decimal].of(Decimal(low), Decimal(high))


def scheduled_phases(plan: Plan, protocol_id: str, protocol: Protocol) -> tuple[Phase, ...]:
    """The protocol's phases with the plan's changes: first-phase schedule and maintenance."""
    first, *rest = protocol.phases
    if plan.weeks is not None:
        first = first.model_copy(update={"weeks": _decimal_range(plan.weeks), "months": None})
    if plan.per_week is not None:
        first = _with_frequency(first, per_week=_decimal_range(plan.per_week))
    if plan.sessions is not None:
        first = _with_frequency(first, sessions=plan.sessions)
    phases = [first, *rest]
    if (plan.maintenance is not None or plan.maintenance_months) and not phases[-1].open_ended:
        raise InputError(
            f"protocol {protocol_id!r} has no open-ended maintenance phase, so maintenance "
            "options do not apply to it"
        )
    if plan.maintenance is not None:
        rates = {k: _as_range(v) for k, v in _MAINTENANCE_RATES[plan.maintenance].items()}
        phases[-1] = _with_frequency(phases[-1], **rates)
    return tuple(phases)


def resolve(plan: Plan, sheet: PriceSheet) -> tuple[str, str]:
    """The route id and protocol id a plan names, or an InputError saying what is allowed."""
    protocol_id = sheet.find_protocol(plan.protocol)
    if protocol_id is None:
        raise InputError(
            f"unknown protocol {plan.protocol!r}; protocols: {', '.join(sheet.protocols) or 'none'}"
        )
    route_name = plan.route or sheet.protocols[protocol_id].route
    allowed = ", ".join(sheet.route_names())
    if route_name is None:
        raise InputError(f"protocol {protocol_id!r} names no route; give --route ({allowed})")
    route_id = sheet.find_route(route_name)
    if route_id is None:
        raise InputError(f"unknown route {route_name!r}; routes: {allowed}")
    return route_id, protocol_id


def _assumptions(
    sheet: PriceSheet, route_id: str, phases: tuple[Phase, ...], maintenance_months: int
) -> tuple[str, ...]:
    route = sheet.routes[route_id]
    lines = [
        f"Prices per session are the published range for {route.label} in "
        f'"{sheet.name}" (as of {sheet.as_of.isoformat()}); a clinic\'s own prices may differ.',
        f"Price source: {route.source}",
    ]
    if phases[-1].open_ended:
        how_often = wording.frequency(phases[-1])
        if maintenance_months == 0:
            lines.append(
                f"Maintenance ({how_often}) is not included; add --maintenance-months N "
                "to include N months of it."
            )
        else:
            months = wording.span(Range[int].of(maintenance_months))
            plural = "month" if maintenance_months == 1 else "months"
            lines.append(f"Includes {months} {plural} of maintenance ({how_often}).")
    if route.observation_minutes is not None:
        lines.append(
            f"Each session includes {wording.span(route.observation_minutes)} minutes of "
            "observation at the clinic after the dose "
            "(time to plan for, not a separate charge here)."
        )
    lines.append(
        "Session counts are rounded half up once per phase (a month is 52/12 weeks); "
        "money is rounded to the cent, half up."
    )
    lines.append("Not included: insurance, consultations, psychotherapy or other add-ons.")
    return tuple(lines)


def estimate(plan: Plan, sheet: PriceSheet) -> Estimate:
    """What the plan costs under the sheet's prices, per phase and in total, low and high."""
    route_id, protocol_id = resolve(plan, sheet)
    route, protocol = sheet.routes[route_id], sheet.protocols[protocol_id]
    phases = scheduled_phases(plan, protocol_id, protocol)
    price = Range[Decimal].of(to_cents(route.session_price.low), to_cents(route.session_price.high))
    costs: list[PhaseCost] = []
    for phase in phases:
        if phase.open_ended and plan.maintenance_months == 0:
            continue
        sessions = phase_sessions(phase, plan.maintenance_months)
        costs.append(
            PhaseCost(
                name=phase.name,
                schedule=wording.schedule(phase, plan.maintenance_months),
                sessions=sessions,
                price_per_session=price,
                cost=phase_cost(sessions, price),
            )
        )
    return Estimate(
        currency=sheet.currency,
        route=route_id,
        route_label=route.label,
        protocol=protocol_id,
        protocol_label=protocol.label,
        price_sheet=SheetInfo(name=sheet.name, as_of=sheet.as_of, source=sheet.source),
        phases=tuple(costs),
        sessions=Range[int].of(
            sum(c.sessions.low for c in costs), sum(c.sessions.high for c in costs)
        ),
        total=Range[Decimal].of(
            to_cents(sum((c.cost.low for c in costs), Decimal(0))),
            to_cents(sum((c.cost.high for c in costs), Decimal(0))),
        ),
        maintenance_months=plan.maintenance_months,
        assumptions=_assumptions(sheet, route_id, phases, plan.maintenance_months),
        disclaimer=DISCLAIMER,
    )
