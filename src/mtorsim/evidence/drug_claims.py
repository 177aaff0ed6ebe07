"""Claims C11-C19 (drugs and their mechanisms) as checks on the model with named drugs.

Cell experiments expose cells at steady state in full medium to constant concentrations;
clinical checks dose virtual patients with the library's PK. Parts of a claim that belong to
a later layer (tumour death, resistance evolution, regrowth of tumours) are named in the
result and checked there.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from mtorsim.evidence.result import ClaimResult, make_result
from mtorsim.pharmacology.catalogue import get_drug
from mtorsim.pharmacology.doseresponse import dose_response
from mtorsim.pharmacology.pk import analytic_concentration, pk_profile, terminal_half_life
from mtorsim.pharmacology.regimen import DoseRangeWarning, Regimen

__all__ = ["DRUG_CLAIMS"]


def _cells(concentrations_nM: dict[str, float], hours: float = 24.0, points: int = 97):
    """Cells at rest in full medium, at constant concentrations from t = 0 (time in h)."""
    from mtorsim.model import load

    return load().simulate(hours=hours, points=points, exposure=concentrations_nM)


def _patient(regimens: list[Regimen], days: float, points_per_day: int):
    """A patient from the untreated steady state on ``regimens`` (time in days)."""
    from mtorsim.model import load

    n = round(days * points_per_day) + 1
    return load().simulate(days=days, points=n, exposure=regimens)


def _fold(df: pd.DataFrame, key: str, at: int = -1) -> float:
    return float(df[key].iloc[at] / df[key].iloc[0])


def _c11() -> ClaimResult:
    rapa = _cells({"everolimus": 10.0})
    torki = _cells({"azd8055": 100.0})
    both = _cells({"everolimus": 10.0, "hydroxychloroquine": 10_000.0})
    v = {
        "rapalog_flux": _fold(rapa, "autophagic_flux"),
        "torki_flux": _fold(torki, "autophagic_flux"),
        "rapalog_hcq_flux": _fold(both, "autophagic_flux"),
        "rapalog_ULK1": _fold(rapa, "ULK1"),
        "torki_ULK1": _fold(torki, "ULK1"),
    }
    checks = {
        "rapalog raises autophagy": v["rapalog_flux"] > 1.01,
        "only partly (less than TORKi)": v["rapalog_flux"] < v["torki_flux"],
        "HCQ blocks it": v["rapalog_hcq_flux"] < 0.5,
    }
    return make_result(
        "C11",
        checks,
        v,
        f"autophagic flux: everolimus 10 nM x{v['rapalog_flux']:.3f}, AZD8055 "
        f"100 nM x{v['torki_flux']:.3f}, everolimus + HCQ 10 µM "
        f"x{v['rapalog_hcq_flux']:.2f} (survival effect: tumour layer, #6)",
        "rapalog raises flux, less than TORKi; HCQ < x0.5",
    )


def _c12() -> ClaimResult:
    d = get_drug("sirolimus")
    df = _cells({"sirolimus": 10.0}, hours=24.0, points=25)
    v = {
        "kd_fkbp12_nM": d.potency("FKBP12").kd_nM,
        "kd_frb_nM": d.potency("FRB").kd_nM,
        "S6K1_1h": _fold(df, "S6K1", 1),
        "AKT_S473_1h": _fold(df, "AKT_S473", 1),
        "SGK1_1h": _fold(df, "SGK1", 1),
        "AKT_S473_24h": _fold(df, "AKT_S473"),
    }
    checks = {
        "Kd FKBP12 0.2 nM": v["kd_fkbp12_nM"] == 0.2,
        "Kd FRB 12 nM": v["kd_frb_nM"] == 12,
        "mTORC1 inhibited (pS6K1 < x0.1 at 1 h)": v["S6K1_1h"] < 0.1,
        "mTORC2 not acutely inhibited": min(v["AKT_S473_1h"], v["SGK1_1h"]) >= 0.95,
    }
    return make_result(
        "C12",
        checks,
        v,
        f"sirolimus 10 nM: pS6K1 x{v['S6K1_1h']:.3f} at 1 h; pAKT-S473 "
        f"x{v['AKT_S473_1h']:.2f}, pSGK1 x{v['SGK1_1h']:.2f} at 1 h",
        "Kd 0.2 / 12 nM; pS6K1 falls, mTORC2 outputs do not fall",
    )


def _c13() -> ClaimResult:
    df = _patient([Regimen("everolimus", 10.0)], days=14.0, points_per_day=24)
    trough = df.iloc[-1]
    base = df.iloc[0]
    cells = _cells({"everolimus": 10.0}, hours=12.0, points=49)
    bp1 = cells["EIF4EBP1"].to_numpy() / cells["EIF4EBP1"].iloc[0]
    nadir = int(np.argmin(bp1))
    at6 = float(np.interp(6.0, cells["time"], bp1))
    recovery = (at6 - bp1[nadir]) / (1 - bp1[nadir]) if bp1[nadir] < 1 else 0.0
    v = {
        "S6K1_trough_suppression": 1 - trough["S6K1"] / base["S6K1"],
        "EIF4EBP1_trough_suppression": 1 - trough["EIF4EBP1"] / base["EIF4EBP1"],
        "EIF4EBP1_recovery_by_6h": float(recovery),
        "nadir_h": float(cells["time"].iloc[nadir]),
    }
    checks = {
        "pS6K1 > 90 % suppressed": v["S6K1_trough_suppression"] > 0.9,
        "p4E-BP1 < 50 % suppressed": v["EIF4EBP1_trough_suppression"] < 0.5,
        "p4E-BP1 recovers within hours (>= 25 % of the drop by 6 h)": v["EIF4EBP1_recovery_by_6h"]
        >= 0.25,
    }
    return make_result(
        "C13",
        checks,
        v,
        f"everolimus 10 mg daily, day-14 trough: pS6K1 "
        f"-{100 * v['S6K1_trough_suppression']:.0f} %, p4E-BP1 "
        f"-{100 * v['EIF4EBP1_trough_suppression']:.0f} %; in cells p4E-BP1 "
        f"regains {100 * recovery:.0f} % of its drop by 6 h",
        "pS6K1 > 90 %, p4E-BP1 < 50 %; 4E-BP1 recovery within ~6 h (Choo 2008)",
    )


def _c14() -> ClaimResult:
    v: dict[str, float] = {}
    checks: dict[str, bool] = {}
    eve = Regimen("everolimus", 10.0, stop_day=14.0)
    prof = pk_profile([eve], days=21.0)
    v["everolimus_trough_ng_mL"] = float(
        prof.loc[np.isclose(prof.time_h, 14 * 24), "everolimus_blood_ng_mL"].iloc[0]
    )
    analytic = 1000 * analytic_concentration(
        get_drug("everolimus").pk, eve.dose_times(21 * 24), prof["time_h"].to_numpy()
    )
    v["analytic_max_rel_diff"] = float(
        np.max(np.abs(prof["everolimus_blood_ng_mL"] - analytic) / np.maximum(analytic, 1e-3))
    )
    targets = {"everolimus": 30.0, "sirolimus": 62.0, "temsirolimus": 17.0}
    for name, target in targets.items():
        reg = Regimen(
            name, {"everolimus": 10.0, "sirolimus": 5.0, "temsirolimus": 25.0}[name], stop_day=7.0
        )
        p = pk_profile([reg], days=28.0)
        hl = terminal_half_life(p["time_h"], p[f"{name}_blood_ng_mL"])
        v[f"{name}_half_life_h"] = hl
        checks[f"{name} t1/2 ~{target:g} h (+-20 %)"] = abs(hl / target - 1) <= 0.2
    v["F_everolimus"], v["F_sirolimus"] = get_drug("everolimus").pk.F, get_drug("sirolimus").pk.F
    checks.update(
        {
            "everolimus trough 11-13 ng/mL": 11.0 <= v["everolimus_trough_ng_mL"] <= 13.0,
            "ODE matches closed form": v["analytic_max_rel_diff"] < 1e-5,
            "F 16 % vs 10 %": (v["F_everolimus"], v["F_sirolimus"]) == (0.16, 0.10),
            "temsirolimus forms sirolimus": get_drug("temsirolimus").pk.prodrug_of == "sirolimus",
        }
    )
    return make_result(
        "C14",
        checks,
        v,
        f"everolimus trough {v['everolimus_trough_ng_mL']:.1f} ng/mL; t1/2 "
        f"everolimus {v['everolimus_half_life_h']:.0f} h, sirolimus "
        f"{v['sirolimus_half_life_h']:.0f} h, temsirolimus "
        f"{v['temsirolimus_half_life_h']:.0f} h; ODE vs closed form "
        f"{v['analytic_max_rel_diff']:.1e}",
        "trough 11-13 ng/mL; t1/2 30 / 62 / 17 h (+-20 %); F 16 % vs 10 %",
    )


def _c15() -> ClaimResult:
    df = _cells({"azd8055": 100.0})
    v = {k: _fold(df, k) for k in ("S6K1", "EIF4EBP1", "AKT_S473", "AKT_T308", "PIP3")}
    v["ic50_S6K1_nM"] = dose_response("azd8055", "S6K1").ic50_nM
    checks = {
        "pS6K1 falls fully": v["S6K1"] < 0.1,
        "p4E-BP1 falls fully": v["EIF4EBP1"] < 0.1,
        "AKT S473 falls": v["AKT_S473"] < 0.5,
        "PI3K/T308 lifted by feedback relief": v["PIP3"] > 1.0 and v["AKT_T308"] > 1.0,
        "IC50 near 0.8 nM (0.3-3 nM)": 0.3 <= v["ic50_S6K1_nM"] <= 3.0,
    }
    return make_result(
        "C15",
        checks,
        v,
        f"AZD8055 100 nM: pS6K1 x{v['S6K1']:.2f}, p4E-BP1 x{v['EIF4EBP1']:.2f}"
        f", pAKT-S473 x{v['AKT_S473']:.2f}, T308 x{v['AKT_T308']:.2f}, PIP3 "
        f"x{v['PIP3']:.2f}; IC50 (pS6K1) {v['ic50_S6K1_nM']:.2f} nM",
        "S6K1, 4E-BP1 < x0.1; S473 < x0.5; PIP3, T308 up; IC50 ~0.8 nM",
    )


def _c16() -> ClaimResult:
    df = _cells({"dactolisib": 200.0})
    v = {k: _fold(df, k) for k in ("AKT_T308", "AKT_S473", "PIP3", "S6K1")}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Regimen("dactolisib", 4000.0)
    warned = any(issubclass(w.category, DoseRangeWarning) for w in caught)
    checks = {
        "pAKT T308 falls": v["AKT_T308"] < 0.7,
        "pAKT S473 falls": v["AKT_S473"] < 0.3,
        "no PI3K rebound": v["PIP3"] < 1.0,
        "tolerability limits dose (warning above range)": warned,
    }
    return make_result(
        "C16",
        checks,
        v,
        f"dactolisib 200 nM: T308 x{v['AKT_T308']:.2f}, S473 "
        f"x{v['AKT_S473']:.2f}, PIP3 x{v['PIP3']:.2f}; 4 g dose warns: {warned}",
        "both AKT sites fall, no rebound; doses above the tolerated range warn",
    )


def _c17() -> ClaimResult:
    genotypes = {
        "WT": {},
        "FRB": {"FRB_resistance": 1000.0},
        "M2327I": {"MTOR_kinase_resistance": 10.0},
    }
    v: dict[str, float] = {}
    for label, params in genotypes.items():
        v[f"rapalink_{label}_ic50_nM"] = dose_response(
            "rapalink-1", "S6K1", parameters=params
        ).ic50_nM
    v["everolimus_FRB_emax"] = dose_response("everolimus", "S6K1", parameters=genotypes["FRB"]).emax
    v["azd8055_M2327I_ic50_nM"] = dose_response(
        "azd8055", "S6K1", parameters=genotypes["M2327I"]
    ).ic50_nM
    checks = {
        **{f"potent on {g} (IC50 <= 5 nM)": v[f"rapalink_{g}_ic50_nM"] <= 5.0 for g in genotypes},
        "beats everolimus on FRB mutant": v["everolimus_FRB_emax"] < 0.5,
        "beats AZD8055 on M2327I": v["rapalink_M2327I_ic50_nM"] < v["azd8055_M2327I_ic50_nM"],
    }
    return make_result(
        "C17",
        checks,
        v,
        "RapaLink-1 IC50 (pS6K1) WT/FRB/M2327I: "
        + "/".join(f"{v[f'rapalink_{g}_ic50_nM']:.3g}" for g in genotypes)
        + f" nM; everolimus on FRB mutant Emax {v['everolimus_FRB_emax']:.2f}; "
        "no-resistance part: tumour layer (#6)",
        "IC50 <= 5 nM on all three; better than everolimus (FRB) and AZD8055 (M2327I)",
    )


def _c18() -> ClaimResult:
    rapa = _cells({"everolimus": 10.0})
    mek = _cells({"trametinib": 10.0})
    both = _cells({"everolimus": 10.0, "trametinib": 10.0})
    v = {}
    for k in ("rpS6", "GROWTH_DRIVE", "ERK"):
        v[f"rapalog_{k}"], v[f"mek_{k}"], v[f"combo_{k}"] = (
            _fold(rapa, k),
            _fold(mek, k),
            _fold(both, k),
        )
    capped = "everolimus" in get_drug("trametinib").mtd
    checks = {
        "combination lowers p-rpS6 more": v["combo_rpS6"] < min(v["rapalog_rpS6"], v["mek_rpS6"]),
        "combination lowers growth drive more": v["combo_GROWTH_DRIVE"]
        < min(v["rapalog_GROWTH_DRIVE"], v["mek_GROWTH_DRIVE"]),
        "MEKi blocks the rapalog's pERK rise": v["combo_ERK"] < 1.0 < v["rapalog_ERK"],
        "tolerability caps the combination (library)": capped,
    }
    return make_result(
        "C18",
        checks,
        v,
        f"p-rpS6 x{v['rapalog_rpS6']:.2f} / x{v['mek_rpS6']:.2f} / "
        f"x{v['combo_rpS6']:.2f}; growth drive x{v['rapalog_GROWTH_DRIVE']:.2f} "
        f"/ x{v['mek_GROWTH_DRIVE']:.2f} / x{v['combo_GROWTH_DRIVE']:.2f} "
        "(everolimus / trametinib / both)",
        "combination below either alone; pERK rise blocked",
    )


def _c19() -> ClaimResult:
    df = _patient([Regimen("everolimus", 10.0, stop_day=14.0)], days=28.0, points_per_day=4)
    g = df["GROWTH_DRIVE"].to_numpy() / df["GROWTH_DRIVE"].iloc[0]
    on = g[(df.time > 1) & (df.time <= 14)]
    after = df.time.to_numpy()
    back = next((after[i] - 14 for i in range(len(g)) if after[i] > 14 and g[i] >= 0.9), np.nan)
    v = {"growth_drive_on_treatment": float(on.mean()), "days_to_90pct_after_stop": back}
    checks = {
        "slows (drive < x0.8)": v["growth_drive_on_treatment"] < 0.8,
        "does not abolish (drive > x0.3)": v["growth_drive_on_treatment"] > 0.3,
        "drive returns within 14 days of stopping": bool(back <= 14),
    }
    return make_result(
        "C19",
        checks,
        v,
        f"growth drive on everolimus x{v['growth_drive_on_treatment']:.2f}; "
        f"back to 90 % {back:.1f} d after stopping (tumour regrowth: #6)",
        "cytostatic: drive x0.3-0.8 on treatment, recovers within 2 weeks",
    )


DRUG_CLAIMS = {
    "C11": _c11,
    "C12": _c12,
    "C13": _c13,
    "C14": _c14,
    "C15": _c15,
    "C16": _c16,
    "C17": _c17,
    "C18": _c18,
    "C19": _c19,
}
