"""The growth law: net growth of a clone from its signalling read-outs.

Untreated, a clone grows at ``r0 = ln 2 / doubling time``, the balance of proliferation
``p`` and death ``d = cell_loss x p`` (the cell-loss factor of tumour kinetics). Drugs act
through the read-outs of :mod:`mtorsim.tumour.signals`::

    proliferation = p x ((1 - pathway_share) + pathway_share x drive**drive_exponent)
                      x (1 - er_dependence x ER_block)
                      x (1 - vegf_dependence x (1 - vegf x (1 - VEGFR_block)))
    death         = d x autophagy**(-autophagy_survival) + chemo_kill x cytotoxic_exposure
                      + sum over routes of kill(route) x (proliferation it blocks)

so an mTORC1 inhibitor that lowers the growth drive slows proliferation (cytostasis) only
in the share of growth the pathway drives (the rest runs on other drivers: KRAS/MAPK in
colorectal cancer), and a cancer-type fraction of the proliferation it blocks turns into
cell death (apoptosis, the shrinkage behind objective responses). Each route of the law
(growth drive, oestrogen receptor, blood supply) has its own kill: the blocked
proliferation is shared between the routes in proportion to the log of each factor, so the
split does not depend on the order of the product. The kill belongs to the route, whichever
drug blocks it (everolimus lowers VEGF through HIF-1a, so a little of its effect runs
through the blood supply too): cutting the supply shrinks tumours by vascular pruning and
necrosis where cytostasis through the drive rarely does (Study 205: lenvatinib ORR 27 %
beside everolimus 6 %), and the receptor block after an aromatase inhibitor rarely shrinks a
tumour (BOLERO-2: exemestane 2 %, with everolimus 13 %). Regrowth resumes as soon as the
drive returns (C19). Autophagy protects cells: blocking it (HCQ) raises death, its
re-activation by rapalogs lowers it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from mtorsim.errors import MtorsimError

__all__ = ["ROUTE_KILLS", "TumourParameters", "net_growth_rate"]

#: death per blocked proliferation on each route of the law: growth drive, oestrogen
#: receptor, blood supply
ROUTE_KILLS = ("cytotoxic_fraction", "er_cytotoxic_fraction", "vegf_cytotoxic_fraction")


@dataclass(frozen=True)
class TumourParameters:
    """Tumour kinetics of one cancer type (per day; see ``data/trials/cancer_types.csv``).

    Attributes
    ----------
    doubling_time_d : float
        Untreated volume doubling time (days).
    cell_loss : float
        Death as a fraction of proliferation untreated (0-1).
    drive_exponent : float
        Sensitivity of proliferation to the growth drive (1 = proportional).
    er_dependence, vegf_dependence : float
        Fraction of proliferation that needs oestrogen-receptor signalling / angiogenesis.
    autophagy_survival : float
        Exponent of the protective effect of autophagic flux on death.
    chemo_kill_per_day : float
        Extra death rate (1/day) at full cytotoxic exposure.
    pathway_share : float
        Share of proliferation the growth drive controls (0-1; 1 = all of it).
    cytotoxic_fraction : float
        Death added per unit of drug-blocked proliferation (0 = purely cytostatic; up to
        4: a drug can trigger apoptosis faster than the proliferation it blocks).
    er_cytotoxic_fraction, vegf_cytotoxic_fraction : float or None
        The same for proliferation blocked through the oestrogen receptor and through the
        blood supply; ``None``: equal to ``cytotoxic_fraction`` (which is then the growth
        drive's). Filled in at construction, so ``dataclasses.replace`` of
        ``cytotoxic_fraction`` alone leaves the other two where they were.
    """

    doubling_time_d: float = 60.0
    cell_loss: float = 0.5
    drive_exponent: float = 1.0
    er_dependence: float = 0.0
    vegf_dependence: float = 0.0
    autophagy_survival: float = 0.3
    chemo_kill_per_day: float = 0.02
    pathway_share: float = 1.0
    cytotoxic_fraction: float = 0.0
    er_cytotoxic_fraction: float | None = None
    vegf_cytotoxic_fraction: float | None = None

    def __post_init__(self) -> None:
        for name in ROUTE_KILLS[1:]:
            if getattr(self, name) is None:
                object.__setattr__(self, name, self.cytotoxic_fraction)
        for f in fields(self):
            v = getattr(self, f.name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v >= 0):
                raise MtorsimError(f"tumour parameter {f.name} = {v!r}: give a number >= 0")
        if self.doubling_time_d <= 0:
            raise MtorsimError("doubling_time_d must be > 0 days")
        if self.cell_loss >= 1:
            raise MtorsimError("cell_loss is a fraction of proliferation; give a value below 1")
        for name in ROUTE_KILLS:
            if getattr(self, name) > 4:
                raise MtorsimError(f"{name} is death per blocked proliferation; give 0-4")
        for name in ("er_dependence", "vegf_dependence", "pathway_share"):
            if getattr(self, name) > 1:
                raise MtorsimError(f"{name} is a fraction; give a value from 0 to 1")

    @property
    def proliferation_per_day(self) -> float:
        return math.log(2) / self.doubling_time_d / (1.0 - self.cell_loss)


def net_growth_rate(params: TumourParameters | pd.DataFrame, signals: pd.DataFrame) -> np.ndarray:
    """Net growth rate (1/day) per row of ``signals``.

    ``params`` is one :class:`TumourParameters` or a DataFrame with its fields per row (so
    each patient can have their own doubling time).
    """
    if isinstance(params, TumourParameters):
        table = pd.DataFrame([params.__dict__] * len(signals))
    else:
        table = params.reset_index(drop=True)
    td = table["doubling_time_d"].to_numpy(float)
    loss = table["cell_loss"].to_numpy(float)
    p = np.log(2) / td / (1.0 - loss)
    s = signals.reset_index(drop=True)
    supply = s["vegf"].to_numpy() * (1.0 - s["VEGFR_block"].to_numpy())
    share = _column(table, "pathway_share", 1.0)
    drive = np.maximum(s["drive"].to_numpy(), 0.0) ** table["drive_exponent"].to_numpy(float)
    factors = (  # the routes of ROUTE_KILLS, in order
        (1.0 - share) + share * drive,
        1.0 - table["er_dependence"].to_numpy(float) * s["ER_block"].to_numpy(),
        1.0 - table["vegf_dependence"].to_numpy(float) * (1.0 - supply),
    )
    prolif = p * factors[0] * factors[1] * factors[2]
    autophagy = np.clip(s["autophagy"].to_numpy(), 0.05, None)
    death = loss * p * autophagy ** (-table["autophagy_survival"].to_numpy(float))
    death = death + table["chemo_kill_per_day"].to_numpy(float) * s["cytotoxic_exposure"].to_numpy()
    # the blocked proliferation, shared between the routes by the log of their factors
    blocked = np.maximum(p - prolif, 0.0)
    weights = [-np.log(np.clip(f, 1e-12, 1.0)) for f in factors]
    total = np.maximum(sum(weights), 1e-300)
    base_kill = _column(table, ROUTE_KILLS[0], 0.0)
    for name, w in zip(ROUTE_KILLS, weights, strict=True):
        kill = _column(table, name, np.nan)
        kill = np.where(np.isnan(kill), base_kill, kill)
        death = death + kill * blocked * w / total
    return prolif - death


def _column(table: pd.DataFrame, name: str, default: float) -> np.ndarray:
    """A per-row parameter, or its default for tables written before it existed."""
    if name in table:
        return table[name].to_numpy(float)
    return np.full(len(table), default)
