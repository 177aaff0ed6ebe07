"""Drug commands of the CLI: ``drugs list/show``, ``pk``, ``dose-response``, treatment runs.

Each is a thin wrapper over :mod:`mtorsim.pharmacology`; ``mtorsim.cli`` registers them.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from mtorsim.errors import MtorsimError

console = Console()
err_console = Console(stderr=True)

drugs_app = typer.Typer(
    help="The drug library: mechanisms, potencies, PK, sources.", no_args_is_help=True
)

DrugOpt = Annotated[list[str], typer.Option("--drug", help="Drug name or alias (repeatable).")]
DoseOpt = Annotated[
    list[str] | None,
    typer.Option("--dose", help="Dose per administration, e.g. 10mg (one per --drug)."),
]
ScheduleOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--schedule", help="daily, bid, weekly, 5on2off, ... (one per --drug; default: usual)."
    ),
]


@contextlib.contextmanager
def report_warnings() -> Iterator[None]:
    """Print warnings (dose range) as one line each on stderr, then go on."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for w in caught:
        err_console.print(f"[yellow]warning:[/yellow] {w.message}", highlight=False, soft_wrap=True)


def regimens_from_options(drugs: list[str], doses: list[str] | None, schedules: list[str] | None):
    from mtorsim.pharmacology.regimen import Regimen, parse_dose

    doses = doses or []
    schedules = schedules or []
    if len(doses) != len(drugs):
        raise MtorsimError(
            f"give one --dose per --drug ({len(drugs)} drug(s), {len(doses)} "
            "dose(s)), e.g. --drug everolimus --dose 10mg"
        )
    if schedules and len(schedules) != len(drugs):
        raise MtorsimError("give one --schedule per --drug, or none for the usual schedules")
    return [
        Regimen(d, parse_dose(x), schedules[i] if schedules else None)
        for i, (d, x) in enumerate(zip(drugs, doses, strict=True))
    ]


@drugs_app.command("list")
def drugs_list() -> None:
    """All drugs with class, targets and clinical status."""
    from mtorsim.pharmacology.catalogue import DRUGS

    table = Table(
        "drug",
        "class",
        "sites (Kd/IC50 nM)",
        "route",
        "t1/2 (h)",
        "aliases",
        title=f"mtorsim drug library ({len(DRUGS)})",
    )
    for d in DRUGS.values():
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
    dose: DoseOpt = None,
    schedule: ScheduleOpt = None,
    days: Annotated[float, typer.Option(help="Duration (days).")] = 14.0,
    out: Annotated[Path | None, typer.Option(help="Table (.parquet/.csv).")] = None,
    plot: Annotated[Path | None, typer.Option(help="Figure (.png/.svg/.pdf).")] = None,
) -> None:
    """Concentration-time profile of one or more regimens (PK only)."""
    from mtorsim.cli import check_outputs, write_outputs
    from mtorsim.pharmacology.pk import pk_profile

    check_outputs(out, plot)
    with report_warnings():
        regs = regimens_from_options(drug, dose, schedule)
    df = pk_profile(regs, days=days)
    write_outputs(df, out, plot, lambda ax: _plot_pk(df, regs, days, ax))
    table = Table("drug", "Cmax (ng/mL)", "last trough (ng/mL)", "free Cmax (nM)")
    for col in [c for c in df.columns if c.endswith("_blood_ng_mL")]:
        name = col.removesuffix("_blood_ng_mL")
        conc = df[col].to_numpy()
        table.add_row(
            name,
            f"{conc.max():.3g}",
            f"{_last_trough(df, col, regs):.3g}",
            f"{df[name + '_free_nM'].max():.3g}",
        )
    console.print(table)


def _last_trough(df, col, regs) -> float:
    import numpy as np

    times = sorted(t for r in regs for t, _ in r.dose_times(df["time_h"].iloc[-1]))
    if not times:
        return float("nan")
    i = int(np.searchsorted(df["time_h"].to_numpy(), times[-1]))
    return float(df[col].iloc[max(i, 0)])


