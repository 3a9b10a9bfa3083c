"""What a course costs as it is billed: the worked examples of "What a course costs as it is
billed", each through the real entry point, and the refusals that go with them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from .conftest import RunCli

ESKETAMINE = ["estimate", "-r", "esketamine", "--weeks", "4"]
INSURED = [*ESKETAMINE, "--deductible", "1000", "--coinsurance", "20", "--oop-max", "3000"]
INSURED += ["--start", "2027-02-01"]


def as_json(cli: RunCli, *args: str) -> dict[str, Any]:
    run = cli(*args, "--json")
    assert run.code == 0, run.err
    data: dict[str, Any] = json.loads(run.out)
    return data


def pair(value: dict[str, Any]) -> tuple[Any, Any]:
    return value["low"], value["high"]


def test_1_esketamine_bills_the_visit_and_the_medication(cli: RunCli) -> None:
    # visits 8 x $500-900; medication 8 x 2 = 16 devices low, 2 + 7 x 3 = 23 high, at $295
    data = as_json(cli, *ESKETAMINE)
    medication = next(i for i in data["line_items"] if i["kind"] == "medication")
    assert pair(medication["quantity"]) == (16, 23)
    assert medication["devices"] == medication["quantity"]
    assert pair(medication["mg"]) == (16 * 28, 56 + 7 * 84)
    assert pair(medication["amount"]) == ("4720.00", "6785.00")
    assert pair(data["total"]) == ("8720.00", "13985.00")
    table = cli(*ESKETAMINE).out
    assert "56 mg first," in table
    assert "$8,720.00–$13,985.00" in table


def test_2_the_dose_and_a_price_that_includes_the_medication(cli: RunCli) -> None:
    assert pair(as_json(cli, *ESKETAMINE, "--dose", "56")["total"]) == ("8720.00", "11920.00")
    # --dose 84 keeps the first session at 56 mg, as the label does: 2 + 7 x 3 both cases
    assert pair(as_json(cli, *ESKETAMINE, "--dose", "84")["total"]) == ("10785.00", "13985.00")
    included = as_json(cli, *ESKETAMINE, "--medication", "included")
    assert pair(included["total"]) == ("4000.00", "7200.00")
    assert [i["kind"] for i in included["line_items"]] == ["session"]
    assert any("include the medication" in line for line in included["assumptions"])
    compared = json.loads(cli("compare", "--weeks", "4", "--medication", "included", "--json").out)
    assert {d["route"]: d["total"]["high"] for d in compared}["esketamine"] == "7200.00"


def test_3_allowed_amounts_and_out_of_network(cli: RunCli) -> None:
    args = ["estimate", "-r", "iv", "--weeks", "4", "--covered", "--coinsurance", "20"]
    data = as_json(cli, *args, "--allowed", "60%")
    assert pair(data["sessions"]) == (8, 12)
    assert pair(data["out_of_pocket"]) == ("384.00", "1152.00")
    assert pair(data["insurance"]["insurer_pays"]) == ("1536.00", "4608.00")
    assert pair(data["insurance"]["provider_writeoff"]) == ("1280.00", "3840.00")
    assert pair(data["insurance"]["allowed"]) == ("1920.00", "5760.00")
    table = cli(*args, "--allowed", "60%").out
    assert "Provider" in table  # the row "Provider write-off", its label wrapped at 80 columns
    assert "write-off" in table
    away = as_json(cli, *args, "--allowed", "60%", "--out-of-network")
    assert pair(away["out_of_pocket"]) == ("1664.00", "4992.00")
    assert pair(away["insurance"]["provider_writeoff"]) == ("0.00", "0.00")


def test_4_the_deductible_takes_the_visit_then_the_medication(cli: RunCli) -> None:
    data = as_json(cli, *INSURED)
    assert pair(data["total"]) == ("8720.00", "13985.00")
    # low: $500 visit + $500 of the $590 medication take the deductible, then 20% of the rest
    assert pair(data["out_of_pocket"]) == ("2544.00", "3000.00")
    assert data["insurance"]["payer"] == "commercial"


def test_5_the_pharmacy_benefit_and_the_savings_program(cli: RunCli) -> None:
    rx = as_json(cli, *INSURED, "--rx-copay", "50")
    assert pair(rx["out_of_pocket"]) == ("2000.00", "2640.00")
    saved = as_json(cli, *INSURED, "--rx-copay", "50", "--savings-program", "--savings-cap", "7150")
    assert pair(saved["out_of_pocket"]) == ("1680.00", "2320.00")
    assert pair(saved["insurance"]["savings_program_pays"]) == ("320.00", "320.00")
    # the program's payments count as the patient's: the insurer pays the same
    assert saved["insurance"]["insurer_pays"] == rx["insurance"]["insurer_pays"]
    months = json.loads(
        cli(
            "timeline", *INSURED[1:], "--rx-copay", "50", "--savings-program",
            "--savings-cap", "7150", "--json",
        ).out
    )["months"]  # fmt: skip
    assert sum(float(m["out_of_pocket"]["low"]) for m in months) == 1680


def test_6_medicare_on_its_approved_amount(cli: RunCli) -> None:
    args = [*ESKETAMINE, "--payer", "medicare", "--allowed", "900", "--start", "2026-03-02"]
    data = as_json(cli, *args)
    # the $283 deductible (2026), then 20% of 8 x $900 - $283 = $6,917; no cap
    assert pair(data["out_of_pocket"]) == ("1666.40", "1666.40")
    assert pair(data["insurance"]["insurer_pays"]) == ("5533.60", "5533.60")
    assert data["insurance"]["payer"] == "medicare"
    assert data["insurance"]["oop_max"] is None
    assert any("Federal Register, 2025-11-19" in line for line in data["assumptions"])
    refused = cli(*args, "--savings-program", "--savings-cap", "7150")
    assert refused.code == 2
    assert refused.out == ""
    assert refused.err == (
        "error: --savings-program: manufacturer savings programs are for commercial insurance "
        "only, not Medicare\n"
    )


def test_medicaid_is_covered_with_no_deductible(cli: RunCli) -> None:
    data = as_json(cli, *ESKETAMINE, "--payer", "medicaid", "--copay", "4")
    assert pair(data["out_of_pocket"]) == ("64.00", "64.00")  # $4 a covered charge, 16 charges
    assert any("vary by state" in line for line in data["assumptions"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-r", "iv", "--dose", "56"], "--dose: IV infusion has no medication billed by the dose"),
        (["-r", "esketamine", "--dose", "70"], "--dose 70: this price sheet prices"),
        (["-r", "esketamine", "--payer", "self-pay", "--deductible", "5"], "takes no insurance"),
        (["-r", "esketamine", "--payer", "cash"], "invalid value 'cash' for --payer"),
        (["-r", "esketamine", "--savings-program"], "needs --savings-cap AMOUNT"),
        (["-r", "esketamine", "--medication", "maybe"], "for --medication"),
    ],
)
def test_refusals_are_one_line(cli: RunCli, args: list[str], message: str) -> None:
    run = cli("estimate", *args)
    assert run.code == 2
    assert run.out == ""
    assert message in run.err
    assert run.err.count("\n") == 1


def test_plan_years_start_today_and_renew_on_january_1(cli: RunCli) -> None:
    # the tests' today is 2027-03-01 (conftest): a 12-month course crosses January 1, 2028
    data = as_json(cli, "estimate", "-r", "esketamine", "--months", "12", "--deductible", "500")
    years = data["insurance"]["plan_years"]
    assert [(y["starts"], y["ends"]) for y in years] == [
        ("2027-03-01", "2027-12-31"),
        ("2028-01-01", "2028-12-31"),
    ]
    assert data["insurance"]["plan_year_renews"] == "01-01"


def test_sessions_after_the_authorized_months_are_not_covered(cli: RunCli) -> None:
    args = ["-r", "esketamine", "--months", "6", "--deductible", "1000", "--coinsurance", "20"]
    args += ["--start", "2027-02-01", "--authorized-months", "3"]
    data = as_json(cli, "estimate", *args)
    # low: to 2027-05-01 (day 89) come 8 + 4 + 3 sessions (days 56, 70, 84) at $1,090, covered:
    # $1,000 + 20% of $15,350 = $4,070; the other 6 are paid in full, $6,540
    assert data["out_of_pocket"]["low"] == "10610.00"
    assert any("approve 3 months" in line for line in data["assumptions"])
    months = json.loads(cli("timeline", *args, "--json").out)["months"]
    assert sum(float(m["out_of_pocket"]["low"]) for m in months) == 10610


@pytest.mark.parametrize(
    ("fmt", "shown"),
    [
        ("table", "$8,720.00–$13,985.00"),
        ("markdown", "$8,720.00–$13,985.00"),
        ("csv", "Total billed,,8,8,,,8720.00,13985.00"),
        ("json", '"high": "13985.00"'),
    ],
)
def test_the_medication_in_every_format(cli: RunCli, fmt: str, shown: str) -> None:
    run = cli(*ESKETAMINE, "--format", fmt)
    assert run.code == 0
    assert shown in run.out
    assert "SPRAVATO 28 mg nasal spray devices" in run.out


def test_medication_included_on_a_route_without_one_says_so(cli: RunCli) -> None:
    run = cli("estimate", "-r", "iv", "--weeks", "4", "--medication", "included")
    assert run.code == 0
    assert run.err == (
        "warning: --medication included changes nothing: IV infusion has no medication billed "
        "beside the session in this price sheet\n"
    )
