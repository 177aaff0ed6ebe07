"""Drugs acting on a network through their mechanism, written as reactions.

``with_drugs(network, ["everolimus", "trametinib"])`` returns a new network with, per drug:

* exposure: PK compartments (depot, central, peripheral, in mg) and the free
  concentration ``<drug>__free_nM`` (fu x blood concentration), or, for cell experiments,
  a medium concentration parameter ``<drug>__medium_nM``;
* binding: mass-action occupancy of each site it binds (``<drug>__<SITE>``, fraction), with
  competition between drugs for the same site; rapamycin-like drugs first bind FKBP12
  (``<drug>__FKBP12``, nM) and the complex binds the FRB domain of mTORC1;
* action: every use of a target node as an actor in a rate law is scaled by the fraction of
  it left unblocked. FRB-bound mTORC1 keeps part of its activity toward 4E-BP1 and ULK1
  (``rapalog_residual_4ebp1``, ``rapalog_residual_ulk1``): the substrate selectivity of
  rapalogs (C13) and their weak autophagy induction (C11) follow from this, not from a
  fixed percentage. A bivalent drug held at the FRB blocks every substrate.

Partners (endocrine, VEGFR-TKI, chemotherapy) get exposure and occupancy observables
(``ER_block``, ``VEGFR_block``, ``cytotoxic_exposure``) that the tumour layer reads.

Time: every rate the drug layer adds (binding, unbinding, PK) is per hour, as its constants
are (``kon_drug`` in 1/(nM*h), clearances in L/h, ...). On a network whose time unit is
another (an imported SBML model in seconds, minutes, ...) each of those rate laws is
multiplied by ``drug_h_per_time_unit`` (hours in one model time unit, e.g. 1/3600 for
seconds), so the constants keep their units and the kinetics run in the model's time. A
time unit that is no time (``dimensionless``, undeclared) is taken as hours, with a
:class:`DrugTimeUnitWarning`.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import replace

from mtorsim.errors import MtorsimError
from mtorsim.network.components import Observable, Parameter, Reaction, Species
from mtorsim.network.expressions import identifiers
from mtorsim.network.hooks import substitute_nodes
from mtorsim.network.model import Network
from mtorsim.pharmacology.catalogue import get_drug
from mtorsim.pharmacology.drug import Drug
from mtorsim.time_units import hours_per

__all__ = [
    "DRUG_PARAMETERS",
    "TARGET_NODES",
    "TIME_SCALE",
    "DrugTimeUnitWarning",
    "drug_id",
    "drug_targets",
    "with_drugs",
]


class DrugTimeUnitWarning(UserWarning):
    """The network's time unit is no time: drug rates (per hour) are applied as if it were
    hours."""


#: parameter multiplying the drug layer's rates on networks not in hours
TIME_SCALE = "drug_h_per_time_unit"


#: Parameters shared by all drugs (added once).
DRUG_PARAMETERS = [
    Parameter(
        "FKBP12_total",
        1000.0,
        "nM",
        "assumed: FKBP12 is abundant (low µM) in cells; with Kd 0.2 nM and 12 nM this "
        "gives a pM cellular IC50 on pS6K1, lower than the sub-nM values usually "
        "measured (drug depletion from the medium is not modelled)",
        "FKBP12 available to rapamycin-like drugs",
    ),
    Parameter(
        "kon_drug",
        3.6,
        "1/(nM*h)",
        "assumed: 1e6 /M/s, typical drug association",
        "association rate constant of drugs and drug complexes",
    ),
    Parameter(
        "rapalog_residual_4ebp1",
        0.5,
        "1",
        "assumed; mechanism Choo 2008, Kang 2013 (4E-BP1 partly rapamycin-resistant)",
        "activity toward 4E-BP1 kept by FRB-bound mTORC1",
    ),
    Parameter(
        "rapalog_residual_ulk1",
        0.5,
        "1",
        "assumed; mechanism Thoreen 2009 (rapamycin weakly induces autophagy)",
        "activity toward ULK1 S757 kept by FRB-bound mTORC1",
    ),
    Parameter(
        "FRB_resistance",
        1.0,
        "1",
        "genotype input (wild type)",
        "Kd multiplier of FKBP12-drug binding to FRB (A2034V, F2108L, S2035I >> 1)",
    ),
    Parameter(
        "MTOR_kinase_resistance",
        1.0,
        "1",
        "genotype input (wild type)",
        "Kd multiplier of ATP-site mTOR inhibitors (M2327I > 1)",
    ),
    Parameter(
        "FKBP12_level",
        1.0,
        "1",
        "genotype input (wild type)",
        "FKBP12 amount relative to normal (FKBP1A loss = 0)",
    ),
]

# sites whose occupancy scales a node of the default network
_NODE_SITES = {
    "mTORC2": ("MTOR_KINASE",),
    "PI3K": ("PI3K",),
    "AKT": ("AKT",),
    "MEK": ("MEK",),
    "AUTOPHAGY": ("LYSOSOME",),
}
_TARGET_NODES = ("mTORC1", "mTORC2", "PI3K", "AKT", "MEK", "AUTOPHAGY")
#: the nodes of mtorsim's network drugs act on: what ``node_map`` maps to a model's species
TARGET_NODES = _TARGET_NODES
# nodes through which each site's occupancy acts (FRB and the kinase site on mTORC1; the
# kinase site also on mTORC2, see _NODE_SITES)
_SITE_TARGETS = {
    "FRB": ("mTORC1",),
    "MTOR_KINASE": ("mTORC1", "mTORC2"),
    "PI3K": ("PI3K",),
    "AKT": ("AKT",),
    "MEK": ("MEK",),
    "LYSOSOME": ("AUTOPHAGY",),
}
_PARTNER_SITES = {"ER": "ER_block", "VEGFR": "VEGFR_block", "DNA": "cytotoxic_exposure"}
_RESIDUAL = {
    "EIF4EBP1_activation": "rapalog_residual_4ebp1",
    "ULK1_deactivation": "rapalog_residual_ulk1",
}


def drug_id(name: str) -> str:
    """Identifier prefix of a drug (``pf-04691502`` -> ``pf_04691502``)."""
    return get_drug(name).name.replace("-", "_")


def drug_targets(drug: Drug | str) -> tuple[str, ...]:
    """The nodes of mtorsim's network a drug acts on (none for partner drugs, whose
    blockade only mtorsim's tumour layer reads), e.g. ``('mTORC1', 'mTORC2')``."""
    d = get_drug(drug) if isinstance(drug, str) else drug
    out = [n for site in d.sites for n in _SITE_TARGETS.get(site, ())]
    return tuple(dict.fromkeys(out))


