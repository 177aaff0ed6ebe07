"""``mtorsim trial NAME|FILE.json|list|schema|biology``: virtual trials.

Thin over :mod:`mtorsim.trials`.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from mtorsim.cli.common import (
    check_figure,
    check_outputs,
    console,
    err_console,
    report_warnings,
    write_figure,
    write_table,
)
from mtorsim.errors import MtorsimError

#: The tables of a ``--out FOLDER`` dataset (one sub-folder each, partitioned by arm).
DATASET_TABLES = ("patients", "assessments")
#: arms smaller than this get a warning beside their figures
MIN_ARM_PATIENTS = 10


def _list_trials() -> None:
    from mtorsim.trials import trial_designs

    table = Table(
        "trial",
        "cancer type",
        "arms",
        "patients",
        "primary",
        "reference",
        title="built-in trial designs",
    )
    for d in trial_designs().values():
        table.add_row(
            d.name,
            d.cancer_type,
            " | ".join(a.label for a in d.arms),
            str(d.n_patients),
            d.primary_endpoint,
            d.reference,
        )
    console.print(table)


def _schema(out: Path | None) -> None:
    """The design files' JSON Schema (the model that validates them), printed or written."""
    import json

    from mtorsim.io import write_text
    from mtorsim.trials.design_model import design_schema

    text = json.dumps(design_schema(), indent=2)
    if out is None:
        print(text)
        return
    if out.suffix.lower() != ".json":
        raise MtorsimError(f"schema file {str(out)!r} should end in .json")
    write_text(out, text + "\n")
    console.print(f"wrote {out}")


def _biology(out: Path | None) -> None:
    """Cancer-type biology as trials run it: the fitted value beside the table's start."""
    from mtorsim.trials.biology import biology_sheet

    check_outputs(out)
    sheet = biology_sheet()
    table = Table(
        "type", "prior therapy", "parameter", "value", "table", "source",
        title=f"cancer-type biology (fitted set {sheet.attrs['fit_version']}; "
        "'table' = cancer_biology.csv, a fit's start where the value is fitted; "
        "the sources in full: --out FILE.csv)",
    )  # fmt: skip
    for r in sheet.itertuples(index=False):
        source = r.source.split(":", 1)[0]  # fitted / pooled / tied / assumed / a citation
        table.add_row(
            r.cancer_type,
            r.prior_therapy,
            r.parameter,
            f"{r.value:.4g}",
            f"{r.table_value:.4g}",
            source,
        )
    console.print(table)
    write_table(sheet, out)


def _months(value: float) -> str:
    """A median in months; 'NR' where the Kaplan-Meier curve never reaches one half."""
    return "NR" if not math.isfinite(value) else f"{value:.1f}"


def _print_subgroups(sub) -> None:
    if sub.empty:
        console.print("no subgroups (single-arm trial)")
        return
    endpoints = ", ".join(dict.fromkeys(sub["endpoint"]))
    t = Table(
        "subgroup", "n", "arm vs control", "HR (95 % CI)", "Cox p", "log-rank p",
        title=f"{endpoints} hazard ratio by genotype",
    )  # fmt: skip
    for r in sub.itertuples(index=False):
        t.add_row(
            r.subgroup,
            str(r.n),
            f"{r.arm} vs {r.control}",
            f"{r.HR:.2f} ({r.HR_ci_low:.2f}-{r.HR_ci_high:.2f})",
            f"{r.p_cox:.2g}",
            f"{r.p_logrank:.2g}",
        )
    console.print(t)


