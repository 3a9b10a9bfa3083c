"""Batch pricing: records in (JSON Lines or CSV), one output record per input record, in order.

Each record is a plan with the plan file's keys, plus an optional `id` that is echoed. A record
that fails becomes an error record `{"line": N, "id": ..., "error": "..."}` in its place. The work
streams: records are read, priced and written in bounded chunks, so memory does not grow with the
input. Chunks are priced in worker processes when there is more than one chunk and more than one
CPU; the output order is the input order either way.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from pydantic import ValidationError

from ketcost.errors import FileProblemsError, KetcostError
from ketcost.models import Estimate, PriceSheet
from ketcost.planfile import key_problem, plan_from_mapping
from ketcost.pricing import estimate
from ketcost.render.json import estimate_payload
from ketcost.sheets import load_price_sheet

RecordFormat = Literal["jsonl", "csv"]
CHUNK = 1000  # records per unit of work
CACHE_SIZE = 512  # priced scenarios kept per process, so repeated scenarios are priced once
INSURANCE_COLUMNS = ("covered", "deductible", "coinsurance", "copay", "oop_max")
LIST_COLUMNS = ("with", "extra")
CSV_HEADER = (
    "line", "id", "route", "protocol", "currency", "sessions_low", "sessions_high",
    "total_low", "total_high", "insurer_pays_low", "insurer_pays_high",
    "out_of_pocket_low", "out_of_pocket_high", "error",
)  # fmt: skip


@dataclass(frozen=True)
class Outcome:
    """One record's result: the estimate as compact JSON, or an error message."""

    line: int
    id: Any
    payload: str | None = None  # the estimate object as JSON text
    error: str | None = None


class RecordError(Exception):
    """A record that cannot be priced; the message becomes its error record."""


# --- reading -----------------------------------------------------------------------------------


def jsonl_records(lines: Iterable[str]) -> Iterator[tuple[int, Any]]:
    """(line number, raw text) for every non-blank line; parsing happens with the pricing."""
    for number, line in enumerate(lines, start=1):
        if line.strip():
            yield number, line


def csv_records(lines: Iterable[str]) -> Iterator[tuple[int, Any]]:
    """(line number, record) for every non-empty CSV row: empty cells are left out, `with` and
    `extra` split on `;`, insurance columns gathered into `insurance`."""
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        return
    names = [name.strip() for name in header]
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        yield reader.line_num, _csv_record(names, row)


@dataclass(frozen=True)
class BadRecord:
    """A record that could not even be read, e.g. a CSV row with too many cells."""

    message: str


def _csv_record(names: list[str], row: list[str]) -> dict[str, Any] | BadRecord:
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
    """Prices records against a default sheet, caching sheets and repeated scenarios."""

    def __init__(self, prices: str | None) -> None:
        self.default = prices
        self.sheets: dict[str | None, PriceSheet] = {}
        self.cache: OrderedDict[str, str] = OrderedDict()

    def sheet(self, path: str | None) -> PriceSheet:
        if path not in self.sheets:
            self.sheets[path] = load_price_sheet(path)
        return self.sheets[path]

    def outcome(self, line: int, raw: Any) -> Outcome:
        """The outcome of one record: raw JSON text, or a CSV record (or its problem)."""
        record_id = None
        try:
            data = _record(raw)
            record_id = data.pop("id", None)
            key = json.dumps(data, sort_keys=True, default=str)
            payload = self.cache.get(key)
            if payload is None:
                payload = json.dumps(
                    estimate_payload(self.price(data)), ensure_ascii=False, separators=(",", ":")
                )
                self.cache[key] = payload
                if len(self.cache) > CACHE_SIZE:
                    self.cache.popitem(last=False)
            return Outcome(line, record_id, payload=payload)
        except (RecordError, KetcostError) as error:
            return Outcome(line, record_id, error=_message(error))

    def price(self, data: dict[str, Any]) -> Estimate:
        try:
            plan, prices = plan_from_mapping(data)
        except ValidationError as error:
            raise RecordError(key_problem(error.errors()[0])) from None
        return estimate(plan, self.sheet(prices or self.default))


