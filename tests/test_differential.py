"""The engine against its reference: byte-identical JSON, or the same error, for every plan.

`tests/reference` keeps the engine as it was before integer cents (Decimal money, Fraction
session counts, every charge walked, pydantic results written by `model_dump`). Hypothesis
generates plans over every route (by id and alias), protocol, schedule change, maintenance
option, course length, start date, insurance term, plan-year setting, add-on, extra, discount,
assistance and installment count, up to the bounds a plan allows; the benchmark's own records
are checked too, through the batch command's record path and its error records. A sheet with
decimal lengths, a fixed maintenance phase and a late-starting phase covers what the shipped
sheet does not.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from ketcost import load_price_sheet
from ketcost.batch import Pricer, Raw, price_chunk
from ketcost.engine import estimate
from ketcost.errors import InputError
from ketcost.planfile import plan_from_mapping
from ketcost.pricesheet import PriceSheet
from ketcost.render.json import estimate_json
from ketcost.sheetfile import parse_price_sheet

from . import reference

ROOT = Path(__file__).resolve().parent.parent
SHEET = load_price_sheet()

ODD_TEXT = """\
name = "Odd lengths"
currency = "EUR"
as_of = 2026-06-01
source = "A test sheet: decimal lengths, a fixed maintenance phase, a late start."

[routes.iv]
label = "IV infusion"
aliases = ["drip"]
session_price = [399.99, 812.35]
source = "Test prices."
insurance_eligible = true
default_protocol = "decimal"

[routes.oral]
label = "Oral"
session_price = 150.01
source = "Test price."

[protocols.decimal]
label = "Decimal lengths"
source = "Test protocol."

[[protocols.decimal.phases]]
name = "loading"
weeks = [1.5, 2.25]
per_week = [2, 3]

[[protocols.decimal.phases]]
name = "taper"
months = [0.5, 1.5]
per_month = [2, 5]

[[protocols.decimal.phases]]
name = "fixed block"
sessions = [3, 5]
months = 1.5
part = "maintenance"

[[protocols.decimal.phases]]
name = "open"
every_weeks = [2.5, 6]
starts_one_interval_after = true

[protocols.fixed]
label = "Fixed count only"
source = "Test protocol."

[[protocols.fixed.phases]]
name = "series"
sessions = [5, 7]

[addons.check]
label = "Check-in"
price = [20.05, 45.50]
per = "session"
insurance_eligible_routes = ["iv"]
source = "Test add-on."

[addons.intake]
label = "Intake"
price = 333.33
per = "course"
insurance_eligible = true
source = "Test add-on."
"""
ODD = parse_price_sheet(ODD_TEXT, "odd.toml")

amounts = st.integers(0, 1_000_000).map(lambda c: f"{c // 100}.{c % 100:02d}") | st.sampled_from(
    ["0", "250", "1,000", "$1,500.50", "10000000"]
)
percent = st.integers(0, 10_000).map(lambda h: f"{h // 100}.{h % 100:02d}") | st.sampled_from(
    ["0", "20", "33.33", "100", "20%"]
)
count_range = st.integers(1, 7).flatmap(lambda low: st.sampled_from([low, f"{low}-{low + 1}"]))


@st.composite
def plans(draw: st.DrawFn, sheet_names: dict[str, list[str]]) -> dict[str, Any]:
    """A plan as plan-file keys: anything a plan allows, up to its bounds."""
    data: dict[str, Any] = {"route": draw(st.sampled_from(sheet_names["routes"]))}
    if draw(st.booleans()):
        data["protocol"] = draw(st.sampled_from(sheet_names["protocols"]))
    if draw(st.booleans()):
        data["weeks"] = draw(st.integers(1, 52) | st.sampled_from(["2-4", [1, 52], "3–6"]))
    choice = draw(st.sampled_from(["none", "per_week", "sessions"]))
    if choice == "per_week":
        data["per_week"] = draw(count_range)
    elif choice == "sessions":
        data["sessions"] = draw(st.integers(1, 100) | st.sampled_from(["10-20", [1, 100]]))
    length = draw(st.sampled_from(["none", "maintenance_months", "months"]))
    if length == "maintenance_months":
        data["maintenance_months"] = draw(st.integers(0, 120))
    elif length == "months":
        data["months"] = draw(st.integers(1, 120))
    if draw(st.booleans()):
        data["maintenance"] = draw(
            st.sampled_from(["monthly", "biweekly", "weekly", "monthly-biweekly"])
        )
    if draw(st.booleans()):
        data["start"] = draw(st.dates().map(lambda d: d.replace(year=2020 + d.year % 12)))
    if draw(st.booleans()):
        data["with"] = draw(st.lists(st.sampled_from(sheet_names["addons"]), max_size=3))
    if draw(st.integers(0, 4)) == 0:
        data["extra"] = [
            f"therapy {n}={draw(amounts)}/{draw(st.sampled_from(['session', 'course']))}"
            for n in range(draw(st.integers(1, 2)))
        ]
    if draw(st.booleans()):
        data["discount"] = draw(percent)
    if draw(st.integers(0, 3)) == 0:
        data["assistance"] = draw(amounts)
    if draw(st.booleans()):
        data["installments"] = draw(st.integers(1, 120))
    if draw(st.booleans()):
        data["insurance"] = draw(insurance(has_start="start" in data))
    return data


@st.composite
def insurance(draw: st.DrawFn, has_start: bool) -> dict[str, Any]:
    terms: dict[str, Any] = {}
    for key, values in (
        ("deductible", amounts),
        ("coinsurance", percent),
        ("copay", amounts),
        ("oop_max", amounts),
        ("annual_deductible", amounts),
        ("annual_oop_max", amounts),
        ("covered", st.booleans()),
    ):
        if draw(st.booleans()):
            terms[key] = draw(values)
    if has_start and draw(st.booleans()):
        terms["plan_year_renews"] = draw(st.sampled_from(["01-01", "07-01", "12-31", "03-15"]))
    return terms


def names(sheet: PriceSheet) -> dict[str, list[str]]:
    routes = [name for rid, r in sheet.routes.items() for name in (rid, *r.aliases)]
    return {
        "routes": [*routes, routes[0].upper()],
        "protocols": [*sheet.protocols, "Standard"],
        "addons": [*sheet.addons, "CONSULTATION"],
    }


def outcome(price: Any, *args: Any) -> str:
    """The JSON text, or the error's message (the engines must agree on both)."""
    try:
        return str(price(*args))
    except InputError as error:
        return f"error: {error}"