def _print_result(result) -> None:
    from mtorsim.trials.analysis import hr_text

    s = result.summary
    t = Table(
        "arm",
        "n",
        "median PFS (mo)",
        "median OS (mo)",
        "ORR %",
        "DCR %",
        "stopped (tox) %",
        title=f"{result.design.name} (seed {result.seed})",
    )
    for r in s.itertuples(index=False):
        if r.n == 0:  # an arm nobody was randomised to: nothing to estimate
            t.add_row(r.arm, "0", *["-"] * 5)
            continue
        t.add_row(
            r.arm,
            str(r.n),
            _months(r.median_PFS),
            _months(r.median_OS),
            f"{r.ORR_pct:.1f}",
            f"{r.DCR_pct:.0f}",
            f"{r.stopped_for_toxicity_pct:.0f}",
        )
    console.print(t)
    few = [f"{r.arm} ({r.n})" for r in s.itertuples(index=False) if r.n < MIN_ARM_PATIENTS]
    if few:
        err_console.print(
            f"[yellow]warning:[/yellow] few patients in arm(s) {', '.join(few)}: medians, "
            "rates and hazard ratios of so small an arm say little (give more --patients)",
            highlight=False,
        )
    if not result.hazard_ratios.empty:
        h = Table("arm vs control", "endpoint", "HR (95 % CI)", "log-rank p")
        for r in result.hazard_ratios.itertuples(index=False):
            h.add_row(
                f"{r.arm} vs {r.control}",
                r.endpoint,
                hr_text(r.HR, r.HR_ci_low, r.HR_ci_high),
                f"{r.p_logrank:.2g}" if math.isfinite(r.p_logrank) else "-",
            )
        console.print(h)
    if len(result.arms) > 1 and result.patients["crossed_over"].any():
        from mtorsim.trials.crossover import os_hazard_ratios

        o = os_hazard_ratios(result.patients, result.arms)
        ipcw = hr_text(o["HR_IPCW"], o["HR_IPCW_ci_low"], o["HR_IPCW_ci_high"])
        console.print(
            f"OS HR {result.arms[0]} vs {result.arms[-1]}: {o['HR_ITT']:.2f} as randomised "
            f"(ITT); adjusted for crossover: {ipcw} by IPCW, "
            f"{o['HR_adjusted']:.2f} by RPSFT (psi {o['psi']:+.2f}; not credible where the "
            "benefit outlasts time on drug); "
            f"{100 * o['control_crossed_over']:.0f} % of the control arm crossed over"
        )


def _replicates(design, k: int, seed: int, n: int, out: Path | None) -> None:
    from rich.progress import Progress

    from mtorsim.trials import run_replicates

    with Progress(console=err_console, transient=True) as bar:
        task = bar.add_task(f"{k} replicates of {design.name}", total=k)
        _, spread = run_replicates(
            design, k, seed=seed, n_patients=n, progress=lambda i: bar.advance(task, i)
        )
    t = Table(
        "arm vs control",
        "endpoint",
        "median HR",
        "2.5-97.5 %",
        "p < 0.05 in",
        "estimable in",
        title=f"{design.name}: {k} replicate trials of {n} patients (seed {seed})",
    )
    for r in spread.itertuples(index=False):
        if r.estimable == 0:
            t.add_row(r.arm, r.endpoint, "-", "-", f"{r.significant_pct:.0f} %", f"0 of {k}")
            continue
        t.add_row(
            r.arm,
            r.endpoint,
            f"{r.median_HR:.2f}",
            f"{r.HR_2_5:.2f}-{r.HR_97_5:.2f}",
            f"{r.significant_pct:.0f} %",
            f"{r.estimable} of {k}",
        )
    console.print(t)
    if (spread.estimable < k).any():
        err_console.print(
            "[yellow]warning:[/yellow] some replicates have too few events (or no overlap "
            "between arms) for a finite hazard ratio; the spread is over the others",
            highlight=False,
        )
    write_table(spread, out)


