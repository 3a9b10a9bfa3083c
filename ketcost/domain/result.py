"""What an estimate holds: plain, slotted, immutable result objects, typed and documented.

The engine makes hundreds of thousands of these in a batch run, so they are frozen slotted
dataclasses rather than validated models: their values come from validated inputs and exact
arithmetic. They are also the one definition of the JSON's shape: `ketcost schema estimate` is
generated from them, and `render.json` writes them field by field, in this order.

Money is `Decimal` with two places (the engine computes in integer cents and converts once, at
the end); counts are `int`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import ConfigDict

_CLOSED = ConfigDict(extra="forbid")  # for the schema only: no other keys


@dataclass(frozen=True, slots=True)
class Count:
    """A count, low to high (low <= high)."""

    __pydantic_config__ = _CLOSED

    low: int
    high: int


@dataclass(frozen=True, slots=True)
class Money:
    """Money, low to high (low <= high), in the sheet's currency."""

    __pydantic_config__ = _CLOSED

    low: Decimal
    high: Decimal


@dataclass(frozen=True, slots=True)
class Cases:
    """Money in the low case and the high case; unlike a Money range, a discount's high case is
    the larger reduction, so `high` may be below `low`."""

    __pydantic_config__ = _CLOSED

    low: Decimal
    high: Decimal


@dataclass(frozen=True, slots=True)
class CaseCount:
    """A count in the low case and the high case, each on its own (low may be above high)."""

    __pydantic_config__ = _CLOSED

    low: int
    high: int


@dataclass(frozen=True, slots=True)
class SheetInfo:
    """Which price sheet an estimate used."""

    __pydantic_config__ = _CLOSED

    name: str
    as_of: date
    source: str


@dataclass(frozen=True, slots=True)
class PhaseCost:
    """One phase of an estimate."""

    __pydantic_config__ = _CLOSED

    name: str
    part: Literal["induction", "maintenance"]
    schedule: str
    sessions: Count
    price_per_session: Money
    cost: Money


@dataclass(frozen=True, slots=True)
class LineItem:
    """One billed line: a phase of sessions, the medication, an add-on, a clinic package (its
    price, and the session fees it pays as a negative amount), or the discount (negative)."""

    __pydantic_config__ = _CLOSED

    label: str
    kind: Literal["session", "medication", "addon", "package", "discount"]
    quantity: Count
    unit_price: Cases
    amount: Cases
    # A medication line's quantity is its units (devices); these are its devices and its mg in
    # all, low to high. None on other lines.
    devices: Count | None = None
    mg: Count | None = None


@dataclass(frozen=True, slots=True)
class PlanYear:
    """One plan year of a course: when it runs (dates when the course has a start date, else
    week numbers from the first session), its sessions and who pays what, low and high case."""

    __pydantic_config__ = _CLOSED

    starts: date | int
    ends: date | int
    sessions: CaseCount
    out_of_pocket: Cases
    insurer_pays: Cases


@dataclass(frozen=True, slots=True)
class InsuranceResult:
    """The insurance terms applied and what the insurer pays."""

    __pydantic_config__ = _CLOSED

    payer: Literal["commercial", "medicare", "medicaid"]
    covered: bool
    deductible: Decimal
    coinsurance: Decimal
    copay: Decimal
    oop_max: Decimal | None
    insurer_pays: Money
    annual_deductible: Decimal
    annual_oop_max: Decimal | None
    plan_year_renews: str
    plan_years: tuple[PlanYear, ...]
    # What the plan allows of the bill (None: no allowed amount given, the billed amount), the
    # part of the bill it does not allow that an in-network provider writes off (nobody's cost),
    # and whether the provider is out of network (then that part is the patient's).
    allowed: Money | None
    provider_writeoff: Money
    out_of_network: bool
    # What the medication's savings program pays (None: no program); it counts toward the
    # deductible and the cap as the patient's own, and is not in out_of_pocket.
    savings_program_pays: Money | None


@dataclass(frozen=True, slots=True)
class Installments:
    """The out-of-pocket range in equal monthly payments; the last absorbs the rounding."""

    __pydantic_config__ = _CLOSED

    count: int
    payment: Money
    last_payment: Money


@dataclass(frozen=True, slots=True)
class Budget:
    """The budget given and whether the out-of-pocket may exceed it (its high end is above the
    limit: the command then exits 3)."""

    __pydantic_config__ = _CLOSED

    limit: Decimal
    exceeded: bool


@dataclass(frozen=True, slots=True)
class PreTax:
    """Paying the out-of-pocket amount from a pre-tax account: the part the account pays (at
    most its limit each plan year) and what the course costs after the tax that part saves."""

    __pydantic_config__ = _CLOSED

    account: Literal["hsa", "fsa"]
    tax_rate: Decimal
    limit: Decimal
    from_account: Money
    after_tax: Money


@dataclass(frozen=True, slots=True)
class Estimate:
    """The result: sessions and cost per phase and in total, as low–high ranges."""

    __pydantic_config__ = _CLOSED

    schema_version: Literal[1] = field(default=1, kw_only=True)
    currency: str
    route: str
    route_label: str
    protocol: str
    protocol_label: str
    price_sheet: SheetInfo
    phases: tuple[PhaseCost, ...]
    sessions: Count
    line_items: tuple[LineItem, ...]
    total: Money
    insurance: InsuranceResult | None
    assistance: Money
    out_of_pocket: Money
    installments: Installments | None
    maintenance_months: int
    months: int | None
    start: date | None
    assumptions: tuple[str, ...]
    # Ways the plan is outside the route's label or usual practice, or an option does nothing;
    # the command adds its own (a value likely misread, an old price sheet).
    warnings: tuple[str, ...]
    budget: Budget | None = field(default=None, kw_only=True)  # --budget, when given
    pre_tax: PreTax | None = field(default=None, kw_only=True)  # --pretax, when given
    disclaimer: str
