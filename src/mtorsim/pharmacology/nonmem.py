"""Dosing from NONMEM-style event tables (ID, TIME, AMT, CMT, EVID, II, ADDL, RATE).

Pharmacometric data sets record what each subject was given in this layout; reading it
lets observed or protocol dosing drive the pathway model instead of an idealised
:class:`~mtorsim.pharmacology.regimen.Regimen`. TIME is in hours and AMT in mg. Dose rows
(EVID 1) are expanded: ADDL more doses every II hours. Observation rows (EVID 0) and other
events (EVID 2) are skipped, as are DV and MDV; resets (EVID 3, 4) and steady-state doses
(SS) are rejected, since a simulation here starts from the untreated steady state.

Compartments follow the ADVAN convention of the drug's route: for oral and IM drugs
(ADVAN2/4) CMT 1 is the depot and CMT 2 the central compartment; for IV drugs (ADVAN1/3)
CMT 1 is the central compartment. RATE > 0 infuses AMT into the central compartment at
RATE mg/h; RATE -2 uses the library's infusion duration; RATE -1 (modelled rate) is
rejected. Every problem is reported with the file, the 1-based data line and the column.
"""

from __future__ import annotations

import csv
import math
import warnings
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from mtorsim.errors import MtorsimError
from mtorsim.guard import MAX_DAYS, MAX_DOSES, check_doses
from mtorsim.pharmacology.catalogue import get_drug
from mtorsim.pharmacology.treatment import Dose

__all__ = ["REQUIRED_COLUMNS", "read_dosing_table"]

REQUIRED_COLUMNS = ("ID", "TIME", "AMT", "CMT", "EVID", "II", "ADDL")
_NUMERIC = ("TIME", "AMT", "CMT", "EVID", "II", "ADDL", "RATE", "SS")
_MISSING = ("", ".", "nan", "NaN", "NA")  # NONMEM data sets write "." for "no value"
_EVID = {0: "observation", 1: "dose", 2: "other event", 3: "reset", 4: "reset and dose"}


class _Problems:
    """Collects table problems; raised as one line naming file, row and column."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.items: list[str] = []
        self.cells: set[tuple[int, str]] = set()

    def add(self, row: int, column: str, text: str) -> None:
        if (row, column) not in self.cells:  # one problem per cell (a bad number is not
            self.cells.add((row, column))  # reported again as missing)
            self.items.append(f"row {row}, column {column}: {text}")

    def raise_if_any(self) -> None:
        if not self.items:
            return
        shown = "; ".join(self.items[:3])
        more = f" (and {len(self.items) - 3} more)" if len(self.items) > 3 else ""
        raise MtorsimError(f"{self.label}: {shown}{more}")


def _table(source: str | Path | pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The table as text cells with upper-case column names, and a label for messages."""
    if isinstance(source, pd.DataFrame):
        df, label = source.reset_index(drop=True), "dosing table"
        df = df.astype(object).where(df.notna(), "")
    else:
        path = Path(source)
        label = str(path)
        if path.is_dir():
            raise MtorsimError(f"{label}: is a folder; give the dosing table's .csv file")
        if not path.is_file():
            raise MtorsimError(f"{label}: dosing table not found")
        try:
            df = pd.read_csv(
                path,
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=False,
                sep=None,  # sniffed: comma, tab or semicolon
                engine="python",
            )
        except (
            pd.errors.ParserError,
            pd.errors.EmptyDataError,
            UnicodeDecodeError,
            csv.Error,
        ) as exc:
            raise MtorsimError(f"{label}: not a readable CSV table ({exc})") from None
        if not isinstance(df.index, pd.RangeIndex):  # pandas made extra fields an index
            raise MtorsimError(_ragged(path))
    df.columns = [str(c).strip().upper() for c in df.columns]
    dup = sorted({c for c in df.columns if list(df.columns).count(c) > 1})
    if dup:
        raise MtorsimError(f"{label}: column(s) {', '.join(dup)} given twice")
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise MtorsimError(
            f"{label}: missing column(s) {', '.join(missing)}; a NONMEM dosing table needs "
            f"{', '.join(REQUIRED_COLUMNS)} (RATE optional; DV, MDV and others are ignored)"
        )
    # a blank line reads as missing cells (None): blank text, so it is skipped as blank
    df = df.map(lambda v: "" if v is None or (isinstance(v, float) and v != v) else str(v).strip())
    blank = (df == "").all(axis=1)  # blank lines keep their place in the numbering
    return df[~blank], label


