"""What a course bills on a route: a line per phase, the add-ons, the discount, and the total.

- The cost of a phase = sessions x price per session, low with low and high with high.
- An add-on is charged once per session or once per course.
- The medication (a route whose sheet has a medication table) is billed by the unit: each
  session's dose takes whole units (56 mg is two 28 mg devices, 84 mg three).
- The discount (a percentage) applies to treatment-session fees, not to the medication or the
  add-ons, rounded to the cent half up per session.
All money is integer cents until the line items are made.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal
from typing import Literal, NamedTuple

from ketcost import wording
from ketcost.domain.money import Pair, cents, decimal, discounted
from ketcost.domain.plan import Plan
from ketcost.domain.result import Cases, Count, LineItem, Money, PhaseCost
from ketcost.domain.sheet import PriceSheet, Route
from ketcost.engine.charges import (
    Allowed,
    Benefit,
    CaseCharges,
    Charge,
    case_charges,
)
from ketcost.engine.schedule import Course, Scheduled
from ketcost.errors import InputError

ONCE = Count(1, 1)


class AddonCharge(NamedTuple):
    """An add-on as a plan takes it: label, price in cents, per session or per course, and
    whether insurance may cover it beside the plan's route."""

    label: str
    price: Pair
    per: Literal["session", "course"]
    covered: bool

    def charge(self, case: int) -> Charge:
        """Its charge in the low (0) or high (1) case."""
        return Charge(self.price[case], self.covered)


