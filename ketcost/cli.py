"""The command line: options -> Plan -> pricing -> renderer -> stdout; errors -> exit codes.

Exit codes: 0 success; 1 a price sheet that cannot be read or is not valid, or a file that cannot
be written; 2 invalid input (options or a plan file);
3 the out-of-pocket cost may exceed --budget (the output is printed as usual).
"""

from __future__ import annotations

import contextlib
import os
import sys
import traceback
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.exceptions import TyperException

from ketcost import __version__
from ketcost.commands.batch import LIVE_PROGRESS, batch
from ketcost.commands.common import (
    EXIT_FILE,
    EXIT_OK,
    EXIT_USAGE,
    BudgetOption,
    ForceOption,
    FormatOption,
    InstallmentsOption,
    JsonOption,
    PricesOption,
    RouteOption,
    RoutesOption,
    ScenarioPricesOption,
    SheetsOption,
    output_format,
    over_budget,
    priced,
    sheet_for,
    terminal,
)
from ketcost.commands.quote import check_bill, quote
from ketcost.errors import (
    FileProblemsError,
    InputError,
    KetcostError,
    OutputClosed,
    OutputFailed,
    Terminated,
)
from ketcost.files import to_stdout
from ketcost.options import PlanInputs, plan_options, scenario
from ketcost.pricing import rank
from ketcost.render import (
    OutputFormat,
    render_addons,
    render_comparison,
    render_estimate,
    render_protocols,
    render_routes,
    render_timeline,
)


def _plain_usage_name(self: typer.core.TyperArgument) -> str:
    """`FILE` for a required argument in usage lines, as in every other tool (typer writes
    `{FILE}`); `[FILE]` when it is optional."""
    name: str = self.display_name_raw
    return name if self.required else f"[{name}]"


if hasattr(typer.core.TyperArgument, "_usage_display_name"):  # a test checks the usage lines
    typer.core.TyperArgument._usage_display_name = _plain_usage_name  # type: ignore[method-assign]

