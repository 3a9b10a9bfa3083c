"""`prices init`: a starting price sheet for a clinic to edit."""

from __future__ import annotations

from typing import Annotated

import typer

from ketcost.cli.base import PlainUsage
from ketcost.cli.common import ForceOption, say_written

prices_app = typer.Typer(
    help="Price sheets: a clinic's own prices, routes and schedules as TOML.\n\n\b\nExample:\n"
    "  ketcost prices init clinic.toml && ketcost check-prices clinic.toml",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@prices_app.command("init", cls=PlainUsage)
def prices_init(
    file: Annotated[str, typer.Argument(metavar="FILE", help="Where to write the sheet.")],
    force: ForceOption = False,
) -> None:
    """Write the shipped price sheet, with its comments and sources, to FILE (- for stdout), for
    a clinic to edit; `check-prices` accepts it as written.

    \b
    Example:
      ketcost prices init clinic.toml && ketcost estimate -r iv --prices clinic.toml
    """
    from ketcost.io.files import write_text
    from ketcost.io.sheets import default_sheet_text

    write_text(file, default_sheet_text(), force=force)
    say_written(file)
