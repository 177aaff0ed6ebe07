"""Gradient of a least-squares objective: forward sensitivities vs finite differences (and
AMICI, if installed, in the same process), on Fujita 2010 and DallePezze 2012.

Run: ``python benchmarks/bench_gradient.py [--shared ../shared] [--kernel specialized]
[--fit] [--json out.json]``. Not part of the tests. The problems are those of
``python -m mtorsim.calibration.bench`` (the shipped Fujita PEtab example; a synthetic
PEtab problem on DallePezze 2012). Gradient = the residual Jacobian at the nominal values
(what least_squares asks for); the objective's gradient follows as Jᵀr. Compile time
(first call minus a warm call) is reported apart; medians of warm calls. ``--fit`` adds one
start of the Fujita fit from its nominal values with each Jacobian.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np


def _timed(fn: Any, repeats: int) -> tuple[float, float]:
    """(first call s, median of ``repeats`` warm calls s; NaN without)."""
    t0 = time.perf_counter()
    fn()
    first = time.perf_counter() - t0
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return first, float(np.median(out)) if out else float("nan")


def gradient_costs(yaml_path: Path, *, lint: bool, repeats: int) -> dict[str, Any]:
    """FD and sensitivity Jacobians of one problem: cost, compile, agreement."""
    from mtorsim.calibration.petab_io import read_petab
    from mtorsim.calibration.sensitivity import jacobian_sensitivities

    problem = read_petab(yaml_path, run_lint=lint)
    obj = problem.objective
    theta = problem.nominal

    def fd() -> np.ndarray:
        obj._cache = None
        return obj.jacobian_fd(theta)

    def sens() -> np.ndarray:
        obj._cache = None
        return jacobian_sensitivities(problem, theta)

    def objective() -> None:
        obj._cache = None
        obj.residuals(theta)

    fd_first, _ = _timed(fd, 0)
    s_first, _ = _timed(sens, 0)
    # alternated, so that both see the same load on a shared machine
    times: dict[str, list[float]] = {"fd": [], "sens": [], "obj": []}
    for _ in range(repeats):
        for key, fn in (("fd", fd), ("sens", sens), ("obj", objective)):
            t0 = time.perf_counter()
            fn()
            times[key].append(time.perf_counter() - t0)
    fd_ms, s_ms, obj_ms = (float(np.median(times[k])) for k in ("fd", "sens", "obj"))
    j_fd, j_s = fd(), sens()
    r = obj.residuals(theta)
    g_fd, g_s = j_fd.T @ r, j_s.T @ r
    return {
        "problem": problem.name,
        "free": len(problem.free_ids),
        "dynamic": len(problem.dynamic_ids),
        "conditions": len(problem.condition_ids),
        "objective_ms": 1e3 * obj_ms,
        "gradient_fd_ms": 1e3 * fd_ms,
        "gradient_sens_ms": 1e3 * s_ms,
        "sens_first_call_s": s_first,
        "fd_first_call_s": fd_first,
        "jacobian_max_rel_diff": float(
            np.max(np.abs(j_s - j_fd) / np.maximum(np.max(np.abs(j_fd), axis=0), 1e-300))
        ),
        "gradient_rel_diff": float(np.linalg.norm(g_s - g_fd) / np.linalg.norm(g_s)),
    }


def fit_times(yaml_path: Path) -> dict[str, Any]:
    """One start from the nominal values (serial, ≤ 200 evaluations) with each Jacobian."""
    from mtorsim.calibration.calibrator import run_start
    from mtorsim.calibration.petab_io import read_petab

    out: dict[str, Any] = {}
    for name, jac in (("fd", None), ("sens", "sensitivities")):
        problem = read_petab(yaml_path)
        res = run_start(problem, 0, problem.nominal, max_nfev=200, jacobian=jac)
        out[f"fit_{name}_s"] = res["seconds"]
        out[f"fit_{name}_nllh"] = res["nllh"]
        out[f"fit_{name}_nfev"] = res["nfev"]
        out[f"fit_{name}_njev"] = res["njev"]
    return out


def machine() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    except OSError:
        return "unknown"
    return "\n".join(out.splitlines()[:15])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=str(Path(__file__).parents[2] / "shared"))
    ap.add_argument("--kernel", default="specialized", choices=["specialized", "generic"])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--fit", action="store_true")
    ap.add_argument("--no-amici", action="store_true")
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    os.environ["MTORSIM_KERNEL"] = args.kernel  # read when kernels are chosen
    from mtorsim.calibration.bench import dallepezze_problem, time_amici

    example = Path(str(resources.files("mtorsim") / "data" / "petab" / "fujita2010"))
    tmp = Path(tempfile.mkdtemp(prefix="mtorsim-bench-gradient-"))
    problems = [
        (example / "fujita2010.yaml", True),
        (dallepezze_problem(Path(args.shared), tmp / "dallepezze"), False),
    ]
    rows = []
    for path, lint in problems:
        row = gradient_costs(path, lint=lint, repeats=args.repeats)
        row["kernel"] = args.kernel
        if args.fit and lint:
            row.update(fit_times(path))
        if not args.no_amici:
            try:
                row.update(time_amici(path, tmp / "amici", repeats=args.repeats))
            except ImportError as exc:
                row["amici"] = f"not installed ({exc})"
            except Exception as exc:  # an AMICI import can fail: report and go on
                row["amici"] = f"failed: {str(exc).splitlines()[0][:120]}"
        rows.append(row)
        print(json.dumps(row, indent=1), flush=True)
    result = {"machine": machine(), "python": sys.version.split()[0], "rows": rows}
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
