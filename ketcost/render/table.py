"""A Report as a Rich table for the terminal: plain text unless colour is asked for."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ketcost import wording
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
        return wording.money_cases(Decimal(cell.low), Decimal(cell.high), currency)
    if cell.low == cell.high:
        return wording.number(int(cell.low))
    return f"{wording.number(int(cell.low))}{wording.DASH}{wording.number(int(cell.high))}"


FIRST_COLUMN_MIN = 14  # room for "Insurance pays" and most phase names on one line


def _grid(report: Report) -> list[list[str]]:
    """Every row's cells as text: body rows, then total rows."""
    return [
        [cell_text(c, col, report.currency) for c, col in zip(row, report.columns, strict=True)]
        for row in (*report.rows, *report.totals)
    ]


def _min_width(grid: list[list[str]], index: int) -> int | None:
    if index != 0:
        return None
    return min(max((len(row[0]) for row in grid), default=0), FIRST_COLUMN_MIN)


def _needed(grid: list[list[str]], report: Report, split: set[int]) -> int:
    """The narrowest the table can be: numeric columns whole, text columns at their longest word.
    Columns in `split` show a range on two lines."""
    # SIMPLE_HEAD without edge padding: one blank at each edge and three between columns.
    total = 2 + 3 * (len(report.columns) - 1)
    for index, column in enumerate(report.columns):
        texts = [column.header, *(row[index] for row in grid)]
        if column.kind == "text":
            longest_word = max((len(w) for t in texts for w in t.split()), default=0)
            total += max(longest_word, _min_width(grid, index) or 0)
        elif index in split:
            total += max(len(part) for t in texts for part in _two_lines(t).splitlines())
        else:
            total += max(len(t) for t in texts)
    return total


def _two_lines(text: str) -> str:
    """A money range broken after its dash, or before " to " between negative amounts, or
    after the comma of "X low, Y high"."""
    low, dash, high = text.partition(wording.DASH)
    if dash:
        return f"{low}{dash}\n{high}"
    low, comma, high = text.partition(", ")
    if comma:
        return f"{low},\n{high}"
    low, to, high = text.partition(" to ")
    return f"{low}\n{to.strip()} {high}" if to else text


def _split_columns(grid: list[list[str]], report: Report, width: int) -> set[int]:
    """Money columns to show on two lines until the table fits in `width`: widest first, the
    last column (the headline figure) only when nothing else is left."""
    split: set[int] = set()
    *others, last = [i for i, c in enumerate(report.columns) if c.kind == "money"] or [-1]
    others.sort(key=lambda i: -max((len(row[i]) for row in grid), default=0))
    for index in (*others, last):
        if _needed(grid, report, split) <= width:
            break
        split.add(index)
    return split


def render(report: Report, *, width: int = 80, color: bool = False) -> str:
    """The report drawn by Rich at `width` columns; ANSI colour only when `color`.

    A table that cannot show every figure and heading whole at this width is laid out stacked
    instead, one block per row, so no digit is ever dropped."""
    from rich.console import Console

    out = io.StringIO()
    console = Console(
        file=out,
        # Both dimensions given, so Rich takes them as they are: with only a width it uses 80
        # columns for a forced terminal whose TERM is dumb.
        width=width,
        height=25,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        highlight=False,
        emoji=False,
        markup=False,
    )
    grid = _grid(report)
    split = _split_columns(grid, report, width)
    table = _table(report, grid, split)
    console.print(table)
    drawn = out.getvalue()
    if not _whole(drawn, report, grid, split, width):
        out.seek(0)
        out.truncate()
        _print_stacked(console, report, grid, width)
    if report.bars:
        console.print(_chart(report, width))
    if report.notes:
        from rich.table import Table
        from rich.text import Text

        console.print(Text(f"{report.notes_title}:", style="bold"))
        notes = Table.grid(padding=(0, 1))
        notes.add_column(no_wrap=True)
        notes.add_column(overflow="fold")
        for note in report.notes:
            notes.add_row("-", Text(note))
        console.print(notes)
    if report.footer:
        from rich.text import Text

        console.print()
        console.print(Text(report.footer, style="italic"))
    return "".join(_trimmed(line) + "\n" for line in out.getvalue().splitlines())


_TRAILING = re.compile(r"(?:[ \t]|\x1b\[[0-9;]*m)+$")


def _trimmed(line: str) -> str:
    """The line without the blanks Rich pads it to the full width with (they only get in the way
    of copying), keeping any colour codes that close it so the terminal is left as it was."""
    return _TRAILING.sub(lambda tail: "".join(re.findall(r"\x1b\[[0-9;]*m", tail[0])), line)


