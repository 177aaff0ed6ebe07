"""Multistart fitting of a calibration problem: ``Calibrator(problem).fit(...)``.

Each start is a trust-region reflective least-squares run (``scipy.optimize.least_squares``,
``method="trf"``) on the residual vector, within the PEtab bounds on the parameters' own
scale (log10 bounds are searched in log10). Starts are drawn uniformly within those
bounds from ``(seed, start number)``, so a start is the same whatever ran before it; with a
checkpoint file each finished start is recorded at once and a resumed fit skips it.
The Jacobian is finite differences with all perturbed simulations in one batched engine
call, or (``jacobian="sensitivities"``) the engine's forward sensitivities, exact where
differences carry their own O(h) error.
"""

from __future__ import annotations

import json
import os
import pickle
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mtorsim.calibration.problem import CalibrationProblem, from_scale
from mtorsim.errors import MtorsimError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["Calibrator", "JacobianFn", "run_start"]

#: ``jacobian(problem, theta) -> (n_residuals, n_free)`` array on the scaled parameters
JacobianFn = Callable[[CalibrationProblem, np.ndarray], np.ndarray]


def start_points(problem: CalibrationProblem, n_starts: int, seed: int) -> np.ndarray:
    """Start ``i`` drawn uniformly in the scaled bounds from the stream ``(seed, i)``."""
    lo, hi = problem.bounds
    out = np.empty((n_starts, lo.size))
    for i in range(n_starts):
        rng = np.random.default_rng([int(seed), i])
        out[i] = lo + rng.random(lo.size) * (hi - lo)
    return out


def run_start(
    problem: CalibrationProblem,
    index: int,
    x0: np.ndarray,
    *,
    max_nfev: int = 200,
    jacobian: JacobianFn | str | None = None,
    tol: float = 1e-8,
) -> dict[str, Any]:
    """One local fit from ``x0``: the optimum, its nllh and the optimiser's counts."""
    from scipy.optimize import least_squares

    from mtorsim.calibration.sensitivity import resolve_jacobian

    jacobian = resolve_jacobian(jacobian)
    obj = problem.objective
    jac = obj.jacobian_fd if jacobian is None else (lambda x: jacobian(problem, x))
    t0 = time.perf_counter()
    sims0 = obj.n_simulations
    try:
        res = least_squares(
            obj.residuals,
            np.asarray(x0, dtype=float),
            jac=jac,
            bounds=problem.bounds,
            method="trf",
            x_scale="jac",
            max_nfev=int(max_nfev),
            ftol=tol,
            xtol=tol,
            gtol=tol,
        )
        x, status, message = res.x, int(res.status), str(res.message)
        nfev, njev = int(res.nfev), int(res.njev or 0)
    except (MtorsimError, ValueError, FloatingPointError) as exc:
        x, status, message, nfev, njev = np.asarray(x0, float), -1, str(exc), 0, 0
    return {
        "start": int(index),
        "nllh": obj.nllh(x),
        "status": status,
        "message": message,
        "nfev": nfev,
        "njev": njev,
        "simulations": int(obj.n_simulations - sims0),
        "seconds": round(time.perf_counter() - t0, 4),
        "x0": [float(v) for v in x0],
        "x": [float(v) for v in x],
    }


# worker processes keep one unpickled problem (and its compiled objective) for all starts
_WORKER: dict[str, Any] = {}


def _init_worker(blob: bytes, threads: int) -> None:
    os.environ.setdefault("NUMBA_NUM_THREADS", str(threads))
    _WORKER["problem"] = pickle.loads(blob)


def _worker_start(index: int, x0: np.ndarray, options: dict[str, Any]) -> dict[str, Any]:
    return run_start(_WORKER["problem"], index, x0, **options)


def _dask_start(
    problem: CalibrationProblem, index: int, x0: np.ndarray, options: dict[str, Any]
) -> dict[str, Any]:
    return run_start(problem, index, x0, **options)


def read_checkpoint(path: Path) -> dict[str, Any]:
    """A checkpoint file's contents, checked to be an object whose ``starts`` are objects
    with a whole ``start`` number (a list or a hand-edited file would die in the resume
    code); whether it fits a problem is checked when a fit reads it."""
    from mtorsim.io import decode_text

    if path.is_dir():
        raise MtorsimError(f"checkpoint {path} is a folder; give a .json file")
    try:
        data = json.loads(decode_text(path, path.read_bytes(), "JSON checkpoint"))
    except (json.JSONDecodeError, RecursionError) as exc:
        raise MtorsimError(f"checkpoint {path}: not a checkpoint file ({exc})") from None
    starts = data.get("starts", []) if isinstance(data, dict) else None
    if not isinstance(starts, list) or not all(
        isinstance(r, dict) and isinstance(r.get("start"), int) and not isinstance(r["start"], bool)
        for r in starts
    ):
        raise MtorsimError(
            f"checkpoint {path}: not a checkpoint file (an object with a list of starts, each "
            "with its start number); remove it to start afresh"
        )
    return data


