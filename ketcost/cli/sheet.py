"""The sheet's listings (`routes`, `addons`, `protocols`) and `check-prices`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer

from ketcost.cli.common import (
    FormatOption,
    JsonOption,
    PricesOption,
    output_format,
    sheet_for,
    terminal,
)
from ketcost.io.files import to_stdout
from ketcost.render import OutputFormat, render_addons, render_protocols, render_routes


def _listing(
    render: Callable[..., str], prices: str | None, fmt: OutputFormat | None, as_json: bool
) -> None:
    """Print one of the sheet's listings (routes, add-ons, protocols) in the asked format."""
    output = output_format(fmt, as_json)
    width, color = terminal()
    to_stdout(render(sheet_for(prices), output, width=width, color=color))


def routes(
    prices: PricesOption = None, fmt: FormatOption = None, as_json: JsonOption = False
) -> None:
    """List the routes in the price sheet with price per session and insurance eligibility.

    \b
    Example:
      ketcost routes --format markdown
    """
    _listing(render_routes, prices, fmt, as_json)


def addons(
    prices: PricesOption = None, fmt: FormatOption = None, as_json: JsonOption = False
) -> None:
    """List the add-ons in the price sheet (for --with) with price, how often, and insurance.

    \b
    Example:
      ketcost addons --format csv
    """
    _listing(render_addons, prices, fmt, as_json)


def protocols(
    prices: PricesOption = None, fmt: FormatOption = None, as_json: JsonOption = False
) -> None:
    """List the treatment protocols in the price sheet and their phases in words.

    \b
    Example:
      ketcost protocols
    """
    _listing(render_protocols, prices, fmt, as_json)


def check_prices(
    file: Annotated[
        str | None,
        typer.Argument(
            metavar="[FILE]",
            help="The price-sheet TOML to check (default: the shipped sheet).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Check a price sheet: "ok: N routes, M protocols" and its oldest dated source (to re-check
    first), or every problem and exit 1. Without FILE, the shipped sheet.

    \b
    Examples:
      ketcost check-prices my-clinic.toml
      ketcost check-prices
    """
    from ketcost.io.sheets import oldest_published

    sheet = sheet_for(file)
    lines = [f"ok: {len(sheet.routes)} routes, {len(sheet.protocols)} protocols"]
    oldest = oldest_published(sheet)
    if oldest is not None:
        lines.append(f"oldest published source: {oldest[0].isoformat()} ({oldest[1]})")
    import textwrap

    width, _ = terminal()
    to_stdout("".join(f"{part}\n" for line in lines for part in textwrap.wrap(line, width)))
