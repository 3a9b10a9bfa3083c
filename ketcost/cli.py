"""The command line: options -> Plan -> pricing -> renderer -> stdout; errors -> exit codes.

Exit codes: 0 success; 1 a price sheet that cannot be read or is not valid; 2 invalid input;
3 the out-of-pocket cost may exceed --budget (the output is printed as usual).
"""

from __future__ import annotations

import os
import shutil
import sys
import traceback
from datetime import date
from decimal import Decimal
from typing import Annotated

import typer
from typer.exceptions import TyperException

from ketcost import __version__, wording
from ketcost.errors import InputError, KetcostError, SheetError
from ketcost.models import Estimate, PriceSheet, parse_amount
from ketcost.options import PlanInputs, make_plan, plan_options
from ketcost.payment import to_cents
from ketcost.pricing import estimate as price
from ketcost.pricing import rank
from ketcost.render import (
    OutputFormat,
    render_comparison,
    render_estimate,
    render_protocols,
    render_routes,
)
from ketcost.sheets import load_price_sheet, stale_warning

EXIT_OK, EXIT_FILE, EXIT_USAGE, EXIT_BUDGET = 0, 1, 2, 3

app = typer.Typer(
    name="ketcost",
    help=(
        "Estimate what a course of clinically supervised ketamine therapy costs, as a low–high "
        "range. Estimates only: not a bill, a clinic's quote, or medical advice."
    ),
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class _State:
    """Process-wide switches set by the top-level options."""

    debug = False


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


def _output_format(fmt: OutputFormat | None, as_json: bool) -> OutputFormat:
    if as_json and fmt not in (None, OutputFormat.JSON):
        raise InputError(f"--json and --format {fmt} conflict; give one of them")
    return OutputFormat.JSON if as_json else (fmt or OutputFormat.TABLE)


def _terminal() -> tuple[int, bool]:
    """Width and whether to colour: plain 80-column text unless stdout is a terminal."""
    tty = sys.stdout.isatty()
    color = tty and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    width = shutil.get_terminal_size((80, 24)).columns if tty or "COLUMNS" in os.environ else 80
    return max(width, 40), color


def _sheet(prices: str | None) -> PriceSheet:
    sheet = load_price_sheet(prices or None)
    warning = stale_warning(sheet, date.today())
    if warning:
        typer.echo(warning, err=True)
    return sheet


# --- commands ----------------------------------------------------------------------------------


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ketcost {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show a traceback on errors (for bug reports).")
    ] = False,
) -> None:
    """Estimate what a course of clinically supervised ketamine therapy costs, low to high.

    \b
    Example:
      ketcost estimate --route iv --weeks 4
    """
    _State.debug = debug
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())
        raise typer.Exit()


RouteOption = Annotated[
    str | None,
    typer.Option(
        "--route", "-r", metavar="ROUTE", help="Route id or alias, any case (see `ketcost routes`)."
    ),
]
BudgetOption = Annotated[
    str | None,
    typer.Option(
        metavar="AMOUNT",
        help=f"Warn on stderr and exit {EXIT_BUDGET} when the out-of-pocket may exceed this.",
    ),
]


