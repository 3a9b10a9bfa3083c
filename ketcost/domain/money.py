"""Money as integer cents, and the one rounding rule.

The engine computes in whole cents (so every sum is exact without Decimal on the hot path) and
turns cents into two-place `Decimal`s once, where results are made. Everything that rounds money
rounds it here: to the cent, half up.
"""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")

Pair = tuple[int, int]  # a low case and a high case, in cents or counts


def to_cents(amount: Decimal) -> Decimal:
    """Money rounded to the cent, half up: the one rounding rule for money."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def cents(amount: Decimal) -> int:
    """A Decimal amount as whole cents, rounded half up (validated amounts are whole cents)."""
    numerator, denominator = amount.as_integer_ratio()
    if 100 % denominator == 0:  # a whole number of cents: exact, in integers
        return numerator * (100 // denominator)
    return int(to_cents(amount).scaleb(2))


def decimal(amount: int) -> Decimal:
    """Whole cents as a Decimal with two places (`12345` -> `123.45`)."""
    return Decimal(amount).scaleb(-2)


def half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded to the nearest whole number, halves up (both >= 0)."""
    return (2 * numerator + denominator) // (2 * denominator)


def hundredths(percentage: Decimal) -> int:
    """A percentage with at most two decimals as hundredths of a percent (`12.5` -> `1250`)."""
    return int(percentage.scaleb(2))


def percent_of(amount: int, share: int) -> int:
    """`share` hundredths of a percent of `amount` cents, in cents, half up (20% is 2000)."""
    return half_up(amount * share, 10000)


def discounted(price: int, discount: Decimal) -> int:
    """A session fee in cents after a discount (a percentage), half up: the one discount rule."""
    if not discount:
        return price
    return half_up(price * (10000 - hundredths(discount)), 10000)


def after_assistance(amount: int, assistance: int) -> int:
    """What is left to pay once assistance is applied; never below zero."""
    return max(amount - assistance, 0)


def installments(amount: int, count: int) -> tuple[int, int]:
    """`count` equal monthly payments of `amount`: (each payment, the last one). Each is cut
    down to the cent and the last takes the remainder, so they add up to `amount` exactly and
    the last is never smaller than the others."""
    each = amount // count
    return each, amount - each * (count - 1)
