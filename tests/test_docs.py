"""The README stays true: its example output is what the CLI prints, and every command is in it."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from .conftest import COMMANDS, RunCli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text("utf-8")


def load_default_sheet_text() -> str:
    return (ROOT / "ketcost" / "data" / "price_ranges.toml").read_text("utf-8")


def block_after(marker: str, fence: str) -> str:
    """The text of the first fenced block of kind `fence` after `marker` in the README."""
    start = README.index(marker)
    match = re.compile(rf"```{fence}\n(.*?)```", re.DOTALL).search(README, start)
    assert match is not None
    return match[1]


def test_quick_start_is_the_two_commands() -> None:
    quick = block_after("## Quick start", "sh")
    assert quick.splitlines() == [
        "pip install . && ketcost estimate --route iv --weeks 4",
        'pip install -e ".[test]" && pytest',
    ]


def test_table_example_is_real(cli: RunCli) -> None:
    shown = block_after("`ketcost estimate --route iv --weeks 4`:", "text")
    assert cli("estimate", "--route", "iv", "--weeks", "4").out == shown


def test_markdown_example_is_real(cli: RunCli) -> None:
    shown = block_after("(`ketcost estimate -r esketamine", "markdown")
    run = cli("estimate", "-r", "esketamine", "--maintenance-months", "6", "-f", "markdown")
    assert run.out == shown


def test_out_of_pocket_example_is_real(cli: RunCli) -> None:
    shown = block_after("(`ketcost estimate -r esketamine --weeks 4 --with consultation", "text")
    args = "-r esketamine --weeks 4 --with consultation --deductible 1000 --coinsurance 20"
    args += " --oop-max 3000 --start 2027-03-01"
    assert cli("estimate", *args.split()).out == shown


def test_compare_example_is_real(cli: RunCli) -> None:
    shown = block_after("(`ketcost compare --weeks 4 --deductible", "text")
    args = "--weeks 4 --deductible 1000 --coinsurance 20 --oop-max 3000 --start 2027-03-01"
    assert cli("compare", *args.split()).out == shown


def test_timeline_example_is_real(cli: RunCli) -> None:
    shown = block_after("(`ketcost timeline -r iv --weeks 4", "text")
    args = "-r iv --weeks 4 --maintenance monthly --maintenance-months 3 --installments 6"
    assert cli("timeline", *args.split()).out == shown


def test_plan_example_is_a_valid_plan(cli: RunCli, tmp_path: Path) -> None:
    """The README's plan, with its price sheet made real, gives an estimate."""
    shown = block_after("### Plan files", "toml")
    (tmp_path / "clinic.toml").write_text(load_default_sheet_text())
    (tmp_path / "ana.toml").write_text(shown)
    run = cli("estimate", "--plan", str(tmp_path / "ana.toml"), "--json")
    assert run.code == 3, run.err  # valid; and the $5,000 budget may be exceeded
    assert run.err.startswith("warning: the out-of-pocket cost")


@pytest.mark.parametrize(
    "command",
    COMMANDS,
)
def test_every_command_is_documented(command: str) -> None:
    assert f"ketcost {command}" in README


def test_exit_codes_are_documented() -> None:
    section = README[README.index("## Exit codes") :]
    for code in ("| 0 |", "| 1 |", "| 2 |", "| 3 |", "| 4 |"):
        assert code in section


def test_python_api_examples_run(capsys: pytest.CaptureFixture[str]) -> None:
    """Every Python block in the README runs and prints what its comments say."""
    section = README[README.index("## Python API") : README.index("## Limitations")]
    blocks = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    assert len(blocks) == 3
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
        printed = capsys.readouterr().out.splitlines()
        expected = [line.split("# ")[-1] for line in block.splitlines() if "print(" in line]
        assert printed == expected


def test_stated_results_in_the_more_block_are_real(cli: RunCli) -> None:
    """Each "More:" command that states its sessions and total gives them, and every command
    there runs with no usage error (the ones naming a user's own files excepted)."""
    block = block_after("More:", "sh")
    stated = 0
    for line in block.splitlines():
        command, _, comment = line.partition("#")
        args = shlex.split(command)[1:]
        if any(arg.endswith(".toml") for arg in args):
            continue  # names a clinic's own sheet, which the reader has and the test does not
        run = cli(*args)
        assert run.code in (0, 3), (line, run.err)
        found = re.fullmatch(r"\s*(\d+)–(\d+) sessions, \$([\d,.]+)–\$([\d,.]+)\s*", comment)
        if found:
            data = json.loads(run.out)
            low, high, total_low, total_high = found.groups()
            assert (data["sessions"]["low"], data["sessions"]["high"]) == (int(low), int(high))
            money = (total_low.replace(",", ""), total_high.replace(",", ""))
            assert (data["total"]["low"], data["total"]["high"]) == money
            stated += 1
    assert stated >= 1


