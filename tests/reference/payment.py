"""What the patient pays: add-ons, the discount, insurance charge by charge, and assistance. Pure.

The insurance rule, per covered charge in the order the sessions happen: the remaining
deductible takes what it can; of the rest, the copay (at most the rest); of what remains, the
coinsurance share; the patient's running total for covered charges is capped at the out-of-pocket
maximum. Charges that are not covered are paid in full and count toward neither the deductible
nor the cap. The discount applies before insurance; assistance applies last and never takes the
total below zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Literal

from ketcost.models import Insurance

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def renewed(terms: Insurance) -> Insurance:
    """The terms in a plan year after a renewal: the annual amounts (default: the same)."""
    return terms.model_copy(
        update={"deductible": terms.renewed_deductible, "oop_max": terms.renewed_oop_max}
    )


def to_cents(amount: Decimal) -> Decimal:
    """Money rounded to the cent, half up: the one rounding rule for money."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Charge:
    """One thing billed, in the order it happens, and whether insurance covers it."""

    amount: Decimal
    covered: bool


@dataclass(frozen=True)
class AddonCharge:
    """An add-on's price for one case (low or high) and whether insurance may cover it."""

    price: Decimal
    per: Literal["session", "course"]
    covered: bool


def charges(
    sessions: int, session_fee: Decimal, sessions_covered: bool, addons: list[AddonCharge]
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


def patient_parts(billed: Iterable[Charge], terms: Insurance | None) -> Iterator[Decimal]:
    """What the patient pays of each charge, in order, under the terms (None: no insurance)."""
    if terms is None:
        yield from (charge.amount for charge in billed)
        return
    state = _Running(terms)
    for charge in billed:
        before = state.covered_paid + state.uncovered
        state.pay(charge)
        yield state.covered_paid + state.uncovered - before


def patient_pays(billed: Iterable[Charge], terms: Insurance | None) -> Decimal:
    """What the patient pays for the charges under the terms (None: no insurance), in cents."""
    return to_cents(sum(patient_parts(billed, terms), ZERO))


def after_assistance(amount: Decimal, assistance: Decimal) -> Decimal:
    """What is left to pay once assistance is applied; never below zero."""
    return max(amount - assistance, ZERO)


def installments(amount: Decimal, count: int) -> tuple[Decimal, Decimal]:
    """`count` equal monthly payments of `amount`: (each payment, the last one). Each is cut
    down to the cent and the last takes the remainder, so they add up to `amount` exactly and
    the last is never smaller than the others."""
    each = (amount / count).quantize(CENT, rounding=ROUND_DOWN)
    return each, amount - each * (count - 1)


def course_patient_pays(
    sessions: int,
    session_fee: Decimal,
    sessions_covered: bool,
    addons: list[AddonCharge],
    terms: Insurance | None,
) -> Decimal:
    """What the patient pays for a whole course: the same as `patient_pays` over `charges(...)`,
    without walking every session once the deductible is used up.

    After the deductible, every session (with its per-session add-ons) costs the patient the same
    until the out-of-pocket maximum is reached, and after that only its uncovered charges; so
    those sessions are counted in bulk and only the sessions around each turn are walked.
    """
    if terms is None:
        return patient_pays(charges(sessions, session_fee, sessions_covered, addons), None)
    per_session = [a for a in addons if a.per == "session"]
    group = [
        Charge(session_fee, sessions_covered),
        *(Charge(a.price, a.covered) for a in per_session),
    ]
    state = _Running(terms)
    for addon in addons:
        if addon.per == "course":
            state.pay(Charge(addon.price, addon.covered))
    done = 0
    while done < sessions and state.deductible_left > 0:
        for charge in group:
            state.pay(charge)
        done += 1
    covered_part = sum((state.share_after_deductible(c.amount) for c in group if c.covered), ZERO)
    uncovered_part = sum((c.amount for c in group if not c.covered), ZERO)
    left = sessions - done
    if left and covered_part > 0 and terms.oop_max is not None:
        # whole sessions that fit under the cap, then walk the one that reaches it
        room = max(terms.oop_max - state.covered_paid, ZERO)
        fit = min(left, int(room // covered_part))
        state.covered_paid += fit * covered_part
        state.uncovered += fit * uncovered_part
        left -= fit
        if left:
            for charge in group:
                state.pay(charge)
            left -= 1
        state.uncovered += left * uncovered_part  # past the cap, covered charges cost nothing
    else:
        state.covered_paid += left * covered_part
        state.uncovered += left * uncovered_part
    return to_cents(state.covered_paid + state.uncovered)


class _Running:
    """The patient's running totals while charges are paid one by one under `terms`."""

    def __init__(self, terms: Insurance) -> None:
        self.terms = terms
        self.deductible_left = terms.deductible
        self.covered_paid = ZERO
        self.uncovered = ZERO
        self.share = terms.coinsurance / 100

    def share_after_deductible(self, amount: Decimal) -> Decimal:
        copay = min(self.terms.copay, amount)
        return copay + to_cents((amount - copay) * self.share)

    def pay(self, charge: Charge) -> None:
        if not charge.covered:
            self.uncovered += charge.amount
            return
        from_deductible = min(self.deductible_left, charge.amount)
        self.deductible_left -= from_deductible
        part = from_deductible + self.share_after_deductible(charge.amount - from_deductible)
        if self.terms.oop_max is not None:
            part = min(part, max(self.terms.oop_max - self.covered_paid, ZERO))
        self.covered_paid += part
