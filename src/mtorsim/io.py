"""Atomic output: every file mtorsim writes appears whole or not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd

from mtorsim.errors import MtorsimError

__all__ = ["atomic_path", "table_writer", "write_partitioned", "write_table", "write_text"]

TABLE_FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".tsv": "tsv"}


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` only on success."""
    target = Path(path)
    if target.exists() and target.is_dir():
        raise MtorsimError(f"output {target} is a directory; give a file name")
    parent = target.parent if str(target.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MtorsimError(f"cannot create folder {parent}: {exc.strerror}") from None
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
    os.close(fd)
    tmp_path = Path(tmp)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp_path, 0o666 & ~umask)
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def table_format(path: str | os.PathLike[str]) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in TABLE_FORMATS:
        raise MtorsimError(
            f"cannot tell the table format of {str(path)!r}; use a .csv, .tsv or .parquet file name"
        )
    return TABLE_FORMATS[suffix]


def write_table(df: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write a DataFrame as CSV, TSV or Parquet (by suffix), atomically."""
    fmt = table_format(path)
    writers: dict[str, Callable[[Path], None]] = {
        "csv": lambda p: df.to_csv(p, index=False),
        "tsv": lambda p: df.to_csv(p, index=False, sep="\t"),
        "parquet": lambda p: df.to_parquet(p, index=False),
    }
    with atomic_path(path) as tmp:
        writers[fmt](tmp)
    return Path(path)


@contextlib.contextmanager
def table_writer(path: str | os.PathLike[str]) -> Iterator[Callable[[pd.DataFrame], None]]:
    """Yield ``write(chunk)``: chunks are appended to a CSV/TSV/Parquet file (by suffix) that
    appears, whole, only when the block ends without error (a cohort streamed to disk)."""
    fmt = table_format(path)
    with atomic_path(path) as tmp:
        state: dict = {"parquet": None, "rows": 0}

        def write(chunk: pd.DataFrame) -> None:
            if fmt == "parquet":
                import pyarrow as pa
                import pyarrow.parquet as pq

                table = pa.Table.from_pandas(chunk, preserve_index=False)
                if state["parquet"] is None:
                    state["parquet"] = pq.ParquetWriter(tmp, table.schema)
                state["parquet"].write_table(table)
            else:
                sep = "\t" if fmt == "tsv" else ","
                chunk.to_csv(tmp, mode="a", header=state["rows"] == 0, index=False, sep=sep)
            state["rows"] += len(chunk)

        try:
            yield write
        finally:
            if state["parquet"] is not None:
                state["parquet"].close()
        if state["rows"] == 0:
            raise MtorsimError(f"nothing to write to {path}")


def write_partitioned(
    parts: dict[str, pd.DataFrame], folder: str | os.PathLike[str], *, partition_by: str
) -> Path:
    """Write a Parquet dataset (one sub-folder per table name, partitioned by a column).

    The whole dataset is built in a temporary folder beside ``folder`` and renamed onto it
    at the end, so readers see the old dataset or the new one, never a mix; an existing
    dataset is replaced only after the new one is complete.
    """
    import shutil

    target = Path(folder)
    if target.exists() and not target.is_dir():
        raise MtorsimError(f"output {target} is a file; give a folder name for a dataset")
    parent = target.parent if str(target.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent))
    old = None
    try:
        for name, df in parts.items():
            cols = [partition_by] if partition_by in df.columns else None
            df.to_parquet(tmp / name, index=False, partition_cols=cols)
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=parent))
            os.replace(target, old / "data")
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    return target
