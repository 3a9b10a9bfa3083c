"""The rest of what people pay: ketamine-assisted psychotherapy, clinic packages, pre-tax money and
rides, through the real entry point, with hand-worked figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketcost.engine.bill import PackagePrice

from .conftest import RunCli
from .test_label_and_plan_year import as_json, pair

CLINIC = """\
name = "Example clinic"
currency = "USD"
as_of = 2026-11-01
source = "Example clinic's fee page."

[routes.iv]
label = "IV infusion"
session_price = [550, 550]
source = "Example clinic"
default_protocol = "standard"

[routes.iv.packages.series]
label = "Six-infusion series"
sessions = 6
price = 3025
source = "Example clinic's fee page"
url = "https://example.org/fees"
published = 2026-10-01

[protocols.standard]
label = "Typical course"
source = "Example"

[[protocols.standard.phases]]
name = "induction"
weeks = [2, 4]
per_week = [2, 3]
"""


@pytest.fixture
def clinic(tmp_path: Path) -> str:
    path = tmp_path / "clinic.toml"
    path.write_text(CLINIC)
    return str(path)


# --- ketamine-assisted psychotherapy -----------------------------------------------------------


def test_kap_is_a_course_of_dosing_sessions_with_preparation_and_integration(cli: RunCli) -> None:
    data = as_json(cli, "-r", "kap")
    assert data["protocol"] == "kap-course"
    assert pair(data["sessions"]) == (6, 8)
    items = {i["label"]: pair(i["amount"]) for i in data["line_items"]}
    # 6-8 dosing sessions at $400-600, one to two preparation sessions ($175-400 in all), an
    # integration session after each dosing session at $175-200
    assert items["dosing"] == ("2400.00", "4800.00")
    assert items["Preparation therapy sessions"] == ("175.00", "400.00")
    assert items["Preparation or integration therapy session"] == ("1050.00", "1600.00")
    assert pair(data["total"]) == ("3625.00", "6800.00")
    assert not any("Not included: insurance, consultations" in a for a in data["assumptions"])


def test_kap_is_compared_beside_the_other_routes_and_listed(cli: RunCli) -> None:
    compared = json.loads(cli("compare", "--json").out)
    assert [d["route"] for d in compared] == ["oral", "kap", "iv", "esketamine"]
    routes = json.loads(cli("routes", "--json").out)["routes"]
    kap = next(r for r in routes if r["id"] == "kap")
    assert kap["url"].startswith("https://")
    assert "psychotherapy" in kap["notes"]  # what insurance usually covers


def test_compare_leaves_out_a_route_the_options_do_not_apply_to(cli: RunCli) -> None:
    run = cli("compare", "--maintenance-months", "6", "--json")
    assert run.code == 0
    assert "kap" not in [d["route"] for d in json.loads(run.out)]
    assert "warning: kap is not compared: protocol 'kap-course' has no maintenance part" in run.err
    named = cli("compare", "-r", "kap", "--maintenance-months", "6")
    assert named.code == 2  # a route asked for by name is not left out


# --- rides -----------------------------------------------------------------------------------


def test_esketamine_needs_a_ride_to_every_session(cli: RunCli) -> None:
    data = as_json(cli, "-r", "esketamine")
    ride = next(a for a in data["assumptions"] if a.startswith("Every session needs a ride"))
    assert "until the next day, following a restful sleep" in ride
    assert "--ride AMOUNT" in ride
    assert not any("ride" in a for a in as_json(cli, "-r", "iv")["assumptions"])


def test_a_ride_is_its_own_uncovered_line_per_session(cli: RunCli) -> None:
    terms = ["--deductible", "0", "--coinsurance", "20", "--medication", "included"]
    data = as_json(cli, "-r", "esketamine", "--ride", "30", *terms, "--start", "2027-03-01")
    ride = next(i for i in data["line_items"] if i["label"] == "Ride to and from each session")
    assert pair(ride["amount"]) == ("240.00", "240.00")  # 8 sessions at $30
    # 20% of the $500-900 sessions, plus the rides paid in full
    assert pair(data["out_of_pocket"]) == ("1040.00", "1680.00")


# --- packages --------------------------------------------------------------------------------


def test_a_package_pays_for_the_first_sessions(cli: RunCli, clinic: str) -> None:
    data = as_json(cli, "--prices", clinic, "-r", "iv", "--package", "series", "--sessions", "8")
    # $3,025 for the first 6, then 2 at $550
    assert pair(data["total"]) == ("4125.00", "4125.00")
    labels = [i["label"] for i in data["line_items"]]
    assert labels == ["induction", "package: Six-infusion series", "session fees the package pays"]
    assert data["warnings"] == []
    assert any("Six-infusion series is $3,025.00" in a for a in data["assumptions"])


def test_the_discount_is_on_the_sessions_outside_the_package(cli: RunCli, clinic: str) -> None:
    args = ["--prices", clinic, "-r", "iv", "--package", "series", "--sessions", "8"]
    data = as_json(cli, *args, "--discount", "10")
    assert pair(data["total"]) == ("4015.00", "4015.00")  # 3,025 + 2 x 495
    discount = next(i for i in data["line_items"] if i["kind"] == "discount")
    assert pair(discount["quantity"]) == (2, 2)


def test_a_course_shorter_than_the_package_pays_the_whole_package(cli: RunCli, clinic: str) -> None:
    run = cli("estimate", "--prices", clinic, "-r", "iv", "--package", "series", "--sessions", "4")
    assert run.code == 0
    assert "fewer than the package's 6: the whole package (Six-infusion series)" in run.err
    data = as_json(cli, "--prices", clinic, "-r", "iv", "--package", "series", "--sessions", "4")
    assert pair(data["total"]) == ("3025.00", "3025.00")
    months = json.loads(
        cli("timeline", "--prices", clinic, "-r", "iv", "--package", "series", "--sessions", "4",
            "--json").out
    )  # fmt: skip
    assert pair(months["total"]) == ("3025.00", "3025.00")
    assert sum(float(m["cost"]["low"]) for m in months["months"]) == 3025


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv", "json"])
def test_the_package_is_its_own_line_in_every_format(cli: RunCli, clinic: str, fmt: str) -> None:
    args = ["--prices", clinic, "-r", "iv", "--package", "series", "-f", fmt]
    run = cli("estimate", *args)
    assert run.code == 0, run.err
    assert "Six-infusion series" in run.out
    assert "3,025.00" in run.out or "3025.00" in run.out


def test_package_errors_name_what_there_is(cli: RunCli, clinic: str) -> None:
    run = cli("estimate", "--prices", clinic, "-r", "iv", "--package", "tenpack")
    assert run.code == 2
    assert run.out == ""
    assert run.err == (
        "error: --package 'tenpack': IV infusion has no such package; packages: series (a "
        "clinic's sheet defines them as [routes.ID.packages.NAME])\n"
    )
    insured = cli("estimate", "--prices", clinic, "-r", "iv", "--package", "series",
                  "--deductible", "500")  # fmt: skip
    assert insured.code == 2
    assert "a package is the clinic's self-pay price" in insured.err
    shipped = cli("estimate", "-r", "iv", "--package", "series")
    assert "packages: none in this price sheet" in shipped.err


@given(st.integers(1, 10_000_000), st.integers(1, 100))
def test_the_package_parts_sum_to_its_price_exactly(price: int, sessions: int) -> None:
    parts = PackagePrice("p", sessions, price).parts
    assert len(parts) == sessions
    assert sum(parts) == price
    assert max(parts) - min(parts) <= 1


# --- pre-tax money ---------------------------------------------------------------------------


def test_an_hsa_saves_the_tax_rate_on_what_it_pays(cli: RunCli, clinic: str) -> None:
    # out of pocket $1,630-2,330 (two sessions at $550 and a $530-1,230 course extra)
    args = ["--prices", clinic, "-r", "iv", "--sessions", "2", "--extra", "x=530-1230/course"]
    data = as_json(cli, *args, "--pretax", "hsa", "--tax-rate", "30")
    assert pair(data["out_of_pocket"]) == ("1630.00", "2330.00")
    assert data["pre_tax"] == {
        "account": "hsa",
        "tax_rate": "30",
        "limit": "4400.00",
        "from_account": {"low": "1630.00", "high": "2330.00"},
        "after_tax": {"low": "1141.00", "high": "1631.00"},
    }
    lines = " ".join(data["assumptions"])
    assert "Rev. Proc. 2025-19" in lines
    assert "7.5% of adjusted gross income" in lines
    table = cli("estimate", *args, "--pretax", "hsa", "--tax-rate", "30").out
    assert " HSA after tax  " in table
    assert "$1,141.00–$1,631.00" in table


def test_an_fsa_pays_at_most_its_limit(cli: RunCli, clinic: str) -> None:
    # $6,000 out of pocket from an FSA at 30%: the $3,400 limit saves $1,020
    args = ["--prices", clinic, "-r", "iv", "--sessions", "10", "--extra", "x=500/course"]
    data = as_json(cli, *args, "--pretax", "fsa", "--tax-rate", "30")
    assert pair(data["out_of_pocket"]) == ("6000.00", "6000.00")
    assert pair(data["pre_tax"]["after_tax"]) == ("4980.00", "4980.00")
    held = as_json(cli, *args, "--pretax", "fsa", "--tax-rate", "30", "--pretax-limit", "1000")
    assert pair(held["pre_tax"]["after_tax"]) == ("5700.00", "5700.00")


def test_each_plan_year_has_its_own_limit(cli: RunCli, clinic: str) -> None:
    # 12 months of $550 sessions, covered, 0% coinsurance after a deductible renewed each year:
    # the patient pays the deductible in each plan year; the account pays it in each
    args = ["--prices", clinic, "-r", "iv", "--weeks", "52", "--per-week", "1"]
    args += ["--covered", "--deductible", "5000"]
    args += ["--start", "2026-11-01", "--pretax", "hsa", "--tax-rate", "10"]
    data = as_json(cli, *args)
    years = data["insurance"]["plan_years"]
    assert len(years) == 2
    spent = [float(y["out_of_pocket"]["high"]) for y in years]
    expected = sum(min(s, 4400) for s in spent)
    assert float(data["pre_tax"]["from_account"]["high"]) == expected


def test_pretax_options_need_each_other(cli: RunCli) -> None:
    run = cli("estimate", "-r", "iv", "--pretax", "hsa")
    assert run.code == 2
    assert "--pretax needs --tax-rate PCT" in run.err
    alone = cli("estimate", "-r", "iv", "--tax-rate", "30")
    assert "--tax-rate is for --pretax hsa or fsa" in alone.err
    wrong = cli("estimate", "-r", "iv", "--pretax", "ira", "--tax-rate", "30")
    assert wrong.code == 2
    assert "--pretax" in wrong.err
