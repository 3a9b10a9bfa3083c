"""The assumptions an estimate states: one small function per line (or group of lines), in
the order they are printed."""

from __future__ import annotations

import functools
import math
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

from ketcost import wording
from ketcost.domain.money import Pair, cents, decimal
from ketcost.domain.payers import presets
from ketcost.domain.plan import Insurance, Plan
from ketcost.domain.result import Count
from ketcost.domain.sheet import PriceSheet, Route
from ketcost.domain.values import Range
from ketcost.engine.paying import package_line, pretax_lines, ride_line
from ketcost.engine.schedule import WEEKS_PER_MONTH, Course

ROUNDING_LINE = (
    "Session counts are rounded half up once per phase (a month is 52/12 weeks); "
    "money is rounded to the cent, half up."
)


@functools.lru_cache(maxsize=256)
def price_lines(label: str, source: str, sheet: str, as_of: date) -> tuple[str, str]:
    """Where the price per session comes from (once per route and sheet)."""
    return (
        f"Prices per session are the published range for {label} in "
        f'"{sheet}" (as of {as_of.isoformat()}); a clinic\'s own prices may differ.',
        f"Price source: {source}",
    )


@functools.lru_cache(maxsize=4096)
def course_line(unit: int, induction_units: Pair, maintenance_units: Pair) -> str:
    """How long the course is in weeks and months, and which weeks each part covers, from the
    lengths of its two parts in `unit`ths of a week (`schedule.Course`).

    Cached on those lengths, which many courses share (their frequencies differ): its text
    costs more than the course's pricing."""
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


@functools.lru_cache(maxsize=1024)
def maintenance_line(
    how_often: str | None, months: int | None, maintenance_months: int
) -> str | None:
    """What maintenance the estimate includes, or how to include it."""
    if how_often is None:
        return None
    if months is not None:
        return f"Maintenance ({how_often}) fills the rest of the {months}-month course."
    if maintenance_months == 0:
        return (
            f"Maintenance ({how_often}) is not included; add --maintenance-months N "
            "to include N months of it, or --months N for a course of N months in all."
        )
    plural = "month" if maintenance_months == 1 else "months"
    return f"Includes {wording.number(maintenance_months)} {plural} of maintenance ({how_often})."


@functools.lru_cache(maxsize=256)
def observation_line(minutes: Range[Decimal] | None) -> str | None:
    """The observation time each session includes, for routes that have one."""
    if minutes is None:
        return None
    return (
        f"Each session includes at least {wording.span(minutes)} minutes of "
        "observation at the clinic after the dose, until the clinician judges the patient "
        "ready to leave (time to plan for, not a separate charge here)."
    )


def course_lines(plan_course: Course, route: Route, sheet: str, as_of: date) -> tuple[str, ...]:
    """The lines that depend only on the course and the route: prices and their source, how
    long the course is, its maintenance, the observation time, the rounding rule (each line
    cached on what it depends on)."""
    schedule = plan_course.schedule
    lines = (
        *price_lines(route.label, route.source, sheet, as_of),
        course_line(plan_course.unit, plan_course.induction, plan_course.maintenance),
        maintenance_line(
            plan_course.maintenance_frequency, schedule.months, schedule.maintenance_months
        ),
        observation_line(route.observation_minutes),
        ROUNDING_LINE,
    )
    return tuple(line for line in lines if line is not None)


def discount_line(discount: Decimal) -> str | None:
    if not discount:
        return None
    return (
        f"A {wording.number(discount)}% discount applies to treatment-session fees, "
        "not to add-ons, before insurance."
    )


def assistance_line(assistance: Decimal, currency: str) -> str | None:
    if not assistance:
        return None
    return (
        f"Financial assistance of {wording.money(decimal(cents(assistance)), currency)} "
        "reduces what you pay, never below zero."
    )


def not_included_line(plan: Plan, protocol_addons: bool = False) -> str | None:
    """What the estimate leaves out: insurance, add-ons, or both."""
    addons = plan.with_ or plan.extra or protocol_addons
    missing = [
        *(["insurance"] if plan.insurance is None else []),
        *([] if addons else ["consultations, psychotherapy or other add-ons"]),
    ]
    return f"Not included: {', '.join(missing)}." if missing else None


