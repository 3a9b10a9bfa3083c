"""A Report as a Rich table for the terminal: plain text unless colour is asked for."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import TYPE_CHECKING

from ketcost import wording
from ketcost.models import Range
from ketcost.render.report import Cell, Column, Report

if TYPE_CHECKING:
    from rich.text import Text


def cell_text(cell: Cell, column: Column, currency: str) -> str:
    """A cell for people: `8–12`, `$400.00–$800.00`, or text as it is."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell
    if column.kind == "money":
        return wording.money_span(
            Range[Decimal].of(Decimal(cell.low), Decimal(cell.high)), currency
        )
    return wording.span(cell)


def _texts(row: tuple[Cell, ...], report: Report) -> list[Text]:
    from rich.text import Text

    return [
        Text(cell_text(c, col, report.currency)) for c, col in zip(row, report.columns, strict=True)
    ]


def render(report: Report, *, width: int = 80, color: bool = False) -> str:
    """The report drawn by Rich at `width` columns; ANSI colour only when `color`."""
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    out = io.StringIO()
    console = Console(
        file=out,
        width=width,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        highlight=False,
        emoji=False,
        markup=False,
    )
    table = Table(
        title=Text(report.title, style="bold"),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    for column in report.columns:
        numeric = column.kind != "text"
        table.add_column(
            column.header,
            justify="right" if numeric else "left",
            no_wrap=numeric,
            overflow="fold",
        )
    for row in report.rows:
        table.add_row(*_texts(row, report))
    if report.total is not None:
        table.add_section()
        table.add_row(*_texts(report.total, report), style="bold")
    console.print(table)
    if report.notes:
        console.print(Text(f"{report.notes_title}:", style="bold"))
        notes = Table.grid(padding=(0, 1))
        notes.add_column(no_wrap=True)
        notes.add_column()
        for note in report.notes:
            notes.add_row("-", Text(note))
        console.print(notes)
    if report.footer:
        console.print()
        console.print(Text(report.footer, style="italic"))
    # Rich pads every line to the full width; trailing blanks only get in the way of copying.
    return "".join(line.rstrip() + "\n" for line in out.getvalue().splitlines())
