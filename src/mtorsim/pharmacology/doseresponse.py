"""Dose-response of any drug on any read-out, and combination matrices with synergy scores.

Cells at steady state are exposed to constant concentrations for ``hours``; the read-out
relative to untreated cells is fitted with a Hill curve (IC50, Emax, Hill slope). For pairs,
Bliss excess (observed inhibition minus the Bliss-independence expectation) and the Loewe
combination index (a/IC_A(E) + b/IC_B(E) from the fitted single-drug curves) are reported.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import curve_fit

from mtorsim.engine.simulate import simulate_batch
from mtorsim.engine.steady import steady_state
from mtorsim.errors import MtorsimError, UnknownNameError
from mtorsim.pharmacology.mechanism import drug_id
from mtorsim.pharmacology.treatment import compiled_with_drugs

__all__ = ["DoseResponse", "combination_matrix", "dose_response", "hill"]

DEFAULT_CONCENTRATIONS = tuple(float(c) for c in np.logspace(-3, 4, 22))


def hill(c: np.ndarray, ic50: float, emax: float, n: float) -> np.ndarray:
    """Relative read-out: 1 - emax * c^n / (ic50^n + c^n)."""
    c = np.asarray(c, dtype=float)
    return 1.0 - emax * c**n / (ic50**n + c**n)


@dataclass(frozen=True)
class DoseResponse:
    """Fitted dose-response.

    Attributes
    ----------
    table : DataFrame
        ``conc_nM, value, relative``.
    ic50_nM, emax, hill_slope : float
        Fitted Hill parameters (``emax`` = maximal fractional decrease; negative if the
        read-out rises).
    """

    drug: str
    readout: str
    table: pd.DataFrame
    ic50_nM: float
    emax: float
    hill_slope: float

    def concentration_for(self, effect: float) -> float:
        """Concentration giving fractional decrease ``effect`` (NaN if out of reach)."""
        if not 0 < effect < self.emax:
            return math.nan
        return self.ic50_nM * (effect / (self.emax - effect)) ** (1 / self.hill_slope)


def _relative(
    drugs: Sequence[str],
    grid: np.ndarray,
    readout: str,
    hours: float,
    parameters: Mapping[str, float] | None,
) -> np.ndarray:
    compiled = compiled_with_drugs(list(drugs), pk=False)
    names = [*compiled.species, *compiled.observables]
    if readout not in names:
        raise UnknownNameError("read-out", readout, [n for n in names if "__" not in n])
    base = dict(parameters or {})
    ss = steady_state(compiled, base).values
    y0 = ss[list(compiled.species)].to_numpy()
    cols = {f"{drug_id(d)}__medium_nM": grid[:, i] for i, d in enumerate(drugs)}
    sets = pd.DataFrame({**{k: np.full(len(grid), v) for k, v in base.items()}, **cols})
    _, values, status = simulate_batch(
        compiled, hours, sets, t_out=[hours], initial=np.repeat(y0[None], len(grid), axis=0)
    )
    if (status != 0).any():
        raise MtorsimError(f"{int((status != 0).sum())} dose-response simulations failed")
    j = names.index(readout)
    return values[:, -1, j] / ss[readout] if ss[readout] != 0 else values[:, -1, j]


def _check_concentrations(conc: Sequence[float]) -> np.ndarray:
    arr = np.asarray(conc, dtype=float)
    if arr.size < 4 or not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise MtorsimError("give at least 4 finite, non-negative concentrations (nM)")
    return arr


def dose_response(
    drug: str,
    readout: str = "S6K1",
    *,
    concentrations_nM: Sequence[float] = DEFAULT_CONCENTRATIONS,
    hours: float = 24.0,
    parameters: Mapping[str, float] | None = None,
) -> DoseResponse:
    """Dose-response of ``readout`` to ``drug`` in cells (Hill fit)."""
    conc = _check_concentrations(concentrations_nM)
    rel = _relative([drug], conc[:, None], readout, hours, parameters)
    emax0 = float(1 - rel[-1])
    target = 1 - emax0 / 2
    ic0 = float(conc[np.argmin(np.abs(rel - target))]) or 1.0
    try:
        (ic50, emax, n), _ = curve_fit(
            hill,
            np.maximum(conc, 1e-12),
            rel,
            p0=(ic0, emax0 if emax0 != 0 else 0.5, 1.0),
            bounds=([1e-6, -10.0, 0.1], [1e8, 1.0, 10.0]),
            maxfev=20_000,
        )
    except RuntimeError as exc:
        raise MtorsimError(f"Hill fit of {drug} on {readout} failed: {exc}") from None
    table = pd.DataFrame({"conc_nM": conc, "relative": rel})
    return DoseResponse(drug, readout, table, float(ic50), float(emax), float(n))


def combination_matrix(
    drug_a: str,
    drug_b: str,
    readout: str = "S6K1",
    *,
    conc_a_nM: Sequence[float] | None = None,
    conc_b_nM: Sequence[float] | None = None,
    hours: float = 24.0,
    parameters: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Read-out over a concentration grid of two drugs with Bliss and Loewe scores.

    Returns
    -------
    DataFrame
        ``conc_a_nM, conc_b_nM, relative, inhibition, bliss_expected, bliss_excess,
        loewe_ci`` (Loewe CI < 1: synergy; NaN where an effect is beyond a single drug).
    """
    fa = dose_response(drug_a, readout, hours=hours, parameters=parameters)
    fb = dose_response(drug_b, readout, hours=hours, parameters=parameters)
    ca = _check_concentrations(
        conc_a_nM
        if conc_a_nM is not None
        else [0.0, *np.logspace(-1, 2, 5) * max(fa.ic50_nM, 1e-3)]
    )
    cb = _check_concentrations(
        conc_b_nM
        if conc_b_nM is not None
        else [0.0, *np.logspace(-1, 2, 5) * max(fb.ic50_nM, 1e-3)]
    )
    grid = np.array([(a, b) for a in ca for b in cb])
    rel = _relative([drug_a, drug_b], grid, readout, hours, parameters)
    df = pd.DataFrame({"conc_a_nM": grid[:, 0], "conc_b_nM": grid[:, 1], "relative": rel})
    df["inhibition"] = 1 - df["relative"]
    ea = 1 - hill(df["conc_a_nM"], fa.ic50_nM, fa.emax, fa.hill_slope)
    eb = 1 - hill(df["conc_b_nM"], fb.ic50_nM, fb.emax, fb.hill_slope)
    df["bliss_expected"] = ea + eb - ea * eb
    df["bliss_excess"] = df["inhibition"] - df["bliss_expected"]
    ci = []
    for a, b, e in zip(df.conc_a_nM, df.conc_b_nM, df.inhibition, strict=True):
        xa, xb = fa.concentration_for(e), fb.concentration_for(e)
        ci.append(
            a / xa + b / xb if (a > 0 and b > 0 and np.isfinite(xa) and np.isfinite(xb)) else np.nan
        )
    df["loewe_ci"] = ci
    df.attrs.update(drug_a=drug_a, drug_b=drug_b, readout=readout)
    return df
