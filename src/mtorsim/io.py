"""Atomic output: every file mtorsim writes appears whole or not at all.

Temporaries live beside their target as ``.NAME.<pid>.<random>.tmp`` (files or folders):
the run that made them removes them when it fails or is interrupted (the CLI turns
SIGINT/SIGTERM into an exception, so these ``finally`` blocks run, then calls
:func:`remove_active`), and a later write to the same target sweeps any whose process has
died (:func:`sweep_stale`), so a killed run leaves nothing behind for long.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd

from mtorsim.errors import MtorsimError

__all__ = [
    "atomic_path",
    "check_dataset_folder",
    "decode_text",
    "parse_yaml",
    "read_csv_table",
    "read_yaml",
    "remove_active",
    "sweep_stale",
    "table_writer",
    "write_partitioned",
    "write_table",
    "write_text",
]

TABLE_FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".tsv": "tsv"}
#: Temporaries of this process still in use (removed by :func:`remove_active` on a signal).
_ACTIVE: set[Path] = set()
#: Temporaries without a pid in their name (older mtorsim) are stale after this long.
_STALE_S = 24 * 3600.0


def _prefix(target: Path) -> str:
    return f".{target.name}.{os.getpid()}."


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's live process
    return True


_TEMP_NAME = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.[^.]+\.(?P<kind>tmp|old)$")


def sweep_stale(target: str | os.PathLike[str]) -> list[Path]:
    """Remove temporaries in ``target``'s folder left by mtorsim runs that died: any
    ``.NAME.<pid>.<rand>.tmp``/``.old`` whose process is gone (or is this one but no longer
    in use), and ``target``'s own pid-less ones (older mtorsim) once a day old. A dataset a
    killed run had moved aside is put back first. Returns what was removed."""
    target = Path(target)
    parent = target.parent if str(target.parent) else Path(".")
    removed = []
    try:
        entries = [e for e in parent.iterdir() if e.name.startswith(".")]
    except OSError:
        return removed
    for entry in entries:
        if entry in _ACTIVE:
            continue
        m = _TEMP_NAME.match(entry.name)
        if m:
            pid = int(m.group("pid"))
            stale = pid == os.getpid() or not _alive(pid)
            owner = parent / m.group("name")
        elif entry.name.startswith(f".{target.name}.") and entry.name.endswith(".tmp"):
            try:
                stale = time.time() - entry.lstat().st_mtime > _STALE_S
            except OSError:
                stale = False
            owner = target
        else:
            continue
        if not stale:
            continue
        if entry.name.endswith(".old") and (entry / "data").is_dir() and not owner.exists():
            os.replace(entry / "data", owner)  # a dataset moved aside by a killed run
        _remove(entry)
        removed.append(entry)
    return removed


def remove_active() -> None:
    """Remove every temporary this process still holds (called on SIGINT/SIGTERM)."""
    for path in list(_ACTIVE):
        _remove(path)
        _ACTIVE.discard(path)


def _umask() -> int:
    """The process's umask, read without changing it (``os.umask`` sets it, and another
    thread writing meanwhile would get a world-writable file)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    return _UMASK_AT_IMPORT


def _read_umask_once() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: where /proc is missing: the umask when mtorsim.io was first imported (single-threaded)
_UMASK_AT_IMPORT = _read_umask_once()


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
        if parent.exists() and not parent.is_dir():
            raise MtorsimError(f"cannot write {target}: {parent} is a file, not a folder") from None
        raise MtorsimError(f"cannot create folder {parent}: {exc.strerror}") from None
    sweep_stale(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=_prefix(target), suffix=".tmp", dir=parent)
    except OSError as exc:  # name the target, not the temporary beside it
        raise MtorsimError(f"cannot write {target}: {exc.strerror or exc}") from None
    tmp_path = Path(tmp)
    _ACTIVE.add(tmp_path)
    try:
        os.close(fd)
        os.chmod(tmp_path, 0o666 & ~_umask())
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        _ACTIVE.discard(tmp_path)
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


