"""``mtorsim simulate`` and ``mtorsim steady-state``: thin over :class:`mtorsim.Model`."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from mtorsim.cli.common import (
    REPLACE_DRUG_HELP,
    assignments,
    check_figure,
    check_outputs,
    check_readouts,
    console,
    err_console,
    node_map,
    nonnegative,
    regimens,
    register_drug_files,
    report_warnings,
    write_figure,
    write_table,
)
from mtorsim.errors import MtorsimError

InhibitOpt = Annotated[
    list[str] | None, typer.Option("--inhibit", help="NODE=FRACTION, e.g. mTORC1=0.9 (repeatable).")
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="PARAMETER=VALUE, e.g. PTEN_level=0 (repeatable); SBML: also a species' start "
        "value or a compartment size, e.g. S1=2.5.",
    ),
]
VariantOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--variant", help="Genotype, e.g. 'PIK3CA H1047R', 'PTEN truncating' (repeatable)."
    ),
]
TreatOpt = Annotated[
    list[str] | None,
    typer.Option("--treat", help="Cells: DRUG=nM constant concentration (repeatable)."),
]
GFOpt = Annotated[float, typer.Option("--growth-factor", help="Growth factor, 1 = full serum.")]
AAOpt = Annotated[float, typer.Option("--amino-acids", help="Amino acids, 1 = replete.")]
ESOpt = Annotated[float, typer.Option("--energy-stress", help="Energy stress, 0-1.")]
SbmlOpt = Annotated[Path | None, typer.Option(help="Run this SBML model instead of mtorsim's.")]
OutOpt = Annotated[Path | None, typer.Option(help="Table (.parquet/.csv/.tsv).")]


def _model(sbml: Path | None, mapping: list[str] | None):
    import mtorsim

    if mapping and sbml is None:
        raise MtorsimError("--map names an SBML model's species; add --sbml")
    if not sbml:
        return mtorsim.load()
    # the left side is a node drugs act on, the right the model's species: Model checks both
    return mtorsim.load(sbml, node_map=node_map(mapping))


def _exposure(gf, aa, es, inhibit, treat):
    from mtorsim.exposure import Inhibition, Medium

    items: list = [Medium(gf, aa, es), Inhibition(assignments(inhibit, "--inhibit"))]
    if treat:
        items.append(assignments(treat, "--treat"))
    return items


def simulate_cmd(
    hours: Annotated[
        float | None, typer.Option(help="Duration in hours (cells: default 24).")
    ] = None,
    days: Annotated[
        float | None, typer.Option(help="Duration in days (patients: default 28).")
    ] = None,
    until: Annotated[
        float | None, typer.Option(help="Duration in the model's own time unit (SBML models).")
    ] = None,
    points: Annotated[int | None, typer.Option(help="Number of output times.")] = None,
    growth_factor: GFOpt = 1.0,
    amino_acids: AAOpt = 1.0,
    energy_stress: ESOpt = 0.0,
    inhibit: InhibitOpt = None,
    set_: SetOpt = None,
    variant: VariantOpt = None,
    treat: TreatOpt = None,
    drug: Annotated[
        list[str] | None,
        typer.Option("--drug", help="Patient: drug name (repeatable; with --dose, --schedule)."),
    ] = None,
    dose: Annotated[
        list[str] | None, typer.Option("--dose", help="e.g. 10mg (one per --drug).")
    ] = None,
    schedule: Annotated[
        list[str] | None,
        typer.Option("--schedule", help="daily, bid, weekly, 5on2off ... (default: usual)."),
    ] = None,
    drug_file: Annotated[
        list[Path] | None,
        typer.Option("--drug-file", help="Register a drug from a YAML/JSON file (repeatable)."),
    ] = None,
    replace_drug: Annotated[bool, typer.Option("--replace-drug", help=REPLACE_DRUG_HELP)] = False,
    dosing_table: Annotated[
        Path | None,
        typer.Option(
            help="Patients: NONMEM-style event table (ID, TIME h, AMT mg, CMT, EVID, II, ADDL) "
            "for the one --drug; every ID is simulated."
        ),
    ] = None,
    patients: Annotated[
        int | None, typer.Option(help="A cohort of N patients with PK variability (streamed).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Cohorts: seed of the PK draws.")] = 0,
    chunk_size: Annotated[int, typer.Option(help="Cohorts: patients integrated together.")] = 250,
    sbml: SbmlOpt = None,
    map_: Annotated[
        list[str] | None,
        typer.Option(
            "--map", help="SBML + --treat: NODE=MODEL_ID, e.g. mTORC1=pmTORC1 (repeatable)."
        ),
    ] = None,
    out: OutOpt = None,
    plot: Annotated[Path | None, typer.Option(help="Figure (.png/.svg/.pdf).")] = None,
    readout: Annotated[
        list[str] | None, typer.Option("--readout", help="Read-out to print and plot (repeatable).")
    ] = None,
) -> None:
    """Cells (medium, --inhibit, --treat) or patients on drugs (--drug/--dose, --patients).

    Cells start at rest in full medium and the conditions apply from t = 0; a patient starts
    untreated and follows the regimens with clinical PK; an SBML model starts from its
    initial state. The table has a 'time' column in the unit of the duration flag.
    """
    check_outputs(out)
    check_figure(plot)
    from mtorsim import guard  # sizes checked before the model loads
    from mtorsim.result import DEFAULT_READOUTS as READOUTS

    guard.check_simulation(
        hours=hours, days=days, until=until, points=points, patients=patients,
        chunk_size=chunk_size, seed=seed, kept_patients=2000 if out else None,
        time_unit="h" if sbml is None else None,  # SBML units: checked by Model.simulate
        columns=64 if patients is None else 16 + len(readout or READOUTS),
    )  # fmt: skip
    _check_mode_flags(sbml, until, drug, dose, schedule, patients, seed, chunk_size, dosing_table)
    register_drug_files(drug_file, replace_drug)
    model = _model(sbml, map_)
    genotype = variant or None
    params = assignments(set_, "--set")
    if sbml is None:
        nonnegative(params)
    if drug:
        if inhibit or treat or (growth_factor, amino_acids, energy_stress) != (1.0, 1.0, 0.0):
            raise MtorsimError("--drug (patients) cannot be combined with cell conditions")
        if hours is None and days is None:
            days = 28.0
        exposure = regimens(drug, dose, schedule) if dosing_table is None else []
    else:
        if patients is not None:
            raise MtorsimError("--patients simulates patients on drugs; add --drug and --dose")
        if hours is None and days is None and until is None:
            if sbml is not None:
                raise MtorsimError("--sbml needs --until (end time in the model's time unit)")
            hours = 24.0
        exposure = _exposure(growth_factor, amino_acids, energy_stress, inhibit, treat)
    names = readout or (list(READOUTS) if sbml is None else [])
    if dosing_table is not None:
        _dosing_table(model, dosing_table, drug, dose, days, hours, points, params, names, out)
        return
    run = {"hours": hours, "days": days, "until": until, "points": points, "exposure": exposure}
    if patients is not None:
        _cohort(model, run, genotype, params, patients, seed, chunk_size, names, out, plot)
        return
    result = model.simulate(**run, genotype=genotype, parameters=params)
    if not names:  # SBML: the first species
        names = [c for c in result.columns if c != "time"][:8]
    check_readouts(result, names)
    write_table(result, out)
    write_figure(plot, lambda ax: result.plot(names, ax=ax, relative=sbml is None))
    unit = result.time_unit
    end = result["time"].iloc[-1]
    table = Table("read-out", "t = 0", f"t = {end:g} {unit}", "fold", title=model.name)
    for r in names:
        a, b = result[r].iloc[0], result[r].iloc[-1]
        table.add_row(r, f"{a:.4g}", f"{b:.4g}", f"{b / a:.2f}" if a else "-")
    console.print(table)


def _check_mode_flags(
    sbml: Path | None,
    until: float | None,
    drug: list[str] | None,
    dose: list[str] | None,
    schedule: list[str] | None,
    patients: int | None,
    seed: int,
    chunk_size: int,
    dosing_table: Path | None,
) -> None:
    """A flag the chosen mode ignores is an error: a run must not silently differ from
    what was asked for."""
    if until is not None and sbml is None:
        raise MtorsimError("--until is for SBML models (their own time unit); use --hours/--days")
    limit = 36_525.0 * 86_400.0  # a century in seconds, the smallest usual model unit
    if until is not None and until > limit:
        raise MtorsimError(f"--until is {until:g}; give at most {limit:.3g} (a century in s)")
    if sbml is not None and not sbml.name.lower().endswith((".xml", ".sbml", ".xml.gz")):
        raise MtorsimError(f"--sbml {sbml}: give an SBML .xml (or .sbml) file")
    if sbml is not None and sbml.name.lower().endswith(".gz") and sbml.is_file():
        with sbml.open("rb") as fh:
            if fh.read(2) != b"\x1f\x8b":
                raise MtorsimError(f"--sbml {sbml}: named .gz but not gzip; rename it to .xml")
    if (dose or schedule) and not drug:
        which = "--dose" if dose else "--schedule"
        raise MtorsimError(f"{which} is part of a drug's regimen; add --drug NAME")
    if patients is None and (seed != 0 or chunk_size != 250):
        which = "--seed" if seed != 0 else "--chunk-size"
        raise MtorsimError(f"{which} applies to cohorts; add --patients N or drop {which}")
    if patients is not None and dosing_table is not None:
        raise MtorsimError("--patients and --dosing-table do not combine; the table lists the IDs")
    if dosing_table is not None and dosing_table.suffix.lower() in (".xlsx", ".xls", ".ods"):
        raise MtorsimError(f"--dosing-table {dosing_table}: save the sheet as a .csv text table")


def _dosing_table(model, path, drug, dose, days, hours, points, params, names, out) -> None:
    """Each subject of a NONMEM event table on its own recorded doses, stacked by ID."""
    if not drug or len(drug) != 1 or dose:
        raise MtorsimError("--dosing-table needs exactly one --drug (the table's) and no --dose")
    with report_warnings():  # IDs without doses, or dosed after the run
        df = model.simulate_dosing_table(
            path, drug=drug[0], hours=hours, days=days, points=points, parameters=params
        )
    check_readouts(df, names)
    write_table(df, out)
    table = Table("ID", *names, title=f"{drug[0]} from {path}: values at the end")
    for sid, run in df.groupby("ID", sort=False):
        last = run.iloc[-1]
        table.add_row(str(sid), *(f"{last[r]:.4g}" for r in names))
    console.print(table)


def _cohort(model, run, genotype, params, patients, seed, chunk_size, names, out, plot) -> None:
    """A cohort streamed chunk by chunk to --out, with a progress bar; a summary printed."""
    import numpy as np
    import pandas as pd
    from rich.progress import Progress

    from mtorsim.io import table_writer

    kept: list[pd.DataFrame] = []  # the first 2,000 patients, for the summary and the plot
    with contextlib.ExitStack() as stack:
        write = stack.enter_context(table_writer(out)) if out else None
        bar = stack.enter_context(Progress(console=err_console, transient=True))
        task = bar.add_task(f"simulating {patients} patients", total=patients)
        n_kept, unit = 0, "d"

        def on_chunk(chunk) -> None:
            nonlocal n_kept, unit
            unit = chunk.time_unit
            if write is not None:
                write(chunk)
            if n_kept < 2000:
                kept.append(pd.DataFrame(chunk[["patient", "time", *names]]))
                n_kept += chunk["patient"].nunique()

        model.simulate(
            **run,
            genotype=genotype,
            parameters=params,
            patients=patients,
            seed=seed,
            chunk_size=chunk_size,
            readouts=names,
            on_chunk=on_chunk,
            progress=lambda k: bar.advance(task, k),
        )
    if out:
        console.print(f"wrote {out}")
    df = pd.concat(kept, ignore_index=True)
    shown = df.patient.nunique()
    start = df[df.time == df.time.min()].set_index("patient")
    end = df[df.time == df.time.max()].set_index("patient")
    table = Table(
        "read-out",
        "end / untreated: median",
        "5th-95th percentile",
        title=f"{patients} patients" + ("" if shown == patients else f" (first {shown} shown)"),
    )
    for r in names:
        with np.errstate(divide="ignore", invalid="ignore"):
            fold = (end[r] / start[r]).replace([np.inf, -np.inf], np.nan).dropna()
        if fold.empty:  # zero before treatment (a drug level): show the value itself
            lo, med, hi = np.percentile(end[r].dropna(), [5, 50, 95])
            table.add_row(f"{r} *", f"{med:.3g}", f"{lo:.3g}-{hi:.3g}")
            table.caption = "* value at the end (zero before treatment)"
            continue
        lo, med, hi = np.percentile(fold, [5, 50, 95])
        table.add_row(r, f"{med:.2f}", f"{lo:.2f}-{hi:.2f}")
    console.print(table)
    if plot:
        from mtorsim.result import make_result

        bands = make_result(df, unit)
        write_figure(plot, lambda ax: bands.plot(names, ax=ax))


def steady_state_cmd(
    growth_factor: GFOpt = 1.0,
    amino_acids: AAOpt = 1.0,
    energy_stress: ESOpt = 0.0,
    inhibit: InhibitOpt = None,
    set_: SetOpt = None,
    variant: VariantOpt = None,
    treat: TreatOpt = None,
    sbml: SbmlOpt = None,
    map_: Annotated[
        list[str] | None,
        typer.Option(
            "--map", help="SBML + --treat: NODE=MODEL_ID, e.g. mTORC1=pmTORC1 (repeatable)."
        ),
    ] = None,
    out: OutOpt = None,
) -> None:
    """Steady state under the given conditions, and its fold change vs the model at rest."""
    import pandas as pd

    check_outputs(out)
    model = _model(sbml, map_)
    params = assignments(set_, "--set")
    if sbml is None:
        nonnegative(params)
    exposure = _exposure(growth_factor, amino_acids, energy_stress, inhibit, treat)
    ss = model.steady_state(exposure=exposure, genotype=variant or None, parameters=params)
    base = model.steady_state()
    shared = [c for c in ss.columns if c in base.columns]
    df = pd.DataFrame(
        {
            "readout": ss.columns,
            "value": ss.iloc[0].to_numpy(),
            "fold_vs_rest": [
                ss[c].iloc[0] / base[c].iloc[0] if c in shared and base[c].iloc[0] else float("nan")
                for c in ss.columns
            ],
        }
    )
    write_table(df, out)
    table = Table(
        "read-out",
        "value",
        "fold vs rest",
        title=f"steady state ({ss.attrs['method']}, |dy/dt| = {ss.attrs['residual']:.1e})",
    )
    for row in df.itertuples():
        table.add_row(row.readout, f"{row.value:.4g}", f"{row.fold_vs_rest:.2f}")
    console.print(table)
