"""The plan: what a person asks for (route, protocol, schedule changes, add-ons, insurance),
validated by pydantic at the input boundary."""

import re
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from ketcost.domain.values import (
    FROZEN,
    Amount,
    CountRange,
    Day,
    MonthDay,
    Percentage,
    PositiveMoney,
    Text,
    bounded_count,
    bounded_whole,
    parse_amount,
    quoted,
)

WEEKS_BOUNDS = (1, 52)
PER_WEEK_BOUNDS = (1, 7)
SESSIONS_BOUNDS = (1, 100)
MAINTENANCE_MONTHS_BOUNDS = (0, 120)
MONTHS_BOUNDS = (1, 120)
INSTALLMENTS_BOUNDS = (1, 120)


class Maintenance(StrEnum):
    """How often maintenance sessions happen, replacing the protocol's open-ended phase."""

    MONTHLY = "monthly"
    BIWEEKLY = "biweekly"
    WEEKLY = "weekly"
    MONTHLY_BIWEEKLY = "monthly-biweekly"


class Extra(BaseModel):
    """An add-on that is not in the price sheet, e.g. `psychotherapy=150-250/session`."""

    model_config = FROZEN

    label: Text
    price: PositiveMoney
    per: Literal["session", "course"]

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        # The label runs to the last `=`, so a label may hold one.
        match = re.fullmatch(r"\s*(.+?)\s*=\s*([^=/]+?)\s*/\s*(session|course)\s*", value)
        if match is None or "=" in match[2]:
            match = re.fullmatch(r"\s*(.+)\s*=\s*([^=/]+?)\s*/\s*(session|course)\s*", value)
        if match is None:
            raise ValueError("expected LABEL=PRICE/session or LABEL=LOW-HIGH/course")
        ends = re.fullmatch(r"(.+?)(?:\s*[-–]\s*([^-–]+))?", match[2].strip())
        try:
            assert ends is not None
            low = parse_amount(ends[1])
            high = low if ends[2] is None else parse_amount(ends[2])
        except (AssertionError, ValueError):
            raise ValueError(
                f"price {quoted(match[2])} is not an amount or a range such as 150-250"
            ) from None
        return {"label": match[1].strip(), "price": [low, high], "per": match[3]}


class Insurance(BaseModel):
    """Insurance terms: what remains of the deductible and out-of-pocket maximum in the current
    plan year, shares, and what applies after each renewal."""

    model_config = FROZEN

    covered: bool | None = None
    deductible: Amount = Decimal(0)
    coinsurance: Percentage = Decimal(0)
    copay: Amount = Decimal(0)
    oop_max: Amount | None = None
    plan_year_renews: MonthDay | None = None
    annual_deductible: Amount | None = None
    annual_oop_max: Amount | None = None

    @property
    def renewed_deductible(self) -> Decimal:
        """The deductible after a renewal: the annual one (default: the same as now)."""
        return self.deductible if self.annual_deductible is None else self.annual_deductible

    @property
    def renewed_oop_max(self) -> Decimal | None:
        """The out-of-pocket maximum after a renewal: the annual one (default: the same)."""
        return self.oop_max if self.annual_oop_max is None else self.annual_oop_max


class Plan(BaseModel):
    """What a person asks for: a route, a protocol and changes to its schedule."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, defer_build=True)

    route: str | None = None
    protocol: str | None = None  # None: the route's default protocol
    weeks: Annotated[CountRange, BeforeValidator(bounded_count(*WEEKS_BOUNDS))] | None = None
    per_week: Annotated[CountRange, BeforeValidator(bounded_count(*PER_WEEK_BOUNDS))] | None = None
    sessions: Annotated[CountRange, BeforeValidator(bounded_count(*SESSIONS_BOUNDS))] | None = None
    maintenance: Maintenance | None = None
    maintenance_months: (
        Annotated[int, BeforeValidator(bounded_whole(*MAINTENANCE_MONTHS_BOUNDS))] | None
    ) = None
    months: Annotated[int, BeforeValidator(bounded_whole(*MONTHS_BOUNDS))] | None = None
    start: Day | None = None

    with_: tuple[str, ...] = Field(default=(), alias="with")
    extra: tuple[Extra, ...] = ()
    discount: Percentage = Decimal(0)
    assistance: Amount = Decimal(0)
    insurance: Insurance | None = None
    installments: Annotated[int, BeforeValidator(bounded_whole(*INSTALLMENTS_BOUNDS))] | None = None

    @model_validator(mode="after")
    def _one_first_phase_frequency(self) -> Self:
        if self.sessions is not None and self.per_week is not None:
            raise ValueError(
                "a sessions-per-week frequency and a fixed session count cannot be combined "
                "(--per-week and --sessions); give one of them"
            )
        if self.months is not None and self.maintenance_months is not None:
            raise ValueError(
                "--months (the whole course) and --maintenance-months (the maintenance part) "
                "exclude each other; give one of them"
            )
        return self

    @property
    def maintenance_length(self) -> int:
        """Months of maintenance asked for with maintenance_months (0: none)."""
        return self.maintenance_months or 0


def with_start(plan: Plan) -> Plan:
    """A plan whose insurance renews on a calendar date starts today unless it says when."""
    if plan.start is None and plan.insurance and plan.insurance.plan_year_renews:
        return plan.model_copy(update={"start": date.today()})
    return plan
