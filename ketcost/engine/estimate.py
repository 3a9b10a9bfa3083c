"""estimate(plan, sheet): resolve the names, then schedule -> bill -> insurance -> assumptions,
each once."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date

from ketcost import wording
from ketcost.domain.money import (
    Pair,
    after_assistance,
    cents,
    decimal,
    hundredths,
    installments,
    percent_of,
)
from ketcost.domain.payers import accounts
from ketcost.domain.plan import Insurance, Plan
from ketcost.domain.result import (
    CaseCount,
    Estimate,
    Installments,
    InsuranceResult,
    Money,
    PlanYear,
    PreTax,
    SheetInfo,
)
from ketcost.domain.sheet import PriceSheet, Route
from ketcost.engine import insurance as cover
from ketcost.engine import planyears
from ketcost.engine.assumptions import assumptions
from ketcost.engine.bill import (
    AddonCharge,
    Bill,
    PackagePrice,
    bill,
    cases,
    dosing,
    money,
    package_price,
    plan_addons,
    route_price,
    suggest,
)
from ketcost.engine.cautions import cautions
from ketcost.engine.charges import AS_BILLED, Allowed, CaseCharges
from ketcost.engine.schedule import (
    Course,
    Schedule,
    course,
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


def estimate(plan: Plan, sheet: PriceSheet, *, notes: bool = True) -> Estimate:
    """What the plan costs under the sheet's prices and what the patient pays, low and high.

    With `notes` false the estimate leaves out its assumption lines and warnings (empty): the
    figures are the same, made for outputs that show none (batch's CSV and Parquet rows,
    `price_table`); the lines are about a sixth of an estimate's time."""
    route_id, protocol_id = resolve(plan, sheet)
    route, protocol = sheet.routes[route_id], sheet.protocols[protocol_id]
    plan_course = course(protocol_id, protocol, Schedule.of(plan))
    addons = plan_addons(plan, sheet, route_id, protocol_id)
    package = plan_package(plan, route)
    price = route_price(route)
    billed = bill(plan_course, price, addons, plan.discount, dosing(route, plan), package)
    total_low, total_high = billed.total
    terms = plan.insurance
    covered = terms is not None and (
        route.insurance_eligible if terms.covered is None else terms.covered
    )
    insured = None
    patient = billed.total
    if terms is not None:
        insured, patient = _insurance(plan, route, plan_course, billed, addons, covered)
    assistance = cents(plan.assistance)
    out = after_assistance(patient[0], assistance), after_assistance(patient[1], assistance)
    total = money(total_low, total_high)
    pre_tax = None
    if plan.pretax is not None:
        years = insured.plan_years if insured else ()
        pre_tax = paid_pre_tax(plan, years, out)
    stated: tuple[str, ...] = ()
    warned: tuple[str, ...] = ()
    if notes:
        count = len(insured.plan_years) if insured else 1
        stated = assumptions(sheet, route, plan_course, plan, covered, count, protocol.addons)
        warned = cautions(plan, sheet, route_id, protocol_id, plan_course) + package_cautions(
            package, plan_course
        )
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
        assumptions=stated,
        warnings=warned,
        disclaimer=DISCLAIMER,
        pre_tax=pre_tax,
    )


def paid_pre_tax(plan: Plan, years: Sequence[PlanYear], out: Pair) -> PreTax:
    """What the out-of-pocket amount `out` costs after tax when paid from the plan's pre-tax
    account: the account pays at most its limit in each plan year (without insurance the course
    is one year), and what it pays saves the tax rate on it, to the cent half up."""
    assert plan.pretax is not None
    assert plan.tax_rate is not None
    account = accounts()[0][plan.pretax]
    limit = cents(account.limit if plan.pretax_limit is None else plan.pretax_limit)
    rate = hundredths(plan.tax_rate)
    spent = [
        [cents(year.out_of_pocket.low) for year in years] or [out[0]],
        [cents(year.out_of_pocket.high) for year in years] or [out[1]],
    ]
    paid = [sum(min(amount, limit) for amount in case) for case in spent]
    after = [out[c] - sum(percent_of(min(a, limit), rate) for a in spent[c]) for c in (0, 1)]
    return PreTax(plan.pretax, plan.tax_rate, decimal(limit), money(*paid), money(*after))


def plan_package(plan: Plan, route: Route) -> PackagePrice | None:
    """The clinic package the plan asks for, or an InputError when there is none or the plan is
    insured (a package is the clinic's self-pay price; insurance pays per session on its own
    allowed amounts)."""
    package = package_price(route, plan.package)
    if package is not None and plan.insurance is not None:
        raise InputError(
            f"--package {plan.package}: a package is the clinic's self-pay price; price it without "
            "insurance terms (insurance pays per session, on its own allowed amounts)"
        )
    return package


def package_cautions(package: PackagePrice | None, plan_course: Course) -> tuple[str, ...]:
    """A course with fewer sessions than the package still pays for the whole package."""
    sessions = plan_course.sessions
    if package is None or sessions.low >= package.sessions:
        return ()
    if sessions.high < package.sessions:
        has = f"the course has {wording.span(sessions)} sessions"
    else:
        has = f"the course has {sessions.low} sessions in the low case"
    return (
        f"{has}, fewer than the package's {package.sessions}: the whole package "
        f"({package.label}) is priced",
    )


