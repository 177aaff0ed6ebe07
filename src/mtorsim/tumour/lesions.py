"""Lesions made of clones, grown exactly between treatment changes.

Between changes each clone grows exponentially at its own net rate, so burden at any time
is ``cells0 x exp(sum_k rate_k x time spent in segment k)``: no time stepping, and arrays of
patients x lesions x clones are grown at once. Diameters follow from volume (a sphere,
1e6 cells per mm^3, assumed) as RECIST measures them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mtorsim.errors import MtorsimError
from mtorsim.tumour.growth import TumourParameters, net_growth_rate
from mtorsim.tumour.signals import clone_signals

__all__ = ["CELLS_PER_MM3", "Tumour", "cells_from_diameter", "diameter_mm", "grow"]

CELLS_PER_MM3 = 1.0e6  # assumed tumour cell density (about 1e9 cells per cm^3)


def cells_from_diameter(diameter_mm: np.ndarray | float) -> np.ndarray:
    """Cells in a spherical lesion of the given diameter (mm)."""
    d = np.asarray(diameter_mm, dtype=float)
    return np.pi / 6.0 * d**3 * CELLS_PER_MM3


def diameter_mm(cells: np.ndarray | float) -> np.ndarray:
    """Longest diameter (mm) of a spherical lesion holding ``cells``."""
    return np.cbrt(6.0 * np.asarray(cells, dtype=float) / (np.pi * CELLS_PER_MM3))


def grow(
    cells0: np.ndarray, starts: np.ndarray, rates: np.ndarray, times: np.ndarray
) -> np.ndarray:
    """Cells at ``times`` under piecewise-constant growth rates.

    Parameters
    ----------
    cells0 : (P, L, C) cells per patient, lesion and clone at time 0.
    starts : (P, K) start day of each of K segments (first 0, non-decreasing; a segment
        that never starts has ``inf``).
    rates : (P, K, C) net growth rate (1/day) of each clone in each segment.
    times : (T,) days.

    Returns
    -------
    (P, L, C, T) cells.
    """
    t = np.asarray(times, dtype=float)
    ends = np.concatenate([starts[:, 1:], np.full((starts.shape[0], 1), np.inf)], axis=1)
    # time spent in each segment by each output time: (P, K, T)
    spent = np.clip(t[None, None, :] - starts[:, :, None], 0.0, None)
    with np.errstate(invalid="ignore"):  # inf - inf for segments that never start
        length = np.where(np.isfinite(ends), ends - starts, np.inf)
    spent = np.minimum(spent, np.nan_to_num(length, nan=0.0)[:, :, None])
    # capped: beyond e^200-fold growth the patient has long been dead (avoids overflow)
    log_growth = np.minimum(np.einsum("pkc,pkt->pct", rates, spent), 200.0)
    return cells0[:, :, :, None] * np.exp(log_growth[:, None, :, :])


@dataclass
class Tumour:
    """One patient's tumour: lesions holding cells of several clones.

    Attributes
    ----------
    clones : dict
        Clone name -> network parameters of its genotype (``{}`` = wild type).
    cells : (L, C) array
        Initial cells per lesion (rows) and clone (columns, in ``clones`` order).
    params : TumourParameters
        Kinetics of the cancer type.
    """

    clones: dict[str, dict[str, float]]
    cells: np.ndarray
    params: TumourParameters = field(default_factory=TumourParameters)

    def __post_init__(self) -> None:
        self.cells = np.atleast_2d(np.asarray(self.cells, dtype=float))
        if self.cells.shape[1] != len(self.clones):
            raise MtorsimError(
                f"cells has {self.cells.shape[1]} clone columns but {len(self.clones)} clones"
            )
        if not np.all(np.isfinite(self.cells)) or (self.cells < 0).any():
            raise MtorsimError("cells must be finite and >= 0")

    @classmethod
    def from_lesions(
        cls,
        diameters_mm: Sequence[float],
        fractions: Sequence[Mapping[str, float]],
        clones: dict[str, dict[str, float]],
        params: TumourParameters | None = None,
    ) -> Tumour:
        """Lesions by diameter, each with its clone fractions (missing clones: 0)."""
        if len(diameters_mm) != len(fractions):
            raise MtorsimError("give one clone-fraction mapping per lesion")
        frac = np.array([[f.get(c, 0.0) for c in clones] for f in fractions], dtype=float)
        unknown = {k for f in fractions for k in f} - set(clones)
        if unknown:
            raise MtorsimError(f"unknown clones in fractions: {', '.join(sorted(unknown))}")
        total = frac.sum(axis=1, keepdims=True)
        if (total <= 0).any():
            raise MtorsimError("every lesion needs a positive clone fraction")
        cells = cells_from_diameter(np.asarray(diameters_mm))[:, None] * frac / total
        return cls(clones, cells, params or TumourParameters())

    def rates(self, drugs: Sequence[str], exposures_nM: Mapping[str, float]) -> np.ndarray:
        """Net growth rate (1/day) of each clone under ``drugs`` at free ``exposures_nM``."""
        genotypes = pd.DataFrame(list(self.clones.values())).reset_index(drop=True)
        signals = clone_signals(
            list(drugs),
            {d: np.full(len(genotypes), c) for d, c in exposures_nM.items()},
            genotypes,
        )
        return net_growth_rate(self.params, signals)

    def simulate(
        self,
        treatments: Sequence[tuple[float, Sequence[str], Mapping[str, float]]],
        days: float,
        *,
        every_days: float = 7.0,
    ) -> pd.DataFrame:
        """Burden over time under a sequence of treatments.

        ``treatments`` is a list of ``(start_day, drugs, free exposures nM)``; the first
        starts at day 0 (use ``(0, [], {})`` for untreated). Returns a tidy table
        ``day, lesion, clone, cells, diameter_mm`` plus per-lesion totals (clone ``"all"``).
        """
        if not treatments or treatments[0][0] != 0:
            raise MtorsimError("the first treatment must start at day 0")
        starts = np.array([[float(t[0]) for t in treatments]])
        if (np.diff(starts) < 0).any():
            raise MtorsimError("treatment start days must not decrease")
        rates = np.stack([self.rates(t[1], t[2]) for t in treatments])[None]
        times = np.arange(0.0, days + 1e-9, every_days)
        cells = grow(self.cells[None], starts, rates, times)[0]
        rows = []
        names = list(self.clones)
        for lesion in range(cells.shape[0]):
            for c, name in enumerate([*names, "all"]):
                n = cells[lesion].sum(axis=0) if name == "all" else cells[lesion, c]
                rows.append(
                    pd.DataFrame(
                        {
                            "day": times,
                            "lesion": lesion,
                            "clone": name,
                            "cells": n,
                            "diameter_mm": diameter_mm(n),
                        }
                    )
                )
        return pd.concat(rows, ignore_index=True)
