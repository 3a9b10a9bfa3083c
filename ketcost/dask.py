"""Pricing on a Dask cluster (the `dask` extra): a Dask DataFrame of records, partition by
partition, into a Dask DataFrame of headline rows (`ketcost.io.arrow.SCHEMA`), each partition
priced by `ketcost.price_table`. Each worker loads the price sheet once."""

from __future__ import annotations

import functools
import os

import dask.dataframe as dd
import pandas as pd
import pyarrow as pa

from ketcost.domain.sheet import PriceSheet
from ketcost.io.arrow import SCHEMA


def price(records: dd.DataFrame | str | os.PathLike[str], sheet: str | None = None) -> dd.DataFrame:
    """`records` (a Dask DataFrame with the CSV input's columns, or a Parquet path or glob)
    priced into a Dask DataFrame of headline rows, one per record, in order within each
    partition. `sheet` is a price-sheet path each worker reads once (None: the shipped sheet);
    `line` counts each partition's rows from 1."""
    if isinstance(records, dd.DataFrame):
        frame = records
    else:  # a partition per row group, so that every worker has work in a file of one
        frame = dd.read_parquet(os.fspath(records), split_row_groups=True)
    meta = SCHEMA.empty_table().to_pandas(types_mapper=pd.ArrowDtype)
    return frame.map_partitions(_priced, sheet, meta=meta)


def _priced(partition: pd.DataFrame, sheet: str | None) -> pd.DataFrame:
    from ketcost.api import price_table

    table = pa.Table.from_pandas(partition, preserve_index=False)
    return price_table(table, _sheet(sheet)).to_pandas(types_mapper=pd.ArrowDtype)


@functools.cache
def _sheet(path: str | None) -> PriceSheet:
    """The price sheet, read once per worker process."""
    from ketcost.io.sheets import load_price_sheet

    return load_price_sheet(path)
