"""Figures that follow the label, the calendar and the plan year: route default protocols, the
course length (--months), plan-year insurance, schedule warnings and dated sources."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketcost import Insurance, Plan, PriceSheet, estimate, load_price_sheet
from ketcost.domain.money import decimal, to_cents
from ketcost.engine import course_of, resolve
from ketcost.engine.bill import bill, dosing, plan_addons, route_price
from ketcost.engine.charges import Allowed
from ketcost.engine.insurance import Terms, patient_pays
from ketcost.schemas import schema

from .conftest import RunCli

SHEET = load_price_sheet()

ONE_ROUTE = """\
name = "Test clinic"
currency = "USD"
as_of = 2026-11-01
source = "A test sheet."

[routes.iv]
label = "IV"
session_price = 100
insurance_eligible = true
source = "Test."

[protocols.weekly]
label = "Weekly for 8 weeks"
source = "Test."

[[protocols.weekly.phases]]
name = "weekly"
weeks = 8
per_week = 1
"""


def as_json(cli: RunCli, *args: str) -> dict[str, Any]:
    run = cli("estimate", *args, "--json")
    assert run.code == 0, run.err
    data: dict[str, Any] = json.loads(run.out)
    return data


def pair(value: dict[str, Any]) -> tuple[Any, Any]:
    return value["low"], value["high"]


def test_esketamine_alone_is_the_label_induction(cli: RunCli) -> None:
    run = cli("estimate", "-r", "esketamine")
    assert "SPRAVATO label schedule" in run.out
    assert "$4,000.00–$7,200.00" in run.out
    assert "Maintenance (weekly, then every 2 weeks to weekly) is not included" in " ".join(
        run.out.split()
    )
    data = as_json(cli, "-r", "esketamine")
    assert (data["protocol"], pair(data["sessions"])) == ("spravato-label", (8, 8))


def test_the_label_phases_and_their_parts(cli: RunCli) -> None:
    data = as_json(cli, "-r", "esketamine", "--weeks", "4", "--maintenance-months", "6")
    assert [(p["part"], pair(p["sessions"])) for p in data["phases"]] == [
        ("induction", (8, 8)),
        ("maintenance", (4, 4)),
        ("maintenance", (11, 22)),
    ]
    assert data["phases"][2]["schedule"] == "every 2 weeks to weekly for 22 weeks"
    assert (
        "The course lasts 30 weeks (6.9 months) from the first session: the induction weeks "
        "1–4, maintenance weeks 5–30." in data["assumptions"]
    )


def test_months_is_the_whole_course(cli: RunCli) -> None:
    data = as_json(cli, "-r", "iv", "--months", "3")
    # low: 2 weeks at 2 a week, then 11 weeks monthly; high: 4 weeks at 3, then 9 weeks every 2
    assert [pair(p["sessions"]) for p in data["phases"]] == [(4, 12), (3, 5)]
    assert data["phases"][1]["schedule"] == "monthly to every 2 weeks for 9–11 weeks"
    assert data["months"] == 3
    assert (
        "The course lasts 13 weeks (3 months) from the first session: the induction the first "
        "2–4 weeks, maintenance the next 9–11 weeks." in data["assumptions"]
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--months", "6", "--maintenance-months", "3"], "exclude each other"),
        (["--months", "0"], "invalid value '0' for --months"),
        (["--months", "121"], "expected a whole number from 1 to 120"),
        (["--weeks", "20", "--months", "1", "-p", "standard"], "shorter than the induction"),
        (["-p", "iv-series", "--start", "2026-13-01"], "expected a date written YYYY-MM-DD"),
        (["--plan-year-renews", "02-29", "--deductible", "1"], "not 02-29"),
    ],
)
def test_course_length_errors(cli: RunCli, args: list[str], message: str) -> None:
    run = cli("estimate", "-r", "iv", *args)
    assert (run.code, run.out) == (2, "")
    assert run.err.count("\n") == 1
    assert message in run.err


def test_the_first_booster_falls_one_interval_after_the_series(cli: RunCli) -> None:
    run = cli("timeline", "-r", "iv", "-p", "iv-series", "--maintenance-months", "3", "--json")
    months = json.loads(run.out)["months"]
    # low case: 6 infusions in weeks 0-2 (month 1), boosters every 6 weeks for 13 weeks: 2, at
    # weeks 2 + 6.5 = 8.5 (month 2) and 2 + 13 = 15 (month 4), not at week 2
    assert [m["sessions"]["low"] for m in months] == [6, 1, 0, 1]


def test_route_default_protocols_everywhere(cli: RunCli) -> None:
    compared = json.loads(cli("compare", "--weeks", "4", "--json").out)
    assert {d["route"]: d["protocol"] for d in compared} == {
        "esketamine": "spravato-label",
        "oral": "standard",
        "iv": "standard",
        "kap": "kap-course",
    }
    table = cli("compare", "--weeks", "4").out
    assert "Options compared: each route's protocol (estimates)" in table
    assert "are not interchangeable" in " ".join(table.split())
    timeline = json.loads(cli("timeline", "-r", "esketamine", "--json").out)
    assert timeline["protocol"] == "spravato-label"


def test_plan_years_follow_the_calendar_by_default(cli: RunCli, tmp_path: Path) -> None:
    sheet = tmp_path / "one.toml"
    sheet.write_text(ONE_ROUTE)
    args = [
        "--prices", str(sheet), "-r", "iv", "-p", "weekly", "--deductible", "300",
        "--coinsurance", "20", "--oop-max", "400", "--annual-deductible", "500",
    ]  # fmt: skip
    given = as_json(cli, *args, "--start", "2026-12-01", "--plan-year-renews", "01-01")
    default = as_json(cli, *args, "--start", "2026-12-01")
    assert default["insurance"] == given["insurance"]  # January 1 by default
    assert default["out_of_pocket"] == given["out_of_pocket"]
    years = given["insurance"]["plan_years"]
    assert [(y["starts"], y["ends"]) for y in years] == [
        ("2026-12-01", "2026-12-31"),
        ("2027-01-01", "2027-12-31"),
    ]
    # Without --start the course starts today (the tests' today is 2027-03-01), and says so.
    today = as_json(cli, *args)
    assert today["start"] == "2027-03-01"
    assert len(today["insurance"]["plan_years"]) == 1
    assert any("the course starts 2027-03-01" in line for line in today["assumptions"])


def test_plan_years_on_a_calendar_date(cli: RunCli, tmp_path: Path) -> None:
    sheet = tmp_path / "one.toml"
    sheet.write_text(ONE_ROUTE)
    args = [
        "--prices", str(sheet), "-r", "iv", "-p", "weekly", "--start", "2026-12-01",
        "--plan-year-renews", "01-01", "--deductible", "300", "--coinsurance", "20",
        "--oop-max", "400", "--annual-deductible", "500", "--annual-oop-max", "1000",
    ]  # fmt: skip
    data = as_json(cli, *args)
    # Dec 1, 8, 15, 22, 29: 100+100+100+20+20; Jan 5, 12, 19: 100+100+100 (a new deductible)
    assert pair(data["out_of_pocket"]) == ("640.00", "640.00")
    assert pair(data["insurance"]["insurer_pays"]) == ("160.00", "160.00")
    years = data["insurance"]["plan_years"]
    assert [(y["starts"], y["ends"], y["sessions"]["low"]) for y in years] == [
        ("2026-12-01", "2026-12-31", 5),
        ("2027-01-01", "2027-12-31", 3),
    ]
    assert [pair(y["out_of_pocket"]) for y in years] == [("340.00", "340.00"), ("300.00", "300.00")]
    table = cli("estimate", *args).out
    assert "Plan year 2 (2027-01-01 to 2027-12-31): 3 sessions; you pay $300.00" in table
    timeline = json.loads(cli("timeline", *args, "--json").out)
    assert [(m["calendar_month"], m["out_of_pocket"]["low"]) for m in timeline["months"]] == [
        ("2026-12", "340.00"),
        ("2027-01", "300.00"),
    ]


def test_schedule_warnings(cli: RunCli) -> None:
    other = cli("estimate", "-r", "iv", "-p", "spravato-label")
    assert other.code == 0
    assert other.err.startswith(
        "warning: protocol 'spravato-label' is made for Intranasal esketamine (Spravato), "
        "not IV infusion"
    )
    assert "IV infusion: SPRAVATO label schedule" in other.out  # still estimated
    often = cli("estimate", "-r", "esketamine", "--per-week", "3")
    assert often.code == 0
    assert "schedules up to 3 sessions a week, more than the 2 a week usual" in often.err
    assert cli("estimate", "-r", "esketamine").err == ""


def test_evaluation_is_insurable_with_esketamine(cli: RunCli) -> None:
    terms = ["--with", "consultation", "--deductible", "0", "--coinsurance", "20"]
    terms += ["--medication", "included"]
    esketamine = as_json(cli, "-r", "esketamine", *terms)
    iv = as_json(cli, "-r", "iv", *terms, "--covered")
    # esketamine: 20% of the $150-$450 evaluation; IV: the evaluation is paid in full
    assert pair(esketamine["out_of_pocket"]) == ("830.00", "1530.00")
    assert pair(iv["out_of_pocket"]) == ("470.00", "2370.00")


def test_sources_have_addresses_and_dates(cli: RunCli) -> None:
    check = cli("check-prices", str(Path(__file__).parent.parent / "data" / "price_ranges.toml"))
    assert check.code == 0
    assert "oldest published source: 2013-08-15 (protocols.iv-series)" in check.out
    routes = json.loads(cli("protocols", "--json").out)["protocols"]
    label = next(p for p in routes if p["id"] == "spravato-label")
    assert label["url"].startswith("https://")
    assert label["published"] == "2026-03-13"  # the current label (FDALabel, version 18)


def test_every_shipped_figure_has_an_address_and_a_date() -> None:
    from ketcost.io.sheets import load_price_sheet

    sheet = load_price_sheet()
    items = [
        *sheet.routes.values(),
        *sheet.protocols.values(),
        *sheet.addons.values(),
        *(r.medication for r in sheet.routes.values() if r.medication is not None),
    ]
    for item in items:
        assert item.url is not None, item.source
        assert item.url.startswith("https://"), item.source
        assert item.dated is not None, item.source


def test_the_plan_schema_knows_the_new_keys() -> None:
    import jsonschema

    plan = schema("plan")
    jsonschema.validate({"route": "iv", "months": 6, "start": "2026-12-01"}, plan)
    jsonschema.validate(
        {"route": "iv", "insurance": {"plan_year_renews": "01-01", "annual_deductible": 500}},
        plan,
    )
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"route": "iv", "months": 6, "maintenance_months": 3}, plan)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"route": "iv", "weeks": 53}, plan)


# --- properties ------------------------------------------------------------------------------

terms = st.builds(
    Insurance,
    deductible=st.integers(0, 3000),
    coinsurance=st.integers(0, 100),
    copay=st.integers(0, 50),
    oop_max=st.none() | st.integers(0, 8000),
    plan_year_renews=st.just("03-01"),  # the tests' today (conftest.TODAY): a year from the start
)
short_plans = st.builds(
    Plan,
    route=st.sampled_from(["iv", "esketamine", "oral"]),
    weeks=st.integers(1, 12),
    months=st.none() | st.integers(3, 12),
    insurance=terms,
    with_=st.sampled_from([(), ("consultation",), ("integration",)]),
)


def _charge_by_charge(plan: Plan, sheet: PriceSheet, case: str, sessions: int) -> Decimal:
    """One plan year for the whole course: every charge walked in order."""
    route_id, _ = resolve(plan, sheet)
    route = sheet.routes[route_id]
    index = 0 if case == "low" else 1
    covered = plan.insurance is not None and (
        route.insurance_eligible if plan.insurance.covered is None else plan.insurance.covered
    )
    addons = plan_addons(plan, sheet, route_id)
    course_bill = bill(
        course_of(plan, sheet), route_price(route), addons, plan.discount, dosing(route, plan)
    )
    charged = course_bill.case_charges(index, addons, covered, Allowed())
    terms = None if plan.insurance is None else Terms.of(plan.insurance)
    return decimal(patient_pays((charge for _, charge in charged.in_order(sessions)), terms))


@settings(max_examples=150, deadline=None)
@given(plan=short_plans)
def test_a_course_inside_one_plan_year_gives_todays_figures(plan: Plan) -> None:
    result = estimate(plan, SHEET)
    assert result.insurance is not None
    assert len(result.insurance.plan_years) == 1  # at most 12 months from the renewal day
    for case in ("low", "high"):
        sessions = getattr(result.sessions, case)
        expected = to_cents(_charge_by_charge(plan, SHEET, case, sessions))
        assert getattr(result.out_of_pocket, case) == expected


@settings(max_examples=100, deadline=None)
@given(
    plan=st.builds(
        Plan,
        route=st.sampled_from(["iv", "esketamine"]),
        months=st.integers(13, 40),
        insurance=terms,
    ),
    extra_deductible=st.integers(0, 2000),
    extra_cap=st.integers(0, 4000),
)
def test_crossing_a_renewal_never_costs_less(
    plan: Plan, extra_deductible: int, extra_cap: int
) -> None:
    assert plan.insurance is not None
    annual = plan.insurance.model_copy(
        update={
            "covered": True,
            "annual_deductible": plan.insurance.deductible + extra_deductible,
            "annual_oop_max": None
            if plan.insurance.oop_max is None
            else plan.insurance.oop_max + extra_cap,
        }
    )
    renewing = plan.model_copy(update={"insurance": annual})
    result = estimate(renewing, SHEET)
    assert result.insurance is not None
    assert len(result.insurance.plan_years) >= 2
    for case in ("low", "high"):
        sessions = getattr(result.sessions, case)
        once = to_cents(_charge_by_charge(renewing, SHEET, case, sessions))
        assert getattr(result.out_of_pocket, case) >= once
        years = result.insurance.plan_years
        assert sum(getattr(y.out_of_pocket, case) for y in years) == getattr(
            result.out_of_pocket, case
        )


@settings(max_examples=200, deadline=None)
@given(
    route=st.sampled_from(["iv", "esketamine", "oral"]),
    protocol=st.sampled_from(["standard", "spravato-label", "iv-series"]),
    maintenance_months=st.integers(0, 60),
    weeks=st.none() | st.integers(1, 8),
)
def test_session_days_in_whole_numbers_match_the_placement(
    route: str, protocol: str, maintenance_months: int, weeks: int | None
) -> None:
    """The fast whole-number day of each session is floor(7 x its week), and the cached course
    is the course computed afresh."""
    import math

    from ketcost.engine.schedule import Schedule, course, session_days, session_weeks

    plan = Plan(route=route, protocol=protocol, maintenance_months=maintenance_months, weeks=weeks)
    cached = course_of(plan, SHEET)
    assert cached == course.__wrapped__(protocol, SHEET.protocols[protocol], Schedule.of(plan))
    for case in ("low", "high"):
        expected = [math.floor(7 * week) for week in session_weeks(cached, case)]
        assert session_days(cached, case) == expected


@settings(max_examples=200, deadline=None)
@given(
    protocol=st.sampled_from(["standard", "spravato-label", "iv-series"]),
    maintenance_months=st.integers(0, 60),
    weeks=st.none() | st.integers(1, 8),
    per_week=st.none() | st.integers(1, 3),
    days=st.lists(st.integers(-10, 2500), max_size=20),
)
def test_sessions_before_a_day_are_counted_as_placing_each_session(
    protocol: str, maintenance_months: int, weeks: int | None, per_week: int | None, days: list[int]
) -> None:
    """The closed forms of plan years (`sessions_before`, `last_session_day`) give what placing
    every session on its day and counting gives."""
    import bisect

    from ketcost.engine.planyears import last_session_day, sessions_before
    from ketcost.engine.schedule import Case, session_days

    if protocol != "standard":
        per_week = None
    plan = Plan(
        route="iv", protocol=protocol, maintenance_months=maintenance_months, weeks=weeks,
        per_week=per_week,
    )  # fmt: skip
    plan_course = course_of(plan, SHEET)
    cases: tuple[Case, Case] = ("low", "high")
    placed = [session_days(plan_course, case) for case in cases]
    phases, unit = plan_course.phases, plan_course.unit
    assert last_session_day(phases, unit) == max([0, *placed[0], *placed[1]])
    for case, each in zip(cases, placed, strict=True):
        for day in [*days, *each, *(d + 1 for d in each)]:
            assert sessions_before(phases, unit, case, day) == bisect.bisect_left(each, day)
