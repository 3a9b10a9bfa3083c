"""`plan init`: plan files, a client's scenario kept as TOML."""

from __future__ import annotations

from typing import Annotated

import typer

from ketcost.cli.base import PlainUsage
from ketcost.cli.common import ForceOption, say_written

plan_app = typer.Typer(
    help="Plan files: a client's scenario kept as TOML.\n\n\b\nExample:\n  ketcost plan init "
    "client.toml && ketcost estimate --plan client.toml",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@plan_app.command("init", cls=PlainUsage)
def plan_init(
    file: Annotated[str, typer.Argument(metavar="FILE", help="Where to write the template.")],
    force: ForceOption = False,
) -> None:
    """Write a commented plan template to FILE (- for stdout).

    \b
    Example:
      ketcost plan init client.toml && ketcost estimate --plan client.toml
    """
    from ketcost.io.files import write_text
    from ketcost.io.planfile import PLAN_TEMPLATE

    write_text(file, PLAN_TEMPLATE, force=force)
    say_written(file)