def _ragged(path: Path) -> str:
    """Where a row has more fields than the header (pandas read them as an index)."""
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    sep = max(",\t;", key=lines[0].count)
    width = len(next(csv.reader(lines[:1], delimiter=sep)))
    for i, fields in enumerate(csv.reader(lines[1:], delimiter=sep), start=2):
        if len(fields) > width:
            return (
                f"{path}: line {i}: {len(fields)} fields but the header has {width}; "
                "remove the extra fields"
            )
    return f"{path}: rows have more fields than the header ({width}); fix the table"


def _numbers(df: pd.DataFrame, problems: _Problems) -> dict[str, list[float]]:
    """Numeric columns as floats (NaN where NONMEM's '.' or empty); bad cells reported."""
    out: dict[str, list[float]] = {}
    for col in _NUMERIC:
        if col not in df.columns:
            continue
        values = []
        for idx, cell in zip(df.index, df[col], strict=True):
            if cell in _MISSING:
                values.append(math.nan)
                continue
            try:
                v = float(cell)
            except ValueError:
                problems.add(idx + 1, col, f"{cell!r} is not a number")
                v = math.nan
            else:
                if not math.isfinite(v):
                    problems.add(idx + 1, col, f"{cell!r} is not a finite number")
                    v = math.nan
            values.append(v)
        out[col] = values
    return out


def _compartments(drug: str, cmt: Mapping[int, str] | None) -> dict[int, str]:
    pk = get_drug(drug).pk
    assert pk is not None
    default = {1: "central"} if pk.route == "iv" else {1: "depot", 2: "central"}
    return dict(cmt) if cmt is not None else default


def _check_dose(
    row: int,
    v: Mapping[str, float],
    compartments: dict[int, str],
    problems: _Problems,
) -> tuple[str, float] | None:
    """Compartment and rate of a dose row (None, with problems added, if invalid)."""
    ok = True
    amt = v["AMT"]
    if math.isnan(amt) or amt <= 0:
        shown = "missing" if math.isnan(amt) else f"{amt:g}"
        problems.add(row, "AMT", f"{shown}; a dose row (EVID 1) needs AMT > 0 (mg)")
        ok = False
    ii, addl = v["II"], v["ADDL"]
    ii = 0.0 if math.isnan(ii) else ii
    addl = 0.0 if math.isnan(addl) else addl
    if ii < 0:
        problems.add(row, "II", f"{ii:g} is negative; give the dosing interval in hours >= 0")
        ok = False
    if addl < 0 or addl != int(addl):
        problems.add(row, "ADDL", f"{addl:g}; give a whole number of additional doses >= 0")
        ok = False
    elif check_doses(addl + 1, f"row {row}"):
        problems.add(row, "ADDL", f"{addl:g} is too many; at most {MAX_DOSES - 1:,} extra doses")
        ok = False
    elif addl > 0 and ii <= 0:
        problems.add(row, "II", f"II is {ii:g} with ADDL {addl:g}; additional doses need II > 0")
        ok = False
    if not math.isnan(v.get("SS", math.nan)) and v["SS"] != 0:
        problems.add(row, "SS", "steady-state doses are not supported; list the doses instead")
        ok = False
    c = v["CMT"]
    compartment = None
    if math.isnan(c) or c != int(c) or int(c) not in compartments:
        known = ", ".join(f"{k} ({n})" for k, n in sorted(compartments.items()))
        shown = "missing" if math.isnan(c) else f"{c:g}"
        problems.add(row, "CMT", f"{shown}; for this drug use {known}")
        ok = False
    else:
        compartment = compartments[int(c)]
    rate = v.get("RATE", math.nan)
    rate = 0.0 if math.isnan(rate) else rate
    if rate == -1:
        problems.add(row, "RATE", "-1 (rate from the model) is not supported; give the rate")
        ok = False
    elif rate < 0 and rate != -2:
        problems.add(row, "RATE", f"{rate:g}; give mg/h >= 0, or -2 for the library's duration")
        ok = False
    elif rate != 0 and compartment == "depot":
        problems.add(row, "RATE", "zero-order input into the depot is not supported")
        ok = False
    if not ok or compartment is None:
        return None
    return compartment, rate


