"""One tidy result for every run: a DataFrame with a ``time`` column and its unit in attrs.

A time course has one row per output time; a cohort has one row per patient and time (a
``patient`` column first); a steady state has one row (``time`` absent). Read-outs are
columns named as in the network (species, observables) plus, for drugs,
``<drug>_blood_ng_mL``, ``<drug>_free_nM`` and site occupancies. ``attrs`` carries
``time_unit`` and what was run (``kind``, ``model``), so a saved Parquet file says itself.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

__all__ = ["Result"]

#: Pathway read-outs shown, plotted and kept when none are named (those the network has).
DEFAULT_READOUTS = ("AKT_T308", "AKT_S473", "S6K1", "EIF4EBP1", "ERK", "GROWTH_DRIVE")

_TIME_LABEL = {"h": "time (h)", "d": "time (days)", "min": "time (min)", "s": "time (s)"}


class Result(pd.DataFrame):
    """A :class:`pandas.DataFrame` with ``time`` in ``attrs["time_unit"]``, ``.plot()`` and
    ``.save()``; every pandas operation works on it as on any DataFrame."""

    _metadata: ClassVar[list[str]] = []

    @property
    def _constructor(self) -> type[Result]:
        return Result

    @property
    def time_unit(self) -> str | None:
        """Unit of the ``time`` column (``"h"``, ``"d"`` or the model's own)."""
        return self.attrs.get("time_unit")

    @property
    def readouts(self) -> list[str]:
        """Columns that are model read-outs (not time, patient or labels)."""
        skip = {"time", "patient", "experiment", "arm"}
        return [c for c in self.columns if c not in skip]

    def plot(  # type: ignore[override]
        self,
        readouts: Sequence[str] | str | None = None,
        *,
        ax: Any = None,
        relative: bool = False,
        title: str | None = None,
    ) -> Any:
        """Read-outs over time (``relative``: fold change over the first time point);
        a cohort is drawn as median and 5-95 % band. Returns the matplotlib axes."""
        from mtorsim.report.plots import plot_cohort_bands, plot_timecourse

        names = self._plot_names(readouts)
        if "patient" in self.columns:
            frame = pd.DataFrame(self).rename(columns={"time": "time_d"})
            ax = plot_cohort_bands(frame, names, ax=ax, title=title)
        else:
            frame = pd.DataFrame(self)
            frame.attrs = dict(self.attrs)  # the model's name decides the y label's units
            ax = plot_timecourse(frame, names, ax=ax, relative_to_start=relative, title=title)
        ax.set_xlabel(_TIME_LABEL.get(self.time_unit or "", f"time ({self.time_unit})"))
        return ax

    def _plot_names(self, readouts: Sequence[str] | str | None) -> list[str]:
        from mtorsim.errors import UnknownNameError

        if readouts is None:
            names = [r for r in DEFAULT_READOUTS if r in self.columns]
            return names or self.readouts[:8]
        names = [readouts] if isinstance(readouts, str) else list(readouts)
        for n in names:
            if n not in self.columns:
                raise UnknownNameError("read-out", n, self.readouts)
        return names

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write as Parquet, CSV or TSV (by suffix), atomically: whole or not at all."""
        from mtorsim.io import write_table

        frame = pd.DataFrame(self)
        frame.attrs = dict(self.attrs)  # Parquet keeps them in its pandas metadata
        return write_table(frame, path)


def make_result(df: pd.DataFrame, time_unit: str | None, **attrs: Any) -> Result:
    """Wrap ``df`` with its time unit and run description (JSON-friendly values only)."""
    out = Result(df)
    out.attrs = {"time_unit": time_unit, **{k: v for k, v in attrs.items() if v is not None}}
    return out
