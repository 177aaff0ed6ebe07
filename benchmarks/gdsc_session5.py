"""GDSC1 cross-validation of the session-5 mechanistic variants beside the baselines.

Every variant and baseline is fitted on the training lines of each of the same 5 folds
(``cell_line_folds``, seed 0) and scored on the test lines; nothing about a test line but
its genotype flags and tissue is used. Simulated responses are cached per genotype in a
pickle (``--cache``), so reruns only pay for genotypes not seen before.

    nice python benchmarks/gdsc_session5.py --baselines --cache DIR --out DIR/scores.csv
"""

from __future__ import annotations

import argparse
import pickle
import time
from pathlib import Path

import numpy as np
import pandas as pd

from mtorsim.genomics.baselines import BASELINES
from mtorsim.genomics.calibration import (
    DoseResponseCache,
    ResponseCache,
    ResponseEmulator,
    fit_context,
    fit_mechanistic,
    predict_mechanistic,
)
from mtorsim.genomics.folds import cell_line_folds
from mtorsim.genomics.gdsc_cv import _baseline, _score, summarise_cv
from mtorsim.genomics.validation import gdsc_profiles, gdsc_response_table, load_gdsc

#: per-tissue context values tried (1 = the network's default): receptor input, PTEN level,
#: a RAS gain (a tissue's usual pathway state, chosen on its training lines only)
CONTEXT_GRID = {"GF": (0.5, 2.0), "PTEN_level": (0.5,), "KRAS_gain": (0.3,)}
#: name -> (cache kind, fit_mechanistic keywords, tissue-context grid or None)
VARIANTS = {
    "mech, clinical dose (assumed)": ("clinical", {"tissue": False, "fit_effects": False}),
    "mech + tissue, clinical dose (assumed)": ("clinical", {"tissue": True, "fit_effects": False}),
    "mech, dose-response (assumed)": ("dose", {"tissue": False, "fit_effects": False}),
    "mech + tissue, dose-response (assumed)": ("dose", {"tissue": True, "fit_effects": False}),
    "mech + tissue, dose-response, isotonic link": (
        "dose",
        {"tissue": True, "fit_effects": False, "link": "isotonic"},
    ),
    "mech + tissue, clinical dose, isotonic link (assumed)": (
        "clinical",
        {"tissue": True, "fit_effects": False, "link": "isotonic"},
    ),
    "mech + tissue, clinical dose, isotonic link (fitted effects)": (
        "clinical",
        {"tissue": True, "fit_effects": True, "link": "isotonic"},
    ),
    "mech + tissue, clinical dose (fitted effects, emulated search, 3 starts)": (
        "clinical",
        {"tissue": True, "fit_effects": True, "emulate": True, "n_starts": 3},
    ),
    "mech + tissue, clinical dose, isotonic link (fitted effects, emulated search, 3 starts)": (
        "clinical",
        {"tissue": True, "fit_effects": True, "link": "isotonic", "emulate": True, "n_starts": 3},
    ),
    "mech, clinical dose (fitted effects, emulated search, 3 starts)": (
        "clinical",
        {"tissue": False, "fit_effects": True, "emulate": True, "n_starts": 3},
    ),
    "mech, clinical dose, isotonic link (fitted effects)": (
        "clinical",
        {"tissue": False, "fit_effects": True, "link": "isotonic"},
    ),
    "mech + tissue, clinical dose, link by inner CV (assumed)": (
        "clinical",
        {"tissue": True, "fit_effects": False, "link": "auto"},
    ),
    "mech + tissue, dose-response, link by inner CV (assumed)": (
        "dose",
        {"tissue": True, "fit_effects": False, "link": "auto"},
    ),
    "mech, clinical dose, link by inner CV (assumed)": (
        "clinical",
        {"tissue": False, "fit_effects": False, "link": "auto"},
    ),
    "mech + tissue, dose-response, tissue GF context, no penalty": (
        "dose",
        {
            "tissue": True,
            "fit_effects": False,
            "context": {"GF": (0.5, 1.0, 2.0)},
            "context_penalty": 0.0,
        },
    ),
    "mech + tissue, dose-response, tissue GF context": (
        "dose",
        {"tissue": True, "fit_effects": False, "context": {"GF": (0.5, 1.0, 2.0)}},
    ),
    # session 6: the dose-response read-out with fitted effects and the monotone link
    "mech + tissue, dose-response, isotonic link (fitted effects, emulated search, 3 starts)": (
        "dose",
        {"tissue": True, "fit_effects": True, "link": "isotonic", "emulate": True, "n_starts": 3},
    ),
    # session 6: effect sizes carried by >= 5 training lines fitted (TSC, MTOR too)
    "mech + tissue, clinical dose, isotonic link (fitted effects >= 5 lines, emulated "
    "search, 3 starts)": (
        "clinical",
        {
            "tissue": True,
            "fit_effects": True,
            "link": "isotonic",
            "emulate": True,
            "n_starts": 3,
            "min_lines": 5,
        },
    ),
    "mech + tissue, clinical dose (fitted effects >= 5 lines, emulated search, 3 starts)": (
        "clinical",
        {"tissue": True, "fit_effects": True, "emulate": True, "n_starts": 3, "min_lines": 5},
    ),
    # session 6: per-tissue PTEN and RAS levels as context too (issue #13 names them)
    "mech + tissue, clinical dose, tissue GF/PTEN/RAS context (assumed)": (
        "clinical",
        {"tissue": True, "fit_effects": False, "context": CONTEXT_GRID},
    ),
    "mech + tissue, clinical dose, isotonic link, tissue GF/PTEN/RAS context (fitted effects, "
    "emulated search, 3 starts)": (
        "clinical",
        {
            "tissue": True,
            "fit_effects": True,
            "link": "isotonic",
            "emulate": True,
            "n_starts": 3,
            "context": CONTEXT_GRID,
        },
    ),
}


