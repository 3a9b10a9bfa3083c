"""A Report as GitHub-flavoured Markdown: a heading, a table and the notes as a list."""

from __future__ import annotations

import re

from ketcost.render.report import Cell, Report
from ketcost.render.table import cell_text

_SPECIAL = re.compile(r"([\\`*_\[\]!|~#])")


def escape(text: str) -> str:
    """Text that Markdown shows as it is: no links, images, emphasis, headings, HTML or table
    breaks, and no line breaks (each becomes a space)."""
    text = _SPECIAL.sub(r"\\\1", " ".join(text.splitlines()))
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def render(report: Report) -> str:
    """The report as Markdown text ending in a newline."""
    cols = report.columns
    lines = [f"## {escape(report.title)}", ""]
    lines.append(_row([c.header for c in cols]))
    lines.append(_row(["---:" if c.kind != "text" else "---" for c in cols]))

    def cells(row: tuple[Cell, ...], bold: bool = False) -> list[str]:
        texts = [
            escape(cell_text(cell, col, report.currency))
            for cell, col in zip(row, cols, strict=True)
        ]
        return [f"**{t}**" if bold and t else t for t in texts]

    lines.extend(_row(cells(row)) for row in report.rows)
    # The last total row is the headline; earlier ones are plain lines below the items.
    lines.extend(_row(cells(row, bold=row is report.totals[-1])) for row in report.totals)
    if report.notes:
        lines += ["", f"**{report.notes_title}:**", ""]
        lines.extend(f"- {escape(note)}" for note in report.notes)
    if report.footer:
        lines += ["", f"_{report.footer}_"]
    return "\n".join(lines) + "\n"
