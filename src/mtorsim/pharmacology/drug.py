"""Drugs as data: mechanism, potency per target, pharmacokinetics, tolerability, sources.

A :class:`Drug` is immutable and checked when built. Numbers carry their source; values
not taken from a publication say ``assumed`` and why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from mtorsim.errors import MtorsimError

__all__ = ["MECHANISMS", "SITES", "Drug", "PKModel", "Potency"]

#: Binding sites a drug can occupy, and the network node whose activity each one blocks.
SITES: dict[str, str] = {
    "FKBP12": "FKBP12",  # carrier: rapamycin-like drugs bind FKBP12 first
    "FRB": "mTORC1",  # FKBP12-drug complex on the FRB domain (allosteric, mTORC1 only)
    "MTOR_KINASE": "mTOR",  # ATP site of mTOR in mTORC1 and mTORC2
    "PI3K": "PI3K",  # ATP site of p110 (class I)
    "AKT": "AKT",  # allosteric AKT (PH-in)
    "MEK": "MEK",  # allosteric MEK1/2
    "LYSOSOME": "AUTOPHAGY",  # lysosomal acidification: autophagic flux
    "ER": "ER",  # oestrogen receptor (endocrine partners; acts in the tumour layer)
    "VEGFR": "VEGFR",  # VEGF receptor kinases (angiogenesis; tumour layer)
    "DNA": "DNA",  # cytotoxic chemotherapy (tumour layer)
}

MECHANISMS = {
    "rapalog": "FKBP12 binding, then the FKBP12-drug complex binds the FRB domain of mTOR in "
    "mTORC1 (allosteric; substrate-selective)",
    "TORKi": "ATP-competitive mTOR kinase inhibitor (mTORC1 and mTORC2)",
    "dual PI3K/mTOR": "ATP-competitive inhibitor of class I PI3K and mTOR",
    "bivalent mTOR": "rapamycin linked to an mTOR kinase inhibitor (FRB + ATP site)",
    "PI3Kalpha": "ATP-competitive PI3K p110alpha inhibitor",
    "AKT": "allosteric AKT inhibitor",
    "MEK": "allosteric MEK1/2 inhibitor",
    "autophagy": "lysosomotropic; blocks autophagic flux",
    "endocrine": "oestrogen-receptor pathway blockade (partner)",
    "VEGFR-TKI": "VEGF receptor tyrosine-kinase inhibitor (partner)",
    "chemotherapy": "cytotoxic chemotherapy (partner)",
    "interferon": "type I interferon (comparator); acts in the model through the angiogenic "
    "input only (the network has no JAK-STAT or immune branch)",
    "somatostatin analogue": "SSTR2 agonist (partner in neuroendocrine tumours); acts in the "
    "model as a partial PI3K-AKT brake (SSTR2 -> SHP-1)",
}


def _positive(label: str, value: float, *, allow_zero: bool = False) -> float:
    v = float(value)
    if math.isnan(v) or math.isinf(v) or v < 0 or (v == 0 and not allow_zero):
        raise MtorsimError(f"{label} is {value}; give a finite value > 0")
    return v


@dataclass(frozen=True)
class Potency:
    """Affinity of a drug for one site: dissociation constant or IC50 (nM), with source."""

    site: str
    kd_nM: float
    source: str

    def __post_init__(self) -> None:
        if self.site not in SITES:
            raise MtorsimError(f"unknown site {self.site!r}; known: {', '.join(SITES)}")
        object.__setattr__(self, "kd_nM", _positive(f"Kd of {self.site}", self.kd_nM))


@dataclass(frozen=True)
class PKModel:
    """Population pharmacokinetics (typical values) of one drug.

    With ``apparent=True`` (the usual population-PK report for oral drugs) clearances and
    volumes are apparent values (CL/F, V/F) and the whole dose enters the depot; otherwise
    they are true values and ``F`` x dose is absorbed. ``F`` is kept either way, with its
    source, as a documented property of the drug.

    Attributes
    ----------
    route : str
        ``"oral"``, ``"iv"`` or ``"im"`` (IM depots are absorbed like oral doses).
    F : float
        Bioavailability (fraction).
    ka_per_h, cl_L_h, v1_L, q_L_h, v2_L : float
        First-order absorption rate (1/h), clearance, central volume, inter-compartmental
        clearance and peripheral volume (L, L/h).
    fu_blood : float
        Unbound fraction of the whole-blood concentration (free = fu_blood x blood).
    cv_cl, cv_v : float
        Inter-individual variability (coefficient of variation, log-normal) of CL and V1.
    infusion_h : float
        Infusion duration for IV doses (h).
    prodrug_of : str or None
        Active metabolite formed from this drug (temsirolimus -> sirolimus).
    fraction_to_metabolite : float
        Fraction of the drug's clearance that forms ``prodrug_of``.
    source : str
        Where the values come from.
    """

    route: str
    F: float
    ka_per_h: float
    cl_L_h: float
    v1_L: float
    q_L_h: float = 0.0
    v2_L: float = 0.0
    fu_blood: float = 0.05
    cv_cl: float = 0.3
    cv_v: float = 0.3
    infusion_h: float = 0.5
    prodrug_of: str | None = None
    fraction_to_metabolite: float = 0.0
    apparent: bool = True
    source: str = "assumed"

    def __post_init__(self) -> None:
        if self.route not in ("oral", "iv", "im"):
            raise MtorsimError(f"route {self.route!r}: use 'oral', 'iv' or 'im'")
        for name in ("F", "ka_per_h", "cl_L_h", "v1_L", "fu_blood", "infusion_h"):
            _positive(f"PK {name}", getattr(self, name))
        for name in ("q_L_h", "v2_L", "cv_cl", "cv_v", "fraction_to_metabolite"):
            _positive(f"PK {name}", getattr(self, name), allow_zero=True)
        if self.F > 1 or self.fu_blood > 1:
            raise MtorsimError("F and fu_blood are fractions; give values <= 1")
        if (self.q_L_h > 0) != (self.v2_L > 0):
            raise MtorsimError("a 2-compartment model needs both q_L_h and v2_L > 0")

    @property
    def absorbed_fraction(self) -> float:
        """Fraction of a dose entering the model (1 for apparent oral parameters)."""
        return 1.0 if (self.apparent or self.route == "iv") else self.F

    @property
    def compartments(self) -> int:
        return 2 if self.v2_L > 0 else 1

    @property
    def half_life_h(self) -> float:
        """Terminal half-life (h) from the micro-constants."""
        k10 = self.cl_L_h / self.v1_L
        if self.compartments == 1:
            return math.log(2) / k10
        k12, k21 = self.q_L_h / self.v1_L, self.q_L_h / self.v2_L
        s = k10 + k12 + k21
        beta = (s - math.sqrt(s * s - 4 * k10 * k21)) / 2
        return math.log(2) / beta


@dataclass(frozen=True)
class Drug:
    """A drug of the library.

    Attributes
    ----------
    name : str
        Lower-case generic name (the key of the library).
    drug_class : str
        One of :data:`MECHANISMS`.
    potencies : tuple of Potency
        Sites it binds with Kd/IC50 (nM).
    mw_g_mol : float
        Molecular weight (g/mol), to convert mg/L to nM.
    pk : PKModel or None
        Clinical PK; ``None`` for tool compounds (cell experiments only).
    dose_range_mg : tuple (low, high) or None
        Clinical dose range as mg per day averaged over the schedule (so 70 mg weekly and
        10 mg daily are both 10 mg/day), used to warn on implausible doses.
    mtd : str
        Tolerability: maximum tolerated dose / dose-limiting toxicities, with source.
    aliases : tuple of str
        Other names (codes, brand names).
    """

    name: str
    drug_class: str
    potencies: tuple[Potency, ...]
    mw_g_mol: float
    pk: PKModel | None = None
    dose_range_mg: tuple[float, float] | None = None
    default_schedule: str = "daily"
    mtd: str = ""
    aliases: tuple[str, ...] = ()
    source: str = ""
    notes: str = ""

    def __post_init__(self) -> None:
        if self.drug_class not in MECHANISMS:
            raise MtorsimError(
                f"drug class {self.drug_class!r} unknown; use one of {', '.join(MECHANISMS)}"
            )
        _positive(f"{self.name} molecular weight", self.mw_g_mol)
        object.__setattr__(self, "potencies", tuple(self.potencies))
        if not self.potencies:
            raise MtorsimError(f"drug {self.name!r} binds no site; give at least one potency")
        if self.dose_range_mg is not None:
            lo, hi = self.dose_range_mg
            if not 0 < lo <= hi:
                raise MtorsimError(f"{self.name}: dose range {self.dose_range_mg} is invalid")

    @property
    def mechanism(self) -> str:
        return MECHANISMS[self.drug_class]

    def potency(self, site: str) -> Potency | None:
        return next((p for p in self.potencies if p.site == site), None)

    @property
    def sites(self) -> tuple[str, ...]:
        return tuple(p.site for p in self.potencies)
