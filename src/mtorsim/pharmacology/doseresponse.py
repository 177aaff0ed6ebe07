"""Dose-response of any drug on any read-out, and combination matrices with synergy scores.

Cells at steady state are exposed to constant concentrations for ``hours``; the read-out
relative to untreated cells is fitted with a Hill curve (IC50, Emax, Hill slope). For pairs,
Bliss excess (observed inhibition minus the Bliss-independence expectation) and the Loewe
combination index (a/IC_A(E) + b/IC_B(E) from the fitted single-drug curves) are reported.
A drug that moves the read-out by less than :data:`NO_EFFECT` has no IC50 (NaN).
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
from mtorsim.pharmacology.catalogue import get_drug
from mtorsim.pharmacology.mechanism import drug_id
from mtorsim.pharmacology.treatment import compiled_with_drugs

__all__ = [
    "NO_EFFECT",
    "CombinationSummary",
    "DoseResponse",
    "combination_matrix",
    "combination_summary",
    "dose_response",
    "hill",
]

DEFAULT_CONCENTRATIONS = tuple(float(c) for c in np.logspace(-3, 4, 22))
#: |Emax| (fractional change of the read-out) below which a drug has no effect on it.
NO_EFFECT = 0.01


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
        read-out rises). A drug with ``|emax| < NO_EFFECT`` has no effect on the read-out:
        ``ic50_nM`` and ``hill_slope`` are NaN (see :attr:`has_effect`).
    """

    drug: str
    readout: str
    table: pd.DataFrame
    ic50_nM: float
    emax: float
    hill_slope: float

    @property
    def has_effect(self) -> bool:
        """Whether the drug moves the read-out (``|emax| >= NO_EFFECT``, so an IC50 exists)."""
        return not math.isnan(self.ic50_nM)

    def effect(self, c: np.ndarray) -> np.ndarray:
        """Fitted fractional decrease at concentrations ``c`` (0 for a drug with no effect)."""
        c = np.asarray(c, dtype=float)
        if not self.has_effect:
            return np.zeros_like(c)
        return 1.0 - hill(c, self.ic50_nM, self.emax, self.hill_slope)

    def concentration_for(self, effect: float) -> float:
        """Concentration giving fractional decrease ``effect`` (NaN if out of reach)."""
        if not self.has_effect or not 0 < effect < self.emax:
            return math.nan
        return self.ic50_nM * (effect / (self.emax - effect)) ** (1 / self.hill_slope)

    def describe(self) -> str:
        """``IC50 ... nM, Emax ..., Hill ...``, or that the drug has no effect."""
        if not self.has_effect:
            return f"no effect on {self.readout}; IC50 undefined"
        return f"IC50 {self.ic50_nM:.3g} nM, Emax {self.emax:.2f}, Hill {self.hill_slope:.2f}"


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
    """Dose-response of ``readout`` to ``drug`` in cells (Hill fit).

    A drug that changes the read-out by less than :data:`NO_EFFECT` at every concentration
    (or whose fitted ``|emax|`` is below it) has no effect: IC50 and Hill slope are NaN.
    """
    conc = _check_concentrations(concentrations_nM)
    rel = _relative([drug], conc[:, None], readout, hours, parameters)
    table = pd.DataFrame({"conc_nM": conc, "relative": rel})
    emax0 = float(1 - rel[-1])
    if np.max(np.abs(1 - rel)) < NO_EFFECT:  # flat: nothing to fit
        return DoseResponse(drug, readout, table, math.nan, emax0, math.nan)
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
    if abs(emax) < NO_EFFECT:
        return DoseResponse(drug, readout, table, math.nan, float(emax), math.nan)
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
    """Read-out over a concentration grid of two different drugs with Bliss and Loewe scores.

    Returns
    -------
    DataFrame
        ``conc_a_nM, conc_b_nM, relative, inhibition, bliss_expected, bliss_excess,
        loewe_ci`` (Loewe CI < 1: synergy; NaN where an effect is beyond a single drug or
        a drug has no effect on the read-out). ``attrs`` holds the drug names, the
        read-out and each drug's fitted ``emax_a`` / ``emax_b``.
    """
    if get_drug(drug_a).name == get_drug(drug_b).name:
        raise MtorsimError(
            f"{get_drug(drug_a).name} combined with itself: combine a drug with a different "
            "drug; for a higher dose of one drug use its own dose-response"
        )
    fa = dose_response(drug_a, readout, hours=hours, parameters=parameters)
    fb = dose_response(drug_b, readout, hours=hours, parameters=parameters)
    ca = _check_concentrations(conc_a_nM if conc_a_nM is not None else _default_grid(fa))
    cb = _check_concentrations(conc_b_nM if conc_b_nM is not None else _default_grid(fb))
    grid = np.array([(a, b) for a in ca for b in cb])
    rel = _relative([drug_a, drug_b], grid, readout, hours, parameters)
    df = pd.DataFrame({"conc_a_nM": grid[:, 0], "conc_b_nM": grid[:, 1], "relative": rel})
    df["inhibition"] = 1 - df["relative"]
    ea = fa.effect(df["conc_a_nM"].to_numpy())
    eb = fb.effect(df["conc_b_nM"].to_numpy())
    df["bliss_expected"] = ea + eb - ea * eb
    df["bliss_excess"] = df["inhibition"] - df["bliss_expected"]
    ci = []
    for a, b, e in zip(df.conc_a_nM, df.conc_b_nM, df.inhibition, strict=True):
        xa, xb = fa.concentration_for(e), fb.concentration_for(e)
        ci.append(
            a / xa + b / xb if (a > 0 and b > 0 and np.isfinite(xa) and np.isfinite(xb)) else np.nan
        )
    df["loewe_ci"] = ci
    df.attrs.update(drug_a=drug_a, drug_b=drug_b, readout=readout, emax_a=fa.emax, emax_b=fb.emax)
    return df


