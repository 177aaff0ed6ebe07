"""Score mtorsim (and libRoadRunner, if importable) on SBML Test Suite semantic cases.

Run: ``python benchmarks/sbml_test_suite.py PATH/TO/cases/semantic [--sample N --seed S]
[--out table.csv]``. Each case folder ``NNNNN`` holds ``NNNNN-settings.txt`` (start,
duration, steps, variables, absolute, relative, amount, concentration), ``NNNNN-results.csv``
and SBML files (L3V2, else L3V1, else the highest L2 one; the highest that libsbml reads
without errors, when a stored file is invalid); ``NNNNN-model.m`` gives the
component and test tags. The suite's criterion: |sim − expected| ≤ absolute + relative ×
|expected| at every time and variable. Outcomes: ``pass``, ``wrong`` (simulated, but off),
``refused`` (SBMLError naming the construct), ``error`` (another mtorsim error, e.g. the
solver), ``crashed`` (any other exception).
"""

from __future__ import annotations

import argparse
import math
import random
import re
import sys
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

OUTCOMES = ("pass", "wrong", "refused", "error", "crashed")
LEVELS = ("l3v2", "l3v1", "l2v5", "l2v4", "l2v3", "l2v2", "l2v1")


@dataclass
class Case:
    """One semantic case: its files, settings and tags."""

    id: str
    folder: Path
    sbml: Path
    settings: dict[str, str]
    components: tuple[str, ...] = ()
    tests: tuple[str, ...] = ()

    @property
    def variables(self) -> list[str]:
        return _items(self.settings.get("variables", ""))

    @property
    def amounts(self) -> set[str]:
        """Variables compared as amounts: those listed, or every one when the settings
        predate the amount/concentration lines (those cases give amounts)."""
        if "amount" not in self.settings and "concentration" not in self.settings:
            return set(self.variables)
        return set(_items(self.settings.get("amount", "")))

    def mismatch(self) -> str:
        """Why the stored results cannot be scored against the settings ("" when they can):
        a variable without a column, or a time grid other than start..start+duration."""
        exp = self.expected()
        missing = [v for v in self.variables if v not in exp.columns]
        if missing:
            return f"results have no column for {', '.join(missing)}"
        start, duration, steps = _times(self)
        grid = np.linspace(start, start + duration, steps + 1)
        t = exp["time"].to_numpy(float)
        if t.shape != grid.shape or not np.allclose(t, grid, rtol=1e-9, atol=1e-9):
            return (
                f"results span t = {t[0]:g}..{t[-1]:g} in {t.size} rows; "
                f"settings ask {grid[0]:g}..{grid[-1]:g} in {grid.size}"
            )
        return ""

    def expected(self) -> pd.DataFrame:
        df = pd.read_csv(self.folder / f"{self.id}-results.csv", skipinitialspace=True)
        df.columns = ["time", *(c.strip().split("`")[-1] for c in df.columns[1:])]
        return df.apply(pd.to_numeric, errors="coerce")


@dataclass
class Outcome:
    outcome: str
    message: str = ""
    values: pd.DataFrame | None = field(default=None, repr=False)


def _items(text: str) -> list[str]:
    return [v.strip() for v in text.split(",") if v.strip()]


def read_case(folder: Path) -> Case | None:
    """A case from its folder, or None when settings, results or SBML are missing."""
    cid = folder.name
    settings_file, results = folder / f"{cid}-settings.txt", folder / f"{cid}-results.csv"
    files = [folder / f"{cid}-sbml-{v}.xml" for v in LEVELS]
    files = [f for f in files if f.exists()]
    sbml = next((f for f in files if _valid(f)), files[0] if files else None)
    if not (settings_file.exists() and results.exists() and sbml):
        return None
    settings = {}
    for line in settings_file.read_text().splitlines():
        if ":" in line:
            key, value = line.split(":", 1)
            settings[key.strip().lower()] = value.strip()
    comps: tuple[str, ...] = ()
    tests: tuple[str, ...] = ()
    model_m = folder / f"{cid}-model.m"
    if model_m.exists():
        text = model_m.read_text(errors="replace")
        if m := re.search(r"componentTags:\s*(.*)", text):
            comps = tuple(_items(m.group(1)))
        if m := re.search(r"testTags:\s*(.*)", text):
            tests = tuple(_items(m.group(1)))
    if not model_m.exists():
        comps, tests = _tags_file(folder.parent).get(cid, ((), ()))
    return Case(cid, folder, sbml, settings, comps, tests)


