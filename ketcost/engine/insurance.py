"""Insurance: the per-charge rule, and what each plan year bills and costs. Pure: no I/O.

All money here is integer cents. The rule, per covered charge in the order the sessions happen:
the remaining deductible takes what it can; of the rest, the copay (at most the rest); of what
remains, the coinsurance share, rounded to the cent half up; the patient's running total for
covered charges is capped at the out-of-pocket maximum. Charges that are not covered are paid in
full and count toward neither the deductible nor the cap. The discount applies before insurance;
assistance applies last and never takes the total below zero.

Each charge is worked on the plan's allowed amount (`engine.charges`): what the plan allows
beyond it is written off by an in-network provider and billed to the patient by one out of
network. The medication on the pharmacy benefit has a deductible, copay and coinsurance of its
own when the plan gives them, else the medical ones; the out-of-pocket maximum is one cap.

Plan years (`engine.planyears`) turn on the renewal date (MM-DD; default January 1) each year from
the plan's start date. The deductible and the cap start again from the annual amounts at each
renewal.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import NamedTuple

from ketcost.domain.money import after_assistance, cents, hundredths, percent_of
from ketcost.domain.plan import Insurance
from ketcost.engine.charges import CaseCharges, Charge

ZERO = Decimal(0)


class Share(NamedTuple):
    """Cost sharing on one benefit, in cents (coinsurance in hundredths of a percent)."""

    deductible: int
    coinsurance: int
    copay: int


class Terms(NamedTuple):
    """Insurance terms in cents: the medical benefit's cost sharing, the pharmacy benefit's
    when it has terms of its own (None: the medication shares the medical terms), the one
    out-of-pocket maximum, and whether the provider is out of network."""

    medical: Share
    pharmacy: Share | None
    oop_max: int | None
    out_of_network: bool = False

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
        medical = Share(
            cents(deductible), hundredths(insurance.coinsurance), cents(insurance.copay)
        )
        pharmacy = None
        if insurance.pharmacy_terms:  # the given ones; absent ones are 0
            pharmacy = Share(
                cents(insurance.rx_deductible or ZERO),
                hundredths(insurance.rx_coinsurance or ZERO),
                cents(insurance.rx_copay or ZERO),
            )
        cap = None if oop_max is None else cents(oop_max)
        return cls(medical, pharmacy, cap, insurance.out_of_network)

    def pool(self, charge: Charge) -> int:
        """Which deductible a covered charge uses: 1 for the pharmacy benefit's own, else 0."""
        return 1 if charge.benefit == "pharmacy" and self.pharmacy is not None else 0

    def share(self, pool: int) -> Share:
        """The cost sharing of deductible pool `pool`."""
        return self.medical if pool == 0 or self.pharmacy is None else self.pharmacy


class Program(NamedTuple):
    """A savings program: the patient's share of each medication charge is at most
    `per_treatment`, the program paying the rest until its yearly maximum `cap` is used (cents).
    What it pays counts toward the deductible and the cap as the patient's own."""

    per_treatment: int
    cap: int


def patient_parts(
    billed: Iterable[Charge], terms: Terms | None, program: Program | None = None
) -> Iterator[int]:
    """What the patient pays of each charge, in order, under the terms (None: no insurance),
    after what a savings program pays of it."""
    if terms is None:
        yield from (charge.amount for charge in billed)
        return
    state = _Running(terms)
    left = program.cap if program is not None else 0
    for charge in billed:
        before = state.paid
        state.pay(charge)
        part = state.paid - before
        if program is not None and charge.medication and charge.covered and left:
            paid_by_program = min(max(part - program.per_treatment, 0), left)
            left -= paid_by_program
            part -= paid_by_program
        yield part


def patient_pays(billed: Iterable[Charge], terms: Terms | None) -> int:
    """What the patient pays for the charges under the terms (None: no insurance), in cents."""
    return sum(patient_parts(billed, terms))


def case_pays(
    case: CaseCharges, sessions: int, terms: Terms | None, first_included: bool = True
) -> int:
    """What the patient pays for `sessions` sessions of a case: the same as `patient_pays` over
    `case.in_order(sessions)`, without walking every session once the deductibles are used up.
    With `first_included` false, the sessions are all later ones (a plan year after the first).

    Once every deductible a session's charges use is used up, each session costs the patient
    the same until the out-of-pocket maximum is reached, and after that only what insurance
    does not cover; so those sessions are counted in bulk and only the sessions around each
    turn are walked.
    """
    if terms is None:
        return case.billed(sessions, first_included)
    state = _Running(terms)
    if first_included:
        for charge in case.once:
            state.pay(charge)
        if sessions:
            for charge in case.first:
                state.pay(charge)
            sessions -= 1
    state.pay_sessions(case.each, sessions)
    return state.paid


