"""Warnings where an option does nothing or is likely misread: one line each on stderr, and the
same lines (without `warning: `) in `--json` as `warnings`, with the budget as `budget`."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import RunCli


def as_json(cli: RunCli, *args: str) -> tuple[Any, str]:
    run = cli(*args, "--json")
    assert run.code in (0, 3), run.err
    return json.loads(run.out), run.err


def said(err: str) -> list[str]:
    """The stderr warning lines, without their `warning: `."""
    return [line.removeprefix("warning: ") for line in err.splitlines()]


def test_maintenance_without_months_says_it_does_nothing(cli: RunCli) -> None:
    data, err = as_json(cli, "estimate", "-r", "iv", "--weeks", "4", "--maintenance", "monthly")
    line = (
        "--maintenance monthly does nothing without --maintenance-months N or --months N: "
        "no maintenance is priced"
    )
    assert data["warnings"] == [line]
    assert said(err) == [line]
    assert data["sessions"] == {"low": 8, "high": 12}  # the induction only


def test_maintenance_in_a_course_the_induction_fills(cli: RunCli) -> None:
    data, _ = as_json(
        cli, "estimate", "-r", "iv", "--weeks", "4", "--months", "1", "--maintenance", "monthly"
    )
    assert data["warnings"] == [
        "--maintenance monthly does nothing: the 1-month course has no room for a maintenance "
        "session after the induction"
    ]


def test_maintenance_with_months_is_quiet(cli: RunCli) -> None:
    args = ("estimate", "-r", "iv", "--weeks", "4", "--maintenance", "monthly")
    data, err = as_json(cli, *args, "--maintenance-months", "3")
    assert data["warnings"] == []
    assert err == ""


def test_medication_included_without_a_medication(cli: RunCli) -> None:
    data, err = as_json(cli, "estimate", "-r", "iv", "--medication", "included")
    assert data["warnings"] == [
        "--medication included changes nothing: IV infusion has no medication billed beside "
        "the session in this price sheet"
    ]
    assert said(err) == data["warnings"]


def test_input_and_sheet_warnings_reach_json_in_stderr_order(
    cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KETCOST_TODAY", "2028-01-15")  # the shipped sheet is then over a year old
    data, err = as_json(
        cli, "estimate", "-r", "iv", "-p", "spravato-label", "--discount", "0.5", "--budget", "10"
    )
    assert said(err)[:-1] == data["warnings"]  # the last stderr line is the budget's
    assert [line.split(" ")[0] for line in data["warnings"]] == ["--discount", "price", "protocol"]
    assert "more than 12 months ago" in data["warnings"][1]
    assert data["budget"] == {"limit": "10.00", "exceeded": True}


def test_phase_names_state_no_weeks_the_course_does_not_have(cli: RunCli) -> None:
    data, _ = as_json(cli, "estimate", "-r", "esketamine", "--weeks", "2")
    assert [p["name"] for p in data["phases"]] == ["induction"]
    assert data["phases"][0]["schedule"] == "2 sessions a week for 2 weeks"


def test_compare_and_timeline_carry_warnings_and_budget(cli: RunCli) -> None:
    options, _ = as_json(
        cli, "compare", "-r", "iv", "-r", "oral", "--weeks", "4", "--maintenance", "monthly",
        "--budget", "4000",
    )  # fmt: skip
    assert [o["budget"]["exceeded"] for o in options] == [False, True]  # oral first
    assert all(o["warnings"][0].startswith("--maintenance monthly does nothing") for o in options)
    months, _ = as_json(cli, "timeline", "-r", "iv", "--maintenance", "weekly", "--budget", "1")
    assert months["warnings"][0].startswith("--maintenance weekly does nothing")
    assert months["budget"] == {"limit": "1.00", "exceeded": True}


def test_a_batch_record_carries_its_warnings(cli: RunCli, tmp_path: Any) -> None:
    records = tmp_path / "in.jsonl"
    records.write_text('{"route": "iv", "maintenance": "monthly"}\n{"route": "iv"}\n')
    run = cli("batch", str(records))
    assert run.code == 0, run.err
    first, second = (json.loads(line) for line in run.out.splitlines())
    assert first["warnings"][0].startswith("--maintenance monthly does nothing")
    assert second["warnings"] == []
    assert second["budget"] is None
