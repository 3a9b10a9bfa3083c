"""The price sheet: one set of frozen, slotted dataclasses, read by the engine and written by
people as TOML.

Their annotations carry the file's rules (required keys, defaults, ranges, text cleaning), and
each class's own checks are a function beside it (`phase_rules`, ...) that the containing
class's annotation names (`CheckedPhase`, ...). pydantic reads them only when a sheet file is
read (`ketcost.io.sheetfile`), and `ketcost schema price-sheet` comes from these classes. The
engine reads plain attributes; nothing validates when it makes a changed copy with
`dataclasses.replace`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from types import MappingProxyType
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field

from ketcost.domain.medication import CheckedMedication
from ketcost.domain.sourced import CLOSED as _CLOSED
from ketcost.domain.sourced import ServiceCode, Sourced, sourced_codes
from ketcost.domain.values import (
    Amount,
    Clean,
    PositiveCount,
    PositiveMoney,
    PositiveQuantity,
    Range,
    Text,
)

FREQUENCY_KEYS = ("per_week", "per_month", "per_year", "every_weeks")
MAX_PHASE_SESSIONS = 1000
# What a phase in a sheet may say: at most 7 sessions a week, 10 years, 1,000 sessions.
PHASE_BOUNDS: dict[str, tuple[int, int]] = {
    "weeks": (0, 520),
    "months": (0, 120),
    "per_week": (0, 7),
    "per_month": (0, 31),
    "per_year": (0, 365),
    "every_weeks": (1, 520),
    "sessions": (1, MAX_PHASE_SESSIONS),
}

Part = Literal["induction", "maintenance"]

# --- the values a sheet's keys hold ------------------------------------------------------------

ID_PATTERN = "^[A-Za-z0-9_-]{1,64}$"


def _sheet_id(value: str) -> str:
    """A route, protocol or add-on id: what people type after --route, -p and --with."""
    if not re.fullmatch(ID_PATTERN, value):
        raise ValueError(
            f"{value[:40]!r} is not an id: an id is 1 to 64 letters, digits, - and _ "
            "(e.g. iv or my-clinic_iv)"
        )
    return value


def _currency_code(value: Any) -> Any:
    if isinstance(value, str) and not re.fullmatch(r"[A-Z]{3}", value):
        raise ValueError(
            f"{value!r} is not a three-letter ISO 4217 currency code in capitals (e.g. USD)"
        )
    return value


def _unordered(value: Any) -> Any:
    """`every_weeks = [6, 2]` and `[2, 6]` mean the same: the rarer end is the low case."""
    if isinstance(value, list | tuple) and len(value) == 2:
        try:
            return sorted(value)
        except TypeError:
            return value
    return value


SheetId = Annotated[
    str, AfterValidator(_sheet_id), Field(json_schema_extra={"pattern": ID_PATTERN})
]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$"), BeforeValidator(_currency_code)]
Interval = Annotated[PositiveQuantity, BeforeValidator(_unordered)]


# --- the classes --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Phase:
    """One phase of a protocol: a duration (or none: open-ended) and a frequency or fixed count."""

    __pydantic_config__ = _CLOSED

    name: Text
    weeks: PositiveQuantity | None = None
    months: PositiveQuantity | None = None
    per_week: PositiveQuantity | None = None
    per_month: PositiveQuantity | None = None
    per_year: PositiveQuantity | None = None
    every_weeks: Interval | None = None
    sessions: PositiveCount | None = None
    # Which part of the course: by default an open-ended phase is maintenance, others induction.
    part: Part | None = None
    # The first session falls one interval after the phase before ends (boosters after a series).
    starts_one_interval_after: bool = False

    @property
    def open_ended(self) -> bool:
        """True for a phase with no duration: it lasts as many months as the plan asks."""
        return self.sessions is None and self.weeks is None and self.months is None

    @property
    def course_part(self) -> Part:
        """Induction or maintenance: as the sheet says, else maintenance when open-ended."""
        if self.part is not None:
            return self.part
        return "maintenance" if self.open_ended else "induction"


def phase_rules(phase: Phase) -> Phase:
    """A phase in a sheet file: one frequency or a fixed count, one kind of duration, in bounds."""
    given = [key for key in FREQUENCY_KEYS if getattr(phase, key) is not None]
    if phase.sessions is not None and given:
        raise ValueError(f"give a frequency or a fixed `sessions` count, not both ({given[0]})")
    if len(given) > 1:
        raise ValueError(f"a phase has one frequency; found {' and '.join(given)}")
    if not given and phase.sessions is None:
        raise ValueError(
            "a phase needs a frequency (per_week, per_month, per_year or every_weeks) "
            "or a fixed `sessions` count"
        )
    if phase.weeks is not None and phase.months is not None:
        raise ValueError("give the duration in weeks or in months, not both")
    for key, (least, most) in PHASE_BOUNDS.items():
        value: Range[Any] | None = getattr(phase, key)
        if value is not None and (value.low < least or value.high > most):
            raise ValueError(f"{key} must be from {least} to {most:,}")
    return phase


CheckedPhase = Annotated[Phase, AfterValidator(phase_rules)]


@dataclass(frozen=True, slots=True, kw_only=True)
class Package(Sourced):
    """A clinic's fixed price (`price`, the total) for the first `sessions` sessions of a course."""

    __pydantic_config__ = _CLOSED

    label: Text
    sessions: Annotated[int, Field(ge=1, le=100)]
    price: Annotated[Amount, Field(gt=0)]  # the total, in whole cents


