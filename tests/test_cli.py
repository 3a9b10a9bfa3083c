"""The CLI through its real entry point: worked examples, every command, every exit code."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from ketcost import __version__

from .conftest import COMMANDS, RunCli
from .test_sheets import VALID


def test_iv_four_weeks_table(cli: RunCli) -> None:
    run = cli("estimate", "--route", "iv", "--weeks", "4")
    assert run.code == 0
    assert run.err == ""
    assert "8–12" in run.out
    assert "$3,200.00–$9,600.00" in run.out
    assert "not a bill" in run.out
    assert "\x1b[" not in run.out  # not a terminal: no colour


@pytest.mark.parametrize(
    ("args", "sessions", "total"),
    [
        (["--route", "iv", "--weeks", "4"], (8, 12), ("3200.00", "9600.00")),
        (
            ["-r", "esketamine", "-p", "standard", "--weeks", "2-4", "--maintenance-months", "3"],
            (7, 19),
            ("7630.00", "33620.00"),  # visits 3,500–17,100; medication 14 and 56 devices
        ),
        (
            ["-r", "spravato", "-p", "spravato-label", "--maintenance-months", "6"],
            (23, 34),
            ("25070.00", "60395.00"),  # visits 11,500–30,600; 46 and 2 + 33 x 3 devices at $295
        ),
        # The label and the course length (issue "Figures that follow the label"):
        (["-r", "esketamine"], (8, 8), ("8720.00", "13985.00")),
        (["-r", "esketamine", "--medication", "included"], (8, 8), ("4000.00", "7200.00")),
        (["-r", "esketamine", "--dose", "56"], (8, 8), ("8720.00", "11920.00")),
        (
            ["-r", "esketamine", "--weeks", "4", "--maintenance-months", "6"],
            (23, 34),
            ("25070.00", "60395.00"),
        ),
        (["-r", "esketamine", "--months", "6"], (21, 30), ("22890.00", "53255.00")),
        (["-r", "esketamine", "--months", "12"], (34, 56), ("37060.00", "99665.00")),
        (["-r", "iv", "--months", "3"], (7, 17), ("2800.00", "13600.00")),
        (["-r", "INFUSION", "--weeks", "2–4"], (4, 12), ("1600.00", "9600.00")),
    ],
)
def test_worked_examples_json(
    cli: RunCli, args: list[str], sessions: tuple[int, int], total: tuple[str, str]
) -> None:
    run = cli("estimate", *args, "--json")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert (data["sessions"]["low"], data["sessions"]["high"]) == sessions
    assert (data["total"]["low"], data["total"]["high"]) == total


def test_esketamine_phases(cli: RunCli) -> None:
    run = cli(
        "estimate",
        "-r",
        "esketamine",
        "-p",
        "standard",
        "--weeks",
        "2-4",
        "--maintenance-months",
        "3",
        "-f",
        "json",
    )
    phases = json.loads(run.out)["phases"]
    assert [(p["sessions"]["low"], p["sessions"]["high"]) for p in phases] == [(4, 12), (3, 7)]


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("markdown", "| **Total** |"),
        ("csv", "Total billed,,8,12,,,3200.00,9600.00"),
        ("table", "Total"),
    ],
)
def test_formats(cli: RunCli, fmt: str, expected: str) -> None:
    run = cli("estimate", "-r", "iv", "--weeks", "4", "--format", fmt)
    assert run.code == 0
    assert expected in run.out


def test_maintenance_zero_says_how_to_add_it(cli: RunCli) -> None:
    run = cli("estimate", "-r", "oral")
    assert "not included; add" in run.out
    assert "--maintenance-months" in run.out


@pytest.mark.parametrize("fmt", ["table", "json", "markdown", "csv"])
def test_routes_and_protocols(cli: RunCli, fmt: str) -> None:
    routes = cli("routes", "--format", fmt)
    protocols = cli("protocols", "--format", fmt)
    assert routes.code == protocols.code == 0
    assert "esketamine" in routes.out
    assert "spravato-label" in protocols.out


def test_routes_table_shows_eligibility_and_sources(cli: RunCli) -> None:
    out = cli("routes").out
    assert "not eligible" in out
    assert "Ketamine Advocacy Network" in out
    assert "observed" in out


def test_protocols_in_words(cli: RunCli) -> None:
    out = cli("protocols").out
    assert "2–3 sessions a week for 2–4 weeks" in out
    assert "monthly to every 2 weeks, for" in out


def test_check_prices_ok(cli: RunCli, write: Callable[[str, str], Path]) -> None:
    run = cli("check-prices", str(write("clinic.toml", VALID)))
    assert (run.code, run.out, run.err) == (0, "ok: 1 routes, 1 protocols\n", "")


def test_check_prices_lists_every_problem(cli: RunCli, write: Callable[[str, str], Path]) -> None:
    path = write("bad.toml", VALID.replace('"USD"', '"usd"').replace("[450.50, 700]", "[9, 1]"))
    run = cli("check-prices", str(path))
    assert run.code == 1
    assert run.out == ""
    lines = run.err.splitlines()
    assert len(lines) == 2
    assert all(line.startswith(f"error: {path}: ") for line in lines)


def test_prices_option_and_environment(
    cli: RunCli, write: Callable[[str, str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write("clinic.toml", VALID)
    by_option = json.loads(
        cli("estimate", "-r", "iv", "--weeks", "4", "--json", "--prices", str(path)).out
    )
    monkeypatch.setenv("KETCOST_PRICES", str(path))
    by_env = json.loads(cli("estimate", "-r", "iv", "--weeks", "4", "--json").out)
    assert by_option == by_env
    assert by_env["price_sheet"]["name"] == "Test clinic"
    assert by_env["total"] == {"low": "3604.00", "high": "8400.00"}  # 8 x 450.50, 12 x 700


def test_stale_sheet_warns_on_stderr_only(cli: RunCli, write: Callable[[str, str], Path]) -> None:
    path = write("old.toml", VALID.replace("as_of = 2026-06-01", "as_of = 2020-01-01"))
    run = cli("estimate", "-r", "iv", "--json", "--prices", str(path))
    assert run.code == 0
    json.loads(run.out)  # stdout is still pure JSON
    assert run.err.startswith("warning: ")
    assert run.err.count("\n") == 1


def test_version(cli: RunCli) -> None:
    assert cli("--version").out == f"ketcost {__version__}\n"


@pytest.mark.parametrize("command", ["estimate", "compare", "routes", "protocols", "check-prices"])
def test_every_command_has_help_with_an_example(cli: RunCli, command: str) -> None:
    run = cli(command, "--help")
    assert run.code == 0
    assert "Example" in run.out
    assert f"ketcost {command}" in run.out


@pytest.mark.parametrize("command", COMMANDS)
def test_help_names_values_by_placeholder_not_python_type(cli: RunCli, command: str) -> None:
    """`FILE`, `N`, `AMOUNT`: never typer's `FILE <str>` or `<int>`."""
    run = cli(*command.split(), "--help")
    assert run.code == 0
    assert re.findall(r"<(?:str|int|float|path|decimal)>", run.out) == []


