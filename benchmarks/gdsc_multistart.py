"""Time a multistart fit of the GDSC cell-line model (effect sizes + links + tissue offsets).

One process: ``fit_mechanistic(..., n_starts=N)`` runs its starts in series (the assumed
sizes, then seeded uniform points within the bounds) on all shipped lines, sharing one
response cache; prints each start's cost and wall time, so a 100-start figure on 2 cores can
be extrapolated (100 x mean time per start / 2 workers).

    nice python benchmarks/gdsc_multistart.py --starts 10
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from mtorsim.genomics.calibration import ResponseCache, fit_mechanistic
from mtorsim.genomics.validation import gdsc_profiles, gdsc_response_table, load_gdsc


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--starts", type=int, default=10)
    ap.add_argument("--max-nfev", type=int, default=15)
    args = ap.parse_args()
    table = gdsc_response_table()
    profiles = gdsc_profiles(load_gdsc()[0])
    cache = ResponseCache(sorted(table["drug"].unique()))
    start = time.perf_counter()
    fit = fit_mechanistic(
        table, profiles, cache, tissue=True, max_nfev=args.max_nfev, n_starts=args.starts
    )
    total = time.perf_counter() - start
    for i, (cost, secs) in enumerate(fit.starts):
        print(f"start {i}: cost {cost:.2f}, {secs:.1f} s")
    mean = float(np.mean([s for _, s in fit.starts]))
    print(
        f"{args.starts} starts in {total:.0f} s ({fit.nfev} evaluations, {len(cache)} genotypes "
        f"simulated, load {os.getloadavg()[0]:.1f}); mean {mean:.1f} s per start; 100 starts "
        f"on 2 workers ~ {100 * mean / 2 / 60:.1f} min"
    )
    print({p: round(v, 3) for p, v in fit.scales.items()})


if __name__ == "__main__":
    main()
