"""Claims C29-C33: heterogeneity, acquired resistance and the trial record (review Table 1).

Trial claims run the built-in designs at their published size (at least 300 patients for
the virtual-control designs) with a fixed seed. Thresholds were fixed before running:
"benefit" is a primary-endpoint hazard ratio whose 95 % CI lies below 1; "no benefit" is a
point estimate >= 0.8 or a CI reaching 1 (no clinically meaningful effect); "low ORR" is
< 15 % of patients with a confirmed response.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from io import StringIO

import numpy as np
import pandas as pd

from mtorsim.evidence.result import ClaimResult, make_result
from mtorsim.pharmacology.pk import average_free_nM
from mtorsim.trials.design import load_design
from mtorsim.trials.run import TrialResult, run_trial
from mtorsim.tumour.growth import TumourParameters
from mtorsim.tumour.lesions import Tumour

__all__ = ["TRIAL_CLAIMS", "table1"]

SEED = 2026
_TSC2 = {"TSC_level": 0.0}
_FRB = {"TSC_level": 0.0, "FRB_resistance": 1000.0}


@lru_cache(maxsize=32)
def _trial(name: str, min_patients: int = 0) -> TrialResult:
    design = load_design(name)
    return run_trial(design, n_patients=max(design.n_patients, min_patients), seed=SEED)


def table1() -> pd.DataFrame:
    """Review Table 1 as data: cancer type, category, trials, design used, endpoint."""
    text = resources.files("mtorsim.data").joinpath("trials/table1.csv").read_text()
    return pd.read_csv(StringIO(text))


def _primary_hr(res: TrialResult) -> tuple[float, float, float]:
    ep = res.design.primary_endpoint
    hr = res.hazard_ratios
    row = hr[(hr.arm == res.arms[0]) & (hr.endpoint == ep)].iloc[0]
    return float(row.HR), float(row.HR_ci_low), float(row.HR_ci_high)


def _c29() -> ClaimResult:
    # one patient: four lesions of a TSC2-null tumour; lesion 0 holds an FRB-mutant subclone
    params = TumourParameters(doubling_time_d=60.0)
    tumour = Tumour.from_lesions(
        [25, 25, 20, 30],
        [
            {"sensitive": 0.9, "resistant": 0.1},
            {"sensitive": 1},
            {"sensitive": 1},
            {"sensitive": 1},
        ],
        {"sensitive": _TSC2, "resistant": _FRB},
        params,
    )
    exposure = {"everolimus": average_free_nM("everolimus", 10)}
    df = tumour.simulate([(0, ["everolimus"], exposure)], 360, every_days=30)
    end = df[(df.clone == "all") & (df.day == 360)].set_index("lesion")["diameter_mm"]
    start = df[(df.clone == "all") & (df.day == 0)].set_index("lesion")["diameter_mm"]
    change = 100 * (end / start - 1)
    # cohort view: how often one biopsy (one random lesion) misses a patient's subclone
    res = _trial("RECORD-1")
    patients = res.patients
    with_sub = patients[patients.subclone != ""]
    from mtorsim.trials.population import cancer_type, sample_patients

    pts = sample_patients(cancer_type("RCC"), 400, SEED)
    sub = pts[pts.subclone.notna()]
    miss = float(np.mean([1 - m.mean() for m in sub.subclone_lesions])) if len(sub) else np.nan
    mixed = res.assessments.groupby("patient")["change_pct"].agg(["min", "max"])
    v = {
        "resistant_lesion_change_pct": float(change.iloc[0]),
        "other_lesions_max_change_pct": float(change.iloc[1:].max()),
        "patients_with_subclone_pct": 100 * len(with_sub) / len(patients),
        "biopsy_misses_subclone_pct": 100 * miss,
        "patients": float(len(mixed)),
    }
    checks = {
        "resistant lesion grows >= 20 %": v["resistant_lesion_change_pct"] >= 20,
        "other lesions stabilise (<= +20 %)": v["other_lesions_max_change_pct"] <= 20,
        "one biopsy misses the subclone in >= 30 % of patients": v["biopsy_misses_subclone_pct"]
        >= 30,
    }
    return make_result(
        "C29",
        checks,
        v,
        f"12 months everolimus: resistant lesion {v['resistant_lesion_change_pct']:+.0f} %, "
        f"others at most {v['other_lesions_max_change_pct']:+.0f} %; one biopsy misses the "
        f"subclone in {v['biopsy_misses_subclone_pct']:.0f} % of RCC patients carrying one",
        "resistant lesion +>=20 % while others <= +20 %; single biopsy misses >= 30 %",
    )


def _c30() -> ClaimResult:
    # the review's anaplastic thyroid case: TSC2-null, fast growing, rare FRB-mutant cells
    params = TumourParameters(doubling_time_d=30.0)
    tumour = Tumour.from_lesions(
        [40], [{"sensitive": 1 - 1e-6, "frb": 1e-6}], {"sensitive": _TSC2, "frb": _FRB}, params
    )
    evero = ("everolimus", {"everolimus": average_free_nM("everolimus", 10)})
    df = tumour.simulate([(0, [evero[0]], evero[1])], 1080, every_days=7)
    total = df[df.clone == "all"].set_index("day")["diameter_mm"]
    frb = df[df.clone == "frb"].set_index("day")["cells"]
    cells = df[df.clone == "all"].set_index("day")["cells"]
    nadir_day = float(total.idxmin())
    progressed = total[(total.index > nadir_day) & (total >= 1.2 * total.min())]
    t_pd = float(progressed.index[0]) if len(progressed) else np.inf
    v = {
        "nadir_change_pct": 100 * (total.min() / total.iloc[0] - 1),
        "progression_months": t_pd / 30.44,
        "frb_fraction_at_progression": float(frb.get(t_pd, np.nan) / cells.get(t_pd, np.nan))
        if np.isfinite(t_pd)
        else np.nan,
    }
    switched = {}
    for drug in ("azd8055", "rapalink-1"):
        rates = tumour.rates([drug], {drug: average_free_nM(drug)})
        switched[drug] = float(rates[1])
    rate_evero = float(tumour.rates([evero[0]], evero[1])[1])
    v.update({f"frb_rate_{k}": r for k, r in switched.items()}, frb_rate_everolimus=rate_evero)
    checks = {
        "response first (nadir <= -10 %)": v["nadir_change_pct"] <= -10,
        "progression after months (3-36)": 3 <= v["progression_months"] <= 36,
        "FRB clone dominates at progression": v["frb_fraction_at_progression"] >= 0.5,
        "TORKi controls the FRB clone": switched["azd8055"] <= 0.1 * rate_evero,
        "RapaLink-1 controls the FRB clone": switched["rapalink-1"] <= 0.1 * rate_evero,
    }
    return make_result(
        "C30",
        checks,
        v,
        f"TSC2-null tumour on everolimus: nadir {v['nadir_change_pct']:+.0f} %, progression "
        f"at {v['progression_months']:.1f} months with FRB-mutant fraction "
        f"{v['frb_fraction_at_progression']:.2f}; FRB clone growth (1/day) everolimus "
        f"{rate_evero:+.4f}, AZD8055 {switched['azd8055']:+.4f}, RapaLink-1 "
        f"{switched['rapalink-1']:+.4f}",
        "response then FRB-driven progression after 3-36 months; TORKi/RapaLink-1 growth "
        "<= 10 % of the rapalog's",
    )


def _c31() -> ClaimResult:
    v: dict[str, float] = {}
    checks: dict[str, bool] = {}
    parts = []
    for r in table1().itertuples(index=False):
        res = _trial(r.trial_design, 300)
        s = res.summary.set_index("arm")
        if r.endpoint == "volume_response":
            exp, ctl = s.iloc[0]["volume_response_pct"], s.iloc[-1]["volume_response_pct"]
            benefit = exp - ctl >= 10
            v[f"{r.cancer_type}_volume_response_diff"] = float(exp - ctl)
            parts.append(f"{r.cancer_type} {exp - ctl:+.0f} pp")
        else:
            hr, lo, hi = _primary_hr(res)
            benefit = hi < 1
            v[f"{r.cancer_type}_HR"] = hr
            parts.append(f"{r.cancer_type} HR {hr:.2f} ({lo:.2f}-{hi:.2f})")
            if r.category == "no benefit":
                benefit = not (hr >= 0.8 or hi >= 1)
        expected = r.category != "no benefit"
        checks[f"{r.cancer_type} {r.category}"] = benefit == expected
        if r.category == "approved benefit" and r.endpoint != "volume_response":
            orr = float(s.iloc[0]["ORR_pct"])
            v[f"{r.cancer_type}_ORR"] = orr
            checks[f"{r.cancer_type} low ORR"] = orr < 15
    return make_result(
        "C31",
        checks,
        v,
        "; ".join(parts),
        "benefit (HR CI < 1) where Table 1 says approved/potential; HR >= 0.8 or CI reaching "
        "1 where it says none; ORR < 15 % with the PFS benefit",
    )


def _c32() -> ClaimResult:
    record = _primary_hr(_trial("RECORD-1"))
    intorsect = _primary_hr(_trial("INTORSECT"))
    s205 = _trial("Study-205")
    hr = s205.hazard_ratios
    combo_vs_evero = float(hr[(hr.arm == s205.arms[0]) & (hr.endpoint == "PFS")].HR.iloc[0])
    summ = s205.summary.set_index("arm")
    from mtorsim.trials.analysis import hazard_ratio

    combo_vs_len = hazard_ratio(s205.patients, s205.arms[0], s205.arms[1])["HR"]
    tox = summ["stopped_for_toxicity_pct"]
    v = {
        "RECORD1_HR": record[0],
        "INTORSECT_HR": intorsect[0],
        "INTORSECT_HR_high": intorsect[2],
        "combo_vs_everolimus_HR": combo_vs_evero,
        "combo_vs_lenvatinib_HR": combo_vs_len,
        "combo_stop_pct": float(tox.iloc[0]),
        "single_stop_max_pct": float(tox.iloc[1:].max()),
    }
    checks = {
        "everolimus beats placebo after TKI": record[2] < 1,
        "temsirolimus not better than sorafenib": intorsect[0] >= 0.8 or intorsect[2] >= 1,
        "lenvatinib + everolimus beats everolimus": combo_vs_evero < 1,
        "lenvatinib + everolimus beats lenvatinib": combo_vs_len < 1,
        "combination more toxic": v["combo_stop_pct"] > v["single_stop_max_pct"],
    }
    return make_result(
        "C32",
        checks,
        v,
        f"RECORD-1 HR {record[0]:.2f} (CI high {record[2]:.2f}); INTORSECT temsirolimus vs "
        f"sorafenib HR {intorsect[0]:.2f}; Study 205 combination vs everolimus HR "
        f"{combo_vs_evero:.2f}, vs lenvatinib {combo_vs_len:.2f}; stops for toxicity "
        f"{v['combo_stop_pct']:.0f} % vs <= {v['single_stop_max_pct']:.0f} %",
        "RECORD-1 benefit; INTORSECT no advantage; combination better and more toxic",
    )


def _c33() -> ClaimResult:
    manta = _trial("MANTA")
    hr = manta.hazard_ratios
    pfs = hr[hr.endpoint == "PFS"].set_index("arm")
    vist, evero = pfs.loc[manta.arms[0]], pfs.loc[manta.arms[1]]
    bez = _trial("BEZ235-PNET").summary.set_index("arm")["stopped_for_toxicity_pct"]
    ly = _trial("LY3023414-phase1", 300).summary.iloc[0]
    tram = _trial("trametinib+everolimus", 300).summary.set_index("arm")
    v = {
        "vistusertib_HR": float(vist.HR),
        "vistusertib_HR_low": float(vist.HR_ci_low),
        "everolimus_HR": float(evero.HR),
        "everolimus_HR_high": float(evero.HR_ci_high),
        "BEZ235_stop_pct": float(bez.iloc[0]),
        "everolimus_stop_pct": float(bez.iloc[1]),
        "LY3023414_shrinkage_pct": float(ly["shrinkage_pct"]),
        "tram_evero_stop_pct": float(tram.iloc[0]["stopped_for_toxicity_pct"]),
        "evero_stop_pct": float(tram.iloc[1]["stopped_for_toxicity_pct"]),
    }
    checks = {
        "vistusertib + fulvestrant not better": v["vistusertib_HR"] >= 0.8
        or float(vist.HR_ci_high) >= 1,
        "everolimus + fulvestrant better": v["everolimus_HR_high"] < 1,
        "BEZ235 poorly tolerated (stops >= 2x everolimus)": v["BEZ235_stop_pct"]
        >= 2 * v["everolimus_stop_pct"],
        "LY3023414 shrinks target lesions in > 50 %": v["LY3023414_shrinkage_pct"] > 50,
        "trametinib + everolimus limited by toxicity (stops >= 2x)": v["tram_evero_stop_pct"]
        >= 2 * v["evero_stop_pct"],
    }
    return make_result(
        "C33",
        checks,
        v,
        f"MANTA HR vs fulvestrant: vistusertib {v['vistusertib_HR']:.2f}, everolimus "
        f"{v['everolimus_HR']:.2f}; stops for toxicity BEZ235 {v['BEZ235_stop_pct']:.0f} % vs "
        f"everolimus {v['everolimus_stop_pct']:.0f} %, trametinib+everolimus "
        f"{v['tram_evero_stop_pct']:.0f} % vs {v['evero_stop_pct']:.0f} %; LY3023414 "
        f"shrinkage in {v['LY3023414_shrinkage_pct']:.0f} %",
        "vistusertib no benefit, everolimus benefit; BEZ235 and MEK+mTOR limited by "
        "tolerability; LY3023414 shrinkage in > half",
    )


TRIAL_CLAIMS = {"C29": _c29, "C30": _c30, "C31": _c31, "C32": _c32, "C33": _c33}