def check(data: dict[str, Any], sheet: PriceSheet) -> None:
    try:
        plan, _ = plan_from_mapping(data)
    except ValidationError:
        return  # refused before pricing, by the one validation both engines share
    expected = outcome(reference.estimate_json, plan, sheet)
    got = outcome(lambda p, s: estimate_json(estimate(p, s)), plan, sheet)
    assert got == expected


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=plans(names(SHEET)))
def test_the_shipped_sheet_prices_as_the_reference(data: dict[str, Any]) -> None:
    check(data, SHEET)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=plans(names(ODD)))
def test_odd_lengths_price_as_the_reference(data: dict[str, Any]) -> None:
    check(data, ODD)


def test_the_pretty_json_is_the_reference_indented() -> None:
    data = {"route": "esketamine", "months": 14, "start": "2026-12-01", "with": ["consultation"],
            "insurance": {"deductible": 500, "coinsurance": 20, "plan_year_renews": "01-01"},
            "discount": 10, "installments": 6}  # fmt: skip
    plan, _ = plan_from_mapping(data)
    from ketcost.render.json import render_estimate

    expected = json.dumps(
        reference.pricing.estimate(plan, SHEET).model_dump(mode="json"),
        indent=2,
        ensure_ascii=False,
    )
    assert render_estimate(estimate(plan, SHEET)) == expected + "\n"


def benchmark_lines(count: int) -> list[str]:
    """The benchmark's own records (its seeded generator, `benchmarks/records.py`)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("records", ROOT / "benchmarks" / "records.py")
    assert spec is not None
    assert spec.loader is not None
    records: Any = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(records)
    return list(records.lines(count))


@pytest.mark.parametrize("start", [0, 5000])
def test_the_benchmark_records_price_as_the_reference(start: int) -> None:
    """Batch output for the benchmark's records, error records included: each estimate line is
    the reference's JSON with the id first, each error line the reference's message."""
    records = benchmark_lines(start + 5000)[start:]
    chunk: list[tuple[int, Raw]] = [
        (start + n + 1, line.encode()) for n, line in enumerate(records)
    ]
    out = price_chunk(Pricer(None), chunk, "jsonl").data.decode().splitlines()
    assert len(out) == len(records)
    checked = 0
    for line, written in zip(records, out, strict=True):
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            assert '"error":"not JSON' in written
            continue
        record_id = data.pop("id")
        try:
            plan, _ = plan_from_mapping(data)
        except ValidationError:
            assert json.loads(written)["error"]
            continue
        expected = outcome(reference.estimate_json, plan, SHEET)
        if expected.startswith("error: "):
            assert json.loads(written)["error"] == expected.removeprefix("error: ")
        else:
            assert written == f'{{"id":{json.dumps(record_id)},{expected[1:]}'
            checked += 1
    assert checked > 4500


def test_the_written_json_validates_against_the_schema() -> None:
    """`ketcost schema estimate` describes what the writer writes, for varied records."""
    import jsonschema

    from ketcost.schemas import schema

    validator = jsonschema.Draft202012Validator(schema("estimate"))
    written = []
    for line in benchmark_lines(300):
        try:
            plan, _ = plan_from_mapping({k: v for k, v in json.loads(line).items() if k != "id"})
            written.append(estimate_json(estimate(plan, SHEET)))
        except (ValueError, InputError):
            continue
    assert len(written) > 280  # the benchmark's records are mostly valid: the check has work
    insured = 0
    for text in written:
        data = json.loads(text)
        validator.validate(data)
        insured += data["insurance"] is not None
    assert insured > 50  # insurance and its plan years are checked too
