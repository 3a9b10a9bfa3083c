"""Big runs: the benchmark's records as Parquet, through `ketcost batch` (2 processes) and through
`ketcost.dask.price` on a LocalCluster of 2 worker processes, in one run, with identical rows.

    python benchmarks/bigruns.py [RECORDS]     # default 100,000 records

Run from a checkout with the `dask` extra installed (`pip install -e ".[dask]"`)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from records import lines  # noqa: E402 - the generator lives beside this script


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


def main() -> None:
    import json

    from distributed import Client, LocalCluster

    import ketcost.dask

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    folder = Path(tempfile.mkdtemp(prefix="ketcost-big-"))
    rows = []
    for line in lines(count):
        try:
            record = json.loads(line)
        except ValueError:
            continue
        row = columns(record) if isinstance(record, dict) else None
        if row is not None:
            rows.append(row)
    names = sorted({k for row in rows for k in row})
    table = pa.table({n: [row.get(n) for row in rows] for n in names})
    source = folder / "records.parquet"
    pq.write_table(table, source, row_group_size=25_000)
    out = folder / "batch.parquet"
    start = time.perf_counter()
    subprocess.run(["ketcost", "batch", str(source), "-o", str(out), "--jobs", "2"], check=False)
    batch_s = time.perf_counter() - start
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster,
        Client(cluster),
    ):
        start = time.perf_counter()
        frame = ketcost.dask.price(str(source)).compute()
        dask_s = time.perf_counter() - start
    got = pa.Table.from_pandas(frame, preserve_index=False).drop(["line"]).to_pylist()
    want = pq.read_table(out).drop(["line"]).to_pylist()
    print(f"{len(rows):,} records as Parquet, {source.stat().st_size:,} bytes")
    print(f"  ketcost batch --jobs 2 -o .parquet  {batch_s:6.2f} s  {len(rows) / batch_s:,.0f}/s")
    print(f"  ketcost.dask.price, 2 workers       {dask_s:6.2f} s  {len(rows) / dask_s:,.0f}/s")
    print(f"  dask: {batch_s / dask_s:.2f}x the batch throughput")
    print(f"  rows identical (but `line`, counted per partition): {got == want}")


if __name__ == "__main__":
    main()
