"""A Report as CSV: a header row, one row per table row and total; ranges in two columns."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from typing import Any

from ketcost.domain.money import to_cents
from ketcost.domain.sheet import PriceSheet
from ketcost.domain.sourced import Sourced
from ketcost.domain.values import Range, clean_text
from ketcost.render.report import Cell, Column, Report
from ketcost.wording import schedule


def _header(column: Column) -> list[str]:
    if column.kind == "text":
        return [column.key]
    return [f"{column.key}_low", f"{column.key}_high"]


def _values(cell: Cell, column: Column) -> list[str]:
    if column.kind == "text":
        return [cell if isinstance(cell, str) else ""]
    if cell is None or isinstance(cell, str):
        return ["", ""]
    # Money is quantized to cents upstream, so str() gives plain decimals such as 3200.00.
    return [str(cell.low), str(cell.high)]


_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """A cell a spreadsheet reads as text: control characters become spaces, and a cell that
    would start a formula (=, +, -, @, tab, CR) gets a leading `'`, unless it is a number."""
    if value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        value = "'" + value
    return clean_text(value)


def render(report: Report) -> str:
    """CSV text with `\\n` line endings; money as plain decimals, counts as whole numbers."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([h for c in report.columns for h in _header(c)])
    rows = [*report.rows, *report.totals]
    for row in rows:
        writer.writerow(
            [
                safe_cell(v)
                for cell, col in zip(row, report.columns, strict=True)
                for v in _values(cell, col)
            ]
        )
    return out.getvalue()


def _rows(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return out.getvalue()


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _ends(value: Range[Any] | None) -> list[str]:
    if value is None:
        return ["", ""]
    return [f"{Decimal(value.low):f}", f"{Decimal(value.high):f}"]


def _cents(value: Range[Decimal]) -> list[str]:
    return [str(to_cents(value.low)), str(to_cents(value.high))]


def _sourced(item: Sourced) -> list[str]:
    published = item.published.isoformat() if item.published else ""
    retrieved = item.retrieved.isoformat() if item.retrieved else ""
    return [item.source, item.url or "", published, retrieved]


SOURCE_COLUMNS = ["source", "url", "published", "retrieved"]


def routes(sheet: PriceSheet) -> str:
    """One complete row per route: every field, booleans as true/false, lists `;`-joined."""
    header = [
        "id", "aliases", "label", "session_price_low", "session_price_high",
        "session_minutes_low", "session_minutes_high", "observation_minutes_low",
        "observation_minutes_high", "insurance_eligible", "default_protocol", "max_per_week",
        *SOURCE_COLUMNS, "notes",
    ]  # fmt: skip
    rows = [
        [
            route_id,
            ";".join(route.aliases),
            route.label,
            *_cents(route.session_price),
            *_ends(route.session_minutes),
            *_ends(route.observation_minutes),
            _flag(route.insurance_eligible),
            route.default_protocol or "",
            _ends(route.max_per_week)[1],
            *_sourced(route),
            route.notes or "",
        ]
        for route_id, route in sheet.routes.items()
    ]
    return _rows(header, rows)


def protocols(sheet: PriceSheet) -> str:
    """One complete row per phase of every protocol, with the protocol's fields repeated."""
    header = [
        "protocol", "label", "route", "phase", "phase_name", "part", "schedule",
        *SOURCE_COLUMNS,
    ]  # fmt: skip
    rows = [
        [
            protocol_id,
            protocol.label,
            protocol.route or "",
            str(number),
            phase.name,
            phase.course_part,
            schedule(phase, None),
            *_sourced(protocol),
        ]
        for protocol_id, protocol in sheet.protocols.items()
        for number, phase in enumerate(protocol.phases, start=1)
    ]
    return _rows(header, rows)


def addons(sheet: PriceSheet) -> str:
    """One complete row per add-on."""
    header = [
        "id", "label", "price_low", "price_high", "per", "insurance_eligible",
        "insurance_eligible_routes", *SOURCE_COLUMNS, "notes",
    ]  # fmt: skip
    rows = [
        [
            addon_id,
            addon.label,
            *_cents(addon.price),
            addon.per,
            _flag(addon.insurance_eligible),
            ";".join(addon.insurance_eligible_routes),
            *_sourced(addon),
            addon.notes or "",
        ]
        for addon_id, addon in sheet.addons.items()
    ]
    return _rows(header, rows)
