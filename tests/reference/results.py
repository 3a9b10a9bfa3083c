"""Today's result models (pydantic), kept as the differential test's reference: the engine's
JSON must be byte for byte what `Estimate.model_dump(mode="json")` gives for these."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict

from ketcost.models import Range

_FROZEN = ConfigDict(frozen=True, extra="forbid")
M = TypeVar("M", bound=BaseModel)
Money = Range[Decimal]
Count = Range[int]


def build(cls: type[M], **values: Any) -> M:
    """A model from trusted values, every field given, without validation."""
    made = cls.__new__(cls)
    object.__setattr__(made, "__dict__", values)
    object.__setattr__(made, "__pydantic_fields_set__", set(values))
    object.__setattr__(made, "__pydantic_extra__", None)
    object.__setattr__(made, "__pydantic_private__", None)
    return made


def money(low: Decimal, high: Decimal) -> Money:
    return build(Money, low=low, high=high)


def count(low: int, high: int | None = None) -> Count:
    return build(Count, low=low, high=low if high is None else high)


# --- results -----------------------------------------------------------------------------------


class SheetInfo(BaseModel):
    """Which price sheet an estimate used."""

    model_config = _FROZEN

    name: str
    as_of: date
    source: str


class PhaseCost(BaseModel):
    """One phase of an estimate."""

    model_config = _FROZEN

    name: str
    part: Literal["induction", "maintenance"]
    schedule: str
    sessions: Count
    price_per_session: Money
    cost: Money


class Cases(BaseModel):
    """Money in the low case and the high case; unlike a Range, a discount's high case is the
    larger reduction, so `high` may be below `low`."""

    model_config = _FROZEN

    low: Decimal
    high: Decimal


class LineItem(BaseModel):
    """One billed line: a phase of sessions, an add-on, or the discount (a negative amount)."""

    model_config = _FROZEN

    label: str
    kind: Literal["session", "addon", "discount"]
    quantity: Count
    unit_price: Cases
    amount: Cases


class CaseCount(BaseModel):
    """A count in the low case and the high case, each on its own (low may be above high)."""

    model_config = _FROZEN

    low: int
    high: int


class PlanYear(BaseModel):
    """One plan year of a course: when it runs (dates when the course has a start date, else
    week numbers from the first session), its sessions and who pays what, low and high case."""

    model_config = _FROZEN

    starts: date | int
    ends: date | int
    sessions: CaseCount
    out_of_pocket: Cases
    insurer_pays: Cases


class InsuranceResult(BaseModel):
    """The insurance terms applied and what the insurer pays."""

    model_config = _FROZEN

    covered: bool
    deductible: Decimal
    coinsurance: Decimal
    copay: Decimal
    oop_max: Decimal | None
    insurer_pays: Money
    annual_deductible: Decimal
    annual_oop_max: Decimal | None
    plan_year_renews: str | None
    plan_years: tuple[PlanYear, ...]


class Installments(BaseModel):
    """The out-of-pocket range in equal monthly payments; the last absorbs the rounding."""

    model_config = _FROZEN

    count: int
    payment: Money
    last_payment: Money


class Estimate(BaseModel):
    """The result: sessions and cost per phase and in total, as low–high ranges."""

    model_config = _FROZEN

    schema_version: Literal[1] = 1
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
    installments: Installments | None = None
    maintenance_months: int
    months: int | None = None
    start: date | None = None
    assumptions: tuple[str, ...]
    disclaimer: str
