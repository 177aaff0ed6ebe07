"""Rebuild this PEtab example from the shared Fujita 2010 data and model (run once).

``python src/mtorsim/data/petab/fujita2010/build.py ../shared``: step stimulations go to
``measurements.tsv`` (fitting), pulse and ramp to ``measurements_test.tsv`` (testing).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import libsbml
import pandas as pd

HERE = Path(__file__).resolve().parent
OBSERVABLES = {
    "pEGFR_tot": "scaling_pEGFR_tot * (pEGFR + pEGFR_Akt)",
    "pAkt_tot": "scaling_pAkt_tot * (pAkt + pAkt_S6)",
    "pS6_tot": "scaling_pS6_tot * pS6",
}
#: scalings at the published parameters (least squares on the step data, rounded)
SCALINGS = {"pEGFR_tot": 1.4e-7, "pAkt_tot": 360.0, "pS6_tot": 3.8e5}


def main(shared: Path) -> None:
    data = pd.read_csv(shared / "data" / "fujita2010_egf_akt_s6.csv")
    shutil.copyfile(shared / "models" / "Fujita2010.xml", HERE / "model_Fujita2010.xml")
    cond = data.drop_duplicates("condition_id")
    pd.DataFrame(
        {
            "conditionId": cond["condition_id"],
            "conditionName": cond["stimulus"] + " EGF",
            "EGF_0": cond["egf_ng_ml"],
            "EGF_rate": cond["egf_rate"],
            "EGF_end": cond["egf_end_s"],
        }
    ).to_csv(HERE / "conditions.tsv", sep="\t", index=False)
    meas = pd.DataFrame(
        {
            "observableId": data["observable"],
            "simulationConditionId": data["condition_id"],
            "measurement": data["measurement_au"],
            "time": data["time_s"],
            "noiseParameters": "sigma_" + data["observable"],
        }
    )
    step = data["stimulus"] == "step"
    meas[step].to_csv(HERE / "measurements.tsv", sep="\t", index=False)
    meas[~step].to_csv(HERE / "measurements_test.tsv", sep="\t", index=False)
    pd.DataFrame(
        {
            "observableId": list(OBSERVABLES),
            "observableFormula": list(OBSERVABLES.values()),
            "noiseFormula": [f"noiseParameter1_{o}" for o in OBSERVABLES],
        }
    ).to_csv(HERE / "observables.tsv", sep="\t", index=False)
    model = libsbml.readSBMLFromFile(str(HERE / "model_Fujita2010.xml")).getModel()
    rows = []
    for p in model.getListOfParameters():
        if p.getConstant() and p.getId() not in ("EGF_0", "EGF_rate", "EGF_end"):
            v = p.getValue()
            rows.append((p.getId(), "log10", v / 100, v * 100, v, 1))
    for o, v in SCALINGS.items():
        rows.append((f"scaling_{o}", "log10", v / 1e3, v * 1e3, v, 1))
    for o in OBSERVABLES:
        rows.append((f"sigma_{o}", "log10", 1e-3, 1.0, 0.05, 1))
    pd.DataFrame(
        rows,
        columns=[
            "parameterId",
            "parameterScale",
            "lowerBound",
            "upperBound",
            "nominalValue",
            "estimate",
        ],
    ).to_csv(HERE / "parameters.tsv", sep="\t", index=False, float_format="%.10g")
    (HERE / "fujita2010.yaml").write_text(
        "format_version: 1\n"
        "parameter_file: parameters.tsv\n"
        "problems:\n"
        "- sbml_files: [model_Fujita2010.xml]\n"
        "  condition_files: [conditions.tsv]\n"
        "  measurement_files: [measurements.tsv]\n"
        "  observable_files: [observables.tsv]\n"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared"))
