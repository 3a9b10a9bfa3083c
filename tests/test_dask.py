"""`ketcost.dask.price` on a real Dask LocalCluster of two worker processes: every row equals
`ketcost batch -f parquet` on the same records."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .conftest import RunCli


def test_dask_prices_every_row_as_batch_does(cli: RunCli, tmp_path: Path) -> None:
    from distributed import Client, LocalCluster

    import ketcost.dask

    routes = ["iv", "esketamine", "oral", "nasal", "kap"]
    records = pa.table(
        {
            "id": [f"r{i}" for i in range(50)],
            "route": [routes[i % 5] for i in range(50)],
            "weeks": [str(1 + i % 4) for i in range(50)],
            "deductible": [None if i % 3 else 500 for i in range(50)],
            "coinsurance": [None if i % 3 else 20 for i in range(50)],
        }
    )
    source = tmp_path / "records.parquet"
    pq.write_table(records, source)
    out = tmp_path / "batch.parquet"
    assert cli("batch", str(source), "-o", str(out)).code == 4  # the `nasal` records fail
    expected = pq.read_table(out).to_pylist()
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster,
        Client(cluster),
    ):
        frame = ketcost.dask.price(str(source)).compute()
    got = pa.Table.from_pandas(frame, preserve_index=False).to_pylist()
    assert len(got) == 50
    assert got == expected


def test_spark_map_in_arrow_prices_as_batch_does(cli: RunCli, tmp_path: Path) -> None:
    import pytest

    pyspark = pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession

    import ketcost
    from ketcost.io.arrow import SCHEMA

    records = pa.table({"id": ["a", "b"], "route": ["iv", "nasal"], "weeks": ["4", None]})
    source = tmp_path / "records.parquet"
    pq.write_table(records, source)
    out = tmp_path / "batch.parquet"
    cli("batch", str(source), "-o", str(out))
    spark = SparkSession.builder.master("local[2]").getOrCreate()
    try:
        frame = spark.read.parquet(str(source))
        schema = pyspark.sql.pandas.types.from_arrow_schema(SCHEMA)
        priced = frame.mapInArrow(
            lambda batches: (
                out
                for b in batches
                for out in ketcost.price_table(pa.Table.from_batches([b])).to_batches()
            ),
            schema,
        )
        got = [row.asDict() for row in priced.collect()]
    finally:
        spark.stop()
    expected = pq.read_table(out).to_pylist()
    assert got == expected
