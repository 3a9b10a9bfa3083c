"""The price-sheet file: pydantic models that validate a sheet's TOML, say what is wrong with
it, and give `ketcost schema price-sheet`; a valid sheet becomes the engine's plain
`ketcost.domain.sheet.PriceSheet`.

Only a run that reads a sheet file (or prints its schema) imports this module: the shipped sheet
is valid by its tests and made into plain objects directly. The class names here are the
schema's (`Route`, `Phase`, ...): the plain classes in `ketcost.domain.sheet` have the same names
and fields.
"""

import re
from datetime import date
from typing import Annotated, Any, Literal, Self, overload

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from ketcost.domain import sheet as pricesheet
from ketcost.domain.sheet import FREQUENCY_KEYS, PHASE_BOUNDS, PhaseRules
from ketcost.domain.values import (
    FROZEN,
    Amount,
    Clean,
    PositiveCount,
    PositiveMoney,
    PositiveQuantity,
    Text,
)
from ketcost.errors import SheetError
from ketcost.io.sheetproblems import (
    CrossReferenceError,
    raw_reference_problems,
    reference_problems,
    sheet_problems,
)
from ketcost.io.sheets import TOO_DEEP, load_toml


def _sheet_id(value: str) -> str:
    """A route, protocol or add-on id: what people type after --route, -p and --with."""
    if not re.fullmatch(ID_PATTERN, value):
        raise ValueError(
            f"{value[:40]!r} is not an id: an id is 1 to 64 letters, digits, - and _ "
            "(e.g. iv or my-clinic_iv)"
        )
    return value


ID_PATTERN = "^[A-Za-z0-9_-]{1,64}$"
SheetId = Annotated[
    str, AfterValidator(_sheet_id), Field(json_schema_extra={"pattern": ID_PATTERN})
]


def _unordered(value: Any) -> Any:
    """`every_weeks = [6, 2]` and `[2, 6]` mean the same: the rarer end is the low case."""
    if isinstance(value, list | tuple) and len(value) == 2:
        try:
            return sorted(value)
        except TypeError:
            return value
    return value


class Phase(BaseModel, PhaseRules):
    """One phase of a protocol: a duration (or none: open-ended) and a frequency or fixed count."""

    model_config = FROZEN

    name: Text
    weeks: PositiveQuantity | None = None
    months: PositiveQuantity | None = None
    per_week: PositiveQuantity | None = None
    per_month: PositiveQuantity | None = None
    per_year: PositiveQuantity | None = None
    every_weeks: Annotated[PositiveQuantity, BeforeValidator(_unordered)] | None = None
    sessions: PositiveCount | None = None
    # Which part of the course: by default an open-ended phase is maintenance, others induction.
    part: Literal["induction", "maintenance"] | None = None
    # The first session falls one interval after the phase before ends (boosters after a series).
    starts_one_interval_after: bool = False

    @model_validator(mode="after")
    def _one_frequency(self) -> Self:
        given = [key for key in FREQUENCY_KEYS if getattr(self, key) is not None]
        if self.sessions is not None and given:
            raise ValueError(f"give a frequency or a fixed `sessions` count, not both ({given[0]})")
        if len(given) > 1:
            raise ValueError(f"a phase has one frequency; found {' and '.join(given)}")
        if not given and self.sessions is None:
            raise ValueError(
                "a phase needs a frequency (per_week, per_month, per_year or every_weeks) "
                "or a fixed `sessions` count"
            )
        if self.weeks is not None and self.months is not None:
            raise ValueError("give the duration in weeks or in months, not both")
        for key, (least, most) in PHASE_BOUNDS.items():
            value = getattr(self, key)
            if value is not None and (value.low < least or value.high > most):
                raise ValueError(f"{key} must be from {least} to {most:,}")
        return self


def _web_address(value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"https://[^\s<>\"]+", value):
        raise ValueError("a source url is a public https:// address")
    return value


Url = Annotated[str, AfterValidator(_web_address)]


class Sourced(BaseModel):
    """Where a figure comes from: the source in words, its public address and its date."""

    model_config = FROZEN

    source: Text
    url: Url | None = None
    published: date | None = None


