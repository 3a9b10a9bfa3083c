"""A format-neutral report (title, columns, rows, notes) built from results; pure."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from ketcost import wording
from ketcost.models import Estimate, PriceSheet, Range
from ketcost.payment import to_cents

Cell = str | Range[int] | Range[Decimal] | None
Kind = Literal["text", "count", "money"]


@dataclass(frozen=True)
class Column:
    """A column: its heading for people, its key for CSV, and what its cells hold."""

    header: str
    key: str
    kind: Kind = "text"


@dataclass(frozen=True)
class Report:
    """What every tabular format shows: a table, an optional total row and notes below."""

    title: str
    currency: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    total: tuple[Cell, ...] | None = None
    notes_title: str = "Notes"
    notes: tuple[str, ...] = ()
    footer: str | None = None


def estimate_report(result: Estimate) -> Report:
    """Phases, a total row, the assumptions and the disclaimer."""
    return Report(
        title=f"{result.route_label}: {result.protocol_label} (estimate)",
        currency=result.currency,
        columns=(
            Column("Phase", "phase"),
            Column("Schedule", "schedule"),
            Column("Sessions", "sessions", "count"),
            Column("Per session", "price_per_session", "money"),
            Column("Cost", "cost", "money"),
        ),
        rows=tuple(
            (p.name, p.schedule, p.sessions, p.price_per_session, p.cost) for p in result.phases
        ),
        total=("Total", None, result.sessions, None, result.total),
        notes_title="Assumptions",
        notes=result.assumptions,
        footer=result.disclaimer,
    )


def _sheet_note(sheet: PriceSheet) -> str:
    return f'Price sheet: "{sheet.name}", as of {sheet.as_of.isoformat()}. Source: {sheet.source}'


def _minutes(sheet: PriceSheet, route_id: str) -> str:
    route = sheet.routes[route_id]
    length = wording.span(route.session_minutes) if route.session_minutes else "not listed"
    if route.observation_minutes is None:
        return length
    return f"{length} + {wording.span(route.observation_minutes)} observed"


def routes_report(sheet: PriceSheet) -> Report:
    """Each route with its price, session length and insurance eligibility; sources as notes."""
    notes = [_sheet_note(sheet)]
    for route_id, route in sheet.routes.items():
        notes.append(f"{route_id}: {route.source}")
        if route.notes:
            notes.append(f"{route_id}: {route.notes}")
    return Report(
        title="Routes",
        currency=sheet.currency,
        columns=(
            Column("Route (names)", "route"),
            Column("Label", "label"),
            Column("Per session", "price_per_session", "money"),
            Column("Minutes", "minutes"),
            Column("Insurance", "insurance"),
        ),
        rows=tuple(
            (
                ", ".join((route_id, *route.aliases)),
                route.label,
                Range[Decimal].of(
                    to_cents(route.session_price.low), to_cents(route.session_price.high)
                ),
                _minutes(sheet, route_id),
                "eligible" if route.insurance_eligible else "not eligible",
            )
            for route_id, route in sheet.routes.items()
        ),
        notes_title="Sources",
        notes=tuple(notes),
    )


def protocols_report(sheet: PriceSheet) -> Report:
    """Each protocol's phases in words; labels, routes and sources as notes."""
    rows: list[tuple[Cell, ...]] = []
    notes = [_sheet_note(sheet)]
    for protocol_id, protocol in sheet.protocols.items():
        for index, phase in enumerate(protocol.phases):
            rows.append(
                (protocol_id if index == 0 else "", phase.name, wording.schedule(phase, None))
            )
        route = f"route {protocol.route}" if protocol.route else "any route"
        notes.append(f"{protocol_id}: {protocol.label} ({route}). Source: {protocol.source}")
    return Report(
        title="Protocols",
        currency=sheet.currency,
        columns=(
            Column("Protocol", "protocol"),
            Column("Phase", "phase"),
            Column("Schedule", "schedule"),
        ),
        rows=tuple(rows),
        notes_title="Sources",
        notes=tuple(notes),
    )
