"""The review's claims (``spec/claims.md``) as executable checks on the model.

Each check runs the model, measures numbers, and compares them with the claim's stated
direction and size. A claim the model does not reproduce is reported as failing; a claim
whose layer is not built yet is reported as not implemented. Nothing is hidden.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from mtorsim.engine.codegen import CompiledNetwork, compile_network
from mtorsim.engine.steady import steady_state
from mtorsim.network.default import default_network

__all__ = ["CLAIMS", "ClaimResult", "evaluate_claim", "scorecard"]


@dataclass(frozen=True)
class ClaimResult:
    """Outcome of one claim check.

    Attributes
    ----------
    claim : str
        Claim id (``"C8"``).
    title : str
        One-line statement.
    measured : str
        The numbers the model produced.
    target : str
        What the claim requires.
    status : str
        ``"pass"``, ``"fail"`` or ``"not implemented"``.
    values : dict
        Raw measurements, for tests and tables.
    """

    claim: str
    title: str
    measured: str
    target: str
    status: str
    values: dict[str, float] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.status == "pass"


#: Claim titles (all of spec/claims.md) and the issue that brings the pending ones.
TITLES: dict[str, str] = {
    "C1": "GF -> RTK/IRS1/PI3K/AKT -| TSC2 -> RHEB -> mTORC1; GF removal halves output",
    "C2": "amino acids required; energy stress lowers mTORC1 via LKB1/AMPK (TSC2, RAPTOR)",
    "C3": "AKT -> PRAS40 raises mTORC1 independently of TSC1/2",
    "C4": "TSC loss: GF-independent mTORC1; PTEN loss / PIK3CA raise PIP3, pAKT, mTORC1",
    "C5": "outputs: 4E-BP1/eIF4F, rpS6, HIF-1a/VEGF, SREBP-1, ULK1, STAT3, growth drive",
    "C6": "mTORC2 -> AKT S473/SGK1/PKC; GF-driven, not acutely rapamycin-sensitive",
    "C7": "MAPK cross-talk: ERK/RSK -| TSC2, -> RAPTOR; RSK -> rpS6 without mTORC1",
    "C8": "S6K1 -| IRS1 feedback: mTORC1 inhibition raises IRS1 and pAKT (S473 x1.3-2.0)",
    "C9": "mTORC1 -> MAPK feedback: mTORC1 inhibition raises pERK, dose-dependently",
    "C10": "GRB10: mTORC1 inhibition destabilises GRB10 and both arms rise",
    "C11": "autophagy partly re-activated by rapalogs; HCQ blocks it",
    "C12": "rapamycin-FKBP12 binds FRB; mTORC2 not acutely inhibited",
    "C13": "rapalogs: pS6K1 >90 % down, p4E-BP1 <50 %, 4E-BP1 recovers in ~6 h",
    "C14": "PK: bioavailability, everolimus trough 11-13 ng/mL, half-lives",
    "C15": "TORKi: pS6K1 and p4E-BP1 fully down, AKT S473 down",
    "C16": "dual PI3K/mTOR: pAKT down at both sites, rebound cancelled",
    "C17": "RapaLink-1 potent on WT, FRB and kinase-domain mutants",
    "C18": "MEKi + rapalog suppress pS6 and growth more than either",
    "C19": "rapalogs are cytostatic; regrowth after stopping",
    "C20": "TSC1/TSC2 loss: strongest rapalog sensitivity",
    "C21": "activating MTOR mutations hyperactivate mTORC1, stay rapalog-sensitive",
    "C22": "FRB mutants resist rapalogs; M2327I lowers TORKi sensitivity 3-30x",
    "C23": "PIK3CA H1047R: PI3K activation; longer PFS on everolimus",
    "C24": "PTEN loss: rapalog sensitivity (GDSC ln IC50 about -0.5)",
    "C25": "STK11/LKB1 loss removes the AMPK brake: everolimus sensitivity",
    "C26": "KRAS/BRAF: relative rapalog resistance (GDSC +0.45)",
    "C27": "PPP2R2B loss: PDK1-dependent MYC phosphorylation, rapamycin resistance",
    "C28": "genotype predicts imperfectly: probabilistic predictions",
    "C29": "heterogeneity: resistant lesions grow while others stabilise",
    "C30": "acquired resistance: FRB mutant clones emerge; TORKi/RapaLink-1 regain control",
    "C31": "trial record of Table 1: PFS benefit with low ORR in approved indications",
    "C32": "second line after VEGF-TKI: RECORD-1, INTORSECT, lenvatinib + everolimus",
    "C33": "newer agents: MANTA, BEZ235 tolerability, LY3023414",
}

PENDING_ISSUE = {
    **{f"C{i}": 4 for i in range(11, 20)},
    **{f"C{i}": 5 for i in range(20, 29)},
    **{f"C{i}": 6 for i in range(29, 34)},
}


@lru_cache(maxsize=1)
def _model() -> CompiledNetwork:
    return compile_network(default_network())


def _ss(**params: float) -> pd.Series:
    return steady_state(_model(), params).values


def _ratio(a: pd.Series, b: pd.Series, key: str) -> float:
    return float(a[key] / b[key])


def _result(
    claim: str, checks: dict[str, bool], values: dict[str, float], measured: str, target: str
) -> ClaimResult:
    failed = [k for k, ok in checks.items() if not ok]
    if failed:
        measured = f"{measured}; failed: {', '.join(failed)}"
    return ClaimResult(claim, TITLES[claim], measured, target, "fail" if failed else "pass", values)


def _c1() -> ClaimResult:
    full, starved = _ss(), _ss(GF=0.0)
    chain = [
        "RTK",
        "IRS1",
        "PI3K",
        "PIP3",
        "AKT_T308",
        "TSC2_p",
        "RHEB",
        "mTORC1",
        "S6K1",
        "EIF4EBP1",
    ]
    ratios = {k: _ratio(starved, full, k) for k in chain}
    checks = {
        "pS6K1 at most half": ratios["S6K1"] <= 0.5,
        **{f"{k} falls": ratios[k] < 1.0 for k in chain},
    }
    return _result(
        "C1",
        checks,
        ratios,
        f"GF removal: pS6K1 x{ratios['S6K1']:.2f}, p4E-BP1 x{ratios['EIF4EBP1']:.2f},"
        f" pAKT-T308 x{ratios['AKT_T308']:.2f}; every node of the chain falls",
        "pS6K1 <= x0.5 of full medium; each node of the chain lower",
    )


def _c2() -> ClaimResult:
    full = _ss()
    v = {
        "aa_withdrawal": _ratio(_ss(AA=0.0), full, "S6K1"),
        "energy_stress": _ratio(_ss(ENERGY_STRESS=1.0), full, "S6K1"),
        "energy_stress_lkb1_null": _ratio(
            _ss(ENERGY_STRESS=1.0, LKB1_level=0.0), _ss(LKB1_level=0.0), "S6K1"
        ),
        "energy_stress_via_raptor_only": _ratio(
            _ss(ENERGY_STRESS=1.0, TSC_level=0.0), _ss(TSC_level=0.0), "S6K1"
        ),
        "energy_stress_via_tsc2_only": _ratio(
            _ss(ENERGY_STRESS=1.0, K_raptor=1e9), _ss(K_raptor=1e9), "S6K1"
        ),
    }
    checks = {
        "AA withdrawal halves pS6K1": v["aa_withdrawal"] <= 0.5,
        "energy stress lowers pS6K1": v["energy_stress"] < 0.8,
        "no effect without LKB1": v["energy_stress_lkb1_null"] > 0.95,
        "RAPTOR route works alone": v["energy_stress_via_raptor_only"] < 0.95,
        "TSC2 route works alone": v["energy_stress_via_tsc2_only"] < 0.95,
    }
    return _result(
        "C2",
        checks,
        v,
        f"AA withdrawal x{v['aa_withdrawal']:.2f}; energy stress "
        f"x{v['energy_stress']:.2f} (LKB1-null x{v['energy_stress_lkb1_null']:.2f};"
        f" RAPTOR only x{v['energy_stress_via_raptor_only']:.2f}, TSC2 only "
        f"x{v['energy_stress_via_tsc2_only']:.2f})",
        "AA <= x0.5; stress < x0.8, none without LKB1; both routes act",
    )


def _c3() -> ClaimResult:
    wt, wt_i = _ss(), _ss(inhibit_AKT=0.9)
    tsc, tsc_i = _ss(TSC_level=0.0), _ss(TSC_level=0.0, inhibit_AKT=0.9)
    v = {
        "wt": _ratio(wt_i, wt, "S6K1"),
        "tsc_null": _ratio(tsc_i, tsc, "S6K1"),
        "pras40_p_tsc_null": _ratio(tsc_i, tsc, "PRAS40_p"),
    }
    checks = {
        "AKT inhibition lowers pS6K1 in TSC-null": v["tsc_null"] < 0.97,
        "less so than in wild type": v["tsc_null"] > v["wt"],
        "via PRAS40": v["pras40_p_tsc_null"] < 0.5,
    }
    return _result(
        "C3",
        checks,
        v,
        f"AKT inhibited 90 %: pS6K1 x{v['wt']:.2f} (WT), x{v['tsc_null']:.2f} "
        f"(TSC-null; pPRAS40 x{v['pras40_p_tsc_null']:.2f})",
        "TSC-null still falls (< x0.97), less than WT",
    )


def _c4() -> ClaimResult:
    wt = _ratio(_ss(GF=0.0), _ss(), "S6K1")
    tsc = _ratio(_ss(GF=0.0, TSC_level=0.0), _ss(TSC_level=0.0), "S6K1")
    base = _ss()
    pten, pik = _ss(PTEN_level=0.0), _ss(PIK3CA_gain=0.5)
    v = {"gf_dependence_wt": wt, "gf_dependence_tsc_null": tsc}
    for label, s in (("pten_loss", pten), ("pik3ca", pik)):
        for k in ("PIP3", "AKT_T308", "S6K1"):
            v[f"{label}_{k}"] = _ratio(s, base, k)
    checks = {
        "TSC-null keeps >= 70 % without GF": tsc >= 0.7,
        "WT keeps <= 50 %": wt <= 0.5,
        **{f"{k} up": v[k] > 1.1 for k in v if k.startswith(("pten", "pik3ca"))},
    }
    return _result(
        "C4",
        checks,
        v,
        f"pS6K1 kept without GF: TSC-null {tsc:.2f} vs WT {wt:.2f}; PTEN loss "
        f"PIP3 x{v['pten_loss_PIP3']:.1f}, pAKT x{v['pten_loss_AKT_T308']:.1f}, "
        f"pS6K1 x{v['pten_loss_S6K1']:.1f}; PIK3CA pAKT x{v['pik3ca_AKT_T308']:.1f}",
        "TSC-null >= 0.7 and WT <= 0.5; PTEN/PIK3CA raise PIP3, pAKT, pS6K1 > x1.1",
    )


def _c5() -> ClaimResult:
    base, inh = _ss(), _ss(inhibit_mTORC1=0.9)
    down = ["EIF4EBP1", "eIF4F", "rpS6", "HIF1A", "VEGF", "SREBP1", "STAT3", "GROWTH_DRIVE"]
    up = ["ULK1", "AUTOPHAGY"]
    v = {k: _ratio(inh, base, k) for k in down + up}
    checks = {
        **{f"{k} falls": v[k] < 0.95 for k in down},
        **{f"{k} rises": v[k] > 1.05 for k in up},
    }
    return _result(
        "C5",
        checks,
        v,
        ", ".join(f"{k} x{v[k]:.2f}" for k in down + up),
        "mTORC1 inhibition lowers every output, raises ULK1/autophagy",
    )


def _c6() -> ClaimResult:
    base, no_gf, inh = _ss(), _ss(GF=0.0), _ss(inhibit_mTORC1=0.9)
    keys = ["AKT_S473", "SGK1", "PKC"]
    v = {f"gf_{k}": _ratio(no_gf, base, k) for k in keys}
    v.update({f"mtorc1i_{k}": _ratio(inh, base, k) for k in keys})
    checks = {
        **{f"{k} GF-driven": v[f"gf_{k}"] <= 0.5 for k in keys},
        **{f"{k} not rapamycin-sensitive": v[f"mtorc1i_{k}"] >= 1.0 for k in keys},
    }
    return _result(
        "C6",
        checks,
        v,
        "GF removal: "
        + ", ".join(f"{k} x{v['gf_' + k]:.2f}" for k in keys)
        + "; mTORC1 inhibited: "
        + ", ".join(f"{k} x{v['mtorc1i_' + k]:.2f}" for k in keys),
        "GF removal <= x0.5; mTORC1 inhibition does not lower them",
    )


def _c7() -> ClaimResult:
    base, meki = _ss(), _ss(inhibit_MEK=0.9)
    blocked = _ss(inhibit_mTORC1=0.999)
    blocked_braf = _ss(inhibit_mTORC1=0.999, BRAF_gain=1.0)
    v = {
        "meki_ERK": _ratio(meki, base, "ERK"),
        "meki_TSC2_p": _ratio(meki, base, "TSC2_p"),
        "meki_mTORC1": _ratio(meki, base, "mTORC1"),
        "braf_rpS6_without_mTORC1": _ratio(blocked_braf, blocked, "rpS6"),
        "braf_S6K1_without_mTORC1": _ratio(blocked_braf, blocked, "S6K1"),
    }
    checks = {
        "MEKi lowers ERK": v["meki_ERK"] < 0.3,
        "MEKi lowers pTSC2": v["meki_TSC2_p"] < 1.0,
        "MEKi lowers mTORC1": v["meki_mTORC1"] < 0.97,
        "RSK phosphorylates rpS6 without mTORC1": v["braf_rpS6_without_mTORC1"] > 1.2,
    }
    return _result(
        "C7",
        checks,
        v,
        f"MEK inhibited 90 %: pERK x{v['meki_ERK']:.2f}, mTORC1 "
        f"x{v['meki_mTORC1']:.2f}; BRAF gain with mTORC1 blocked: p-rpS6 "
        f"x{v['braf_rpS6_without_mTORC1']:.2f} (pS6K1 "
        f"x{v['braf_S6K1_without_mTORC1']:.2f})",
        "MEKi lowers ERK and mTORC1; RSK raises p-rpS6 > x1.2 with mTORC1 blocked",
    )


def _c8() -> ClaimResult:
    base, inh = _ss(), _ss(inhibit_mTORC1=0.9)
    nofb, nofb_inh = _ss(IRS1_feedback=0.0), _ss(IRS1_feedback=0.0, inhibit_mTORC1=0.9)
    v = {k: _ratio(inh, base, k) for k in ("IRS1", "AKT_T308", "AKT_S473", "IRS1_pS")}
    v["no_feedback_AKT_S473"] = _ratio(nofb_inh, nofb, "AKT_S473")
    checks = {
        "IRS1 rises": v["IRS1"] > 1.2,
        "T308 rises": v["AKT_T308"] > 1.1,
        "S473 x1.3-2.0": 1.3 <= v["AKT_S473"] <= 2.0,
        "rise needs the S6K1 feedback": v["no_feedback_AKT_S473"] < 1.1,
    }
    return _result(
        "C8",
        checks,
        v,
        f"mTORC1 inhibited 90 %: IRS1 x{v['IRS1']:.2f}, pAKT-T308 "
        f"x{v['AKT_T308']:.2f}, pAKT-S473 x{v['AKT_S473']:.2f}; without the "
        f"feedback S473 x{v['no_feedback_AKT_S473']:.2f}",
        "pAKT S473 x1.3-2.0 (Dalle Pezze 2012); T308 and IRS1 up; no rise without feedback",
    )


def _c9() -> ClaimResult:
    base = _ss()
    levels = (0.5, 0.9, 0.99)
    v = {f"ERK_at_{lv}": _ratio(_ss(inhibit_mTORC1=lv), base, "ERK") for lv in levels}
    v["ERK_at_0.9_without_pi3k_ras"] = _ratio(
        _ss(inhibit_mTORC1=0.9, w_pi3k_ras=0.0, GRB10_level=0.0),
        _ss(w_pi3k_ras=0.0, GRB10_level=0.0),
        "ERK",
    )
    series = [v[f"ERK_at_{lv}"] for lv in levels]
    checks = {
        "pERK rises": series[1] > 1.1,
        "dose-dependent": series[0] < series[1] < series[2],
        "via PI3K/RAS (and GRB10)": v["ERK_at_0.9_without_pi3k_ras"] < 1.02,
    }
    return _result(
        "C9",
        checks,
        v,
        "pERK at 50/90/99 % mTORC1 inhibition: "
        + "/".join(f"x{s:.2f}" for s in series)
        + f"; without the PI3K->RAS and GRB10 arms x"
        f"{v['ERK_at_0.9_without_pi3k_ras']:.2f} (schedules: issue #4)",
        "pERK > x1.1 at 90 %, rising with dose; needs the feedback arms",
    )


def _c10() -> ClaimResult:
    base, inh = _ss(), _ss(inhibit_mTORC1=0.9)
    v = {k: _ratio(inh, base, k) for k in ("GRB10", "RTK", "PIP3", "ERK")}
    v["no_grb10_RTK"] = _ratio(
        _ss(GRB10_level=0.0, inhibit_mTORC1=0.9), _ss(GRB10_level=0.0), "RTK"
    )
    checks = {
        "GRB10 falls": v["GRB10"] < 0.5,
        "receptor signalling rises": v["RTK"] > 1.03,
        "PI3K arm rises": v["PIP3"] > 1.1,
        "MAPK arm rises": v["ERK"] > 1.1,
        "receptor rise needs GRB10": v["no_grb10_RTK"] < 1.01,
    }
    return _result(
        "C10",
        checks,
        v,
        f"mTORC1 inhibited 90 %: GRB10 x{v['GRB10']:.2f}, RTK x{v['RTK']:.2f}, "
        f"PIP3 x{v['PIP3']:.2f}, pERK x{v['ERK']:.2f}; without GRB10 RTK "
        f"x{v['no_grb10_RTK']:.2f}",
        "GRB10 < x0.5; RTK, PI3K and MAPK arms up; no RTK rise without GRB10",
    )


CLAIMS: dict[str, Callable[[], ClaimResult]] = {
    "C1": _c1,
    "C2": _c2,
    "C3": _c3,
    "C4": _c4,
    "C5": _c5,
    "C6": _c6,
    "C7": _c7,
    "C8": _c8,
    "C9": _c9,
    "C10": _c10,
}


def evaluate_claim(claim: str) -> ClaimResult:
    """Run one claim's check (or report it as not implemented)."""
    key = claim.upper()
    if key not in TITLES:
        from mtorsim.errors import UnknownNameError

        raise UnknownNameError("claim", claim, list(TITLES))
    if key not in CLAIMS:
        return ClaimResult(
            key, TITLES[key], "-", "-", f"not implemented (issue #{PENDING_ISSUE[key]})"
        )
    return CLAIMS[key]()


def scorecard(claims: list[str] | None = None) -> pd.DataFrame:
    """Every claim with measured value, target and status (``mtorsim validate``)."""
    rows = [evaluate_claim(c) for c in (claims or list(TITLES))]
    return pd.DataFrame(
        [
            {
                "claim": r.claim,
                "title": r.title,
                "measured": r.measured,
                "target": r.target,
                "status": r.status,
            }
            for r in rows
        ]
    )
