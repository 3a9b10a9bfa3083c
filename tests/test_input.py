"""Input people actually type: percentages, near misses, conflicting or repeated options, keys in
the wrong place, help that shows examples, and output where people look for it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import COMMANDS, RunCli


def test_percent_signs_are_accepted(cli: RunCli) -> None:
    with_sign = cli("estimate", "-r", "esketamine", "--coinsurance", "20%", "--discount", "10%")
    plain = cli("estimate", "-r", "esketamine", "--coinsurance", "20", "--discount", "10")
    assert with_sign.code == 0, with_sign.err
    assert with_sign.out == plain.out


def test_a_share_written_as_a_fraction_gets_a_warning(cli: RunCli) -> None:
    run = cli("estimate", "-r", "esketamine", "--coinsurance", "0.2")
    assert run.code == 0
    assert run.err == "warning: --coinsurance 0.2 means 0.2%, not 20%; write 20 for 20%\n"


def test_percentage_errors_give_percentage_examples(cli: RunCli) -> None:
    run = cli("estimate", "-r", "iv", "--coinsurance", "abc")
    assert run.err == (
        "error: invalid value 'abc' for --coinsurance: expected a percentage from 0 to 100, "
        "e.g. 20 or 20%\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-r", "ivv"], "unknown route 'ivv' (did you mean 'iv'?); routes: iv"),
        (["-r", "iv", "-p", "standrd"], "unknown protocol 'standrd' (did you mean 'standard'?)"),
        (["-r", "iv", "--with", "consultaton"], "unknown add-on 'consultaton' (did you mean"),
        ([], "give --route: which route to price (iv, infusion"),
        (["--maintenance", "montly", "-r", "iv"], "invalid value for '--maintenance'"),
    ],
)
def test_near_misses_are_named(cli: RunCli, args: list[str], message: str) -> None:
    run = cli("estimate", *args)
    assert (run.code, run.out) == (2, "")
    assert run.err.startswith(f"error: {message}")
    assert run.err.count("\n") == 1


def test_covered_alone_says_insurance_pays_everything(cli: RunCli) -> None:
    run = cli("estimate", "-r", "iv", "--covered", "--json")
    assert run.err.startswith("warning: --covered with no deductible, coinsurance or copay")
    assumptions = " ".join(json.loads(run.out)["assumptions"])
    assert "insurance pays every covered charge in full" in assumptions


def test_an_add_on_named_twice_is_billed_once(cli: RunCli) -> None:
    twice = json.loads(
        cli(
            "estimate", "-r", "iv", "--with", "consultation", "--with", "Consultation", "--json"
        ).out
    )
    assert [item["label"] for item in twice["line_items"]].count(
        "Initial medical and psychiatric evaluation"
    ) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--covered", "--not-covered"], "--covered and --not-covered conflict; give one of them"),
        (["--weeks", "3", "--weeks", "4"], "--weeks is given more than once; give it once"),
        (["--weeks=3", "--weeks", "4"], "--weeks is given more than once; give it once"),
        (["-r", "oral"], "-r is given more than once"),
    ],
)
def test_repeated_single_valued_options_are_usage_errors(
    cli: RunCli, args: list[str], message: str
) -> None:
    run = cli("estimate", "-r", "iv", *args)
    assert (run.code, run.out) == (2, "")
    assert run.err.startswith("error: ")
    assert message in run.err
    assert run.err.count("\n") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["schema"], "error: missing argument 'name'. Choose from: plan, estimate, timeline"),
        (["plan"], "error: give a command; see `ketcost plan --help`"),
        (["estimate", "--frob"], "error: no such option: --frob"),
    ],
)
def test_usage_errors_are_one_lower_case_line(cli: RunCli, args: list[str], message: str) -> None:
    run = cli(*args)
    assert (run.code, run.out) == (2, "")
    assert run.err.startswith(message)
    assert run.err.count("\n") == 1


def test_keys_in_the_wrong_place_say_where_they_belong(cli: RunCli, tmp_path: Path) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text('route = "iv"\ndeductible = 100\n[insurance]\nweeks = 4\n')
    run = cli("estimate", "--plan", str(plan))
    assert run.code == 2
    assert (
        f"error: {plan}: line 2: deductible: not a top-level key; it belongs under insurance "
        "([insurance] in a plan file)\n" in run.err
    )
    assert "insurance.weeks: not a key of insurance; it belongs at the top level" in run.err


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_every_help_shows_an_example_and_plain_placeholders(cli: RunCli, command: str) -> None:
    run = cli(*command.split(), "--help")
    assert run.code == 0
    assert "Example" in run.out
    for odd in ("{FILE}", "{NAME}", "[[FILE|-]]", "<int range>", "INTEGER RANGE"):
        assert odd not in run.out


def test_help_lists_the_schedule_before_files_and_formats(cli: RunCli) -> None:
    help_text = cli("estimate", "--help").out
    out = help_text[help_text.index("Options:") :]
    order = [out.index(flag) for flag in ("--route", "--protocol", "--weeks", "--months",
                                          "--plan ", "--format")]  # fmt: skip
    assert order == sorted(order)


def test_completion_names_routes_from_the_sheet() -> None:
    from ketcost.cli.options import complete_addons, complete_protocols, complete_routes

    assert complete_routes("es") == ["esketamine"]
    assert complete_protocols("spr") == ["spravato-label"]
    assert complete_addons("") == ["consultation", "integration", "preparation"]


def test_a_quote_without_output_goes_to_stdout(cli: RunCli) -> None:
    run = cli("quote", "-r", "iv", "--weeks", "4")
    assert run.code == 0
    assert run.out.startswith("# Estimated cost of ketamine treatment")


def test_saved_plans_keep_arrays_on_one_line_and_say_where(cli: RunCli, tmp_path: Path) -> None:
    saved = tmp_path / "p.toml"
    run = cli("estimate", "-r", "iv", "--weeks", "2-4", "--with", "consultation",
              "--save-plan", str(saved))  # fmt: skip
    assert run.err == f"wrote the plan to {saved}\n"
    text = saved.read_text()
    assert "weeks = [2, 4]\n" in text
    assert 'with = ["consultation"]\n' in text


def test_compare_refuses_sheets_in_different_currencies(cli: RunCli, tmp_path: Path) -> None:
    sheet = (Path(__file__).parent.parent / "data" / "price_ranges.toml").read_text()
    yen = tmp_path / "yen.toml"
    yen.write_text(sheet.replace('currency = "USD"', 'currency = "JPY"'))
    run = cli("compare", "-r", "iv", "--prices", str(yen), "--prices", "data/price_ranges.toml")
    assert (run.code, run.out) == (2, "")
    assert run.err == (
        "error: the price sheets are in different currencies (JPY, USD); compare sheets in one "
        "currency\n"
    )


def test_sheet_text_is_inert_in_every_format(cli: RunCli, tmp_path: Path) -> None:
    sheet = (Path(__file__).parent.parent / "data" / "price_ranges.toml").read_text()
    evil = tmp_path / "evil.toml"
    evil.write_text(
        sheet.replace(
            'label = "IV infusion"', 'label = "IV \\u001b]52;c;aGk=\\u0007[x](javascript:1)"'
        )
    )
    for args in (["routes"], ["estimate", "-r", "iv", "-f", "markdown"], ["estimate", "-r", "iv"]):
        run = cli(*args, "--prices", str(evil))
        assert run.code == 0, run.err
        assert "\x1b" not in run.out
        assert "\x07" not in run.out
    markdown = cli("estimate", "-r", "iv", "-f", "markdown", "--prices", str(evil)).out
    assert "[x](javascript" not in markdown
    assert "\\[x\\](javascript:1)" in markdown


def test_markdown_quotes_neutralise_what_clients_type(cli: RunCli) -> None:
    run = cli("quote", "-r", "iv", "--client", "[x](javascript:alert(1))",
              "--clinic", "A\r\r## You pay: $0.00")  # fmt: skip
    assert "[x](javascript" not in run.out
    assert "\n## You pay: $0.00" not in run.out


def test_csv_cells_never_start_a_formula(cli: RunCli, tmp_path: Path) -> None:
    records = tmp_path / "in.jsonl"
    records.write_text('{"id": "=HYPERLINK(1)", "route": "iv"}\n{"id": "-5", "route": "iv"}\n')
    rows = cli("batch", str(records), "-f", "csv").out.splitlines()
    assert rows[1].startswith("1,'=HYPERLINK(1),iv,")
    assert rows[2].startswith("2,-5,iv,")  # a number stays a number
    extra = cli("estimate", "-r", "iv", "--extra", "@cmd=10/course", "-f", "csv").out
    assert "\n'@cmd," in extra
