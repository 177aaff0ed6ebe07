"""Scale benchmarks (issue #7), each side by side in one process.

Run: ``python benchmarks/bench_scale.py [--part ode|trials|dask|steady|memory] [--json out.json]``.

* ``ode``: N patients x 12 months of everolimus 10 mg daily, full ODE (2-compartment PK +
  FKBP12/FRB binding + signalling + tumour burden), PK and tumour-growth variability per
  patient: mtorsim's batched cohort kernel vs a loop of libRoadRunner simulations of the
  exported SBML (365 dosing events) with the same parameters, vs mtorsim's own single-run
  loop; at rtol 1e-6 and 1e-4 (atol 1e-10), the same for both tools.
* ``trials``: the trial pipeline (steady-state signalling per clone at average exposure,
  exact lesion growth) from 1e2 to 1e5 patients: time per patient.
* ``dask``: 1e4 patients on a local Dask cluster with 1 and 2 workers (one numba thread
  each), and in one process (numba threads on every core) for reference.
* ``memory``: peak RSS of cohorts (full ODE, 28 days) streamed to Parquet, 1e3 and 2e4
  patients, each in a fresh process.
* ``steady``: steady states of 1,000 parameter sets of the default network (kinetic
  constants x exp(N(0, 0.2))): mtorsim batched Newton vs libRoadRunner ``steadyState``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

import mtorsim
import mtorsim.engine
import mtorsim.network.sbml_export
from bench_engine import machine, save
from mtorsim.engine.cohort import simulate_cohort
from mtorsim.pharmacology.mechanism import with_drugs
from mtorsim.pharmacology.pk import sample_pk_parameters
from mtorsim.pharmacology.regimen import Regimen
from mtorsim.pharmacology.treatment import dosing_events
from mtorsim.tumour.growth import TumourParameters
from mtorsim.tumour.ode import BURDEN, baseline_parameters, with_tumour

DAYS = 365


def _ode_setup():
    drugged = with_drugs(mtorsim.load().network, ["everolimus"], pk=True)
    ss = mtorsim.engine.steady_state(drugged).values
    net = with_tumour(drugged, TumourParameters()).with_parameters(
        baseline_parameters(ss.to_dict())
    )
    net = net.with_initials({s.name: float(ss[s.name]) for s in drugged.species})
    return net


def bench_ode(n: int, n_loop: int) -> dict:
    import roadrunner

    net = _ode_setup()
    compiled = mtorsim.engine.compile_network(net)
    horizon = DAYS * 24.0
    events = dosing_events([Regimen("everolimus", 10.0)], horizon)
    t_out = np.linspace(0.0, horizon, 13)  # monthly, ending at 12 months (as RR reports)
    rng = np.random.default_rng(7)
    sets = sample_pk_parameters("everolimus", n, seed=rng)
    p0 = compiled.p0[compiled.parameter_index("tumour__proliferation")]
    sets["tumour__proliferation"] = p0 * np.exp(rng.normal(0, 0.5, n))
    rr = roadrunner.RoadRunner(mtorsim.network.sbml_export.to_sbml(net, events=events))
    out: dict = {
        "patients": n,
        "loop_patients": n_loop,
        "species": compiled.n_species,
        "doses": len(events),
    }
    for rtol in (1e-6, 1e-4):
        atol = 1e-10
        t = time.perf_counter()
        cohort = simulate_cohort(
            compiled,
            horizon,
            sets,
            t_out,
            events=[events] * n,
            readouts=[BURDEN],
            rtol=rtol,
            atol=atol,
        )
        batch_s = time.perf_counter() - t
        t = time.perf_counter()
        for i in range(n_loop):
            mtorsim.engine.simulate(
                compiled,
                horizon,
                parameters=sets.iloc[i].to_dict(),
                events=events,
                t_out=t_out,
                rtol=rtol,
                atol=atol,
            )
        loop_s = (time.perf_counter() - t) / n_loop
        rr.integrator.relative_tolerance = rtol
        rr.integrator.absolute_tolerance = atol
        burden_rr = []
        t = time.perf_counter()
        for i in range(n_loop):
            rr.resetAll()
            for name, v in sets.iloc[i].items():
                rr[name] = float(v)
            res = rr.simulate(0, horizon, len(t_out), selections=["time", BURDEN])
            burden_rr.append(np.asarray(res)[-1, 1])
        rr_s = (time.perf_counter() - t) / n_loop
        ours = cohort[cohort.time == t_out[-1]][BURDEN].to_numpy()[:n_loop]
        out[f"rtol_{rtol:g}"] = {
            "mtorsim_batched_s": batch_s,
            "mtorsim_batched_per_patient_ms": 1e3 * batch_s / n,
            "mtorsim_single_loop_per_patient_ms": 1e3 * loop_s,
            "libroadrunner_loop_per_patient_ms": 1e3 * rr_s,
            "libroadrunner_over_mtorsim_batched": rr_s / (batch_s / n),
            "max_rel_diff_burden_vs_rr": float(np.max(np.abs(ours / np.array(burden_rr) - 1))),
            "failures": int((cohort.status != 0).sum() // len(t_out)),
        }
        print(rtol, out[f"rtol_{rtol:g}"], flush=True)
    return out


def bench_trials(sizes: list[int]) -> dict:
    from mtorsim.trials import load_design, run_trial

    design = load_design("RECORD-1").with_changes(follow_up_months=12.0, accrual_months=6.0)
    run_trial(design, n_patients=50)
    out = {}
    for n in sizes:
        t = time.perf_counter()
        run_trial(design, n_patients=n, seed=1, chunk_size=2000)
        s = time.perf_counter() - t
        out[str(n)] = {"seconds": s, "per_patient_ms": 1e3 * s / n}
        print(n, out[str(n)], flush=True)
    return out


def bench_dask(n: int) -> dict:
    from mtorsim.scale import local_client, run_trial_distributed
    from mtorsim.trials import load_design, run_trial

    design = load_design("RECORD-1").with_changes(follow_up_months=12.0, accrual_months=6.0)
    run_trial(design, n_patients=200, seed=0)  # warm-up: load the compiled kernels
    t = time.perf_counter()
    run_trial(design, n_patients=n, seed=1, chunk_size=1000)
    out = {"single_process_s": time.perf_counter() - t}
    for workers in (1, 2):  # one core per worker, so the two runs differ only in workers
        client = local_client(workers, numba_threads=1)
        run_trial_distributed(design, n_patients=200, seed=0, chunk_size=100, client=client)
        t = time.perf_counter()
        run_trial_distributed(design, n_patients=n, seed=1, chunk_size=1000, client=client)
        out[f"workers_{workers}_s"] = time.perf_counter() - t
        cluster = client.cluster
        client.close()
        cluster.close()
        print(workers, out, flush=True)
    return out


def bench_memory(sizes: list[int]) -> dict:
    """Peak RSS while streaming cohorts of growing size to Parquet, each in a fresh process."""
    import subprocess
    import sys

    script = (
        "import resource, sys, tempfile, time\n"
        "from mtorsim.io import table_writer\n"
        "from mtorsim.pharmacology.cohort import simulate_treatment_cohort\n"
        "from mtorsim.pharmacology.regimen import Regimen\n"
        "n = int(sys.argv[1])\n"
        "with tempfile.TemporaryDirectory() as d:\n"
        "    t = time.perf_counter()\n"
        "    with table_writer(d + '/c.parquet') as write:\n"
        "        simulate_treatment_cohort([Regimen('everolimus', 10.0)], n, days=28,"
        " on_chunk=write)\n"
        "    s = time.perf_counter() - t\n"
        "print(s, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)\n"
    )
    out = {}
    for n in sizes:
        res = subprocess.run(
            [sys.executable, "-c", script, str(n)], capture_output=True, text=True, check=True
        )
        seconds, peak = (float(x) for x in res.stdout.split()[-2:])
        out[str(n)] = {"seconds": seconds, "peak_rss_mb": peak}
        print(n, out[str(n)], flush=True)
    return out


def bench_steady(n: int, n_rr: int) -> dict:
    import roadrunner

    net = mtorsim.load().network
    compiled = mtorsim.engine.compile_network(net)
    kinetic = [p.name for p in net.parameters if p.name.startswith(("k_", "K_"))]
    base = np.array([net.parameter(k).value for k in kinetic])
    rng = np.random.default_rng(3)
    sets = pd.DataFrame(base * np.exp(rng.normal(0, 0.2, (n, len(kinetic)))), columns=kinetic)
    mtorsim.engine.steady_state_batch(compiled, sets.iloc[:10])
    t = time.perf_counter()
    _, ok = mtorsim.engine.steady_state_batch(compiled, sets)
    ours_s = time.perf_counter() - t
    rr = roadrunner.RoadRunner(mtorsim.network.sbml_export.to_sbml(net))
    rr_ok = 0
    t = time.perf_counter()
    for i in range(n_rr):
        rr.resetAll()
        for k, v in zip(kinetic, sets.iloc[i], strict=True):
            rr[k] = float(v)
        try:
            rr.steadyState()
            rr_ok += 1
        except RuntimeError:
            pass
    rr_s = (time.perf_counter() - t) / n_rr
    return {
        "sets": n,
        "mtorsim_s": ours_s,
        "mtorsim_converged": int(ok.sum()),
        "libroadrunner_sets": n_rr,
        "libroadrunner_per_set_ms": 1e3 * rr_s,
        "libroadrunner_converged": rr_ok,
        "libroadrunner_extrapolated_s": rr_s * n,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--part", choices=["ode", "trials", "dask", "steady", "memory"], required=True)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--n-loop", type=int, default=50)
    ap.add_argument("--sizes", default="100,1000,10000,100000")
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    if args.part == "ode":
        res = bench_ode(args.n, args.n_loop)
    elif args.part == "trials":
        res = bench_trials([int(s) for s in args.sizes.split(",")])
    elif args.part == "dask":
        res = bench_dask(args.n)
    elif args.part == "memory":
        res = bench_memory([int(s) for s in args.sizes.split(",")])
    else:
        res = bench_steady(args.n, args.n_loop)
    res = {"machine": machine(), "part": args.part, **res}
    save(res, args.json)


if __name__ == "__main__":
    main()
