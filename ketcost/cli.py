"""The command line: options -> Plan -> pricing -> renderer -> stdout; errors -> exit codes.

Exit codes: 0 success; 1 a price sheet that cannot be read or is not valid; 2 invalid input.
"""

from __future__ import annotations

import os
import shutil
import sys
import traceback
from datetime import date
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from typer.exceptions import TyperException

from ketcost import __version__
from ketcost.errors import InputError, KetcostError, SheetError
from ketcost.models import RANGE_HELP, Maintenance, Plan, PriceSheet
from ketcost.pricing import estimate as price
from ketcost.render import OutputFormat, render_estimate, render_protocols, render_routes
from ketcost.sheets import load_price_sheet, stale_warning

EXIT_OK, EXIT_FILE, EXIT_USAGE = 0, 1, 2

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


def _flag(field: str) -> str:
    return "--" + field.replace("_", "-")


def _plan(**fields: Any) -> Plan:
    """A Plan from option values; a bad value becomes one InputError naming the option."""
    try:
        return Plan(**{k: v for k, v in fields.items() if v is not None})
    except ValidationError as error:
        detail = error.errors()[0]
        message = detail["msg"].removeprefix("Value error, ")
        if not detail["loc"]:
            raise InputError(message) from None
        flag = _flag(str(detail["loc"][0]))
        raise InputError(f"invalid value {detail['input']!r} for {flag}: {message}") from None


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


RANGE = "RANGE"


@app.command()
def estimate(
    route: Annotated[
        str | None,
        typer.Option(
            "--route",
            "-r",
            metavar="ROUTE",
            help="Route id or alias, any case (see `ketcost routes`).",
        ),
    ] = None,
    protocol: Annotated[
        str,
        typer.Option(
            "--protocol", "-p", metavar="NAME", help="Protocol (see `ketcost protocols`)."
        ),
    ] = "standard",
    weeks: Annotated[
        str | None,
        typer.Option(metavar=RANGE, help=f"Weeks of the first phase: {RANGE_HELP}, 1–52."),
    ] = None,
    per_week: Annotated[
        str | None,
        typer.Option(metavar=RANGE, help=f"Sessions a week in the first phase: {RANGE_HELP}, 1–7."),
    ] = None,
    sessions: Annotated[
        str | None,
        typer.Option(
            metavar=RANGE,
            help=f"A fixed session count for the first phase: {RANGE_HELP}, 1–100.",
        ),
    ] = None,
    maintenance: Annotated[
        Maintenance | None,
        typer.Option(
            case_sensitive=False,
            help="Maintenance frequency (monthly-biweekly: monthly low, every 2 weeks high).",
        ),
    ] = None,
    maintenance_months: Annotated[
        str,
        typer.Option(metavar="MONTHS", help="Months of maintenance to include, 0–120."),
    ] = "0",
    prices: PricesOption = None,
    fmt: FormatOption = None,
    as_json: JsonOption = False,
) -> None:
    """Estimate the cost of a course, per phase and in total, as a low–high range.

    \b
    Examples:
      ketcost estimate --route iv --weeks 4
      ketcost estimate -r esketamine --weeks 2-4 --maintenance-months 3
      ketcost estimate -r spravato -p spravato-label --maintenance-months 6 --json
    """
    output = _output_format(fmt, as_json)
    plan = _plan(
        route=route,
        protocol=protocol,
        weeks=weeks,
        per_week=per_week,
        sessions=sessions,
        maintenance=maintenance,
        maintenance_months=maintenance_months,
    )
    result = price(plan, _sheet(prices))
    width, color = _terminal()
    sys.stdout.write(render_estimate(result, output, width=width, color=color))


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