RULE_LINE = (
    "Insurance is applied per covered charge in the order sessions happen: the deductible "
    "first, then the copay, then the coinsurance share, up to the out-of-pocket maximum; "
    "charges not covered are paid in full"
)
BILLED_STANDS_IN = (
    "; no allowed amount was given, so shares are of the billed amount (a plan usually allows "
    "less: --allowed AMOUNT or PCT% sets it)"
)


class Renewal(NamedTuple):
    """The terms after a renewal, as the assumptions state them."""

    deductible: Decimal
    oop_max: Decimal | None
    given: bool  # set by --annual-deductible or --annual-oop-max


@functools.lru_cache(maxsize=1024)
def insurance_lines(
    any_terms: bool,
    renews: str,
    renews_given: bool,
    start: str,
    allowed: str | None,
    years: int,
) -> tuple[str, ...]:
    """How insurance was applied: the rule, missing terms, plan years, the allowed amount.

    Cached: a batch repeats its insurers' terms, and these lines are long to format."""
    lines = [f"{RULE_LINE}{BILLED_STANDS_IN if allowed is None else ''}."]
    if not any_terms:
        lines.append(
            "No deductible, coinsurance or copay was given, so insurance pays every covered "
            "charge in full; give --deductible and --coinsurance for your plan's terms."
        )
    within = (
        "this course falls within one plan year" if years == 1 else f"it spans {years} plan years"
    )
    day = renews
    if not renews_given:
        day = f"{renews}, January 1, as most plans do (--plan-year-renews sets yours)"
    lines.append(
        "The deductible and out-of-pocket maximum renew every year on "
        f"{day}; the course starts {start}, and {within}."
    )
    if allowed is not None:
        lines.append(allowed)
    return tuple(lines)


@functools.lru_cache(maxsize=1024)
def renewal_line(renewal: Renewal, currency: str) -> str:
    """The deductible and cap after each renewal (cached as `insurance_lines` is)."""
    cap = "no cap" if renewal.oop_max is None else wording.money(renewal.oop_max, currency)
    unless = " (the same as now; --annual-deductible and --annual-oop-max set them)."
    return (
        f"After each renewal the deductible is {wording.money(renewal.deductible, currency)} "
        f"and the out-of-pocket maximum {cap}" + ("." if renewal.given else unless)
    )


def coverage_lines(route_label: str, eligible: bool, covered: bool) -> list[str]:
    """Whether the route's sessions were counted as covered, and why."""
    if eligible:
        return []
    if not covered:
        return [
            f"{route_label} is usually not covered by insurance, so its sessions are counted "
            "as not covered; --covered overrides."
        ]
    return [
        f"{route_label} is usually not covered by insurance; its sessions are counted as "
        "covered because --covered was given. Confirm with the insurer."
    ]


def assumptions(
    sheet: PriceSheet,
    route: Route,
    plan_course: Course,
    plan: Plan,
    covered: bool,
    years: int,
    protocol_addons: tuple[str, ...] = (),
) -> tuple[str, ...]:
    """Every assumption line of an estimate, in order."""
    lines: list[str | None] = [
        *course_lines(plan_course, route, sheet.name, sheet.as_of),
        medication_line(route, plan, sheet.currency),
        discount_line(plan.discount),
    ]
    if plan.insurance is not None:
        terms = plan.insurance
        start = plan.start.isoformat() if plan.start else "on its first session"
        any_terms = bool(
            terms.deductible or terms.coinsurance or terms.copay or terms.oop_max is not None
        )
        lines.extend(
            insurance_lines(
                any_terms,
                terms.renews,
                terms.plan_year_renews is not None,
                start,
                allowed_line(terms, sheet.currency),
                years,
            )
        )
        if years > 1:
            given = terms.annual_deductible is not None or terms.annual_oop_max is not None
            renewal = Renewal(terms.renewed_deductible, terms.renewed_oop_max, given)
            lines.append(renewal_line(renewal, sheet.currency))
        lines.extend(coverage_lines(route.label, route.insurance_eligible, covered))
        lines.extend(payer_lines(terms, route, covered, sheet.currency))
    lines.append(package_line(route, plan.package, sheet.currency))
    lines.append(ride_line(route, plan.ride, sheet.currency))
    lines.append(assistance_line(plan.assistance, sheet.currency))
    lines.extend(pretax_lines(plan, sheet.currency, years if plan.insurance is not None else 1))
    lines.append(not_included_line(plan, bool(protocol_addons)))
    return tuple(line for line in lines if line is not None)


