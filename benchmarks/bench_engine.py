"""Engine benchmark: mtorsim vs libRoadRunner on the exported default network, one process.

Run: ``python benchmarks/bench_engine.py [--n 1000] [--json out.json]``. Not part of the
test run. Results go into BENCHMARKS.md by hand, with the machine details printed here.

Timed, each side by side with libRoadRunner running the SBML that mtorsim exports:
1. one 24 h simulation, 97 output times (median of repeated runs after a warm-up);
2. one steady state;
3. N simulations (24 h) with every kinetic parameter multiplied by exp(N(0, 0.2));
4. N steady states with the same perturbations, with convergence counts.
Both simulators use rtol 1e-6 and atol 1e-10.

mtorsim runs its specialised kernels here (``MTORSIM_KERNEL=specialized`` unless the
environment says otherwise, e.g. ``MTORSIM_KERNEL=generic`` to time the generic kernel),
so the figures compare with earlier runs; ``--part tiers`` times generic against
specialised per run instead.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import time
from pathlib import Path

import numpy as np
import pandas as pd

os.environ.setdefault("MTORSIM_KERNEL", "specialized")  # before mtorsim reads it

import mtorsim
import mtorsim.engine as engine
import mtorsim.network.sbml_export
from mtorsim.network import default_network

RTOL, ATOL, HOURS, POINTS = 1e-6, 1e-10, 24.0, 97


def save(results: dict, path: str | None) -> None:
    """Print the results and, if a path is given, write them as JSON."""
    text = json.dumps(results, indent=2)
    print(text)
    if path:
        Path(path).write_text(text + "\n")


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in out.splitlines()
            if line.startswith("Model name")
        )
    except (OSError, StopIteration):
        pass
    import numba
    import roadrunner

    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "libroadrunner": roadrunner.__version__,
        "mtorsim": mtorsim.__version__,
        "kernel": os.environ.get("MTORSIM_KERNEL", "auto"),
    }


def median_time(fn, repeats: int) -> float:
    fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def perturbed_sets(compiled: engine.CompiledNetwork, n: int, seed: int = 20240601) -> pd.DataFrame:
    kinetic = [p for p in compiled.parameters if p.startswith(("k_", "K_"))]
    rng = np.random.default_rng(seed)
    base = np.array([compiled.p0[compiled.parameter_index(p)] for p in kinetic])
    return pd.DataFrame(base * np.exp(rng.normal(0.0, 0.2, (n, len(kinetic)))), columns=kinetic)


def tiers() -> dict[str, dict[str, float]]:
    """Per-run cost of the generic and the specialised kernel, both already compiled."""
    from mtorsim.pharmacology.regimen import Regimen
    from mtorsim.pharmacology.treatment import compiled_with_drugs, dosing_events

    compiled = engine.compile_network(default_network())
    drug = compiled_with_drugs(["everolimus"])
    horizon = 28 * 24.0
    doses = dosing_events([Regimen("everolimus", 10.0)], horizon)
    out: dict[str, dict[str, float]] = {}
    for kind in ("generic", "specialized"):
        os.environ["MTORSIM_KERNEL"] = kind

        def one() -> pd.DataFrame:
            return engine.simulate(compiled, HOURS, points=POINTS, rtol=RTOL, atol=ATOL)

        def treat() -> pd.DataFrame:  # a patient: untreated steady state, then 28 doses
            return engine.simulate(drug, horizon, points=673, events=doses, initial="steady_state")

        steps = one().attrs["steps"]
        treat_steps = treat().attrs["steps"]
        single_ms = 1e3 * median_time(one, 50)
        treat_ms = 1e3 * median_time(treat, 5)
        out[kind] = {
            "default_24h_ms": single_ms,
            "default_24h_steps": steps,
            "default_24h_us_per_step": 1e3 * single_ms / steps,
            "everolimus_28d_ms": treat_ms,
            "everolimus_28d_steps": treat_steps,
        }
    return out


def main() -> None:
    import roadrunner

    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--json", default=None)
    ap.add_argument(
        "--rr-steady",
        type=int,
        default=100,
        help="libRoadRunner steady states to time (slow: ~0.2 s each)",
    )
    ap.add_argument(
        "--part",
        choices=["all", "tiers"],
        default="all",
        help="tiers: generic vs specialised kernel per run only (no libRoadRunner)",
    )
    args = ap.parse_args()
    if args.part == "tiers":
        save({"machine": machine(), "tiers": tiers()}, args.json)
        return
    net = default_network()

    t = time.perf_counter()
    compiled = engine.compile_network(net)
    compiled.rhs(compiled.y0, compiled.p0)
    engine.simulate(compiled, 1.0, points=2)
    compile_s = time.perf_counter() - t
    sbml = mtorsim.network.sbml_export.to_sbml(net)
    t = time.perf_counter()
    rr = roadrunner.RoadRunner(sbml)
    rr_load_s = time.perf_counter() - t
    rr.integrator.relative_tolerance = RTOL
    rr.integrator.absolute_tolerance = ATOL
    # the default network has no conservation laws; moiety analysis only costs time
    rr.getSteadyStateSolver().setValue("auto_moiety_analysis", False)
    res: dict[str, object] = {
        "machine": machine(),
        "n": args.n,
        "compile_s": compile_s,
        "rr_load_s": rr_load_s,
    }

    # 1. one simulation
    def ours_one() -> None:
        engine.simulate(compiled, HOURS, points=POINTS, rtol=RTOL, atol=ATOL)

    def rr_one() -> None:
        rr.resetAll()
        rr.simulate(0, HOURS, POINTS)

    res["single_ms"] = {
        "mtorsim": 1e3 * median_time(ours_one, 50),
        "libroadrunner": 1e3 * median_time(rr_one, 50),
    }
    # the raw kernel without DataFrame assembly, to show where the time goes
    n_s, n_o = compiled.n_species, len(compiled.observables)
    t_out = np.linspace(0, HOURS, POINTS)
    y_out, o_out = np.empty((POINTS, n_s)), np.empty((POINTS, n_o))

    module, md = compiled.kernel("simulate_one")

    def kernel_one() -> None:
        module.simulate_one(
            compiled.y0,
            compiled.p0[None, :],
            np.array([0.0, HOURS]),
            np.zeros((1, n_s)),
            t_out,
            RTOL,
            ATOL,
            200000,
            y_out,
            o_out,
            md,
        )

    res["single_ms"]["mtorsim_kernel_only"] = 1e3 * median_time(kernel_one, 50)

    # 2. one steady state
    def rr_ss() -> None:
        rr.resetAll()
        rr.steadyState()

    res["steady_ms"] = {
        "mtorsim": 1e3 * median_time(lambda: engine.steady_state(compiled), 20),
        "libroadrunner": 1e3 * median_time(rr_ss, 20),
    }

    # 3. N perturbed simulations
    sets = perturbed_sets(compiled, args.n)
    t = time.perf_counter()
    _, values, status = engine.simulate_batch(
        compiled, HOURS, sets, points=POINTS, rtol=RTOL, atol=ATOL
    )
    batch_s = time.perf_counter() - t
    t = time.perf_counter()
    for i in range(args.n):
        engine.simulate(
            compiled, HOURS, points=POINTS, parameters=sets.iloc[i].to_dict(), rtol=RTOL, atol=ATOL
        )
    loop_s = time.perf_counter() - t
    names = list(sets.columns)
    rows = sets.to_numpy()
    rr_fail = 0
    rr_last = None
    t = time.perf_counter()
    for i in range(args.n):
        rr.resetAll()
        for name, v in zip(names, rows[i], strict=True):
            rr[name] = v
        try:
            rr_last = rr.simulate(0, HOURS, POINTS)
        except RuntimeError:
            rr_fail += 1
    rr_loop_s = time.perf_counter() - t
    last = np.asarray(rr_last)[:, 1:]
    ours_last = values[-1][:, :n_s]
    res["batch"] = {
        "mtorsim_batched_s": batch_s,
        "mtorsim_single_loop_s": loop_s,
        "libroadrunner_loop_s": rr_loop_s,
        "mtorsim_failures": int((status != 0).sum()),
        "libroadrunner_failures": rr_fail,
        "max_rel_diff_last_set": float(
            np.max(np.abs(ours_last - last) / np.maximum(np.abs(last), 1e-6))
        ),
    }

    # 4. N steady states
    t = time.perf_counter()
    _, ok = engine.steady_state_batch(compiled, sets)
    ss_s = time.perf_counter() - t
    rr_ok = 0
    n_rr = min(args.n, args.rr_steady)  # libRoadRunner needs ~0.2 s per steady state here
    t = time.perf_counter()
    for i in range(n_rr):
        rr.resetAll()
        for name, v in zip(names, rows[i], strict=True):
            rr[name] = v
        try:
            rr.steadyState()
            rr_ok += 1
        except RuntimeError:
            pass
    rr_ss_s = time.perf_counter() - t
    res["steady_batch"] = {
        "mtorsim_s": ss_s,
        "mtorsim_converged": int(ok.sum()),
        "libroadrunner_sets": n_rr,
        "libroadrunner_s": rr_ss_s,
        "libroadrunner_s_per_set": rr_ss_s / n_rr,
        "libroadrunner_converged": rr_ok,
    }
    save(res, args.json)


if __name__ == "__main__":
    main()
