"""The price sheet as the engine reads it: plain, slotted, immutable objects.

Every sheet file, the shipped one included, is validated by the pydantic models in
`ketcost.io.sheetfile` (which also give `ketcost schema price-sheet`), then made into these.
Their fields are the file's keys, in the file models' order, every one given: the defaults live
in the file models alone (`tests/test_sheets.py` checks that each class here has its file
model's fields).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from ketcost.domain.values import Range

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


class PhaseRules:
    """What a phase's fields say about it: here once, for the engine's phases and for the file
    model's checks."""

    __slots__ = ()

    if TYPE_CHECKING:
        weeks: Range[Decimal] | None
        months: Range[Decimal] | None
        sessions: Range[int] | None
        part: Part | None

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


class Sourced:
    """Where a figure comes from: the source in words, its public address and its date."""

    __slots__ = ()

    if TYPE_CHECKING:
        source: str
        url: str | None
        published: date | None


@dataclass(frozen=True, slots=True)
class Phase(PhaseRules):
    """One phase of a protocol: a duration (or none: open-ended) and a frequency or fixed count."""

    name: str
    weeks: Range[Decimal] | None
    months: Range[Decimal] | None
    per_week: Range[Decimal] | None
    per_month: Range[Decimal] | None
    per_year: Range[Decimal] | None
    every_weeks: Range[Decimal] | None
    sessions: Range[int] | None
    part: Part | None
    starts_one_interval_after: bool


@dataclass(frozen=True, slots=True)
class SavingsProgram:
    """A manufacturer's savings program for the medication (commercial insurance only)."""

    label: str
    per_treatment: Decimal
    yearly_max: Decimal | None
    source: str
    url: str
    retrieved: date


@dataclass(frozen=True, slots=True)
class Medication(Sourced):
    """The medicine a route's session bills beside the visit, by the unit."""

    source: str
    url: str | None
    published: date | None
    label: str
    unit_price: Range[Decimal]
    mg_per_unit: int
    doses_mg: tuple[int, ...]
    first_dose_mg: int
    benefit: Literal["pharmacy", "medical"]
    service_codes: tuple[str, ...]
    service_codes_source: str | None
    savings_program: SavingsProgram | None
    visit_codes: Mapping[int, str]

    def units(self, mg: int) -> int:
        """The whole units a dose of `mg` takes."""
        return -(-mg // self.mg_per_unit)


@dataclass(frozen=True, slots=True)
class Route(Sourced):
    """A way of giving treatment, with its published price per session."""

    source: str
    url: str | None
    published: date | None
    label: str
    aliases: tuple[str, ...]
    session_price: Range[Decimal]
    session_minutes: Range[Decimal] | None
    observation_minutes: Range[Decimal] | None
    insurance_eligible: bool
    default_protocol: str | None
    max_per_week: Range[Decimal] | None
    max_per_week_source: str | None
    service_codes: tuple[str, ...]
    service_codes_source: str | None
    notes: str | None
    medication: Medication | None

    def __hash__(self) -> int:
        # A route is part of the assumptions cache's key (`engine.assumptions`): hashing all its
        # fields on each lookup would cost more than the lookup saves. Equal routes have equal
        # labels and sources; a lookup still compares the whole route.
        return hash((self.label, self.source))


@dataclass(frozen=True, slots=True)
class Addon(Sourced):
    """Something billed beside treatment: once per session or once per course."""

    source: str
    url: str | None
    published: date | None
    label: str
    price: Range[Decimal]
    per: Literal["session", "course"]
    insurance_eligible: bool
    # Routes with which insurance may cover it even when `insurance_eligible` is false.
    insurance_eligible_routes: tuple[str, ...]
    service_codes: tuple[str, ...]
    service_codes_source: str | None
    notes: str | None

    def eligible_with(self, route_id: str) -> bool:
        """Whether insurance may cover this add-on beside the route `route_id`."""
        return self.insurance_eligible or route_id in self.insurance_eligible_routes


@dataclass(frozen=True, slots=True)
class Protocol(Sourced):
    """A named treatment schedule: phases in the order they happen, induction first."""

    source: str
    url: str | None
    published: date | None
    label: str
    route: str | None
    notes: str | None
    phases: tuple[Phase, ...]

    def __hash__(self) -> int:
        # A protocol is the course cache's key (`engine.schedule.course`): hashing every phase's
        # fields on each lookup would cost more than the lookup saves. Equal protocols have
        # equal labels and phase counts; a lookup still compares the whole protocol.
        return hash((self.label, len(self.phases)))


def _plain(value: Any) -> Any:
    return dict(value) if isinstance(value, MappingProxyType) else value


@dataclass(frozen=True, slots=True)
class PriceSheet:
    """Published prices per route and named protocols, with where the figures come from."""

    name: str
    currency: str
    as_of: date
    source: str
    routes: Mapping[str, Route]
    protocols: Mapping[str, Protocol]
    addons: Mapping[str, Addon]

    def __post_init__(self) -> None:
        # Read-only: a sheet is a value, and the engine's caches hold what it priced with, so a
        # change after use would leave estimates on the old prices. `dataclasses.replace`
        # makes a changed copy.
        for name in ("routes", "protocols", "addons"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    def __reduce__(self) -> tuple[Any, ...]:
        # A read-only mapping cannot be pickled (a batch worker that is spawned, not forked, is
        # sent its sheets): the sheet is sent as plain dicts and made read-only again.
        return (PriceSheet, tuple(_plain(getattr(self, f.name)) for f in fields(self)), None)

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
