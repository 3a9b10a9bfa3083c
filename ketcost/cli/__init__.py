"""The command line: options -> Plan -> pricing -> renderer -> stdout; errors -> exit codes.

Exit codes: 0 success; 1 a price sheet that cannot be read or is not valid, or a file that cannot
be written; 2 invalid input (options or a plan file);
3 the out-of-pocket cost may exceed --budget (the output is printed as usual); 4 a batch whose
run finished with some records failed; 128 + N a signal N that ended the run.
"""

import contextlib
import gc
import importlib
import os
import sys
import traceback
from typing import Annotated, Any, NoReturn

import typer
from typer.exceptions import TyperException

from ketcost import __version__
from ketcost.cli.base import EXIT_FILE, EXIT_OK, EXIT_USAGE, LIVE_PROGRESS, PlainUsage
from ketcost.errors import (
    FileProblemsError,
    KetcostError,
    OutputClosed,
    OutputFailed,
    Terminated,
)
from ketcost.io.files import to_stdout


class _State:
    """Process-wide switches set by the top-level options."""

    debug = False


# --- commands ----------------------------------------------------------------------------------


def _version(value: bool) -> None:
    if value:
        to_stdout(f"ketcost {__version__}\n")
        raise typer.Exit()


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


# --- the app, built with only the command that is run ------------------------------------------

# Every command, in the order `ketcost --help` lists them: its module and function. A run builds
# the app with only the command it names, so `estimate --json` never imports the quote, the Good
# Faith Estimate or batch; `--help`, `--version`, completion and unknown names get every command.
COMMANDS: dict[str, tuple[str, str]] = {
    "estimate": ("ketcost.cli.estimate", "estimate"),
    "compare": ("ketcost.cli.estimate", "compare"),
    "timeline": ("ketcost.cli.estimate", "timeline"),
    "quote": ("ketcost.cli.quote", "quote"),
    "check-bill": ("ketcost.cli.bill", "check_bill"),
    "batch": ("ketcost.cli.batch", "batch"),
    "schema": ("ketcost.cli.scripting", "schema"),
    "plan": ("ketcost.cli.plan", "plan_app"),
    "prices": ("ketcost.cli.prices", "prices_app"),
    "routes": ("ketcost.cli.sheet", "routes"),
    "addons": ("ketcost.cli.sheet", "addons"),
    "protocols": ("ketcost.cli.sheet", "protocols"),
    "check-prices": ("ketcost.cli.sheet", "check_prices"),
}
ROOT_OPTIONS = ("--debug",)  # options before the command that take no value


def build_app(only: str | None = None) -> typer.Typer:
    """The typer app with every command, or with only the command `only`."""
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
    app.callback(invoke_without_command=True)(_root)
    for name, (module, attribute) in COMMANDS.items():
        if only is not None and name != only:
            continue
        found = getattr(importlib.import_module(module), attribute)
        if isinstance(found, typer.Typer):
            app.add_typer(found, name=name)
        else:
            app.command(name, cls=PlainUsage)(found)
    return app


def invoked(args: list[str]) -> str | None:
    """The command `args` run, when it is one of COMMANDS; None for the root's own options
    (--help, --version, completion) or an unknown name, which need the whole app."""
    for arg in args:
        if arg in ROOT_OPTIONS:
            continue
        return arg if arg in COMMANDS else None
    return None


# --- entry point -------------------------------------------------------------------------------


def _error_lines(error: KetcostError) -> list[str]:
    if isinstance(error, FileProblemsError):
        return error.problems
    return [str(error)]


EXIT_BUG, EXIT_INTERRUPTED = 70, 130  # a signal that ends a run exits 128 + its number


def _terminate(signum: int, frame: object) -> None:
    raise Terminated(signum)


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush at exit cannot fail again."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _standard_streams() -> str | None:
    """Standard output and error as UTF-8 whatever the locale (ketcost writes en dashes and
    names in any script); what is wrong when standard output is closed."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if stream is not None and encoding != "utf8" and hasattr(stream, "reconfigure"):
            with contextlib.suppress(ValueError, OSError):
                stream.reconfigure(encoding="utf-8")
    if sys.stdout is None:
        return "cannot write to standard output: it is closed"
    return None


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code; expected errors print `error: ...` lines on stderr."""
    import signal

    args = sys.argv[1:] if argv is None else argv
    _State.debug = False
    closed = _standard_streams()
    if closed is not None:
        if sys.stderr is not None:
            sys.stderr.write(f"error: {closed}\n")
        return EXIT_FILE
    # ketcost's models use no pydantic plugins, so, as typer does while it builds its own
    # validators, the command line does not scan every installed package for them (a few
    # milliseconds a run). Setting the variable yourself, even empty, chooses otherwise.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    # SIGHUP (the terminal closed) ends a run as SIGTERM does: unwinding, so no temporary file
    # is left behind.
    hangups = [signal.SIGTERM, *([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])]
    previous = {signum: signal.signal(signum, _terminate) for signum in hangups}
    try:
        code = _run(args)
        to_stdout("")  # whatever is still buffered, while an error can still be reported
    except OutputClosed:
        code = OutputClosed.exit_code
    except OutputFailed as error:
        typer.echo(f"error: {error}", err=True)
        code = error.exit_code
    except Terminated as stop:
        code = 128 + (stop.args[0] if stop.args else signal.SIGTERM)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
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


def _debug_anywhere(args: list[str]) -> list[str]:
    """`--debug` is the root's option, but people put it after the command too: taken from
    wherever it is (before a `--`), and given to the root."""
    end = args.index("--") if "--" in args else len(args)
    if "--debug" not in args[1:end]:
        return args
    rest = [arg for arg in args[:end] if arg != "--debug"]
    return ["--debug", *rest, *args[end:]]


def _run(args: list[str]) -> int:
    args = _debug_anywhere(args)
    command = typer.main.get_command(build_app(invoked(args)))
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
        from ketcost.domain.values import clean_text  # here: it imports pydantic (see main

        for line in _error_lines(error):
            # One line each, with no control character: a path or a key from a file may hold a
            # newline (a forged second `error:` line) or an escape sequence.
            typer.echo(f"error: {clean_text(line)}", err=True)
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


def run() -> NoReturn:
    """The `ketcost` command (and `python -m ketcost`): `main`, then exit with its code.

    First every object still alive is set aside from the garbage collector (`gc.freeze`), so
    the interpreter's last collections, as it exits, do not walk them all: that took about 30 ms
    of a short run, for nothing, since the output is flushed and the process is ending. Tests
    call `main`, which does not do this."""
    code = main()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