def _table(report: Report, grid: list[list[str]], split: set[int]) -> Any:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=Text(report.title, style="bold"),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    for index, column in enumerate(report.columns):
        numeric = column.kind != "text"
        table.add_column(
            column.header,
            justify="right" if numeric else "left",
            no_wrap=numeric,
            overflow="fold",
            min_width=_min_width(grid, index),
        )
    texts = [[Text(_two_lines(t) if i in split else t) for i, t in enumerate(r)] for r in grid]
    body, totals = texts[: len(report.rows)], texts[len(report.rows) :]
    for row in body:
        table.add_row(*row)
    if totals:
        table.add_section()
        *plain, headline = totals
        for row in plain:
            table.add_row(*row)
        table.add_row(*headline, style="bold")
    return table


def _whole(drawn: str, report: Report, grid: list[list[str]], split: set[int], width: int) -> bool:
    """Whether Rich drew every figure and every heading whole, each on one line, within width.

    Measured on what a person sees: the lines without their colour codes, in terminal cells."""
    from rich.cells import cell_len
    from rich.text import Text

    lines = [Text.from_ansi(line).plain for line in drawn.splitlines()]
    if any(cell_len(line.rstrip()) > width for line in lines):
        return False
    pieces = [column.header for column in report.columns]
    for row in grid:
        for index, column in enumerate(report.columns):
            if column.kind != "text" and row[index]:
                text = _two_lines(row[index]) if index in split else row[index]
                pieces.extend(text.splitlines())
    return all(any(piece in line for line in lines) for piece in pieces if piece)


def _print_stacked(console: Any, report: Report, grid: list[list[str]], width: int) -> None:
    """One block per row: its label, then `Heading value` lines; text wraps at spaces, figures
    never break."""
    import textwrap

    from rich.text import Text

    console.print(Text(report.title, style="bold"))
    console.print()
    headers = [column.header for column in report.columns[1:]]
    pad = max((len(h) for h in headers), default=0)
    for number, row in enumerate(grid):
        if number == len(report.rows) and report.totals:
            console.print("─" * min(width, 40))
        label = row[0] or report.columns[0].header
        if label.isdigit():  # a month number: say what it is
            label = f"{report.columns[0].header} {label}"
        for line in textwrap.wrap(label, width, break_long_words=True) or [""]:
            console.print(Text(line, style="bold" if number >= len(report.rows) else ""))
        for column, value in zip(report.columns[1:], row[1:], strict=True):
            if not value:
                continue
            lines = _stacked_value(column, value, pad, width)
            for line in lines:
                console.print(Text(line), overflow="ignore", crop=False, soft_wrap=True)
        console.print()


def _stacked_value(column: Column, value: str, pad: int, width: int) -> list[str]:
    """`  Heading  value` on one line when it fits; else the value on lines of its own."""
    import textwrap

    head = f"  {column.header:<{pad}}  " if column.header else "  "
    if len(head) + len(value) <= width:
        return [head + value]
    if column.kind == "text":
        return [
            head.rstrip(),
            *textwrap.wrap(
                value,
                width - 4,
                initial_indent="    ",
                subsequent_indent="    ",
                break_long_words=True,
            ),
        ]
    pieces = _two_lines(value).splitlines() if len(value) + 4 > width else [value]
    return [head.rstrip(), *(f"    {piece}" for piece in pieces)]


def _chart(report: Report, width: int) -> Text:
    """One line per bar: solid up to the low case, shaded on to the high case, then the range."""
    from rich.text import Text

    top = max((high for _, _, high in report.bars), default=Decimal(0)) or Decimal(1)
    label_width = max(len(label) for label, _, _ in report.bars)
    spans = [wording.money_cases(low, high, report.currency) for _, low, high in report.bars]
    room = width - label_width - max(len(s) for s in spans) - 4  # 0 or less: figures only
    chart = Text(f"{report.bars and 'Running total you pay (█ low case, ░ up to the high case)'}\n")
    for (label, low, high), span in zip(report.bars, spans, strict=True):
        if room < 5:  # too narrow for bars: the running totals alone, whole
            chart.append(f"{label:<{label_width}}  {span}\n")
            continue
        solid = int(low / top * room)
        shaded = int(high / top * room) - solid
        chart.append(f"{label:<{label_width}} ")
        chart.append("█" * solid, style="cyan")
        chart.append("░" * shaded, style="cyan dim")
        chart.append(" " * (room - solid - shaded) + f"  {span}\n")
    return chart