def _acting(network: Network, node: str, name: str) -> bool:
    """Whether the drug's action on ``node`` (played by ``name``) shows: a rate law reads
    ``name``, or, for nodes other than mTORC1, an assignment rule does (what
    :func:`_rewrite_actions` scales)."""
    if any(name in network.modifiers(r) for r in network.reactions):
        return True
    return node != "mTORC1" and any(
        name in identifiers(o.expression, {name}) for o in network.observables
    )


def _check_action(
    network: Network, chosen: Sequence[Drug], nodes: Mapping[str, str], mapped: Mapping[str, str]
) -> None:
    """Each drug acts through at least one node that some rate or rule of ``network`` reads,
    and every node mapped explicitly is such a species: else the drug would silently do
    nothing there."""
    for drug in chosen:
        targets = drug_targets(drug)
        for node in targets:
            if node in mapped and not _acting(network, node, mapped[node]):
                raise MtorsimError(
                    f"node_map maps {node} to {mapped[node]!r}, which no rate law or rule of "
                    f"the model reads, so {drug.name} would not act there; map {node} to the "
                    "species that carries its activity (e.g. its active form)"
                )
        if targets and not any(_acting(network, n, nodes[n]) for n in targets):
            example = ", ".join(f"{n!r}: 'SPECIES'" for n in targets)
            raise MtorsimError(
                f"{drug.name} acts on {', '.join(targets)}, which no rate law or rule of "
                "the model reads under those names, so it would have no effect; map them to "
                f"the model's species with node_map={{{example}}}"
            )


