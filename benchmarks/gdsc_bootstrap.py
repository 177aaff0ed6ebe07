r"""Build the bootstrap ensemble of the fitted GDSC effect sizes (``gdsc_v1_ensemble.csv``).

    nice python benchmarks/gdsc_bootstrap.py --members 8 \
        --out src/mtorsim/data/calibration/gdsc_v1_ensemble.csv
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
    )
    rows.to_csv(args.out, index=False)
    print(f"{args.members} members in {time.perf_counter() - start:.0f} s")
    print(rows.pivot(index="member", columns="parameter", values="value").round(2).to_string())


if __name__ == "__main__":
    main()