class Dosing(NamedTuple):
    """The medication as a course bills it, by the unit: the first session's dose and each later
    session's, in mg, and a unit's price in cents, low case and high case."""

    label: str
    first_mg: Pair
    each_mg: Pair
    mg_per_unit: int
    unit_price: Pair
    benefit: Benefit

    def units(self, mg: int) -> int:
        """The whole units a dose of `mg` takes."""
        return -(-mg // self.mg_per_unit)

    def session_amounts(self, case: int) -> Pair:
        """What the medication bills in the first session and in each later one, in cents."""
        price = self.unit_price[case]
        return self.units(self.first_mg[case]) * price, self.units(self.each_mg[case]) * price

    def course_units(self, sessions: int, case: int) -> int:
        """The units `sessions` sessions take in all."""
        if sessions == 0:
            return 0
        return self.units(self.first_mg[case]) + (sessions - 1) * self.units(self.each_mg[case])

    def item(self, sessions: Count) -> LineItem:
        """The medication's line: units at a unit's price, with its devices and mg in all."""
        return medication_item(self, sessions)


def medication_item(dosing: Dosing, sessions: Count) -> LineItem:
    """`Dosing.item`: the medication's line for a course of `sessions` sessions."""
    units = Count(dosing.course_units(sessions.low, 0), dosing.course_units(sessions.high, 1))
    mg = Count(
        _course_mg(sessions.low, dosing.first_mg[0], dosing.each_mg[0]),
        _course_mg(sessions.high, dosing.first_mg[1], dosing.each_mg[1]),
    )
    price = dosing.unit_price
    amount = cases(units.low * price[0], units.high * price[1])
    return LineItem(dosing.label, "medication", units, cases(*price), amount, units, mg)


def _course_mg(sessions: int, first: int, each: int) -> int:
    return 0 if sessions == 0 else first + (sessions - 1) * each


class PackagePrice(NamedTuple):
    """A clinic package as a course bills it: the first `sessions` sessions for `price` cents
    in all, in place of their session fees."""

    label: str
    sessions: int
    price: int

    @property
    def parts(self) -> tuple[int, ...]:
        """The price split across its sessions in cents, the first sessions taking the odd
        cents, so that the parts sum to the price exactly."""
        each, odd = divmod(self.price, self.sessions)
        return tuple(each + 1 if i < odd else each for i in range(self.sessions))

    def used(self, sessions: Count) -> Count:
        """How many of a course's sessions the package pays for, low and high."""
        return Count(min(self.sessions, sessions.low), min(self.sessions, sessions.high))


def package_price(route: Route, name: str | None) -> PackagePrice | None:
    """The route's package `name` (any case) in cents; None without one; an InputError naming
    the packages there are when the route has no such package."""
    if name is None:
        return None
    package = route.find_package(name)
    if package is None:
        there = ", ".join(route.packages) or "none in this price sheet"
        raise InputError(
            f"--package {name!r}: {route.label} has no such package; packages: {there} "
            "(a clinic's sheet defines them as [routes.ID.packages.NAME])"
        )
    return PackagePrice(package.label, package.sessions, cents(package.price))


def dosing(route: Route, plan: Plan) -> Dosing | None:
    """The medication a plan's sessions bill on `route`: None when the route's sheet bills none
    or the plan says the session price includes it. A dose the medication is not given at is an
    InputError."""
    dose = None if plan.dose is None else (plan.dose.low, plan.dose.high)
    return route_dosing(route, dose, plan.medication == "included")


@functools.lru_cache(maxsize=256)
def route_dosing(route: Route, dose: Pair | None, included: bool) -> Dosing | None:
    """`dosing` on the values it depends on: the route, the dose asked for, and whether the
    session price includes the medication. Cached: a sheet has a few doses, and checking and
    labelling one was about 2% of a batch record's time."""
    medication = route.medication
    if medication is None:
        if dose is not None:
            raise InputError(
                f"--dose: {route.label} has no medication billed by the dose in this price "
                "sheet; the dose is for a route whose sheet has a [routes.ID.medication] table"
            )
        return None
    doses = medication.doses_mg
    low, high = (doses[0], doses[-1]) if dose is None else dose
    for mg in (low, high):
        if mg not in doses:
            allowed = " or ".join(f"{d} mg" for d in doses)
            raise InputError(
                f"--dose {mg}: this price sheet prices {medication.label}s at doses of {allowed}; "
                "the dose is the clinician's to set"
            )
    if included:
        return None
    first = min(medication.first_dose_mg, low), min(medication.first_dose_mg, high)
    unit_price = cents(medication.unit_price.low), cents(medication.unit_price.high)
    label = f"{medication.label}s: {first[0]} mg first, then {wording.span(Count(low, high))} mg"
    return Dosing(label, first, (low, high), medication.mg_per_unit, unit_price, medication.benefit)


class Bill(NamedTuple):
    """A course's bill: each phase's cost, the line items, the total, the session fee after
    the discount and the medication, in cents."""

    phases: tuple[PhaseCost, ...]
    items: tuple[LineItem, ...]
    total: Pair
    fee: Pair
    medication: Dosing | None = None
    package: PackagePrice | None = None

    def case_charges(
        self,
        case: int,
        addons: tuple[AddonCharge, ...],
        covered: bool,
        rule: Allowed,
        with_the_visit: bool = False,
    ) -> CaseCharges:
        """What one case bills, charge by charge, for insurance (`engine.charges`): the visit,
        the medication, the session's add-ons; the course add-ons once, first. With
        `with_the_visit` the medication is billed on the medical benefit with the visit, as
        Medicare's G-codes include it."""
        groups = charge_groups(
            self.fee[case], self.medication, case, addons, covered, rule, with_the_visit
        )
        if self.package is None:
            return groups
        return replace(groups, package=self.package.parts)


def charge_groups(
    fee: int,
    medication: Dosing | None,
    case: int,
    addons: tuple[AddonCharge, ...],
    covered: bool,
    rule: Allowed,
    with_the_visit: bool,
) -> CaseCharges:
    """One case's charge groups (`Bill.case_charges`): the session's add-ons and the
    medication's amounts for that case, made into `engine.charges` groups."""
    per_session = tuple([a.charge(case) for a in addons if a.per == "session"])
    per_course = tuple([a.charge(case) for a in addons if a.per == "course"])
    drug = None
    if medication is not None:
        first, each = medication.session_amounts(case)
        benefit: Benefit = "medical" if with_the_visit else medication.benefit
        drug = first, each, benefit
    return case_charges(fee, covered, drug, per_session, per_course, rule)


@functools.lru_cache(maxsize=256)
def route_price(route: Route) -> Pair:
    """A route's price per session in cents, low and high (once per route)."""
    return cents(route.session_price.low), cents(route.session_price.high)


def session_fee(price: Pair, discount: Decimal) -> Pair:
    """A session's fee in cents after the discount, low and high: the one discount rule."""
    return discounted(price[0], discount), discounted(price[1], discount)


def money(low: int, high: int) -> Money:
    """A low–high amount from cents."""
    return Money(decimal(low), decimal(high))


def cases(low: int, high: int) -> Cases:
    """A low-case and a high-case amount from cents."""
    return Cases(decimal(low), decimal(high))


class PhaseBill(NamedTuple):
    """A scheduled phase priced on a route: its cost, its session line, its cost in cents."""

    cost: PhaseCost
    item: LineItem
    cents: Pair


@functools.lru_cache(maxsize=4096)
def phase_bill(item: Scheduled, price: Pair) -> PhaseBill:
    """The phase's cost and session line at `price` a session.

    Cached (the engine's third seam): courses share their scheduled phases, so a batch prices
    a few hundred of them on a few routes, and these are most of an estimate's result objects
    (kept once, however many estimates have them)."""
    low, high = item.sessions.low * price[0], item.sessions.high * price[1]
    cost = money(low, high)
    name = item.phase.name
    phase = PhaseCost(name, item.part, item.schedule, item.sessions, money(*price), cost)
    line = LineItem(name, "session", item.sessions, cases(*price), Cases(cost.low, cost.high))
    return PhaseBill(phase, line, (low, high))


def bill(
    plan_course: Course,
    price: Pair,
    addons: tuple[AddonCharge, ...],
    discount: Decimal,
    medication: Dosing | None = None,
    package: PackagePrice | None = None,
) -> Bill:
    """The course's bill at `price` a session, with its medication, add-ons, package and
    discount. A package pays for the course's first sessions in place of their fees (the whole
    package, however few sessions the course has); the discount is on the other sessions."""
    bills = [phase_bill(item, price) for item in plan_course.phases]
    phases = tuple([b.cost for b in bills])
    low_total = sum([b.cents[0] for b in bills])
    high_total = sum([b.cents[1] for b in bills])
    if not addons and not discount and medication is None and package is None:
        return Bill(phases, tuple([b.item for b in bills]), (low_total, high_total), price)
    sessions = plan_course.sessions
    items = [b.item for b in bills]
    if medication is not None:
        line = medication.item(sessions)
        low_total, high_total = (
            low_total + cents(line.amount.low),
            high_total + cents(line.amount.high),
        )
        items.append(line)
    for addon in addons:
        quantity = sessions if addon.per == "session" else ONCE
        low, high = quantity.low * addon.price[0], quantity.high * addon.price[1]
        low_total, high_total = low_total + low, high_total + high
        items.append(
            LineItem(addon.label, "addon", quantity, cases(*addon.price), cases(low, high))
        )
    paid_for = Count(0, 0)
    if package is not None:
        paid_for = package.used(sessions)
        whole = cases(package.price, package.price)
        items.append(LineItem(f"package: {package.label}", "package", ONCE, whole, whole))
        low, high = -paid_for.low * price[0], -paid_for.high * price[1]
        low_total += package.price + low
        high_total += package.price + high
        credit = LineItem(
            "session fees the package pays", "package", paid_for, cases(-price[0], -price[1]),
            cases(low, high),
        )  # fmt: skip
        items.append(credit)
    fee = session_fee(price, discount)
    if discount:
        off = fee[0] - price[0], fee[1] - price[1]
        rest = Count(sessions.low - paid_for.low, sessions.high - paid_for.high)
        low, high = rest.low * off[0], rest.high * off[1]
        low_total, high_total = low_total + low, high_total + high
        label = f"discount {wording.number(discount)}% on session fees"
        if package is not None:
            label += " outside the package"
        items.append(LineItem(label, "discount", rest, cases(*off), cases(low, high)))
    return Bill(phases, tuple(items), (low_total, high_total), fee, medication, package)


RIDE_LABEL = "Ride to and from each session"


def plan_addons(
    plan: Plan, sheet: PriceSheet, route_id: str, protocol_id: str | None = None
) -> tuple[AddonCharge, ...]:
    """The sheet add-ons the course has: the protocol's own, then those the plan asks for
    (`with`), each once however often it is named; then the plan's extras and its ride to each
    session (never covered). Unknown names are errors."""
    own = sheet.protocols[protocol_id].addons if protocol_id is not None else ()
    if not plan.with_ and not plan.extra and not own and plan.ride is None:
        return ()
    chosen: dict[str, AddonCharge] = {}
    for name in (*own, *plan.with_):
        addon_id = sheet.find_addon(name)
        if addon_id is None:
            allowed = ", ".join(sheet.addons) or "none in this sheet"
            raise InputError(
                f"unknown add-on {name!r}{suggest(name, sheet.addons)}; add-ons: {allowed}"
            )
        addon = sheet.addons[addon_id]
        price = cents(addon.price.low), cents(addon.price.high)
        chosen.setdefault(
            addon_id, AddonCharge(addon.label, price, addon.per, addon.eligible_with(route_id))
        )
    extras = (
        AddonCharge(e.label, (cents(e.price.low), cents(e.price.high)), e.per, False)
        for e in plan.extra
    )
    ride: tuple[AddonCharge, ...] = ()
    if plan.ride is not None:
        ride = (AddonCharge(RIDE_LABEL, (cents(plan.ride), cents(plan.ride)), "session", False),)
    return (*chosen.values(), *extras, *ride)


def suggest(name: str, known: Iterable[str]) -> str:
    """` (did you mean 'iv'?)` for a near miss, else nothing."""
    lowered = {k.casefold(): k for k in known}
    close = difflib.get_close_matches(name.strip().casefold(), list(lowered), n=1, cutoff=0.6)
    return f" (did you mean {lowered[close[0]]!r}?)" if close else ""
