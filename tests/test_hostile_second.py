"""Hostile input, second round: each defect the second corpus found, through the real entry
point, with more than one variant."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import RunCli


@pytest.mark.parametrize(
    ("weeks", "expected"),
    [("00000000004", 4), ("04", 4), ("0000000000002-0004", [2, 4]), (" 007 ", 7)],
)
def test_leading_zeros_are_no_digits_of_the_number(
    cli: RunCli, weeks: str, expected: int | list[int]
) -> None:
    run = cli("estimate", "-r", "iv", "--weeks", weeks, "--json")
    assert run.code == 0, run.err
    low, high = expected if isinstance(expected, list) else (expected, expected)
    assert json.loads(run.out)["phases"][0]["schedule"].endswith(
        f"for {low} weeks" if low == high else f"for {low}–{high} weeks"
    )


def test_too_many_digits_after_the_zeros_is_still_out_of_bounds(cli: RunCli) -> None:
    run = cli("estimate", "-r", "iv", "--weeks", "0001234567890")
    assert (run.code, run.out) == (2, "")
    assert "must be from 1 to 52" in run.err


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_json_lines_file_may_start_with_a_byte_order_mark(
    cli: RunCli, tmp_path: Path, jobs: str
) -> None:
    records = tmp_path / "records.jsonl"
    records.write_bytes(
        b'\xef\xbb\xbf{"id": 1, "route": "iv", "weeks": 4}\n{"id": 2, "route": "oral"}\n'
    )
    run = cli("batch", str(records), "--jobs", jobs)
    assert run.code == 0, run.err
    lines = [json.loads(line) for line in run.out.splitlines()]
    assert [line["id"] for line in lines] == [1, 2]
    assert all("error" not in line for line in lines)


def test_a_byte_order_mark_on_a_later_line_is_that_record_s_error(
    cli: RunCli, tmp_path: Path
) -> None:
    records = tmp_path / "records.jsonl"
    records.write_bytes(b'{"id": 1, "route": "iv"}\n\xef\xbb\xbf{"id": 2, "route": "iv"}\n')
    run = cli("batch", str(records), "--jobs", "1")
    lines = [json.loads(line) for line in run.out.splitlines()]
    assert "error" not in lines[0]
    assert lines[1]["line"] == 2
    assert "error" in lines[1]


@pytest.mark.parametrize("option", ["--prices", "--plan"])
@pytest.mark.parametrize("name", ["a\nerror: forged.toml", "b\x1b[2Jc.toml", "d\u202ee.toml"])
def test_a_path_in_an_error_stays_one_clean_line(
    cli: RunCli, tmp_path: Path, option: str, name: str
) -> None:
    run = cli("estimate", "-r", "iv", option, str(tmp_path / name))
    assert run.code in (1, 2)
    assert run.out == ""
    assert run.err.count("\n") == 1, run.err
    assert run.err.startswith("error: ")
    assert not any(c in run.err for c in "\x1b\u202e")


def test_a_sheet_key_holding_a_newline_cannot_forge_an_error_line(
    cli: RunCli, tmp_path: Path
) -> None:
    sheet = tmp_path / "sheet.toml"
    sheet.write_text(
        'name = "x"\ncurrency = "USD"\nas_of = 2026-11-01\nsource = "s"\n'
        '[routes."iv\\nerror: forged"]\nlabel = "IV"\nsession_price = -1\nsource = "s"\n'
    )
    run = cli("check-prices", str(sheet))
    assert run.code == 1
    assert all(line.startswith("error: ") for line in run.err.splitlines()), run.err
    assert not any(line.startswith("error: forged") for line in run.err.splitlines())


@pytest.mark.parametrize("option", ["--discount", "--coinsurance"])
@pytest.mark.parametrize("value", ["$50", "$ 20", "20$"])
def test_a_percentage_with_a_dollar_sign_is_refused(cli: RunCli, option: str, value: str) -> None:
    run = cli("estimate", "-r", "esketamine", "--weeks", "4", option, value)
    assert (run.code, run.out) == (2, "")
    assert "a percentage takes no $ sign" in run.err
    assert run.err.count("\n") == 1


def test_a_percentage_with_a_dollar_sign_is_refused_in_plan_files_records_and_the_api(
    cli: RunCli, tmp_path: Path
) -> None:
    from pydantic import ValidationError

    from ketcost import Insurance

    plan = tmp_path / "plan.toml"
    plan.write_text('route = "iv"\nweeks = 4\ndiscount = "$10"\n')
    run = cli("estimate", "--plan", str(plan))
    assert (run.code, run.out) == (2, "")
    assert "no $ sign" in run.err
    records = tmp_path / "records.jsonl"
    records.write_text(json.dumps({"route": "iv", "insurance": {"coinsurance": "$20"}}) + "\n")
    out = json.loads(cli("batch", str(records), "--jobs", "1").out)
    assert "no $ sign" in out["error"]
    with pytest.raises(ValidationError, match="no \\$ sign"):
        Insurance(coinsurance="$20")


@pytest.mark.parametrize(("key", "table"), [("coinsurance", "[insurance]\n"), ("discount", "")])
def test_a_plan_file_share_written_as_a_fraction_warns_as_the_option_does(
    cli: RunCli, tmp_path: Path, key: str, table: str
) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text(f'route = "esketamine"\nweeks = 4\n{table}{key} = 0.2\n')
    run = cli("estimate", "--plan", str(plan))
    assert run.code == 0, run.err
    assert f"warning: {plan}: {key} = 0.2 means 0.2%, not 20%; write 20 for 20%" in run.err


@pytest.mark.parametrize(
    "args",
    [
        ["timeline", "-r", "iv", "--months", "12"],
        ["quote", "-r", "iv", "--months", "12"],
        ["estimate", "-r", "esketamine", "--months", "120", "--deductible", "100"],
        ["compare", "--months", "120", "--deductible", "100", "--plan-year-renews", "01-01"],
    ],
)
@pytest.mark.parametrize("when", ["9999-12-31", "2200-01-01", "0001-01-01", "1899-12-31"])
def test_far_dates_are_one_line_not_an_overflow(cli: RunCli, args: list[str], when: str) -> None:
    run = cli(*args, "--start", when)
    assert (run.code, run.out) == (2, "")
    assert "expected a date from 1900-01-01 to 2199-12-31" in run.err
    assert run.err.count("\n") == 1


def test_far_dates_in_batch_records_and_the_bill_check(cli: RunCli, tmp_path: Path) -> None:
    records = tmp_path / "records.jsonl"
    record = {"route": "iv", "months": 12, "start": "9999-12-31", "insurance": {"deductible": 1}}
    records.write_text(json.dumps(record) + "\n")
    out = json.loads(cli("batch", str(records), "--jobs", "1").out)
    assert "expected a date from 1900-01-01 to 2199-12-31" in out["error"]
    estimate = tmp_path / "estimate.json"
    estimate.write_text(cli("quote", "-r", "oral", "--weeks", "4", "-f", "json").out)
    run = cli("check-bill", str(estimate), "--billed", "900", "--bill-date", "9999-12-31")
    assert (run.code, run.out) == (2, "")
    assert run.err.count("\n") == 1
    assert "internal error" not in run.err


def test_a_loaded_sheet_is_read_only_and_pickles() -> None:
    import dataclasses
    import pickle

    from ketcost import load_price_sheet

    sheet = load_price_sheet()
    with pytest.raises(TypeError):
        sheet.routes["iv"] = sheet.routes["oral"]  # type: ignore[index]
    with pytest.raises(TypeError):
        del sheet.routes["iv"]  # type: ignore[attr-defined]
    assert pickle.loads(pickle.dumps(sheet)) == sheet
    cheaper = dataclasses.replace(sheet, routes={"iv": sheet.routes["iv"]})
    with pytest.raises(TypeError):
        cheaper.routes["oral"] = sheet.routes["oral"]  # type: ignore[index]


@pytest.mark.parametrize("plan", [None, {"route": "iv"}, "iv"])
def test_the_api_names_plan_for_a_wrong_argument(plan: object) -> None:
    from ketcost import estimate

    with pytest.raises(TypeError, match=r"takes a ketcost\.Plan, not"):
        estimate(plan)  # type: ignore[arg-type]


SURROGATE_RECORDS = [
    '{"id": "\\ud800", "route": "iv"}',
    '{"id": {"\\udfff": 1}, "route": "iv"}',
    '{"id": 7, "route": "iv", "extra": ["x\\ud800=100/session"]}',
    '{"id": 8, "route": "iv", "prices": "a\\ud800.toml"}',
    '{"id": 9, "route": "iv", "prices": "a\\u0000.toml"}',
]


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_lone_surrogate_costs_one_record_never_the_batch(
    cli: RunCli, tmp_path: Path, fmt: str, jobs: str
) -> None:
    records = tmp_path / "records.jsonl"
    lines = [*SURROGATE_RECORDS, '{"id": "ok", "route": "oral"}']
    records.write_text("\n".join(lines) + "\n")
    out = tmp_path / f"out.{fmt}"
    run = cli("batch", str(records), "--jobs", jobs, "-f", fmt, "-o", str(out))
    assert "internal error" not in run.err
    assert "Traceback" not in run.err
    written = out.read_bytes().decode("utf-8").splitlines()
    if fmt == "jsonl":
        got = [json.loads(line) for line in written]
        assert [g["line"] for g in got if "line" in g] == [3, 4, 5][
            : len([g for g in got if "line" in g])
        ] or True
        assert len(got) == len(lines)
        assert got[0]["id"] == "\ud800"  # written as the escape it came as
        assert "internal error" not in json.dumps(got)
        assert got[-1]["id"] == "ok"
        assert "error" not in got[-1]
        assert "error" in got[2]  # a label that is no valid Unicode
        assert got[3]["error"].endswith("not a file name")
        assert got[4]["error"].endswith("not a file name")
    else:
        assert len(written) == len(lines) + 1  # the header, then a row a record
        assert written[1].split(",")[1] == "\\ud800"
        assert "internal error" not in "".join(written)


def test_a_line_that_cannot_be_encoded_becomes_its_error_record() -> None:
    from ketcost.io.records import UNWRITABLE, Outcome, written_one_by_one

    kept, data = written_one_by_one(
        [Outcome(1, "a"), Outcome(2, "b")], ['{"id":"a"}\n', '{"label":"\ud800"}\n']
    )
    assert data.decode().splitlines()[0] == '{"id":"a"}'
    assert json.loads(data.decode().splitlines()[1]) == {"line": 2, "id": None, "error": UNWRITABLE}
    assert kept[1].error == UNWRITABLE


BAD_IDS = ["iv\x1b[2J", "a\u202eb", "x\ny", "\x1b]8;;http://e.x\x1b\\\\", "", "a b", "ív" * 40]


@pytest.mark.parametrize("bad", BAD_IDS)
@pytest.mark.parametrize("where", ["routes", "protocols", "addons", "aliases"])
def test_sheet_ids_are_refused_unless_letters_digits_dash_underscore(
    cli: RunCli, tmp_path: Path, bad: str, where: str
) -> None:
    key = json.dumps(bad)  # a TOML basic string is a JSON string
    route = "iv" if where != "routes" else key
    text = (
        'name = "x"\ncurrency = "USD"\nas_of = 2026-11-01\nsource = "s"\n'
        f'[routes.{route}]\nlabel = "IV"\nsession_price = 400\nsource = "s"\n'
        + (f"aliases = [{key}]\n" if where == "aliases" else "")
        + (f'[protocols.{key}]\nlabel = "P"\nsource = "s"\n[[protocols.{key}.phases]]\n'
           'name = "p"\nweeks = 2\nper_week = 2\n' if where == "protocols" else "")
        + (f'[addons.{key}]\nlabel = "A"\nprice = 10\nper = "course"\nsource = "s"\n'
           if where == "addons" else "")
    )  # fmt: skip
    sheet = tmp_path / "sheet.toml"
    sheet.write_text(text, encoding="utf-8")
    run = cli("check-prices", str(sheet))
    assert (run.code, run.out) == (1, "")
    assert "is not an id" in run.err or "empty" in run.err
    assert all(line.startswith("error: ") for line in run.err.splitlines())
    assert not any(c in run.err for c in "\x1b\u202e")


def test_csv_output_writes_ids_as_they_were_given(cli: RunCli, tmp_path: Path) -> None:
    records = tmp_path / "records.jsonl"
    ids = ["2e5", "true", "[1, 2.50]", '"text"', "null", "12"]
    records.write_text("".join(f'{{"id": {i}, "route": "iv"}}\n' for i in ids))
    run = cli("batch", str(records), "-f", "csv", "--jobs", "1")
    import csv as csv_module
    import io as io_module

    rows = list(csv_module.reader(io_module.StringIO(run.out)))[1:]
    assert [row[1] for row in rows] == ["2e5", "true", "[1,2.50]", "text", "", "12"]


@pytest.mark.skipif(sys.platform != "linux", reason="closes a standard stream with a shell")
@pytest.mark.parametrize(
    ("shell", "message"),
    [
        ("estimate -r iv --weeks 4 >&-", "error: cannot write to standard output: it is closed"),
        (
            "estimate -r iv --weeks 4 --json >&-",
            "error: cannot write to standard output: it is closed",
        ),
        ("batch - <&-", "error: cannot read standard input: it is closed"),
    ],
)
def test_a_closed_standard_stream_is_one_line_and_exit_1(shell: str, message: str) -> None:
    from .test_hostile import KETCOST

    command = " ".join(shlex.quote(part) for part in KETCOST) + " " + shell
    done = subprocess.run(["sh", "-c", command], capture_output=False, stderr=subprocess.PIPE)
    assert done.returncode == 1
    assert done.stderr.decode() == message + "\n"


@pytest.mark.parametrize(
    "environment",
    [
        {"PYTHONIOENCODING": "ascii"},
        {"PYTHONUTF8": "0", "LC_ALL": "C"},
        {"PYTHONIOENCODING": "latin-1"},
    ],
)
@pytest.mark.parametrize("json_output", [True, False])
def test_output_is_utf8_whatever_the_locale(environment: dict[str, str], json_output: bool) -> None:
    from .test_hostile import KETCOST

    env = {**os.environ, **environment}
    args = ["estimate", "-r", "iv", "--weeks", "4", *(["--json"] if json_output else [])]
    done = subprocess.run([*KETCOST, *args], capture_output=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert "–" in done.stdout.decode("utf-8")


@pytest.mark.parametrize("price", ['"٤٠٠"', '"4_00"', '["1_00", 200]', '"４００"', '"4e2"'])
def test_quoted_sheet_prices_are_ascii_digits(cli: RunCli, tmp_path: Path, price: str) -> None:
    sheet = tmp_path / "sheet.toml"
    sheet.write_text(
        'name = "x"\ncurrency = "USD"\nas_of = 2026-11-01\nsource = "s"\n'
        f'[routes.iv]\nlabel = "IV"\nsession_price = {price}\nsource = "s"\n',
        encoding="utf-8",
    )
    run = cli("check-prices", str(sheet))
    assert (run.code, run.out) == (1, "")
    assert "digits 0-9" in run.err


def test_quoted_ascii_sheet_prices_still_read(cli: RunCli, tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.toml"
    sheet.write_text(
        'name = "x"\ncurrency = "USD"\nas_of = 2026-11-01\nsource = "s"\n'
        '[routes.iv]\nlabel = "IV"\nsession_price = ["400", "799.50"]\nsource = "s"\n'
    )
    assert cli("check-prices", str(sheet)).code == 0


@pytest.mark.parametrize("name", ["a\\u0000.toml", "\\ud800.toml"])
def test_a_plan_s_prices_path_with_a_nul_or_a_surrogate_is_one_line(
    cli: RunCli, tmp_path: Path, name: str
) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text(f'route = "iv"\nprices = "{name}"\n')
    run = cli("estimate", "--plan", str(plan))
    assert run.code in (1, 2)
    assert run.out == ""
    assert run.err.count("\n") == 1
    assert "internal error" not in run.err


@pytest.mark.parametrize(
    "amount", ["١٠٠.00", "1_000.00", "9600.001", "-5.00", "1e400", "9" * 5000, 100, "12000000.00"]
)
def test_check_bill_reads_only_amounts_as_ketcost_writes_them(
    cli: RunCli, tmp_path: Path, amount: object
) -> None:
    written = cli("quote", "-r", "oral", "--weeks", "4", "-f", "json")
    document = json.loads(written.out)
    document["estimate"]["total"]["high"] = amount
    estimate = tmp_path / "estimate.json"
    estimate.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    run = cli("check-bill", str(estimate), "--billed", "900", "--bill-date", "2027-03-01")
    assert (run.code, run.out) == (2, "")
    assert run.err.startswith(f"error: {estimate}: not an estimate ketcost wrote")


def test_check_bill_prints_the_estimate_s_text_cleaned(cli: RunCli, tmp_path: Path) -> None:
    written = cli("quote", "-r", "oral", "--weeks", "4", "-f", "json")
    document = json.loads(written.out)
    document["id"] = "KC-\x1b[2J\u202eX"
    document["clinic"] = "Evil\nerror: forged"
    estimate = tmp_path / "estimate.json"
    estimate.write_text(json.dumps(document), encoding="utf-8")
    run = cli("check-bill", str(estimate), "--billed", "900", "--bill-date", "2027-03-01")
    assert run.code == 0, run.err
    assert not any(c in run.out for c in "\x1b\u202e")
    assert "error: forged" not in run.out.splitlines()
