"""SBML import benchmark: the five published models, mtorsim vs libRoadRunner, one process.

Run: ``python benchmarks/bench_sbml.py [--n 1000] [--json out.json]``.

Per model, under its natural experiment (shared/models/SOURCES.md), 200 output times,
both at rtol 1e-6 and atol 1e-12 (libRoadRunner's defaults):
1. one simulation (median of 20 after a warm-up);
2. N simulations with every kinetic parameter multiplied by exp(N(0, 0.2)) (the same draws,
   numpy default_rng(20240601)): mtorsim batched and as a loop, libRoadRunner as a loop
   (resetAll, set parameters, simulate), as in shared/models/SOURCES.md.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

import mtorsim
import mtorsim.engine
from bench_engine import machine, median_time
from mtorsim.network.published_experiments import PUBLISHED_EXPERIMENTS as EXPERIMENTS
from mtorsim.network.sbml_import import read_sbml

MODELS = Path(__file__).resolve().parents[2] / "shared" / "models"
RTOL, ATOL, POINTS = 1e-6, 1e-12, 200


def kinetic_parameters(model, condition: dict[str, float]) -> list[str]:
    """Constant parameters that are not inputs, compartments or targets of events."""
    event_targets = {v for spec in model.event_specs for v, _ in spec.assignments}
    species = set(model.species_ids)
    out = []
    for p in model.network.parameters:
        if (
            p.name in condition
            or p.name in event_targets
            or p.name in species
            or p.source.startswith("SBML compartment")
            or p.value == 0
        ):
            continue
        out.append(p.name)
    return out


def bench(name: str, n: int) -> dict[str, object]:
    import roadrunner

    t_end, condition = EXPERIMENTS[name]
    path = MODELS / f"{name}.xml"
    t = time.perf_counter()
    model = read_sbml(path)
    compiled = mtorsim.engine.compile_network(model.network, hooks=False)
    mtorsim.engine.simulate(
        compiled, t_end, points=2, parameters=condition, events=model.events(condition)
    )
    load_s = time.perf_counter() - t
    import libsbml

    doc = libsbml.readSBMLFromFile(str(path))
    props = libsbml.ConversionProperties()
    props.addOption("promoteLocalParameters", True)
    doc.convert(props)  # same parameter ids as mtorsim's import (as in SOURCES.md timings)
    sbml = libsbml.writeSBMLToString(doc)
    t = time.perf_counter()
    rr = roadrunner.RoadRunner(sbml)
    rr_load_s = time.perf_counter() - t
    rr.integrator.relative_tolerance = RTOL
    rr.integrator.absolute_tolerance = ATOL
    events = model.events(condition)
    t_out = np.linspace(0.0, t_end, POINTS)

    def ours() -> None:
        mtorsim.engine.simulate(
            compiled, t_end, t_out=t_out, parameters=condition, events=events, rtol=RTOL, atol=ATOL
        )

    def rr_one() -> None:
        rr.resetAll()
        for k, v in condition.items():
            rr[k] = v
        rr.reset()
        rr.simulate(0, t_end, POINTS)

    single = {
        "mtorsim_ms": 1e3 * median_time(ours, 20),
        "libroadrunner_ms": 1e3 * median_time(rr_one, 20),
    }
    kinetic = kinetic_parameters(model, condition)
    rng = np.random.default_rng(20240601)
    base = np.array([model.network.parameter(p).value for p in kinetic])
    draws = base * np.exp(rng.normal(0.0, 0.2, (n, len(kinetic))))
    sets = pd.DataFrame(draws, columns=kinetic)
    for k, v in condition.items():
        sets[k] = v
    mtorsim.engine.simulate_batch(
        compiled, t_end, sets.iloc[:2], t_out=t_out, events=events, rtol=RTOL, atol=ATOL
    )  # warm-up: compiles the parallel kernel
    t = time.perf_counter()
    _, _, status = mtorsim.engine.simulate_batch(
        compiled, t_end, sets, t_out=t_out, events=events, rtol=RTOL, atol=ATOL
    )
    batch_s = time.perf_counter() - t
    t = time.perf_counter()
    for i in range(n):
        mtorsim.engine.simulate(
            compiled,
            t_end,
            t_out=t_out,
            parameters=sets.iloc[i].to_dict(),
            events=events,
            rtol=RTOL,
            atol=ATOL,
        )
    loop_s = time.perf_counter() - t
    rr_fail = 0
    t = time.perf_counter()
    for i in range(n):
        rr.resetAll()
        for k, v in condition.items():
            rr[k] = v
        for k, v in zip(kinetic, draws[i], strict=True):
            rr[k] = v
        rr.reset()
        try:
            rr.simulate(0, t_end, POINTS)
        except RuntimeError:
            rr_fail += 1
    rr_loop_s = time.perf_counter() - t
    return {
        "species": compiled.n_species,
        "reactions": len(model.network.reactions),
        "perturbed": len(kinetic),
        "load_s": load_s,
        "rr_load_s": rr_load_s,
        "single": single,
        "perturbed_runs": {
            "n": n,
            "mtorsim_batched_s": batch_s,
            "mtorsim_loop_s": loop_s,
            "libroadrunner_loop_s": rr_loop_s,
            "mtorsim_failures": int((status != 0).sum()),
            "libroadrunner_failures": rr_fail,
        },
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--json", default=None)
    ap.add_argument("--models", default=",".join(EXPERIMENTS))
    args = ap.parse_args()
    res: dict[str, object] = {"machine": machine()}
    for name in args.models.split(","):
        res[name] = bench(name, args.n)
        print(name, json.dumps(res[name]), flush=True)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(res, fh, indent=2)


if __name__ == "__main__":
    main()