def _budget(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return parse_amount(text)
    except ValueError as error:
        raise InputError(f"invalid value {text!r} for --budget: {error}") from None


def _over_budget(results: list[Estimate], budget: Decimal | None) -> int:
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
        message = f"warning: the out-of-pocket cost ({span}) {verb} the budget of {limit}"
        typer.echo(message, err=True)
    else:
        names = ", ".join(r.route for r in over)
        typer.echo(
            f"warning: {len(over)} of {len(results)} options may exceed the budget of {limit}: "
            f"{names}",
            err=True,
        )
    return EXIT_BUDGET


@app.command()
@plan_options
def estimate(
    inputs: PlanInputs,
    route: RouteOption = None,
    prices: PricesOption = None,
    budget: BudgetOption = None,
    fmt: FormatOption = None,
    as_json: JsonOption = False,
) -> int:
    """Estimate the cost of a course and what you pay, as a low–high range.

    \b
    Examples:
      ketcost estimate --route iv --weeks 4
      ketcost estimate -r esketamine --weeks 2-4 --maintenance-months 3
      ketcost estimate -r esketamine --weeks 4 --deductible 1000 --coinsurance 20 --oop-max 3000
      ketcost estimate -r oral --weeks 4 --with consultation --discount 10 --json
    """
    output = _output_format(fmt, as_json)
    plan = make_plan(inputs, route=route)
    limit = _budget(budget)
    result = price(plan, _sheet(prices))
    width, color = _terminal()
    sys.stdout.write(render_estimate(result, output, width=width, color=color))
    return _over_budget([result], limit)


@app.command()
@plan_options
def compare(
    inputs: PlanInputs,
    route: Annotated[
        list[str] | None,
        typer.Option(
            "--route",
            "-r",
            metavar="ROUTE",
            help="A route to compare (repeatable) [default: every route in the sheet].",
        ),
    ] = None,
    prices: Annotated[
        list[str] | None,
        typer.Option(
            "--prices",
            metavar="FILE",
            help="A price sheet, e.g. one per clinic (repeatable) [default: $KETCOST_PRICES "
            "or the shipped one].",
        ),
    ] = None,
    budget: BudgetOption = None,
    fmt: FormatOption = None,
    as_json: JsonOption = False,
) -> int:
    """Compare routes (and clinics' price sheets) side by side, cheapest worst case first.

    \b
    Examples:
      ketcost compare --weeks 4
      ketcost compare -r iv -r esketamine --deductible 1000 --coinsurance 20
      ketcost compare -r iv --prices clinic-a.toml --prices clinic-b.toml --format markdown
    """
    output = _output_format(fmt, as_json)
    make_plan(inputs)  # bad option values are reported before any sheet is read
    limit = _budget(budget)
    sheets = [_sheet(path) for path in (prices or [os.environ.get("KETCOST_PRICES", "")])]
    results = [
        price(make_plan(inputs, route=name), sheet)
        for sheet in sheets
        for name in (route or list(sheet.routes))
    ]
    width, color = _terminal()
    sys.stdout.write(render_comparison(rank(results), output, width=width, color=color))
    return _over_budget(results, limit)


@app.command()
def routes(
    prices: PricesOption = None, fmt: FormatOption = None, as_json: JsonOption = False
) -> None:
    """List the routes in the price sheet with price per session and insurance eligibility.

    \b
    Example:
      ketcost routes --format markdown
    """
    output = _output_format(fmt, as_json)
    width, color = _terminal()
    sys.stdout.write(render_routes(_sheet(prices), output, width=width, color=color))


@app.command()
def protocols(
    prices: PricesOption = None, fmt: FormatOption = None, as_json: JsonOption = False
) -> None:
    """List the treatment protocols in the price sheet and their phases in words.

    \b
    Example:
      ketcost protocols
    """
    output = _output_format(fmt, as_json)
    width, color = _terminal()
    sys.stdout.write(render_protocols(_sheet(prices), output, width=width, color=color))


@app.command("check-prices")
def check_prices(
    file: Annotated[str, typer.Argument(metavar="FILE", help="The price-sheet TOML to check.")],
) -> None:
    """Check a price sheet: "ok: N routes, M protocols", or every problem and exit 1.

    \b
    Example:
      ketcost check-prices my-clinic.toml
    """
    sheet = _sheet(file)
    typer.echo(f"ok: {len(sheet.routes)} routes, {len(sheet.protocols)} protocols")


# --- entry point -------------------------------------------------------------------------------


def _error_lines(error: KetcostError) -> list[str]:
    if isinstance(error, SheetError):
        return error.problems
    return [str(error)]


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code; expected errors print `error: ...` lines on stderr."""
    args = sys.argv[1:] if argv is None else argv
    _State.debug = False
    try:
        result = app(args=args, prog_name="ketcost", standalone_mode=False)
    except TyperException as error:  # typer's usage errors: bad option, bad choice, missing value
        message = error.format_message().replace("Value error, ", "")
        typer.echo(f"error: {message}", err=True)
        return error.exit_code
    except KetcostError as error:
        if _State.debug:
            traceback.print_exc()
        for line in _error_lines(error):
            typer.echo(f"error: {line}", err=True)
        return error.exit_code
    except typer.Abort:
        typer.echo("error: interrupted", err=True)
        return 130
    return result if isinstance(result, int) else EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