def _valid(path: Path) -> bool:
    """Whether libsbml reads the file without errors (some stored L3V1 files lack
    attributes L3 requires; the case then runs on its highest valid level)."""
    import libsbml

    doc = libsbml.readSBMLFromFile(str(path))
    return not any(
        doc.getError(i).getSeverity() >= libsbml.LIBSBML_SEV_ERROR
        for i in range(doc.getNumErrors())
    )


def _tags_file(root: Path) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Tags copied from model.m headers (``tags.csv`` beside or above the case folders:
    case,componentTags,testTags, tags separated by spaces), for samples without model.m."""
    for path in (root / "tags.csv", root.parent / "tags.csv"):
        if path.exists():
            df = pd.read_csv(path, dtype=str).fillna("")
            return {
                r.case: (tuple(r.componentTags.split()), tuple(r.testTags.split()))
                for r in df.itertuples()
            }
    return {}


def find_cases(
    root: Path, sample: int | None = None, seed: int = 0, skipped: list[str] | None = None
) -> list[Case]:
    """Complete cases under root; those whose results do not match their settings are left
    out (one line each in ``skipped``, when given): they cannot be scored."""
    folders = sorted(p for p in Path(root).iterdir() if p.is_dir() and p.name.isdigit())
    if sample is not None and sample < len(folders):
        folders = sorted(random.Random(seed).sample(folders, sample))
    cases = []
    for case in (read_case(f) for f in folders):
        if case is None:
            continue
        why = case.mismatch()
        if why and skipped is not None:
            skipped.append(f"{case.id}: {why}")
        if not why:
            cases.append(case)
    return cases


def compare(case: Case, sim: pd.DataFrame) -> tuple[bool, str]:
    """The suite's criterion on every expected time and variable."""
    exp = case.expected()
    absolute = float(case.settings.get("absolute", "0") or 0)
    relative = float(case.settings.get("relative", "0") or 0)
    worst = ""
    for var in case.variables:
        if var not in sim.columns:
            return False, f"no column {var!r}"
        e, s = exp[var].to_numpy(float), sim[var].to_numpy(float)
        if e.shape != s.shape:
            return False, f"{var}: {s.size} rows, expected {e.size}"
        both_nan = np.isnan(e) & np.isnan(s)
        same_inf = np.isinf(e) & (e == s)
        with np.errstate(invalid="ignore"):
            ok = (np.abs(s - e) <= absolute + relative * np.abs(e)) | both_nan | same_inf
        if not ok.all():
            i = int(np.argmin(ok))
            worst = f"{var} at t={exp['time'].iloc[i]}: {s[i]:.6g}, expected {e[i]:.6g}"
            return False, worst
    return True, ""


def _times(case: Case) -> tuple[float, float, int]:
    start = float(case.settings.get("start", "0") or 0)
    return start, float(case.settings["duration"]), int(float(case.settings["steps"]))


def failure(exc: Exception) -> tuple[str, str]:
    """(outcome, one-line reason) of an mtorsim run that raised: ``refused`` (an SBMLError
    naming the construct), ``error`` (another mtorsim error) or ``crashed`` (anything else:
    the point is that unexpected exceptions are counted, not raised)."""
    from mtorsim.errors import MtorsimError, SBMLError

    if isinstance(exc, SBMLError):
        return "refused", str(exc).splitlines()[0]
    if isinstance(exc, MtorsimError):
        return "error", f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    return "crashed", f"{type(exc).__name__}: {exc}".splitlines()[0]


def run_mtorsim(case: Case) -> Outcome:
    import mtorsim
    from mtorsim.errors import SBMLError

    try:
        start, duration, steps = _times(case)
        if start != 0:
            raise SBMLError(f"{case.id}: output from t = {start}; mtorsim starts at 0")
        model = mtorsim.load(case.sbml)
        res = model.simulate(until=duration, points=steps + 1, rtol=1e-10, atol=1e-14)
        sim = _mtorsim_table(case, model, res)
    except Exception as exc:
        return Outcome(*failure(exc))
    ok, why = compare(case, sim)
    return Outcome("pass" if ok else "wrong", why, sim)


def _mtorsim_table(case: Case, model, res) -> pd.DataFrame:
    """The case's variables from an mtorsim result, as amounts or concentrations."""
    import libsbml

    doc = libsbml.readSBMLFromFile(str(case.sbml))
    sb = doc.getModel()
    params = {**model.network.parameter_values(), **res.attrs.get("sbml_parameters", {})}
    steps = res.attrs.get("sbml_parameter_steps", {})
    time = res["time"].to_numpy()
    out = {"time": time}
    for var in case.variables:
        if var in res.columns:
            col = res[var].to_numpy(float)
        elif var in params:
            col = np.full(time.size, params[var])
            for t, v in steps.get(var, []):
                col[time >= t] = v
        else:
            continue
        s = sb.getSpecies(var)
        if s is not None:
            vol = _column(s.getCompartment(), res, params, steps, time)
            only = s.getHasOnlySubstanceUnits()
            if var in case.amounts and not only:
                col = col * vol
            elif var not in case.amounts and only:
                col = col / vol
        out[var] = col
    return pd.DataFrame(out)


