"""What a course bills on a route: a line per phase, the add-ons, the discount, and the total.

- The cost of a phase = sessions x price per session, low with low and high with high.
- An add-on is charged once per session or once per course.
- The discount (a percentage) applies to treatment-session fees, not to add-ons, rounded to the
  cent half up per session.
All money is integer cents until the line items are made.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from ketcost import wording
from ketcost.domain.money import Pair, cents, decimal, discounted
from ketcost.domain.plan import Plan
from ketcost.domain.result import Cases, Count, LineItem, Money, PhaseCost
from ketcost.domain.sheet import PriceSheet, Route
from ketcost.engine.insurance import AddonCharge
from ketcost.engine.schedule import Course, Scheduled
from ketcost.errors import InputError

ONCE = Count(1, 1)


@dataclass(frozen=True, slots=True)
class Addon:
    """An add-on as a plan takes it: label, price in cents, per session or per course, and
    whether insurance may cover it beside the plan's route."""

    label: str
    price: Pair
    per: Literal["session", "course"]
    covered: bool

    def charge(self, case: int) -> AddonCharge:
        """Its charge in the low (0) or high (1) case."""
        return AddonCharge(self.price[case], self.per, self.covered)


@dataclass(frozen=True, slots=True)
class Bill:
    """A course's bill: each phase's cost, the line items, the total and the session fee after
    the discount, in cents."""

    phases: tuple[PhaseCost, ...]
    items: tuple[LineItem, ...]
    total: Pair
    fee: Pair


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


@dataclass(frozen=True, slots=True)
class PhaseBill:
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


def bill(plan_course: Course, price: Pair, addons: tuple[Addon, ...], discount: Decimal) -> Bill:
    """The course's bill at `price` a session, with its add-ons and discount."""
    bills = [phase_bill(item, price) for item in plan_course.phases]
    phases = tuple([b.cost for b in bills])
    low_total = sum([b.cents[0] for b in bills])
    high_total = sum([b.cents[1] for b in bills])
    if not addons and not discount:
        return Bill(phases, tuple([b.item for b in bills]), (low_total, high_total), price)
    sessions = plan_course.sessions
    items = [b.item for b in bills]
    for addon in addons:
        quantity = sessions if addon.per == "session" else ONCE
        low, high = quantity.low * addon.price[0], quantity.high * addon.price[1]
        low_total, high_total = low_total + low, high_total + high
        items.append(
            LineItem(addon.label, "addon", quantity, cases(*addon.price), cases(low, high))
        )
    fee = session_fee(price, discount)
    if discount:
        off = fee[0] - price[0], fee[1] - price[1]
        low, high = sessions.low * off[0], sessions.high * off[1]
        low_total, high_total = low_total + low, high_total + high
        label = f"discount {wording.number(discount)}% on session fees"
        items.append(LineItem(label, "discount", sessions, cases(*off), cases(low, high)))
    return Bill(phases, tuple(items), (low_total, high_total), fee)


def plan_addons(plan: Plan, sheet: PriceSheet, route_id: str) -> tuple[Addon, ...]:
    """The sheet add-ons the plan asks for (`with`, each once however often it is named), then
    its own extras (never covered). Unknown names are errors."""
    if not plan.with_ and not plan.extra:
        return ()
    chosen: dict[str, Addon] = {}
    for name in plan.with_:
        addon_id = sheet.find_addon(name)
        if addon_id is None:
            allowed = ", ".join(sheet.addons) or "none in this sheet"
            raise InputError(
                f"unknown add-on {name!r}{suggest(name, sheet.addons)}; add-ons: {allowed}"
            )
        addon = sheet.addons[addon_id]
        price = cents(addon.price.low), cents(addon.price.high)
        chosen.setdefault(
            addon_id, Addon(addon.label, price, addon.per, addon.eligible_with(route_id))
        )
    extras = (
        Addon(e.label, (cents(e.price.low), cents(e.price.high)), e.per, False) for e in plan.extra
    )
    return (*chosen.values(), *extras)


def suggest(name: str, known: Iterable[str]) -> str:
    """` (did you mean 'iv'?)` for a near miss, else nothing."""
    lowered = {k.casefold(): k for k in known}
    close = difflib.get_close_matches(name.strip().casefold(), list(lowered), n=1, cutoff=0.6)
    return f" (did you mean {lowered[close[0]]!r}?)" if close else ""
