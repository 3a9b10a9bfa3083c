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
import os
import signal
import sys
import tempfile
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from ketcost.api import Pricer, collector_paused
from ketcost.errors import KetcostError
from ketcost.io.records import (
    CSV_HEADER,
    Raw,
    RecordFormat,
    csv_records,
    csv_row,
    headline_csv,
    jsonl_line,
    jsonl_records,
    written_one_by_one,
)
from ketcost.render.csv import safe_cell
from ketcost.render.json import encoded

CHUNK = 100  # records per unit of work at most (its output, about 3 KB a record, is held whole)
CHUNK_BYTES = 1024 * 1024  # input bytes per unit of work at most (IN_FLIGHT units a job)
IN_FLIGHT = 4  # units a worker is sent and not yet written, so it never waits for work


@dataclass(frozen=True)
class Done:
    """A priced chunk: its output bytes, how many records it held and how many failed, and the
    input line of its last record."""

    data: bytes
    records: int
    failed: int
    last_line: int


def price_chunk(pricer: Pricer, chunk: list[tuple[int, Raw]], output_format: RecordFormat) -> Done:
    """A chunk's output, formatted and encoded where it was priced, so only bytes travel back."""
    outcomes = pricer.outcomes(chunk)
    if output_format == "parquet":  # the headline rows, for `io.arrow.ParquetOutput`
        data = headline_csv(outcomes)
    elif output_format == "jsonl":
        lines = [jsonl_line(o) for o in outcomes]
        try:
            data = encoded("".join(lines))
        except UnicodeEncodeError:  # a record's text is no valid Unicode: that record alone
            outcomes, data = written_one_by_one(outcomes, lines)
    else:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(
            [safe_cell(cell) for cell in csv_row(o)] for o in outcomes
        )
        # A lone surrogate in a CSV cell is written as the escape it came as (`\ud800`).
        data = buffer.getvalue().encode("utf-8", "backslashreplace")
    failed = sum(1 for o in outcomes if o.error is not None)
    return Done(data, len(outcomes), failed, chunk[-1][0] if chunk else 0)


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
    folder: Path  # where each chunk's output is written (see `_price_in_worker`)


def _start_worker(pricer: Pricer, output_format: RecordFormat, folder: Path, parent: int) -> None:
    """A worker's start: tied to the main process, its pricer kept for every chunk it gets."""
    _die_with_parent(parent)
    _Job.pricer, _Job.output_format, _Job.folder = pricer, output_format, folder
    gc.disable()  # see `_set_aside`


@dataclass(frozen=True)
class Spilled:
    """What a worker sends back for a chunk: the chunk's number and counts."""

    number: int
    records: int
    failed: int
    last_line: int


def _chunk_file(folder: Path, number: int) -> Path:
    return folder / f"chunk-{number}"


def _price_in_worker(number: int, chunk: list[tuple[int, Raw]]) -> Spilled:
    """Price a chunk, write its output to its file and send back only a few bytes.

    The output goes through a file because of how a worker can die. A worker killed while it
    sends a large result leaves half a message in the pool's result pipe: the pool then waits
    for the rest forever, and the other workers wait for the pipe's lock, so the run hangs
    instead of reporting the dead worker. A message shorter than the pipe's atomic write size
    (4 KiB on Linux) is written whole or not at all; the pool's reply holding a `Spilled` is
    under 200 bytes.
    """
    done = price_chunk(_Job.pricer, chunk, _Job.output_format)
    _chunk_file(_Job.folder, number).write_bytes(done.data)
    _set_aside()
    return Spilled(number, done.records, done.failed, done.last_line)


def _collected(folder: Path, spilled: Spilled) -> Done:
    path = _chunk_file(folder, spilled.number)
    data = path.read_bytes()
    path.unlink()
    return Done(data, spilled.records, spilled.failed, spilled.last_line)


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
    however long the input; a worker that dies raises BrokenProcessPool, one error line. A
    worker's output comes back through a file in a temporary folder (see `_price_in_worker`)."""
    chunks = _chunks(records)
    if jobs <= 1:
        started()
        with collector_paused():
            for chunk in chunks:
                yield price_chunk(pricer, chunk, output_format)
                _set_aside()
        return
    from concurrent.futures import Future, ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    # Objects that exist now are never collected in the workers: freezing them keeps the garbage
    # collector from touching (and so copying) the pages the forked workers share with us.
    gc.freeze()
    window: deque[Future[Spilled]] = deque()
    with tempfile.TemporaryDirectory(prefix="ketcost-batch-") as name:
        folder = Path(name)
        pool = ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=_context(),
            initializer=_start_worker,
            initargs=(pricer, output_format, folder, os.getpid()),
        )
        numbered = enumerate(chunks)
        try:
            first = next(numbered, None)
            if first is not None:
                window.append(pool.submit(_price_in_worker, *first))
            started()  # the pool forks its workers as work comes, before this returns
            for number, chunk in numbered:
                window.append(pool.submit(_price_in_worker, number, chunk))
                while len(window) >= jobs * IN_FLIGHT:
                    yield _collected(folder, window.popleft().result())
            while window:
                yield _collected(folder, window.popleft().result())
        except BrokenProcessPool:
            raise KetcostError(WORKER_DIED) from None
        finally:
            for future in window:
                future.cancel()
            pool.shutdown(cancel_futures=True)  # waits: no worker writes once the folder goes


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
    progress: Callable[[], Callable[[int, int], None]] | None = None,
) -> Tally:
    """Price every record read from `stream`, writing each chunk's results with `write`.

    `base` is the folder records' own `prices` paths are read from; `progress`, when given,
    makes a progress callback once the workers are started, called with the records done and
    the input line reached. A CSV file's header is checked
    before anything is written.
    """
    pricer = Pricer(prices, base, notes=output_format == "jsonl")  # CSV, Parquet: figures only
    # The default sheet is read here, before any worker starts: a bad one is one error up front,
    # not one per record, and the workers share the one read instead of each reading its own.
    pricer.sheet(None)
    if input_format == "parquet":  # the `arrow` extra
        from ketcost.io.arrow import parquet_records

        records: Iterator[tuple[int, Raw]] = parquet_records(stream)
    else:
        records = jsonl_records(stream) if input_format == "jsonl" else csv_records(stream)
    tally = Tally()
    if output_format == "csv":
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(CSV_HEADER)
        write(buffer.getvalue().encode())
    report: list[Callable[[int, int], None]] = []

    def started() -> None:
        if progress is not None:
            report.append(progress())

    for done in priced_chunks(records, pricer, jobs, output_format, started):
        write(done.data)
        tally.records += done.records
        tally.failed += done.failed
        for update in report:
            update(tally.records, done.last_line)
    return tally