def _column(name: str, res, params, steps, time) -> np.ndarray:
    if name in res.columns:
        return res[name].to_numpy(float)
    col = np.full(time.size, params.get(name, 1.0))
    for t, v in steps.get(name, []):
        col[time >= t] = v
    return col


def run_roadrunner(case: Case) -> Outcome:
    try:
        import roadrunner
    except ImportError:
        return Outcome("error", "libRoadRunner is not installed")
    try:
        start, duration, steps = _times(case)
        rr = roadrunner.RoadRunner(str(case.sbml))
        species = set(rr.model.getFloatingSpeciesIds()) | set(rr.model.getBoundarySpeciesIds())
        sel = [v if (v not in species or v in case.amounts) else f"[{v}]" for v in case.variables]
        rr.timeCourseSelections = ["time", *sel]
        rr.integrator.absolute_tolerance = 1e-12
        rr.integrator.relative_tolerance = 1e-10
        data = rr.simulate(start, start + duration, steps + 1)
        sim = pd.DataFrame(np.asarray(data), columns=["time", *case.variables])
    except Exception as exc:
        return Outcome("refused", f"{type(exc).__name__}: {exc}".splitlines()[0])
    ok, why = compare(case, sim)
    return Outcome("pass" if ok else "wrong", why, sim)


def score(cases: list[Case], roadrunner: bool = True) -> pd.DataFrame:
    """One row per case: tags and each simulator's outcome and message."""
    rows = []
    for case in cases:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mt = run_mtorsim(case)
            rr = run_roadrunner(case) if roadrunner else Outcome("error", "not run")
        rows.append(
            {
                "case": case.id,
                "components": " ".join(case.components),
                "tests": " ".join(case.tests),
                "mtorsim": mt.outcome,
                "mtorsim_message": mt.message,
                "roadrunner": rr.outcome,
                "roadrunner_message": rr.message,
            }
        )
    return pd.DataFrame(rows)


def by_outcome(table: pd.DataFrame) -> pd.DataFrame:
    """Counts per outcome for each simulator."""
    out = {}
    for sim in ("mtorsim", "roadrunner"):
        counts = Counter(table[sim])
        out[sim] = [counts.get(o, 0) for o in OUTCOMES]
    return pd.DataFrame(out, index=list(OUTCOMES))


def by_tag(table: pd.DataFrame, column: str) -> pd.DataFrame:
    """mtorsim outcomes per component (or test) tag, with libRoadRunner's passes."""
    rows: dict[str, Counter] = {}
    for _, r in table.iterrows():
        for tag in (r[column] or "(none)").split():
            c = rows.setdefault(tag, Counter())
            c[r["mtorsim"]] += 1
            c["roadrunner pass"] += r["roadrunner"] == "pass"
    cols = [*OUTCOMES, "roadrunner pass"]
    return pd.DataFrame(
        [[c.get(k, 0) for k in cols] for c in rows.values()], index=list(rows), columns=cols
    ).sort_index()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cases", type=Path, help="folder of case folders (cases/semantic)")
    ap.add_argument("--sample", type=int, default=None, help="score N cases drawn at random")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=None, help="per-case table (.csv)")
    ap.add_argument("--no-roadrunner", action="store_true")
    args = ap.parse_args(argv)
    skipped: list[str] = []
    cases = find_cases(args.cases, args.sample, args.seed, skipped)
    for line in skipped:
        print(f"skipped {line}", file=sys.stderr)
    if not cases:
        print(f"no complete cases under {args.cases}", file=sys.stderr)
        return 2
    table = score(cases, roadrunner=not args.no_roadrunner)
    if args.out:
        table.to_csv(args.out, index=False)
    n = len(table)
    print(f"{n} cases from {args.cases}\n")
    print(by_outcome(table).to_string(), "\n")
    print(by_tag(table, "components").to_string(), "\n")
    print(by_tag(table, "tests").to_string(), "\n")
    for _, r in table[table.mtorsim != "pass"].iterrows():
        print(f"{r.case} {r.mtorsim}: {r.mtorsim_message}")
    rate = (table.mtorsim == "pass").mean() * 100, (table.roadrunner == "pass").mean() * 100
    print(f"\npass rate: mtorsim {rate[0]:.0f} %, libRoadRunner {rate[1]:.0f} %")
    return 0 if not math.isnan(rate[0]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
