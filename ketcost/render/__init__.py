"""Renderers: one module per output format, each a pure function from a result to text."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, TypeVar, assert_never

from ketcost.render import json

if TYPE_CHECKING:
    from ketcost.domain.result import Estimate
    from ketcost.domain.sheet import PriceSheet
    from ketcost.engine.timeline import Timeline
    from ketcost.render.report import Report

T = TypeVar("T")


class OutputFormat(StrEnum):
    """The formats every listing command can print."""

    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"
    CSV = "csv"


def render_report(
    report: Report, fmt: OutputFormat, *, width: int = 80, color: bool = False
) -> str:
    """A tabular report in a non-JSON format."""
    if fmt is OutputFormat.TABLE:
        from ketcost.render import table

        return table.render(report, width=width, color=color)
    if fmt is OutputFormat.MARKDOWN:
        from ketcost.render import markdown

        return markdown.render(report)
    if fmt is OutputFormat.CSV:
        from ketcost.render import csv

        return csv.render(report)
    if fmt is OutputFormat.JSON:
        raise ValueError("JSON is rendered from the result, not from a report")
    assert_never(fmt)


def _render(
    value: T,
    fmt: OutputFormat,
    as_json: Callable[[T], str],
    report_builder: str,
    width: int,
    color: bool,
) -> str:
    """JSON straight from the value; other formats through the named builder in `report`,
    imported only then, so that `--json` stays quick to start."""
    if fmt is OutputFormat.JSON:
        return as_json(value)
    from ketcost.render import report

    as_report: Callable[[T], Report] = getattr(report, report_builder)
    return render_report(as_report(value), fmt, width=width, color=color)


def render_estimate(
    result: Estimate, fmt: OutputFormat, *, width: int = 80, color: bool = False
) -> str:
    """An estimate in any format; CSV always itemized, so its header never depends on the
    options."""
    builder = "itemized_report" if fmt is OutputFormat.CSV else "estimate_report"
    return _render(result, fmt, json.render_estimate, builder, width, color)


def render_comparison(
    results: list[Estimate], fmt: OutputFormat, *, width: int = 80, color: bool = False
) -> str:
    """Several estimates side by side, in the order given."""
    return _render(results, fmt, json.render_comparison, "comparison_report", width, color)


def render_timeline(
    months: Timeline, fmt: OutputFormat, *, width: int = 80, color: bool = False
) -> str:
    """An estimate month by month."""
    return _render(months, fmt, json.render_timeline, "timeline_report", width, color)


def _listing(sheet: PriceSheet, fmt: OutputFormat, kind: str, width: int, color: bool) -> str:
    """A sheet's routes, protocols or add-ons: JSON and CSV shaped as data (a complete row per
    item), table and Markdown as a report."""
    if fmt is OutputFormat.CSV:
        from ketcost.render import csv

        as_csv: Callable[[PriceSheet], str] = getattr(csv, kind)
        return as_csv(sheet)
    as_json: Callable[[PriceSheet], str] = getattr(json, f"render_{kind}")
    return _render(sheet, fmt, as_json, f"{kind}_report", width, color)


def render_routes(
    sheet: PriceSheet, fmt: OutputFormat, *, width: int = 80, color: bool = False
) -> str:
    """A sheet's routes in any format."""
    return _listing(sheet, fmt, "routes", width, color)


def render_protocols(
    sheet: PriceSheet, fmt: OutputFormat, *, width: int = 80, color: bool = False
) -> str:
    """A sheet's protocols in any format."""
    return _listing(sheet, fmt, "protocols", width, color)


def render_addons(
    sheet: PriceSheet, fmt: OutputFormat, *, width: int = 80, color: bool = False
) -> str:
    """A sheet's add-ons in any format."""
    return _listing(sheet, fmt, "addons", width, color)
