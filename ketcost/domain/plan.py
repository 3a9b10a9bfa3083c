"""The plan: what a person asks for (route, protocol, schedule changes, add-ons, insurance),
validated by pydantic at the input boundary."""

import os
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

from ketcost.domain.payers import Payer, presets
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
    parse_date,
    quoted,
)
from ketcost.errors import InputError

WEEKS_BOUNDS = (1, 52)
PER_WEEK_BOUNDS = (1, 7)
SESSIONS_BOUNDS = (1, 100)
MAINTENANCE_MONTHS_BOUNDS = (0, 120)
MONTHS_BOUNDS = (1, 120)
INSTALLMENTS_BOUNDS = (1, 120)
DOSE_BOUNDS = (1, 10_000)
ALLOWED_TWICE = "give allowed as an amount or a share, not both"
CALENDAR_YEAR = "01-01"  # the plan year's renewal without --plan-year-renews


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
    # What the plan allows: an amount for each session's medical charges together, or a share
    # of every covered medical charge (`allowed = "60%"` is read as allowed_percent = 60).
    allowed: Amount | None = None
    allowed_percent: Percentage | None = None
    out_of_network: bool = False
    # The pharmacy benefit's own terms for the medication (None of them: it shares the medical
    # terms); the out-of-pocket maximum stays one cap.
    rx_deductible: Amount | None = None
    rx_coinsurance: Percentage | None = None
    rx_copay: Amount | None = None
    # Who pays: a commercial plan (its terms as given), Original Medicare or Medicaid (their
    # presets, `domain.payers`, for the terms not given). Self-pay is no insurance at all.
    payer: Payer = "commercial"
    # The medication's manufacturer savings program (commercial insurance only) and its yearly
    # maximum when the price sheet has none.
    savings_program: bool = False
    savings_cap: Amount | None = None
    # Prior authorization for N months from the start: later sessions are not covered.
    authorized_months: Annotated[int, BeforeValidator(bounded_whole(*MONTHS_BOUNDS))] | None = None

    @model_validator(mode="before")
    @classmethod
    def _payer_presets(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("payer") in ("medicare", "medicaid"):
            preset = presets()[data["payer"]]
            data = {"deductible": preset.deductible, "coinsurance": preset.coinsurance, **data}
            if data["payer"] == "medicaid":
                data.setdefault("covered", True)
        return data

    @model_validator(mode="before")
    @classmethod
    def _allowed_share(cls, data: Any) -> Any:
        if isinstance(data, dict):
            given = data.get("allowed")
            if isinstance(given, str) and given.strip().endswith("%"):
                if data.get("allowed_percent") is not None:
                    raise ValueError(ALLOWED_TWICE)
                data = {**data, "allowed": None, "allowed_percent": given}
        return data

    @model_validator(mode="after")
    def _one_allowed(self) -> Self:
        if self.allowed is not None and self.allowed_percent is not None:
            raise ValueError(ALLOWED_TWICE)
        return self

    @property
    def renews(self) -> str:
        """The day (MM-DD) the plan year renews: as given, else January 1, as most plans do."""
        return self.plan_year_renews or CALENDAR_YEAR

    @property
    def pharmacy_terms(self) -> bool:
        """Whether the pharmacy benefit has terms of its own."""
        return any(
            value is not None for value in (self.rx_deductible, self.rx_coinsurance, self.rx_copay)
        )

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
    # The dose (mg) the clinician sets, for a route whose sheet bills its medication by the
    # unit (None: the label's doses); `included`: the session price already includes it.
    dose: Annotated[CountRange, BeforeValidator(bounded_count(*DOSE_BOUNDS))] | None = None
    medication: Literal["separate", "included"] = "separate"

    with_: tuple[str, ...] = Field(default=(), alias="with")
    extra: tuple[Extra, ...] = ()
    discount: Percentage = Decimal(0)
    assistance: Amount = Decimal(0)
    # A ride to and from each session (a route after which the patient may not drive).
    ride: Amount | None = None
    # A clinic package on the route (`[routes.ID.packages.NAME]` in the price sheet).
    package: Text | None = None
    # Paying from pre-tax money: the account, the patient's tax rate (federal plus state,
    # marginal) and what the account holds a year (default: the year's legal limit).
    pretax: Literal["hsa", "fsa"] | None = None
    tax_rate: Percentage | None = None
    pretax_limit: Amount | None = None
    insurance: Insurance | None = None
    installments: Annotated[int, BeforeValidator(bounded_whole(*INSTALLMENTS_BOUNDS))] | None = None

    @model_validator(mode="after")
    def _one_first_phase_frequency(self) -> Self:
        if self.sessions is not None and self.per_week is not None:
            raise ValueError(
                "a sessions-per-week frequency and a fixed session count cannot be combined "
                "(--per-week and --sessions); give one of them"
            )
        if self.pretax is not None and self.tax_rate is None:
            raise ValueError(
                "--pretax needs --tax-rate PCT: your federal plus state tax rate, which the "
                "money from the account saves"
            )
        if self.pretax is None and (self.tax_rate is not None or self.pretax_limit is not None):
            given = "--tax-rate" if self.tax_rate is not None else "--pretax-limit"
            raise ValueError(f"{given} is for --pretax hsa or fsa: give the account too")
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


def today() -> date:
    """Today's date: an insured plan's first session when it gives none, a quote's or a Good
    Faith Estimate's date, the day a price sheet's age is counted to. $KETCOST_TODAY
    (YYYY-MM-DD) when set, for runs that must give the same output on any day."""
    pinned = os.environ.get("KETCOST_TODAY")
    if not pinned:
        return date.today()
    try:
        return parse_date(pinned)
    except ValueError as error:
        raise InputError(f"KETCOST_TODAY={quoted(pinned)}: {error}") from None


def with_start(plan: Plan, day: date | None = None) -> Plan:
    """An insured plan starts on `day` (None: today) unless it says when: its plan years follow
    the calendar."""
    if plan.start is None and plan.insurance is not None:
        return plan.model_copy(update={"start": day or today()})
    return plan
