"""`ketcost batch`: order, error records, stdin, CSV both ways, workers, and API = CLI."""

from __future__ import annotations

import dataclasses
import gzip
import io
import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from ketcost import Plan, estimate, load_price_sheet
from ketcost.api import Pricer
from ketcost.io.batch import run as run_batch
from ketcost.io.records import CSV_HEADER
from ketcost.render.json import estimate_payload

from .conftest import RunCli

RECORDS = [
    '{"id": "a", "route": "iv", "weeks": 4}',
    "",
    '{"route": "nasal"}',
    "not json",
    "[1, 2]",
    '{"id": 9, "route": "esketamine", "weeks": "2-4", "with": ["consultation"],'
    ' "medication": "included",'
    ' "insurance": {"deductible": 1000, "coinsurance": 20, "oop_max": 3000}}',
    '{"route": "iv", "colour": 1}',
    '{"route": 5}',
    '{"route": "oral", "weeks": [2, 4], "discount": 10, "installments": 3}',
    "   ",
]


def jsonl(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


@pytest.fixture
def records(tmp_path: Path) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(RECORDS) + "\n")
    return path


def test_one_output_record_per_input_record_in_order(cli: RunCli, records: Path) -> None:
    run = cli("batch", str(records))
    assert run.code == 4  # some records failed
    out = jsonl(run.out)
    assert len(out) == 8  # blank lines are skipped
    assert out[0]["id"] == "a"
    assert out[0]["total"] == {"low": "3200.00", "high": "9600.00"}
    assert out[1] == {
        "line": 3,
        "id": None,
        "error": "unknown route 'nasal' (did you mean 'intranasal'?); routes: iv, infusion, "
        "esketamine, intranasal, "
        "spravato, oral, sublingual, kap",
    }
    assert out[2]["line"] == 4
    assert out[2]["error"].startswith("not JSON")
    assert out[3] == {"line": 5, "id": None, "error": "expected a JSON object, got list"}
    assert out[4]["id"] == 9
    # low: 4 sessions, two use the $1,000 deductible, two at 20% ($200), plus the $150 evaluation
    assert out[4]["out_of_pocket"] == {"low": "1230.00", "high": "2330.00"}
    assert out[5]["error"] == "colour: unknown key (check the spelling)"
    assert out[6]["error"].startswith("route: ")
    assert out[7]["installments"]["count"] == 3
    assert run.err == "batch: 8 records, 3 estimated, 5 failed\n"


def test_output_is_the_estimate_contract(cli: RunCli, records: Path) -> None:
    """Each record is what `estimate --json` prints for the same inputs, plus the id."""
    out = jsonl(cli("batch", str(records)).out)
    direct = json.loads(
        cli(
            "estimate", "-r", "esketamine", "--weeks", "2-4", "--with", "consultation",
            "--deductible", "1000", "--coinsurance", "20", "--oop-max", "3000", "--json",
            "--medication", "included",
        ).out
    )  # fmt: skip
    assert {k: v for k, v in out[4].items() if k != "id"} == direct


def test_api_equals_cli(cli: RunCli) -> None:
    result = estimate(Plan(route="iv", weeks=4), load_price_sheet())
    assert estimate_payload(result) == json.loads(
        cli("estimate", "--route", "iv", "--weeks", "4", "--json").out
    )