def _load(path: Path, cache: ResponseCache) -> ResponseCache:
    if path.exists():
        cache._store.update(pickle.loads(path.read_bytes()))
    return cache


def report(rows: list, times: dict[str, list[float]], out: Path) -> None:
    """Write the scores to ``out`` and print the CV summary and the fit times per model."""
    scores = pd.DataFrame(rows)
    scores.to_csv(out, index=False)
    summary = summarise_cv(scores)
    with pd.option_context("display.width", 200, "display.max_rows", 500):
        print(summary.round(3).to_string())
    print({k: round(float(np.sum(v)), 1) for k, v in times.items()})


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=Path, default=Path("/tmp/cal5_gdsc_helper"))
    ap.add_argument("--out", type=Path, default=Path("/tmp/cal5_gdsc_helper/scores.csv"))
    ap.add_argument("--variants", nargs="*", default=None)
    ap.add_argument("--baselines", action="store_true")
    args = ap.parse_args()
    table = gdsc_response_table()
    profiles = gdsc_profiles(load_gdsc()[0])
    folds = cell_line_folds(table["cell_line"], k=5, seed=0)
    table["fold"] = table["cell_line"].map(folds)
    drugs = sorted(table["drug"].unique())
    caches = {
        "clinical": _load(args.cache / "clinical.pkl", ResponseCache(drugs)),
        "dose": _load(args.cache / "dose.pkl", DoseResponseCache(drugs)),
    }
    emulators: dict[str, ResponseEmulator] = {}
    chosen = args.variants or list(VARIANTS)
    rows, times = [], {}
    for f in range(5):
        train = table[table["fold"] != f].reset_index(drop=True)
        test = table[table["fold"] == f].reset_index(drop=True)
        for name in chosen:
            kind, kw = VARIANTS[name]
            cache = caches[kind]
            start = time.perf_counter()
            if kw.get("emulate"):
                kw = {**kw, "emulator": emulators.setdefault(kind, ResponseEmulator(cache))}
                del kw["emulate"]
            if "context" in kw:
                kw = dict(kw)
                grid = kw.pop("context")
                penalty = kw.pop("context_penalty", 2.0)
                fit, ctx = fit_context(train, profiles, cache, grid, penalty=penalty, **kw)
                print(f"fold {f}: {name}: contexts {ctx}", flush=True)
            else:
                fit, ctx = fit_mechanistic(train, profiles, cache, **kw), None
            times.setdefault(name, []).append(time.perf_counter() - start)
            for split, part in (("fit", train), ("test", test)):
                pred = predict_mechanistic(fit, part, profiles, cache, context=ctx)
                rows += _score(name, f, split, part, pred)
            pickle.dump(cache._store, (args.cache / f"{kind}.pkl").open("wb"))
            print(f"fold {f}: {name} {times[name][-1]:.1f} s", flush=True)
        if args.baselines:
            for name, fn in BASELINES.items():
                for split, part in (("fit", train), ("test", test)):
                    rows += _score(name, f, split, part, _baseline(fn, train, part, 0))
    report(rows, times, args.out)


if __name__ == "__main__":
    main()
