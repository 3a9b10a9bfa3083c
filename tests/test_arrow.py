"""The public batch API and Parquet in and out of `ketcost batch` (the `arrow` extra)."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

import ketcost
from ketcost.io.arrow import SCHEMA, csv_table
from ketcost.io.records import Outcome, headline_csv

from .conftest import RunCli

RECORDS: list[dict[str, Any]] = [
    {"id": "a", "route": "iv", "weeks": 4, "with": ["consultation"]},
    {"id": "b", "route": "esketamine", "insurance": {"deductible": 1000, "coinsurance": 20}},
    {"id": "c", "route": "nasal"},
    {"id": 7, "route": "oral", "weeks": "2-3", "discount": 10},
]
CSV_INPUT = """id,route,weeks,deductible,coinsurance,with,covered
a,iv,4,,,consultation,
b,esketamine,,1000,20,,
c,nasal,,,,,
d,oral,2-3,500,10,consultation;integration,true
"""


def test_price_records_gives_one_outcome_per_record_in_order() -> None:
    outcomes = list(ketcost.price_records([*RECORDS, 3]))  # type: ignore[list-item]
    assert [o.line for o in outcomes] == [1, 2, 3, 4, 5]
    assert [o.id for o in outcomes] == ["a", "b", "c", 7, None]
    assert outcomes[0].result is not None
    assert outcomes[0].result.total.high == Decimal("10050.00")
    assert outcomes[2].error is not None
    assert outcomes[2].error.startswith("unknown route 'nasal'")
    assert outcomes[4].error == "expected a mapping of plan keys, got int"
    # the same estimate as ketcost.estimate gives for the plan
    alone = ketcost.estimate(ketcost.Plan(route="iv", weeks=4, **{"with": ["consultation"]}))
    assert outcomes[0].result == alone


def test_price_records_takes_a_sheet(tmp_path: Path) -> None:
    sheet = ketcost.load_price_sheet()
    [outcome] = ketcost.price_records([{"route": "iv", "weeks": 4}], sheet)
    assert outcome.result is not None
    assert outcome.result.price_sheet.name == sheet.name


def batch_csv(cli: RunCli, path: Path, *more: str) -> list[dict[str, str]]:
    out = path.parent / (path.name + "-out.csv")
    run = cli("batch", str(path), "-f", "csv", "-o", str(out), *more)
    assert run.code in (0, 4), run.err
    return list(csv.DictReader(io.StringIO(out.read_text())))


def test_parquet_output_has_the_csv_output_s_rows(cli: RunCli, tmp_path: Path) -> None:
    records = tmp_path / "records.jsonl"
    records.write_text("".join(json.dumps(r) + "\n" for r in RECORDS))
    out = tmp_path / "out.parquet"
    run = cli("batch", str(records), "-o", str(out))  # the format from the name
    assert run.code == 4  # one record failed
    table = pq.read_table(out)
    assert table.schema == SCHEMA
    assert table.schema.field("total_low").type == pa.decimal128(12, 2)
    rows = table.to_pylist()
    assert rows[0]["total_high"] == Decimal("10050.00")
    assert rows[3]["id"] == "7"  # an id as written, as text
    expected = batch_csv(cli, records)
    for row, want in zip(rows, expected, strict=True):
        assert {k: "" if v is None else str(v) for k, v in row.items()} == want


def test_parquet_input_reads_the_csv_input_s_columns(cli: RunCli, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(CSV_INPUT)
    typed = pa.table(
        {
            "id": ["a", "b", "c", "d"],
            "route": ["iv", "esketamine", "nasal", "oral"],
            "weeks": ["4", None, None, "2-3"],
            "deductible": [None, 1000, None, 500],
            "coinsurance": [None, 20.0, None, 10.0],
            "with": ["consultation", None, None, "consultation;integration"],
            "covered": [None, None, None, True],
        }
    )
    pq.write_table(typed, tmp_path / "in.parquet")
    from_csv = batch_csv(cli, source)
    from_parquet = batch_csv(cli, tmp_path / "in.parquet")
    # the same figures; `line` is the CSV file's line (its header is line 1) or the table's row
    for a, b in zip(from_csv, from_parquet, strict=True):
        assert int(a.pop("line")) == int(b.pop("line")) + 1
        assert a == b
    assert (
        ketcost.price_table(typed).to_pylist()
        == pq.read_table(_parquet_of(cli, tmp_path / "in.parquet")).to_pylist()
    )


def _parquet_of(cli: RunCli, path: Path) -> Path:
    out = path.parent / (path.name + "-out.parquet")
    assert cli("batch", str(path), "-o", str(out)).code in (0, 4)
    return out


def test_parquet_problems_are_one_line(cli: RunCli, tmp_path: Path) -> None:
    records = tmp_path / "r.jsonl"
    records.write_text('{"route": "iv"}\n')
    to_stdout = cli("batch", str(records), "-f", "parquet")
    assert (to_stdout.code, to_stdout.out) == (2, "")
    assert to_stdout.err == "error: -f parquet writes a file: give -o FILE.parquet\n"
    not_parquet = cli("batch", str(records), "--input-format", "parquet")
    assert not_parquet.code == 2
    assert "not a Parquet file" in not_parquet.err
    pq.write_table(pa.table({"colour": ["red"]}), tmp_path / "odd.parquet")
    odd = cli("batch", str(tmp_path / "odd.parquet"), "-o", str(tmp_path / "o.parquet"))
    assert odd.code == 2
    assert "unknown column 'colour'" in odd.err
    assert not (tmp_path / "o.parquet").exists()  # nothing half-written


def test_without_pyarrow_parquet_names_the_extra(
    cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importlib.util.find_spec

    def without_pyarrow(name: str, *args: Any) -> Any:
        return None if name == "pyarrow" else real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", without_pyarrow)
    records = tmp_path / "r.jsonl"
    records.write_text('{"route": "iv"}\n')
    run = cli("batch", str(records), "-o", str(tmp_path / "out.parquet"))
    assert (run.code, run.out) == (2, "")
    assert run.err == (
        'error: Parquet needs the arrow extra: pip install "ketcost[arrow]" (pyarrow is not '
        "installed)\n"
    )


def test_parquet_ids_are_written_as_the_csv_output_writes_them(cli: RunCli, tmp_path: Path) -> None:
    # An id that is no text is its JSON, as in CSV: `true`, not Python's `True`.
    records = tmp_path / "ids.jsonl"
    lines = ['{"id": true, "route": "iv"}', '{"id": 2.5, "route": "iv"}', '{"route": "iv"}']
    records.write_text("\n".join(lines) + '\n{"id": "", "route": "iv"}\n')
    out = tmp_path / "ids.parquet"
    assert cli("batch", str(records), "-o", str(out)).code == 0
    assert pq.read_table(out).column("id").to_pylist() == ["true", "2.5", None, ""]
    assert [row["id"] for row in batch_csv(cli, records)] == ["true", "2.5", "", ""]


text = st.text(st.characters(codec="utf-8"), max_size=12)  # no lone surrogates


@given(st.lists(st.tuples(st.integers(1, 10**9), st.none() | text, text), max_size=20))
def test_headline_csv_reads_back_as_it_was_written(rows: list[tuple[int, str | None, str]]) -> None:
    # A worker sends its chunk's Parquet rows as CSV: None and "" stay apart, and quotes,
    # commas and line breaks in text come back as they were.
    outcomes = [Outcome(line, record_id, error=error) for line, record_id, error in rows]
    table = csv_table(headline_csv(outcomes))
    assert table.schema == SCHEMA
    got = [(r["line"], r["id"], r["error"]) for r in table.to_pylist()]
    assert got == [(o.line, o.id, o.error) for o in outcomes]


def test_price_table_leaves_the_garbage_collector_as_it_found_it() -> None:
    import gc

    table = pa.table({"route": ["iv", "nasal"]})
    assert gc.isenabled()
    assert ketcost.price_table(table).column("error").null_count == 1
    assert gc.isenabled()
    gc.disable()
    try:
        ketcost.price_table(table)
        assert not gc.isenabled()
    finally:
        gc.enable()