def _insurance(
    plan: Plan,
    route: Route,
    plan_course: Course,
    billed: Bill,
    addons: tuple[AddonCharge, ...],
    covered: bool,
) -> tuple[InsuranceResult, Pair]:
    """The insurance part of an estimate and what the patient pays before assistance."""
    terms = plan.insurance
    assert terms is not None
    split = planyears.year_split(plan_course, plan.start, terms.renews)
    current, renewed = cover.Terms.both(terms)
    charged = [insurance_charges(billed, case, addons, covered, terms) for case in (0, 1)]
    counts = (split.low, split.high)
    program = savings_program(terms, route)
    authorized = authorized_counts(plan, plan_course, covered)
    years = [
        cover.case_years(counts[c], charged[c], current, renewed, program, authorized[c])
        for c in (0, 1)
    ]
    paid = (years[0].patient, years[1].patient)  # the program's payments counted as the patient's
    by_program = (years[0].program, years[1].program)
    spent = (years[0].billed, years[1].billed)
    off = [[0] * len(split.windows) if terms.out_of_network else y.written_off for y in years]
    patient = (sum(paid[0]), sum(paid[1]))
    own = paid  # what the patient pays out of their own pocket: the program's payments off
    if program is not None:
        own = (
            [p - q for p, q in zip(paid[0], by_program[0], strict=True)],
            [p - q for p, q in zip(paid[1], by_program[1], strict=True)],
        )
    out: tuple[Sequence[int], Sequence[int]] = (own[0], own[1])
    if plan.assistance:
        help_ = cents(plan.assistance)
        out = (cover.assisted(own[0], help_), cover.assisted(own[1], help_))
    rows = tuple(
        [
            PlanYear(
                window.starts,
                window.ends,
                CaseCount(split.low[i], split.high[i]),
                cases(out[0][i], out[1][i]),
                cases(spent[0][i] - paid[0][i] - off[0][i], spent[1][i] - paid[1][i] - off[1][i]),
            )
            for i, window in enumerate(split.windows)
        ]
    )
    written_off = (sum(off[0]), sum(off[1]))
    result = InsuranceResult(
        payer=terms.payer,
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
        savings_program_pays=None
        if program is None
        else money(sum(by_program[0]), sum(by_program[1])),
    )
    return result, (sum(own[0]), sum(own[1]))


def authorized_counts(
    plan: Plan, plan_course: Course, covered: bool
) -> tuple[int | None, int | None]:
    """How many sessions of each case fall within the months the plan authorizes (None: all)."""
    months = plan.insurance.authorized_months if plan.insurance else None
    if months is None or not covered or plan.start is None:
        return None, None
    return (
        planyears.authorized_sessions(plan_course, "low", plan.start, months),
        planyears.authorized_sessions(plan_course, "high", plan.start, months),
    )


def savings_program(terms: Insurance, route: Route) -> cover.Program | None:
    """The savings program the plan asks for, in cents, or an InputError saying why not."""
    if not terms.savings_program:
        return None
    if terms.payer != "commercial":
        raise InputError(
            "--savings-program: manufacturer savings programs are for commercial insurance "
            f"only, not {terms.payer.capitalize()}"
        )
    program = route.medication.savings_program if route.medication else None
    if program is None:
        raise InputError(
            f"--savings-program: this price sheet has no savings program for {route.label}"
        )
    cap = terms.savings_cap if terms.savings_cap is not None else program.yearly_max
    if cap is None:
        raise InputError(
            f"--savings-program needs --savings-cap AMOUNT: the {program.label}'s yearly maximum "
            "is not published with a date, so give the one in your program's terms"
        )
    return cover.Program(cents(program.per_treatment), cents(cap))


def insurance_charges(
    billed: Bill, case: int, addons: tuple[AddonCharge, ...], covered: bool, terms: Insurance | None
) -> CaseCharges:
    """One case's charges as the plan's insurance reads them: on its allowed amounts, the
    medication with the visit for Medicare."""
    if terms is None:
        return billed.case_charges(case, addons, covered, AS_BILLED)
    medicare = terms.payer == "medicare"
    return billed.case_charges(case, addons, covered, allowed_rule(terms), medicare)


def allowed_rule(terms: Insurance) -> Allowed:
    """The plan's allowed-amount rule in cents (or hundredths of a percent)."""
    if terms.allowed is not None:
        return Allowed(per_session=cents(terms.allowed))
    if terms.allowed_percent is not None:
        return Allowed(share=hundredths(terms.allowed_percent))
    return AS_BILLED


def _installments(out: Pair, count: int | None) -> Installments | None:
    if count is None:
        return None
    each_low, last_low = installments(out[0], count)
    each_high, last_high = installments(out[1], count)
    return Installments(count, money(each_low, each_high), money(last_low, last_high))


def rank(results: list[Estimate]) -> list[Estimate]:
    """Options cheapest first in the worst case: by high out-of-pocket, then low; ties keep
    their order."""
    return sorted(results, key=lambda r: (r.out_of_pocket.high, r.out_of_pocket.low))
