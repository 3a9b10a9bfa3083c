"""The timeline: hand-checked placements, exact sums (a hypothesis property), installments, CLI."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from ketcost import Plan, PriceSheet, estimate, load_price_sheet
from ketcost.domain.money import installments
from ketcost.domain.plan import Insurance, with_start
from ketcost.domain.values import Range
from ketcost.engine.schedule import Schedule, course, own_weeks, session_weeks
from ketcost.engine.timeline import Timeline, timeline
from ketcost.errors import InputError

from .conftest import RunCli
from .test_properties import plans

SHEET = load_price_sheet()


def months_of(plan: Plan, sheet: PriceSheet = SHEET) -> Timeline:
    return timeline(plan, sheet, estimate(plan, sheet))


def test_sessions_are_spread_evenly_over_a_phase(sheet: PriceSheet) -> None:
    plan = Plan(route="iv", weeks=4)
    # 8 sessions over 4 weeks: one every half week, from week 0
    weeks = list(
        session_weeks(course("standard", sheet.protocols["standard"], Schedule.of(plan)), "low")
    )
    assert weeks == [Fraction(k, 2) for k in range(8)]


def test_boosters_start_one_interval_after_the_series(sheet: PriceSheet) -> None:
    plan = Plan(route="iv", protocol="iv-series", maintenance_months=3)
    weeks = list(
        session_weeks(course("iv-series", sheet.protocols["iv-series"], Schedule.of(plan)), "low")
    )
    # 6 infusions over 2 weeks, then 13 weeks of boosters every 6 weeks: 2 boosters (13/6 ->
    # 2), the first one interval (6.5 weeks) after the series: weeks 2 + 6.5 and 2 + 13
    assert weeks == [Fraction(k, 3) for k in range(6)] + [Fraction(17, 2), Fraction(15)]


def test_fixed_count_without_length_lasts_a_third_of_its_sessions_in_weeks(
    sheet: PriceSheet,
) -> None:
    first = sheet.protocols["standard"].phases[0]
    phase = replace(first, sessions=Range[int].of(7), per_week=None, weeks=None)
    assert own_weeks(phase) == (Fraction(3), Fraction(3))  # 7/3 rounded up


def test_months_cover_52_12_weeks() -> None:
    # standard, iv, 4 weeks then 3 months of monthly maintenance: the induction (4 weeks) is all
    # in month 1 (weeks 0-4.33); maintenance sessions at weeks 4, 8.33, 12.67 -> months 1, 2, 3
    result = months_of(Plan(route="iv", weeks=4, maintenance="monthly", maintenance_months=3))
    # the course runs into month 4 (17 weeks), but nothing happens or is paid there: dropped
    assert [(m.sessions.low, m.sessions.high) for m in result.months] == [
        (9, 13),
        (1, 1),
        (1, 1),
    ]


def test_assistance_goes_to_the_earliest_months() -> None:
    plan = Plan(route="oral", weeks=4, maintenance="monthly", maintenance_months=2, assistance=900)
    months = months_of(plan).months
    # low case: month 1 is 9 sessions x $100 = $900, all covered by the assistance
    assert months[0].out_of_pocket.low == Decimal("0.00")
    assert months[1].out_of_pocket.low == Decimal("100.00")
    assert months[-1].cumulative_out_of_pocket.low == estimate(plan, SHEET).out_of_pocket.low


@settings(max_examples=150, deadline=None)
@given(
    plan=plans(),
    deductible=st.integers(0, 3000),
    coinsurance=st.integers(0, 100),
    cap=st.one_of(st.none(), st.integers(0, 10000)),
    assistance=st.integers(0, 5000),
    addons=st.lists(st.sampled_from(["consultation", "integration"]), max_size=2, unique=True),
)
def test_months_add_up_to_the_estimate(
    plan: Plan,
    deductible: int,
    coinsurance: int,
    cap: int | None,
    assistance: int,
    addons: list[str],
) -> None:
    terms = Insurance(deductible=deductible, coinsurance=coinsurance, oop_max=cap)
    full = with_start(
        plan.model_copy(
            update={"insurance": terms, "assistance": Decimal(assistance), "with_": tuple(addons)}
        )
    )
    try:
        result = estimate(full, SHEET)
    except InputError:
        return  # e.g. maintenance options on a protocol without maintenance
    months = timeline(full, SHEET, result).months
    for case in ("low", "high"):
        assert sum(getattr(m.cost, case) for m in months) == getattr(result.total, case)
        paid = sum(getattr(m.out_of_pocket, case) for m in months)
        assert paid == getattr(result.out_of_pocket, case)
        assert getattr(months[-1].cumulative_out_of_pocket, case) == paid
        assert sum(getattr(m.sessions, case) for m in months) == getattr(result.sessions, case)
        assert all(getattr(m.out_of_pocket, case) >= 0 for m in months)


@given(amount=st.integers(0, 10_000_000), count=st.integers(1, 120))
def test_installments_add_up_and_the_last_absorbs_the_rounding(amount: int, count: int) -> None:
    """In cents: the payments add up exactly; the last is at most count - 1 cents more."""
    each, last = installments(amount, count)
    assert each * (count - 1) + last == amount
    assert 0 <= each <= last < each + count


def test_installments_worked_example() -> None:
    """$1,600.00 in 6: five of $266.66 and a last of $266.70."""
    assert installments(160000, 6) == (26666, 26670)


def test_timeline_json_contract(cli: RunCli) -> None:
    run = cli(
        "timeline", "-r", "esketamine", "-p", "spravato-label", "--maintenance-months", "6",
        "--installments", "12", "--json", "--medication", "included",
    )  # fmt: skip
    assert run.code == 0, run.err
    data = json.loads(run.out)
    first = data["months"][0]
    assert set(first) == {
        "month", "calendar_month", "sessions", "cost", "out_of_pocket", "cumulative_out_of_pocket",
    }  # fmt: skip
    assert first["calendar_month"] is None  # no --start: months from the first session
    assert first["month"] == 1
    assert first["sessions"] == {"low": 9, "high": 9}
    assert first["cost"] == {"low": "4500.00", "high": "8100.00"}
    assert data["total"] == {"low": "11500.00", "high": "30600.00"}
    assert data["months"][-1]["cumulative_out_of_pocket"] == data["out_of_pocket"]
    assert data["installments"]["count"] == 12
    assert data["installments"]["payment"] == {"low": "958.33", "high": "2550.00"}


def test_timeline_table_has_a_chart(cli: RunCli) -> None:
    out = cli("timeline", "-r", "iv", "--weeks", "4", "--maintenance-months", "2").out
    assert "Running total you pay" in out
    assert "Month 3 " in out
    assert "█" in out
    assert "not a bill" in out


def test_timeline_markdown_and_csv(cli: RunCli) -> None:
    args = ["timeline", "-r", "oral", "--weeks", "4"]
    assert "| 1 | 8–12 | $800.00–$3,600.00 |" in cli(*args, "-f", "markdown").out
    csv = cli(*args, "-f", "csv").out.splitlines()
    assert csv[0].startswith("month,sessions_low,sessions_high,cost_low,cost_high")
    assert csv[1] == "1,8,12,800.00,3600.00,800.00,3600.00,800.00,3600.00"


def test_installments_in_the_estimate(cli: RunCli) -> None:
    run = cli("estimate", "-r", "iv", "--weeks", "4", "--installments", "6", "--json")
    assert json.loads(run.out)["installments"] == {
        "count": 6,
        "payment": {"low": "533.33", "high": "1600.00"},
        "last_payment": {"low": "533.35", "high": "1600.00"},
    }
    bad = cli("estimate", "-r", "iv", "--installments", "0")
    assert (bad.code, bad.out) == (2, "")
    assert "invalid value '0' for --installments" in bad.err
