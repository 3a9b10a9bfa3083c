"""estimate(plan, sheet): resolve the names, then schedule -> bill -> insurance -> assumptions,
each once."""

from __future__ import annotations

import functools
from datetime import date
from fractions import Fraction

from ketcost import wording
from ketcost.domain.money import Pair, after_assistance, cents, decimal, hundredths, installments
from ketcost.domain.plan import Insurance, Plan
from ketcost.domain.result import (
    CaseCount,
    Estimate,
    Installments,
    InsuranceResult,
    Money,
    PlanYear,
    SheetInfo,
)
from ketcost.domain.sheet import PriceSheet
from ketcost.engine import insurance as cover
from ketcost.engine.assumptions import assumptions
from ketcost.engine.bill import (
    Addon,
    Bill,
    bill,
    cases,
    dosing,
    money,
    plan_addons,
    route_price,
    suggest,
)
from ketcost.engine.charges import Allowed
from ketcost.engine.schedule import (
    Course,
    Schedule,
    adjusted_phases,
    course,
    own_weeks,
    weekly_rate,
)
from ketcost.errors import InputError

DISCLAIMER = (
    "This is an estimate, not a bill, a quote from a clinic, or medical advice. "
    "Ketamine treatment happens only under licensed medical supervision."
)
NOTHING = Money(decimal(0), decimal(0))


@functools.lru_cache(maxsize=64)
def sheet_info(name: str, as_of: date, source: str) -> SheetInfo:
    """Which sheet an estimate used; made once per sheet, since every estimate has one."""
    return SheetInfo(name, as_of, source)


def resolve(plan: Plan, sheet: PriceSheet) -> tuple[str, str]:
    """The route id and protocol id a plan names, or an InputError saying what is allowed.

    Without --protocol, the route's own default protocol (the sheet's `default_protocol`), else
    `standard`."""
    protocol_id = None
    if plan.protocol is not None:
        protocol_id = sheet.find_protocol(plan.protocol)
        if protocol_id is None:
            raise InputError(
                f"unknown protocol {plan.protocol!r}{suggest(plan.protocol, sheet.protocols)}; "
                f"protocols: {', '.join(sheet.protocols) or 'none'}"
            )
    route_name = plan.route or (protocol_id and sheet.protocols[protocol_id].route)
    if route_name is None:
        raise InputError(f"give --route: which route to price ({', '.join(sheet.route_names())})")
    route_id = sheet.find_route(route_name)
    if route_id is None and route_name.strip().casefold() == "ketamine":
        # the nearest name is `esketamine`, a different medicine: say what a route is instead
        ways = ", ".join(f"{rid} ({route.label})" for rid, route in sheet.routes.items())
        raise InputError(
            f"'ketamine' is the medicine, not a route: give how it is given: {ways}; "
            "esketamine (Spravato) is a different medicine"
        )
    if route_id is None:
        names = sheet.route_names()
        raise InputError(
            f"unknown route {route_name!r}{suggest(route_name, names)}; routes: {', '.join(names)}"
        )
    if protocol_id is None:
        protocol_id = sheet.routes[route_id].default_protocol or sheet.find_protocol("standard")
        if protocol_id is None:
            raise InputError(
                f"route {route_id!r} has no default protocol in this sheet; give --protocol "
                f"({', '.join(sheet.protocols) or 'none in this sheet'})"
            )
    return route_id, protocol_id


def course_of(plan: Plan, sheet: PriceSheet) -> Course:
    """The course the plan schedules on the protocol it names."""
    _, protocol_id = resolve(plan, sheet)
    return course(protocol_id, sheet.protocols[protocol_id], Schedule.of(plan))