def trial_cmd(
    name: Annotated[
        str,
        typer.Argument(
            help="Built-in trial (see 'mtorsim trial list'), 'list', a design .json/.yaml "
            "file, 'schema' (the design files' JSON Schema; --out FILE.json writes it) or "
            "'biology' (each cancer type's values as run, with sources; --out FILE.csv)."
        ),
    ],
    patients: Annotated[int | None, typer.Option(help="Patients (default: the design's).")] = None,
    seed: Annotated[int, typer.Option(help="Seed: same seed, same trial.")] = 0,
    months: Annotated[float | None, typer.Option(help="Follow-up (months).")] = None,
    select: Annotated[
        list[str] | None,
        typer.Option("--select", help="Enrol only tumours with this gene altered (repeatable)."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Per-patient table (.csv/.tsv/.parquet), or a folder: partitioned Parquet dataset "
            "(patients and assessments, by arm)."
        ),
    ] = None,
    report: Annotated[Path | None, typer.Option(help="Self-contained HTML report.")] = None,
    plot: Annotated[Path | None, typer.Option(help="Kaplan-Meier figure (.png/.svg/.pdf).")] = None,
    endpoint: Annotated[str, typer.Option(help="Endpoint of --plot: PFS, OS or TTP.")] = "PFS",
    subgroups: Annotated[bool, typer.Option(help="Print hazard ratios by genotype.")] = False,
    chunk_size: Annotated[int, typer.Option(help="Patients simulated at once.")] = 2000,
    workers: Annotated[
        int | None, typer.Option(help="Shard over a local Dask cluster with this many workers.")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Shard over a running Dask scheduler (tcp://HOST:PORT).")
    ] = None,
    replicates: Annotated[
        int | None,
        typer.Option(
            help="Run K seeded trials of the real size and print the spread of the hazard "
            "ratio (median, 2.5-97.5 %): what a trial this size can and cannot show."
        ),
    ] = None,
) -> None:
    """Run a virtual clinical trial: KM curves, hazard ratios, response rates, report."""
    if name.lower() == "list":
        _list_trials()
        return
    if name.lower() == "schema":
        _schema(out)
        return
    if name.lower() == "biology":
        _biology(out)
        return
    from mtorsim.trials import load_design

    dataset = out is not None and out.suffix == ""
    check_outputs(None if dataset else out)
    if dataset:
        from mtorsim.io import check_dataset_folder

        check_dataset_folder(out, DATASET_TABLES)
    check_figure(plot)
    if report is not None and report.suffix.lower() not in (".html", ".htm"):
        raise MtorsimError(f"report file {str(report)!r} must end in .html")
    endpoint = endpoint.upper()
    if endpoint not in ("PFS", "OS", "TTP"):
        raise MtorsimError(f"endpoint {endpoint!r}; use PFS, OS or TTP")
    if replicates is not None:
        refused = [f for f, v in (("--report", report), ("--plot", plot)) if v is not None]
        refused += ["--subgroups"] if subgroups else []
        refused += ["--out FOLDER"] if dataset else []
        if refused:
            raise MtorsimError(
                f"--replicates prints (and --out FILE writes) the spread of the hazard ratio "
                f"only; drop {', '.join(refused)}, or run without --replicates"
            )
    from mtorsim import guard

    guard.check_seed(seed)
    if months is not None:
        guard.check_duration(months=months)
    if workers is not None:
        guard.check_count(workers, "workers", maximum=256)
    address = r"[a-z][a-z0-9+]*://[^\s:/]+:\d{1,5}/?"
    if scheduler is not None and not re.fullmatch(address, scheduler):
        raise MtorsimError(f"--scheduler {scheduler!r}: give a Dask address like tcp://HOST:8786")
    with report_warnings():  # doses far outside a drug's clinical range, as simulate says
        design = load_design(name)
    changes = {"follow_up_months": months}
    if select:
        changes["select_genes"] = tuple(select)
    design = design.with_changes(**changes)
    n = design.n_patients if patients is None else patients
    if n < 1:
        raise MtorsimError(f"--patients is {n}; give at least 1")
    scans = design.follow_up_months * 4.345 / design.assessment_weeks
    guard.check_trial(n, chunk_size, seed, assessments=scans)
    if replicates is not None:
        guard.check_count(replicates, "replicates", maximum=1000)
        _replicates(design, replicates, seed, n, out)
        return
    from rich.progress import Progress

    with Progress(console=err_console, transient=True) as bar:
        task = bar.add_task(f"simulating {design.name}", total=n)

        def advance(k: int) -> None:
            bar.advance(task, k)

        if workers or scheduler:
            from mtorsim.scale import run_trial_distributed

            result = run_trial_distributed(
                design,
                n_patients=n,
                seed=seed,
                chunk_size=chunk_size,
                workers=workers,
                scheduler=scheduler,
                progress=advance,
            )
        else:
            from mtorsim.trials import run_trial

            result = run_trial(
                design, n_patients=n, seed=seed, chunk_size=chunk_size, progress=advance
            )
    _print_result(result)
    if subgroups:
        _print_subgroups(result.subgroups())
    from mtorsim.report.trial_plots import plot_km

    if dataset:
        from mtorsim.io import write_partitioned

        write_partitioned(
            dict(zip(DATASET_TABLES, (result.patients, result.assessments), strict=True)),
            out,
            partition_by="arm",
        )
        console.print(f"wrote {out}/ (partitioned Parquet)")
    if not dataset:
        write_table(result.patients, out)
    write_figure(plot, lambda ax: plot_km(result, endpoint, ax=ax))
    if report is not None:
        from mtorsim.report.html import trial_report

        with console.status("writing report"):
            trial_report(result, report)
        console.print(f"wrote {report}")
