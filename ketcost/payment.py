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
    deductible_left = terms.deductible
    covered_paid = ZERO
    share = terms.coinsurance / 100
    for charge in billed:
        if not charge.covered:
            yield charge.amount
            continue
        from_deductible = min(deductible_left, charge.amount)
        deductible_left -= from_deductible
        rest = charge.amount - from_deductible
        copay = min(terms.copay, rest)
        part = from_deductible + copay + to_cents((rest - copay) * share)
        if terms.oop_max is not None:
            part = min(part, max(terms.oop_max - covered_paid, ZERO))
        covered_paid += part
        yield part


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
