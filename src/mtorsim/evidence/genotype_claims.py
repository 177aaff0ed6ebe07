"""Claims C20-C28 (genotype -> response) as checks on the genotype layer's predictions.

All samples share one seeded cell population, so differences come from genotype alone.
Trial-level parts (PFS in BOLERO-2, mCRPC, the mRCC responder genetics) belong to the trial
layer (#6) and are named, not claimed, here.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from mtorsim.evidence.result import ClaimResult, make_result
from mtorsim.genomics.predict import predict_response

__all__ = ["GENOTYPE_CLAIMS"]

GENOTYPES = {
    "WT": {},
    "TSC2 loss": {"TSC_level": 0.0},
    "MTOR S2215Y": {"MTOR_gain": 0.5},
    "MTOR F2108L (FRB)": {"FRB_resistance": 1000.0},
    "MTOR M2327I": {"MTOR_kinase_resistance": 10.0},
    "PIK3CA H1047R": {"PIK3CA_gain": 0.5},
    "PTEN loss": {"PTEN_level": 0.0},
    "STK11 loss": {"LKB1_level": 0.0},
    "KRAS G12D": {"KRAS_gain": 1.0},
    "BRAF V600E": {"BRAF_gain": 1.0},
    "PPP2R2B loss": {"PPP2R2B_level": 0.0},
}


@lru_cache(maxsize=1)
def _predictions() -> pd.DataFrame:
    return predict_response(GENOTYPES, ["everolimus", "azd8055", "rapalink-1"], n=32, seed=7)


def _r(sample: str, drug: str = "everolimus", col: str = "response_mean") -> float:
    df = _predictions()
    return float(df.loc[(df["sample"] == sample) & (df["drug"] == drug), col].iloc[0])


def _vs_wt(sample: str) -> float:
    return _r(sample) - _r("WT")


def _c20() -> ClaimResult:
    others = [g for g in GENOTYPES if g not in ("WT", "TSC2 loss")]
    v = {"tsc2_loss": _r("TSC2 loss"), "wt": _r("WT"), "best_other": max(_r(g) for g in others)}
    checks = {
        "TSC loss more sensitive than WT": v["tsc2_loss"] > v["wt"],
        "strongest of all genotypes": v["tsc2_loss"] >= v["best_other"],
    }
    return make_result(
        "C20",
        checks,
        v,
        f"predicted growth-drive fall on everolimus: TSC2 loss "
        f"{v['tsc2_loss']:.2f} vs WT {v['wt']:.2f} (best other "
        f"{v['best_other']:.2f}); patient responses: trial layer (#6)",
        "TSC loss most rapalog-sensitive",
    )


def _c21() -> ClaimResult:
    v = {
        "mtor_act": _r("MTOR S2215Y"),
        "wt": _r("WT"),
        "mtor_act_S6K1_fold": _r("MTOR S2215Y", col="S6K1_fold"),
    }
    checks = {
        "activating MTOR stays rapalog-sensitive (>= WT)": v["mtor_act"] >= v["wt"],
        "pS6K1 suppressed": v["mtor_act_S6K1_fold"] < 0.1,
    }
    return make_result(
        "C21",
        checks,
        v,
        f"MTOR S2215Y: growth-drive fall {v['mtor_act']:.2f} vs WT "
        f"{v['wt']:.2f}; pS6K1 x{v['mtor_act_S6K1_fold']:.2f} "
        "(spatial heterogeneity: tumour layer, #6)",
        "hyperactive and still sensitive",
    )


def _c22() -> ClaimResult:
    v = {
        "frb_everolimus": _r("MTOR F2108L (FRB)"),
        "frb_azd8055": _r("MTOR F2108L (FRB)", "azd8055"),
        "frb_rapalink": _r("MTOR F2108L (FRB)", "rapalink-1"),
        "wt_everolimus": _r("WT"),
    }
    checks = {
        "FRB mutant resists the rapalog": v["frb_everolimus"] < 0.25 * v["wt_everolimus"],
        "TORKi still works": v["frb_azd8055"] > 0.5 * v["wt_everolimus"],
        "RapaLink-1 still works": v["frb_rapalink"] > 0.5 * v["wt_everolimus"],
    }
    return make_result(
        "C22",
        checks,
        v,
        f"FRB mutant: everolimus {v['frb_everolimus']:.2f}, AZD8055 "
        f"{v['frb_azd8055']:.2f}, RapaLink-1 {v['frb_rapalink']:.2f} (WT "
        f"everolimus {v['wt_everolimus']:.2f}); the kinase-domain M2327I shift is scored in C17",
        "rapalog fails, TORKi and RapaLink-1 work",
    )


def _c23() -> ClaimResult:
    v = {"pik3ca": _r("PIK3CA H1047R"), "wt": _r("WT")}
    checks = {"H1047R predicts more everolimus benefit": v["pik3ca"] > v["wt"]}
    return make_result(
        "C23",
        checks,
        v,
        f"PIK3CA H1047R growth-drive fall {v['pik3ca']:.2f} vs WT {v['wt']:.2f}"
        " (PFS in HR+ breast cancer: trial layer, #6)",
        "H1047R more responsive than WT",
    )


def _c24() -> ClaimResult:
    v = {"pten": _r("PTEN loss"), "wt": _r("WT")}
    checks = {"PTEN loss more sensitive": v["pten"] > v["wt"]}
    return make_result(
        "C24",
        checks,
        v,
        f"PTEN loss {v['pten']:.2f} vs WT {v['wt']:.2f} (GDSC ln IC50: mtorsim validate --gdsc)",
        "PTEN loss more sensitive",
    )


def _c25() -> ClaimResult:
    v = {"stk11": _r("STK11 loss"), "wt": _r("WT")}
    checks = {"STK11 loss more sensitive": v["stk11"] > v["wt"]}
    return make_result(
        "C25",
        checks,
        v,
        f"STK11 loss {v['stk11']:.2f} vs WT {v['wt']:.2f}",
        "STK11 loss more sensitive",
    )


def _c26() -> ClaimResult:
    v = {"kras": _r("KRAS G12D"), "braf": _r("BRAF V600E"), "wt": _r("WT")}
    checks = {
        "KRAS mutant less sensitive": v["kras"] < v["wt"],
        "BRAF mutant less sensitive": v["braf"] < v["wt"],
    }
    return make_result(
        "C26",
        checks,
        v,
        f"KRAS G12D {v['kras']:.3f}, BRAF V600E {v['braf']:.3f} vs WT {v['wt']:.3f}",
        "both below WT",
    )


def _c27() -> ClaimResult:
    v = {"ppp2r2b": _r("PPP2R2B loss"), "wt": _r("WT")}
    checks = {"PPP2R2B loss resists the rapalog": v["ppp2r2b"] < v["wt"]}
    return make_result(
        "C27",
        checks,
        v,
        f"PPP2R2B loss {v['ppp2r2b']:.2f} vs WT {v['wt']:.2f} (MYC S62 kept "
        "by PDK1 under rapamycin)",
        "below WT",
    )


def _c28() -> ClaimResult:
    df = _predictions()
    eve = df[df["drug"] == "everolimus"].set_index("sample")["probability_response"]
    v = {
        "wt_probability": float(eve["WT"]),
        "tsc_probability": float(eve["TSC2 loss"]),
        "n_genotypes_not_certain": float(((eve > 0.05) & (eve < 0.95)).sum()),
    }
    checks = {
        "wild type can respond (probability between 5 and 95 %)": 0.05 < v["wt_probability"] < 0.95,
        "predictions are probabilities, not yes/no": v["n_genotypes_not_certain"] >= 3,
    }
    return make_result(
        "C28",
        checks,
        v,
        f"P(response) on everolimus: WT {v['wt_probability']:.2f}, TSC2 loss "
        f"{v['tsc_probability']:.2f}; {int(v['n_genotypes_not_certain'])} of "
        f"{len(eve)} genotypes are neither ~0 nor ~1 (mRCC responders: #6)",
        "probabilistic predictions; non-mutated tumours can respond",
    )


GENOTYPE_CLAIMS = {
    "C20": _c20,
    "C21": _c21,
    "C22": _c22,
    "C23": _c23,
    "C24": _c24,
    "C25": _c25,
    "C26": _c26,
    "C27": _c27,
    "C28": _c28,
}
