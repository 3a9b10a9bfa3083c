"""Parquet and Arrow tables for batch runs (the `arrow` extra): records in from a table with the
CSV input's columns, headline figures out as a table with money as decimal128(12, 2), written
in row groups as the records come."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import pyarrow as pa

from ketcost.errors import InputError
from ketcost.io.records import CSV_COLUMNS, Outcome, cells_record

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
ROW_GROUP = 65_536  # rows a row group holds: memory stays flat however many records there are


def table_records(table: pa.Table) -> Iterator[dict[str, Any]]:
    """Each row of `table` as a record, as the CSV input reads its cells; an unknown column is
    an InputError before anything is priced."""
    unknown = [name for name in table.column_names if name not in CSV_COLUMNS]
    if unknown:
        raise InputError(
            f"the table has unknown column {unknown[0][:40]!r}; columns are the CSV input's: "
            f"{', '.join(sorted(CSV_COLUMNS))}"
        )
    for batch in table.to_batches(ROW_GROUP):
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


def _id(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def rows(outcomes: Iterable[Outcome]) -> Iterator[dict[str, Any]]:
    """One headline row per outcome (see SCHEMA)."""
    for outcome in outcomes:
        row: dict[str, Any] = dict.fromkeys(SCHEMA.names)
        row["line"], row["id"] = outcome.line, _id(outcome.id)
        result = outcome.result
        if result is None:
            row["error"] = outcome.error
            yield row
            continue
        row.update(
            route=result.route,
            protocol=result.protocol,
            currency=result.currency,
            sessions_low=result.sessions.low,
            sessions_high=result.sessions.high,
            total_low=result.total.low,
            total_high=result.total.high,
            out_of_pocket_low=result.out_of_pocket.low,
            out_of_pocket_high=result.out_of_pocket.high,
        )
        if result.insurance is not None:
            pays = result.insurance.insurer_pays
            row["insurer_pays_low"], row["insurer_pays_high"] = pays.low, pays.high
        yield row


def batches(outcomes: Iterable[Outcome]) -> Iterator[pa.RecordBatch]:
    """The headline rows in record batches of at most ROW_GROUP rows."""
    chunk: list[dict[str, Any]] = []
    for row in rows(outcomes):
        chunk.append(row)
        if len(chunk) == ROW_GROUP:
            yield pa.RecordBatch.from_pylist(chunk, schema=SCHEMA)
            chunk = []
    if chunk:
        yield pa.RecordBatch.from_pylist(chunk, schema=SCHEMA)


def headline_table(outcomes: Iterable[Outcome]) -> pa.Table:
    """The headline table of `outcomes`."""
    return pa.Table.from_batches(list(batches(outcomes)), schema=SCHEMA)


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


def ipc_bytes(outcomes: Iterable[Outcome]) -> bytes:
    """A chunk's headline rows as an Arrow IPC stream: what a worker sends back."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, SCHEMA) as writer:
        for batch in batches(outcomes):
            writer.write_batch(batch)
    return bytes(sink.getvalue())


class ParquetOutput:
    """Writes the chunks' IPC bytes to a Parquet file in row groups of ROW_GROUP rows."""

    def __init__(self, binary: Any) -> None:
        import pyarrow.parquet as pq

        self.writer = pq.ParquetWriter(binary, SCHEMA)
        self.held: list[pa.RecordBatch] = []
        self.rows = 0

    def write(self, data: bytes) -> None:
        for batch in pa.ipc.open_stream(data):
            self.held.append(batch)
            self.rows += batch.num_rows
        if self.rows >= ROW_GROUP:
            self._flush()

    def _flush(self) -> None:
        if self.held:
            self.writer.write_table(pa.Table.from_batches(self.held, schema=SCHEMA))
        self.held, self.rows = [], 0

    def close(self) -> None:
        self._flush()
        self.writer.close()