def test_no_command_shows_help(cli: RunCli) -> None:
    run = cli()
    assert run.code == 0
    assert "estimate" in run.out
    assert "check-prices" in run.out


BAD_INPUTS: list[tuple[list[str], int, str]] = [
    (["--weeks", "0"], 2, "invalid value '0' for --weeks: must be from 1 to 52"),
    (["--weeks", "53"], 2, "must be from 1 to 52"),
    (["--weeks", "-3"], 2, "negative numbers are not allowed"),
    (["--weeks", "4-2"], 2, "the low end 4 is above the high end 2"),
    (["--weeks", "2.5"], 2, "fractions are not allowed"),
    (["--weeks", "abc"], 2, "expected a whole number N or a range A-B from 1 to 52"),
    (["--weeks", "nan"], 2, "for --weeks"),
    (["--weeks", "inf"], 2, "for --weeks"),
    (["--weeks", ""], 2, "for --weeks"),
    (["--weeks", "99999999999999999999999"], 2, "must be from 1 to 52"),
    (["--weeks", "2-"], 2, "for --weeks"),
    (["--weeks", "1e3"], 2, "for --weeks"),
    (["--per-week", "8"], 2, "invalid value '8' for --per-week: must be from 1 to 7"),
    (["--per-week", "0-2"], 2, "must be from 1 to 7"),
    (["--sessions", "101"], 2, "invalid value '101' for --sessions: must be from 1 to 100"),
    (["--sessions", "3", "--per-week", "2"], 2, "--per-week and --sessions"),
    (["--maintenance-months", "121"], 2, "whole number from 0 to 120"),
    (["--maintenance-months", "-1"], 2, "whole number from 0 to 120"),
    (["--maintenance-months", "1.5"], 2, "whole number from 0 to 120"),
    (["--maintenance", "yearly"], 2, "'yearly' is not one of"),
    (["--route", "nasal"], 2, "unknown route 'nasal' (did you mean 'intranasal'?); routes: iv"),
    (["--protocol", "fast"], 2, "unknown protocol 'fast'; protocols: standard"),
    (["--format", "xml"], 2, "'xml' is not one of"),
    (["--format", "csv", "--json"], 2, "--json and --format csv conflict"),
    (["--frobnicate"], 2, "no such option: --frobnicate"),
    (["--weeks"], 2, "requires an argument"),
    (["--deductible", "-100"], 2, "invalid value '-100' for --deductible: must not be negative"),
    (["--copay", "abc"], 2, "invalid value 'abc' for --copay: expected an amount"),
    (["--oop-max", "1.234"], 2, "for --oop-max"),
    (["--assistance", "-5"], 2, "invalid value '-5' for --assistance: must not be negative"),
    (["--coinsurance", "120"], 2, "invalid value '120' for --coinsurance: must be a percentage"),
    (["--discount", "101"], 2, "invalid value '101' for --discount: must be a percentage"),
    (["--discount", "-10"], 2, "for --discount: must not be negative"),
    (["--with", "massage"], 2, "unknown add-on 'massage'; add-ons: consultation, integration"),
    (["--extra", "therapy"], 2, "invalid value 'therapy' for --extra: expected LABEL=PRICE"),
    (["--extra", "therapy=abc/session"], 2, "price 'abc' is not an amount"),
    (["--extra", "therapy=100/week"], 2, "for --extra"),
    (["--extra", "a=1/course", "--extra", "b=x/course"], 2, "invalid value 'b=x/course'"),
    (["--budget", "lots"], 2, "invalid value 'lots' for --budget: expected an amount"),
]


