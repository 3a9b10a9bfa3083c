"""Batch pricing: records in (JSON Lines or CSV), one output record per input record, in order.

Each record is a plan with the plan file's keys, plus an optional `id` that is echoed exactly as
given. A record that fails, for whatever reason, becomes an error record
`{"line": N, "id": ..., "error": "..."}` in its place; the run goes on. A record is one line of
at most 1 MiB; input is read as bytes, so a line that is not UTF-8 is one error record too.

The work streams: records are read, priced and written in chunks bounded in records and in bytes,
so memory does not grow with the input. With more than one job, chunks are priced in worker
processes started before anything is priced; the output order is the input order either way.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any, BinaryIO, Literal

import orjson
from pydantic import ValidationError

from ketcost.domain.plan import Insurance, Plan
from ketcost.domain.result import Estimate
from ketcost.domain.sheet import PriceSheet
from ketcost.engine import estimate
from ketcost.errors import InputError, KetcostError, SheetError
from ketcost.io.files import ReadProblem, read_text
from ketcost.io.planfile import key_problem, plan_from_mapping
from ketcost.io.sheets import load_price_sheet
from ketcost.render.csv import safe_cell
from ketcost.render.json import encoded, escaped, estimate_held

RecordFormat = Literal["jsonl", "csv"]
CHUNK = 100  # records per unit of work at most (its output, about 3 KB a record, is held whole)
CHUNK_BYTES = 1024 * 1024  # input bytes per unit of work at most (IN_FLIGHT units a job)
IN_FLIGHT = 4  # units a worker is sent and not yet written, so it never waits for work
MAX_RECORD_BYTES = 1024 * 1024  # one record (one line); a longer line is an error record
INSURANCE_COLUMNS = tuple(Insurance.model_fields)
LIST_COLUMNS = ("with", "extra")
CSV_COLUMNS = frozenset(
    {"id", "prices", "budget", *INSURANCE_COLUMNS}
    | {field.alias or name for name, field in Plan.model_fields.items()}
) - {"insurance"}
CSV_HEADER = (
    "line", "id", "route", "protocol", "currency", "sessions_low", "sessions_high",
    "total_low", "total_high", "insurer_pays_low", "insurer_pays_high",
    "out_of_pocket_low", "out_of_pocket_high", "error",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Outcome:
    """One record's result: its estimate, or an error message."""

    line: int
    id: Any
    result: Estimate | None = None
    error: str | None = None


class RecordError(Exception):
    """A record that cannot be priced; the message becomes its error record."""


@dataclass(frozen=True)
class BadRecord:
    """A record that could not even be read: too long, or a CSV row that does not parse."""

    message: str


Raw = bytes | dict[str, Any] | BadRecord  # a JSON Lines line, a CSV record, or its problem


# --- reading -----------------------------------------------------------------------------------


