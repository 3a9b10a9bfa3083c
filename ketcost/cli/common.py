"""What the commands share: option types, the output format, the terminal, the price sheet,
pricing with warnings, and the budget check."""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import replace
from decimal import Decimal
from typing import Annotated

import typer

from ketcost import wording
from ketcost.cli.base import EXIT_BUDGET, EXIT_OK
from ketcost.cli.options import complete_routes
from ketcost.domain.money import to_cents
from ketcost.domain.plan import Plan, today
from ketcost.domain.result import Budget, Estimate
from ketcost.domain.sheet import PriceSheet
from ketcost.engine import estimate as price
from ketcost.errors import InputError
from ketcost.io.sheets import load_price_sheet, stale_warning
from ketcost.render import OutputFormat

# --- shared options ----------------------------------------------------------------------------

PricesOption = Annotated[
    str | None,
    typer.Option(
        "--prices",
        metavar="FILE",
        envvar="KETCOST_PRICES",
        show_envvar=True,
        help="A price-sheet TOML file to use instead of the shipped one.",
    ),
]
FormatOption = Annotated[
    OutputFormat | None,
    typer.Option("--format", "-f", case_sensitive=False, help="Output format [default: table]."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Same as --format json.")]


def output_format(fmt: OutputFormat | None, as_json: bool) -> OutputFormat:
    if as_json and fmt not in (None, OutputFormat.JSON):
        raise InputError(f"--json and --format {fmt} conflict; give one of them")
    return OutputFormat.JSON if as_json else (fmt or OutputFormat.TABLE)


def terminal() -> tuple[int, bool]:
    """Width and whether to colour: plain 80-column text unless stdout is a terminal."""
    tty = sys.stdout.isatty()
    color = tty and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    width = shutil.get_terminal_size((80, 24)).columns if tty or "COLUMNS" in os.environ else 80
    return max(width, 40), color


def sheet_for(prices: str | None) -> PriceSheet:
    """The price sheet to use (the shipped one for None), after a warning when it is old."""
    sheet = load_price_sheet(prices or None)
    for line in sheet_warnings(sheet):
        warn(line)
    return sheet


def sheet_warnings(sheet: PriceSheet) -> tuple[str, ...]:
    """The sheet's caution for an estimate's `warnings`: dated more than a year ago."""
    line = stale_warning(sheet, today())
    return () if line is None else (line,)


def warn(line: str) -> None:
    """One warning on stderr."""
    typer.echo(f"warning: {line}", err=True)


RouteOption = Annotated[
    str | None,
    typer.Option(
        "--route",
        "-r",
        metavar="ROUTE",
        help="Route id or alias, any case (see `ketcost routes`).",
        autocompletion=complete_routes,
    ),
]
ScenarioPricesOption = Annotated[
    str | None,
    typer.Option(
        "--prices",
        metavar="FILE",
        help="A price-sheet TOML file [default: the plan's, else $KETCOST_PRICES, else the "
        "shipped one].",
    ),
]
BudgetOption = Annotated[
    str | None,
    typer.Option(
        metavar="AMOUNT",
        help=f"Warn on stderr and exit {EXIT_BUDGET} when the out-of-pocket may exceed this.",
    ),
]
InstallmentsOption = Annotated[
    str | None,
    typer.Option(metavar="N", help="Split what you pay into N equal monthly payments, 1–120."),
]
ForceOption = Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")]
RoutesOption = Annotated[
    list[str] | None,
    typer.Option(
        "--route",
        "-r",
        metavar="ROUTE",
        help="A route (repeatable: options side by side) [default: the plan's; compare: else "
        "every route in the sheet].",
        autocompletion=complete_routes,
    ),
]
SheetsOption = Annotated[
    list[str] | None,
    typer.Option(
        "--prices",
        metavar="FILE",
        help="A price sheet, e.g. one per clinic (repeatable) [default: the plan's, else "
        "$KETCOST_PRICES, else the shipped one].",
    ),
]


def priced(plan: Plan, sheet: PriceSheet) -> Estimate:
    """The estimate, after a warning line on stderr for each way its schedule is outside the
    route's label or usual practice."""
    result = price(plan, sheet)
    for line in result.warnings:
        warn(line)
    return result


def noted(result: Estimate, earlier: tuple[str, ...], budget: Decimal | None) -> Estimate:
    """The estimate with every warning its command printed (`earlier`: the inputs' and the
    price sheet's, before the estimate's own) and the budget check, for `--json`."""
    check = None if budget is None else Budget(to_cents(budget), result.out_of_pocket.high > budget)
    return replace(result, warnings=(*earlier, *result.warnings), budget=check)


def over_budget(results: list[Estimate], budget: Decimal | None) -> int:
    """Warn when an out-of-pocket range reaches above the budget; the exit code to return."""
    if budget is None:
        return EXIT_OK
    over = [r for r in results if r.out_of_pocket.high > budget]
    if not over:
        return EXIT_OK
    limit = wording.money(to_cents(budget), results[0].currency)
    if len(results) == 1:
        verb = "exceeds" if over[0].out_of_pocket.low > budget else "may exceed"
        span = wording.money_span(over[0].out_of_pocket, over[0].currency)
        warn(f"the out-of-pocket cost ({span}) {verb} the budget of {limit}")
    else:
        names = ", ".join(r.route for r in over)
        warn(f"{len(over)} of {len(results)} options may exceed the budget of {limit}: {names}")
    return EXIT_BUDGET


def say_written(path: str | None) -> None:
    """`wrote FILE` on stderr after an -o FILE (nothing for stdout), as every command says it."""
    if path is not None and path != "-":
        typer.echo(f"wrote {path}", err=True)