def _record(raw: str | dict[str, Any] | BadRecord) -> dict[str, Any]:
    if isinstance(raw, BadRecord):
        raise RecordError(raw.message)
    if isinstance(raw, dict):
        return dict(raw)
    try:
        data = json.loads(raw, parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise RecordError(f"not JSON: {error.msg} at column {error.colno}") from None
    if not isinstance(data, dict):
        raise RecordError(f"expected a JSON object, got {type(data).__name__}")
    return data


def _message(error: Exception) -> str:
    if isinstance(error, FileProblemsError):
        return "; ".join(error.problems)
    return str(error)


@dataclass(frozen=True)
class Done:
    """A priced chunk: its output text and how many records it held and how many failed."""

    text: str
    records: int
    failed: int


def price_chunk(pricer: Pricer, chunk: list[tuple[int, Any]], output_format: RecordFormat) -> Done:
    """A chunk's output text, formatted where it was priced, so that only text travels back."""
    outcomes = [pricer.outcome(line, raw) for line, raw in chunk]
    failed = sum(1 for o in outcomes if o.error is not None)
    if output_format == "jsonl":
        return Done("".join(jsonl_line(o) for o in outcomes), len(outcomes), failed)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(csv_row(o) for o in outcomes)
    return Done(buffer.getvalue(), len(outcomes), failed)


_WORKER: Pricer | None = None


def _start_worker(prices: str | None) -> None:
    global _WORKER  # one Pricer per worker process, kept between chunks
    _WORKER = Pricer(prices)


def _worker_chunk(chunk: list[tuple[int, Any]], output_format: RecordFormat) -> Done:
    assert _WORKER is not None
    return price_chunk(_WORKER, chunk, output_format)


def _chunks(records: Iterator[tuple[int, Any]], size: int) -> Iterator[list[tuple[int, Any]]]:
    chunk: list[tuple[int, Any]] = []
    for record in records:
        chunk.append(record)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def priced_chunks(
    records: Iterator[tuple[int, Any]], prices: str | None, jobs: int, output_format: RecordFormat
) -> Iterator[Done]:
    """Every chunk's output, in input order. The first chunk is priced here; later ones in
    `jobs` worker processes (when jobs > 1), with at most 2 x jobs chunks in flight."""
    chunks = _chunks(records, CHUNK)
    local = Pricer(prices)
    first = next(chunks, None)
    if first is None:
        return
    yield price_chunk(local, first, output_format)
    if jobs <= 1:
        for chunk in chunks:
            yield price_chunk(local, chunk, output_format)
        return
    import gc
    import multiprocessing

    # Objects that exist now are never collected in the workers: freezing them keeps the garbage
    # collector from touching (and so copying) the pages the forked workers share with us.
    gc.freeze()
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    with ProcessPoolExecutor(
        jobs, mp_context=context, initializer=_start_worker, initargs=(prices,)
    ) as pool:
        pending: deque[Future[Done]] = deque()
        for chunk in chunks:
            pending.append(pool.submit(_worker_chunk, chunk, output_format))
            if len(pending) >= 2 * jobs:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


# --- writing -----------------------------------------------------------------------------------


def jsonl_line(outcome: Outcome) -> str:
    """The output line for one outcome: the estimate (with `id` first when given) or an error."""
    if outcome.error is not None:
        error = {"line": outcome.line, "id": outcome.id, "error": outcome.error}
        return json.dumps(error, ensure_ascii=False, default=str, separators=(",", ":")) + "\n"
    assert outcome.payload is not None
    if outcome.id is None:
        return outcome.payload + "\n"
    return '{"id":' + json.dumps(outcome.id, default=str) + "," + outcome.payload[1:] + "\n"


def csv_row(outcome: Outcome) -> list[str]:
    """The headline figures of one outcome as a CSV row (see CSV_HEADER)."""
    record_id = "" if outcome.id is None else str(outcome.id)
    if outcome.error is not None:
        return [str(outcome.line), record_id, *[""] * 11, outcome.error]
    assert outcome.payload is not None
    data = json.loads(outcome.payload)
    insurer = (data["insurance"] or {}).get("insurer_pays") or {"low": "", "high": ""}
    return [
        str(outcome.line), record_id, data["route"], data["protocol"], data["currency"],
        str(data["sessions"]["low"]), str(data["sessions"]["high"]),
        data["total"]["low"], data["total"]["high"], insurer["low"], insurer["high"],
        data["out_of_pocket"]["low"], data["out_of_pocket"]["high"], "",
    ]  # fmt: skip


@dataclass
class Tally:
    """How a run went."""

    records: int = 0
    failed: int = 0


def run(
    lines: Iterable[str],
    write: Callable[[str], object],
    *,
    input_format: RecordFormat,
    output_format: RecordFormat,
    prices: str | None,
    jobs: int,
    progress: Callable[[int], None] | None = None,
) -> Tally:
    """Price every record read from `lines`, writing each chunk's results with `write`."""
    records = jsonl_records(lines) if input_format == "jsonl" else csv_records(lines)
    tally = Tally()
    if output_format == "csv":
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(CSV_HEADER)
        write(buffer.getvalue())
    for done in priced_chunks(records, prices, jobs, output_format):
        write(done.text)
        tally.records += done.records
        tally.failed += done.failed
        if progress is not None:
            progress(tally.records)
    return tally