def physical_lines(stream: BinaryIO) -> Iterator[tuple[int, bytes | BadRecord]]:
    """(line number, bytes) for every line; a line over MAX_RECORD_BYTES is skipped to its end
    and given as a BadRecord, so no line is ever held whole beyond the limit."""
    number = 0
    while True:
        line = stream.readline(MAX_RECORD_BYTES + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_RECORD_BYTES:
            while line and not line.endswith(b"\n"):
                line = stream.readline(64 * 1024)
            limit = MAX_RECORD_BYTES // 1024
            yield number, BadRecord(f"the record is longer than {limit:,} KiB")
            continue
        yield number, line


def _blank(line: bytes | BadRecord) -> bool:
    return isinstance(line, bytes) and not line.strip()


def jsonl_records(stream: BinaryIO) -> Iterator[tuple[int, Raw]]:
    """(line number, raw bytes) for every non-blank line; parsing happens with the pricing."""
    for number, line in physical_lines(stream):
        if not _blank(line):
            yield number, line


def _csv_cells(text: str) -> list[str]:
    """One CSV line's cells; a record never spans lines, so a stray quote spoils one record."""
    rows = list(csv.reader([text], strict=True))
    return rows[0] if rows else []


def csv_records(stream: BinaryIO) -> Iterator[tuple[int, Raw]]:
    """(line number, record) for every non-empty CSV row after the header: empty cells are left
    out, `with` and `extra` split on `;`, insurance columns gathered into `insurance`.

    The header is read and checked here, before any record is asked for: a missing header or an
    unknown column raises InputError once for the whole file, before anything is priced.
    """
    lines = (item for item in physical_lines(stream) if not _blank(item[1]))
    first = next(lines, None)
    if first is None:
        return iter(())
    names = csv_header(first[1])
    return ((number, _csv_line(names, line)) for number, line in lines)


def csv_header(line: bytes | BadRecord) -> list[str]:
    """The column names of a CSV header line, or InputError naming what is wrong."""
    if isinstance(line, BadRecord):
        raise InputError(f"the CSV header: {line.message}")
    try:
        names = [name.strip() for name in _csv_cells(line.decode("utf-8-sig"))]
    except (UnicodeDecodeError, csv.Error):
        raise InputError("the CSV header is not a line of UTF-8 column names") from None
    unknown = [name for name in names if name not in CSV_COLUMNS]
    if unknown:
        known = ", ".join(sorted(CSV_COLUMNS))
        raise InputError(
            f"the CSV header has unknown column {unknown[0][:40]!r}; the first line names the "
            f"columns, from: {known}"
        )
    if len(set(names)) < len(names):
        raise InputError("the CSV header names a column twice")
    return names


def _csv_line(names: list[str], line: bytes | BadRecord) -> dict[str, Any] | BadRecord:
    if isinstance(line, BadRecord):
        return line
    try:
        row = _csv_cells(line.decode("utf-8"))
    except UnicodeDecodeError:
        return BadRecord("the line is not UTF-8 text")
    except csv.Error as error:
        return BadRecord(f"the line is not valid CSV ({error})")
    if len(row) > len(names):
        return BadRecord(f"{len(row)} cells but only {len(names)} columns")
    record: dict[str, Any] = {}
    for name, cell in zip(names, row, strict=False):
        value = cell.strip()
        if not value:
            continue
        if name in LIST_COLUMNS:
            record[name] = [part.strip() for part in value.split(";") if part.strip()]
        elif name in INSURANCE_COLUMNS:
            record.setdefault("insurance", {})[name] = value
        else:
            record[name] = value
    return record


# --- pricing -----------------------------------------------------------------------------------


class Pricer:
    """Prices records against a default sheet, caching the sheets it reads.

    A record's own `prices` is read only as a relative path inside `base` (the input file's
    folder, or --prices-dir), only as a regular file under the size limit; its problems are
    reported without quoting the file.
    """

    def __init__(self, prices: str | None, base: str = ".") -> None:
        self.default = prices
        self.base = Path(base).resolve()
        self.sheets: dict[str | None, PriceSheet | str] = {}

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
        if Path(path).is_absolute():
            return f"{where}: a record's price sheet is a path relative to {self.base}"
        target = (self.base / path).resolve()
        if not target.is_relative_to(self.base):
            return f"{where}: a record's price sheet must be inside {self.base}"
        try:
            text = read_text(target)
        except ReadProblem as problem:
            return f"{where}: {problem}"
        from ketcost.io.sheetfile import parse_price_sheet  # here: most runs read no sheet file

        try:
            return parse_price_sheet(text, path)
        except SheetError as error:
            count = len(error.problems)
            return (
                f"{where}: not a valid price sheet ({count} problem{'s' if count > 1 else ''}; "
                "see `ketcost check-prices`)"
            )

    def outcome(self, line: int, raw: Raw) -> Outcome:
        """The outcome of one record, whatever it holds: an estimate or an error record."""
        record_id = None
        try:
            data = _record(raw)
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
            plan, prices = plan_from_mapping(data)
        except ValidationError as error:
            raise RecordError(key_problem(error.errors()[0])) from None
        return estimate(plan, self.sheet(prices))


class _Number(Decimal):
    """A JSON number with a fraction or exponent, exact, and remembering how it was written, so
    an id comes back exactly as given (`2e5` stays `2e5`)."""

    text: str

    def __new__(cls, text: str) -> _Number:
        number = super().__new__(cls, text)
        number.text = text
        return number


def _reject_constant(name: str) -> Any:
    raise RecordError(f"not JSON: {name} is not a JSON number")


def _record(raw: Raw) -> dict[str, Any]:
    if isinstance(raw, BadRecord):
        raise RecordError(raw.message)
    if isinstance(raw, dict):
        return dict(raw)
    data = _fast_record(raw)
    if data is None:
        data = _exact_record(raw)
    if not isinstance(data, dict):
        raise RecordError(f"expected a JSON object, got {type(data).__name__}")
    return data


def _fast_record(raw: bytes) -> Any:
    """The record parsed by orjson, when that is exact: None when orjson refuses it (the
    standard parser then gives its own message) or when any number in it has a fraction or an
    exponent (or does not fit 64 bits), which orjson reads as a float that could change a cent
    or an id; those records are read again by the standard parser, exactly."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    try:
        kind = type(data)
        if kind is float or ((kind is dict or kind is list) and _has_float(data)):
            return None
        return data
    except RecursionError:
        return None


def _has_float(value: Any) -> bool:
    """Whether a parsed JSON value holds a float anywhere (loops, not generators: this runs for
    every record)."""
    for item in value.values() if type(value) is dict else value:
        kind = type(item)
        if kind is float:
            return True
        if (kind is dict or kind is list) and _has_float(item):
            return True
    return False


def _exact_record(raw: bytes) -> Any:
    """The record parsed by the standard library: numbers with a fraction or an exponent read
    exactly (as `_Number`), NaN and Infinity refused."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RecordError("the line is not UTF-8 text") from None
    try:
        return json.loads(text, parse_float=_Number, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise RecordError(f"not JSON: {error.msg} at column {error.colno}") from None
    except ValueError:  # an integer beyond Python's digit limit
        raise RecordError("not JSON: a number with too many digits") from None


def _message(error: Exception) -> str:
    if isinstance(error, SheetError):
        return "; ".join(error.problems)
    return str(error)


@dataclass(frozen=True)
class Done:
    """A priced chunk: its output bytes and how many records it held and how many failed."""

    data: bytes
    records: int
    failed: int


def price_chunk(pricer: Pricer, chunk: list[tuple[int, Raw]], output_format: RecordFormat) -> Done:
    """A chunk's output, formatted and encoded where it was priced, so only bytes travel back."""
    outcomes = [pricer.outcome(line, raw) for line, raw in chunk]
    failed = sum(1 for o in outcomes if o.error is not None)
    if output_format == "jsonl":
        data = encoded("".join(jsonl_line(o) for o in outcomes))
    else:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(
            [safe_cell(cell) for cell in csv_row(o)] for o in outcomes
        )
        data = buffer.getvalue().encode("utf-8")
    return Done(data, len(outcomes), failed)


def _die_with_parent(parent: int) -> None:
    """A worker never outlives the main process: the kernel ends it when its parent dies, so a
    killed run leaves nothing behind and the reader downstream sees the end of the output."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process handles Ctrl-C
    if sys.platform == "linux":
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before prctl
        os._exit(1)


class _Job:
    """What a worker process prices with, set once by `_start_worker`."""

    pricer: Pricer
    output_format: RecordFormat


def _start_worker(pricer: Pricer, output_format: RecordFormat, parent: int) -> None:
    """A worker's start: tied to the main process, its pricer kept for every chunk it gets."""
    _die_with_parent(parent)
    _Job.pricer, _Job.output_format = pricer, output_format
    gc.disable()  # see `_set_aside`


def _price_in_worker(chunk: list[tuple[int, Raw]]) -> Done:
    done = price_chunk(_Job.pricer, chunk, _Job.output_format)
    _set_aside()
    return done


def _set_aside() -> None:
    """Between chunks: collect the chunk's reference cycles (rare: a caught exception's
    traceback), then set aside everything still alive (mostly the caches) where the collector
    does not walk it again. Pricing a record makes a hundred short-lived objects and no cycles,
    so with the collector running on its own thresholds it walked the growing caches over and
    over: about an eighth of a record's time."""
    gc.collect()
    gc.freeze()


WORKER_DIED = "batch: a worker process ended unexpectedly"


def _size(raw: Raw) -> int:
    return len(raw) if isinstance(raw, bytes) else 256


def _chunks(records: Iterator[tuple[int, Raw]]) -> Iterator[list[tuple[int, Raw]]]:
    chunk: list[tuple[int, Raw]] = []
    size = 0
    for record in records:
        chunk.append(record)
        size += _size(record[1])
        if len(chunk) == CHUNK or size >= CHUNK_BYTES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _context() -> Any:
    """fork on Linux (fast, and the workers share the parent's pages); elsewhere a fresh
    interpreter, since fork is unsafe there."""
    import multiprocessing

    if sys.platform == "linux":
        return multiprocessing.get_context("fork")
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def priced_chunks(
    records: Iterator[tuple[int, Raw]],
    pricer: Pricer,
    jobs: int,
    output_format: RecordFormat,
    started: Callable[[], None] = lambda: None,
) -> Iterator[Done]:
    """Every chunk's output, in input order: priced here with one job, else by `jobs` worker
    processes (`concurrent.futures.ProcessPoolExecutor`). `started` is called once pricing can
    begin: a thread (the progress display) may start only once no more processes will be forked.

    At most IN_FLIGHT chunks a worker are submitted and not yet written, so memory stays bounded
    however long the input; a worker that dies raises BrokenProcessPool, one error line."""
    chunks = _chunks(records)
    if jobs <= 1:
        started()
        gc.disable()
        try:
            for chunk in chunks:
                yield price_chunk(pricer, chunk, output_format)
                _set_aside()
        finally:
            gc.enable()
        return
    from concurrent.futures import Future, ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    # Objects that exist now are never collected in the workers: freezing them keeps the garbage
    # collector from touching (and so copying) the pages the forked workers share with us.
    gc.freeze()
    pool = ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=_context(),
        initializer=_start_worker,
        initargs=(pricer, output_format, os.getpid()),
    )
    window: deque[Future[Done]] = deque()
    try:
        first = next(chunks, None)
        if first is not None:
            window.append(pool.submit(_price_in_worker, first))
        started()  # the pool forks its workers as work comes, before this returns
        for chunk in chunks:
            window.append(pool.submit(_price_in_worker, chunk))
            while len(window) >= jobs * IN_FLIGHT:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()
    except BrokenProcessPool:
        raise KetcostError(WORKER_DIED) from None
    finally:
        for future in window:
            future.cancel()
        pool.shutdown(wait=not window, cancel_futures=True)


# --- writing -----------------------------------------------------------------------------------


def json_text(value: Any) -> str:
    """A parsed JSON value written back as it was given: numbers read as Decimal keep their
    digits (`1.50` stays `1.50`), unlike json.dumps, which cannot write a Decimal as a number."""
    if type(value) is str:
        return encode_basestring(value)  # what json.dumps(value, ensure_ascii=False) writes
    if isinstance(value, _Number):
        return value.text
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        pairs = value.items()
        items = (json.dumps(str(k), ensure_ascii=False) + ":" + json_text(v) for k, v in pairs)
        return "{" + ",".join(items) + "}"
    if isinstance(value, list):
        return "[" + ",".join(json_text(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def jsonl_line(outcome: Outcome) -> str:
    """The output line for one outcome: the estimate (with `id` first when given) or an error,
    with the estimate's en dashes held for `render.json.encoded`, which gives the line's bytes.
    Raw line separators and C1 controls are written as escapes (see `render.json.escaped`);
    the estimate's own text is escaped where it is written."""
    try:
        record_id = escaped(json_text(outcome.id))
    except (RecursionError, ValueError):
        record_id = "null"
        outcome = Outcome(outcome.line, None, error="the id cannot be written back as JSON")
    if outcome.error is not None:
        error = escaped(json.dumps(outcome.error, ensure_ascii=False))
        return f'{{"line":{outcome.line},"id":{record_id},"error":{error}}}\n'
    assert outcome.result is not None
    try:
        text = estimate_held(outcome.result, None if outcome.id is None else record_id)
    except Exception as error:  # a bug must cost one record, not the run
        return jsonl_line(
            Outcome(outcome.line, outcome.id, error=f"internal error: {type(error).__name__}")
        )
    return text + "\n"


def csv_row(outcome: Outcome) -> list[str]:
    """The headline figures of one outcome as a CSV row (see CSV_HEADER)."""
    record_id = "" if outcome.id is None else str(outcome.id)
    if outcome.error is not None:
        return [str(outcome.line), record_id, *[""] * 11, outcome.error]
    result = outcome.result
    assert result is not None
    insurer = ("", "")
    if result.insurance is not None:
        insurer = (str(result.insurance.insurer_pays.low), str(result.insurance.insurer_pays.high))
    return [
        str(outcome.line), record_id, result.route, result.protocol, result.currency,
        str(result.sessions.low), str(result.sessions.high),
        str(result.total.low), str(result.total.high), *insurer,
        str(result.out_of_pocket.low), str(result.out_of_pocket.high), "",
    ]  # fmt: skip


@dataclass
class Tally:
    """How a run went."""

    records: int = 0
    failed: int = 0


def run(
    stream: BinaryIO,
    write: Callable[[bytes], object],
    *,
    input_format: RecordFormat,
    output_format: RecordFormat,
    prices: str | None,
    jobs: int,
    base: str = ".",
    progress: Callable[[], Callable[[int], None]] | None = None,
) -> Tally:
    """Price every record read from `stream`, writing each chunk's results with `write`.

    `base` is the folder records' own `prices` paths are read from; `progress`, when given,
    makes a progress callback once the workers are started. A CSV file's header is checked
    before anything is written.
    """
    pricer = Pricer(prices, base)
    if prices is not None:
        pricer.sheet(None)  # a bad default sheet is one error up front, not one per record
    records = jsonl_records(stream) if input_format == "jsonl" else csv_records(stream)
    tally = Tally()
    if output_format == "csv":
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(CSV_HEADER)
        write(buffer.getvalue().encode())
    report: list[Callable[[int], None]] = []

    def started() -> None:
        if progress is not None:
            report.append(progress())

    for done in priced_chunks(records, pricer, jobs, output_format, started):
        write(done.data)
        tally.records += done.records
        tally.failed += done.failed
        for update in report:
            update(tally.records)
    return tally
