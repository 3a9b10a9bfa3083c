"""What the patient pays: add-ons, the discount, insurance charge by charge, and assistance. Pure.

All money here is integer cents; `to_cents` and `cents` are where Decimal text turns into it.

The insurance rule, per covered charge in the order the sessions happen: the remaining
deductible takes what it can; of the rest, the copay (at most the rest); of what remains, the
coinsurance share, rounded to the cent half up; the patient's running total for covered charges
is capped at the out-of-pocket maximum. Charges that are not covered are paid in full and count
toward neither the deductible nor the cap. The discount applies before insurance; assistance
applies last and never takes the total below zero.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from ketcost.models import Insurance

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_cents(amount: Decimal) -> Decimal:
    """Money rounded to the cent, half up: the one rounding rule for money."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def cents(amount: Decimal) -> int:
    """A Decimal amount as whole cents, rounded half up (validated amounts are whole cents)."""
    numerator, denominator = amount.as_integer_ratio()
    if 100 % denominator == 0:  # a whole number of cents: exact, in integers
        return numerator * (100 // denominator)
    return int(to_cents(amount).scaleb(2))


class _Decimals(dict[int, Decimal]):
    """Whole cents as two-place Decimals, each made once: looking one up is the dict's own
    lookup, with no Python call unless the amount is new."""

    SIZE = 8192  # bounded; 100,000 varied records make about one new amount a record (1.5 at 4,096)

    def __missing__(self, amount: int) -> Decimal:
        if len(self) >= self.SIZE:
            self.clear()
        made = self[amount] = Decimal(amount).scaleb(-2)
        return made


decimal: Callable[[int], Decimal] = _Decimals().__getitem__
"""Whole cents as a Decimal with two places (`12345` -> `123.45`), made once per value."""


def half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded to the nearest whole number, halves up (both >= 0)."""
    return (2 * numerator + denominator) // (2 * denominator)


def percent_of(amount: int, share: int) -> int:
    """`share` hundredths of a percent of `amount` cents, in cents, half up (20% is 2000)."""
    return half_up(amount * share, 10000)


def discounted(price: int, discount: Decimal) -> int:
    """A session fee in cents after a discount (a percentage), half up: the one discount rule."""
    if not discount:
        return price
    return half_up(price * (10000 - hundredths(discount)), 10000)


def hundredths(percentage: Decimal) -> int:
    """A percentage with at most two decimals as hundredths of a percent (`12.5` -> `1250`)."""
    return int(percentage.scaleb(2))


@dataclass(frozen=True, slots=True)
class Terms:
    """Insurance terms in cents (coinsurance in hundredths of a percent)."""

    deductible: int
    coinsurance: int
    copay: int
    oop_max: int | None

    @classmethod
    def of(cls, insurance: Insurance) -> Terms:
        """The terms for the current plan year."""
        return cls._with(insurance, insurance.deductible, insurance.oop_max)

    @classmethod
    def renewed(cls, insurance: Insurance) -> Terms:
        """The terms after a renewal: the annual amounts (default: the same as now)."""
        return cls._with(insurance, insurance.renewed_deductible, insurance.renewed_oop_max)

    @classmethod
    def both(cls, insurance: Insurance) -> tuple[Terms, Terms]:
        """The terms now and after a renewal (the same object when no annual amount is given)."""
        current = cls.of(insurance)
        if insurance.annual_deductible is None and insurance.annual_oop_max is None:
            return current, current
        return current, cls.renewed(insurance)

    @classmethod
    def _with(cls, insurance: Insurance, deductible: Decimal, oop_max: Decimal | None) -> Terms:
        return cls(
            cents(deductible),
            hundredths(insurance.coinsurance),
            cents(insurance.copay),
            None if oop_max is None else cents(oop_max),
        )


@dataclass(frozen=True, slots=True)
class Charge:
    """One thing billed, in cents, in the order it happens, and whether insurance covers it."""

    amount: int
    covered: bool


@dataclass(frozen=True, slots=True)
class AddonCharge:
    """An add-on's price in cents for one case (low or high) and whether insurance may cover it."""

    price: int
    per: Literal["session", "course"]
    covered: bool


def charges(
    sessions: int, session_fee: int, sessions_covered: bool, addons: list[AddonCharge]
) -> Iterator[Charge]:
    """Every charge of one case in order: course add-ons, then each session and its add-ons."""
    for addon in addons:
        if addon.per == "course":
            yield Charge(addon.price, addon.covered)
    per_session = [a for a in addons if a.per == "session"]
    for _ in range(sessions):
        yield Charge(session_fee, sessions_covered)
        for addon in per_session:
            yield Charge(addon.price, addon.covered)


def patient_parts(billed: Iterable[Charge], terms: Terms | None) -> Iterator[int]:
    """What the patient pays of each charge, in order, under the terms (None: no insurance)."""
    if terms is None:
        yield from (charge.amount for charge in billed)
        return
    state = _Running(terms)
    for charge in billed:
        before = state.covered_paid + state.uncovered
        state.pay(charge.amount, charge.covered)
        yield state.covered_paid + state.uncovered - before


def patient_pays(billed: Iterable[Charge], terms: Terms | None) -> int:
    """What the patient pays for the charges under the terms (None: no insurance), in cents."""
    return sum(patient_parts(billed, terms))


def after_assistance(amount: int, assistance: int) -> int:
    """What is left to pay once assistance is applied; never below zero."""
    return max(amount - assistance, 0)


def installments(amount: int, count: int) -> tuple[int, int]:
    """`count` equal monthly payments of `amount`: (each payment, the last one). Each is cut
    down to the cent and the last takes the remainder, so they add up to `amount` exactly and
    the last is never smaller than the others."""
    each = amount // count
    return each, amount - each * (count - 1)


def course_patient_pays(
    sessions: int,
    session_fee: int,
    sessions_covered: bool,
    addons: list[AddonCharge],
    terms: Terms | None,
) -> int:
    """What the patient pays for a whole course: the same as `patient_pays` over `charges(...)`,
    without walking every session once the deductible is used up.

    After the deductible, every session (with its per-session add-ons) costs the patient the same
    until the out-of-pocket maximum is reached, and after that only its uncovered charges; so
    those sessions are counted in bulk and only the sessions around each turn are walked.
    """
    # one session's charges, as (amount, covered) pairs: the session, then its add-ons
    group = [(session_fee, sessions_covered)]
    once: list[AddonCharge] = []  # the course add-ons, charged first
    for addon in addons:
        if addon.per == "session":
            group.append((addon.price, addon.covered))
        else:
            once.append(addon)
    if terms is None:
        return sum([a.price for a in once]) + sessions * sum([amount for amount, _ in group])
    state = _Running(terms)
    for addon in once:
        state.pay(addon.price, addon.covered)
    if len(group) == 1:  # no per-session add-ons (the usual case): no sums to take
        covered_sum, uncovered_part = (session_fee, 0) if sessions_covered else (0, session_fee)
    else:
        covered_sum = sum([amount for amount, covered in group if covered])
        uncovered_part = sum([amount for amount, covered in group if not covered])
    oop_max = terms.oop_max
    done = 0
    if covered_sum > 0:
        # whole sessions the deductible takes in full (and the cap has room for)
        done = min(sessions, state.deductible_left // covered_sum)
        if oop_max is not None:
            done = min(done, max(oop_max - state.covered_paid, 0) // covered_sum)
        state.deductible_left -= done * covered_sum
        state.covered_paid += done * covered_sum
        state.uncovered += done * uncovered_part
        while done < sessions and state.deductible_left > 0:
            for amount, covered in group:
                state.pay(amount, covered)
            done += 1
    if len(group) == 1:
        covered_part = state.share_after_deductible(session_fee) if sessions_covered else 0
    else:
        covered_part = sum([state.share_after_deductible(a) for a, covered in group if covered])
    left = sessions - done
    if left and covered_part > 0 and oop_max is not None:
        # whole sessions that fit under the cap, then walk the one that reaches it
        room = max(oop_max - state.covered_paid, 0)
        fit = min(left, room // covered_part)
        state.covered_paid += fit * covered_part
        state.uncovered += fit * uncovered_part
        left -= fit
        if left:
            for amount, covered in group:
                state.pay(amount, covered)
            left -= 1
        state.uncovered += left * uncovered_part  # past the cap, covered charges cost nothing
    else:
        state.covered_paid += left * covered_part
        state.uncovered += left * uncovered_part
    return state.covered_paid + state.uncovered


class _Running:
    """The patient's running totals while charges are paid one by one under `terms`."""

    __slots__ = ("covered_paid", "deductible_left", "terms", "uncovered")

    def __init__(self, terms: Terms) -> None:
        self.terms = terms
        self.deductible_left = terms.deductible
        self.covered_paid = 0
        self.uncovered = 0

    def share_after_deductible(self, amount: int) -> int:
        copay = min(self.terms.copay, amount)
        return copay + percent_of(amount - copay, self.terms.coinsurance)

    def pay(self, amount: int, covered: bool) -> None:
        if not covered:
            self.uncovered += amount
            return
        from_deductible = min(self.deductible_left, amount)
        self.deductible_left -= from_deductible
        part = from_deductible + self.share_after_deductible(amount - from_deductible)
        if self.terms.oop_max is not None:
            part = min(part, max(self.terms.oop_max - self.covered_paid, 0))
        self.covered_paid += part
