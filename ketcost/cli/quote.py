"""`ketcost quote`: the counselor's estimate, or a provider's Good Faith Estimate (`check-bill`
is in `cli.bill`)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import ValidationError

from ketcost.cli.base import EXIT_OK
from ketcost.cli.common import (
    BudgetOption,
    ForceOption,
    InstallmentsOption,
    RoutesOption,
    SheetsOption,
    noted,
    over_budget,
    priced,
    say_written,
    sheet_for,
    sheet_warnings,
)
from ketcost.cli.options import PlanInputs, option_error, plan_options
from ketcost.cli.scenario import scenario
from ketcost.domain.plan import today
from ketcost.errors import InputError
from ketcost.io.files import ReadProblem, read_text

if TYPE_CHECKING:
    from ketcost.documents.gfe import ProviderInfo
    from ketcost.io.planfile import QuoteInfo


class QuoteFormat(StrEnum):
    """What a quote can be written as."""

    HTML = "html"
    MARKDOWN = "markdown"
    JSON = "json"


def _quote_format(fmt: QuoteFormat | None, output: str) -> QuoteFormat:
    if fmt is not None:
        return fmt
    suffix = Path(output).suffix.lower()
    if suffix in (".html", ".htm"):
        return QuoteFormat.HTML
    if suffix in (".md", ".markdown"):
        return QuoteFormat.MARKDOWN
    if suffix == ".json":
        return QuoteFormat.JSON
    if output == "-":
        return QuoteFormat.MARKDOWN
    raise InputError(
        f"cannot tell the format of {output!r} from its extension; give --format html, markdown "
        "or json"
    )


@plan_options
def quote(
    inputs: PlanInputs,
    route: RoutesOption = None,
    output: Annotated[
        str,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Where to write the quote [default: - (stdout), as Markdown].",
        ),
    ] = "-",
    prices: SheetsOption = None,
    budget: BudgetOption = None,
    installments: InstallmentsOption = None,
    client: Annotated[
        str | None, typer.Option(metavar="NAME", help="Who the quote is for (the patient).")
    ] = None,
    prepared_by: Annotated[
        str | None, typer.Option(metavar="NAME", help="Who prepared it.")
    ] = None,
    clinic: Annotated[str | None, typer.Option(metavar="NAME", help="The clinic.")] = None,
    gfe: Annotated[
        bool,
        typer.Option(
            "--gfe",
            help="Issue a provider's Good Faith Estimate (No Surprises Act) instead: needs "
            "--client, --client-dob, --diagnosis, --provider, single prices and counts.",
        ),
    ] = False,
    client_dob: Annotated[
        str | None, typer.Option(metavar="DATE", help="GFE: the patient's date of birth.")
    ] = None,
    scheduled: Annotated[
        str | None, typer.Option(metavar="DATE", help="GFE: the first session's date, if known.")
    ] = None,
    diagnosis: Annotated[
        list[str] | None,
        typer.Option(
            metavar="CODE", help="GFE: an ICD-10 diagnosis code, e.g. F33.2 (repeatable)."
        ),
    ] = None,
    provider: Annotated[
        str | None,
        typer.Option(
            metavar="FILE",
            help="GFE: a TOML file with the provider's name, npi, tin, address and state "
            "[default: the plan's [provider] table].",
        ),
    ] = None,
    fmt: Annotated[
        QuoteFormat | None,
        typer.Option(
            "--format", "-f", case_sensitive=False, help="[default: from the file's extension]"
        ),
    ] = None,
    force: ForceOption = False,
) -> int:
    """Write a counselor's estimate (HTML, Markdown or JSON), or with --gfe a provider's Good
    Faith Estimate.

    \b
    Examples:
      ketcost quote --plan client.toml -o client-quote.html
      ketcost quote -r esketamine --weeks 4 --deductible 1000 --client "A. Client" -o quote.md
      ketcost quote -r iv -r esketamine --weeks 4 --client "A. Client" -o options.html
      ketcost quote --gfe --plan client.toml --prices clinic.toml --client-dob 1980-04-02 \\
          --diagnosis F33.2 --provider clinic-provider.toml -o gfe.html
    """
    from ketcost.io.files import write_text
    from ketcost.render import quote as quotes

    kind = _quote_format(fmt, output)
    routes: list[str | None] = [*route] if route else [None]
    sheets: list[str | None] = [*prices] if prices else [None]
    several = len(routes) > 1 or len(sheets) > 1
    if gfe and several:
        raise InputError("a Good Faith Estimate is one provider's, for one plan: give one --route "
                         "and one --prices")  # fmt: skip
    if several and kind is QuoteFormat.JSON:
        raise InputError("-f json writes one estimate; give one --route and one --prices")
    chosen = scenario(
        inputs, route=routes[0], prices=sheets[0], budget=budget, installments=installments
    )
    details = _quote_details(chosen.quote, client=client, prepared_by=prepared_by, clinic=clinic)
    sheet = sheet_for(chosen.prices)
    if gfe:
        from ketcost.documents.gfe import GfeInputs, build_gfe

        values: dict[str, Any] = {
            "client": details.client,
            "client_dob": client_dob if client_dob is not None else details.client_dob,
            "scheduled": scheduled if scheduled is not None else details.scheduled,
            "diagnosis": tuple(diagnosis or details.diagnosis),
            "provider": _provider(provider) if provider else chosen.provider,
        }
        try:
            gfe_inputs = GfeInputs.model_validate(values)
        except ValidationError as error:
            raise _gfe_error(error) from None
        document = build_gfe(chosen.plan, sheet, gfe_inputs, today())
        renderers = {
            QuoteFormat.HTML: quotes.gfe_html,
            QuoteFormat.MARKDOWN: quotes.gfe_markdown,
            QuoteFormat.JSON: quotes.gfe_json,
        }
        write_text(output, renderers[kind](document), force=force)
        say_written(output)
        return EXIT_OK
    from ketcost.documents.quote import build_quote
    from ketcost.engine.timeline import timeline as month_by_month

    options = []
    for path in sheets:
        option_sheet = sheet if path == sheets[0] else sheet_for(path)
        for name in routes:
            plan = chosen.plan if name is None else chosen.plan.model_copy(update={"route": name})
            said = (*chosen.warnings, *sheet_warnings(option_sheet))
            result = noted(priced(plan, option_sheet), said, chosen.budget)
            months = month_by_month(plan, option_sheet, result)
            options.append(build_quote(plan, months, details, today()))
    if len({o.estimate.currency for o in options}) > 1:
        raise InputError("the price sheets are in different currencies; quote sheets in one")
    if kind is QuoteFormat.JSON:
        text = quotes.json_text(options[0])
    elif kind is QuoteFormat.HTML:
        text = quotes.html(*options)
    else:
        text = quotes.markdown(*options)
    write_text(output, text, force=force)
    say_written(output)
    return over_budget([o.estimate for o in options], chosen.budget)


_GFE_FLAGS = {"client_dob": "--client-dob", "scheduled": "--scheduled", "diagnosis": "--diagnosis"}


def _gfe_error(error: ValidationError) -> InputError:
    detail = error.errors()[0]
    field = str(detail["loc"][0]) if detail["loc"] else ""
    message = detail["msg"].removeprefix("Value error, ")
    where = _GFE_FLAGS.get(field, f"the provider's {'.'.join(map(str, detail['loc'][1:]))}")
    return InputError(f"invalid value for {where}: {message}")


def _provider(path: str) -> ProviderInfo:
    """The provider from a TOML file of its own: name, npi, tin, address, state."""
    from ketcost.documents.gfe import ProviderInfo
    from ketcost.errors import PlanError
    from ketcost.io.planfile import key_problem
    from ketcost.io.sheets import load_toml

    try:
        text = read_text(path)
    except ReadProblem as problem:
        raise PlanError(path, [f"{path}: {problem}"]) from None
    data = load_toml(text, path, PlanError)
    try:
        return ProviderInfo.model_validate(data)
    except ValidationError as error:
        raise PlanError(path, [f"{path}: {key_problem(d)}" for d in error.errors()]) from None


def _quote_details(base: QuoteInfo | None, **given: str | None) -> QuoteInfo:
    from ketcost.io.planfile import QuoteInfo

    base = base or QuoteInfo()
    values = {k: v for k, v in given.items() if v is not None}
    try:
        return QuoteInfo.model_validate({**base.model_dump(), **values})
    except ValidationError as error:
        raise option_error(error, values) from None
