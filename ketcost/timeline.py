"""Cost over time: when each session happens and what each month costs. Pure: no CLI, no I/O.

Sessions happen in order, phase after phase. Within a phase of W weeks and n sessions, session k
(from 0) falls at week k*W/n from the phase start. Month m (from 0) covers weeks
[m*52/12, (m+1)*52/12). An open-ended phase lasts the plan's maintenance months; a phase with a
fixed session count and no length lasts n/3 weeks, rounded up. Course add-ons fall in the first
month; a session's add-ons in its month. Insurance is applied charge by charge in that order, and
assistance to the earliest months first, so the months add up exactly to the estimate.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from pydantic import BaseModel, ConfigDict

from ketcost.models import Cases, Count, Estimate, Money, Phase, Plan, PriceSheet
from ketcost.payment import (
    ZERO,
    AddonCharge,
    Charge,
    after_assistance,
    charges,
    patient_parts,
    to_cents,
)
from ketcost.pricing import (
    WEEKS_PER_MONTH,
    addon_charges,
    duration_weeks,
    phase_sessions,
    resolve,
    resolve_addons,
    scheduled_phases,
    session_fee,
)

Case = Literal["low", "high"]
SESSIONS_PER_WEEK_WITHOUT_LENGTH = 3


class SessionCases(BaseModel):
    """Sessions in the low case and the high case."""

    model_config = ConfigDict(frozen=True)

    low: int
    high: int


class Month(BaseModel):
    """One month of the course: sessions, what is billed and what the patient pays, low and high
    case (each case on its own, so a month's low may be above its high)."""

    model_config = ConfigDict(frozen=True)

    month: int
    sessions: SessionCases
    cost: Cases
    out_of_pocket: Cases
    cumulative_out_of_pocket: Cases


class Timeline(BaseModel):
    """The estimate month by month."""

    model_config = ConfigDict(frozen=True)

    months: tuple[Month, ...]
    estimate: Estimate


def phase_weeks(phase: Phase, sessions: int, maintenance_months: int, case: Case) -> Fraction:
    """How long a phase lasts in one case, in weeks."""
    if phase.sessions is not None and phase.weeks is None and phase.months is None:
        return Fraction(math.ceil(Fraction(sessions, SESSIONS_PER_WEEK_WITHOUT_LENGTH)))
    low, high = duration_weeks(phase, maintenance_months)
    return low if case == "low" else high


def course_phases(plan: Plan, sheet: PriceSheet) -> tuple[tuple[Phase, Count], ...]:
    """The phases the estimate prices, each with its session count."""
    _, protocol_id = resolve(plan, sheet)
    return tuple(
        (phase, phase_sessions(phase, plan.maintenance_months))
        for phase in scheduled_phases(plan, protocol_id, sheet.protocols[protocol_id])
        if not (phase.open_ended and plan.maintenance_months == 0)
    )


def session_weeks(
    phases: tuple[tuple[Phase, Count], ...], maintenance_months: int, case: Case
) -> Iterator[Fraction]:
    """The week, from the start of the course, at which each session happens, in order."""
    start = Fraction(0)
    for phase, count in phases:
        sessions = count.low if case == "low" else count.high
        length = phase_weeks(phase, sessions, maintenance_months, case)
        for k in range(sessions):
            yield start + k * length / sessions
        start += length


def _month_of(week: Fraction) -> int:
    return math.floor(week / WEEKS_PER_MONTH)


def _case_months(
    plan: Plan, sheet: PriceSheet, result: Estimate, case: Case
) -> tuple[list[int], list[Decimal], list[Decimal]]:
    """For one case: sessions, billed and paid by the patient in each month (from 0), over
    every month the course spans, the month its last phase ends included."""
    phases = course_phases(plan, sheet)
    weeks = list(session_weeks(phases, plan.maintenance_months, case))
    session_month = [_month_of(w) for w in weeks]
    route_id, _ = resolve(plan, sheet)
    price = sheet.routes[route_id].session_price
    fee = getattr(session_fee(Money.of(price.low, price.high), plan.discount), case)
    covered = result.insurance.covered if result.insurance is not None else False
    addons = addon_charges(resolve_addons(plan, sheet), case)
    billed = list(charges(len(weeks), fee, covered, addons))
    month_of_charge = _charge_months(session_month, addons, billed)
    length = sum(
        (
            phase_weeks(phase, getattr(count, case), plan.maintenance_months, case)
            for phase, count in phases
        ),
        Fraction(0),
    )
    size = max(*session_month, 0, math.ceil(length / WEEKS_PER_MONTH) - 1) + 1
    sessions, cost, paid = [0] * size, [Decimal(0)] * size, [Decimal(0)] * size
    for month in session_month:
        sessions[month] += 1
    for charge, part, month in zip(
        billed, patient_parts(billed, plan.insurance), month_of_charge, strict=True
    ):
        cost[month] += charge.amount
        paid[month] += part
    return sessions, cost, paid


def _charge_months(
    session_month: list[int], addons: list[AddonCharge], billed: list[Charge]
) -> list[int]:
    """The month of each charge, in the order `charges` yields them."""
    course = sum(1 for a in addons if a.per == "course")
    per_session = sum(1 for a in addons if a.per == "session")
    months = [0] * course
    for month in session_month:
        months.extend([month] * (1 + per_session))
    assert len(months) == len(billed)
    return months


def _assist(paid: list[Decimal], assistance: Decimal) -> list[Decimal]:
    """Assistance taken off the earliest months first."""
    left = assistance
    after = []
    for amount in paid:
        used = min(left, amount)
        left -= used
        after.append(after_assistance(amount, used))
    return after


def timeline(plan: Plan, sheet: PriceSheet, result: Estimate) -> Timeline:
    """The estimate `result` of `plan` under `sheet`, month by month."""
    low = _case_months(plan, sheet, result, "low")
    high = _case_months(plan, sheet, result, "high")
    size = max(len(low[0]), len(high[0]))

    def padded(values: list[Decimal]) -> list[Decimal]:
        return [to_cents(v) for v in values] + [ZERO] * (size - len(values))

    sessions = (low[0] + [0] * (size - len(low[0])), high[0] + [0] * (size - len(high[0])))
    cost = (padded(low[1]), padded(high[1]))
    paid = (_assist(padded(low[2]), plan.assistance), _assist(padded(high[2]), plan.assistance))
    months = []
    running = [ZERO, ZERO]
    for m in range(size):
        running = [running[0] + paid[0][m], running[1] + paid[1][m]]
        months.append(
            Month(
                month=m + 1,
                sessions=SessionCases(low=sessions[0][m], high=sessions[1][m]),
                cost=Cases(low=cost[0][m], high=cost[1][m]),
                out_of_pocket=Cases(low=paid[0][m], high=paid[1][m]),
                cumulative_out_of_pocket=Cases(low=running[0], high=running[1]),
            )
        )
    return Timeline(months=tuple(months), estimate=result)