def test_a_clean_run_says_only_the_summary(cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "ok.jsonl"
    path.write_text('{"route": "iv"}\n{"route": "oral", "weeks": 2}\n')
    run = cli("batch", str(path))
    assert (run.code, run.err) == (0, "batch: 2 records, 2 estimated, 0 failed\n")


def test_stdin_through_the_real_entry_point(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ketcost", "batch", "-"],
        input='{"id": 1, "route": "iv", "weeks": 4}\n\n{"id": 2, "route": "oral"}\n',
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert [r["id"] for r in jsonl(done.stdout)] == [1, 2]
    assert done.stderr == "batch: 2 records, 2 estimated, 0 failed\n"  # no progress bar: not a tty


def test_csv_in_and_out(cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        "id,route,weeks,deductible,coinsurance,oop_max,with,extra\n"
        "x,esketamine,4,1000,20,3000,,\n"
        "\n"
        'y,oral,2-4,,,,consultation;integration,"therapy=100/session"\n'
        "z,iv,99,,,,,\n"
    )
    run = cli("batch", str(path), "--format", "csv")
    assert run.code == 4
    rows = run.out.splitlines()
    assert rows[0] == ",".join(CSV_HEADER)
    # the worked example 4: the visits and the medication, $1,000 deductible, 20%, cap
    assert rows[1] == (
        "2,x,esketamine,spravato-label,USD,8,8,8720.00,13985.00,6176.00,10985.00,2544.00,3000.00,"
    )
    assert rows[2].startswith("4,y,oral,standard,USD,4,12,")
    assert rows[3] == "5,z,,,,,,,,,,,,weeks: must be from 1 to 52"


def test_csv_in_jsonl_out_matches_jsonl_in(cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text(
        "route,weeks,with,covered,deductible\niv,3,consultation,true,500\n"
    )
    (tmp_path / "a.jsonl").write_text(
        '{"route": "iv", "weeks": 3, "with": ["consultation"],'
        ' "insurance": {"covered": true, "deductible": 500}}\n'
    )
    assert cli("batch", str(tmp_path / "a.csv")).out == cli("batch", str(tmp_path / "a.jsonl")).out


def test_input_format_option_and_unknown_extension(cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "records.txt"
    path.write_text('{"route": "iv"}\n')
    assert cli("batch", str(path)).code == 2
    assert cli("batch", str(path), "--input-format", "jsonl").code == 0


def test_output_file_is_written_whole(cli: RunCli, records: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    run = cli("batch", str(records), "-o", str(out))
    assert run.out == ""
    assert len(out.read_text().splitlines()) == 8
    again = cli("batch", str(records), "-o", str(out))
    assert again.code == 1
    assert "already exists" in again.err


def test_bad_default_sheet_is_one_error(cli: RunCli, records: Path, tmp_path: Path) -> None:
    run = cli("batch", str(records), "--prices", str(tmp_path / "none.toml"))
    assert (run.code, run.out) == (1, "")
    assert run.err == f"error: {tmp_path / 'none.toml'}: no such file\n"


def test_a_run_starts_its_records_on_one_day(
    cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Insured records without a start date start on the run's day, read once (a clock that
    moves a day each time it is read still gives one date): a bad KETCOST_TODAY is one error
    before anything is written, not an error record each."""
    records = tmp_path / "in.jsonl"
    records.write_text('{"route": "iv", "insurance": {"deductible": 500}}\n' * 3)
    days = iter(date(2027, 3, 1) + timedelta(days=n) for n in range(100))
    with monkeypatch.context() as clock:
        for where in ("ketcost.api.today", "ketcost.domain.plan.today"):
            clock.setattr(where, lambda: next(days))
        run = cli("batch", str(records))
    starts = {json.loads(line)["start"] for line in run.out.splitlines()}
    assert starts == {"2027-03-01"}
    monkeypatch.setenv("KETCOST_TODAY", "soon")
    out = tmp_path / "out.jsonl"
    bad = cli("batch", str(records), "-o", str(out))
    assert (bad.code, bad.out, out.exists()) == (2, "", False)
    assert bad.err.startswith("error: KETCOST_TODAY='soon': expected a date")


def test_workers_give_the_same_output_as_one_process() -> None:
    """Chunks priced here and in two or three worker processes keep the input order exactly."""
    lines = [
        json.dumps(
            {"id": i, "route": ["iv", "oral", "esketamine", "nasal"][i % 4], "weeks": 1 + i % 5}
        )
        + "\n"
        for i in range(4500)
    ]
    outputs = []
    for jobs in (1, 2, 3):
        out = io.BytesIO()
        tally = run_batch(
            io.BytesIO("".join(lines).encode()), out.write, input_format="jsonl",
            output_format="jsonl", prices=None, jobs=jobs,
        )  # fmt: skip
        assert (tally.records, tally.failed) == (4500, 1125)
        outputs.append(out.getvalue().decode())
    assert outputs[0] == outputs[1] == outputs[2]
    assert [json.loads(line)["id"] for line in outputs[1].splitlines()] == list(range(4500))


def test_en_dashes_come_back_and_a_nul_in_an_id_stays_escaped() -> None:
    """The writer holds en dashes as NULs while it works; the bytes written have the en dashes
    back, and a NUL, an en dash or a C1 control a record's id holds comes back as it was sent."""
    lines = [
        json.dumps({"id": "a\u0000b", "route": "esketamine"}),  # the label schedule: "weeks 1–4"
        json.dumps({"id": "2–4\u0085", "route": "iv", "weeks": "2-4"}, ensure_ascii=False),
        json.dumps({"id": "\u0000", "route": "nasal"}),
    ]
    out = io.BytesIO()
    run_batch(
        io.BytesIO(("\n".join(lines) + "\n").encode()), out.write, input_format="jsonl",
        output_format="jsonl", prices=None, jobs=1,
    )  # fmt: skip
    written = out.getvalue()
    assert b"\x00" not in written
    assert "–".encode() in written
    assert b'"id":"a\\u0000b"' in written
    assert '"id":"2–4\\u0085"'.encode() in written  # the C1 control escaped, the dash kept
    records = [json.loads(line) for line in written.decode().splitlines()]
    assert [r["id"] for r in records] == ["a\u0000b", "2–4\u0085", "\u0000"]
    sheet = load_price_sheet(None)
    expected = estimate_payload(estimate(Plan(route="esketamine"), sheet))
    assert {k: v for k, v in records[0].items() if k != "id"} == expected
    assert "–" in json.dumps(expected, ensure_ascii=False)
    assert records[2]["error"].startswith("unknown route 'nasal'")


def test_an_estimate_without_its_notes_has_the_same_figures() -> None:
    # CSV and Parquet rows and price_table are priced without the assumption lines and
    # warnings (they show none): nothing else may change, whatever the plan.
    golden = Path(__file__).parent / "golden" / "batch-input.jsonl.gz"
    raw = gzip.decompress(golden.read_bytes()).splitlines()
    numbered = list(enumerate(raw[:1000], 1))
    full, lean = Pricer(None).outcomes(numbered), Pricer(None, notes=False).outcomes(numbered)
    assert sum(o.result is not None and bool(o.result.warnings) for o in full) > 10
    for with_notes, without in zip(full, lean, strict=True):
        if with_notes.result is None:
            assert without == with_notes
            continue
        assert without.result is not None
        assert without.result.assumptions == ()
        assert without.result.warnings == ()
        bare = dataclasses.replace(with_notes.result, assumptions=(), warnings=())
        assert without.result == bare
