"""`estimate`, `compare` and `timeline`: one plan priced, several side by side, month by month."""

import os
from pathlib import Path
from typing import Annotated

import typer

from ketcost.cli.common import (
    BudgetOption,
    ForceOption,
    FormatOption,
    InstallmentsOption,
    JsonOption,
    RouteOption,
    RoutesOption,
    ScenarioPricesOption,
    SheetsOption,
    noted,
    output_format,
    over_budget,
    priced,
    sheet_for,
    sheet_warnings,
    terminal,
)
from ketcost.cli.options import PlanInputs, plan_options
from ketcost.cli.scenario import scenario
from ketcost.engine import rank
from ketcost.errors import InputError
from ketcost.io.files import to_stdout
from ketcost.render import render_comparison, render_estimate, render_timeline


def _saved_prices(prices: str | None, plan_path: str) -> str | None:
    """A price-sheet path as the saved plan should hold it: relative to the plan's folder."""
    if prices is None:
        return None
    folder = Path(plan_path).resolve().parent
    return os.path.relpath(Path(prices).resolve(), folder)


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
    sheet = sheet_for(chosen.prices)
    result = priced(chosen.plan, sheet)
    if save_plan is not None:
        from ketcost.io.files import write_text
        from ketcost.io.planfile import plan_data, plan_text

        data = plan_data(
            chosen.plan_to_save(),
            prices=_saved_prices(chosen.prices, save_plan),
            budget=chosen.budget,
            quote=chosen.quote,
        )
        write_text(save_plan, plan_text(data), force=force)
        if save_plan != "-":
            typer.echo(f"wrote the plan to {save_plan}", err=True)
    width, color = terminal()
    result = noted(result, (*chosen.warnings, *sheet_warnings(sheet)), chosen.budget)
    to_stdout(render_estimate(result, output, width=width, color=color))
    return over_budget([result], chosen.budget)


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
    named = bool(route or chosen.plan.route)
    results = []
    skipped: list[InputError] = []
    for sheet in sheets:
        for name in route or ([chosen.plan.route] if chosen.plan.route else list(sheet.routes)):
            try:
                result = priced(chosen.plan.model_copy(update={"route": name}), sheet)
            except InputError as error:
                if named:
                    raise
                # every route of the sheet: one the options do not apply to is left out, saying why
                skipped.append(error)
                typer.echo(f"warning: {name} is not compared: {error}", err=True)
                continue
            warnings = (*chosen.warnings, *sheet_warnings(sheet))
            results.append(noted(result, warnings, chosen.budget))
    if not results:
        raise skipped[0]
    width, color = terminal()
    to_stdout(render_comparison(rank(results), output, width=width, color=color))
    return over_budget(results, chosen.budget)


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
    from ketcost.engine.timeline import timeline as month_by_month

    sheet = sheet_for(chosen.prices)
    result = noted(
        priced(chosen.plan, sheet), (*chosen.warnings, *sheet_warnings(sheet)), chosen.budget
    )
    months = month_by_month(chosen.plan, sheet, result)
    width, color = terminal()
    to_stdout(render_timeline(months, output, width=width, color=color))
    return over_budget([months.estimate], chosen.budget)
