r"""Build a bootstrap ensemble of a GDSC cell-line fit (the shipped ``*_ensemble.csv``).

    # gdsc_v2: effect sizes, links and tissue shifts of 10 members (session 11)
    nice python benchmarks/gdsc_bootstrap.py --members 10 --links --set gdsc_v2 \
        --out src/mtorsim/data/calibration/gdsc_v2_ensemble.csv
    # gdsc_v2_prior: the assumed sizes, links and shifts refitted on 20 resamples
    nice python benchmarks/gdsc_bootstrap.py --members 20 --links --set gdsc_v2_prior \
        --variant "mechanistic + tissue, assumed effects" \
        --out src/mtorsim/data/calibration/gdsc_v2_prior_ensemble.csv
"""

from __future__ import annotations

import argparse
import pickle
import time
from pathlib import Path

from mtorsim.genomics.calibration import ResponseCache
from mtorsim.genomics.gdsc_cv import bootstrap_ensemble
from mtorsim.genomics.validation import gdsc_response_table


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=8)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--variant", default="mechanistic (genotype + tissue)")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--starts", type=int, default=3)
    ap.add_argument("--cache", type=Path, help="pickle of simulated responses to reuse")
    ap.add_argument("--links", action="store_true", help="keep links and tissue shifts too")
    ap.add_argument("--set", help="the set's name: each row's source then names it briefly")
    args = ap.parse_args()
    start = time.perf_counter()
    table = gdsc_response_table()
    cache = ResponseCache(sorted(table["drug"].unique()))
    if args.cache and args.cache.exists():
        cache._store.update(pickle.loads(args.cache.read_bytes()))
    rows = bootstrap_ensemble(
        args.variant,
        args.members,
        seed=args.seed,
        n_starts=args.starts,
        cache=cache,
        progress=lambda m: print(m, flush=True),
        links=args.links,
    )
    if args.set:  # one short source per row (the set's notes in gdsc_v1.md say the rest)
        rows["source"] = [
            f"fitted: {args.set} bootstrap member {m} of {args.members} (gdsc_v1.md)"
            for m in rows["member"]
        ]
    rows.to_csv(args.out, index=False)
    print(f"{args.members} members in {time.perf_counter() - start:.0f} s")
    scales = rows[rows["parameter"].str.startswith("effect_scale:")]
    print(scales.pivot(index="member", columns="parameter", values="value").round(2).to_string())


if __name__ == "__main__":
    main()
