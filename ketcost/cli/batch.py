"""`ketcost batch`: the command's options and its input and progress display."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, BinaryIO

import typer

from ketcost.cli.base import EXIT_OK, EXIT_RECORDS, LIVE_PROGRESS
from ketcost.cli.common import ForceOption, PricesOption, say_written
from ketcost.errors import InputError, KetcostError


class RecordFormatOption(StrEnum):
    """Record formats for batch input and output."""

    JSONL = "jsonl"
    CSV = "csv"
    PARQUET = "parquet"  # the `arrow` extra


def _record_format(given: RecordFormatOption | None, path: str) -> RecordFormatOption:
    if given is not None:
        return given
    suffix = Path(path).suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return RecordFormatOption.JSONL
    if suffix == ".csv":
        return RecordFormatOption.CSV
    if suffix == ".parquet":
        return RecordFormatOption.PARQUET
    if path == "-":
        return RecordFormatOption.JSONL
    raise InputError(
        f"cannot tell the format of {path!r} from its extension; give --input-format jsonl, csv "
        "or parquet"
    )


def batch(
    file: Annotated[
        str, typer.Argument(metavar="FILE", help="Records to price; - (the default) reads stdin.")
    ] = "-",
    input_format: Annotated[
        RecordFormatOption | None,
        typer.Option(
            case_sensitive=False, help="Record format [default: from FILE's extension; jsonl]."
        ),
    ] = None,
    fmt: Annotated[
        RecordFormatOption | None,
        typer.Option(
            "--format",
            "-f",
            case_sensitive=False,
            help="Output format [default: parquet for an -o FILE.parquet, else jsonl].",
        ),
    ] = None,
    prices: PricesOption = None,
    prices_dir: Annotated[
        str | None,
        typer.Option(
            metavar="DIR",
            help="Where records' own `prices` paths are read from [default: FILE's folder; "
            "the current folder for stdin].",
        ),
    ] = None,
    output: Annotated[
        str, typer.Option("--output", "-o", metavar="FILE", help="Where to write; - is stdout.")
    ] = "-",
    jobs: Annotated[
        int,
        typer.Option(
            metavar="N",
            min=0,
            max=64,
            help="Processes that price records, this one included, 0–64; 0: one per CPU.",
        ),
    ] = 0,
    force: ForceOption = False,
) -> int:
    """Price many scenarios: one output record per input record, in order, streaming.

    Each JSON Lines or CSV record (one line, at most 1 MiB) holds a plan file's keys and an
    optional `id`, echoed as given. A record that fails gives {"line": N, "id": ..., "error":
    "..."} in its place; the run goes on and exits 4 at the end.

    \b
    Examples:
      ketcost batch referrals.jsonl > estimates.jsonl
      ketcost batch scenarios.csv --format csv -o results.csv
      cat plans.jsonl | ketcost batch - --prices clinic.toml
    """
    from ketcost.io import batch as batches
    from ketcost.io.files import atomic_output

    kind = _record_format(input_format, file)
    if fmt is None:
        parquet = output.lower().endswith(".parquet")
        fmt = RecordFormatOption.PARQUET if parquet else RecordFormatOption.JSONL
    if RecordFormatOption.PARQUET in (kind, fmt):
        _needs_arrow()
        import pyarrow

        # This process's Arrow memory from the C library's allocator: Arrow's default (mimalloc)
        # kept about 24 MB more of a run's peak (measured on 100,000 records to Parquet).
        pyarrow.set_memory_pool(pyarrow.system_memory_pool())
    if fmt == RecordFormatOption.PARQUET and output == "-":
        raise InputError("-f parquet writes a file: give -o FILE.parquet")
    base = prices_dir or (str(Path(file).parent) if file != "-" else ".")
    if prices_dir is not None and not Path(prices_dir).is_dir():
        raise InputError(f"invalid value {prices_dir[:80]!r} for --prices-dir: not a folder")
    progress = None
    if sys.stderr.isatty():
        lines = None if file == "-" else _lines_in(file)
        progress = functools.partial(_progress, lines)
    with (
        _input(file) as stream,
        atomic_output(output, force=force) as out,
        contextlib.ExitStack() as closing,
    ):
        write: Callable[[bytes], object] = out.write
        if fmt == RecordFormatOption.PARQUET:
            from ketcost.io.arrow import ParquetOutput

            parquet_out = ParquetOutput(out.binary())
            closing.callback(parquet_out.close)  # its footer, before the file is complete
            write = parquet_out.write
        tally = batches.run(
            stream,
            write,
            input_format=kind.value,
            output_format=fmt.value,
            prices=prices,
            jobs=jobs or _cpus(),
            base=base,
            progress=progress,
        )
    while LIVE_PROGRESS:  # cleared before the summary, not run into by it
        LIVE_PROGRESS.pop()()
    ok = tally.records - tally.failed
    typer.echo(f"batch: {tally.records} records, {ok} estimated, {tally.failed} failed", err=True)
    say_written(output)
    return EXIT_RECORDS if tally.failed else EXIT_OK


def _needs_arrow() -> None:
    """Parquet needs pyarrow, which the plain install leaves out."""
    import importlib.util

    if importlib.util.find_spec("pyarrow") is None:
        raise InputError(
            'Parquet needs the arrow extra: pip install "ketcost[arrow]" (pyarrow is not installed)'
        )


def _cpus() -> int:
    """The CPUs this process may run on (a container's or taskset's share, not the machine's)."""
    if hasattr(os, "sched_getaffinity"):
        return max(len(os.sched_getaffinity(0)), 1)
    return os.cpu_count() or 1


@contextlib.contextmanager
def _input(path: str) -> Iterator[BinaryIO]:
    """The records as bytes (decoding is per record, so one bad line is one error record)."""
    if path == "-":
        if sys.stdin is None:
            raise KetcostError("cannot read standard input: it is closed")
        yield sys.stdin.buffer
        return
    from ketcost.io.files import reason

    if not path:
        raise InputError("no file name given")
    try:
        handle = Path(path).open("rb")  # noqa: SIM115 - closed below, after the run
    except FileNotFoundError:
        raise KetcostError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise KetcostError(f"{path}: is a folder, not a file of records") from None
    except OSError as error:
        raise KetcostError(f"{path}: cannot be read ({reason(error)})") from None
    with handle:
        yield handle


def _lines_in(path: str) -> int | None:
    """How many lines a regular file holds (a pipe's size is not known), for the progress
    display's total: counted in C a megabyte at a time, about 0.1 s for 1,000,000 records."""
    try:
        with Path(path).open("rb") as handle:
            if not Path(path).is_file():
                return None
            lines, last = 0, b"\n"
            for block in iter(lambda: handle.read(1 << 20), b""):
                lines, last = lines + block.count(b"\n"), block[-1:]
    except OSError:
        return None  # the run itself says what is wrong with the file
    return lines + (last != b"\n")


def _progress(lines: int | None) -> Callable[[int, int], None]:
    """Records priced, drawn on stderr (a terminal) and cleared when the run ends; with the
    input line reached of the file's `lines` when they are known."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn

    columns = [SpinnerColumn(), TextColumn("{task.fields[records]:,} records priced")]
    if lines is not None:
        columns += [BarColumn(), TextColumn("line {task.completed:,.0f} of {task.total:,.0f}")]
    bar = Progress(*columns, console=Console(stderr=True), transient=True)
    task = bar.add_task("batch", total=lines, records=0)
    bar.start()
    LIVE_PROGRESS.append(bar.stop)

    def update(records: int, line: int) -> None:
        bar.update(task, completed=line, records=records)

    return update