def _code(value: str) -> str:
    if not re.fullmatch(r"[A-Z0-9]{4,7}", value):
        raise ValueError(f"{value[:20]!r} is not a service code (HCPCS or CPT, e.g. G2082)")
    return value


ServiceCode = Annotated[str, AfterValidator(_code)]


def _sourced_codes(codes: tuple[str, ...], source: str | None) -> None:
    if codes and source is None:
        raise ValueError("service_codes need a service_codes_source saying where they come from")


Milligrams = Annotated[int, Field(ge=1, le=10_000)]


class SavingsProgram(BaseModel):
    """A manufacturer's savings program for the medication: commercial insurance only; the
    patient's share of the medication at most `per_treatment`, up to a yearly maximum."""

    model_config = FROZEN

    label: Text
    per_treatment: Amount
    yearly_max: Amount | None = None  # None: not published with a date; --savings-cap gives it
    source: Text
    url: Url
    retrieved: date  # the day the (undated) page was read


class Medication(Sourced):
    """The medicine a route's session bills beside the visit, by the unit (a nasal spray device,
    a vial): each session's dose, in mg, takes as many whole units as it needs."""

    label: Text
    unit_price: PositiveMoney
    mg_per_unit: Milligrams
    doses_mg: tuple[Milligrams, ...] = Field(min_length=1)
    first_dose_mg: Milligrams
    benefit: Literal["pharmacy", "medical"] = "pharmacy"
    service_codes: tuple[ServiceCode, ...] = ()
    service_codes_source: Text | None = None
    savings_program: SavingsProgram | None = None
    # The visit's own service code at each dose, when it depends on the dose (Medicare's G2082
    # up to 56 mg, G2083 over): a Good Faith Estimate lists the sessions under each.
    visit_codes: dict[Milligrams, ServiceCode] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _doses(self) -> Self:
        if list(self.doses_mg) != sorted(set(self.doses_mg)):
            raise ValueError("doses_mg lists each dose once, smallest first (e.g. [56, 84])")
        if self.first_dose_mg not in self.doses_mg:
            raise ValueError(f"first_dose_mg {self.first_dose_mg} is not one of doses_mg")
        if self.visit_codes and set(self.visit_codes) != set(self.doses_mg):
            raise ValueError("visit_codes names a code for each of doses_mg, and only those")
        _sourced_codes(self.service_codes, self.service_codes_source)
        return self


class Route(Sourced):
    """A way of giving treatment, with its published price per session."""

    label: Text
    aliases: tuple[SheetId, ...] = ()
    session_price: PositiveMoney
    session_minutes: PositiveQuantity | None = None
    observation_minutes: PositiveQuantity | None = None
    insurance_eligible: bool = False
    default_protocol: str | None = None
    max_per_week: PositiveQuantity | None = None
    max_per_week_source: Text | None = None
    service_codes: tuple[ServiceCode, ...] = ()
    service_codes_source: Text | None = None
    notes: Clean | None = None
    medication: Medication | None = None

    @model_validator(mode="after")
    def _sourced_limit(self) -> Self:
        if self.max_per_week is not None and self.max_per_week_source is None:
            raise ValueError("max_per_week needs a max_per_week_source saying where it comes from")
        _sourced_codes(self.service_codes, self.service_codes_source)
        return self


class Addon(Sourced):
    """Something billed beside treatment: once per session or once per course."""

    label: Text
    price: PositiveMoney
    per: Literal["session", "course"]
    insurance_eligible: bool = False
    # Routes with which insurance may cover it even when `insurance_eligible` is false.
    insurance_eligible_routes: tuple[str, ...] = ()
    service_codes: tuple[ServiceCode, ...] = ()
    service_codes_source: Text | None = None
    notes: Clean | None = None

    @model_validator(mode="after")
    def _sourced(self) -> Self:
        _sourced_codes(self.service_codes, self.service_codes_source)
        return self


