"""What one case (low or high) of a course bills, charge by charge, as insurance reads it.

A session can be several charges, in this order: the visit (the route's session fee after the
discount), the medication (for a route whose sheet bills it by the unit), then the session's
add-ons. Course add-ons are billed once, before the first session. The first session differs
from the later ones only by its dose (the label starts at 56 mg), so a case is three groups:
`once`, `first` and `each` (every later session). All money is integer cents.

The plan's allowed amount: `--allowed PCT%` makes each covered medical charge's allowed amount
that share of it (to the cent, half up); `--allowed AMOUNT` is what the plan allows for a
session's covered medical charges together, so they are one charge to insurance (as Medicare's
G-codes bill the visit and the medication as one), allowing at most what is billed. A charge
insurance does not cover has no allowed amount of its own: it is paid as billed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from ketcost.domain.money import percent_of

Benefit = Literal["medical", "pharmacy"]


@dataclass(frozen=True, slots=True)
class Charge:
    """One thing billed, in cents: what is billed, what the plan allows of it, whether insurance
    covers it and through which benefit."""

    amount: int
    covered: bool
    allowed: int | None = None  # None: what is billed
    benefit: Benefit = "medical"
    medication: bool = False  # the medication's own charge (a savings program pays toward it)

    @property
    def allows(self) -> int:
        """What the plan allows of it, in cents."""
        return self.amount if self.allowed is None else self.allowed


@dataclass(frozen=True, slots=True)
class CaseCharges:
    """One case's charges: the course add-ons, the first session's and each later session's."""

    once: tuple[Charge, ...]
    first: tuple[Charge, ...]
    each: tuple[Charge, ...]

    def in_order(self, sessions: int) -> Iterator[tuple[int, Charge]]:
        """Every charge of `sessions` sessions in billing order, with the session it belongs to
        (counted from 0; the course add-ons belong to the first)."""
        for charge in self.once:
            yield 0, charge
        for session in range(sessions):
            for charge in self.first if session == 0 else self.each:
                yield session, charge

    def billed(self, sessions: int, first_included: bool = True) -> int:
        """What `sessions` sessions bill: with the course add-ons and the first session when
        `first_included`, else `sessions` later sessions."""
        return self._sum(sessions, first_included, lambda c: c.amount)

    def written_off(self, sessions: int, first_included: bool = True) -> int:
        """What the plan does not allow of the covered charges (as `billed` counts sessions):
        an in-network provider writes it off."""
        return self._sum(
            sessions, first_included, lambda c: c.amount - c.allows if c.covered else 0
        )

    def _sum(self, sessions: int, first_included: bool, value: Callable[[Charge], int]) -> int:
        each = sum([value(c) for c in self.each])
        if not first_included:
            return sessions * each
        if sessions == 0:
            return sum([value(c) for c in self.once])
        head = sum([value(c) for c in (*self.once, *self.first)])
        return head + (sessions - 1) * each


@dataclass(frozen=True, slots=True)
class Allowed:
    """The plan's allowed-amount rule: an amount per session (cents) or a share (hundredths of
    a percent) of each covered medical charge; neither: the billed amount."""

    per_session: int | None = None
    share: int | None = None


def session_charges(group: Sequence[Charge], rule: Allowed) -> tuple[Charge, ...]:
    """A session's charges with the plan's allowed amounts applied (see the module's text)."""
    if rule.share is not None:
        return tuple(
            replace(c, allowed=percent_of(c.amount, rule.share)) if _medical(c) else c
            for c in group
        )
    if rule.per_session is not None:
        medical = [c for c in group if _medical(c)]
        if not medical:
            return tuple(group)
        together = sum([c.amount for c in medical])
        merged = Charge(together, True, min(rule.per_session, together))
        return (merged, *(c for c in group if not _medical(c)))
    return tuple(group)


def course_charges(once: Sequence[Charge], rule: Allowed) -> tuple[Charge, ...]:
    """The course add-ons with a share rule applied; a per-session amount does not reach them."""
    if rule.share is None:
        return tuple(once)
    return session_charges(once, rule)


def _medical(charge: Charge) -> bool:
    return charge.covered and charge.benefit == "medical"