def read_dosing_table(
    source: str | Path | pd.DataFrame,
    *,
    drug: str,
    cmt: Mapping[int, str] | None = None,
) -> dict[int | str, tuple[Dose, ...]]:
    """Dose records per subject ID from a NONMEM-style event table.

    Parameters
    ----------
    source : path or DataFrame
        CSV file (comma, tab or semicolon) or a DataFrame with the NONMEM columns.
    drug : str
        The drug every dose row gives (name or alias; a registered user drug works too).
    cmt : dict
        Override of the compartment numbering, e.g. ``{1: "depot", 2: "central"}``.

    Returns
    -------
    dict
        ``{ID: (Dose, ...)}`` in table order, ADDL doses expanded, sorted by time.
    """
    d = get_drug(drug)
    if d.pk is None:
        raise MtorsimError(f"{d.name} has no clinical pharmacokinetics ({d.notes})")
    compartments = _compartments(d.name, cmt)
    bad = {k: n for k, n in compartments.items() if n not in ("depot", "central")}
    if bad or (d.pk.route == "iv" and "depot" in compartments.values()):
        raise MtorsimError(f"cmt map {compartments}: use 'depot' or 'central' ('central' for IV)")
    df, label = _table(source)
    problems = _Problems(label)
    numbers = _numbers(df, problems)
    out: dict[int | str, list[Dose]] = {}
    last: dict[int | str, float] = {}  # latest TIME per ID
    seen: set[int | str] = set()
    previous_id: int | str | None = None
    total = 0  # doses after ADDL expansion, bounded before expanding
    for pos, idx in enumerate(df.index):
        row = idx + 1
        v = {col: vals[pos] for col, vals in numbers.items()}
        raw_id = df.at[idx, "ID"]
        if raw_id in _MISSING:
            problems.add(row, "ID", "missing subject ID")
            continue
        try:
            f = float(raw_id)
            sid: int | str = int(f) if f == int(f) else raw_id
        except (ValueError, OverflowError):
            sid = raw_id
        if sid != previous_id and sid in seen:
            problems.add(row, "ID", f"{sid} appears again after other IDs; keep its rows together")
        previous_id = sid
        seen.add(sid)
        t = v["TIME"]
        if math.isnan(t):
            problems.add(row, "TIME", "missing; give the time in hours")
            continue
        if t < 0:
            problems.add(row, "TIME", f"{t:g} is negative; give hours >= 0")
            continue
        if t > MAX_DAYS * 24:  # a dose after a century is a typo (1e300 h was skipped)
            problems.add(row, "TIME", f"{t:g} h is after a century; give hours from the start")
            continue
        if sid in last and t < last[sid]:
            problems.add(
                row,
                "TIME",
                f"{t:g} h is before the previous row's {last[sid]:g} h of ID {sid}; "
                "sort TIME within each ID",
            )
        last[sid] = max(t, last.get(sid, t))
        evid = v["EVID"]
        if math.isnan(evid) or evid not in _EVID:
            shown = "missing" if math.isnan(evid) else f"{evid:g}"
            problems.add(row, "EVID", f"{shown}; use 0 (observation), 1 (dose) or 2 (other)")
            continue
        if evid in (0, 2):
            continue
        if evid in (3, 4):
            problems.add(
                row,
                "EVID",
                f"{int(evid)} ({_EVID[int(evid)]}) is not supported: simulations "
                "start from the untreated steady state; split the record into two runs",
            )
            continue
        checked = _check_dose(row, v, compartments, problems)
        if checked is None:
            continue
        compartment, rate = checked
        if rate == -2:
            rate = v["AMT"] / d.pk.infusion_h
            compartment = "central"
        addl = 0 if math.isnan(v["ADDL"]) else int(v["ADDL"])
        ii = 0.0 if math.isnan(v["II"]) else v["II"]
        if t + addl * ii > MAX_DAYS * 24:
            problems.add(row, "II", f"{addl} doses every {ii:g} h run past a century")
            continue
        total += addl + 1
        too_many = check_doses(total, f"row {row}")
        if too_many:
            problems.add(row, "ADDL", f"the table expands to {too_many}")
            break
        out.setdefault(sid, []).extend(
            Dose(d.name, t + k * ii, v["AMT"], compartment, rate) for k in range(addl + 1)
        )
    problems.raise_if_any()
    undosed = [str(sid) for sid in seen if sid not in out]
    if undosed and out:  # with no doses at all, the caller's error says so
        warnings.warn(
            f"{label}: ID(s) {', '.join(undosed[:5])}{' ...' if len(undosed) > 5 else ''} "
            "have no dose rows (EVID 1) and are not simulated",
            UserWarning,
            stacklevel=2,
        )
    return {sid: tuple(sorted(ds, key=lambda x: x.time_h)) for sid, ds in out.items()}