@dataclass(frozen=True, slots=True, kw_only=True)
class Route(Sourced):
    """A way of giving treatment, with its published price per session."""

    __pydantic_config__ = _CLOSED

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
    medication: CheckedMedication | None = None
    # The patient may not drive after a session (SPRAVATO: until the next day, after a restful
    # sleep), so every session needs a ride; the source says who says so.
    needs_ride: bool = False
    needs_ride_source: Text | None = None
    # A clinic's fixed prices for a number of sessions (`--package NAME`).
    packages: Mapping[SheetId, Package] = field(default_factory=dict)

    def find_package(self, name: str) -> Package | None:
        """The package named `name` (any case), or None."""
        wanted = name.strip().casefold()
        return next((p for key, p in self.packages.items() if key.casefold() == wanted), None)

    def __hash__(self) -> int:
        # A route is part of cache keys (`engine.cautions`, `engine.bill`): hashing all its
        # fields on each lookup would cost more than the lookup saves. Equal routes have equal
        # labels and sources; a lookup still compares the whole route.
        return hash((self.label, self.source))


def route_rules(route: Route) -> Route:
    """A route in a sheet file: a weekly limit and service codes say where they come from."""
    if route.max_per_week is not None and route.max_per_week_source is None:
        raise ValueError("max_per_week needs a max_per_week_source saying where it comes from")
    if route.needs_ride and route.needs_ride_source is None:
        raise ValueError("needs_ride needs a needs_ride_source saying where it comes from")
    sourced_codes(route.service_codes, route.service_codes_source)
    return route


CheckedRoute = Annotated[Route, AfterValidator(route_rules)]


@dataclass(frozen=True, slots=True, kw_only=True)
class Addon(Sourced):
    """Something billed beside treatment: once per session or once per course."""

    __pydantic_config__ = _CLOSED

    label: Text
    price: PositiveMoney
    per: Literal["session", "course"]
    insurance_eligible: bool = False
    # Routes with which insurance may cover it even when `insurance_eligible` is false.
    insurance_eligible_routes: tuple[str, ...] = ()
    service_codes: tuple[ServiceCode, ...] = ()
    service_codes_source: Text | None = None
    notes: Clean | None = None

    def eligible_with(self, route_id: str) -> bool:
        """Whether insurance may cover this add-on beside the route `route_id`."""
        return self.insurance_eligible or route_id in self.insurance_eligible_routes


def addon_rules(addon: Addon) -> Addon:
    """An add-on in a sheet file: its service codes say where they come from."""
    sourced_codes(addon.service_codes, addon.service_codes_source)
    return addon