def test_the_price_sheet_format_example_is_a_valid_sheet(cli: RunCli, tmp_path: Path) -> None:
    """The README's sheet passes check-prices, and its esketamine bills the medication."""
    sheet = tmp_path / "example.toml"
    sheet.write_text(block_after("## Price-sheet format", "toml"))
    run = cli("check-prices", str(sheet))
    assert run.code == 0, run.err
    assert run.out.startswith("ok: 2 routes, 1 protocols")
    data = json.loads(cli("estimate", "--prices", str(sheet), "-r", "esketamine", "--json").out)
    assert [item["kind"] for item in data["line_items"]][-1] == "medication"


def test_the_readme_picture_of_a_quote_is_of_todays_quote(tmp_path: Path) -> None:
    """`docs/quote.png` was made (by `tools/screenshot.py`) from the quote ketcost makes now:
    the hash beside it is of the same HTML. A change to what a quote shows fails here until
    `python tools/screenshot.py` is run again."""
    import sys

    sys.path.insert(0, str(ROOT / "tools"))
    import screenshot

    made_from = (ROOT / "docs" / "quote.html.sha256").read_text("utf-8").split()[0]
    assert screenshot.digest(screenshot.quote_html(tmp_path)) == made_from, (
        "docs/quote.png shows an older quote: run `python tools/screenshot.py`"
    )
    assert (ROOT / "docs" / "quote.png").stat().st_size > 50_000  # a real picture
    assert "](docs/quote.png)" in README
    assert screenshot.PLAN.splitlines()[0] in README  # the README's plan, as its caption says


def test_paper_bill_check_example_is_real(cli: RunCli) -> None:
    shown = block_after("A provider's paper Good Faith Estimate is checked", "text")
    args = "--expected 9600 --provider Example_Clinic --issued 2025-12-01 --billed 14400.50"
    args += " --bill-date 2026-01-05 --today 2026-12-03"
    run = cli("check-bill", *[a.replace("_", " ") for a in args.split()])
    assert run.code == 0
    assert run.out == shown


def test_kap_example_is_real(cli: RunCli) -> None:
    shown = block_after("**KAP** (`-r kap`)", "text")
    run = cli("estimate", "-r", "kap", "--weeks", "6", "--sessions", "6")
    assert run.out.startswith(shown)


def test_package_pretax_and_ride_figures_are_real(cli: RunCli, tmp_path: Path) -> None:
    sheet = block_after("## Price-sheet format", "toml")
    (tmp_path / "clinic.toml").write_text(sheet)
    clinic = ["--prices", str(tmp_path / "clinic.toml"), "-r", "iv", "--package", "series"]
    package = json.loads(cli("estimate", *clinic, "--json").out)
    assert (package["total"]["low"], package["total"]["high"]) == ("3025.00", "4975.00")
    off = json.loads(cli("estimate", *clinic, "--discount", "10", "--json").out)
    assert (off["total"]["low"], off["total"]["high"]) == ("3025.00", "4780.00")
    assert "cost $3,025.00–4,975.00" in " ".join(README.split())
    assert "($3,025.00–4,780.00)" in " ".join(README.split())
    pretax = ["-r", "esketamine", "--weeks", "4", "--deductible", "1000", "--coinsurance", "20"]
    pretax += ["--oop-max", "3000", "--pretax", "hsa", "--tax-rate", "30", "--json"]
    data = json.loads(cli("estimate", *pretax).out)
    assert (data["out_of_pocket"]["low"], data["out_of_pocket"]["high"]) == ("2544.00", "3000.00")
    after = data["pre_tax"]["after_tax"]
    assert (after["low"], after["high"]) == ("1780.80", "2100.00")
    assert "after tax $1,780.80–2,100.00" in " ".join(README.split())
    ride = json.loads(cli("estimate", "-r", "esketamine", "--weeks", "4", "--ride", "30",
                          "--json").out)  # fmt: skip
    line = next(i for i in ride["line_items"] if i["label"].startswith("Ride"))
    assert line["amount"]["high"] == "240.00"
