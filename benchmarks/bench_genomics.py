"""Genotype-layer benchmark: predict 1,000 cell lines x every pathway drug.

Run: ``python benchmarks/bench_genomics.py [--n 8]``. Two cohorts: (a) the 495 shipped GDSC1
lines twice over (990 samples; lines with the same genotype share one simulation), and (b)
1,000 random genotypes drawn gene by gene from pan-cancer TCGA mutation frequencies
(shared/data), the harder case with more distinct genotypes. Timed after a warm-up that
compiles each drug's network.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from mtorsim.genomics.predict import PATHWAY_DRUGS, predict_response
from mtorsim.genomics.validation import gdsc_profiles, load_gdsc

TCGA = Path(__file__).resolve().parents[2] / "shared" / "data" / "tcga_mutation_frequencies.csv"
GENE_EFFECT = {
    "PTEN": ("PTEN_level", 0.0),
    "PIK3CA": ("PIK3CA_gain", 0.4),
    "TSC1": ("TSC_level", 0.0),
    "TSC2": ("TSC_level", 0.0),
    "STK11": ("LKB1_level", 0.0),
    "KRAS": ("KRAS_gain", 1.0),
    "NRAS": ("KRAS_gain", 1.0),
    "BRAF": ("BRAF_gain", 1.0),
    "NF1": ("NF1_level", 0.0),
    "AKT1": ("AKT_gain", 0.3),
    "MTOR": ("MTOR_gain", 0.3),
    "PPP2R2B": ("PPP2R2B_level", 0.0),
}


def random_cohort(n: int, seed: int = 1) -> dict[str, dict[str, float]]:
    freq = pd.read_csv(TCGA)
    pan = freq.groupby("gene")["n_mutated"].sum() / freq.groupby("gene")["n_samples"].sum()
    rng = np.random.default_rng(seed)
    out = {}
    for i in range(n):
        params: dict[str, float] = {}
        for gene, (param, value) in GENE_EFFECT.items():
            if gene in pan.index and rng.random() < pan[gene]:
                params[param] = value
        out[f"r{i}"] = params
    return out


def main() -> None:
    from bench_engine import machine

    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=8)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    lines, _ = load_gdsc()
    gdsc = gdsc_profiles(lines)
    cohort_a = {**gdsc, **{f"{k}_copy": v for k, v in gdsc.items()}}
    cohort_b = random_cohort(1000)
    predict_response({"WT": {}}, PATHWAY_DRUGS, n=2)  # warm-up: compile every drug network
    res: dict[str, object] = {"machine": machine(), "drugs": len(PATHWAY_DRUGS), "n": args.n}
    for label, cohort in (("gdsc_990", cohort_a), ("tcga_random_1000", cohort_b)):
        distinct = len({tuple(sorted(p.items())) for p in cohort.values()})
        t = time.perf_counter()
        pred = predict_response(cohort, PATHWAY_DRUGS, n=args.n)
        res[label] = {
            "samples": len(cohort),
            "distinct_genotypes": distinct,
            "rows": len(pred),
            "seconds": time.perf_counter() - t,
        }
        print(label, json.dumps(res[label]), flush=True)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(res, fh, indent=2)


if __name__ == "__main__":
    main()
