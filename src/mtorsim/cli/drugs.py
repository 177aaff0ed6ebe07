"""Drug commands: ``drugs list/show``, ``pk``, ``dose-response`` (thin over the library)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from mtorsim.cli.common import (
    REPLACE_DRUG_HELP,
    assignments,
    check_figure,
    check_outputs,
    console,
    nonnegative,
    regimens,
    register_drug_files,
    write_figure,
    write_table,
)
from mtorsim.errors import MtorsimError

drugs_app = typer.Typer(
    help="The drug library: mechanisms, potencies, PK, sources.", no_args_is_help=True
)

DrugOpt = Annotated[list[str], typer.Option("--drug", help="Drug name or alias (repeatable).")]
DoseOpt = Annotated[
    list[str] | None,
    typer.Option("--dose", help="Dose per administration, e.g. 10mg (one per --drug)."),
]
DrugFileOpt = Annotated[
    list[Path] | None,
    typer.Option("--drug-file", help="Register a drug from a YAML/JSON file (repeatable)."),
]
ReplaceOpt = Annotated[bool, typer.Option("--replace-drug", help=REPLACE_DRUG_HELP)]
ScheduleOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--schedule", help="daily, bid, weekly, 5on2off, ... (one per --drug; default: usual)."
    ),
]


@drugs_app.command("list")
def drugs_list() -> None:
    """All drugs with class, targets and clinical status."""
    from mtorsim.pharmacology.catalogue import drug_names, get_drug

    drugs = [get_drug(n) for n in drug_names()]
    table = Table(
        "drug",
        "class",
        "sites (Kd/IC50 nM)",
        "route",
        "t1/2 (h)",
        "aliases",
        title=f"mtorsim drug library ({len(drugs)})",
    )
    for d in drugs:
        sites = ", ".join(f"{p.site} {p.kd_nM:g}" for p in d.potencies)
        route = d.pk.route if d.pk else "cells only"
        hl = f"{d.pk.half_life_h:.0f}" if d.pk else "-"
        table.add_row(d.name, d.drug_class, sites, route, hl, ", ".join(d.aliases))
    console.print(table)


@drugs_app.command("show")
def drugs_show(name: Annotated[str, typer.Argument(help="Drug name or alias.")]) -> None:
    """One drug: mechanism, potencies, PK, tolerability, with sources."""
    from mtorsim.pharmacology.catalogue import get_drug

    d = get_drug(name)
    table = Table("field", "value", "source", title=f"{d.name} ({d.drug_class})", show_lines=True)
    table.add_row("mechanism", d.mechanism, d.source)
    for p in d.potencies:
        table.add_row(f"Kd/IC50 {p.site}", f"{p.kd_nM:g} nM", p.source)
    table.add_row("molecular weight", f"{d.mw_g_mol:g} g/mol", "")
    if d.pk:
        pk = d.pk
        table.add_row("route / F", f"{pk.route}, F = {pk.F:g}", pk.source)
        vals = (
            f"ka {pk.ka_per_h:g}/h, CL {pk.cl_L_h:g} L/h, V1 {pk.v1_L:.4g} L"
            + (f", Q {pk.q_L_h:g} L/h, V2 {pk.v2_L:g} L" if pk.compartments == 2 else "")
            + (" (apparent)" if pk.apparent and pk.route != "iv" else "")
        )
        table.add_row(f"PK ({pk.compartments}-cmt)", vals, pk.source)
        table.add_row("terminal t1/2", f"{pk.half_life_h:.1f} h", "from the PK parameters")
        table.add_row("free fraction (blood)", f"{pk.fu_blood:g}", pk.source)
        table.add_row("variability", f"CV CL {pk.cv_cl:.0%}, V {pk.cv_v:.0%}", pk.source)
        if pk.prodrug_of:
            table.add_row(
                "metabolite", f"{pk.prodrug_of} ({pk.fraction_to_metabolite:.0%})", pk.source
            )
    if d.dose_range_mg:
        table.add_row(
            "clinical range", f"{d.dose_range_mg[0]:g}-{d.dose_range_mg[1]:g} mg/day", d.mtd
        )
    table.add_row("tolerability", d.mtd, "")
    if d.notes:
        table.add_row("notes", d.notes, "")
    console.print(table)


def pk_cmd(
    drug: DrugOpt,
    drug_file: DrugFileOpt = None,
    replace_drug: ReplaceOpt = False,
    dose: DoseOpt = None,
    schedule: ScheduleOpt = None,
    days: Annotated[float, typer.Option(help="Duration (days).")] = 14.0,
    out: Annotated[Path | None, typer.Option(help="Table (.parquet/.csv).")] = None,
    plot: Annotated[Path | None, typer.Option(help="Figure (.png/.svg/.pdf).")] = None,
) -> None:
    """Concentration-time profile of one or more regimens (PK only)."""
    from mtorsim.pharmacology.pk import pk_profile

    check_outputs(out)
    check_figure(plot)
    from mtorsim import guard

    span = guard.check_duration(days=days) or days
    guard.check_memory((span * 48 + 1) * 8 * len(drug) * 32, f"{span:g} days of PK", "lower --days")
    register_drug_files(drug_file, replace_drug)
    regs = regimens(drug, dose, schedule)
    df = pk_profile(regs, days=days)
    write_table(df, out)
    write_figure(plot, lambda ax: _plot_pk(df, regs, days, ax))
    table = Table("drug", "Cmax (ng/mL)", "last trough (ng/mL)", "free Cmax (nM)")
    for col in [c for c in df.columns if c.endswith("_blood_ng_mL")]:
        name = col.removesuffix("_blood_ng_mL")
        conc = df[col].to_numpy()
        table.add_row(
            name,
            f"{conc.max():.3g}",
            _number(_last_trough(df, col, regs)),
            f"{df[name + '_free_nM'].max():.3g}",
        )
    console.print(table)


def _last_trough(df, col, regs) -> float:
    """The drug's own level just before its last dose after the first (NaN with one dose:
    the level before the first dose is no trough), whatever the other drugs' doses."""
    import numpy as np

    from mtorsim.pharmacology.mechanism import drug_id

    name = col.removesuffix("_blood_ng_mL")
    own = [r for r in regs if name in (r.drug, drug_id(r.drug))]
    times = sorted(t for r in own for t, _ in r.dose_times(df["time_h"].iloc[-1]))
    if len(times) < 2:
        return float("nan")
    i = int(np.searchsorted(df["time_h"].to_numpy(), times[-1]))  # the level at that dose
    return float(df[col].iloc[i])