def _default_grid(fit: DoseResponse) -> list[float]:
    """0 and five concentrations from 0.1x to 100x the IC50 (around 1 nM without one)."""
    scale = max(fit.ic50_nM, 1e-3) if fit.has_effect else 1.0
    return [0.0, *np.logspace(-1, 2, 5) * scale]


@dataclass(frozen=True)
class CombinationSummary:
    """The headline of a combination matrix.

    Attributes
    ----------
    bliss_excess, bliss_conc_a_nM, bliss_conc_b_nM : float
        Largest Bliss excess among combinations (both concentrations > 0) and where.
    loewe_median : float
        Median Loewe CI over the combinations where it is defined (NaN if none is).
    loewe_defined, combinations : int
        How many combinations have a Loewe CI, out of how many.
    loewe_undefined_reason : str or None
        Why no combination has a Loewe CI (None when some do).
    """

    bliss_excess: float
    bliss_conc_a_nM: float
    bliss_conc_b_nM: float
    loewe_median: float
    loewe_defined: int
    combinations: int
    loewe_undefined_reason: str | None

    def describe(self) -> str:
        """One line for the terminal."""
        if self.combinations == 0:
            return "no combinations (both concentrations > 0) to score"
        bliss = (
            f"max Bliss excess {self.bliss_excess:.3f} at {self.bliss_conc_a_nM:.3g} nM + "
            f"{self.bliss_conc_b_nM:.3g} nM"
        )
        if self.loewe_undefined_reason is not None:
            return f"{bliss}; Loewe CI undefined: {self.loewe_undefined_reason}"
        return (
            f"{bliss}; median Loewe CI {self.loewe_median:.2f} (< 1 synergy) over "
            f"{self.loewe_defined} of {self.combinations} combinations"
        )


def combination_summary(df: pd.DataFrame) -> CombinationSummary:
    """Max Bliss excess and median Loewe CI over the true combinations of a matrix.

    Rows with one concentration 0 are single agents and are left out.
    """
    both = df[(df["conc_a_nM"] > 0) & (df["conc_b_nM"] > 0)]
    if both.empty:
        nan = math.nan
        return CombinationSummary(nan, nan, nan, nan, 0, 0, "no combinations to score")
    best = both.loc[both["bliss_excess"].idxmax()]
    ci = both["loewe_ci"].to_numpy(dtype=float)
    ci = ci[np.isfinite(ci)]
    reason = None if ci.size else _loewe_reason(df)
    return CombinationSummary(
        float(best["bliss_excess"]),
        float(best["conc_a_nM"]),
        float(best["conc_b_nM"]),
        float(np.median(ci)) if ci.size else math.nan,
        int(ci.size),
        len(both),
        reason,
    )


def _loewe_reason(df: pd.DataFrame) -> str:
    a, b = df.attrs.get("drug_a", "drug A"), df.attrs.get("drug_b", "drug B")
    readout = df.attrs.get("readout", "the read-out")
    emax = {a: df.attrs.get("emax_a", math.nan), b: df.attrs.get("emax_b", math.nan)}
    flat = [d for d, e in emax.items() if abs(e) < NO_EFFECT]
    if flat:
        return f"{' and '.join(flat)} {'has' if len(flat) == 1 else 'have'} no effect on {readout}"
    return (
        f"no combination's inhibition of {readout} lies within both single agents' ranges "
        f"(0 to Emax: {a} {emax[a]:.2f}, {b} {emax[b]:.2f})"
    )