@pytest.mark.parametrize(("args", "code", "message"), BAD_INPUTS)
def test_bad_input(cli: RunCli, args: list[str], code: int, message: str) -> None:
    base = [] if "--route" in args else ["--route", "iv"]
    run = cli("estimate", *base, *args)
    assert run.code == code
    assert run.out == ""
    assert run.err.startswith("error: ")
    assert run.err.count("\n") == 1, run.err
    assert message in run.err
    assert "Traceback" not in run.err


def test_route_required_without_a_protocol_route(cli: RunCli) -> None:
    run = cli("estimate", "--weeks", "4")
    assert run.code == 2
    assert "give --route" in run.err


BAD_FILES: list[tuple[str, str]] = [
    ("", "the file is empty"),
    ("name = [", "invalid TOML"),
    (VALID.replace('"USD"', '"US"'), "currency"),
    (VALID.replace("[450.50, 700]", "[700, 1]"), "low 700 is above high 1"),
    (VALID.replace("[450.50, 700]", "-1"), "must be greater than 0"),
    (VALID + "\nextra = 1\n", "extra: unknown key"),
    (VALID.replace('label = "Standard"', 'label = "S"\nroute = "x"'), "unknown route 'x'"),
    (VALID.replace("per_month = 1", "per_month = 1\nper_year = 2"), "one frequency"),
    (VALID.replace("per_month = 1", ""), "needs a frequency"),
]


@pytest.mark.parametrize(("text", "message"), BAD_FILES)
def test_bad_price_sheet(
    cli: RunCli, write: Callable[[str, str], Path], text: str, message: str
) -> None:
    path = write("sheet.toml", text)
    run = cli("estimate", "-r", "iv", "--prices", str(path))
    assert run.code == 1
    assert run.out == ""
    assert run.err.startswith(f"error: {path}: ")
    assert message in run.err
    assert "Traceback" not in run.err


@pytest.mark.parametrize("kind", ["missing", "directory"])
def test_unreadable_price_sheet(cli: RunCli, tmp_path: Path, kind: str) -> None:
    path = tmp_path / "nope.toml" if kind == "missing" else tmp_path
    run = cli("routes", "--prices", str(path))
    assert (run.code, run.out) == (1, "")
    assert run.err.startswith(f"error: {path}: ")


