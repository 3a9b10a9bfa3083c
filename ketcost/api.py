"""The public batch API: price many records in order, each to its estimate or its error, as
`ketcost batch` does; and, with the `arrow` extra, a table of records to a table of headline
figures. No I/O beyond reading a record's own `prices` file."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ketcost.domain.sheet import PriceSheet
from ketcost.io.batch import Pricer
from ketcost.io.records import BadRecord, Outcome

if TYPE_CHECKING:
    import pyarrow

Sheet = PriceSheet | str | os.PathLike[str] | None


def price_records(records: Iterable[Mapping[str, Any]], sheet: Sheet = None) -> Iterator[Outcome]:
    """One `Outcome` per record, in order: its estimate (`result`) or the error a record gets in
    `ketcost batch` (`error`); a bad record never raises. A record has the plan file's keys (or
    the CSV input's columns) and an optional `id`, echoed; `line` counts records from 1. With
    `sheet` None the shipped sheet; a record's own `prices` is a path relative to the current
    folder."""
    pricer = _pricer(sheet)
    for line, record in enumerate(records, 1):
        if isinstance(record, Mapping):
            yield pricer.outcome(line, dict(record))
        else:
            given = type(record).__name__
            yield pricer.outcome(line, BadRecord(f"expected a mapping of plan keys, got {given}"))


def price_table(table: pyarrow.Table, sheet: Sheet = None) -> pyarrow.Table:
    """A table of records (the CSV input's columns) priced into the headline table of
    `ketcost batch -f parquet` (`ketcost.io.arrow.SCHEMA`), one row per record, in order."""
    from ketcost.io.arrow import headline_table, table_records

    return headline_table(price_records(table_records(table), sheet))


def _pricer(sheet: Sheet) -> Pricer:
    if isinstance(sheet, PriceSheet):
        return Pricer(None, sheet=sheet)
    return Pricer(None if sheet is None else os.fspath(sheet))
