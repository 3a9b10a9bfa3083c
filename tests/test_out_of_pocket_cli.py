"""Out of pocket through the CLI: worked examples, --budget, itemized output and compare."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .conftest import RunCli
from .test_sheets import VALID

ESKETAMINE_INSURED = [
    "-r", "esketamine", "--weeks", "4",
    "--deductible", "1000", "--coinsurance", "20", "--oop-max", "3000",
]  # fmt: skip


def pair(value: dict[str, str]) -> tuple[str, str]:
    return value["low"], value["high"]


def estimate_json(cli: RunCli, *args: str) -> dict[str, Any]:
    run = cli("estimate", *args, "--json")
    assert run.code == 0, run.err
    data: dict[str, Any] = json.loads(run.out)
    return data


def test_esketamine_with_insurance(cli: RunCli) -> None:
    data = estimate_json(cli, *ESKETAMINE_INSURED)
    # The issue's worked example 4 (visits and medication, "What a course costs as it is
    # billed"): low, the first visit and $500 of its medication take the $1,000 deductible, then
    # 20% of $90 + 7 x $1,090: $2,544; high, $1,000 + 20% of $12,985 is over the $3,000 cap.
    assert pair(data["total"]) == ("8720.00", "13985.00")
    assert pair(data["out_of_pocket"]) == ("2544.00", "3000.00")
    assert pair(data["insurance"]["insurer_pays"]) == ("6176.00", "10985.00")
    assert data["insurance"]["covered"] is True
    assert data["insurance"]["oop_max"] == "3000.00"


def test_oral_with_discount(cli: RunCli) -> None:
    data = estimate_json(cli, "-r", "oral", "--weeks", "4", "--discount", "10")
    assert pair(data["total"]) == ("720.00", "3240.00")
    assert pair(data["out_of_pocket"]) == ("720.00", "3240.00")
    discount = data["line_items"][-1]
    assert discount["kind"] == "discount"
    assert pair(discount["amount"]) == ("-80.00", "-360.00")


def test_oral_with_assistance(cli: RunCli) -> None:
    data = estimate_json(cli, "-r", "oral", "--weeks", "4", "--assistance", "1000")
    assert pair(data["total"]) == ("800.00", "3600.00")
    assert pair(data["out_of_pocket"]) == ("0.00", "2600.00")
    assert pair(data["assistance"]) == ("800.00", "1000.00")
    assert data["insurance"] is None


def test_addons_and_extras(cli: RunCli) -> None:
    data = estimate_json(
        cli, "-r", "iv", "--weeks", "4", "--with", "Consultation", "--extra",
        "psychotherapy=150-250/session",
    )  # fmt: skip
    items = {i["label"]: i for i in data["line_items"]}
    therapy = items["psychotherapy"]
    assert (therapy["kind"], pair(therapy["amount"])) == ("addon", ("1200.00", "3000.00"))
    consultation = items["Initial medical and psychiatric evaluation"]
    assert pair(consultation["amount"]) == ("150.00", "450.00")
    # 3200 + 150 + 1200 low; 9600 + 450 + 3000 high
    assert pair(data["total"]) == ("4550.00", "13050.00")


def test_iv_insurance_terms_say_usually_not_covered(cli: RunCli) -> None:
    plain = estimate_json(cli, "-r", "iv", "--weeks", "4", "--deductible", "500")
    assert plain["insurance"]["covered"] is False
    assert pair(plain["out_of_pocket"]) == ("3200.00", "9600.00")
    assert any("usually not covered" in line for line in plain["assumptions"])
    forced = estimate_json(cli, "-r", "iv", "--weeks", "4", "--deductible", "500", "--covered")
    assert forced["insurance"]["covered"] is True
    assert pair(forced["out_of_pocket"]) == ("500.00", "500.00")


def test_not_covered_esketamine_pays_in_full(cli: RunCli) -> None:
    data = estimate_json(cli, *ESKETAMINE_INSURED, "--not-covered")
    assert pair(data["out_of_pocket"]) == pair(data["total"])


def test_itemized_table_has_out_of_pocket_last(cli: RunCli) -> None:
    out = cli("estimate", *ESKETAMINE_INSURED).out
    lines = [line.strip() for line in out.splitlines()]
    assert "Total billed                        8                     $8,720.00–$13,985.00" in lines
    assert "Insurance pays                                            $6,176.00–$10,985.00" in lines
    assert "Out of pocket                                              $2,544.00–$3,000.00" in lines
    assert lines.index(next(x for x in lines if x.startswith("Out of pocket"))) > lines.index(
        next(x for x in lines if x.startswith("Insurance pays"))
    )


def test_plain_estimate_stays_simple(cli: RunCli) -> None:
    out = cli("estimate", "-r", "iv", "--weeks", "4").out
    assert "Out of pocket" not in out
    assert "Insurance pays" not in out


def test_itemized_markdown_and_csv(cli: RunCli) -> None:
    args = ["-r", "oral", "--weeks", "4", "--discount", "10", "--assistance", "1000"]
    markdown = cli("estimate", *args, "--format", "markdown").out
    assert "| discount 10% on session fees | each session | 8–12 | -$10.00 to -$30.00 |" in markdown
    assert "| **Out of pocket** |  |  |  | **$0.00–$2,240.00** |" in markdown
    csv = cli("estimate", *args, "--format", "csv").out.splitlines()
    assert (
        csv[0]
        == "item,schedule,count_low,count_high,unit_price_low,unit_price_high,amount_low,amount_high"
    )
    assert "Total billed,,8,12,,,720.00,3240.00" in csv
    assert "Assistance,,,,,,720.00,1000.00" in csv
    assert csv[-1] == "Out of pocket,,,,,,0.00,2240.00"


@pytest.mark.parametrize(
    ("budget", "code", "warning"),
    [
        ("3500", 0, ""),
        ("3000", 0, ""),  # equal to the high case: within budget
        ("2600", 3, "may exceed the budget of $2,600.00"),
        ("1000", 3, "($2,544.00–$3,000.00) exceeds the budget of $1,000.00"),
    ],
)
def test_budget(cli: RunCli, budget: str, code: int, warning: str) -> None:
    without = cli("estimate", *ESKETAMINE_INSURED, "--json")
    run = cli("estimate", *ESKETAMINE_INSURED, "--json", "--budget", budget)
    assert run.code == code
    seen, plain = json.loads(run.out), json.loads(without.out)
    assert seen["budget"] == {"limit": f"{budget}.00", "exceeded": bool(code)}
    assert plain["budget"] is None
    assert {**seen, "budget": None} == plain  # otherwise the same estimate
    assert warning in run.err
    assert run.err.count("\n") == (1 if warning else 0)
    assert seen["warnings"] == []  # the budget has its own key


def compare_json(cli: RunCli, *args: str) -> list[dict[str, Any]]:
    run = cli("compare", *args, "--json")
    assert run.code == 0, run.err
    data: list[dict[str, Any]] = json.loads(run.out)
    return data


def test_compare_every_route_sorted_by_worst_case(cli: RunCli) -> None:
    data = compare_json(cli, "--weeks", "4")
    assert [d["route"] for d in data] == ["oral", "kap", "iv", "esketamine"]
    highs = [float(d["out_of_pocket"]["high"]) for d in data]
    assert highs == sorted(highs)


def test_compare_insurance_reorders(cli: RunCli) -> None:
    data = compare_json(
        cli, "-r", "iv", "-r", "esketamine", "--weeks", "4",
        "--deductible", "1000", "--coinsurance", "20", "--oop-max", "3000",
    )  # fmt: skip
    assert [(d["route"], pair(d["out_of_pocket"])) for d in data] == [
        ("esketamine", ("2544.00", "3000.00")),
        ("iv", ("3200.00", "9600.00")),
    ]


def test_compare_matches_estimate(cli: RunCli) -> None:
    args = ["--weeks", "2-3", "--with", "consultation", "--discount", "5"]
    for index, item in enumerate(compare_json(cli, *args)):
        assert item.pop("cheapest_worst_case") is (index == 0)
        assert item == estimate_json(cli, "-r", item["route"], *args)


def test_compare_table_marks_the_cheapest_worst_case(cli: RunCli) -> None:
    run = cli("compare", "--weeks", "4")
    assert run.code == 0
    body = [line.strip() for line in run.out.splitlines()]
    assert body[4].startswith("*   oral")
    assert sum(line.startswith("*") for line in body) == 1
    assert "- * the lowest out-of-pocket cost in the worst (high) case." in body
    assert "not a bill" in run.out


def test_compare_clinics(cli: RunCli, write: Callable[[str, str], Path]) -> None:
    clinic = write("clinic.toml", VALID)
    data = compare_json(cli, "-r", "iv", "--weeks", "4", "--prices", str(clinic), "--prices", "")
    # the clinic's high case (12 x 700) is below the default sheet's (12 x 800), so it leads
    assert [(d["price_sheet"]["name"], pair(d["out_of_pocket"])) for d in data] == [
        ("Test clinic", ("3604.00", "8400.00")),
        ("ketcost default US price ranges", ("3200.00", "9600.00")),
    ]
    table = cli("compare", "-r", "iv", "--weeks", "4", "--prices", str(clinic), "--prices", "")
    assert "\n *   iv (Test" in table.out


@pytest.mark.parametrize("fmt", ["markdown", "csv"])
def test_compare_other_formats(cli: RunCli, fmt: str) -> None:
    out = cli("compare", "--weeks", "4", "--format", fmt).out
    first = "| \\* | oral | 8–12 |" if fmt == "markdown" else "*,oral,8,12,100.00,300.00"
    assert first in out


def test_compare_budget_names_the_options_over_it(cli: RunCli) -> None:
    run = cli("compare", "--weeks", "4", "--json", "--budget", "5000")
    assert run.code == 3
    assert (
        run.err
        == "warning: 3 of 4 options may exceed the budget of $5,000.00: iv, esketamine, kap\n"
    )


def test_compare_unknown_route(cli: RunCli) -> None:
    run = cli("compare", "-r", "iv", "-r", "nasal")
    assert (run.code, run.out) == (2, "")
    assert run.err.startswith("error: unknown route 'nasal'")
