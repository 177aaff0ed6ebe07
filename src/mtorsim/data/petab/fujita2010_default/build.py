"""Rebuild this PEtab problem: mtorsim's default network on the Fujita 2010 EGF data.

``python src/mtorsim/data/petab/fujita2010_default/build.py ../shared``. The network's
growth-factor input ``GF`` becomes GF_max · E / (K_EGF + E) of the EGF stimulus E (step,
pulse or ramp, as in the benchmark model), active receptor is internalised (``RTK_i``) and
recycled, the desensitisation the network itself lacks (without it no fit makes the
minute-scale pEGFR and pAkt transients), cells start from the steady state without EGF
(pre-equilibration condition ``starved``), and the read-outs map as pEGFR ~ RTK,
pAkt ~ AKT_T308, pS6 ~ rpS6, each with its own scale and offset. Steps are for fitting,
pulses and ramps for testing. Times are in hours, the network's unit.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pandas as pd

import mtorsim
from mtorsim.network.components import Observable, Parameter, Reaction, Species

HERE = Path(__file__).resolve().parent
READOUTS = {"pEGFR_tot": "RTK", "pAkt_tot": "AKT_T308", "pS6_tot": "rpS6"}
KINETIC = [
    "k_rtk_on", "k_rtk_off", "k_t308", "k_akt_off", "k_s6k_on", "k_s6k_off", "k_rps6_s6k",
    "k_rps6_off", "k_irs_ser", "k_irs_on", "k_irs_off", "k_pi3k_on", "k_pi3k_off",
    "k_pip3_on", "k_pten", "k_rtk_int", "k_rtk_rec",
]  # fmt: skip
ADAPTATION = (
    Parameter(
        "k_rtk_int", 30.0, "1/h", "assumed: order of ligand-induced EGFR endocytosis (minutes)",
        "internalisation of active receptor",
    ),
    Parameter(
        "k_rtk_rec", 1.0, "1/h", "assumed: recycling slower than internalisation (an hour)",
        "return of internalised receptor to the free pool",
    ),
)  # fmt: skip
STIMULUS = "Piecewise((EGF_0 + EGF_rate*time, time/EGF_end <= 1), (0, True))"


def egf_network() -> mtorsim.Network:
    """The default network with GF driven by an EGF stimulus (step, pulse or ramp)."""
    net = mtorsim.load().network
    params = (
        *(p for p in net.parameters if p.name != "GF"),
        Parameter("EGF_0", 0.0, "1", "Fujita 2010 protocol", "EGF at t = 0 (ng/mL)"),
        Parameter("EGF_rate", 0.0, "1/h", "Fujita 2010 protocol", "EGF ramp (ng/mL per h)"),
        Parameter("EGF_end", 1.0, "h", "Fujita 2010 protocol", "end of the stimulus (h)"),
        Parameter("K_EGF", 1.0, "1", "assumed", "EGF (ng/mL) giving half the maximal GF"),
        Parameter("GF_max", 1.0, "1", "assumed", "GF at saturating EGF (1 = full serum)"),
    )
    gf = Observable(
        "GF", f"GF_max*{STIMULUS}/(K_EGF + {STIMULUS})", "1", "growth-factor input from EGF"
    )
    # receptor adaptation: the free pool is 1 - RTK - RTK_i
    reactions = [
        dataclasses.replace(r, rate=r.rate.replace("(1 - RTK)", "(1 - RTK - RTK_i)"))
        if r.name == "RTK_activation"
        else r
        for r in net.reactions
    ]
    reactions += [
        Reaction(
            "RTK_internalisation", "k_rtk_int*RTK", ("RTK",), ("RTK_i",),
            "active receptor is internalised (desensitised)",
        ),
        Reaction(
            "RTK_recycling", "k_rtk_rec*RTK_i", ("RTK_i",), (),
            "internalised receptor returns to the free (inactive) pool",
        ),
    ]  # fmt: skip
    internalised = Species("RTK_i", 0.0, description="internalised receptor (fraction)")
    return dataclasses.replace(
        net,
        name="mtorsim_egf",
        species=(*net.species, internalised),
        parameters=(*params, *ADAPTATION),
        reactions=tuple(reactions),
        observables=(gf, *net.observables),
    )


def main(shared: Path) -> None:
    net = egf_network()
    mtorsim.load(net).to_sbml(HERE / "model_mtorsim_egf.xml")
    data = pd.read_csv(shared / "data" / "fujita2010_egf_akt_s6.csv")
    cond = data.drop_duplicates("condition_id")
    conditions = pd.DataFrame(
        {
            "conditionId": ["starved", *cond["condition_id"]],
            "conditionName": ["no EGF", *(cond["stimulus"] + " EGF")],
            "EGF_0": [0.0, *cond["egf_ng_ml"]],
            "EGF_rate": [0.0, *(cond["egf_rate"] * 3600.0)],
            "EGF_end": [1.0, *(cond["egf_end_s"] / 3600.0)],
        }
    )
    conditions.to_csv(HERE / "conditions.tsv", sep="\t", index=False, float_format="%.12g")
    meas = pd.DataFrame(
        {
            "observableId": data["observable"],
            "preequilibrationConditionId": "starved",
            "simulationConditionId": data["condition_id"],
            "measurement": data["measurement_au"],
            "time": data["time_s"] / 3600.0,
            "noiseParameters": "sigma_" + data["observable"],
        }
    )
    step = data["stimulus"] == "step"
    meas[step].to_csv(HERE / "measurements.tsv", sep="\t", index=False, float_format="%.12g")
    meas[~step].to_csv(HERE / "measurements_test.tsv", sep="\t", index=False, float_format="%.12g")
    pd.DataFrame(
        {
            "observableId": list(READOUTS),
            "observableFormula": [f"scale_{o} * {s} + offset_{o}" for o, s in READOUTS.items()],
            "noiseFormula": [f"noiseParameter1_{o}" for o in READOUTS],
        }
    ).to_csv(HERE / "observables.tsv", sep="\t", index=False)
    values = net.parameter_values()
    rows = [(k, "log10", values[k] / 100, values[k] * 100, values[k], 1) for k in KINETIC]
    rows += [("K_EGF", "log10", 0.01, 100.0, 1.0, 1), ("GF_max", "log10", 0.1, 10.0, 1.0, 1)]
    for o in READOUTS:
        rows.append((f"scale_{o}", "log10", 0.01, 100.0, 1.0, 1))
        rows.append((f"offset_{o}", "lin", -1.0, 1.0, 0.0, 1))
        rows.append((f"sigma_{o}", "log10", 1e-3, 1.0, 0.05, 1))
    columns = [
        "parameterId", "parameterScale", "lowerBound", "upperBound", "nominalValue", "estimate",
    ]  # fmt: skip
    pd.DataFrame(rows, columns=columns).to_csv(
        HERE / "parameters.tsv", sep="\t", index=False, float_format="%.10g"
    )
    (HERE / "fujita2010_default.yaml").write_text(
        "format_version: 1\nparameter_file: parameters.tsv\nproblems:\n"
        "- sbml_files: [model_mtorsim_egf.xml]\n  condition_files: [conditions.tsv]\n"
        "  measurement_files: [measurements.tsv]\n  observable_files: [observables.tsv]\n"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared"))