def _plot_pk(df, regs, days, ax) -> None:
    from mtorsim.report.plots import plot_concentrations

    times = [t for r in regs for t, _ in r.dose_times(days * 24.0)]
    plot_concentrations(df, ax=ax, dose_times_h=times)


def dose_response_cmd(
    drug: Annotated[str, typer.Option("--drug", help="Drug name or alias.")],
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
    from mtorsim.cli import check_outputs, write_outputs
    from mtorsim.conditions import parse_assignment
    from mtorsim.pharmacology.doseresponse import combination_matrix, dose_response

    check_outputs(out, plot)
    params = dict(parse_assignment(x, "--set") for x in set_ or [])
    if combine:
        df = combination_matrix(drug, combine, readout, hours=hours, parameters=params)
        write_outputs(df, out, plot, lambda ax: _plot_matrix(df, ax))
        best = df.loc[df["bliss_excess"].idxmax()]
        console.print(
            f"{drug} + {combine} on {readout}: max Bliss excess "
            f"{best.bliss_excess:.3f} at {best.conc_a_nM:.3g} nM + "
            f"{best.conc_b_nM:.3g} nM; median Loewe CI "
            f"{df['loewe_ci'].median():.2f} (< 1 synergy)"
        )
        return
    dr = dose_response(drug, readout, hours=hours, parameters=params)
    write_outputs(dr.table, out, plot, lambda ax: _plot_dr(dr, ax))
    console.print(
        f"{dr.drug} on {readout} ({hours:g} h): IC50 {dr.ic50_nM:.3g} nM, Emax "
        f"{dr.emax:.2f}, Hill {dr.hill_slope:.2f}"
    )


def _plot_dr(dr, ax) -> None:
    from mtorsim.report.plots import plot_dose_response

    plot_dose_response(
        dr.table,
        (dr.ic50_nM, dr.emax, dr.hill_slope),
        ax=ax,
        label=f"{dr.drug} -> {dr.readout}",
        title=f"IC50 {dr.ic50_nM:.3g} nM, Emax {dr.emax:.2f}",
    )


def _plot_matrix(df, ax) -> None:
    pivot = df.pivot(index="conc_a_nM", columns="conc_b_nM", values="bliss_excess")
    im = ax.imshow(pivot.to_numpy(), origin="lower", cmap="RdBu_r", vmin=-0.3, vmax=0.3)
    ax.set_xticks(range(pivot.shape[1]), [f"{c:.2g}" for c in pivot.columns], rotation=45)
    ax.set_yticks(range(pivot.shape[0]), [f"{c:.2g}" for c in pivot.index])
    ax.set_xlabel(f"{df.attrs.get('drug_b', 'drug B')} (nM)")
    ax.set_ylabel(f"{df.attrs.get('drug_a', 'drug A')} (nM)")
    ax.figure.colorbar(im, ax=ax, label="Bliss excess")


@dataclass(frozen=True)
class CohortOptions:
    """``--patients``, ``--seed``, ``--chunk-size``, ``--points-per-day``."""

    patients: int
    seed: int = 0
    chunk_size: int = 250
    points_per_day: float = 1.0


def treatment_run(
    drugs: list[str],
    doses: list[str] | None,
    schedules: list[str] | None,
    days: float,
    params: dict[str, float],
    names: list[str],
    out: Path | None,
    plot: Path | None,
    cohort: CohortOptions | None = None,
) -> None:
    """``mtorsim simulate --drug ...``: a patient (or, with ``cohort``, many) on regimens."""
    from mtorsim.pharmacology.treatment import simulate_treatment

    with report_warnings():
        regs = regimens_from_options(drugs, doses, schedules)
    if cohort is not None:
        _cohort_run(regs, days, params, names, out, plot, cohort)
        return
    df = simulate_treatment(regs, days=days, parameters=params)
    from mtorsim.cli import check_readouts, write_outputs

    check_readouts(df, names)

    def draw(ax) -> None:
        from mtorsim.report.plots import plot_timecourse

        times = [t for r in regs for t, _ in r.dose_times(days * 24.0)]
        plot_timecourse(
            df,
            names,
            ax=ax,
            relative_to_start=True,
            events=times,
            title=" + ".join(f"{r.drug} {r.dose_mg:g} mg {r.schedule}" for r in regs),
        )

    write_outputs(df, out, plot, draw)
    table = Table("read-out", "untreated", f"day {days:g}", "fold", "mean fold")
    for r in names:
        a, b = df[r].iloc[0], df[r].iloc[-1]
        table.add_row(
            r,
            f"{a:.4f}",
            f"{b:.4f}",
            f"{b / a:.2f}" if a else "-",
            f"{df[r].mean() / a:.2f}" if a else "-",
        )
    console.print(table)


def _cohort_run(
    regs: list,
    days: float,
    params: dict[str, float],
    names: list[str],
    out: Path | None,
    plot: Path | None,
    options: CohortOptions,
) -> None:
    """``mtorsim simulate --drug ... --patients N``: a cohort, streamed chunk by chunk."""
    import numpy as np
    import pandas as pd
    from rich.progress import Progress

    from mtorsim.errors import UnknownNameError
    from mtorsim.io import table_writer
    from mtorsim.pharmacology.cohort import default_readouts, simulate_treatment_cohort
    from mtorsim.pharmacology.treatment import compiled_with_drugs, tidy_drug_name

    patients = options.patients
    if patients < 1:
        raise MtorsimError(f"--patients is {patients}; give at least 1")
    if options.chunk_size < 1:
        raise MtorsimError(f"--chunk-size is {options.chunk_size}; give at least 1")
    compiled = compiled_with_drugs([r.drug for r in regs])
    internal = [*compiled.species, *compiled.observables]
    readouts = default_readouts(compiled)
    known = {*internal, *(tidy_drug_name(r) for r in internal)}
    for name in names:  # fail on a bad read-out before the long run
        if name not in known:
            raise UnknownNameError("read-out", name, sorted(known))
        if name in internal and name not in readouts:
            readouts.append(name)
    names = list(dict.fromkeys(tidy_drug_name(n) for n in names))
    kept: list[pd.DataFrame] = []  # the first 2,000 patients, for the summary and the plot

    with contextlib.ExitStack() as stack:
        write = stack.enter_context(table_writer(out)) if out else None
        bar = stack.enter_context(Progress(console=err_console, transient=True))
        task = bar.add_task(f"simulating {patients} patients", total=patients)

        done = 0

        def on_chunk(chunk: pd.DataFrame) -> None:
            nonlocal done
            if write is not None:
                write(chunk)
            if done < 2000:
                kept.append(chunk[["patient", "time_d", *names]])
            size = chunk.patient.nunique()
            done += size
            bar.advance(task, size)

        simulate_treatment_cohort(
            regs,
            patients,
            days,
            seed=options.seed,
            parameters=params,
            readouts=readouts,
            points_per_day=options.points_per_day,
            chunk_size=options.chunk_size,
            on_chunk=on_chunk,
        )
    if out:
        console.print(f"wrote {out}")
    df = pd.concat(kept, ignore_index=True)
    shown = df.patient.nunique()
    start = df[df.time_d == df.time_d.min()].set_index("patient")
    end = df[df.time_d == df.time_d.max()].set_index("patient")
    table = Table(
        "read-out",
        f"day {days:g} / untreated: median",
        "5th-95th percentile",
        title=(f"{patients} patients" + ("" if shown == patients else f" (first {shown} shown)")),
    )
    for r in names:
        with np.errstate(divide="ignore", invalid="ignore"):
            fold = (end[r] / start[r]).replace([np.inf, -np.inf], np.nan).dropna()
        if fold.empty:  # zero before treatment (a drug level): show the value itself
            lo, med, hi = np.percentile(end[r].dropna(), [5, 50, 95])
            table.add_row(f"{r} *", f"{med:.3g}", f"{lo:.3g}-{hi:.3g}")
            table.caption = "* value on the last day (zero before treatment)"
            continue
        lo, med, hi = np.percentile(fold, [5, 50, 95])
        table.add_row(r, f"{med:.2f}", f"{lo:.2f}-{hi:.2f}")
    console.print(table)
    if plot:
        from mtorsim.cli import write_outputs
        from mtorsim.report.plots import plot_cohort_bands

        title = " + ".join(f"{r.drug} {r.dose_mg:g} mg {r.schedule}" for r in regs)
        write_outputs(df, None, plot, lambda ax: plot_cohort_bands(df, names, ax=ax, title=title))


def predict_cmd(
    maf: Annotated[Path | None, typer.Option(help="MAF file (TCGA/GDC, cBioPortal).")] = None,
    vcf: Annotated[
        Path | None, typer.Option(help="VCF/BCF annotated by VEP (CSQ) or snpEff (ANN).")
    ] = None,
    variants: Annotated[
        Path | None, typer.Option(help="CSV with sample,gene,variant[,vaf].")
    ] = None,
    cna: Annotated[
        Path | None, typer.Option(help="Gene-level copy number (-2..2), genes x samples.")
    ] = None,
    drugs: Annotated[
        str | None, typer.Option(help="Comma-separated drugs (default: every pathway drug).")
    ] = None,
    n: Annotated[int, typer.Option(help="Cells per sample (biological variability).")] = 32,
    seed: Annotated[int, typer.Option(help="Seed of the cell population.")] = 0,
    out: Annotated[Path | None, typer.Option(help="Ranked table (.parquet/.csv).")] = None,
    explain_out: Annotated[
        Path | None, typer.Option("--explain", help="Explanations per sample (.csv).")
    ] = None,
    problems: Annotated[
        Path | None, typer.Option(help="Report of unreadable rows (file, line, problem).")
    ] = None,
) -> None:
    """Predicted response of each sample to each drug, from its mutations, with reasons."""

    from mtorsim.cli import check_outputs
    from mtorsim.genomics.explain import explain
    from mtorsim.genomics.predict import predict_response
    from mtorsim.genomics.profile import annotate, profiles

    check_outputs(out, explain_out, problems)
    merged = _read_variants(maf, vcf, variants, cna, problems)
    annotated = annotate(merged)
    drug_list = [d.strip() for d in drugs.split(",")] if drugs else None
    with console.status("predicting") as status:
        pred = predict_response(
            profiles(annotated),
            drug_list,
            n=n,
            seed=seed,
            progress=lambda d: status.update(f"predicting: {d}"),
        )
    reasons = explain(annotated, pred)
    if out:
        from mtorsim.io import write_table

        write_table(pred, out)
        console.print(f"wrote {out}")
    if explain_out:
        from mtorsim.io import write_table

        write_table(reasons, explain_out)
        console.print(f"wrote {explain_out}")
    table = Table(
        "sample",
        "best drug",
        "fall",
        "P(resp)",
        "explanation",
        title="predicted response (growth-drive fall at clinical exposure, 24 h)",
    )
    for r in reasons.itertuples():
        best = pred[(pred["sample"] == r.sample)].iloc[0]
        table.add_row(
            str(r.sample),
            r.best_drug,
            f"{best.response_mean:.2f}",
            f"{best.probability_response:.2f}",
            r.explanation,
        )
    console.print(table)


def _read_variants(maf, vcf, variants, cna, report: Path | None = None):
    """Read every given mutation file; print unreadable rows as warnings (and write them to
    ``report``); merge."""
    import pandas as pd

    from mtorsim.genomics.readers import (
        read_copy_number,
        read_maf,
        read_variant_csv,
        read_vcf,
    )

    sources = [
        (maf, read_maf),
        (vcf, read_vcf),
        (variants, read_variant_csv),
        (cna, read_copy_number),
    ]
    tables = [reader(path) for path, reader in sources if path is not None]
    if not tables:
        raise MtorsimError("give a mutation file: --maf, --vcf, --variants or --cna")
    for t in tables:
        for row in t.problems.itertuples():
            err_console.print(
                f"[yellow]warning:[/yellow] {t.path}: line {row.line}: {row.problem} (row skipped)",
                highlight=False,
                soft_wrap=True,
            )
    if report is not None:
        from mtorsim.io import write_table

        rep = pd.concat([t.problems.assign(file=t.path) for t in tables], ignore_index=True)
        write_table(rep[["file", "line", "problem"]], report)
    merged = pd.concat([t.variants for t in tables], ignore_index=True)
    if merged.empty:
        raise MtorsimError("no readable variants in the given file(s)")
    return merged


def cohort_cmd(
    maf: Annotated[Path | None, typer.Option(help="MAF file.")] = None,
    vcf: Annotated[Path | None, typer.Option(help="Annotated VCF/BCF.")] = None,
    variants: Annotated[Path | None, typer.Option(help="sample,gene,variant CSV.")] = None,
    cna: Annotated[Path | None, typer.Option(help="Gene-level copy number.")] = None,
    drug: Annotated[str, typer.Option(help="Drug name or alias.")] = "everolimus",
    types: Annotated[
        Path | None, typer.Option(help="CSV sample,cancer_type to group by cancer type.")
    ] = None,
    n: Annotated[int, typer.Option(help="Cells per sample.")] = 32,
    seed: Annotated[int, typer.Option(help="Seed of the cell population.")] = 0,
    out: Annotated[Path | None, typer.Option(help="Per-gene table (.csv/.parquet).")] = None,
    plot: Annotated[Path | None, typer.Option(help="Oncoprint figure (.png/.svg).")] = None,
) -> None:
    """Fraction of samples predicted sensitive to a drug, by cancer type and gene."""
    import pandas as pd

    from mtorsim.cli import check_outputs
    from mtorsim.genomics.cohort import cohort_summary
    from mtorsim.genomics.predict import predict_response
    from mtorsim.genomics.profile import annotate, profiles
    from mtorsim.pharmacology.catalogue import get_drug

    check_outputs(out, plot)
    name = get_drug(drug).name
    annotated = annotate(_read_variants(maf, vcf, variants, cna))
    mapping = None
    if types is not None:
        if not types.exists():
            raise MtorsimError(f"{types}: file not found")
        tdf = pd.read_csv(types, dtype=str)
        if not {"sample", "cancer_type"} <= set(tdf.columns):
            raise MtorsimError(f"{types}: needs columns sample,cancer_type")
        mapping = dict(zip(tdf["sample"], tdf["cancer_type"], strict=True))
    with console.status(f"predicting {name}"):
        pred = predict_response(profiles(annotated), [name], n=n, seed=seed)
    by_type, by_gene = cohort_summary(annotated, pred, name, mapping)
    if out:
        from mtorsim.io import write_table

        write_table(by_gene, out)
        console.print(f"wrote {out}")
    if plot:
        from mtorsim.report.plots import plot_oncoprint, save_figure

        ax = plot_oncoprint(annotated, pred, name)
        save_figure(ax.figure, plot)
        console.print(f"wrote {plot}")
    t = Table(
        "cancer type",
        "samples",
        "predicted sensitive",
        "mean fall",
        title=f"{name}: P(response) >= 0.5",
    )
    for r in by_type.itertuples():
        t.add_row(
            str(r.cancer_type),
            str(r.samples),
            f"{r.fraction_sensitive:.0%}",
            f"{r.mean_response:.2f}",
        )
    console.print(t)
    g = Table("gene", "mutated", "sensitive if mutated", "sensitive otherwise")
    for r in by_gene.itertuples():
        g.add_row(
            r.gene,
            str(r.mutated_samples),
            f"{r.fraction_sensitive_mutated:.0%}",
            f"{r.fraction_sensitive_other:.0%}",
        )
    console.print(g)
