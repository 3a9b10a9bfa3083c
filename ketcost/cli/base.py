"""What every command shares and the app needs before it knows the command: the exit codes, the
live progress displays to stop, and the click command class commands are made with."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer

EXIT_OK, EXIT_FILE, EXIT_USAGE, EXIT_BUDGET = 0, 1, 2, 3
EXIT_RECORDS = 4  # batch: the run finished, and some records failed (each has its error record)

# Live displays (batch's progress bar) to stop before the process exits, however it exits.
LIVE_PROGRESS: list[Callable[[], None]] = []


class PlainUsage(typer.core.TyperCommand):
    """The command class every ketcost command is made with (`cls=`, click's public hook): its
    usage line names a required argument `FILE`, as every other tool does (typer writes
    `{FILE}`), and its help lists an argument by its placeholder alone (typer adds the Python
    type: `FILE <str>`)."""

    def format_options(self, ctx: Any, formatter: Any) -> None:  # click's Context, HelpFormatter
        arguments, options = [], []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                arguments.append((param.metavar or record[0], record[1]))
            else:
                options.append(record)
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)

    def collect_usage_pieces(self, ctx: Any) -> list[str]:  # click's Context
        pieces: list[str] = super().collect_usage_pieces(ctx)
        return [p[1:-1] if p.startswith("{") and p.endswith("}") else p for p in pieces]