def estimate(plan: Plan, sheet: PriceSheet) -> Estimate:
    """What the plan costs under the sheet's prices and what the patient pays, low and high."""
    route_id, protocol_id = resolve(plan, sheet)
    route, protocol = sheet.routes[route_id], sheet.protocols[protocol_id]
    plan_course = course(protocol_id, protocol, Schedule.of(plan))
    addons = plan_addons(plan, sheet, route_id)
    billed = bill(plan_course, route_price(route), addons, plan.discount, dosing(route, plan))
    total_low, total_high = billed.total
    terms = plan.insurance
    covered = terms is not None and (
        route.insurance_eligible if terms.covered is None else terms.covered
    )
    insured = None
    patient = billed.total
    if terms is not None:
        insured, patient = _insurance(plan, plan_course, billed, addons, covered)
    assistance = cents(plan.assistance)
    out = after_assistance(patient[0], assistance), after_assistance(patient[1], assistance)
    total = money(total_low, total_high)
    return Estimate(
        currency=sheet.currency,
        route=route_id,
        route_label=route.label,
        protocol=protocol_id,
        protocol_label=protocol.label,
        price_sheet=sheet_info(sheet.name, sheet.as_of, sheet.source),
        phases=billed.phases,
        sessions=plan_course.sessions,
        line_items=billed.items,
        total=total,
        insurance=insured,
        assistance=money(patient[0] - out[0], patient[1] - out[1]) if assistance else NOTHING,
        out_of_pocket=total if out == billed.total else money(*out),
        installments=_installments(out, plan.installments),
        maintenance_months=plan.maintenance_length,
        months=plan.months,
        start=plan.start,
        assumptions=assumptions(
            sheet, route, plan_course, plan, covered, len(insured.plan_years) if insured else 1
        ),
        disclaimer=DISCLAIMER,
    )


def _insurance(
    plan: Plan, plan_course: Course, billed: Bill, addons: tuple[Addon, ...], covered: bool
) -> tuple[InsuranceResult, Pair]:
    """The insurance part of an estimate and what the patient pays before assistance."""
    terms = plan.insurance
    assert terms is not None
    split = cover.year_split(plan_course, plan.start, terms.renews)
    current, renewed = cover.terms(terms)
    rule = allowed_rule(terms)
    charged = [billed.case_charges(case, addons, covered, rule) for case in (0, 1)]
    counts = (split.low, split.high)
    years = [cover.case_years(counts[case], charged[case], current, renewed) for case in (0, 1)]
    paid = (years[0].patient, years[1].patient)
    spent = (years[0].billed, years[1].billed)
    off = [
        [0 if terms.out_of_network else charged[case].written_off(n, i == 0)
         for i, n in enumerate(counts[case])]
        for case in (0, 1)
    ]  # fmt: skip
    patient = (sum(paid[0]), sum(paid[1]))
    out = paid
    if plan.assistance:
        help_ = cents(plan.assistance)
        out = (cover.assisted(paid[0], help_), cover.assisted(paid[1], help_))
    rows = tuple(
        PlanYear(
            window.starts,
            window.ends,
            CaseCount(split.low[i], split.high[i]),
            cases(out[0][i], out[1][i]),
            cases(spent[0][i] - paid[0][i] - off[0][i], spent[1][i] - paid[1][i] - off[1][i]),
        )
        for i, window in enumerate(split.windows)
    )
    written_off = (sum(off[0]), sum(off[1]))
    result = InsuranceResult(
        covered=covered,
        deductible=decimal(current.medical.deductible),
        coinsurance=terms.coinsurance,
        copay=decimal(current.medical.copay),
        oop_max=None if current.oop_max is None else decimal(current.oop_max),
        insurer_pays=money(
            billed.total[0] - patient[0] - written_off[0],
            billed.total[1] - patient[1] - written_off[1],
        ),
        annual_deductible=decimal(renewed.medical.deductible),
        annual_oop_max=None if renewed.oop_max is None else decimal(renewed.oop_max),
        plan_year_renews=terms.renews,
        plan_years=rows,
        allowed=money(billed.total[0] - written_off[0], billed.total[1] - written_off[1])
        if terms.allowed is not None or terms.allowed_percent is not None
        else None,
        provider_writeoff=money(*written_off),
        out_of_network=terms.out_of_network,
    )
    return result, patient


def allowed_rule(terms: Insurance) -> Allowed:
    """The plan's allowed-amount rule in cents (or hundredths of a percent)."""
    if terms.allowed is not None:
        return Allowed(per_session=cents(terms.allowed))
    if terms.allowed_percent is not None:
        return Allowed(share=hundredths(terms.allowed_percent))
    return Allowed()


def _installments(out: Pair, count: int | None) -> Installments | None:
    if count is None:
        return None
    each_low, last_low = installments(out[0], count)
    each_high, last_high = installments(out[1], count)
    return Installments(count, money(each_low, each_high), money(last_low, last_high))


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
        for phase in adjusted_phases(Schedule.of(plan), protocol_id, protocol):
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


def rank(results: list[Estimate]) -> list[Estimate]:
    """Options cheapest first in the worst case: by high out-of-pocket, then low; ties keep
    their order."""
    return sorted(results, key=lambda r: (r.out_of_pocket.high, r.out_of_pocket.low))
