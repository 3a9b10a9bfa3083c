"""Good Faith Estimates a clinic can issue, and the bill check: every element the rule requires,
refused when one is missing, and the $400 / 120-day rule worked through the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from ketcost.documents.gfe import npi_valid

from .conftest import RunCli

CLINIC = """\
name = "Example Clinic fee list"
currency = "USD"
as_of = 2026-11-01
source = "Example Clinic, published fee list, November 2026"

[routes.esketamine]
label = "Intranasal esketamine (Spravato)"
session_price = 450
observation_minutes = 120
insurance_eligible = true
default_protocol = "label"
service_codes = ["G2082"]
service_codes_source = "CMS HCPCS Level II"
source = "Fee list, page 1"

[routes.iv]
label = "IV infusion"
session_price = [400, 800]
source = "Fee list, page 2"

[protocols.label]
label = "SPRAVATO label schedule"
route = "esketamine"
source = "SPRAVATO prescribing information"

[[protocols.label.phases]]
name = "induction"
weeks = 4
per_week = 2

[[protocols.label.phases]]
name = "maintenance"
every_weeks = 2

[addons.consultation]
label = "Initial evaluation"
price = 200
per = "course"
service_codes = ["90792"]
service_codes_source = "CPT, psychiatric diagnostic evaluation with medical services"
source = "Fee list, page 3"

