"""The public batch API: price many records in order, each to its estimate or its error; and,
with the `arrow` extra, a table of records to a table of headline figures. `ketcost batch` prices
its records with the same `Pricer` (and adds the streaming, the worker processes and the output
formats). No I/O beyond reading the price sheets records name."""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ketcost.domain.plan import today
from ketcost.domain.result import Estimate
from ketcost.domain.sheet import PriceSheet
from ketcost.engine import estimate
from ketcost.errors import KetcostError, SheetError
from ketcost.io.files import ReadProblem, read_text
from ketcost.io.planfile import key_problem, plan_from_mapping
from ketcost.io.records import BadRecord, Outcome, Raw, RecordError, parse_record
from ketcost.io.sheets import load_price_sheet

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

    pricer = _pricer(sheet, notes=False)  # the table shows no assumption line or warning
    with collector_paused():
        outcomes = pricer.outcomes(enumerate(table_records(table), 1))
    return headline_table(outcomes)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while many records are priced (a table here, a batch
    in one process in `io.batch`): pricing makes many short-lived objects and no cycles, and
    the collector, left on, walks the growing caches over and over (measured: a quarter of a
    25,000-row table's time). Back on after, unless it was off before."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _pricer(sheet: Sheet, notes: bool = True) -> Pricer:
    if isinstance(sheet, PriceSheet):
        return Pricer(None, sheet=sheet, notes=notes)
    return Pricer(None if sheet is None else os.fspath(sheet), notes=notes)


class Pricer:
    """What every record is priced with, by `price_records` and by `ketcost batch` alike: a
    default sheet, and the sheets records name, each read once.

    A record's own `prices` is read only as a relative path inside `base` (the input file's
    folder, or --prices-dir), only as a regular file under the size limit; its problems are
    reported without quoting the file.
    """

    def __init__(
        self,
        prices: str | None,
        base: str = ".",
        sheet: PriceSheet | None = None,
        notes: bool = True,
    ) -> None:
        self.default = prices
        # Every record of one run that gives no start starts on the same day, even a run that
        # passes midnight (and today's date is read once, not once a record).
        self.today = today()
        self.notes = notes  # False: estimates without their assumption lines and warnings
        self.base = Path(base).resolve()
        self.sheets: dict[str | None, PriceSheet | str] = {} if sheet is None else {None: sheet}

    def sheet(self, path: str | None) -> PriceSheet:
        if path not in self.sheets:
            self.sheets[path] = self._load(path)
        found = self.sheets[path]
        if isinstance(found, str):
            raise RecordError(found)
        return found

    def _load(self, path: str | None) -> PriceSheet | str:
        if path is None:
            return load_price_sheet(self.default)
        where = f"prices: {path[:80]!r}"
        try:
            if Path(path).is_absolute():
                return f"{where}: a record's price sheet is a path relative to {self.base}"
            target = (self.base / path).resolve()
            if not target.is_relative_to(self.base):
                return f"{where}: a record's price sheet must be inside {self.base}"
            text = read_text(target)
        except ReadProblem as problem:
            return f"{where}: {problem}"
        except (ValueError, UnicodeError):  # a NUL, or text that is no file name (a surrogate)
            return f"{where}: not a file name"
        from ketcost.io.sheetfile import parse_price_sheet  # here: most runs read no sheet file

        try:
            return parse_price_sheet(text, path)
        except SheetError as error:
            count = len(error.problems)
            return (
                f"{where}: not a valid price sheet ({count} problem{'s' if count > 1 else ''}; "
                "see `ketcost check-prices`)"
            )

    def outcomes(self, numbered: Iterable[tuple[int, Raw]]) -> list[Outcome]:
        """The outcomes of (line, record) pairs, in order."""
        return [self.outcome(line, raw) for line, raw in numbered]

    def outcome(self, line: int, raw: Raw) -> Outcome:
        """The outcome of one record, whatever it holds: an estimate or an error record."""
        record_id = None
        try:
            data = parse_record(raw)
            record_id = data.pop("id", None)
            return Outcome(line, record_id, result=self.price(data))
        except (RecordError, KetcostError) as error:
            return Outcome(line, record_id, error=_message(error))
        except RecursionError:
            return Outcome(line, record_id, error="the record is nested too deeply")
        except Exception as error:  # a bug must cost one record, not the run
            return Outcome(line, record_id, error=f"internal error: {type(error).__name__}")

    def price(self, data: dict[str, Any]) -> Estimate:
        try:
            plan, prices = plan_from_mapping(data, self.today)
        except ValidationError as error:
            raise RecordError(key_problem(error.errors()[0])) from None
        return estimate(plan, self.sheet(prices), notes=self.notes)


def _message(error: Exception) -> str:
    if isinstance(error, SheetError):
        return "; ".join(error.problems)
    return str(error)