def _exposure(drug: Drug, pk: bool) -> tuple[list, str]:
    """Components giving the free concentration; returns (components, free expression)."""
    d = drug_id(drug.name)
    comps: list = [
        Parameter(
            f"{d}__medium_nM",
            0.0,
            "nM",
            "input (cell experiments)",
            f"{drug.name} concentration in the medium",
        )
    ]
    if not pk or drug.pk is None:
        return comps, f"{d}__medium_nM"
    m = drug.pk
    src = m.source
    comps += [
        Parameter(f"{d}__CL", m.cl_L_h, "L/h", src, "clearance (apparent if oral)"),
        Parameter(f"{d}__V1", m.v1_L, "L", src, "central volume (apparent if oral)"),
        Parameter(f"{d}__fu", m.fu_blood, "1", src, "unbound fraction of blood concentration"),
        Parameter(
            f"{d}__nM_per_mg_L",
            1e6 / drug.mw_g_mol,
            "nM*L/mg",
            f"molecular weight {drug.mw_g_mol} g/mol",
            "unit conversion",
        ),
        Parameter(
            f"{d}__infusion", 0.0, "mg/h", "input (set by IV dosing events)", "IV infusion rate"
        ),
        Species(f"{d}__central", 0.0, "mg", f"{drug.name} in the central compartment"),
        Reaction(
            f"{d}__infusion_in",
            f"{d}__infusion",
            products=(f"{d}__central",),
            description="IV infusion",
        ),
        Observable(
            f"{d}__blood_mg_L",
            f"{d}__central/{d}__V1",
            "mg/L",
            f"{drug.name} blood (or plasma) concentration",
        ),
    ]
    if m.route in ("oral", "im"):
        comps += [
            Parameter(f"{d}__ka", m.ka_per_h, "1/h", src, "absorption rate constant"),
            Species(f"{d}__depot", 0.0, "mg", f"{drug.name} in the gut (or IM depot)"),
            Reaction(
                f"{d}__absorption",
                f"{d}__ka*{d}__depot",
                reactants=(f"{d}__depot",),
                products=(f"{d}__central",),
                description="first-order absorption",
            ),
        ]
    if m.compartments == 2:
        comps += [
            Parameter(f"{d}__Q", m.q_L_h, "L/h", src, "inter-compartmental clearance"),
            Parameter(f"{d}__V2", m.v2_L, "L", src, "peripheral volume"),
            Species(f"{d}__periph", 0.0, "mg", f"{drug.name} in the peripheral compartment"),
            Reaction(
                f"{d}__distribution",
                f"{d}__Q*({d}__central/{d}__V1 - {d}__periph/{d}__V2)",
                reactants=(f"{d}__central",),
                products=(f"{d}__periph",),
                description="distribution",
            ),
        ]
    fm = m.fraction_to_metabolite if m.prodrug_of else 0.0
    comps.append(
        Reaction(
            f"{d}__elimination",
            f"{(1 - fm)!r}*{d}__CL*{d}__central/{d}__V1",
            reactants=(f"{d}__central",),
            description="elimination",
        )
    )
    if m.prodrug_of:
        met = get_drug(m.prodrug_of)
        ratio = met.mw_g_mol / drug.mw_g_mol
        comps += [
            Reaction(
                f"{d}__conversion",
                f"{fm!r}*{d}__CL*{d}__central/{d}__V1",
                reactants=(f"{d}__central",),
                description=f"metabolism to {met.name}",
            ),
            Reaction(
                f"{d}__to_{drug_id(met.name)}",
                f"{ratio!r}*{fm!r}*{d}__CL*{d}__central/{d}__V1",
                products=(f"{drug_id(met.name)}__central",),
                description=f"{met.name} formed (mg, by molecular weight)",
            ),
        ]
    free = f"{d}__medium_nM + {d}__fu*{d}__nM_per_mg_L*{d}__central/{d}__V1"
    return comps, free