CheckedAddon = Annotated[Addon, AfterValidator(addon_rules)]


@dataclass(frozen=True, slots=True, kw_only=True)
class Protocol(Sourced):
    """A named treatment schedule: phases in the order they happen, induction first."""

    __pydantic_config__ = _CLOSED

    label: Text
    route: str | None = None
    notes: Clean | None = None
    phases: tuple[CheckedPhase, ...]
    # Add-ons every course on this protocol has (ketamine-assisted psychotherapy: preparation
    # and integration sessions), priced with it as if named with --with.
    addons: tuple[SheetId, ...] = ()

    def __hash__(self) -> int:
        # A protocol is the course cache's key (`engine.schedule.course`): hashing every phase's
        # fields on each lookup would cost more than the lookup saves. Equal protocols have
        # equal labels and phase counts; a lookup still compares the whole protocol.
        return hash((self.label, len(self.phases)))


def protocol_rules(protocol: Protocol) -> Protocol:
    """A protocol in a sheet file: a phase at least, only the last open-ended, induction first."""
    if not protocol.phases:
        raise ValueError("a protocol needs at least one phase ([[protocols.ID.phases]])")
    for index, phase in enumerate(protocol.phases[:-1]):
        if phase.open_ended:
            raise ValueError(
                f"phase {index + 1} ({phase.name}) has no duration; "
                "only the last phase may be open-ended"
            )
    parts = [phase.course_part for phase in protocol.phases]
    if parts != sorted(parts):  # "induction" < "maintenance"
        raise ValueError("induction phases come before maintenance phases")
    if protocol.phases[-1].open_ended and parts[-1] != "maintenance":
        raise ValueError("an open-ended phase is part of the maintenance")
    return protocol


CheckedProtocol = Annotated[Protocol, AfterValidator(protocol_rules)]


def _sheet(values: dict[str, Any]) -> PriceSheet:
    return PriceSheet(**values)


@dataclass(frozen=True, slots=True, kw_only=True)
class PriceSheet:
    """Published prices per route and named protocols, with where the figures come from."""

    __pydantic_config__ = _CLOSED

    name: Text
    currency: Currency
    as_of: date
    source: Text
    routes: Annotated[Mapping[SheetId, CheckedRoute], Field(min_length=1)]
    protocols: Mapping[SheetId, CheckedProtocol] = field(default_factory=dict)
    addons: Mapping[SheetId, CheckedAddon] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Read-only: a sheet is a value, and the engine's caches hold what it priced with, so a
        # change after use would leave estimates on the old prices. `dataclasses.replace`
        # makes a changed copy.
        for name in ("routes", "protocols", "addons"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    def __reduce__(self) -> tuple[Any, ...]:
        # A read-only mapping cannot be pickled (a batch worker that is spawned, not forked, is
        # sent its sheets): the sheet is sent as plain dicts and made read-only again.
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return (_sheet, ({k: dict(v) if isinstance(v, Mapping) else v for k, v in values.items()},))

    def find_route(self, name: str) -> str | None:
        """The id of the route named `name` (an id or alias, any case), or None."""
        if name in self.routes:  # the usual case: the id as the sheet writes it
            return name
        wanted = name.strip().casefold()
        for route_id, route in self.routes.items():
            if wanted in (n.casefold() for n in (route_id, *route.aliases)):
                return route_id
        return None

    def find_protocol(self, name: str) -> str | None:
        """The id of the protocol named `name` (any case), or None."""
        if name in self.protocols:
            return name
        wanted = name.strip().casefold()
        return next((pid for pid in self.protocols if pid.casefold() == wanted), None)

    def find_addon(self, name: str) -> str | None:
        """The id of the add-on named `name` (any case), or None."""
        wanted = name.strip().casefold()
        return next((aid for aid in self.addons if aid.casefold() == wanted), None)

    def route_names(self) -> list[str]:
        """Every id and alias, for telling people what is allowed."""
        return [n for rid, r in self.routes.items() for n in (rid, *r.aliases)]