class _Running:
    """The patient's running totals while charges are paid under `terms`: what covered charges
    have cost (toward the cap), what the rest has (not toward it), each deductible's rest."""

    __slots__ = ("covered_paid", "left", "terms", "uncovered")

    def __init__(self, terms: Terms) -> None:
        self.terms = terms
        pharmacy = terms.pharmacy.deductible if terms.pharmacy is not None else 0
        self.left = [terms.medical.deductible, pharmacy]
        self.covered_paid = 0
        self.uncovered = 0

    @property
    def paid(self) -> int:
        return self.covered_paid + self.uncovered

    def _beyond(self, charge: Charge) -> int:
        """What the patient pays of a covered charge beyond the allowed amount: the balance an
        out-of-network provider bills (in network it is written off)."""
        return charge.amount - charge.allows if self.terms.out_of_network else 0

    def pay(self, charge: Charge) -> None:
        if not charge.covered:
            self.uncovered += charge.amount
            return
        pool = self.terms.pool(charge)
        allowed = charge.allows
        from_deductible = min(self.left[pool], allowed)
        self.left[pool] -= from_deductible
        part = from_deductible + _after_deductible(
            allowed - from_deductible, self.terms.share(pool)
        )
        if self.terms.oop_max is not None:
            part = min(part, max(self.terms.oop_max - self.covered_paid, 0))
        self.covered_paid += part
        self.uncovered += self._beyond(charge)

    def pay_sessions(self, group: tuple[Charge, ...], sessions: int) -> None:
        """`sessions` sessions of the charges `group`, counted in bulk where they cost the same."""
        terms = self.terms
        uncovered_part = 0  # what a session costs that counts toward no deductible or cap
        need = [0, 0]  # what a session's covered charges take of each deductible in full
        covered_part = 0  # what a session's covered charges cost once the deductibles are met
        for charge in group:
            if not charge.covered:
                uncovered_part += charge.amount
                continue
            pool = terms.pool(charge)
            allowed = charge.allows
            need[pool] += allowed
            covered_part += _after_deductible(allowed, terms.share(pool))
            uncovered_part += self._beyond(charge)
        covered_sum = need[0] + need[1]
        oop_max = terms.oop_max
        done = 0
        if covered_sum > 0:
            # whole sessions the deductibles take in full (and the cap has room for)
            done = sessions
            for pool in (0, 1):
                if need[pool]:
                    done = min(done, self.left[pool] // need[pool])
            if oop_max is not None:
                done = min(done, max(oop_max - self.covered_paid, 0) // covered_sum)
            for pool in (0, 1):
                self.left[pool] -= done * need[pool]
            self.covered_paid += done * covered_sum
            self.uncovered += done * uncovered_part
            while done < sessions and any(self.left[p] > 0 and need[p] for p in (0, 1)):
                for charge in group:
                    self.pay(charge)
                done += 1
        left = sessions - done
        if left and covered_part > 0 and oop_max is not None:
            # whole sessions that fit under the cap, then walk the one that reaches it
            room = max(oop_max - self.covered_paid, 0)
            fit = min(left, room // covered_part)
            self.covered_paid += fit * covered_part
            self.uncovered += fit * uncovered_part
            left -= fit
            if left:
                for charge in group:
                    self.pay(charge)
                left -= 1
            self.uncovered += left * uncovered_part  # past the cap, covered charges cost nothing
        else:
            self.covered_paid += left * covered_part
            self.uncovered += left * uncovered_part


def _after_deductible(amount: int, share: Share) -> int:
    """The patient's part of an allowed amount past the deductible: the copay (at most the
    amount), then the coinsurance share of the rest, to the cent half up."""
    copay = min(share.copay, amount)
    return copay + percent_of(amount - copay, share.coinsurance)


class CaseYears(NamedTuple):
    """One case of a course, split by plan year: sessions, and cents billed and paid by the
    patient."""

    sessions: Sequence[int]
    billed: list[int]
    patient: list[int]  # a savings program's payments included: they count as the patient's
    program: list[int]  # what a savings program pays
    written_off: list[int]  # what the plan does not allow of covered charges


def case_years(
    sessions: Sequence[int],
    case: CaseCharges,
    terms: Terms | None,
    renewed: Terms | None,
    program: Program | None = None,
    authorized: int | None = None,
) -> CaseYears:
    """What one case bills, the patient pays, a savings program pays and the provider writes
    off in each plan year, from its `sessions` in each (see `year_counts`): the deductible and
    the cap start again from the annual amounts at each renewal, and the program's yearly
    maximum with them; the course add-ons and the first session fall in the first. `terms` apply
    in the first plan year and `renewed` after each renewal (None: no insurance). Only the first
    `authorized` sessions are covered (None: all); the rest are paid in full."""
    billed, patient, by_program, written_off = [], [], [], []
    before = 0  # sessions in the plan years before this one
    for index, count in enumerate(sessions):
        first = index == 0
        year_terms = terms if first else renewed
        covered = count if authorized is None else min(max(authorized - before, 0), count)
        before += count
        billed.append(case.billed(count, first))
        own = case_pays(case, covered, year_terms, first)
        # the sessions past the authorization are paid in full
        past = billed[-1] - case.billed(covered, first) if covered < count else 0
        patient.append(own + past)
        written_off.append(0 if year_terms is None else case.written_off(covered, first))
        if program is None or year_terms is None:
            by_program.append(0)
            continue
        if first:
            walked = [charge for _, charge in case.in_order(covered)]
        else:
            walked = [charge for _ in range(covered) for charge in case.each]
        by_program.append(own - sum(patient_parts(walked, year_terms, program)))
    return CaseYears(sessions, billed, patient, by_program, written_off)


def assisted(paid: Sequence[int], assistance: int) -> list[int]:
    """Assistance taken off the earliest amounts first; none goes below zero."""
    left = assistance
    after = []
    for amount in paid:
        used = min(left, amount)
        left -= used
        after.append(after_assistance(amount, used))
    return after