def test_debug_shows_the_traceback(cli: RunCli) -> None:
    run = cli("--debug", "estimate", "--route", "nasal")
    assert run.code == 2
    assert "Traceback" in run.err
    assert run.err.rstrip().endswith(
        "error: unknown route 'nasal' (did you mean 'intranasal'?); routes: iv, infusion, "
        "esketamine, intranasal, spravato, oral, sublingual, kap"
    )


@pytest.mark.parametrize(
    "command", [["ketcost"], [sys.executable, "-m", "ketcost"]], ids=["script", "module"]
)
def test_real_entry_points(command: list[str], tmp_path: Path) -> None:
    """The installed console script and `python -m ketcost` behave the same, from any directory."""
    ok = subprocess.run(
        [*command, "estimate", "--route", "iv", "--weeks", "4", "--json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["total"] == {"low": "3200.00", "high": "9600.00"}
    bad = subprocess.run(
        [*command, "estimate", "--route", "iv", "--weeks", "0"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert (bad.returncode, bad.stdout) == (2, "")
    assert bad.stderr.startswith("error: ")


def test_the_command_line_imports_no_model_before_main_runs() -> None:
    """`main` tells pydantic not to scan the installed packages for plugins; that only works if
    no model (whose class creation builds a validator) is imported before it runs."""
    code = (
        "import sys, ketcost.cli, importlib.metadata as m\n"
        "print('ketcost.domain.plan' in sys.modules, 'pydantic' in sys.modules)\n"
        "scans = []\n"
        "found = m.entry_points\n"
        "m.entry_points = lambda **k: scans.append(k) or found(**k)\n"
        "import pydantic.plugin._loader as loader\n"
        "loader.entry_points = m.entry_points\n"
        "sys.argv = ['ketcost', 'estimate', '--route', 'iv', '--json']\n"
        "code = ketcost.cli.main()\n"
        "print(code, len(scans), 'ketcost.domain.plan' in sys.modules, file=sys.stderr)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.splitlines()[0] == "False False"
    assert done.stderr.split() == ["0", "0", "True"]


def test_estimate_json_imports_no_renderer_document_or_batch_module() -> None:
    """The architecture, as a run shows it: `estimate --json` prices and writes JSON without
    importing Rich, jinja2, the quote or Good Faith Estimate modules, or batch."""
    code = (
        "import sys, ketcost.cli\n"
        "sys.argv = ['ketcost', 'estimate', '--route', 'iv', '--weeks', '4', '--json']\n"
        "ketcost.cli.main()\n"
        "heavy = ('rich', 'jinja2', 'ketcost.documents', 'ketcost.io.batch',\n"
        "         'ketcost.render.table', 'ketcost.render.quote')\n"
        "found = [m for m in sys.modules if m.startswith(heavy)]\n"
        "print(sorted(found), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout)["sessions"] == {"low": 8, "high": 12}
    assert done.stderr.strip() == "[]"


def test_every_public_name_of_the_package_loads_when_first_used() -> None:
    """`ketcost.Plan` and the rest load on first use: each name in __all__ resolves to the object
    its module defines, dir() lists them, and an unknown name is an AttributeError."""
    import importlib

    import ketcost

    for name in ketcost.__all__:
        value = getattr(ketcost, name)
        home = ketcost._WHERE.get(name)
        if home is not None:
            assert value is getattr(importlib.import_module(home), name)
    assert set(ketcost.__all__) <= set(dir(ketcost))
    with pytest.raises(AttributeError, match="no attribute 'Plann'"):
        ketcost.Plann  # noqa: B018


@pytest.mark.parametrize(
    "args",
    [
        ["--debug", "estimate", "-r", "nasal"],
        ["estimate", "--debug", "-r", "nasal"],
        ["estimate", "-r", "nasal", "--debug"],
    ],
)
def test_debug_goes_before_or_after_the_command(cli: RunCli, args: list[str]) -> None:
    run = cli(*args)
    assert run.code == 2
    assert "Traceback" in run.err
    assert run.err.splitlines()[-1].startswith("error: unknown route 'nasal'")


@pytest.mark.parametrize("name", ["ketamine", "Ketamine", " KETAMINE "])
def test_route_ketamine_names_the_routes_not_esketamine(cli: RunCli, name: str) -> None:
    run = cli("estimate", "-r", name)
    assert (run.code, run.out) == (2, "")
    assert "did you mean 'esketamine'" not in run.err
    assert "'ketamine' is the medicine, not a route" in run.err
    assert "iv (IV infusion)" in run.err
    assert "esketamine (Spravato) is a different medicine" in run.err
