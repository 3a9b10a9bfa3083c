"""A Report as CSV: a header row, one row per table row and total; ranges in two columns."""

from __future__ import annotations

import csv
import io
import re

from ketcost.models import clean_text
from ketcost.render.report import Cell, Column, Report


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
