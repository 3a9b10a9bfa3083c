"""Cost over time: when each session happens and what each month costs. Pure: no CLI, no I/O.

Sessions are placed as the engine places them (`pricing.session_weeks`): phase after phase,
session k of a phase of n sessions lasting W weeks at week k*W/n of it. Month m (from 0) covers
weeks [m*52/12, (m+1)*52/12), or is the m-th calendar month from the start date when the plan has
one. Course add-ons fall in the first month; a session's medication and add-ons in its month.
Insurance is applied charge by charge in that order, starting again at each plan-year renewal, and
assistance to the earliest months first, so the months add up exactly to the estimate.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from fractions import Fraction

from pydantic import BaseModel, ConfigDict

from ketcost.domain.money import cents, decimal
from ketcost.domain.plan import Plan
from ketcost.domain.result import Cases, Estimate
from ketcost.domain.sheet import PriceSheet
from ketcost.engine.bill import bill, dosing, package_price, plan_addons, route_price
from ketcost.engine.charges import Charge
from ketcost.engine.estimate import (
    authorized_counts,
    course_of,
    insurance_charges,
    resolve,
    savings_program,
)
from ketcost.engine.insurance import Program, Terms, assisted, patient_parts
from ketcost.engine.planyears import course_years, year_of_day
from ketcost.engine.schedule import WEEKS_PER_MONTH, Case, Course, session_days, session_weeks


class SessionCases(BaseModel):
    """Sessions in the low case and the high case."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    low: int
    high: int


class Month(BaseModel):
    """One month of the course: sessions, what is billed and what the patient pays, low and high
    case (each case on its own, so a month's low may be above its high)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    month: int
    calendar_month: str | None = None  # `2026-12` when the plan has a start date
    sessions: SessionCases
    cost: Cases
    out_of_pocket: Cases
    cumulative_out_of_pocket: Cases


class Timeline(BaseModel):
    """The estimate month by month."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    months: tuple[Month, ...]
    estimate: Estimate


def _month_of(week: Fraction) -> int:
    return math.floor(week / WEEKS_PER_MONTH)


def _calendar_month(start: date, day: int) -> int:
    when = start + timedelta(days=day)
    return (when.year - start.year) * 12 + when.month - start.month


def _case_months(
    plan: Plan, sheet: PriceSheet, result: Estimate, case: Case
) -> tuple[list[int], list[int], list[int]]:
    """For one case: sessions, billed and paid by the patient in each month (from 0), over
    every month the course spans, the month its last phase ends included. Months are 52/12
    weeks from the first session, or calendar months when the plan has a start date."""
    route_id, _ = resolve(plan, sheet)
    plan_course = course_of(plan, sheet)
    weeks = list(session_weeks(plan_course, case))
    days = session_days(plan_course, case)
    length = plan_course.weeks(case)
    if plan.start is None:
        session_month = [_month_of(w) for w in weeks]
        last = math.ceil(length / WEEKS_PER_MONTH) - 1
    else:
        session_month = [_calendar_month(plan.start, d) for d in days]
        last = _calendar_month(plan.start, max(math.ceil(7 * length) - 1, 0))
    index = 0 if case == "low" else 1
    route = sheet.routes[route_id]
    covered = result.insurance.covered if result.insurance is not None else False
    addons = plan_addons(plan, sheet, route_id, result.protocol)
    package = package_price(route, plan.package)
    medication = dosing(route, plan)
    course_bill = bill(plan_course, route_price(route), addons, plan.discount, medication, package)
    charged = insurance_charges(course_bill, index, addons, covered, plan.insurance)
    ordered = list(charged.in_order(len(weeks)))
    authorized = authorized_counts(plan, plan_course, covered)[index]
    if authorized is not None:  # sessions after the authorized months are not covered
        ordered = [
            (n, charge._replace(covered=False) if n >= authorized else charge)
            for n, charge in ordered
        ]
    size = max(*session_month, 0, last) + 1
    sessions, cost, paid = [0] * size, [0] * size, [0] * size
    for month in session_month:
        sessions[month] += 1
    program = savings_program(plan.insurance, route) if plan.insurance else None
    parts = _patient_parts(plan, plan_course, days, ordered, program)
    for (session, charge), part in zip(ordered, parts, strict=True):
        cost[session_month[session]] += charge.amount
        paid[session_month[session]] += part
    return sessions, cost, paid


def _patient_parts(
    plan: Plan,
    plan_course: Course,
    days: list[int],
    ordered: list[tuple[int, Charge]],
    program: Program | None,
) -> list[int]:
    """What the patient pays of each charge, the deductible and cap starting again at each
    plan-year renewal, as the estimate counts them."""
    if plan.insurance is None:
        return [charge.amount for _, charge in ordered]
    windows = course_years(plan_course, plan.start, plan.insurance.renews)
    years = [year_of_day(windows, days[session]) for session, _ in ordered]
    parts: list[int] = []
    for year in range(len(windows)):
        terms = Terms.of(plan.insurance) if year == 0 else Terms.renewed(plan.insurance)
        group = [charge for (_, charge), y in zip(ordered, years, strict=True) if y == year]
        parts.extend(patient_parts(group, terms, program))
    return parts


def _label(start: date | None, month: int) -> str | None:
    if start is None:
        return None
    index = start.month - 1 + month
    return f"{start.year + index // 12:04d}-{index % 12 + 1:02d}"


def timeline(plan: Plan, sheet: PriceSheet, result: Estimate) -> Timeline:
    """The estimate `result` of `plan` under `sheet`, month by month."""
    low = _case_months(plan, sheet, result, "low")
    high = _case_months(plan, sheet, result, "high")
    size = max(len(low[0]), len(high[0]))

    def padded(values: list[int]) -> list[int]:
        return values + [0] * (size - len(values))

    help_ = cents(plan.assistance)
    sessions = (padded(low[0]), padded(high[0]))
    cost = (padded(low[1]), padded(high[1]))
    paid = (assisted(padded(low[2]), help_), assisted(padded(high[2]), help_))
    months = []
    running = [0, 0]
    for m in range(size):
        running = [running[0] + paid[0][m], running[1] + paid[1][m]]
        months.append(
            Month(
                month=m + 1,
                calendar_month=_label(plan.start, m),
                sessions=SessionCases(low=sessions[0][m], high=sessions[1][m]),
                cost=Cases(decimal(cost[0][m]), decimal(cost[1][m])),
                out_of_pocket=Cases(decimal(paid[0][m]), decimal(paid[1][m])),
                cumulative_out_of_pocket=Cases(decimal(running[0]), decimal(running[1])),
            )
        )
    while len(months) > 1 and _empty(months[-1]):  # nothing happens or is paid at the end
        months.pop()
    return Timeline(months=tuple(months), estimate=result)


def _empty(month: Month) -> bool:
    return (
        month.sessions.low == month.sessions.high == 0
        and month.cost.low == month.cost.high == 0
        and month.out_of_pocket.low == month.out_of_pocket.high == 0
    )
