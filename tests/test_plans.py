"""Plan files: the template, --plan with options laid over it, --save-plan round trips, errors."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .conftest import RunCli
from .test_sheets import VALID

Write = Callable[[str, str], Path]


def estimate_json(cli: RunCli, *args: str) -> dict[str, Any]:
    run = cli("estimate", *args, "--json")
    assert run.code == 0, run.err
    data: dict[str, Any] = json.loads(run.out)
    return data


def test_init_writes_a_template_that_works(cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "client.toml"
    run = cli("plan", "init", str(path))
    assert (run.code, run.out) == (0, "")
    assert path.read_text().startswith("# A ketcost plan")
    data = estimate_json(cli, "--plan", str(path))
    assert (data["route"], data["sessions"]) == ("iv", {"low": 4, "high": 12})


def test_init_never_overwrites_without_force(cli: RunCli, write: Write) -> None:
    path = write("client.toml", "route = 'oral'\n")
    run = cli("plan", "init", str(path))
    assert run.code == 1
    assert run.err == f"error: {path}: already exists; give --force to overwrite it\n"
    assert path.read_text() == "route = 'oral'\n"
    assert cli("plan", "init", str(path), "--force").code == 0
    assert path.read_text().startswith("# A ketcost plan")


def test_options_override_the_plan(cli: RunCli, write: Write) -> None:
    path = write(
        "p.toml",
        'route = "esketamine"\nweeks = 4\nmedication = "included"\n[insurance]\n'
        "deductible = 1000\ncoinsurance = 20\noop_max = 3000\n",
    )
    from_plan = estimate_json(cli, "--plan", str(path))
    assert from_plan["out_of_pocket"] == {"low": "1600.00", "high": "2240.00"}
    # --coinsurance replaces only that term; the deductible and cap still come from the plan
    overridden = estimate_json(cli, "--plan", str(path), "--coinsurance", "0", "-r", "oral")
    assert overridden["route"] == "oral"
    assert overridden["insurance"]["deductible"] == "1000.00"
    assert overridden["insurance"]["coinsurance"] == "0"


SCENARIOS = [
    ["-r", "iv", "--weeks", "4"],
    ["-r", "esketamine", "--weeks", "2-4", "--maintenance-months", "3", "--maintenance",
     "monthly-biweekly"],
    ["-r", "esketamine", "--weeks", "4", "--deductible", "1000", "--coinsurance", "20",
     "--oop-max", "3000", "--copay", "12.50", "--covered"],
    ["-r", "oral", "--sessions", "6-8", "--with", "consultation", "--with", "integration",
     "--extra", "psychotherapy=150-250/session", "--extra", "intake=99.99/course",
     "--discount", "12.5", "--assistance", "1000", "--installments", "6"],
    ["-p", "spravato-label", "--maintenance-months", "6", "--not-covered", "--budget", "99999"],
]  # fmt: skip


@pytest.mark.parametrize("args", SCENARIOS)
def test_save_plan_round_trips(cli: RunCli, tmp_path: Path, args: list[str]) -> None:
    path = tmp_path / "saved.toml"
    direct = cli("estimate", *args, "--json", "--save-plan", str(path))
    assert direct.code == 0, direct.err
    again = cli("estimate", "--plan", str(path), "--json")
    assert (again.code, again.out) == (0, direct.out)
    mode = stat.S_IMODE(path.stat().st_mode)
    assert mode & 0o600 == 0o600
    assert not mode & 0o002  # ordinary permissions: never world-writable


def test_save_plan_writes_only_what_was_set(cli: RunCli, tmp_path: Path, write: Write) -> None:
    saved = tmp_path / "saved.toml"
    run = cli("estimate", "-r", "esketamine", "--weeks", "4", "--deductible", "500",
              "--save-plan", str(saved))  # fmt: skip
    assert run.code == 0, run.err
    assert saved.read_text().splitlines()[1:] == [
        'route = "esketamine"',
        "weeks = 4",
        "",
        "[insurance]",
        "deductible = 500",
    ]  # no coinsurance = 0, payer, out_of_network or start the user never gave
    plan = write("client.toml", 'route = "iv"\n\n[quote]\nclient = "A. Client"\n')
    again = tmp_path / "again.toml"
    assert cli("estimate", "--plan", str(plan), "--save-plan", str(again)).code == 0
    assert again.read_text().splitlines()[1:] == [
        'route = "iv"',
        "",
        "[quote]",
        'client = "A. Client"',
    ]  # no valid_days = 30 or diagnosis = []


def test_saved_prices_path_is_relative_to_the_plan(
    cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sheets").mkdir()
    (tmp_path / "sheets" / "clinic.toml").write_text(VALID)
    (tmp_path / "plans").mkdir()
    monkeypatch.chdir(tmp_path)
    run = cli(
        "estimate", "-r", "iv", "--weeks", "4", "--prices", "sheets/clinic.toml",
        "--save-plan", "plans/client.toml",
    )  # fmt: skip
    assert run.code == 0, run.err
    assert 'prices = "../sheets/clinic.toml"' in (tmp_path / "plans/client.toml").read_text()
    monkeypatch.chdir(tmp_path / "sheets")  # from anywhere, the plan finds its sheet
    data = estimate_json(cli, "--plan", "../plans/client.toml")
    assert data["price_sheet"]["name"] == "Test clinic"


def test_plan_prices_beat_the_environment(
    cli: RunCli, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    write("clinic.toml", VALID)
    path = write("p.toml", 'route = "iv"\nprices = "clinic.toml"\n')
    monkeypatch.setenv("KETCOST_PRICES", "/nonexistent.toml")
    assert estimate_json(cli, "--plan", str(path))["price_sheet"]["name"] == "Test clinic"


def test_save_plan_does_not_clobber(cli: RunCli, write: Write) -> None:
    path = write("keep.toml", "# mine\n")
    run = cli("estimate", "-r", "iv", "--save-plan", str(path))
    assert run.code == 1
    assert (run.out, path.read_text()) == ("", "# mine\n")


def test_invalid_inputs_are_not_saved(cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    run = cli("estimate", "-r", "nasal", "--save-plan", str(path))
    assert run.code == 2
    assert not path.exists()


BAD_PLANS = [
    ('route = "iv"\nweks = 4\n', "p.toml: line 2: weks: unknown key (check the spelling)"),
    ('route = "iv"\n\nweeks = 60\n', "p.toml: line 3: weeks: must be from 1 to 52"),
    ('[insurance]\ncoinsurance = 120\n', "p.toml: line 2: insurance.coinsurance: must be a percentage"),
    ('[quote]\nvalid_days = 0\n', "p.toml: line 2: quote.valid_days: expected a whole number from 1 to 365"),
    ('[quote]\nphone = "1"\n', "p.toml: line 2: quote.phone: unknown key"),
    ('extra = ["therapy"]\n', "p.toml: line 1: extra.1: expected LABEL=PRICE"),
    ('route = "iv\n', "p.toml: invalid TOML: "),
    ("budget = -5\n", "p.toml: line 1: budget: must not be negative"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "message"), BAD_PLANS)
def test_bad_plan_files(cli: RunCli, write: Write, text: str, message: str) -> None:
    path = write("p.toml", text)
    run = cli("estimate", "--plan", str(path))
    assert (run.code, run.out) == (2, "")
    assert run.err.startswith(f"error: {path.parent}{os.sep}")
    assert message in run.err
    assert "Traceback" not in run.err


def test_every_problem_is_listed(cli: RunCli, write: Write) -> None:
    path = write("p.toml", "weeks = 0\ncolour = 1\n[quote]\nvalid_days = 999\n")
    lines = cli("estimate", "--plan", str(path)).err.splitlines()
    assert len(lines) == 3
    assert all(line.startswith(f"error: {path}: line ") for line in lines)


def test_missing_plan(cli: RunCli, tmp_path: Path) -> None:
    run = cli("estimate", "--plan", str(tmp_path / "none.toml"))
    assert run.code == 2
    assert run.err == f"error: {tmp_path / 'none.toml'}: no such file\n"


def test_compare_uses_the_plan(cli: RunCli, write: Write) -> None:
    path = write("p.toml", 'weeks = 4\ndiscount = 10\nmedication = "included"\n')
    run = cli("compare", "--plan", str(path), "--json")
    assert run.code == 0
    assert [d["total"]["low"] for d in json.loads(run.out)] == [
        "720.00",
        "3385.00",
        "3600.00",
        "2880.00",
    ]
