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

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from ketcost.domain.money import Pair, percent_of

Benefit = Literal["medical", "pharmacy"]


class Charge(NamedTuple):
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


def _sums(charges: tuple[Charge, ...]) -> Pair:
    """What charges bill together, and what the plan does not allow of the covered ones."""
    billed = written_off = 0
    for charge in charges:
        billed += charge.amount
        if charge.covered and charge.allowed is not None:
            written_off += charge.amount - charge.allowed
    return billed, written_off


@dataclass(frozen=True, slots=True)
class CaseCharges:
    """One case's charges: the course add-ons, the first session's and each later session's;
    with what each group bills and has written off, summed once (`billed`, `written_off`)."""

    once: tuple[Charge, ...]
    first: tuple[Charge, ...]
    each: tuple[Charge, ...]
    # A package's price split across its sessions (`engine.bill.PackagePrice.parts`): each of
    # the first sessions' visits bills its part in place of the fee. Only without insurance.
    package: tuple[int, ...] = ()
    # (the course add-ons, the add-ons and first session, a later session): billed, written off
    _billed: tuple[int, int, int] = field(init=False, repr=False, compare=False)
    _written_off: tuple[int, int, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        once, first, each = _sums(self.once), _sums(self.first), _sums(self.each)
        head = (once[0] + first[0], once[1] + first[1])
        object.__setattr__(self, "_billed", (once[0], head[0], each[0]))
        object.__setattr__(self, "_written_off", (once[1], head[1], each[1]))

    def in_order(self, sessions: int) -> Iterator[tuple[int, Charge]]:
        """Every charge of `sessions` sessions in billing order, with the session it belongs to
        (counted from 0; the course add-ons belong to the first)."""
        for charge in self.once:
            yield 0, charge
        parts = self.package
        for session in range(sessions):
            group = self.first if session == 0 else self.each
            if session < len(parts):
                # the visit bills the package's part; a course shorter than the package pays
                # the rest of it with its last session
                last = session == sessions - 1
                part = sum(parts[session:]) if last else parts[session]
                group = (group[0]._replace(amount=part), *group[1:])
            for charge in group:
                yield session, charge

    def billed(self, sessions: int, first_included: bool = True) -> int:
        """What `sessions` sessions bill: with the course add-ons and the first session when
        `first_included`, else `sessions` later sessions."""
        return _count(self._billed, sessions, first_included)

    def written_off(self, sessions: int, first_included: bool = True) -> int:
        """What the plan does not allow of the covered charges (as `billed` counts sessions):
        an in-network provider writes it off."""
        return _count(self._written_off, sessions, first_included)


def _count(sums: tuple[int, int, int], sessions: int, first_included: bool) -> int:
    """`sessions` sessions of a group's sums (see `CaseCharges`)."""
    once, head, each = sums
    if not first_included:
        return sessions * each
    return once if sessions == 0 else head + (sessions - 1) * each


class Allowed(NamedTuple):
    """The plan's allowed-amount rule: an amount per session (cents) or a share (hundredths of
    a percent) of each covered medical charge; neither: the billed amount."""

    per_session: int | None = None
    share: int | None = None


AS_BILLED = Allowed()  # no allowed-amount rule: the plan allows what is billed


def session_charges(group: Sequence[Charge], rule: Allowed) -> tuple[Charge, ...]:
    """A session's charges with the plan's allowed amounts applied (see the module's text)."""
    if rule.share is not None:
        return tuple(
            c._replace(allowed=percent_of(c.amount, rule.share)) if _medical(c) else c
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


def case_charges(
    fee: int,
    covered: bool,
    medication: tuple[int, int, Benefit] | None,
    per_session: tuple[Charge, ...],
    per_course: tuple[Charge, ...],
    rule: Allowed,
) -> CaseCharges:
    """One case's charge groups: the visit at `fee`, the medication (its first session's and
    each later session's amount, and its benefit), the session add-ons, the course add-ons,
    each on the plan's allowed amounts."""
    once = course_charges(per_course, rule)
    visit = Charge(fee, covered)
    if medication is None:
        group = session_charges((visit, *per_session), rule)
        return CaseCharges(once, group, group)
    first, each, benefit = medication
    return CaseCharges(
        once,
        session_charges((visit, Charge(first, covered, None, benefit, True), *per_session), rule),
        session_charges((visit, Charge(each, covered, None, benefit, True), *per_session), rule),
    )
