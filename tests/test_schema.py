"""`ketcost schema`: real output and real inputs validate against the generated schemas."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from .conftest import RunCli
from .test_sheets import VALID

ROOT = Path(__file__).resolve().parent.parent


def schema_of(cli: RunCli, name: str) -> dict[str, Any]:
    run = cli("schema", name)
    assert run.code == 0, run.err
    data: dict[str, Any] = json.loads(run.out)
    assert data["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(data)
    return data


def check(instance: Any, schema: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(schema).validate(instance)


ESTIMATES = [
    ["-r", "iv", "--weeks", "4"],
    ["-r", "esketamine", "-p", "spravato-label", "--maintenance-months", "6", "--with",
     "consultation", "--deductible", "1000", "--coinsurance", "20", "--oop-max", "3000",
     "--installments", "6"],
    ["-r", "oral", "--weeks", "4", "--discount", "10", "--assistance", "1000", "--extra",
     "therapy=100-150/course"],
]  # fmt: skip


@pytest.mark.parametrize("args", ESTIMATES)
def test_estimate_output_validates(cli: RunCli, args: list[str]) -> None:
    check(json.loads(cli("estimate", *args, "--json").out), schema_of(cli, "estimate"))


@pytest.mark.parametrize(
    "args",
    [
        ["-r", "iv", "--months", "3"],
        ["-r", "esketamine", "--months", "14", "--start", "2026-12-01", "--deductible", "500",
         "--coinsurance", "20", "--plan-year-renews", "01-01", "--installments", "6"],
    ],
)  # fmt: skip
def test_timeline_output_validates(cli: RunCli, args: list[str]) -> None:
    schema = schema_of(cli, "timeline")
    data = json.loads(cli("timeline", *args, "--json").out)
    check(data, schema)
    del data["months"]
    with pytest.raises(jsonschema.ValidationError):
        check(data, schema)


def test_compare_output_validates(cli: RunCli) -> None:
    schema = schema_of(cli, "estimate")
    items = json.loads(cli("compare", "--weeks", "4", "--deductible", "500", "--json").out)
    assert len(items) == 4
    for item in items:
        check(item, schema)


def test_batch_output_validates(cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": "a", "route": "iv", "weeks": 4}\n{"route": "oral", "discount": 5}\n')
    schema = schema_of(cli, "estimate")
    for line in cli("batch", str(path)).out.splitlines():
        check(json.loads(line), schema)


def test_an_estimate_missing_a_key_does_not_validate(cli: RunCli) -> None:
    data = json.loads(cli("estimate", "-r", "iv", "--json").out)
    del data["out_of_pocket"]
    with pytest.raises(jsonschema.ValidationError, match="out_of_pocket"):
        check(data, schema_of(cli, "estimate"))


@pytest.mark.parametrize(
    "plan",
    [
        {"route": "iv", "weeks": "2-4", "per_week": [2, 3], "maintenance_months": 3},
        {"route": "esketamine", "with": ["consultation"], "extra": ["therapy=150-250/session"],
         "insurance": {"deductible": 1000, "coinsurance": "20", "covered": True},
         "budget": 5000, "quote": {"client": "A", "valid_days": 14}, "id": 7},
    ],
)  # fmt: skip
def test_plans_validate(cli: RunCli, plan: dict[str, Any]) -> None:
    check(plan, schema_of(cli, "plan"))


def test_unknown_plan_key_does_not_validate(cli: RunCli) -> None:
    with pytest.raises(jsonschema.ValidationError):
        check({"route": "iv", "colour": "blue"}, schema_of(cli, "plan"))


def test_saved_plan_validates(cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    cli("estimate", *ESTIMATES[1], "--save-plan", str(path))
    check(tomllib.loads(path.read_text()), schema_of(cli, "plan"))


@pytest.mark.parametrize("text", [VALID, (ROOT / "ketcost/data/price_ranges.toml").read_text()])
def test_price_sheets_validate(cli: RunCli, text: str) -> None:
    data = json.loads(json.dumps(tomllib.loads(text), default=str))
    check(data, schema_of(cli, "price-sheet"))
