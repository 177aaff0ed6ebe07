"""Trial-layer benchmark: a 1,000-patient, two-arm, 24-month virtual trial end to end.

Run: ``python benchmarks/bench_trials.py``. Times RECORD-1 (everolimus vs placebo, 2:1,
scans every 8 weeks, crossover) with 1,000 patients and 24 months of follow-up: sampling,
pathway steady states for every clone under every treatment, lesion growth, RECIST, PFS/OS
and the lifelines analysis, then the HTML report. Measured after a warm-up that compiles
the network (cached on disk). Peak memory is the process's maximum resident set size.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from mtorsim.report.html import trial_report
from mtorsim.trials import load_design, run_trial


def main() -> None:
    from bench_engine import machine, save

    ap = argparse.ArgumentParser()
    ap.add_argument("--patients", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    design = load_design("RECORD-1").with_changes(follow_up_months=24.0)
    run_trial(design, n_patients=50, seed=0)  # warm-up: compile / load caches
    times = []
    for k in range(args.repeats):
        t0 = time.perf_counter()
        result = run_trial(design, n_patients=args.patients, seed=k)
        times.append(time.perf_counter() - t0)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        trial_report(result, Path(tmp) / "r.html")
        report_s = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    times.sort()
    out = {
        "machine": machine(),
        "trial": "RECORD-1 (2:1, 24 months, scans every 8 weeks)",
        "patients": args.patients,
        "trial_s_median": times[len(times) // 2],
        "trial_s_all": times,
        "report_s": report_s,
        "peak_rss_mb": peak_mb,
        "hr_pfs": float(result.hazard_ratios.HR.iloc[0]),
    }
    save(out, args.json)


if __name__ == "__main__":
    main()
