"""The objective of a calibration problem: batched simulations, residuals, Jacobian.

Every condition of a parameter set is one row of one ``simulate_batch`` call, and a
finite-difference Jacobian puts the base point and one perturbed point per *dynamic*
parameter into the same call (parameters that only scale read-outs or set noise reuse the
base simulation). The objective is the PEtab negative log-likelihood for normal noise,

    nllh = 1/2 Σ ((h − y)/σ)² + 1/2 Σ log(2π σ²),

written as a residual vector for least squares: r = (h − y)/σ, and, when σ depends on
estimated parameters, one more entry sqrt(log(2π σ²) + C) per measurement (C a constant
that keeps the root real), so that 1/2 ‖r‖² = nllh + m·C/2.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mtorsim.calibration.problem import parse_formula, split_overrides
from mtorsim.errors import MtorsimError

if TYPE_CHECKING:
    from mtorsim.calibration.problem import CalibrationProblem

__all__ = ["Objective"]

#: residual given to a measurement whose simulation failed (finite, so the optimiser backs off)
FAILED_RESIDUAL = 1e3
#: offset C in the noise residual sqrt(log(2π σ²) + C); positive for σ > 1e-11
SIGMA_OFFSET = 50.0


@dataclass
class _Group:
    """The measurements of one observable: rows, where they sit in the simulations, and
    the compiled observable and noise formulas with what each symbol stands for."""

    rows: np.ndarray
    cond: np.ndarray
    tidx: np.ndarray
    h_fn: Callable[..., Any]
    h_args: list[tuple[str, Any]]
    s_fn: Callable[..., Any]
    s_args: list[tuple[str, Any]]


class Objective:
    """Residuals, negative log-likelihood and finite-difference Jacobian of a problem."""

    def __init__(
        self, problem: CalibrationProblem, *, rtol: float = 1e-8, atol: float = 1e-14
    ) -> None:
        from mtorsim.engine import compile_network

        self.problem = problem
        self.rtol, self.atol = float(rtol), float(atol)
        self.compiled = compile_network(problem.model.network)
        md = problem.measurements
        self.times = np.unique(md["time"].to_numpy(dtype=float))
        if self.times[-1] <= 0:
            raise MtorsimError("measurement table: every time is 0; measure at a later time")
        self.t_end = float(self.times[-1])
        self.conditions = problem.condition_ids
        self.preeq = self._preequilibration()
        self.y = md["measurement"].to_numpy(dtype=float)
        self.m = len(md)
        self.columns = {n: i for i, n in enumerate(self.compiled.species)}
        n_sp = len(self.compiled.species)
        self.columns.update({n: n_sp + i for i, n in enumerate(self.compiled.observables)})
        self.p0 = dict(zip(self.compiled.parameters, map(float, self.compiled.p0), strict=True))
        self._ia = self._initial_assignments()
        self.groups = [self._group(obs) for obs in dict.fromkeys(md["observableId"])]
        self.sigma_free = self._sigma_depends_on_free()
        self.n_simulations = 0
        self.n_batches = 0
        self._cache: tuple[bytes, np.ndarray] | None = None
        self.events = problem.model.sbml.events() if problem.model.sbml is not None else []

    # ------------------------------------------------------------------ setup
    def _initial_assignments(self) -> list[tuple[int, Callable[..., Any], list[str]]]:
        import sympy as sp

        out = []
        for species, formula in self.problem.initial_assignments.items():
            if species not in self.columns or self.columns[species] >= len(self.compiled.species):
                continue
            expr = parse_formula(formula)
            names = sorted(s.name for s in expr.free_symbols)
            fn = sp.lambdify([sp.Symbol(n, real=True) for n in names], expr, "numpy")
            out.append((self.columns[species], fn, names))
        return out

    def _preequilibration(self) -> dict[str, str]:
        """Simulation condition -> the condition whose steady state it starts from."""
        md = self.problem.measurements
        if "preequilibrationConditionId" not in md:
            return {}
        out: dict[str, str] = {}
        pairs = md[["simulationConditionId", "preequilibrationConditionId"]].drop_duplicates()
        for cond, pre in pairs.itertuples(index=False):
            if cond in out and out[cond] != pre:
                raise MtorsimError(
                    f"measurement table: condition {cond!r} has two pre-equilibrations "
                    f"({out[cond]!r}, {pre!r}); give one per simulation condition"
                )
            out[cond] = pre
        return {c: p for c, p in out.items() if p}

    def _group(self, obs: str) -> _Group:
        import sympy as sp

        md = self.problem.measurements
        mask = (md["observableId"] == obs).to_numpy()
        rows = np.flatnonzero(mask)
        cond_pos = {c: i for i, c in enumerate(self.conditions)}
        cond = np.array([cond_pos[c] for c in md["simulationConditionId"].to_numpy()[rows]])
        tidx = np.searchsorted(self.times, md["time"].to_numpy(dtype=float)[rows])
        spec = self.problem.observables.loc[obs]
        overrides = {
            "observableParameter": md.get("observableParameters", pd.Series([""] * len(md))),
            "noiseParameter": md.get("noiseParameters", pd.Series([""] * len(md))),
        }

        def compile_formula(text: str) -> tuple[Callable[..., Any], list[tuple[str, Any]]]:
            expr = parse_formula(str(text))
            symbols = sorted(expr.free_symbols, key=lambda s: s.name)
            args = [self._symbol(s.name, obs, rows, overrides) for s in symbols]
            fn = sp.lambdify(symbols, expr, "numpy")
            return fn, args

        h_fn, h_args = compile_formula(spec["observableFormula"])
        s_fn, s_args = compile_formula(spec["noiseFormula"])
        return _Group(rows, cond, tidx, h_fn, h_args, s_fn, s_args)

    def _symbol(
        self, name: str, obs: str, rows: np.ndarray, overrides: dict[str, pd.Series]
    ) -> tuple[str, Any]:
        """What a formula symbol stands for: a placeholder, a parameter-table id, a
        simulated column or a model parameter."""
        for kind, series in overrides.items():
            prefix = f"{kind}"
            if name.startswith(prefix) and name.endswith(f"_{obs}"):
                k = int(name[len(prefix) : -len(obs) - 1]) - 1
                const = np.full(rows.size, np.nan)
                refs: list[tuple[int, str]] = []
                for pos, cell in enumerate(series.to_numpy()[rows]):
                    items = split_overrides(cell)
                    item = items[k] if k < len(items) else np.nan
                    if isinstance(item, str):
                        refs.append((pos, item))
                    else:
                        const[pos] = item
                return "placeholder", (const, refs)
        if name in self.columns:
            return "column", self.columns[name]
        if name in self.p0:
            return "model", name
        if name in self.problem.parameters.index:
            return "value", name
        raise MtorsimError(f"observable table, observable {obs!r}: unknown symbol {name!r}")

    def sigma_parameter_ids(self) -> set[str]:
        """Every parameter id a noise model reads (directly or through a placeholder)."""
        ids: set[str] = set()
        for g in self.groups:
            for kind, key in g.s_args:
                if kind in ("value", "model"):
                    ids.add(key)
                elif kind == "placeholder":
                    ids.update(pid for _, pid in key[1])
        return ids

    def _sigma_depends_on_free(self) -> bool:
        return bool(self.sigma_parameter_ids() & set(self.problem.free_ids))

    # ------------------------------------------------------------------ simulation
    def simulate(self, thetas: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """All conditions for each parameter set in one batch: (K, C, T, S+O) values and
        (K, C) solver status."""
        from mtorsim.engine import simulate_batch

        rows: list[dict[str, float]] = []
        y0s: list[np.ndarray] = []
        pre_rows: list[tuple[int, dict[str, float], np.ndarray, dict[str, float]]] = []
        for theta in thetas:
            values = self.problem.linear(theta)
            for cond in self.conditions:
                params, species = self.problem.condition_values(cond, values)
                if cond in self.preeq:
                    pre, pre_species = self.problem.condition_values(self.preeq[cond], values)
                    pre_rows.append((len(rows), pre, self._y0(pre, pre_species), species))
                rows.append(params)
                y0s.append(self._y0(params, species))
        y0 = np.array(y0s)
        failed = np.zeros(len(rows), dtype=bool)
        if pre_rows:
            from mtorsim.engine import steady_state_batch

            ss, ok = steady_state_batch(
                self.compiled,
                self._frame([r[1] for r in pre_rows]),
                initial=np.array([r[2] for r in pre_rows]),
            )
            n_sp = len(self.compiled.species)
            for (k, _, start, species), state, good in zip(pre_rows, ss, ok, strict=True):
                y0[k] = state[:n_sp] if good else start
                failed[k] = not good
                for name, value in species.items():
                    y0[k, self.columns[name]] = value
        _, values, status = simulate_batch(
            self.compiled,
            self.t_end,
            self._frame(rows),
            t_out=self.times,
            initial=y0,
            events=self.events,
            rtol=self.rtol,
            atol=self.atol,
        )
        status = np.where(failed, 4, status)
        values[failed] = np.nan
        self.n_simulations += len(rows)
        self.n_batches += 1
        k, c = len(thetas), len(self.conditions)
        return values.reshape(k, c, *values.shape[1:]), status.reshape(k, c)

    def _frame(self, rows: list[dict[str, float]]) -> pd.DataFrame:
        names = sorted({k for r in rows for k in r})
        return pd.DataFrame([[r.get(n, self.p0[n]) for n in names] for r in rows], columns=names)

    def _y0(self, params: dict[str, float], species: dict[str, float]) -> np.ndarray:
        y = self.compiled.y0.copy()
        for col, fn, names in self._ia:
            y[col] = float(fn(*[params.get(n, self.p0.get(n, np.nan)) for n in names]))
        for name, value in species.items():
            y[self.columns[name]] = value
        return y

    # ------------------------------------------------------------------ read-outs
    def predictions(self, theta: np.ndarray, sim: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Simulated observable h and noise σ for every measurement row."""
        values = self.problem.linear(theta)
        cond_params = [self.problem.condition_values(c, values)[0] for c in self.conditions]
        h = np.full(self.m, np.nan)
        sigma = np.full(self.m, np.nan)
        for g in self.groups:
            h[g.rows] = self._evaluate(g.h_fn, g.h_args, g, sim, values, cond_params)
            sigma[g.rows] = self._evaluate(g.s_fn, g.s_args, g, sim, values, cond_params)
        return h, sigma

    def _evaluate(
        self,
        fn: Callable[..., Any],
        args: list[tuple[str, Any]],
        g: _Group,
        sim: np.ndarray,
        values: dict[str, float],
        cond_params: list[dict[str, float]],
    ) -> np.ndarray:
        call = []
        for kind, key in args:
            if kind == "column":
                call.append(sim[g.cond, g.tidx, key])
            elif kind == "model":
                per = np.array([cp.get(key, values.get(key, self.p0[key])) for cp in cond_params])
                call.append(per[g.cond])
            elif kind == "value":
                call.append(values[key])
            else:
                const, refs = key
                arr = const.copy()
                for pos, pid in refs:
                    arr[pos] = values[pid]
                call.append(arr)
        return np.broadcast_to(np.asarray(fn(*call), dtype=float), g.rows.shape)

    def residuals_from(self, theta: np.ndarray, sim: np.ndarray) -> np.ndarray:
        """The residual vector (data, then noise terms) for simulations ``sim``."""
        h, sigma = self.predictions(theta, sim)
        r = (h - self.y) / sigma
        r = np.where(np.isfinite(r) & (sigma > 0), r, FAILED_RESIDUAL)  # a sigma <= 0 fails
        if not self.sigma_free:
            return r
        with np.errstate(invalid="ignore", divide="ignore"):
            s = np.sqrt(np.maximum(np.log(2.0 * np.pi * sigma**2) + SIGMA_OFFSET, 0.0))
        return np.concatenate([r, np.where(np.isfinite(s), s, FAILED_RESIDUAL)])

    def _base(self, theta: np.ndarray) -> np.ndarray:
        key = np.asarray(theta, dtype=float).tobytes()
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        sims, _ = self.simulate([theta])
        self._cache = (key, sims[0])
        return sims[0]

    def residuals(self, theta: np.ndarray) -> np.ndarray:
        """Residual vector at ``theta`` (scaled free parameters)."""
        theta = np.asarray(theta, dtype=float)
        return self.residuals_from(theta, self._base(theta))

    def nllh(self, theta: np.ndarray, sim: np.ndarray | None = None) -> float:
        """PEtab negative log-likelihood (normal noise) at ``theta``."""
        theta = np.asarray(theta, dtype=float)
        h, sigma = self.predictions(theta, self._base(theta) if sim is None else sim)
        r = (h - self.y) / sigma
        if not (np.all(np.isfinite(r)) and np.all(sigma > 0)):
            return float("inf")
        return float(0.5 * np.sum(r**2) + 0.5 * np.sum(np.log(2.0 * np.pi * sigma**2)))

    def cost_to_nllh(self, cost: float) -> float:
        """least_squares' cost (1/2 ‖r‖²) as the negative log-likelihood."""
        return float(cost - (0.5 * self.m * SIGMA_OFFSET if self.sigma_free else 0.0))

    def jacobian_fd(self, theta: np.ndarray, step: float = 1e-5) -> np.ndarray:
        """Forward differences on the scaled parameters, perturbed simulations batched."""
        theta = np.asarray(theta, dtype=float)
        ids = self.problem.free_ids
        _, hi = self.problem.bounds
        h = step * np.maximum(1.0, np.abs(theta))
        h = np.where(theta + h > hi, -h, h)
        dyn = [j for j, pid in enumerate(ids) if pid in self.problem.dynamic_ids]
        shifted = []
        for j in range(len(ids)):
            t = theta.copy()
            t[j] += h[j]
            shifted.append(t)
        key = theta.tobytes()
        have_base = self._cache is not None and self._cache[0] == key
        batch = [shifted[j] for j in dyn] if have_base else [theta, *[shifted[j] for j in dyn]]
        sims, _ = self.simulate(batch) if batch else (np.empty((0,)), None)
        if not have_base:
            self._cache = (key, sims[0])
            sims = sims[1:]
        base = self._cache[1]
        r0 = self.residuals_from(theta, base)
        jac = np.empty((r0.size, len(ids)))
        by_dyn = dict(zip(dyn, range(len(dyn)), strict=True))
        for j in range(len(ids)):
            sim = sims[by_dyn[j]] if j in by_dyn else base
            jac[:, j] = (self.residuals_from(shifted[j], sim) - r0) / h[j]
        return jac

    def simulation_table(self, theta: np.ndarray) -> pd.DataFrame:
        """The measurement table with PEtab's ``simulation`` column (and σ, residual)."""
        theta = np.asarray(theta, dtype=float)
        h, sigma = self.predictions(theta, self._base(theta))
        out = self.problem.measurements.copy()
        out["simulation"] = h
        out["sigma"] = sigma
        out["residual"] = (h - self.y) / sigma
        return out
