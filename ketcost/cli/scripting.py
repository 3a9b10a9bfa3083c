"""`schema`: the JSON Schemas of ketcost's inputs and outputs, for scripts."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from ketcost.io.files import to_stdout


class SchemaName(StrEnum):
    """What `ketcost schema` can describe."""

    PLAN = "plan"
    ESTIMATE = "estimate"
    TIMELINE = "timeline"
    QUOTE = "quote"
    PRICE_SHEET = "price-sheet"
    CHECK_BILL = "check-bill"


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