class Calibrator:
    """Fit a :class:`CalibrationProblem` (or a PEtab YAML path) by multistart least squares.

    >>> cal = Calibrator("problem.yaml").fit(n_starts=4, seed=0)  # doctest: +SKIP
    >>> cal.summary                                                # doctest: +SKIP
    """

    def __init__(self, problem: CalibrationProblem | str | os.PathLike[str]) -> None:
        if not isinstance(problem, CalibrationProblem):
            from mtorsim.calibration.petab_io import read_petab

            problem = read_petab(problem)
        self.problem = problem
        self.starts = pd.DataFrame()
        self.profiles: dict[str, pd.DataFrame] = {}
        self.seed: int | None = None
        self.seconds = 0.0
        self._summary: pd.DataFrame | None = None

    def __repr__(self) -> str:
        state = f"best nllh {self.best_nllh:.4g}" if len(self.starts) else "not fitted"
        return f"<Calibrator {self.problem.name!r}: {len(self.problem.free_ids)} free, {state}>"

    # ------------------------------------------------------------------ fitting
    def fit(
        self,
        n_starts: int = 10,
        seed: int = 0,
        *,
        workers: int = 1,
        client: Any = None,
        checkpoint: str | os.PathLike[str] | None = None,
        progress: bool = False,
        max_nfev: int = 200,
        jacobian: JacobianFn | str | None = None,
        profiles: bool | Sequence[str] = False,
        include_nominal: bool = True,
    ) -> Calibrator:
        """Run ``n_starts`` local fits and keep them all (best first in :attr:`starts`).

        ``workers`` > 1 runs starts in processes, ``client`` (a Dask client) on a cluster;
        ``checkpoint`` is a JSON file of finished starts, read first and extended as starts
        finish; ``jacobian`` (``"finite-differences"``, the default, ``"sensitivities"`` for
        the engine's forward sensitivities, or a function ``f(problem, theta)``);
        ``profiles`` (True or ids) adds profile-likelihood intervals, else intervals are
        Wald (Gauss–Newton) ones.
        ``include_nominal`` makes start 0 the table's nominal values.
        """
        if int(n_starts) < 1:
            raise MtorsimError(f"n_starts is {n_starts}; give at least 1")
        if not self.problem.free_ids:
            raise MtorsimError(
                f"{self.problem.name}: no parameter has estimate = 1 in the parameter table, "
                "so there is nothing to fit; mark the ones to estimate"
            )
        if int(workers) < 1:
            raise MtorsimError(f"workers is {workers}; give at least 1")
        from mtorsim.calibration.sensitivity import resolve_jacobian

        jacobian = resolve_jacobian(jacobian)
        t0 = time.perf_counter()
        self.seed = int(seed)
        x0s = start_points(self.problem, int(n_starts), int(seed))
        if include_nominal:
            x0s[0] = self.problem.nominal
        done = self._read_checkpoint(checkpoint, int(seed), include_nominal)
        todo = [i for i in range(int(n_starts)) if i not in done]
        options = {"max_nfev": int(max_nfev), "jacobian": jacobian}
        results = dict(done)

        def finished(res: dict[str, Any]) -> None:
            results[res["start"]] = res
            if checkpoint is not None:
                self._write_checkpoint(checkpoint, results, int(seed), include_nominal)

        with _Progress(progress, len(todo), self.problem.name) as bar:
            if client is not None:
                futures = [
                    client.submit(_dask_start, self.problem, i, x0s[i], options, pure=False)
                    for i in todo
                ]
                from distributed import as_completed as dask_completed

                for fut in dask_completed(futures):
                    finished(fut.result())
                    bar.advance()
            elif int(workers) > 1 and len(todo) > 1:
                blob = pickle.dumps(self.problem)
                import multiprocessing as mp

                with ProcessPoolExecutor(
                    max_workers=min(int(workers), len(todo)),
                    mp_context=mp.get_context("spawn"),
                    initializer=_init_worker,
                    initargs=(blob, 1),
                ) as pool:
                    futs = [pool.submit(_worker_start, i, x0s[i], options) for i in todo]
                    for fut in as_completed(futs):
                        finished(fut.result())
                        bar.advance()
            else:
                for i in todo:
                    finished(run_start(self.problem, i, x0s[i], **options))
                    bar.advance()
        self.starts = (
            pd.DataFrame([results[i] for i in sorted(results)])
            .sort_values(["nllh", "start"], kind="stable")
            .reset_index(drop=True)
        )
        self.seconds = time.perf_counter() - t0
        self._summary = None
        if profiles:
            from mtorsim.calibration.profiles import profile

            ids = self.problem.free_ids if profiles is True else list(profiles)
            self.profiles = profile(self.problem, self.best_theta, ids, jacobian=jacobian)
        return self

    def _read_checkpoint(
        self, path: str | os.PathLike[str] | None, seed: int, nominal: bool
    ) -> dict[int, dict[str, Any]]:
        if path is None or not Path(path).exists():
            return {}
        data = read_checkpoint(Path(path))
        want = {"fingerprint": self.problem.fingerprint(), "seed": seed, "nominal_start": nominal}
        for key, value in want.items():
            if data.get(key) != value:
                raise MtorsimError(
                    f"checkpoint {path} was written for another {key.replace('_', ' ')} "
                    f"({data.get(key)!r}, now {value!r}); remove it or give another file"
                )
        return {int(r["start"]): r for r in data.get("starts", [])}

    def _write_checkpoint(
        self, path: str | os.PathLike[str], results: dict[int, Any], seed: int, nominal: bool
    ) -> None:
        from mtorsim.io import write_text

        data = {
            "fingerprint": self.problem.fingerprint(),
            "seed": seed,
            "nominal_start": nominal,
            "starts": [results[i] for i in sorted(results)],
        }
        write_text(path, json.dumps(data, indent=1))

    # ------------------------------------------------------------------ results
    def _need_fit(self) -> None:
        if len(self.starts) == 0:
            raise MtorsimError("nothing fitted yet; call fit() first")

    @property
    def best_theta(self) -> np.ndarray:
        """The best start's parameters on their (PEtab) scale."""
        self._need_fit()
        return np.asarray(self.starts.loc[0, "x"], dtype=float)

    @property
    def best_nllh(self) -> float:
        self._need_fit()
        return float(self.starts.loc[0, "nllh"])

    @property
    def estimates(self) -> dict[str, float]:
        """Best-fit free parameters, linear values."""
        lin = from_scale(self.best_theta, self.problem.free["parameterScale"].to_numpy())
        return dict(zip(self.problem.free_ids, map(float, lin), strict=True))

    @property
    def summary(self) -> pd.DataFrame:
        """One row per free parameter: estimate, bounds, 95 % interval, unit and source."""
        from mtorsim.calibration.profiles import intervals

        self._need_fit()
        if self._summary is not None:
            return self._summary.copy()
        free = self.problem.free
        ci = intervals(self.problem, self.best_theta, self.best_nllh, self.profiles)
        rows = []
        for pid, est in self.estimates.items():
            rows.append(
                {
                    "parameter": pid,
                    "estimate": est,
                    "lower": float(free.loc[pid, "lowerBound"]),
                    "upper": float(free.loc[pid, "upperBound"]),
                    "ci_low": ci[pid][0],
                    "ci_high": ci[pid][1],
                    "unit": self._unit(pid),
                    "source": self._source(),
                    "ci_method": ci[pid][2],
                }
            )
        self._summary = pd.DataFrame(rows)
        return self._summary.copy()

    def _unit(self, pid: str) -> str:
        net = self.problem.model.network
        if pid in net.parameter_names:
            return str(net.parameter(pid).unit) if hasattr(net, "parameter") else ""
        if pid in self.problem.objective.sigma_parameter_ids():
            return "measurement unit"
        return "measurement unit per model unit" if self._scales(pid) else "measurement unit"

    def _scales(self, pid: str) -> bool:
        """Does ``pid`` multiply a model quantity in an observable (a scale), rather than
        add to it (an offset)?"""
        from mtorsim.calibration.problem import parse_formula

        model = set(self.problem.model.network.species_names) | set(
            self.problem.model.network.observable_names
        )
        for text in self.problem.observables["observableFormula"].astype(str):
            expr = parse_formula(text)  # as the objective reads it: an id E is no constant
            symbol = next((x for x in expr.free_symbols if x.name == pid), None)
            if symbol is None:
                continue
            if {x.name for x in expr.diff(symbol).free_symbols} & model:
                return True
        return False

    def _source(self) -> str:
        p = self.problem
        conds = ", ".join(p.condition_ids[:3]) + (" …" if len(p.condition_ids) > 3 else "")
        return (
            f"fitted to {p.name} ({len(p.measurements)} measurements; {conds}); best of "
            f"{len(self.starts)} starts, seed {self.seed}"
        )

    def parameter_table(self) -> pd.DataFrame:
        """The fitted set as a data file: parameter, value, unit, source."""
        return self.summary[["parameter", "estimate", "unit", "source"]].rename(
            columns={"estimate": "value"}
        )

    def evaluate(self, problem: CalibrationProblem | pd.DataFrame | None = None) -> pd.DataFrame:
        """Fit vs data per observable: n, RMSE, mean |residual|/σ, share within ±1σ and ±2σ
        (σ from the noise model at the fit). ``problem`` may be held-out measurements."""
        target = self.problem if problem is None else problem
        if isinstance(target, pd.DataFrame):
            target = self.problem.with_measurements(target)
        table = target.objective.simulation_table(self.best_theta)
        rows = []
        for obs, g in table.groupby("observableId", sort=False):
            z = np.abs(g["residual"].to_numpy())
            diff = g["simulation"].to_numpy() - g["measurement"].to_numpy()
            rows.append(
                {
                    "observable": obs,
                    "n": len(g),
                    "rmse": float(np.sqrt(np.mean(diff**2))),
                    "mean_abs_z": float(np.mean(z)),
                    "within_1sigma": float(np.mean(z <= 1.0)),
                    "within_2sigma": float(np.mean(z <= 2.0)),
                }
            )
        return pd.DataFrame(rows)

    def fit_vs_data(self, test: CalibrationProblem | pd.DataFrame | None = None) -> pd.DataFrame:
        """:meth:`evaluate` on the fitted data (``split`` fit) and on ``test`` (held out)."""
        parts = [self.evaluate().assign(split="fit")]
        if test is not None:
            parts.append(self.evaluate(test).assign(split="test"))
        out = pd.concat(parts, ignore_index=True)
        return out[["split", *[c for c in out.columns if c != "split"]]]

    def save(
        self,
        folder: str | os.PathLike[str],
        *,
        test: CalibrationProblem | pd.DataFrame | None = None,
        figure: bool = True,
    ) -> list[Path]:
        """Write the fit's outputs into ``folder``: summary.csv, parameters.csv (the data-file
        form), starts.csv, fit_vs_data.csv, residuals.csv, fit.png and the fitted PEtab
        problem (petab/). Everything is built in a temporary folder first, then moved in,
        so an error leaves no partial output."""
        from mtorsim.io import atomic_folder

        self._need_fit()
        target = Path(folder)
        if target.exists() and not target.is_dir():
            raise MtorsimError(f"output {target} is a file; give a folder")
        with atomic_folder(target, merge=True) as tmp:
            self.summary.to_csv(tmp / "summary.csv", index=False)
            self.parameter_table().to_csv(tmp / "parameters.csv", index=False)
            starts = self.starts.copy()
            starts["x"] = [json.dumps(v) for v in starts["x"]]
            starts["x0"] = [json.dumps(v) for v in starts["x0"]]
            starts.to_csv(tmp / "starts.csv", index=False)
            self.fit_vs_data(test).to_csv(tmp / "fit_vs_data.csv", index=False)
            self.problem.objective.simulation_table(self.best_theta).to_csv(
                tmp / "residuals.csv", index=False
            )
            self.to_petab(tmp / "petab")
            if figure:
                import matplotlib.pyplot as plt

                fig = self.plot()
                fig.savefig(tmp / "fit.png", dpi=110)
                plt.close(fig)
            names = sorted(p.name for p in tmp.iterdir())
        return [target / n for n in names]

    def to_petab(self, folder: str | os.PathLike[str]) -> Path:
        """The problem with the fitted values as nominal values, as a PEtab folder."""
        from mtorsim.calibration.petab_io import write_petab

        return write_petab(self.problem, folder, theta=self.best_theta)

    def plot(self, path: str | os.PathLike[str] | None = None) -> Figure:
        """Fit vs data per observable and condition, the multistart waterfall, profiles."""
        from mtorsim.calibration.plots import plot_calibration

        self._need_fit()
        fig = plot_calibration(self)
        if path is not None:
            from mtorsim.io import atomic_path

            with atomic_path(path) as tmp:
                fig.savefig(tmp, format=Path(path).suffix.lstrip(".") or "png", dpi=110)
        return fig


class _Progress:
    """A rich progress bar over starts, or nothing."""

    def __init__(self, show: bool, total: int, name: str) -> None:
        self.show, self.total, self.name = show, total, name
        self._bar: Any = None

    def __enter__(self) -> _Progress:
        if self.show and self.total:
            from rich.progress import Progress

            self._bar = Progress(transient=True)
            self._bar.start()
            self._task = self._bar.add_task(f"fitting {self.name}", total=self.total)
        return self

    def advance(self) -> None:
        if self._bar is not None:
            self._bar.advance(self._task)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
