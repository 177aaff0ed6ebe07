"""Time a multistart fit of the GDSC cell-line model (effect sizes + links + tissue offsets).

One process: ``fit_mechanistic(..., n_starts=N)`` runs its starts in series (the assumed
sizes, then seeded uniform points within the bounds) on all shipped lines, sharing one
response cache (``--emulate``: searching on the interpolated responses of one
:class:`ResponseEmulator`, whose grids are simulated inside the first start); prints each
start's cost and wall time, so a 100-start figure on 2 cores can
be extrapolated (100 x mean time per start / 2 workers).

    nice python benchmarks/gdsc_multistart.py --starts 10 [--emulate]
"""

from __future__ import annotations

import argparse
import os
import pickle
import time
from pathlib import Path

import numpy as np

from mtorsim.genomics.calibration import (
    ResponseCache,
    ResponseEmulator,
    _genotypes,
    fit_mechanistic,
)
from mtorsim.genomics.parameter_sets import scale_effects
from mtorsim.genomics.validation import gdsc_profiles, gdsc_response_table, load_gdsc


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--starts", type=int, default=10)
    ap.add_argument("--max-nfev", type=int, default=15)
    ap.add_argument("--emulate", action="store_true", help="search on the response emulator")
    ap.add_argument("--save", type=Path, help="merge the simulated responses into this pickle")
    ap.add_argument("--warm", type=Path, help="start from this pickle of simulations (warm)")
    args = ap.parse_args()
    table = gdsc_response_table()
    profiles = gdsc_profiles(load_gdsc()[0])
    cache = ResponseCache(sorted(table["drug"].unique()))
    if args.warm:
        cache._store.update(pickle.loads(args.warm.read_bytes()))
    emulator = ResponseEmulator(cache) if args.emulate else None
    start = time.perf_counter()
    fit = fit_mechanistic(
        table,
        profiles,
        cache,
        tissue=True,
        max_nfev=args.max_nfev,
        n_starts=args.starts,
        emulator=emulator,
    )
    total = time.perf_counter() - start
    if emulator is not None:
        base, _ = _genotypes(profiles, table["cell_line"])
        emulated = emulator.get(base, fit.log_scales)
        exact = cache.get([scale_effects(g, fit.scales) for g in base])
        print(
            f"emulator: {len(emulator._grids)} grids; at the estimate max |emulated - exact| "
            f"= {np.abs(emulated - exact).max():.4f} (responses span "
            f"{exact.min():.3f}-{exact.max():.3f})"
        )
    for i, (cost, secs) in enumerate(fit.starts):
        print(f"start {i}: cost {cost:.2f}, {secs:.1f} s")
    mean = float(np.mean([s for _, s in fit.starts]))
    print(
        f"{args.starts} starts in {total:.0f} s ({fit.nfev} evaluations, {len(cache)} genotypes "
        f"simulated, load {os.getloadavg()[0]:.1f}); mean {mean:.1f} s per start; 100 starts "
        f"on 2 workers ~ {100 * mean / 2 / 60:.1f} min"
    )
    print({p: round(v, 3) for p, v in fit.scales.items()})
    if args.save:  # after timing: lets gdsc_session5.py reuse the simulations
        store = pickle.loads(args.save.read_bytes()) if args.save.exists() else {}
        store.update(cache._store)
        args.save.write_bytes(pickle.dumps(store))


if __name__ == "__main__":
    main()
