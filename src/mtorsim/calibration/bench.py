"""Cost of an objective and of a gradient: ``python -m mtorsim.calibration.bench SHARED``.

Fujita 2010 is the shipped PEtab example; DallePezze 2012 gets a synthetic problem (its 32
rate constants free on log10 scale, three read-outs simulated at the file's values, two
insulin doses), since no PEtab problem exists for it. With pyPESTO and AMICI installed, the
same problems are timed there too (objective, and gradient by forward sensitivities), in
the same process. Never part of the tests.
"""

from __future__ import annotations

import sys
import tempfile
import time
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mtorsim.calibration.calibrator import run_start
from mtorsim.calibration.petab_io import read_petab

__all__ = ["dallepezze_problem", "main", "time_objective"]


def _median(fn: Any, n: int) -> float:
    fn()  # warm-up (compiles)
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return float(np.median(out))


def dallepezze_problem(shared: Path, folder: Path) -> Path:
    """A synthetic PEtab problem on DallePezze 2012 (data = the model at its values)."""
    import mtorsim

    folder.mkdir(parents=True, exist_ok=True)
    sbml = folder / "DallePezze2012.xml"
    import libsbml

    doc = libsbml.readSBMLFromFile(str(shared / "models" / "DallePezze2012.xml"))
    props = libsbml.ConversionProperties()
    props.addOption("promoteLocalParameters", True)
    doc.convert(props)  # PEtab needs its parameters global (mtorsim promotes them itself)
    libsbml.writeSBMLToFile(doc, str(sbml))
    model = mtorsim.load(sbml)
    reads = {"pAkt": "species_3", "pS6K": "species_17", "pmTORC1": "species_2"}
    times = [0, 5, 10, 15, 30, 60, 90, 120]
    rows = []
    for cond, ins in (("insulin_100", 100.0), ("insulin_10", 10.0)):
        sim = model.simulate(until=120, points=121, parameters={"species_41": ins})
        for obs, sid in reads.items():
            for t in times:
                rows.append((obs, cond, float(np.interp(t, sim["time"], sim[sid])), t))
    pd.DataFrame(
        rows, columns=["observableId", "simulationConditionId", "measurement", "time"]
    ).to_csv(folder / "measurements.tsv", sep="\t", index=False)
    conditions = {"conditionId": ["insulin_100", "insulin_10"], "species_41": [100.0, 10.0]}
    pd.DataFrame(conditions).to_csv(folder / "conditions.tsv", sep="\t", index=False)
    pd.DataFrame(
        {
            "observableId": list(reads),
            "observableFormula": list(reads.values()),
            "noiseFormula": ["0.05"] * len(reads),
        }
    ).to_csv(folder / "observables.tsv", sep="\t", index=False)
    ks = [p for p in model.network.parameter_names if p.startswith("reaction_")]
    values = model.network.parameter_values()
    pd.DataFrame(
        {
            "parameterId": ks,
            "parameterScale": "log10",
            "lowerBound": [values[k] / 100 for k in ks],
            "upperBound": [values[k] * 100 for k in ks],
            "nominalValue": [values[k] for k in ks],
            "estimate": 1,
        }
    ).to_csv(folder / "parameters.tsv", sep="\t", index=False)
    (folder / "dallepezze2012.yaml").write_text(
        "format_version: 1\nparameter_file: parameters.tsv\nproblems:\n"
        "- sbml_files: [DallePezze2012.xml]\n  condition_files: [conditions.tsv]\n"
        "  measurement_files: [measurements.tsv]\n  observable_files: [observables.tsv]\n"
    )
    return folder / "dallepezze2012.yaml"


def time_objective(yaml_path: Path, *, lint: bool = True, repeats: int = 10) -> dict[str, Any]:
    """mtorsim's objective and finite-difference gradient at the nominal values."""
    problem = read_petab(yaml_path, run_lint=lint)
    obj = problem.objective
    theta = problem.nominal

    def objective() -> None:
        obj._cache = None
        obj.residuals(theta)

    def gradient() -> None:
        obj._cache = None
        obj.jacobian_fd(theta)

    n_dyn = len(problem.dynamic_ids)
    return {
        "problem": problem.name,
        "free": len(problem.free_ids),
        "dynamic": n_dyn,
        "conditions": len(problem.condition_ids),
        "measurements": len(problem.measurements),
        "objective_ms": 1e3 * _median(objective, repeats),
        "gradient_fd_ms": 1e3 * _median(gradient, max(3, repeats // 3)),
        "simulations_per_gradient": (n_dyn + 1) * len(problem.condition_ids),
        "nllh_nominal": obj.nllh(theta),
    }


def time_amici(yaml_path: Path, cache: Path, repeats: int = 10) -> dict[str, Any]:
    """pyPESTO + AMICI on the same problem: objective, gradient (forward sensitivities)."""
    import logging

    import petab.v1 as petab
    import pypesto.petab

    logging.getLogger("amici").setLevel(logging.ERROR)
    logging.getLogger("pypesto").setLevel(logging.ERROR)
    pp = petab.Problem.from_yaml(str(yaml_path))
    t0 = time.perf_counter()
    importer = pypesto.petab.PetabImporter(
        pp, output_folder=str(cache / yaml_path.stem), model_name=f"bench_{yaml_path.stem}"
    )
    problem = importer.create_problem(verbose=False)
    compile_s = time.perf_counter() - t0
    x = np.asarray(pp.x_nominal_free_scaled)
    return {
        "amici_compile_s": compile_s,
        "amici_objective_ms": 1e3 * _median(lambda: problem.objective(x), repeats),
        "amici_gradient_finite": bool(
            np.all(np.isfinite(problem.objective(x, sensi_orders=(0, 1))[1]))
        ),
        "amici_gradient_ms": 1e3
        * _median(lambda: problem.objective(x, sensi_orders=(0, 1)), max(3, repeats // 3)),
        "amici_nllh_nominal": float(problem.objective(x)),
    }


def main(shared: Path) -> pd.DataFrame:
    example = Path(str(resources.files("mtorsim") / "data" / "petab" / "fujita2010"))
    tmp = Path(tempfile.mkdtemp(prefix="mtorsim-bench-"))
    problems = [(example / "fujita2010.yaml", True)]
    problems.append((dallepezze_problem(shared, tmp / "dallepezze"), False))
    rows = []
    for path, lint in problems:
        row = time_objective(path, lint=lint)
        if lint:  # one fit from the nominal values (serial), as a fit-time reference
            problem = read_petab(path)
            t0 = time.perf_counter()
            res = run_start(problem, 0, problem.nominal, max_nfev=200)
            row.update(fit_s=time.perf_counter() - t0, fit_nfev=res["nfev"], fit_nllh=res["nllh"])
        try:
            row.update(time_amici(path, tmp / "amici"))
        except ImportError as exc:
            row["amici"] = f"not installed ({exc})"
        except Exception as exc:  # AMICI import of a model can fail; report, go on
            row["amici"] = f"failed: {str(exc).splitlines()[0][:120]}"
        rows.append(row)
    out = pd.DataFrame(rows)
    print(out.T.to_string())
    return out


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared"))