def medication_line(route: Route, plan: Plan, currency: str) -> str | None:
    """How the route's medication is billed: by the unit beside the visit, or in its price."""
    if route.medication is None:
        return None
    dose = None if plan.dose is None else (plan.dose.low, plan.dose.high)
    return dose_line(route, plan.medication == "included", dose, currency)


@functools.lru_cache(maxsize=256)
def dose_line(route: Route, included: bool, dose: Pair | None, currency: str) -> str:
    """`medication_line` on the values it depends on. Cached: a sheet has a few doses, and the
    line is long to format."""
    medication = route.medication
    assert medication is not None
    if included:
        return (
            f"The session price is taken to include the medication ({medication.label}s), "
            "as the clinic said (--medication included)."
        )
    price = wording.money_span(medication.unit_price, currency)
    doses = medication.doses_mg
    low, high = dose if dose is not None else (doses[0], doses[-1])
    later = wording.span(Count(low, high))
    return (
        f"The medication is billed beside each visit: {medication.label}s at {price} each, "
        f"on the {medication.benefit} benefit. The dose "
        f"is the clinician's to set; priced at {medication.first_dose_mg} mg first, then "
        f"{later} mg (--dose). Price source: {medication.source}"
    )


def allowed_line(terms: Insurance, currency: str) -> str | None:
    """What the plan allows, when given, and who pays what it does not."""
    if terms.allowed is not None:
        given = f"{wording.money(terms.allowed, currency)} for each session's medical charges"
    elif terms.allowed_percent is not None:
        given = f"{wording.number(terms.allowed_percent)}% of each covered medical charge"
    else:
        return None
    rest = (
        "the provider is out of network, so it bills you what the plan does not allow"
        if terms.out_of_network
        else "an in-network provider writes off what the plan does not allow"
    )
    return f"Cost sharing is worked on the plan's allowed amount, {given}; {rest}."


def payer_lines(terms: Insurance, route: Route, covered: bool, currency: str) -> list[str]:
    """Who pays, each preset figure with its source and year, and prior authorization."""
    lines = []
    if terms.payer == "medicare":
        preset = presets()["medicare"]
        deductible = wording.money(terms.deductible, currency)
        year = f" ({preset.deductible_year})" if preset.deductible_year else ""
        cap = (
            "no out-of-pocket maximum"
            if terms.oop_max is None
            else "the out-of-pocket maximum given"
        )
        lines.append(
            f"Payer: {preset.label}: a {deductible} deductible{year}, then "
            f"{wording.number(terms.coinsurance)}% of the approved amount, {cap} (a Medigap or "
            "Medicare Advantage plan may have one: --oop-max); the medication is billed with "
            f"the visit, whose G-code includes it. Source: {preset.source}"
        )
        if terms.allowed is None and terms.allowed_percent is None:
            lines.append(
                "The Medicare-approved amount stands in as the billed amount here; it is usually "
                "lower (--allowed sets it)."
            )
    elif terms.payer == "medicaid":
        copay = wording.money(terms.copay, currency)
        lines.append(
            f"Payer: Medicaid: covered, no deductible, a copay of {copay} a covered charge. "
            f"{presets()['medicaid'].source}"
        )
    else:
        lines.append("Payer: a commercial plan, on the terms given.")
    program = route.medication.savings_program if route.medication else None
    if terms.savings_program and program is not None:
        most = terms.savings_cap if terms.savings_cap is not None else program.yearly_max
        yearly = "" if most is None else f" of {wording.money(most, currency)}"
        lines.append(
            f"The {program.label} pays the patient's share of the medication above "
            f"{wording.money(program.per_treatment, currency)} a treatment, up to its yearly "
            f"maximum{yearly}, which starts again with each plan year; what it pays counts "
            "toward the deductible and the out-of-pocket maximum as the patient's own. "
            f"Source: {program.source}"
        )
    if covered and terms.authorized_months is not None:
        months = terms.authorized_months
        lines.append(
            f"Prior authorization is taken to approve {months} month{'s' if months > 1 else ''} "
            "from the first session; sessions after that are priced as not covered."
        )
    elif covered and route.insurance_eligible:
        lines.append(
            f"Plans usually require prior authorization for {route.label} (commonly after two "
            "antidepressants have not helped) and approve a number of months at a time."
        )
    return lines
