"""Renderers: one module per output format, each a pure function from a result to text."""

from __future__ import annotations

from enum import StrEnum
from typing import assert_never

from ketcost.models import Estimate, PriceSheet
from ketcost.render import report as reports
from ketcost.render.report import Report


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


def render_estimate(
    result: Estimate, fmt: OutputFormat, *, width: int = 80, color: bool = False
) -> str:
    """An estimate in any format."""
    if fmt is OutputFormat.JSON:
        from ketcost.render import json

        return json.render_estimate(result)
    return render_report(reports.estimate_report(result), fmt, width=width, color=color)


def render_routes(
    sheet: PriceSheet, fmt: OutputFormat, *, width: int = 80, color: bool = False
) -> str:
    """A sheet's routes in any format."""
    if fmt is OutputFormat.JSON:
        from ketcost.render import json

        return json.render_routes(sheet)
    return render_report(reports.routes_report(sheet), fmt, width=width, color=color)


def render_protocols(
    sheet: PriceSheet, fmt: OutputFormat, *, width: int = 80, color: bool = False
) -> str:
    """A sheet's protocols in any format."""
    if fmt is OutputFormat.JSON:
        from ketcost.render import json

        return json.render_protocols(sheet)
    return render_report(reports.protocols_report(sheet), fmt, width=width, color=color)
