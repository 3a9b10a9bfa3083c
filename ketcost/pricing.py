"""The pricing engine: a Plan and a PriceSheet in, an Estimate out. Pure: no CLI, no I/O.

Result models are built with `models.build`, without validation: their values come from
validated inputs and this arithmetic, and validating them again costs more than the arithmetic.

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
from decimal import Decimal
from fractions import Fraction

from ketcost import wording
from ketcost.errors import InputError
from ketcost.models import (
    FREQUENCY_KEYS,
    MAX_PHASE_SESSIONS,
    Cases,
    Count,
    Estimate,
    Extra,
    Installments,
    InsuranceResult,
    LineItem,
    Money,
    Phase,
    PhaseCost,
    Plan,
    PriceSheet,
    Protocol,
    Range,
    SheetInfo,
    build,
)
from ketcost.payment import AddonCharge, after_assistance, course_patient_pays, to_cents
from ketcost.payment import installments as split_payments

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
    high = round_half_up(weeks_high * rate_high)
    if high > MAX_PHASE_SESSIONS:
        raise InputError(
            f"phase {phase.name!r} would hold {high:,} sessions; "
            f"a phase holds at most {MAX_PHASE_SESSIONS:,}"
        )
    return Count.of(round_half_up(weeks_low * rate_low), high)


def phase_cost(sessions: Count, price: Money) -> Money:
    """Low sessions at the low price, high sessions at the high price, in cents."""
    return Money.of(to_cents(sessions.low * price.low), to_cents(sessions.high * price.high))


def _decimal_range(value: Count) -> Range[Decimal]:
    return Money.of(Decimal(value.low), Decimal(value.high))


def _with_frequency(phase: Phase, **frequency: object) -> Phase:
    cleared: dict[str, object] = dict.fromkeys((*FREQUENCY_KEYS, "sessions"))
    return phase.model_copy(update={**cleared, **frequency})


def _as_range(value: int | tuple[int, int]) -> Range[Decimal]:
    low, high = value if isinstance(value, tuple) else (value, value)
    return Money.of(Decimal(low), Decimal(high))


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


def resolve_addons(plan: Plan, sheet: PriceSheet) -> tuple[tuple[Extra, bool], ...]:
    """The sheet add-ons the plan asks for (`with`), then its own extras, each with whether
    insurance may cover it (sheet add-ons when eligible; extras never). Unknown names are errors.
    """
    chosen: list[tuple[Extra, bool]] = []
    for name in plan.with_:
        addon_id = sheet.find_addon(name)
        if addon_id is None:
            allowed = ", ".join(sheet.addons) or "none in this sheet"
            raise InputError(f"unknown add-on {name!r}; add-ons: {allowed}")
        addon = sheet.addons[addon_id]
        extra = Extra.model_construct(label=addon.label, price=addon.price, per=addon.per)
        chosen.append((extra, addon.insurance_eligible))
    return (*chosen, *((extra, False) for extra in plan.extra))


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
    return Money.of(to_cents(low), to_cents(high))


def _cases(low: Decimal, high: Decimal) -> Cases:
    """Low-case and high-case money in cents, for line items (a discount's are negative)."""
    return build(Cases, low=to_cents(low), high=to_cents(high))


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


def _assumptions(
    sheet: PriceSheet, route_id: str, phases: tuple[Phase, ...], plan: Plan, covered: bool
) -> tuple[str, ...]:
    route = sheet.routes[route_id]
    maintenance_months = plan.maintenance_months
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
            months = wording.span(Count.of(maintenance_months))
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
    if plan.discount:
        lines.append(
            f"A {wording.number(plan.discount)}% discount applies to treatment-session fees, "
            "not to add-ons, before insurance."
        )
    if plan.insurance is not None:
        lines.append(
            "Insurance is applied per covered charge in the order sessions happen: the deductible "
            "first, then the copay, then the coinsurance share, up to the out-of-pocket maximum; "
            "charges not covered are paid in full."
        )
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


def estimate(plan: Plan, sheet: PriceSheet) -> Estimate:
    """What the plan costs under the sheet's prices and what the patient pays, low and high."""
    route_id, protocol_id = resolve(plan, sheet)
    route, protocol = sheet.routes[route_id], sheet.protocols[protocol_id]
    phases = scheduled_phases(plan, protocol_id, protocol)
    extras = resolve_addons(plan, sheet)
    price = _money(route.session_price.low, route.session_price.high)
    costs: list[PhaseCost] = []
    for phase in phases:
        if phase.open_ended and plan.maintenance_months == 0:
            continue
        sessions = phase_sessions(phase, plan.maintenance_months)
        costs.append(
            build(
                PhaseCost,
                name=phase.name,
                schedule=wording.schedule(phase, plan.maintenance_months),
                sessions=sessions,
                price_per_session=price,
                cost=phase_cost(sessions, price),
            )
        )
    total_sessions = Count.of(
        sum(c.sessions.low for c in costs), sum(c.sessions.high for c in costs)
    )
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
        quantity = total_sessions if extra.per == "session" else Count.of(1)
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

    def pays(case: str) -> Decimal:
        if plan.insurance is None:  # no insurance: the patient pays every charge
            return getattr(total, case)  # type: ignore[no-any-return]
        addons = addon_charges(extras, case)
        sessions = getattr(total_sessions, case)
        return course_patient_pays(sessions, getattr(fee, case), covered, addons, plan.insurance)

    patient = _money(pays("low"), pays("high"))
    out_of_pocket = _money(
        after_assistance(patient.low, plan.assistance),
        after_assistance(patient.high, plan.assistance),
    )
    insurance = None
    if plan.insurance is not None:
        terms = plan.insurance
        insurance = build(
            InsuranceResult,
            covered=covered,
            deductible=to_cents(terms.deductible),
            coinsurance=terms.coinsurance,
            copay=to_cents(terms.copay),
            oop_max=None if terms.oop_max is None else to_cents(terms.oop_max),
            insurer_pays=_money(total.low - patient.low, total.high - patient.high),
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
        maintenance_months=plan.maintenance_months,
        assumptions=_assumptions(sheet, route_id, phases, plan, covered),
        disclaimer=DISCLAIMER,
    )


def rank(results: list[Estimate]) -> list[Estimate]:
    """Options cheapest first in the worst case: by high out-of-pocket, then low; ties keep
    their order."""
    return sorted(results, key=lambda r: (r.out_of_pocket.high, r.out_of_pocket.low))
