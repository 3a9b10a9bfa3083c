"""Every figure printed whole at every width: no renderer drops a character of an amount, a count
or a heading, and no line is wider than the terminal."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketcost import Insurance, Plan, estimate, load_price_sheet, wording
from ketcost.domain.plan import with_start
from ketcost.domain.result import Estimate
from ketcost.engine import rank
from ketcost.engine.timeline import timeline
from ketcost.render import (
    OutputFormat,
    render_comparison,
    render_estimate,
    render_protocols,
    render_routes,
    render_timeline,
)

from .conftest import RunCli

SHEET = load_price_sheet()
WIDTHS = (40, 60, 80, 100, 200)
TABLE = OutputFormat.TABLE


def amounts(result: Estimate) -> set[str]:
    """Every amount and count of an estimate as a table shows it."""
    money: list[Decimal] = [result.total.low, result.total.high]
    money += [result.out_of_pocket.low, result.out_of_pocket.high]
    for item in result.line_items:
        money += [item.amount.low, item.amount.high, item.unit_price.low, item.unit_price.high]
    if result.insurance is not None:
        money += [result.insurance.insurer_pays.low, result.insurance.insurer_pays.high]
    shown = {wording.money_cases(m, m, result.currency) for m in money}
    shown.add(wording.span(result.sessions))
    shown.update(wording.span(item.quantity) for item in result.line_items)
    return shown


def check(text: str, width: int, expected: set[str]) -> None:
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width, text
    flat = "\n".join(lines)
    missing = [figure for figure in expected if not any(figure in line for line in lines)]
    assert not missing, f"{missing} not whole at width {width}:\n{flat}"


plans = st.builds(
    Plan,
    route=st.sampled_from(["iv", "esketamine", "oral"]),
    weeks=st.none() | st.integers(1, 8),
    months=st.none() | st.integers(3, 30),  # longer than any induction drawn here
    with_=st.sampled_from([(), ("consultation",), ("consultation", "integration")]),
    discount=st.sampled_from([0, 10, 33]),
    assistance=st.sampled_from([0, 500, 12345]),
    insurance=st.none()
    | st.builds(
        Insurance,
        deductible=st.sampled_from([0, 1000, 250000]),
        coinsurance=st.sampled_from([0, 20]),
        oop_max=st.none() | st.sampled_from([3000, 1234567]),
    ),
    installments=st.none() | st.integers(1, 24),
)


@settings(max_examples=40, deadline=None)
@given(plan=plans)
def test_estimates_and_timelines_are_whole_at_every_width(plan: Plan) -> None:
    plan = with_start(plan)
    result = estimate(plan, SHEET)
    months = timeline(plan, SHEET, result)
    month_figures = set()
    for m in months.months:
        low, high = sorted((m.cumulative_out_of_pocket.low, m.cumulative_out_of_pocket.high))
        month_figures.add(wording.money_cases(low, high, result.currency))
    for width in WIDTHS:
        check(render_estimate(result, TABLE, width=width), width, amounts(result))
        check(render_timeline(months, TABLE, width=width), width, month_figures)
        assert "Month" in render_timeline(months, TABLE, width=width)


@settings(max_examples=20, deadline=None)
@given(plan=plans)
def test_comparisons_are_whole_at_every_width(plan: Plan) -> None:
    # the routes whose protocol has a maintenance part (the plans ask for maintenance months)
    routes = [r for r in SHEET.routes if r != "kap"]
    results = rank([estimate(plan.model_copy(update={"route": r}), SHEET) for r in routes])
    expected: set[str] = set()
    for result in results:
        for money in (result.total, result.out_of_pocket):
            expected |= {wording.money(money.low, "USD"), wording.money(money.high, "USD")}
    for width in WIDTHS:
        check(render_comparison(results, TABLE, width=width), width, expected)


@pytest.mark.parametrize("width", WIDTHS)
def test_listings_are_whole_at_every_width(width: int) -> None:
    prices = {
        wording.money(to, "USD")
        for route in SHEET.routes.values()
        for to in (route.session_price.low, route.session_price.high)
    }
    check(render_routes(SHEET, TABLE, width=width), width, prices | {"Per session"})
    check(render_protocols(SHEET, TABLE, width=width), width, {"spravato-label", "iv-series"})


@pytest.mark.parametrize("width", WIDTHS)
def test_the_readme_example_at_every_width_through_the_cli(
    cli: RunCli, monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    """The issue's report: at 80 columns the header `Amount` and `$3,600.00` were cropped."""
    monkeypatch.setenv("COLUMNS", str(width))
    args = ["-r", "oral", "--weeks", "4", "--discount", "10", "--assistance", "500"]
    run = cli("estimate", *args)
    check(run.out, width, {"Amount", "$800.00", "$3,600.00", "$2,740.00", "$220.00", "8–12"})
    compare = cli("compare", "--weeks", "4")
    check(compare.out, width, {"$3,600.00", "$9,600.00", "$13,985.00"})
    timeline_run = cli("timeline", "-r", "iv", "--months", "4")
    check(timeline_run.out, width, {"Month"})
    check_prices = cli("check-prices", "data/price_ranges.toml")
    check(check_prices.out, width, {"ok: 4 routes, 4 protocols"})


def test_a_month_shows_the_range_its_cases_span() -> None:
    """Low and high cases place sessions on their own, so a month's low case can be the larger:
    it reads as the range both span, lower figure first, not "$80.00 low, $0.00 high"."""
    assert wording.money_cases(Decimal(80), Decimal(0), "USD") == "$0.00–$80.00"
    plan = Plan(route="iv", weeks=4, maintenance="monthly", maintenance_months=3)
    months = timeline(plan, SHEET, estimate(plan, SHEET))
    # the course runs into a fourth month (17 weeks) where nothing happens: it is not shown
    assert [m.month for m in months.months] == [1, 2, 3]
