r"""Build the bootstrap ensemble of the fitted GDSC effect sizes (``gdsc_v1_ensemble.csv``).

    nice python benchmarks/gdsc_bootstrap.py --members 8 \
        --out src/mtorsim/data/calibration/gdsc_v1_ensemble.csv
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from mtorsim.genomics.gdsc_cv import bootstrap_ensemble


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=8)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--variant", default="mechanistic (genotype + tissue)")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    start = time.perf_counter()
    rows = bootstrap_ensemble(args.variant, args.members, seed=args.seed, progress=print)
    rows.to_csv(args.out, index=False)
    print(f"{args.members} members in {time.perf_counter() - start:.0f} s")
    print(rows.pivot(index="member", columns="parameter", values="value").round(2).to_string())


if __name__ == "__main__":
    main()