[addons.integration]
label = "Integration therapy"
price = 150
per = "session"
source = "Fee list, page 3"
"""

PROVIDER = """\
name = "Example Clinic"
npi = "1234567893"
tin = "12-3456789"
address = "1 Main Street, Springfield"
state = "IL"
"""


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "clinic.toml").write_text(CLINIC)
    (tmp_path / "provider.toml").write_text(PROVIDER)
    return {"sheet": str(tmp_path / "clinic.toml"), "provider": str(tmp_path / "provider.toml")}


def gfe_args(files: dict[str, str], *more: str) -> list[str]:
    return [
        "quote", "--gfe", "--prices", files["sheet"], "-r", "esketamine", "--client", "Ana Díaz",
        "--client-dob", "1980-04-02", "--diagnosis", "F33.2", "--provider", files["provider"],
        "--scheduled", "2027-03-15", *more,
    ]  # fmt: skip


def gfe_json(cli: RunCli, files: dict[str, str], *more: str) -> dict[str, Any]:
    run = cli(*gfe_args(files, *more), "-f", "json")
    assert run.code == 0, run.err
    data: dict[str, Any] = json.loads(run.out)
    return data


def test_npi_check_digit() -> None:
    assert npi_valid("1234567893")
    assert npi_valid("1245319599")
    assert not npi_valid("1234567890")
    assert not npi_valid("123456789")


def test_the_gfe_lists_one_charge_per_item_by_provider(cli: RunCli, files: dict[str, str]) -> None:
    data = gfe_json(cli, files, "--with", "consultation")
    assert data["kind"] == "good_faith_estimate"
    assert data["patient"] == {"name": "Ana Díaz", "date_of_birth": "1980-04-02"}
    assert data["diagnosis_codes"] == ["F33.2"]
    (provider,) = data["providers"]
    assert provider["provider"]["npi"] == "1234567893"
    assert provider["provider"]["tin"] == "12-3456789"
    assert [
        (i["service_codes"], i["quantity"], i["expected_charge"]) for i in provider["items"]
    ] == [
        (["G2082"], 8, "3600.00"),
        (["90792"], 1, "200.00"),
    ]
    assert provider["expected_charges"] == "3800.00"
    assert data["total_expected_charges"] == "3800.00"
    assert "Integration therapy" in " ".join(data["separately_scheduled"])


def test_a_discount_lowers_each_session_charge(cli: RunCli, files: dict[str, str]) -> None:
    """The package discount is the one used everywhere: 33% off $450.00 is $301.50 a session."""
    item = gfe_json(cli, files, "--discount", "33")["providers"][0]["items"][0]
    assert (item["unit_charge"], item["quantity"], item["expected_charge"]) == (
        "301.50", 8, "2412.00",
    )  # fmt: skip


# Each element 45 CFR 149.610 requires, and the text that carries it in every form.
ELEMENTS = {
    "1 patient name and date of birth": ["Ana Díaz", "1980-04-02"],
    "2 primary service and scheduled date": ["Primary service", "2027-03-15"],
    "3 items and services grouped by provider": [
        "Intranasal esketamine (Spravato) treatment session",
    ],
    "4 diagnosis and service codes, expected charges": ["F33.2", "G2082", "3,600.00"],
    "5 provider name, NPI, TIN, state and location": [
        "Example Clinic", "1234567893", "12-3456789", "IL", "1 Main Street, Springfield",
    ],
    "6 items scheduled separately": ["scheduled separately"],
    "7a other items may be scheduled separately": ["must be scheduled or requested separately"],
    "7b an estimate; actual charges may differ": ["charges you actually receive may differ"],
    "7c the dispute right, $400, 120 days, where to start": [
        "at least $400 more", "within 120 calendar days", "www.cms.gov/nosurprises",
    ],
    "7d quality of care unaffected": ["will not affect the quality of the care"],
    "7e not a contract": ["is not a contract"],
}  # fmt: skip


@pytest.mark.parametrize("fmt", ["html", "markdown", "json"])
def test_every_required_element_is_in_every_form(
    cli: RunCli, files: dict[str, str], fmt: str
) -> None:
    run = cli(*gfe_args(files), "-f", fmt)
    assert run.code == 0, run.err
    text = run.out.replace("&#39;", "'")
    if fmt == "json":  # the same elements, as keys and plain decimals
        text = text.replace('"3600.00"', '"3,600.00"').replace(
            '"primary_service"', "Primary service"
        )
    for element, needles in ELEMENTS.items():
        for needle in needles:
            assert needle in text, (fmt, element, needle)


@pytest.mark.parametrize(
    ("drop", "missing"),
    [
        ("--client", "the patient's name (--client NAME)"),
        ("--client-dob", "the patient's date of birth (--client-dob DATE)"),
        ("--diagnosis", "a diagnosis code (--diagnosis CODE, e.g. F33.2)"),
        ("--provider", "the provider (--provider FILE, or [provider] in the plan)"),
    ],
)
def test_a_gfe_missing_an_input_is_refused(
    cli: RunCli, files: dict[str, str], tmp_path: Path, drop: str, missing: str
) -> None:
    args = gfe_args(files)
    index = args.index(drop)
    del args[index : index + 2]
    out = tmp_path / "gfe.html"
    run = cli(*args, "-o", str(out))
    assert (run.code, run.out) == (2, "")
    assert run.err.startswith("error: a Good Faith Estimate needs ")
    assert missing in run.err
    assert run.err.count("\n") == 1
    assert not out.exists()


@pytest.mark.parametrize(
    ("more", "message"),
    [
        (["-r", "iv", "-p", "label"], "the price of IV infusion is a range (400–800)"),
        (["--weeks", "2-4"], "the number of sessions is a range (4–8)"),
        (["--with", "integration"], "the price sheet has none for Integration therapy"),
        (["--extra", "x=10/course"], "--extra items have no service code"),
    ],
)
def test_ranges_and_missing_codes_are_refused(
    cli: RunCli, files: dict[str, str], more: list[str], message: str
) -> None:
    args = gfe_args(files)
    if "-r" in more:
        index = args.index("-r")
        del args[index : index + 2]
    run = cli(*args, *more)
    assert (run.code, run.out) == (2, "")
    assert message in run.err


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--client-dob", "02/04/1980", "--client-dob: expected a date written YYYY-MM-DD"),
        ("--diagnosis", "depression", "is not an ICD-10 diagnosis code"),
    ],
)
def test_bad_gfe_values(
    cli: RunCli, files: dict[str, str], option: str, value: str, message: str
) -> None:
    args = gfe_args(files)
    args[args.index(option) + 1] = value
    run = cli(*args)
    assert (run.code, run.out) == (2, "")
    assert message in run.err


def test_a_bad_npi_in_the_provider_file(cli: RunCli, files: dict[str, str]) -> None:
    Path(files["provider"]).write_text(PROVIDER.replace("1234567893", "1234567890"))
    run = cli(*gfe_args(files))
    assert run.code == 2
    assert "npi: Value error" not in run.err
    assert "check digit" in run.err


def test_more_than_twelve_months_is_cut_and_says_so(cli: RunCli, files: dict[str, str]) -> None:
    data = gfe_json(cli, files, "--months", "18")
    assert "a new Good Faith Estimate will follow" in data["follow_up"]
    assert data["period"] == "52 weeks from the first session"
    # 12 months = 52 weeks: 8 induction sessions, then 48 weeks every 2 weeks: 24
    assert data["providers"][0]["items"][0]["quantity"] == 32


def test_the_counselors_estimate_is_not_a_gfe(cli: RunCli) -> None:
    data = json.loads(cli("quote", "-r", "iv", "--weeks", "4", "-f", "json").out)
    assert data["kind"] == "estimate"
    assert data["not_a_gfe"].startswith("This is not a Good Faith Estimate")
    assert re.fullmatch(r"KC-[0-9A-F]{8}", data["id"])


def test_quote_json_validates_against_its_schema(cli: RunCli, files: dict[str, str]) -> None:
    schema = json.loads(cli("schema", "quote").out)
    jsonschema.Draft202012Validator(schema).validate(gfe_json(cli, files))
    counselors = json.loads(cli("quote", "-r", "iv", "-f", "json").out)
    jsonschema.Draft202012Validator(schema).validate(counselors)


# --- the bill check ------------------------------------------------------------------------


@pytest.fixture
def gfe_file(cli: RunCli, files: dict[str, str], tmp_path: Path) -> str:
    path = tmp_path / "gfe.json"
    run = cli(*gfe_args(files), "-o", str(path))
    assert run.code == 0, run.err
    return str(path)


def test_a_bill_400_over_is_eligible_for_dispute(cli: RunCli, gfe_file: str) -> None:
    run = cli(
        "check-bill",
        gfe_file,
        "--billed",
        "4050",
        "--bill-date",
        "2027-04-01",
        "--today",
        "2027-04-15",
    )
    assert run.code == 3
    assert (
        "expected $3,600.00, billed $4,050.00, difference $450.00 (at least $400 over)" in run.out
    )
    assert "start it by 2027-07-30 (120 days from the bill's date)" in run.out
    assert "www.cms.gov/nosurprises" in run.out
    data = json.loads(
        cli(
            "check-bill",
            gfe_file,
            "--billed",
            "4050",
            "--bill-date",
            "2027-04-01",
            "--today",
            "2027-04-15",
            "--json",
        ).out
    )
    assert data["eligible"] is True
    assert data["last_day_to_dispute"] == "2027-07-30"
    assert data["providers"][0]["difference"] == "450.00"


def test_a_bill_under_400_over_is_not_eligible(cli: RunCli, gfe_file: str) -> None:
    run = cli(
        "check-bill",
        gfe_file,
        "--provider",
        "1234567893=3999.99",
        "--bill-date",
        "2027-04-01",
        "--today",
        "2027-04-15",
    )
    assert run.code == 0
    assert "difference $399.99" in run.out
    assert "Not eligible" in run.out


def test_check_bill_against_a_counselors_estimate(cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "estimate.json"
    assert cli("quote", "-r", "iv", "--weeks", "4", "-o", str(path)).code == 0
    run = cli(
        "check-bill",
        str(path),
        "--billed",
        "12000",
        "--bill-date",
        "2027-04-01",
        "--today",
        "2027-04-15",
    )
    assert run.code == 0
    assert "high case $9,600.00, billed $12,000.00, difference $2,400.00" in run.out
    assert "Only a provider's Good Faith Estimate gives the right to dispute" in run.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--billed", "4050"], "missing option '--bill-date'"),
        (
            ["--billed", "x", "--bill-date", "2027-04-01", "--today", "2027-04-15"],
            "expected an amount",
        ),
        (
            ["--provider", "999=1", "--bill-date", "2027-04-01", "--today", "2027-04-15"],
            "NPI 999 is not a provider",
        ),
        (["--bill-date", "2027-04-01", "--today", "2027-04-15"], "give what was billed"),
    ],
)
def test_check_bill_bad_input(cli: RunCli, gfe_file: str, args: list[str], message: str) -> None:
    run = cli("check-bill", gfe_file, *args)
    assert (run.code, run.out) == (2, "")
    assert message in run.err


MEDICATION = """
[routes.esketamine.medication]
label = "SPRAVATO 28 mg nasal spray device"
unit_price = 295
mg_per_unit = 28
doses_mg = [56, 84]
first_dose_mg = 56
service_codes = ["J0013"]
visit_codes = { 56 = "G2082", 84 = "G2083" }
service_codes_source = "CMS 2026 HCPCS Level II: J0013, esketamine, nasal spray, 1 mg"
source = "Fee list, page 1"
"""


def test_the_medication_is_its_own_line_with_its_code(
    cli: RunCli, files: dict[str, str], tmp_path: Path
) -> None:
    sheet = tmp_path / "clinic.toml"
    sheet.write_text(
        CLINIC.replace(
            'source = "Fee list, page 1"\n', 'source = "Fee list, page 1"\n' + MEDICATION, 1
        )
    )
    ranged = cli(*gfe_args(files, "--weeks", "4"))
    assert ranged.code == 2
    assert (
        "the medication's device count, from its dose, is a range (16–23); give the dose"
        in ranged.err
    )
    data = gfe_json(cli, files, "--weeks", "4", "--dose", "84")
    items = data["providers"][0]["items"]
    # the visits under their dose's code: the first at 56 mg (G2082), the other 7 at 84 (G2083)
    assert [(i["service_codes"], i["quantity"], i["expected_charge"]) for i in items[:2]] == [
        (["G2082"], 1, "450.00"),
        (["G2083"], 7, "3150.00"),
    ]
    medication = items[2]
    # 8 sessions: 56 mg (2 devices) first, then 7 x 84 mg (3 devices): 23 devices, 644 mg
    assert medication["description"] == "SPRAVATO 28 mg nasal spray devices (644 mg in all)"
    assert medication["service_codes"] == ["J0013"]
    assert (medication["quantity"], medication["unit_charge"]) == (23, "295.00")
    assert medication["expected_charge"] == "6785.00"


def test_a_bill_past_its_120_days_is_not_eligible(cli: RunCli, gfe_file: str) -> None:
    args = ["check-bill", gfe_file, "--billed", "4050", "--bill-date", "2027-04-01"]
    run = cli(*args, "--today", "2027-07-31")  # the day after the last day
    assert run.code == 0
    assert "the 120 days to start dispute resolution closed on 2027-07-30" in run.out
    assert "no longer open" in run.out
    data = json.loads(cli(*args, "--today", "2027-07-31", "--json").out)
    assert (data["eligible"], data["over_threshold"], data["window_closed"]) == (False, True, True)
    on_the_last_day = cli(*args, "--today", "2027-07-30")
    assert on_the_last_day.code == 3


def test_the_check_names_its_fee_and_rule(cli: RunCli, gfe_file: str) -> None:
    run = cli("check-bill", gfe_file, "--billed", "4050", "--bill-date", "2027-04-01",
              "--today", "2027-04-15", "--json")  # fmt: skip
    data = json.loads(run.out)
    assert (data["fee"], data["rule"]) == ("25.00", "45 CFR 149.620")
    assert data["dispute_page"] == "https://www.cms.gov/nosurprises/consumers"
    assert any("$25 administrative fee, which is not refunded" in n for n in data["notes"])
    assert not any("149.610" in n for n in data["notes"])


@pytest.mark.parametrize(
    ("bill_date", "message"),
    [
        ("2027-02-01", "--bill-date 2027-02-01 is before the Good Faith Estimate was issued"),
        ("2027-05-01", "--bill-date 2027-05-01 is after today (2027-04-15)"),
    ],
)
def test_bill_dates_that_cannot_be_are_refused(
    cli: RunCli, gfe_file: str, bill_date: str, message: str
) -> None:
    run = cli("check-bill", gfe_file, "--billed", "4050", "--bill-date", bill_date,
              "--today", "2027-04-15")  # fmt: skip
    assert (run.code, run.out) == (2, "")
    assert message in run.err


def test_a_paper_gfe_is_checked_from_its_figures(cli: RunCli) -> None:
    import jsonschema

    args = ["check-bill", "--expected", "9600", "--provider", "Example Clinic", "--issued"]
    args += ["2026-11-01", "--billed", "14400.5", "--bill-date", "2026-12-01", "--today"]
    run = cli(*args, "2026-12-03", "--json")
    assert run.code == 3
    data = json.loads(run.out)
    assert data["kind"] == "paper_good_faith_estimate"
    row = data["providers"][0]
    assert (row["expected"], row["billed"], row["difference"]) == ("9600.00", "14400.50", "4800.50")
    assert data["last_day_to_dispute"] == "2027-03-31"
    schema = json.loads(cli("schema", "check-bill").out)
    jsonschema.validate(data, schema)
    missing = cli(
        "check-bill", "--expected", "9600", "--billed", "100", "--bill-date", "2026-12-01"
    )
    assert missing.code == 2
    assert "--provider NAME (once), --issued DATE" in missing.err


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        (
            "--scheduled",
            "2027-02-28",
            "is before the Good Faith Estimate's issue date (2027-03-01)",
        ),
        ("--client-dob", "2027-03-02", "is not a date of birth: give one from 1900-01-01"),
        ("--client-dob", "1899-12-31", "expected a date from 1900-01-01"),
    ],
)
def test_gfe_dates_that_cannot_be_are_refused(
    cli: RunCli, files: dict[str, str], flag: str, value: str, message: str
) -> None:
    args = gfe_args(files)
    args[args.index(flag) + 1] = value
    run = cli(*args, "-f", "json")
    assert (run.code, run.out) == (2, "")
    assert message in run.err


def test_the_gfe_states_when_it_is_due(cli: RunCli, files: dict[str, str]) -> None:
    data = json.loads(cli(*gfe_args(files), "-f", "json").out)
    timing = next(d for d in data["disclaimers"] if d.startswith("When a service is scheduled"))
    assert "within 1 business day of scheduling" in timing
    assert "within 3 business days of a request" in timing