app = typer.Typer(
    name="ketcost",
    help=(
        "Estimate what a course of clinically supervised ketamine therapy costs, as a low–high "
        "range. Estimates only: not a bill, a clinic's quote, or medical advice.\n\n\b\n"
        "Examples:\n  ketcost estimate --route iv --weeks 4\n"
        "  ketcost compare --weeks 4 --deductible 1000 --coinsurance 20"
    ),
    pretty_exceptions_enable=False,
    add_completion=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class _State:
    """Process-wide switches set by the top-level options."""

    debug = False


# --- commands ----------------------------------------------------------------------------------


def _version(value: bool) -> None:
    if value:
        to_stdout(f"ketcost {__version__}\n")
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
        to_stdout(ctx.get_help() + "\n")
        raise typer.Exit()


def _saved_prices(prices: str | None, plan_path: str) -> str | None:
    """A price-sheet path as the saved plan should hold it: relative to the plan's folder."""
    if prices is None:
        return None
    folder = Path(plan_path).resolve().parent
    return os.path.relpath(Path(prices).resolve(), folder)


@app.command()
@plan_options
def estimate(
    inputs: PlanInputs,
    route: RouteOption = None,
    prices: ScenarioPricesOption = None,
    budget: BudgetOption = None,
    installments: InstallmentsOption = None,
    save_plan: Annotated[
        str | None,
        typer.Option(metavar="FILE", help="Also write these inputs to FILE as a plan."),
    ] = None,
    force: ForceOption = False,
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
      ketcost estimate --plan client.toml --installments 6
    """
    output = output_format(fmt, as_json)
    chosen = scenario(inputs, route=route, prices=prices, budget=budget, installments=installments)
    result = priced(chosen.plan, sheet_for(chosen.prices))
    if save_plan is not None:
        from ketcost.files import write_text
        from ketcost.planfile import plan_data, plan_text

        data = plan_data(
            chosen.plan,
            prices=_saved_prices(chosen.prices, save_plan),
            budget=chosen.budget,
            quote=chosen.quote,
        )
        write_text(save_plan, plan_text(data), force=force)
        if save_plan != "-":
            typer.echo(f"wrote the plan to {save_plan}", err=True)
    width, color = terminal()
    to_stdout(render_estimate(result, output, width=width, color=color))
    return over_budget([result], chosen.budget)


@app.command()
@plan_options
def compare(
    inputs: PlanInputs,
    route: RoutesOption = None,
    prices: SheetsOption = None,
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
    output = output_format(fmt, as_json)
    chosen = scenario(inputs, budget=budget)
    sheets = [sheet_for(path or None) for path in (prices or [chosen.prices or ""])]
    currencies = list(dict.fromkeys(sheet.currency for sheet in sheets))
    if len(currencies) > 1:
        raise InputError(
            f"the price sheets are in different currencies ({', '.join(currencies)}); "
            "compare sheets in one currency"
        )
    results = [
        priced(chosen.plan.model_copy(update={"route": name}), sheet)
        for sheet in sheets
        for name in (route or ([chosen.plan.route] if chosen.plan.route else list(sheet.routes)))
    ]
    width, color = terminal()
    to_stdout(render_comparison(rank(results), output, width=width, color=color))
    return over_budget(results, chosen.budget)


@app.command()
@plan_options
def timeline(
    inputs: PlanInputs,
    route: RouteOption = None,
    prices: ScenarioPricesOption = None,
    budget: BudgetOption = None,
    installments: InstallmentsOption = None,
    fmt: FormatOption = None,
    as_json: JsonOption = False,
) -> int:
    """Month by month: sessions, cost and what you pay, with a chart of the running total.

    \b
    Examples:
      ketcost timeline -r esketamine -p spravato-label --maintenance-months 6
      ketcost timeline --plan client.toml --installments 12 --json
    """
    output = output_format(fmt, as_json)
    chosen = scenario(inputs, route=route, prices=prices, budget=budget, installments=installments)
    from ketcost.timeline import timeline as month_by_month

    sheet = sheet_for(chosen.prices)
    months = month_by_month(chosen.plan, sheet, priced(chosen.plan, sheet))
    width, color = terminal()
    to_stdout(render_timeline(months, output, width=width, color=color))
    return over_budget([months.estimate], chosen.budget)


app.command()(quote)
app.command("check-bill")(check_bill)
app.command()(batch)


class SchemaName(StrEnum):
    """What `ketcost schema` can describe."""

    PLAN = "plan"
    ESTIMATE = "estimate"
    TIMELINE = "timeline"
    QUOTE = "quote"
    PRICE_SHEET = "price-sheet"


@app.command()
def schema(
    name: Annotated[SchemaName, typer.Argument(case_sensitive=False, help="Which schema.")],
) -> None:
    """Print a JSON Schema (draft 2020-12) generated from ketcost's models.

    `plan` describes a plan file or batch record, `estimate` the output of `estimate --json`
    (and each item of `compare --json` and `batch`), `timeline` the output of `timeline --json`,
    `quote` what `quote -f json` writes (a Good Faith Estimate or a counselor's estimate),
    `price-sheet` a price-sheet file.

    \b
    Example:
      ketcost schema estimate > estimate.schema.json
    """
    from ketcost.schemas import schema_json

    to_stdout(schema_json(name.value))


plan_app = typer.Typer(
    help="Plan files: a client's scenario kept as TOML.\n\n\b\nExample:\n  ketcost plan init "
    "client.toml && ketcost estimate --plan client.toml",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(plan_app, name="plan")


@plan_app.command("init")
def plan_init(
    file: Annotated[str, typer.Argument(metavar="FILE", help="Where to write the template.")],
    force: ForceOption = False,
) -> None:
    """Write a commented plan template to FILE (- for stdout).

    \b
    Example:
      ketcost plan init client.toml && ketcost estimate --plan client.toml
    """
    from ketcost.files import write_text
    from ketcost.planfile import PLAN_TEMPLATE

    write_text(file, PLAN_TEMPLATE, force=force)
    if file != "-":
        typer.echo(f"wrote {file}", err=True)


def _listing(
    render: Callable[..., str], prices: str | None, fmt: OutputFormat | None, as_json: bool
) -> None:
    """Print one of the sheet's listings (routes, add-ons, protocols) in the asked format."""
    output = output_format(fmt, as_json)
    width, color = terminal()
    to_stdout(render(sheet_for(prices), output, width=width, color=color))


@app.command()
def routes(
    prices: PricesOption = None, fmt: FormatOption = None, as_json: JsonOption = False
) -> None:
    """List the routes in the price sheet with price per session and insurance eligibility.

    \b
    Example:
      ketcost routes --format markdown
    """
    _listing(render_routes, prices, fmt, as_json)


@app.command()
def addons(
    prices: PricesOption = None, fmt: FormatOption = None, as_json: JsonOption = False
) -> None:
    """List the add-ons in the price sheet (for --with) with price, how often, and insurance.

    \b
    Example:
      ketcost addons --format csv
    """
    _listing(render_addons, prices, fmt, as_json)


@app.command()
def protocols(
    prices: PricesOption = None, fmt: FormatOption = None, as_json: JsonOption = False
) -> None:
    """List the treatment protocols in the price sheet and their phases in words.

    \b
    Example:
      ketcost protocols
    """
    _listing(render_protocols, prices, fmt, as_json)


@app.command("check-prices")
def check_prices(
    file: Annotated[str, typer.Argument(metavar="FILE", help="The price-sheet TOML to check.")],
) -> None:
    """Check a price sheet: "ok: N routes, M protocols" and its oldest dated source (to re-check
    first), or every problem and exit 1.

    \b
    Example:
      ketcost check-prices my-clinic.toml
    """
    from ketcost.sheets import oldest_published

    sheet = sheet_for(file)
    lines = [f"ok: {len(sheet.routes)} routes, {len(sheet.protocols)} protocols"]
    oldest = oldest_published(sheet)
    if oldest is not None:
        lines.append(f"oldest published source: {oldest[0].isoformat()} ({oldest[1]})")
    import textwrap

    width, _ = terminal()
    to_stdout("".join(f"{part}\n" for line in lines for part in textwrap.wrap(line, width)))


# --- entry point -------------------------------------------------------------------------------


def _error_lines(error: KetcostError) -> list[str]:
    if isinstance(error, FileProblemsError):
        return error.problems
    return [str(error)]


EXIT_BUG, EXIT_INTERRUPTED, EXIT_TERMINATED = 70, 130, 143


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush at exit cannot fail again."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code; expected errors print `error: ...` lines on stderr."""
    import signal

    args = sys.argv[1:] if argv is None else argv
    _State.debug = False
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        code = _run(args)
        to_stdout("")  # whatever is still buffered, while an error can still be reported
    except OutputClosed:
        code = OutputClosed.exit_code
    except OutputFailed as error:
        typer.echo(f"error: {error}", err=True)
        code = error.exit_code
    except Terminated:
        code = EXIT_TERMINATED
    finally:
        signal.signal(signal.SIGTERM, previous)
        while LIVE_PROGRESS:
            LIVE_PROGRESS.pop()()
    if code in (OutputClosed.exit_code, EXIT_FILE):
        _quiet_stdout()
    return code


def _usage_line(error: TyperException) -> str:
    """A usage error as one line, starting in lower case like every other error."""
    message = error.format_message().replace("Value error, ", "")
    if message.startswith("Usage:"):  # a group called with no command: its help, not an error
        where = getattr(getattr(error, "ctx", None), "command_path", "ketcost")
        return f"give a command; see `{where} --help`"
    message = " ".join(message.split())
    return message[:1].lower() + message[1:]


def _repeated_option(command: Any, args: list[str]) -> str | None:
    """The first single-valued option given more than once (or a flag given both ways), as
    a usage message; click would silently keep the last."""
    # typer vendors click; its command objects are read through click's public attributes.
    while hasattr(command, "commands"):
        names = [a for a in args if not a.startswith("-")]
        if not names or names[0] not in command.commands:
            return None
        args = args[args.index(names[0]) + 1 :]
        command = command.commands[names[0]]
    options = {
        name: param
        for param in command.params
        if getattr(param, "param_type_name", "") == "option"
        for name in (*param.opts, *param.secondary_opts)
    }
    seen: dict[str, str] = {}
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg == "--":
            break
        name = arg.split("=", 1)[0]
        param = options.get(name)
        if param is None:
            continue
        skip = not param.is_flag and "=" not in arg
        if param.multiple or param.count:
            continue
        if param.name in seen:
            if seen[param.name] != name:
                return f"{seen[param.name]} and {name} conflict; give one of them"
            return f"{name} is given more than once; give it once"
        seen[str(param.name)] = name
    return None


def _run(args: list[str]) -> int:
    command = typer.main.get_command(app)
    try:
        repeated = _repeated_option(command, args)
        if repeated is not None:
            typer.echo(f"error: {repeated}", err=True)
            return EXIT_USAGE
        result = command.main(args=args, prog_name="ketcost", standalone_mode=False)
    except TyperException as error:  # typer's usage errors: bad option, bad choice, missing value
        typer.echo(f"error: {_usage_line(error)}", err=True)
        return error.exit_code
    except (OutputClosed, OutputFailed):
        raise  # main reports these once, then stops writing to stdout
    except KetcostError as error:
        if _State.debug:
            traceback.print_exc()
        for line in _error_lines(error):
            typer.echo(f"error: {line}", err=True)
        return error.exit_code
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("error: interrupted", err=True)
        return EXIT_INTERRUPTED
    except Exception as error:  # a bug: one line for the user, the traceback with --debug
        if _State.debug:
            traceback.print_exc()
        typer.echo(
            f"error: internal error ({type(error).__name__}); please report it with the "
            "command and its --debug output",
            err=True,
        )
        return EXIT_BUG
    return result if isinstance(result, int) else EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
