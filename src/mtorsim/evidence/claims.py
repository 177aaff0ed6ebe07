"""The review's claims (``spec/claims.md``) as executable checks on the model.

Each check runs the model, measures numbers, and compares them with the claim's stated
direction and size. A claim the model does not reproduce is reported as failing; a claim
whose layer is not built yet is reported as not implemented. Nothing is hidden.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import pandas as pd

from mtorsim.engine.codegen import CompiledNetwork, compile_network
from mtorsim.engine.steady import steady_state
from mtorsim.evidence.drug_claims import DRUG_CLAIMS
from mtorsim.evidence.genotype_claims import GENOTYPE_CLAIMS
from mtorsim.evidence.result import PENDING_ISSUE, TITLES, ClaimResult, make_result
from mtorsim.evidence.trial_claims import TRIAL_CLAIMS
from mtorsim.network.default import default_network

__all__ = ["CLAIMS", "ClaimResult", "evaluate_claim", "scorecard"]


@lru_cache(maxsize=1)
def _model() -> CompiledNetwork:
    return compile_network(default_network())


def _ss(**params: float) -> pd.Series:
    return steady_state(_model(), params).values


def _ratio(a: pd.Series, b: pd.Series, key: str) -> float:
    return float(a[key] / b[key])


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
    return make_result(
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
    return make_result(
        "C2",
        checks,
        v,
        f"AA withdrawal x{max(v['aa_withdrawal'], 0.0):.2f}; energy stress "
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
    return make_result(
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
    return make_result(
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
    return make_result(
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
    return make_result(
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
    return make_result(
        "C7",
        checks,
        v,
        f"MEK inhibited 90 %: pERK x{v['meki_ERK']:.2f}, mTORC1 "
        f"x{v['meki_mTORC1']:.2f}; BRAF gain with mTORC1 blocked: p-rpS6 "
        f"x{v['braf_rpS6_without_mTORC1']:.2f} (pS6K1 "
        f"x{v['braf_S6K1_without_mTORC1']:.2f})",
        "MEKi lowers ERK and mTORC1; RSK raises p-rpS6 > x1.2 with mTORC1 blocked",
    )


@lru_cache(maxsize=1)
def _everolimus_week() -> pd.DataFrame:
    from mtorsim.model import load
    from mtorsim.pharmacology.regimen import Regimen

    return load().simulate(days=7.0, points=29, exposure=Regimen("everolimus", 10.0))


def _everolimus_fold(key: str) -> float:
    df = _everolimus_week()
    return float(df[key].iloc[-1] / df[key].iloc[0])


def _c8() -> ClaimResult:
    base, inh = _ss(), _ss(inhibit_mTORC1=0.9)
    nofb, nofb_inh = _ss(IRS1_feedback=0.0), _ss(IRS1_feedback=0.0, inhibit_mTORC1=0.9)
    v = {k: _ratio(inh, base, k) for k in ("IRS1", "AKT_T308", "AKT_S473", "IRS1_pS")}
    v["no_feedback_AKT_S473"] = _ratio(nofb_inh, nofb, "AKT_S473")
    v["everolimus_AKT_S473"] = _everolimus_fold("AKT_S473")
    checks = {
        "IRS1 rises": v["IRS1"] > 1.2,
        "T308 rises": v["AKT_T308"] > 1.1,
        "S473 x1.3-2.0": 1.3 <= v["AKT_S473"] <= 2.0,
        "rise needs the S6K1 feedback": v["no_feedback_AKT_S473"] < 1.1,
        "everolimus 10 mg daily: S473 x1.3-2.0": 1.3 <= v["everolimus_AKT_S473"] <= 2.0,
    }
    return make_result(
        "C8",
        checks,
        v,
        f"mTORC1 inhibited 90 %: IRS1 x{v['IRS1']:.2f}, pAKT-T308 "
        f"x{v['AKT_T308']:.2f}, pAKT-S473 x{v['AKT_S473']:.2f}; without the "
        f"feedback S473 x{v['no_feedback_AKT_S473']:.2f}; everolimus 10 mg daily (day 7) "
        f"S473 x{v['everolimus_AKT_S473']:.2f}",
        "pAKT S473 x1.3-2.0 (Dalle Pezze 2012); T308 and IRS1 up; no rise without feedback",
    )


def _schedule_erk() -> dict[str, float]:
    """pERK over week 3 of everolimus 10 mg daily vs 70 mg weekly (fold over untreated)."""
    from mtorsim.model import load
    from mtorsim.pharmacology.regimen import Regimen

    out = {}
    for label, reg in (
        ("daily", Regimen("everolimus", 10.0, "daily")),
        ("weekly", Regimen("everolimus", 70.0, "weekly")),
    ):
        df = load().simulate(days=21.0, exposure=reg)  # hourly
        erk = df["ERK"].to_numpy() / df["ERK"].iloc[0]
        week3 = erk[df["time"].to_numpy() >= 14.0]
        out[f"{label}_mean"] = float(week3.mean())
        out[f"{label}_swing"] = float(week3.max() - week3.min())
    return out


def _c9() -> ClaimResult:
    base = _ss()
    levels = (0.5, 0.9, 0.99)
    v = {f"ERK_at_{lv}": _ratio(_ss(inhibit_mTORC1=lv), base, "ERK") for lv in levels}
    v["ERK_at_0.9_without_pi3k_ras"] = _ratio(
        _ss(inhibit_mTORC1=0.9, w_pi3k_ras=0.0, GRB10_level=0.0),
        _ss(w_pi3k_ras=0.0, GRB10_level=0.0),
        "ERK",
    )
    v.update({f"everolimus_{k}": x for k, x in _schedule_erk().items()})
    series = [v[f"ERK_at_{lv}"] for lv in levels]
    differ = (
        abs(v["everolimus_daily_mean"] - v["everolimus_weekly_mean"]) >= 0.02
        or abs(v["everolimus_daily_swing"] - v["everolimus_weekly_swing"]) >= 0.05
    )
    checks = {
        "pERK rises": series[1] > 1.1,
        "dose-dependent": series[0] < series[1] < series[2],
        "via PI3K/RAS (and GRB10)": v["ERK_at_0.9_without_pi3k_ras"] < 1.02,
        "everolimus raises pERK": v["everolimus_daily_mean"] > 1.05,
        "daily and weekly schedules differ": differ,
    }
    return make_result(
        "C9",
        checks,
        v,
        "pERK at 50/90/99 % mTORC1 inhibition: "
        + "/".join(f"x{s:.2f}" for s in series)
        + f"; without the PI3K->RAS and GRB10 arms x{v['ERK_at_0.9_without_pi3k_ras']:.2f}"
        f"; everolimus week 3, daily 10 mg: mean x{v['everolimus_daily_mean']:.2f} (swing "
        f"{v['everolimus_daily_swing']:.2f}), weekly 70 mg: mean "
        f"x{v['everolimus_weekly_mean']:.2f} (swing {v['everolimus_weekly_swing']:.2f})",
        "pERK > x1.1 at 90 %, rising with dose; needs the feedback arms; schedules differ",
    )


def _c10() -> ClaimResult:
    base, inh = _ss(), _ss(inhibit_mTORC1=0.9)
    v = {k: _ratio(inh, base, k) for k in ("GRB10", "RTK", "PIP3", "ERK")}
    v["everolimus_GRB10"] = _everolimus_fold("GRB10")
    v["everolimus_RTK"] = _everolimus_fold("RTK")
    v["no_grb10_RTK"] = _ratio(
        _ss(GRB10_level=0.0, inhibit_mTORC1=0.9), _ss(GRB10_level=0.0), "RTK"
    )
    checks = {
        "GRB10 falls": v["GRB10"] < 0.5,
        "receptor signalling rises": v["RTK"] > 1.03,
        "PI3K arm rises": v["PIP3"] > 1.1,
        "MAPK arm rises": v["ERK"] > 1.1,
        "receptor rise needs GRB10": v["no_grb10_RTK"] < 1.01,
        "everolimus destabilises GRB10": v["everolimus_GRB10"] < 0.5 < 1.0 < v["everolimus_RTK"],
    }
    return make_result(
        "C10",
        checks,
        v,
        f"mTORC1 inhibited 90 %: GRB10 x{v['GRB10']:.2f}, RTK x{v['RTK']:.2f}, "
        f"PIP3 x{v['PIP3']:.2f}, pERK x{v['ERK']:.2f}; without GRB10 RTK "
        f"x{v['no_grb10_RTK']:.2f}; everolimus 10 mg daily: GRB10 x{v['everolimus_GRB10']:.2f}"
        f", RTK x{v['everolimus_RTK']:.2f}",
        "GRB10 < x0.5; RTK, PI3K and MAPK arms up; no RTK rise without GRB10",
    )


CLAIMS: dict[str, Callable[[], ClaimResult]] = {
    **DRUG_CLAIMS,
    **GENOTYPE_CLAIMS,
    **TRIAL_CLAIMS,
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
