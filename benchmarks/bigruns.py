"""Big runs, in one run: the benchmark's records through `ketcost batch` (all CPUs) to JSON Lines
and to Parquet (seconds, output size, peak memory); then those records as Parquet through
`ketcost batch --jobs 2` and through `ketcost.dask.price` on a LocalCluster of 2 worker
processes, with identical rows (RECORDS of the benchmark's records a table can hold).

    python benchmarks/bigruns.py [RECORDS] [--only formats|dask]   # default 100,000 records

Run from a checkout with the `dask` extra installed (`pip install -e ".[dask]"`)."""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from records import lines  # noqa: E402 - the generator lives beside this script
from run import tree_memory_kb  # noqa: E402


def measured(command: list[str]) -> tuple[float, int, int]:
    """Seconds, peak PSS of all processes and peak RSS of the main process (KiB) of a run."""
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    peak = [0, 0]

    def watch() -> None:
        while process.poll() is None:
            pss, _ = tree_memory_kb(process.pid)
            _, main = tree_memory_kb(process.pid, workers=False)
            peak[0], peak[1] = max(peak[0], pss), max(peak[1], main)
            time.sleep(0.02)

    start = time.perf_counter()
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    process.wait()
    elapsed = time.perf_counter() - start
    watcher.join()
    return elapsed, peak[0], peak[1]


def formats(source: Path, count: int, runs: int = 3) -> None:
    """JSON Lines out against Parquet out, the same records in, `runs` alternating runs each."""
    outs = {"jsonl": source.with_name("out.jsonl"), "parquet": source.with_name("out.parquet")}
    seen: dict[str, list[tuple[float, int, int]]] = {name: [] for name in outs}
    for _ in range(runs):
        for name, out in outs.items():
            seen[name].append(
                measured(["ketcost", "batch", str(source), "-o", str(out), "--force"])
            )
    print(f"{count:,} records (JSON Lines in) through `ketcost batch`, all CPUs, median of {runs}:")
    for name, out in outs.items():
        seconds = statistics.median(s for s, _, _ in seen[name])
        pss = max(p for _, p, _ in seen[name]) / 1024
        main = max(m for _, _, m in seen[name]) / 1024
        each = ", ".join(f"{s:.2f}" for s, _, _ in seen[name])
        print(
            f"  -o out.{name:<8} {seconds:6.2f} s ({each})  {count / seconds:7,.0f}/s  "
            f"{out.stat().st_size:>13,} bytes  peak PSS {pss:6.1f} MB (main RSS {main:.1f} MB)"
        )
    jsonl = statistics.median(s for s, _, _ in seen["jsonl"])
    parquet = statistics.median(s for s, _, _ in seen["parquet"])
    smaller = outs["jsonl"].stat().st_size / outs["parquet"].stat().st_size
    memory = max(p for _, p, _ in seen["parquet"]) / max(p for _, p, _ in seen["jsonl"])
    print(f"  parquet: {jsonl / parquet:.2f}x the JSON Lines throughput, the file {smaller:.0f}x")
    print(f"  smaller, {memory:.2f}x the JSON Lines run's peak PSS")


def columns(record: dict[str, Any]) -> dict[str, Any] | None:
    """A JSON Lines record as the CSV input's columns (insurance flattened, lists joined), or
    None for one a table cannot hold (an unknown key, a nested value)."""
    from ketcost.io.records import CSV_COLUMNS

    row = {k: v for k, v in record.items() if k != "insurance"}
    row.update(record.get("insurance") or {})
    for key in ("with", "extra"):
        if isinstance(row.get(key), list):
            row[key] = ";".join(map(str, row[key]))
    if any(k not in CSV_COLUMNS or isinstance(v, dict | list) for k, v in row.items()):
        return None
    return {k: None if v is None else str(v) for k, v in row.items()}


def table_rows(count: int) -> list[dict[str, Any]]:
    """The first `count` benchmark records a table can hold, as the CSV input's columns."""
    import json

    rows = []
    for line in lines(10 * count):
        try:
            record = json.loads(line)
        except ValueError:
            continue
        row = columns(record) if isinstance(record, dict) else None
        if row is not None:
            rows.append(row)
            if len(rows) == count:
                break
    return rows


def dask_against_batch(folder: Path, count: int) -> None:
    """`count` records as Parquet through `ketcost batch --jobs 2 -o FILE.parquet` and through
    `ketcost.dask.price(...).to_parquet(FOLDER)` on a LocalCluster of two worker processes: each
    prices the file and writes Parquet, as the README shows them."""
    from distributed import Client, LocalCluster

    import ketcost.dask

    rows = table_rows(count)
    names = sorted({k for row in rows for k in row})
    table = pa.table({n: [row.get(n) for row in rows] for n in names})
    source = folder / "records.parquet"
    pq.write_table(table, source, row_group_size=25_000)
    del rows, table  # this process holds nothing large while it is measured
    out = folder / "batch.parquet"
    start = time.perf_counter()
    subprocess.run(["ketcost", "batch", str(source), "-o", str(out), "--jobs", "2"], check=False)
    batch_s = time.perf_counter() - start
    parts = folder / "dask"
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster,
        Client(cluster),
    ):
        start = time.perf_counter()
        ketcost.dask.price(str(source)).to_parquet(str(parts), write_index=False)
        dask_s = time.perf_counter() - start
    files = sorted(parts.glob("part.*.parquet"), key=lambda p: int(p.name.split(".")[1]))
    got = pa.concat_tables([pq.read_table(f) for f in files]).drop(["line"]).to_pylist()
    want = pq.read_table(out).drop(["line"]).to_pylist()
    print(f"{count:,} records as Parquet, {source.stat().st_size:,} bytes")
    print(f"  ketcost batch --jobs 2 -o .parquet    {batch_s:6.2f} s  {count / batch_s:,.0f}/s")
    print(f"  ketcost.dask.price, 2 workers, to_parquet  {dask_s:6.2f} s  {count / dask_s:,.0f}/s")
    print(f"  dask: {batch_s / dask_s:.2f}x the batch throughput")
    print(f"  rows identical (but `line`, counted per partition): {got == want}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("records", type=int, nargs="?", default=100_000)
    parser.add_argument("--only", choices=["formats", "dask"], help="one of the two parts")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ketcost-big-"))
    if args.only != "dask":
        jsonl = folder / "records.jsonl"
        with jsonl.open("w") as file:
            file.writelines(lines(args.records))
        formats(jsonl, args.records)
    if args.only != "formats":
        dask_against_batch(folder, args.records)
    shutil.rmtree(folder)


if __name__ == "__main__":
    main()