def _number(value: float) -> str:
    return "-" if value != value else f"{value:.3g}"


def _plot_pk(df, regs, days, ax) -> None:
    from mtorsim.report.plots import plot_concentrations

    times = [t for r in regs for t, _ in r.dose_times(days * 24.0)]
    plot_concentrations(df, ax=ax, dose_times_h=times)


def dose_response_cmd(
    drug: Annotated[str, typer.Option("--drug", help="Drug name or alias.")],
    drug_file: DrugFileOpt = None,
    replace_drug: ReplaceOpt = False,
    readout: Annotated[str, typer.Option(help="Read-out (species or observable).")] = "S6K1",
    hours: Annotated[float, typer.Option(help="Exposure time (h).")] = 24.0,
    combine: Annotated[
        str | None,
        typer.Option(help="Second drug: combination matrix with Bliss and Loewe scores."),
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="PARAMETER=VALUE, e.g. FRB_resistance=1000 (repeatable)."),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Table (.parquet/.csv).")] = None,
    plot: Annotated[Path | None, typer.Option(help="Figure (.png/.svg/.pdf).")] = None,
) -> None:
    """Dose-response in cells (IC50, Emax, Hill), or a two-drug combination matrix."""
    import mtorsim

    check_outputs(out)
    check_figure(plot)
    from mtorsim import guard

    guard.check_duration(hours=hours)
    register_drug_files(drug_file, replace_drug)
    params = nonnegative(assignments(set_, "--set"))
    model = mtorsim.load()
    if combine:
        df = model.dose_response(drug, readout, hours=hours, combine=combine, parameters=params)
        write_table(df, out)
        write_figure(plot, lambda ax: _plot_matrix(df, ax))
        from mtorsim.pharmacology.doseresponse import combination_summary

        console.print(f"{drug} + {combine} on {readout}: {combination_summary(df).describe()}")
        return
    dr = model.dose_response(drug, readout, hours=hours, parameters=params)
    write_table(dr.table, out)
    write_figure(plot, lambda ax: _plot_dr(dr, ax))
    console.print(f"{dr.drug} on {readout} ({hours:g} h): {dr.describe()}")


def _plot_dr(dr, ax) -> None:
    from mtorsim.report.plots import plot_dose_response

    plot_dose_response(
        dr.table,
        (dr.ic50_nM, dr.emax, dr.hill_slope) if dr.has_effect else None,
        ax=ax,
        label=f"{dr.drug} -> {dr.readout}",
        title=f"IC50 {dr.ic50_nM:.3g} nM, Emax {dr.emax:.2f}" if dr.has_effect else dr.describe(),
    )


def _plot_matrix(df, ax) -> None:
    pivot = df.pivot(index="conc_a_nM", columns="conc_b_nM", values="bliss_excess")
    im = ax.imshow(pivot.to_numpy(), origin="lower", cmap="RdBu_r", vmin=-0.3, vmax=0.3)
    ax.set_xticks(range(pivot.shape[1]), [f"{c:.2g}" for c in pivot.columns], rotation=45)
    ax.set_yticks(range(pivot.shape[0]), [f"{c:.2g}" for c in pivot.index])
    ax.set_xlabel(f"{df.attrs.get('drug_b', 'drug B')} (nM)")
    ax.set_ylabel(f"{df.attrs.get('drug_a', 'drug A')} (nM)")
    ax.figure.colorbar(im, ax=ax, label="Bliss excess")


@drugs_app.command("check")
def drugs_check(path: Annotated[Path, typer.Argument(help="Drug file (.yaml/.json).")]) -> None:
    """Validate a drug file (every problem on one line) without registering it."""
    from mtorsim.pharmacology.registry import library_clashes, load_drug_file

    d = load_drug_file(path)
    clashes = library_clashes(d)
    if clashes:
        raise MtorsimError(
            f"{path}: {'; '.join(clashes)}; rename it (commands refuse it unless --replace-drug)"
        )
    console.print(f"{path}: {d.name} ({d.drug_class}) is a valid drug record")


@drugs_app.command("schema")
def drugs_schema(
    out: Annotated[Path | None, typer.Option(help="Write the JSON Schema here.")] = None,
) -> None:
    """The JSON Schema of a drug file (the same model validates every file)."""
    import json

    from mtorsim.io import write_text
    from mtorsim.pharmacology.registry import drug_schema

    if out is not None and out.suffix.lower() != ".json":
        raise MtorsimError(f"--out {out}: the schema is JSON; give a .json file")
    text = json.dumps(drug_schema(), indent=2)
    if out:
        write_text(out, text + "\n")
        console.print(f"wrote {out}")
    else:
        print(text)