def with_drugs(
    network: Network,
    drugs: Sequence[str],
    *,
    pk: bool = True,
    node_map: Mapping[str, str] | None = None,
) -> Network:
    """Return ``network`` with the drugs' exposure, binding and action added.

    Parameters
    ----------
    network : Network
        A network with the default network's node names (mTORC1, mTORC2, PI3K, AKT, MEK,
        AUTOPHAGY, the substrates of mTORC1). The drug rates (per hour) run in its time
        unit (``drug_h_per_time_unit``); a unit that is no time is taken as hours, with a
        :class:`DrugTimeUnitWarning`.
    drugs : list of str
        Drug names or aliases; prodrugs bring their metabolite.
    pk : bool
        Add clinical PK (True) or only medium concentrations (cell experiments).
    node_map : dict
        For other models (imported SBML): the model's name for each target node the drugs
        act on, e.g. ``{"mTORC1": "pmTORC1", "mTORC2": "pmTORC2"}``.
    """
    chosen: list[Drug] = []
    for name in drugs:
        drug = get_drug(name)
        if drug not in chosen:
            chosen.append(drug)
        if pk and drug.pk is not None and drug.pk.prodrug_of:
            met = get_drug(drug.pk.prodrug_of)
            if met not in chosen:
                chosen.append(met)
    if not chosen:
        raise MtorsimError("no drugs given")
    nodes = {n: (node_map or {}).get(n, n) for n in _TARGET_NODES}
    site_nodes = {
        "FRB": ("mTORC1",),
        "MTOR_KINASE": ("mTORC1",),
        "PI3K": ("PI3K",),
        "AKT": ("AKT",),
        "MEK": ("MEK",),
        "LYSOSOME": ("AUTOPHAGY",),
    }
    needed = {nodes[n] for d in chosen for site in d.sites for n in site_nodes.get(site, ())}
    missing = needed - set(network.readout_names)
    if missing:
        raise MtorsimError(
            f"network {network.name!r} lacks node(s) {sorted(missing)} that these drugs act "
            "on; map them to the model's species with node_map (e.g. mTORC1=pmTORC1)"
        )
    _check_action(network, chosen, nodes, node_map or {})
    comps: list = [p for p in DRUG_PARAMETERS if p.name not in network]
    occupancy: dict[str, list[str]] = {}
    frb_terms: list[tuple[str, bool]] = []  # (FRB occupancy species, blocks all substrates)
    fkbp_complexes: list[str] = []
    for drug in chosen:
        d = drug_id(drug.name)
        exposure, free = _exposure(drug, pk)
        comps += exposure
        comps.append(Observable(f"{d}__free_nM", free, "nM", f"free {drug.name}"))
        for pot in drug.potencies:
            if pot.site == "FKBP12":
                continue
            kd = Parameter(
                f"{d}__Kd_{pot.site}",
                pot.kd_nM,
                "nM",
                pot.source,
                f"{drug.name} Kd/IC50 at {pot.site}",
            )
            comps.append(kd)
            occ = f"{d}__{pot.site}"
            if pot.site == "FRB":
                if drug.potency("FKBP12") is None:
                    raise MtorsimError(f"{drug.name}: an FRB binder needs an FKBP12 potency")
                fk = drug.potency("FKBP12")
                cx = f"{d}__FKBP12"
                comps += [
                    Parameter(
                        f"{d}__Kd_FKBP12", fk.kd_nM, "nM", fk.source, f"{drug.name}-FKBP12 Kd"
                    ),
                    Species(cx, 0.0, "nM", f"FKBP12-{drug.name} complex"),
                    Reaction(
                        f"{cx}_on",
                        f"kon_drug*{d}__free_nM*FKBP12__free",
                        products=(cx,),
                        description=f"{drug.name} binds FKBP12 (C12)",
                    ),
                    Reaction(f"{cx}_off", f"kon_drug*{d}__Kd_FKBP12*{cx}", reactants=(cx,)),
                ]
                fkbp_complexes.append(cx)
                ligand, kd_expr = cx, f"{d}__Kd_FRB*FRB_resistance"
                frb_terms.append((occ, drug.drug_class == "bivalent mTOR"))
            else:
                ligand = f"{d}__free_nM"
                kd_expr = f"{d}__Kd_{pot.site}" + (
                    "*MTOR_kinase_resistance" if pot.site == "MTOR_KINASE" else ""
                )
            occupancy.setdefault(pot.site, []).append(occ)
            comps += [
                Species(occ, 0.0, "1", f"fraction of {pot.site} sites bound by {drug.name}"),
                Reaction(
                    f"{occ}_on",
                    f"kon_drug*{ligand}*(1 - SITE__{pot.site})",
                    products=(occ,),
                    description=f"{drug.name} binds {pot.site}",
                ),
                Reaction(f"{occ}_off", f"kon_drug*{kd_expr}*{occ}", reactants=(occ,)),
            ]
    for site, occs in occupancy.items():
        comps.append(
            Observable(
                f"SITE__{site}",
                " + ".join(occs),
                description=f"fraction of {site} sites bound by any drug",
            )
        )
    if fkbp_complexes:
        comps.append(
            Observable(
                "FKBP12__free",
                "FKBP12_total*FKBP12_level - " + " - ".join(fkbp_complexes),
                "nM",
                "unbound FKBP12",
            )
        )
    for site, name in _PARTNER_SITES.items():
        if site in occupancy:
            comps.append(
                Observable(
                    name, f"SITE__{site}", description=f"{site} blockade by partner drugs (tumour)"
                )
            )
    comps = _in_model_time(network, comps)
    net = network.add(*comps)
    # drug observables depend on species and parameters only; put them first so that the
    # rewritten base observables (autophagic_flux -> SITE__LYSOSOME) find them defined
    added = [c for c in comps if isinstance(c, Observable)]
    net = replace(net, observables=[*added, *network.observables])
    return _rewrite_actions(net, occupancy, frb_terms, nodes)