def check_dataset_folder(
    folder: str | os.PathLike[str], names: tuple[str, ...], *, what: str = "dataset"
) -> None:
    """A dataset (or another ``what``) replaces ``folder`` whole: only when it is missing,
    empty or holds nothing but the ``names`` it writes; a folder of other files is kept."""
    target = Path(folder)
    if target.exists() and not target.is_dir():
        raise MtorsimError(f"output {target} is a file; give a folder name for a {what}")
    if target.is_dir():
        other = sorted(p.name for p in target.iterdir() if p.name not in names)
        if other:
            shown = ", ".join(other[:3]) + (" ..." if len(other) > 3 else "")
            raise MtorsimError(
                f"output folder {target} holds other files ({shown}) and a {what} replaces "
                "the whole folder; give a new folder name"
            )


@contextlib.contextmanager
def atomic_folder(folder: str | os.PathLike[str], *, merge: bool = False) -> Iterator[Path]:
    """Yield an empty temporary folder beside ``folder``, moved onto it only on success.

    The new folder replaces ``folder`` whole (an existing one is moved aside first and
    restored if the swap is interrupted), so readers see the old contents or the new, never
    a mix; with ``merge`` an existing folder keeps its other files and each new entry
    replaces its namesake. Either way the folder gets the permissions a new folder gets
    (``mkdtemp`` makes private ones).
    """
    target = Path(folder)
    if target.exists() and not target.is_dir():
        raise MtorsimError(f"output {target} is a file; give a folder name")
    parent = target.parent if str(target.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    sweep_stale(target)
    tmp = Path(tempfile.mkdtemp(prefix=_prefix(target), suffix=".tmp", dir=parent))
    _ACTIVE.add(tmp)
    old = None
    try:
        yield tmp
        os.chmod(tmp, 0o777 & ~_umask())
        if merge and target.is_dir():
            old = Path(tempfile.mkdtemp(prefix=_prefix(target), suffix=".old", dir=parent))
            _ACTIVE.add(old)
            for item in sorted(tmp.iterdir()):
                dest = target / item.name
                if dest.exists() or dest.is_symlink():  # aside first: never lost mid-swap
                    os.replace(dest, old / item.name)
                try:
                    os.replace(item, dest)
                except BaseException:
                    if (old / item.name).exists() or (old / item.name).is_symlink():
                        os.replace(old / item.name, dest)
                    raise
        else:
            if target.exists():
                old = Path(tempfile.mkdtemp(prefix=_prefix(target), suffix=".old", dir=parent))
                _ACTIVE.add(old)
                os.replace(target, old / "data")
            os.replace(tmp, target)
    finally:
        if old is not None and not target.exists() and (old / "data").exists():
            os.replace(old / "data", target)  # interrupted between the renames: put it back
        for path in (tmp, old):
            if path is not None:
                _ACTIVE.discard(path)
                if path.exists():
                    shutil.rmtree(path, ignore_errors=True)


def write_partitioned(
    parts: dict[str, pd.DataFrame], folder: str | os.PathLike[str], *, partition_by: str
) -> Path:
    """Write a Parquet dataset (one sub-folder per table name, partitioned by a column).

    The whole dataset is built beside ``folder`` and replaces it only once complete
    (:func:`atomic_folder`), so readers see the old dataset or the new one, never a mix.
    """
    target = Path(folder)
    check_dataset_folder(target, tuple(parts))
    with atomic_folder(target) as tmp:
        for name, df in parts.items():
            cols = [partition_by] if partition_by in df.columns else None
            df.to_parquet(tmp / name, index=False, partition_cols=cols)
    return target


def decode_text(label: object, raw: bytes, what: str, *, scan: int = 65536) -> str:
    """UTF-8 text of a small input file, or one line: binary (NUL bytes) or not UTF-8, with
    the line and byte and how to convert it. Shared by every reader of user files."""
    if b"\x00" in raw[:scan]:  # the first ``scan`` bytes tell a binary file
        raise MtorsimError(f"{label}: a binary file, not a {what}")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise MtorsimError(
            f"{label}: line {line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}, e.g. Latin-1); "
            "save it as UTF-8 (iconv -f latin1 -t utf-8)"
        ) from None


def read_csv_table(
    path: str | os.PathLike[str], columns: tuple[str, ...], what: str = "table"
) -> pd.DataFrame:
    """A small CSV input (e.g. ``--types``) as text columns, or a one-line error: missing,
    empty, binary, not UTF-8, ragged, or without the ``columns`` needed."""
    p = Path(path)
    if not p.is_file():
        raise MtorsimError(f"{p}: {what} file not found")
    raw = p.read_bytes()
    if not raw.strip():
        raise MtorsimError(f"{p}: empty; give a header line {','.join(columns)} and rows")
    text = decode_text(p, raw, f"CSV {what}")
    from io import StringIO

    try:
        df = pd.read_csv(StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        msg = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise MtorsimError(f"{p}: not a readable CSV {what} ({msg})") from None
    if not isinstance(df.index, pd.RangeIndex):  # pandas made extra fields an index
        width = len(text.splitlines()[0].split(","))
        for i, line in enumerate(text.splitlines()[1:], start=2):
            if len(line.split(",")) > width:
                raise MtorsimError(
                    f"{p}: line {i}: more fields than the header's {width}; remove the extra ones"
                )
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise MtorsimError(f"{p}: needs columns {','.join(columns)} (missing {', '.join(missing)})")
    if df.empty:
        raise MtorsimError(f"{p}: has a header but no rows; give one row per {columns[0]}")
    return df


#: YAML inputs (drug files, designs, PEtab problems) are small records: nesting deeper
#: than this is not one of them, and refusing it early avoids a RecursionError.
YAML_MAX_DEPTH = 32


def _yaml_loader() -> type:
    """A SafeLoader that refuses aliases (no 'billion laughs' expansion), nesting deeper
    than :data:`YAML_MAX_DEPTH` and a key given twice (PyYAML would keep the last)."""
    import yaml

    class _Loader(yaml.SafeLoader):
        _depth = 0

        def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
            if self.check_event(yaml.events.AliasEvent):
                mark = self.peek_event().start_mark
                raise yaml.composer.ComposerError(
                    None, None, "aliases (*name) are not allowed; write the value out", mark
                )
            self._depth += 1
            try:
                if self._depth > YAML_MAX_DEPTH:
                    mark = self.peek_event().start_mark
                    raise yaml.composer.ComposerError(
                        None, None, f"nested deeper than {YAML_MAX_DEPTH} levels", mark
                    )
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1

    def _mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set = set()
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=deep)
            if key in seen:
                mark = key_node.start_mark
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} given twice (line {mark.line + 1})", mark
                )
            seen.add(key)
        return loader.construct_mapping(node, deep=deep)

    _Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
    return _Loader


def parse_yaml(text: str, label: str) -> object:
    """YAML text -> data through the safe loader, or a one-line error naming ``label``."""
    import yaml

    try:
        return yaml.load(text, Loader=_yaml_loader())  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        what = getattr(exc, "problem", None) or str(exc).strip().splitlines()[0]
        raise MtorsimError(f"{label}: not valid YAML ({where}{what})".replace("\n", " ")) from None
    except RecursionError:
        raise MtorsimError(f"{label}: nested too deeply; not a YAML record") from None


def read_yaml(path: str | os.PathLike[str], what: str = "file") -> object:
    """A small YAML input read safely: refuses binary and non-UTF-8 files, aliases and
    deep nesting with one line each (shared by drug files, designs and PEtab problems)."""
    p = Path(path)
    if p.is_dir():
        raise MtorsimError(f"{p}: is a folder; give a YAML {what}")
    if not p.is_file():
        raise MtorsimError(f"{p}: {what} not found")
    return parse_yaml(decode_text(p, p.read_bytes(), f"YAML {what}"), str(p))
