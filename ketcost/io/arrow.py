"""Parquet and Arrow tables for batch runs (the `arrow` extra): records in from a table with the
CSV input's columns, headline figures out as a table with money as decimal128(12, 2), written
in row groups as the records come."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from typing import Any

import pyarrow as pa
from pyarrow import csv

from ketcost.errors import InputError
from ketcost.io.records import CSV_COLUMNS, Outcome, cells_record, headline_csv

MONEY = pa.decimal128(12, 2)
SCHEMA = pa.schema(
    [
        ("line", pa.int64()),
        ("id", pa.string()),
        ("route", pa.string()),
        ("protocol", pa.string()),
        ("currency", pa.string()),
        ("sessions_low", pa.int32()),
        ("sessions_high", pa.int32()),
        ("total_low", MONEY),
        ("total_high", MONEY),
        ("insurer_pays_low", MONEY),
        ("insurer_pays_high", MONEY),
        ("out_of_pocket_low", MONEY),
        ("out_of_pocket_high", MONEY),
        ("error", pa.string()),
    ]
)
TABLE_ROWS = 65_536  # rows of an input table made into records at a time
ROW_GROUP_BYTES = 2 * 1024 * 1024  # headline CSV a Parquet row group is made of (about 14,000 rows)


def table_records(table: pa.Table) -> Iterator[dict[str, Any]]:
    """Each row of `table` as a record, as the CSV input reads its cells; an unknown column is
    an InputError before anything is priced."""
    unknown = [name for name in table.column_names if name not in CSV_COLUMNS]
    if unknown:
        raise InputError(
            f"the table has unknown column {unknown[0][:40]!r}; columns are the CSV input's: "
            f"{', '.join(sorted(CSV_COLUMNS))}"
        )
    for batch in table.to_batches(TABLE_ROWS):
        for row in batch.to_pylist():
            yield cells_record((name, _cell(value)) for name, value in row.items())


def _cell(value: Any) -> str:
    """A typed cell as the text a CSV cell would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(_cell(v) for v in value)
    return str(value)


def csv_table(data: bytes) -> pa.Table:
    """Headline rows written by `records.headline_csv`, read into SCHEMA's types by Arrow's CSV
    reader: no pyarrow where they are priced, and no row of Python objects held here."""
    if not data:  # Arrow reads no empty file
        return SCHEMA.empty_table()
    return csv.read_csv(
        io.BytesIO(data),
        read_options=csv.ReadOptions(column_names=SCHEMA.names, use_threads=False),
        parse_options=csv.ParseOptions(newlines_in_values=True),
        convert_options=csv.ConvertOptions(
            column_types=SCHEMA, strings_can_be_null=True, quoted_strings_can_be_null=False
        ),
    )


def headline_table(outcomes: Iterable[Outcome]) -> pa.Table:
    """The headline table of `outcomes`."""
    return csv_table(headline_csv(outcomes))


def parquet_records(stream: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, record) for every row of a Parquet file, read a row group at a time."""
    import pyarrow.parquet as pq

    try:
        source = pq.ParquetFile(stream)
    except (pa.ArrowException, OSError):
        raise InputError("the input is not a Parquet file (or not one that can be read)") from None
    number = 0
    for group in range(source.num_row_groups):
        for record in table_records(source.read_row_group(group)):
            number += 1
            yield number, record


class ParquetOutput:
    """Writes the chunks' headline rows to a Parquet file, a row group per ROW_GROUP_BYTES of
    them: memory stays flat however many records there are.

    A chunk comes as its `records.headline_csv` bytes, so the worker that priced it needs no
    pyarrow; they are held as bytes and read into Arrow's columns once per row group."""

    def __init__(self, binary: Any) -> None:
        import pyarrow.parquet as pq

        self.writer = pq.ParquetWriter(binary, SCHEMA)
        self.held: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> None:
        self.held.append(data)
        self.size += len(data)
        if self.size >= ROW_GROUP_BYTES:
            self._flush()

    def _flush(self) -> None:
        if self.held:
            self.writer.write_table(csv_table(b"".join(self.held)))
        self.held, self.size = [], 0

    def close(self) -> None:
        self._flush()
        self.writer.close()