def _in_model_time(network: Network, comps: list) -> list:
    """The drug layer's components with its rates (per hour) in the network's time unit:
    each reaction it adds scaled by :data:`TIME_SCALE` (hours per model time unit)."""
    unit = network.time_unit
    hours = hours_per(unit)
    if hours is None:
        warnings.warn(
            f"network {network.name!r} has time unit {unit!r}, which is no time: drug rates "
            "(kon_drug in 1/(nM*h), PK in L/h) are applied per model time unit as hours",
            DrugTimeUnitWarning,
            stacklevel=3,
        )
        return comps
    if hours == 1.0:
        return comps
    if TIME_SCALE in network:  # drugs added before: the scale is already there
        scale = []
    else:
        per = unit if _NAME.fullmatch(unit) else f"({unit})"
        scale = [
            Parameter(
                TIME_SCALE,
                hours,
                f"h/{per}",
                f"model time unit {unit!r} ({hours:.6g} h)",
                "hours in one model time unit: converts the drug layer's per-hour rates",
            )
        ]
    rates = [
        replace(c, rate=f"{TIME_SCALE}*({c.rate})") if isinstance(c, Reaction) else c for c in comps
    ]
    return scale + rates


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _rewrite_actions(
    net: Network,
    occupancy: dict[str, list[str]],
    frb_terms: list[tuple[str, bool]],
    nodes: dict[str, str],
) -> Network:
    kinase = "SITE__MTOR_KINASE" if "MTOR_KINASE" in occupancy else None

    def mtorc1_factor(reaction: str) -> str:
        parts = []
        if frb_terms:
            res = _RESIDUAL.get(reaction)
            terms = [
                occ if (bivalent or res is None) else f"{occ}*(1 - {res})"
                for occ, bivalent in frb_terms
            ]
            parts.append(f"(1 - ({' + '.join(terms)}))")
        if kinase:
            parts.append(f"(1 - {kinase})")
        return "*".join(parts)

    node_factor = {
        nodes[node]: "*".join(f"(1 - SITE__{s})" for s in sites if s in occupancy)
        for node, sites in _NODE_SITES.items()
    }
    mtorc1 = nodes["mTORC1"]
    node_factor = {k: v for k, v in node_factor.items() if v}
    reactions = []
    for r in net.reactions:
        acting = net.modifiers(r)
        repl = {n: f"{n}*{f}" for n, f in node_factor.items() if n in acting}
        if mtorc1 in acting and (f := mtorc1_factor(r.name)):
            repl[mtorc1] = f"{mtorc1}*{f}"
        reactions.append(replace(r, rate=substitute_nodes(r.rate, repl)) if repl else r)
    observables = []
    for o in net.observables:
        used = identifiers(o.expression, node_factor)
        repl = {n: f"{n}*{f}" for n, f in node_factor.items() if n in used}
        observables.append(
            replace(o, expression=substitute_nodes(o.expression, repl)) if repl else o
        )
    return replace(net, reactions=reactions, observables=observables)
