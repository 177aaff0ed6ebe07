"""Pharmacology benchmark: 28 days of everolimus 10 mg daily, PK + signalling, one process.

Run: ``python benchmarks/bench_pharmacology.py [--n 1000] [--json out.json]``.

1. one patient, 28 days, output every 6 h: mtorsim vs libRoadRunner running the exported
   SBML, in which the 28 doses are SBML events;
2. N patients with log-normal variability on everolimus CL and V1 (CVs from the library):
   mtorsim's batched kernel (and a loop of single runs) vs a libRoadRunner loop.
Both start from the untreated steady state and use rtol 1e-6, atol 1e-10.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import mtorsim
import mtorsim.engine
import mtorsim.network.sbml_export
from bench_engine import machine, median_time, save
from mtorsim.pharmacology.pk import sample_pk_parameters
from mtorsim.pharmacology.regimen import Regimen
from mtorsim.pharmacology.treatment import compiled_with_drugs, dosing_events

RTOL, ATOL, DAYS = 1e-6, 1e-10, 28.0


def main() -> None:
    import roadrunner

    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()

    regimen = Regimen("everolimus", 10.0)
    horizon = DAYS * 24.0
    t_out = np.arange(0.0, horizon + 1e-9, 6.0)
    compiled = compiled_with_drugs(["everolimus"])
    ss = mtorsim.engine.steady_state(compiled).values
    net = compiled.network.with_initials({s: float(ss[s]) for s in compiled.species})
    ours = mtorsim.engine.compile_network(net)
    events = dosing_events([regimen], horizon)
    sbml = mtorsim.network.sbml_export.to_sbml(net, events=events)
    rr = roadrunner.RoadRunner(sbml)
    rr.integrator.relative_tolerance = RTOL
    rr.integrator.absolute_tolerance = ATOL
    cols = list(ours.species)

    def ours_one() -> None:
        mtorsim.engine.simulate(ours, horizon, t_out=t_out, events=events, rtol=RTOL, atol=ATOL)

    def rr_one() -> None:
        rr.resetAll()
        rr.simulate(0, horizon, len(t_out))

    res = {
        "machine": machine(),
        "n": args.n,
        "species": ours.n_species,
        "reactions": len(net.reactions),
        "doses": len(events),
        "single_ms": {
            "mtorsim": 1e3 * median_time(ours_one, 20),
            "libroadrunner": 1e3 * median_time(rr_one, 20),
        },
    }
    a = mtorsim.engine.simulate(ours, horizon, t_out=t_out, events=events, rtol=1e-10, atol=1e-13)[
        cols
    ].to_numpy()
    rr.integrator.relative_tolerance, rr.integrator.absolute_tolerance = 1e-10, 1e-14
    rr.resetAll()
    b = np.asarray(rr.simulate(0, horizon, len(t_out), selections=cols))
    res["max_rel_diff_tight_tolerance"] = float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-6)))
    rr.integrator.relative_tolerance, rr.integrator.absolute_tolerance = RTOL, ATOL

    sets = sample_pk_parameters("everolimus", args.n, seed=2026)
    t = time.perf_counter()
    _, _values, status = mtorsim.engine.simulate_batch(
        ours, horizon, sets, t_out=t_out, events=events, rtol=RTOL, atol=ATOL
    )
    batch_s = time.perf_counter() - t
    t = time.perf_counter()
    for i in range(args.n):
        mtorsim.engine.simulate(
            ours,
            horizon,
            t_out=t_out,
            events=events,
            parameters=sets.iloc[i].to_dict(),
            rtol=RTOL,
            atol=ATOL,
        )
    loop_s = time.perf_counter() - t
    rows = sets.to_numpy()
    names = list(sets.columns)
    rr_fail = 0
    t = time.perf_counter()
    for i in range(args.n):
        rr.resetAll()
        for name, v in zip(names, rows[i], strict=True):
            rr[name] = v
        try:
            rr.simulate(0, horizon, len(t_out))
        except RuntimeError:
            rr_fail += 1
    rr_s = time.perf_counter() - t
    res["patients"] = {
        "mtorsim_batched_s": batch_s,
        "mtorsim_single_loop_s": loop_s,
        "libroadrunner_loop_s": rr_s,
        "mtorsim_failures": int((status != 0).sum()),
        "libroadrunner_failures": rr_fail,
    }
    save(res, args.json)


if __name__ == "__main__":
    main()
