"""Compare mtorsim with libRoadRunner on real published SBML models.

Run: ``python benchmarks/sbml_real_models.py FOLDER [--until T] [--points N]
[--span NAME=T ...]``. Every ``*.xml`` in FOLDER is imported by both tools and simulated
from the model's own initial state (the file's parameter values; PEtab overrides are not
applied) to ``--until`` (default 100 model time units; ``--span NAME=T`` sets another end
for one model, e.g. a stiff or chaotic one, and the table says so) at tight tolerances:
mtorsim rtol 1e-10 atol 1e-14, libRoadRunner relative 1e-10 absolute 1e-12. Every species
column (concentrations, or amounts where hasOnlySubstanceUnits) is compared with the SBML
Test Suite's criterion |a - b| <= 1e-6 + 1e-5 |b|, b from libRoadRunner.

Times: the first (load, compile, run) and the same run again on the loaded model.
Outcomes: ``agree``; ``differ`` (worst species and time named, and libRoadRunner rerun 100x
tighter to show which side moved: the outcome stays ``differ``); ``refused`` (a one-line
SBMLError naming the construct); ``error`` (another MtorsimError, e.g. the solver);
``crashed`` (any other exception); ``rr failed`` (libRoadRunner could not simulate it).
The models come from the PEtab benchmark collection
(github.com/Benchmarking-Initiative/Benchmark-Models-PEtab); they are not stored here.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sbml_test_suite import failure  # the same outcomes as the suite runner (benchmarks/)

ABS, REL = 1e-6, 1e-5


@dataclass
class Run:
    outcome: str
    message: str = ""
    values: pd.DataFrame | None = None
    seconds: float = float("nan")  # load, compile and the first run
    rerun: float = float("nan")  # the same run again on the loaded model


def run_mtorsim(path: Path, until: float, points: int) -> Run:
    import mtorsim

    t0 = time.perf_counter()
    try:
        model = mtorsim.load(path)
        res = model.simulate(until=until, points=points, rtol=1e-10, atol=1e-14)
        first = time.perf_counter() - t0
        t1 = time.perf_counter()
        model.simulate(until=until, points=points, rtol=1e-10, atol=1e-14)
        again = time.perf_counter() - t1
    except Exception as exc:
        return Run(*failure(exc))
    return Run("ok", values=pd.DataFrame(res), seconds=first, rerun=again)


def run_roadrunner(
    path: Path, until: float, points: int, rtol: float = 1e-10, atol: float = 1e-12
) -> Run:
    import libsbml

    try:
        import roadrunner
    except ImportError:
        return Run("rr failed", "libRoadRunner is not installed")
    t0 = time.perf_counter()
    try:
        rr = roadrunner.RoadRunner(str(path))
        sb = libsbml.readSBMLFromFile(str(path)).getModel()
        ids = [*rr.model.getFloatingSpeciesIds(), *rr.model.getBoundarySpeciesIds()]
        sel = [s if sb.getSpecies(s).getHasOnlySubstanceUnits() else f"[{s}]" for s in ids]
        rr.timeCourseSelections = ["time", *sel]
        rr.integrator.relative_tolerance = rtol
        rr.integrator.absolute_tolerance = atol
        data = np.asarray(rr.simulate(0, until, points))
        first = time.perf_counter() - t0
        rr.resetAll()
        t1 = time.perf_counter()
        rr.simulate(0, until, points)
        again = time.perf_counter() - t1
    except Exception as exc:
        return Run("rr failed", f"{type(exc).__name__}: {exc}".splitlines()[0])
    table = pd.DataFrame(data, columns=["time", *ids])
    return Run("ok", values=table, seconds=first, rerun=again)


def compare(mt: pd.DataFrame, rr: pd.DataFrame) -> tuple[bool, float, str]:
    """Whether every species column agrees; the largest relative difference
    |a-b| / max(|b|, ABS/REL) and the first failing point."""
    worst, where, ok = 0.0, "", True
    for var in rr.columns[1:]:
        if var not in mt.columns:
            return False, float("nan"), f"mtorsim has no column {var!r}"
        a, b = mt[var].to_numpy(float), rr[var].to_numpy(float)
        if a.shape != b.shape:
            return False, float("nan"), f"{var}: {a.size} rows, roadrunner {b.size}"
        with np.errstate(invalid="ignore", divide="ignore"):
            bad = ~((np.abs(a - b) <= ABS + REL * np.abs(b)) | (np.isnan(a) & np.isnan(b)))
            rel = np.abs(a - b) / np.maximum(np.abs(b), ABS / REL)
        rel = np.where(np.isnan(rel), np.inf if bad.any() else 0.0, rel)
        i = int(np.argmax(rel))
        if rel[i] > worst or (bad.any() and ok):
            worst = max(worst, float(rel[i]))
            if bad.any():
                j = int(np.argmax(bad))
                where = f"{var} at t={rr['time'].iloc[j]:g}: {a[j]:.6g} vs {b[j]:.6g}"
        ok = ok and not bad.any()
    return ok, worst, where


def score(path: Path, until: float, points: int) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mt = run_mtorsim(path, until, points)
        rr = run_roadrunner(path, until, points)
    row = {
        "model": path.stem,
        "until": until,
        "outcome": mt.outcome,
        "max_rel_diff": float("nan"),
        "mtorsim_s": mt.seconds,
        "mtorsim_rerun_s": mt.rerun,
        "roadrunner_s": rr.seconds,
        "roadrunner_rerun_s": rr.rerun,
        "message": mt.message,
    }
    if mt.outcome != "ok":
        return row
    if rr.outcome != "ok":
        return {**row, "outcome": "rr failed", "message": rr.message}
    ok, worst, where = compare(mt.values, rr.values)
    row = {**row, "outcome": "agree" if ok else "differ", "max_rel_diff": worst, "message": where}
    if not ok:  # which side is off: libRoadRunner 100x tighter, against both
        tight = run_roadrunner(path, until, points, rtol=1e-12, atol=1e-14)
        if tight.outcome == "ok":
            mt_ok, mt_worst, _ = compare(mt.values, tight.values)
            _, rr_worst, _ = compare(rr.values, tight.values)
            row["message"] += (
                f"; libRoadRunner at rtol 1e-12 atol 1e-14 is {mt_worst:.1e} from mtorsim "
                f"({'agrees' if mt_ok else 'differs'}), {rr_worst:.1e} from itself at 1e-10"
            )
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path, help="folder of SBML files (*.xml)")
    ap.add_argument("--until", type=float, default=100.0, help="end time, model units")
    ap.add_argument("--points", type=int, default=101)
    ap.add_argument("--span", action="append", default=[], help="NAME=T: another end time")
    args = ap.parse_args(argv)
    spans = dict(s.split("=", 1) for s in args.span)
    files = sorted(args.folder.glob("*.xml"))
    if not files:
        print(f"no *.xml in {args.folder}", file=sys.stderr)
        return 2
    rows = [score(f, float(spans.get(f.stem, args.until)), args.points) for f in files]
    table = pd.DataFrame(rows)
    for r in rows:
        print(
            f"{r['model']:<36} {r['outcome']:<9} until={r['until']:<7g} "
            f"max rel diff={r['max_rel_diff']:.2e}  "
            f"mtorsim {r['mtorsim_s']:.3f} s ({r['mtorsim_rerun_s']:.3f} s again)  "
            f"roadrunner {r['roadrunner_s']:.3f} s ({r['roadrunner_rerun_s']:.3f} s again)"
        )
        if r["message"]:
            print(f"    {r['message']}")
    counts = table["outcome"].value_counts().to_dict()
    print("\n" + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