class Protocol(Sourced):
    """A named treatment schedule: phases in the order they happen, induction first."""

    label: Text
    route: str | None = None
    notes: Clean | None = None
    phases: tuple[Phase, ...]

    @model_validator(mode="after")
    def _open_ended_last(self) -> Self:
        if not self.phases:
            raise ValueError("a protocol needs at least one phase ([[protocols.ID.phases]])")
        for index, phase in enumerate(self.phases[:-1]):
            if phase.open_ended:
                raise ValueError(
                    f"phase {index + 1} ({phase.name}) has no duration; "
                    "only the last phase may be open-ended"
                )
        parts = [phase.course_part for phase in self.phases]
        if parts != sorted(parts):  # "induction" < "maintenance"
            raise ValueError("induction phases come before maintenance phases")
        if self.phases[-1].open_ended and parts[-1] != "maintenance":
            raise ValueError("an open-ended phase is part of the maintenance")
        return self


class PriceSheet(BaseModel):
    """Published prices per route and named protocols, with where the figures come from."""

    model_config = FROZEN

    name: Text
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    as_of: date
    source: Text
    routes: dict[SheetId, Route] = Field(min_length=1)
    protocols: dict[SheetId, Protocol] = Field(default_factory=dict)
    addons: dict[SheetId, Addon] = Field(default_factory=dict)

    @field_validator("currency", mode="before")
    @classmethod
    def _currency_code(cls, value: Any) -> Any:
        if isinstance(value, str) and not re.fullmatch(r"[A-Z]{3}", value):
            raise ValueError(
                f"{value!r} is not a three-letter ISO 4217 currency code in capitals (e.g. USD)"
            )
        return value

    @model_validator(mode="after")
    def _references(self) -> Self:
        problems = reference_problems(
            {rid: list(r.aliases) for rid, r in self.routes.items()},
            {pid: p.route for pid, p in self.protocols.items()},
        )
        for route_id, route in self.routes.items():
            if route.default_protocol is not None and route.default_protocol not in self.protocols:
                problems.append(
                    (
                        f"routes.{route_id}.default_protocol",
                        f"unknown protocol {route.default_protocol!r}; "
                        f"protocols: {', '.join(self.protocols) or 'none'}",
                    )
                )
        for addon_id, addon in self.addons.items():
            for name in addon.insurance_eligible_routes:
                if name not in self.routes:
                    problems.append(
                        (
                            f"addons.{addon_id}.insurance_eligible_routes",
                            f"unknown route {name!r}; routes: {', '.join(self.routes)}",
                        )
                    )
        if problems:
            raise CrossReferenceError(problems)
        return self


def parse_price_sheet(text: str, origin: str) -> pricesheet.PriceSheet:
    """A validated price sheet from TOML text; `origin` names the file in problems.

    Raises SheetError listing every problem, one line each, as `FILE: key.path: message`.
    """
    if not text.strip():
        raise SheetError(origin, [f"{origin}: the file is empty"])
    data = load_toml(text, origin, SheetError)
    try:
        return plain(PriceSheet.model_validate(data))
    except RecursionError:
        raise SheetError(origin, [f"{origin}: {TOO_DEEP}"]) from None
    except ValidationError as error:
        problems = sheet_problems(error, origin)
        problems += [f"{origin}: {p}: {m}" for p, m in raw_reference_problems(data)]
        raise SheetError(origin, list(dict.fromkeys(problems))) from None


# Each file model and the plain class the engine reads it as.
_PLAIN: dict[type[BaseModel], type[Any]] = {
    Phase: pricesheet.Phase,
    Route: pricesheet.Route,
    Medication: pricesheet.Medication,
    SavingsProgram: pricesheet.SavingsProgram,
    Addon: pricesheet.Addon,
    Protocol: pricesheet.Protocol,
    PriceSheet: pricesheet.PriceSheet,
}


@overload
def plain(model: PriceSheet) -> pricesheet.PriceSheet: ...
@overload
def plain(model: Protocol) -> pricesheet.Protocol: ...
@overload
def plain(model: Phase) -> pricesheet.Phase: ...
def plain(model: BaseModel) -> Any:
    """A validated sheet (or protocol, or phase) as the engine's plain objects, field for
    field."""
    return _plain(model)


def _plain(value: Any) -> Any:
    kind = _PLAIN.get(type(value))
    if kind is not None:
        return kind(**{name: _plain(getattr(value, name)) for name in kind.__dataclass_fields__})
    if isinstance(value, tuple):
        return tuple(_plain(item) for item in value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value  # a Range, text, a number, a date, None
