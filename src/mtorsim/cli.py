"""The ``mtorsim`` command line: one thin command per public function.

Every command parses its options, calls the API, and writes its outputs atomically. Errors
caused by the input are printed on one line (``error: ...``) with exit code 2; no traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from mtorsim.errors import MtorsimError

app = typer.Typer(
    name="mtorsim",
    help="An in-silico laboratory for mTOR-pathway drugs in cancer.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
network_app = typer.Typer(
    help="Inspect the network (species, parameters, reactions).", no_args_is_help=True
)
app.add_typer(network_app, name="network")


def _register_drug_commands() -> None:
    from mtorsim import cli_drugs

    app.add_typer(cli_drugs.drugs_app, name="drugs")
    app.command("pk")(cli_drugs.pk_cmd)
    app.command("dose-response")(cli_drugs.dose_response_cmd)
    app.command("predict")(cli_drugs.predict_cmd)
    app.command("cohort")(cli_drugs.cohort_cmd)
    from mtorsim import cli_trials

    app.command("trial")(cli_trials.trial_cmd)


console = Console()
err_console = Console(stderr=True)

InhibitOpt = Annotated[
    list[str] | None, typer.Option("--inhibit", help="NODE=FRACTION, e.g. mTORC1=0.9 (repeatable).")
]
SetOpt = Annotated[
    list[str] | None, typer.Option("--set", help="PARAMETER=VALUE, e.g. PTEN_level=0 (repeatable).")
]
GFOpt = Annotated[float, typer.Option("--growth-factor", help="Growth factor, 1 = full serum.")]
AAOpt = Annotated[float, typer.Option("--amino-acids", help="Amino acids, 1 = replete.")]
ESOpt = Annotated[float, typer.Option("--energy-stress", help="Energy stress, 0-1.")]


def _conditions(gf: float, aa: float, es: float, inhibit: list[str] | None, sets: list[str] | None):
    from mtorsim.conditions import Conditions, parse_assignment

    inh = dict(parse_assignment(x, "--inhibit") for x in inhibit or [])
    params = dict(parse_assignment(x, "--set") for x in sets or [])
    return Conditions(
        growth_factor=gf, amino_acids=aa, energy_stress=es, inhibit=inh, parameters=params
    )


def check_outputs(*paths: Path | None) -> None:
    from mtorsim.io import table_format
    from mtorsim.report.plots import FIGURE_FORMATS

    for p in paths:
        if p is None:
            continue
        if p.suffix.lower() in FIGURE_FORMATS:
            continue
        table_format(p)


def check_readouts(df, names: list[str]) -> None:
    """Every requested read-out is a column of the result, else a one-line error."""
    missing = [r for r in names if r not in df.columns]
    if missing:
        from mtorsim.errors import UnknownNameError

        raise UnknownNameError("read-out", missing[0], [c for c in df.columns if "__" not in c])


def write_outputs(df, out: Path | None, plot: Path | None, draw) -> None:
    """Write the table to ``out`` and ``draw(ax)`` to the figure ``plot``, each atomically."""
    if out:
        from mtorsim.io import write_table

        write_table(df, out)
        console.print(f"wrote {out}")
    if plot:
        import matplotlib.pyplot as plt

        from mtorsim.report.plots import save_figure

        fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
        draw(ax)
        save_figure(fig, plot)
        console.print(f"wrote {plot}")


@app.command()
def demo(out: Annotated[Path, typer.Option(help="Output folder.")] = Path("mtorsim-demo")) -> None:
    """Run the main job on built-in defaults; write a figure and tables into OUT."""
    from mtorsim.demo import run_demo

    with console.status("running demo") as status:
        paths = run_demo(out, progress=lambda m: status.update(f"demo: {m}"))
    import pandas as pd

    card = pd.read_csv(paths["scorecard"])
    counts = card["status"].str.split(" ").str[0].value_counts()
    console.print(
        f"[bold]mtorsim demo[/bold]: claims {counts.get('pass', 0)} pass, "
        f"{counts.get('fail', 0)} fail, {counts.get('not', 0)} not implemented yet "
        "(details: mtorsim validate)"
    )
    for name, p in paths.items():
        console.print(f"  {name:16s} {p}")


@app.command("simulate")
def simulate_cmd(
    hours: Annotated[float, typer.Option(help="Duration of a cell experiment (h).")] = 24.0,
    points: Annotated[int, typer.Option(help="Number of output times (cells).")] = 97,
    growth_factor: GFOpt = 1.0,
    amino_acids: AAOpt = 1.0,
    energy_stress: ESOpt = 0.0,
    inhibit: InhibitOpt = None,
    set_: SetOpt = None,
    treat: Annotated[
        list[str] | None,
        typer.Option("--treat", help="Cells: DRUG=nM constant concentration (repeatable)."),
    ] = None,
    drug: Annotated[
        list[str] | None,
        typer.Option("--drug", help="Patient: drug name (repeatable; with --dose, --schedule)."),
    ] = None,
    dose: Annotated[list[str] | None, typer.Option("--dose", help="e.g. 10mg.")] = None,
    schedule: Annotated[
        list[str] | None,
        typer.Option("--schedule", help="daily, bid, weekly, 5on2off ... (default: usual)."),
    ] = None,
    days: Annotated[float, typer.Option(help="Duration of a patient run (days).")] = 28.0,
    patients: Annotated[
        int | None,
        typer.Option(help="Patients: a cohort of N with PK variability (batched, streamed)."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Cohorts: random seed of the PK draws.")] = 0,
    chunk_size: Annotated[
        int, typer.Option(help="Cohorts: patients integrated together (memory per chunk).")
    ] = 250,
    points_per_day: Annotated[float, typer.Option(help="Cohorts: output times per day.")] = 1.0,
    sbml: Annotated[
        Path | None, typer.Option(help="Simulate this SBML model instead (with --until, --points).")
    ] = None,
    until: Annotated[
        float | None, typer.Option(help="SBML models: end time in the model's time unit.")
    ] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help="SBML models + --treat: NODE=MODEL_ID (mTORC1=pmTORC1)."),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Table (.parquet/.csv/.tsv).")] = None,
    plot: Annotated[Path | None, typer.Option(help="Figure (.png/.svg/.pdf).")] = None,
    readouts: Annotated[
        str, typer.Option(help="Comma-separated read-outs to plot/print.")
    ] = "AKT_T308,AKT_S473,S6K1,EIF4EBP1,ERK,GROWTH_DRIVE",
) -> None:
    """Cells (conditions, --inhibit, --treat) or a patient on drugs (--drug/--dose/--days).

    Cells start at steady state in full medium and the conditions apply from t = 0; a
    patient starts untreated and follows the dosing regimens with clinical PK. With
    --patients N, a cohort of N patients with their own clearance and volume per drug runs
    through the batched kernel, chunk by chunk, streamed to --out.
    """
    check_outputs(out, plot)
    if sbml is not None:
        _simulate_sbml(sbml, until, points, inhibit, set_, out, plot, treat, map_)
        return
    names = [r.strip() for r in readouts.split(",") if r.strip()]
    cond = _conditions(growth_factor, amino_acids, energy_stress, inhibit, set_)
    if patients is not None and not drug:
        raise MtorsimError("--patients simulates patients on drugs; add --drug (and --dose)")
    if drug:
        from mtorsim.cli_drugs import CohortOptions, treatment_run
        from mtorsim.engine.codegen import compile_network
        from mtorsim.network.default import default_network

        if cond.inhibit or treat:
            raise MtorsimError("--drug (patients) cannot be combined with --inhibit/--treat")
        params = cond.to_parameters(compile_network(default_network()))
        params.update(cond.parameters)
        cohort = (
            None if patients is None else CohortOptions(patients, seed, chunk_size, points_per_day)
        )
        treatment_run(drug, dose, schedule, days, params, names, out, plot, cohort)
        return
    if treat:
        from mtorsim.conditions import parse_assignment
        from mtorsim.pharmacology.treatment import compiled_with_drugs, treat_cells

        conc = dict(parse_assignment(x, "--treat") for x in treat)
        params = cond.to_parameters(compiled_with_drugs(list(conc), pk=False))
        df = treat_cells(conc, hours, parameters=params, points=points)
    else:
        from mtorsim.experiment import run_experiment

        df = run_experiment(cond, hours=hours, points=points)
    check_readouts(df, names)

    def draw(ax) -> None:
        from mtorsim.report.plots import plot_timecourse

        plot_timecourse(
            df, names, ax=ax, relative_to_start=True, title=f"conditions from t = 0 ({hours:g} h)"
        )

    write_outputs(df, out, plot, draw)
    table = Table("read-out", "t = 0", f"t = {hours:g} h", "fold")
    for r in names:
        a, b = df[r].iloc[0], df[r].iloc[-1]
        table.add_row(r, f"{a:.4f}", f"{b:.4f}", f"{b / a:.2f}" if a else "-")
    console.print(table)


def _simulate_sbml(
    path: Path,
    until: float | None,
    points: int,
    inhibit: list[str] | None,
    sets: list[str] | None,
    out: Path | None,
    plot: Path | None,
    treat: list[str] | None = None,
    mapping: list[str] | None = None,
) -> None:
    from mtorsim.conditions import parse_assignment
    from mtorsim.experiment import simulate_sbml
    from mtorsim.network.sbml_import import read_sbml

    if until is None:
        raise MtorsimError("--sbml needs --until (end time in the model's time unit)")
    model = read_sbml(path)
    params = dict(parse_assignment(x, "--set") for x in sets or [])
    if treat:
        from mtorsim.pharmacology.treatment import treat_cells

        if inhibit:
            raise MtorsimError("--treat cannot be combined with --inhibit for SBML models")
        conc = dict(parse_assignment(x, "--treat") for x in treat)
        node_map = {}
        for item in mapping or []:
            node, _, target = item.partition("=")
            if not target:
                raise MtorsimError(f"--map {item!r} must look like NODE=MODEL_ID")
            node_map[node.strip()] = target.strip()
        df = treat_cells(
            conc, until, parameters=params, points=points, network=model.network, node_map=node_map
        )
    else:
        inh = dict(parse_assignment(x, "--inhibit") for x in inhibit or [])
        df = simulate_sbml(model, until, points=points, parameters=params, inhibit=inh)

    def draw(ax) -> None:
        from mtorsim.report.plots import plot_timecourse

        shown = [sid for sid in model.species_ids if sid in df.columns][:8]
        plot_timecourse(df, shown, ax=ax, title=model.network.name)

    write_outputs(df, out, plot, draw)
    table = Table(
        "species",
        "t = 0",
        f"t = {until:g}",
        title=f"{model.network.name} "
        f"({len(model.species_ids)} species, {len(model.event_specs)} events)",
    )
    for sid in [sid for sid in model.species_ids if sid in df.columns][:20]:
        table.add_row(sid, f"{df[sid].iloc[0]:.4g}", f"{df[sid].iloc[-1]:.4g}")
    console.print(table)


@app.command("steady-state")
def steady_state_cmd(
    growth_factor: GFOpt = 1.0,
    amino_acids: AAOpt = 1.0,
    energy_stress: ESOpt = 0.0,
    inhibit: InhibitOpt = None,
    set_: SetOpt = None,
    out: Annotated[Path | None, typer.Option(help="Table (.parquet/.csv/.tsv).")] = None,
) -> None:
    """Steady state under the given conditions (and fold change vs full medium)."""
    import pandas as pd

    from mtorsim.experiment import run_steady_state

    check_outputs(out)
    cond = _conditions(growth_factor, amino_acids, energy_stress, inhibit, set_)
    ss = run_steady_state(cond)
    base = run_steady_state().values
    df = pd.DataFrame(
        {
            "readout": ss.values.index,
            "value": ss.values.to_numpy(),
            "fold_vs_full_medium": (ss.values / base).to_numpy(),
        }
    )
    if out:
        from mtorsim.io import write_table

        write_table(df, out)
        console.print(f"wrote {out}")
    table = Table(
        "read-out",
        "value",
        "fold vs full medium",
        title=f"steady state ({ss.method}, |dy/dt| = {ss.residual:.1e})",
    )
    for row in df.itertuples():
        table.add_row(row.readout, f"{row.value:.4f}", f"{row.fold_vs_full_medium:.2f}")
    console.print(table)


@app.command("export-sbml")
def export_sbml_cmd(
    out: Annotated[Path, typer.Argument(help="SBML file to write (.xml/.sbml).")],
) -> None:
    """Write the default network as SBML Level 3 (units, sources, inhibition hooks)."""
    from mtorsim.network.default import default_network
    from mtorsim.network.sbml_export import write_sbml

    if out.suffix.lower() not in (".xml", ".sbml"):
        raise MtorsimError(f"SBML file {str(out)!r} should end in .xml or .sbml")
    write_sbml(default_network(), out)
    console.print(f"wrote {out}")


@network_app.command("show")
def network_show(
    what: Annotated[
        str, typer.Option(help="species, parameters, observables, reactions or all.")
    ] = "all",
    out: Annotated[Path | None, typer.Option(help="Write the table (.csv/.parquet).")] = None,
    sbml: Annotated[Path | None, typer.Option(help="Show this SBML model instead.")] = None,
) -> None:
    """List the network's components with units and sources."""
    from mtorsim.network.default import default_network

    if sbml is not None:
        from mtorsim.network.sbml_import import read_sbml

        net = read_sbml(sbml).network
    else:
        net = default_network()
    kinds = ["species", "parameters", "observables", "reactions"] if what == "all" else [what]
    for kind in kinds:
        df = net.table(kind)
        if out and len(kinds) == 1:
            from mtorsim.io import write_table

            write_table(df, out)
            console.print(f"wrote {out}")
            continue
        table = Table(*df.columns, title=f"{kind} ({len(df)})", show_lines=False)
        for row in df.itertuples(index=False):
            table.add_row(*(f"{v:g}" if isinstance(v, float) else str(v) for v in row))
        console.print(table)
    if out and len(kinds) > 1:
        raise MtorsimError("--out needs a single --what (species, parameters, ...)")


@app.command()
def validate(
    claims: Annotated[str | None, typer.Option(help="Comma-separated claim ids.")] = None,
    out: Annotated[Path | None, typer.Option(help="Write the scorecard (.csv/.parquet).")] = None,
    gdsc: Annotated[
        bool,
        typer.Option(
            "--gdsc", help="Also validate genotype predictions on GDSC1 cell lines (~1 min)."
        ),
    ] = False,
    trials: Annotated[
        bool,
        typer.Option("--trials", help="Also compare simulated trials with published outcomes."),
    ] = False,
) -> None:
    """Claim scorecard: each claim of spec/claims.md, measured value, target, status."""
    from mtorsim.evidence.claims import TITLES, evaluate_claim

    check_outputs(out)
    ids = [c.strip().upper() for c in claims.split(",")] if claims else list(TITLES)
    from rich.progress import track

    results = [
        evaluate_claim(c)
        for c in track(ids, description="checking claims", console=err_console, transient=True)
    ]
    table = Table("claim", "status", "measured", "target", title="mtorsim claim scorecard")
    colours = {"pass": "green", "fail": "red"}
    for r in results:
        c = colours.get(r.status, "yellow")
        table.add_row(r.claim, f"[{c}]{r.status}[/{c}]", r.measured, r.target)
    console.print(table)
    n_pass = sum(r.status == "pass" for r in results)
    n_fail = sum(r.status == "fail" for r in results)
    console.print(f"{n_pass} pass, {n_fail} fail, {len(results) - n_pass - n_fail} not implemented")
    if out:
        import pandas as pd

        from mtorsim.io import write_table

        write_table(pd.DataFrame([r.__dict__ for r in results]).drop(columns="values"), out)
    if gdsc:
        from mtorsim.genomics.validation import gdsc_validation

        with console.status("predicting GDSC1 cell lines from genotype"):
            rho, genes = gdsc_validation()
        t = Table(
            "GDSC drug",
            "mtorsim drug",
            "lines",
            "Spearman rho (pred. response vs ln IC50; < 0 = right way)",
            "p",
            title="GDSC1 validation (shipped half)",
        )
        for r in rho.itertuples():
            t.add_row(
                r.drug, r.mtorsim_drug, str(r.n_lines), f"{r.spearman_rho:+.3f}", f"{r.p_value:.2g}"
            )
        console.print(t)
        if not genes.empty:
            console.print(
                f"genotype-group effects: predicted direction agrees with observed "
                f"ln IC50 in {genes.direction_agrees.mean():.0%} of "
                f"{len(genes)} drug x gene groups (n_mut >= 5)"
            )
    if trials:
        _trial_table()
    if n_fail:
        raise typer.Exit(1)


def _trial_table() -> None:
    from mtorsim.trials.validation import trial_validation

    with console.status("simulating the published trials") as status:
        table, _ = trial_validation(progress=lambda t: status.update(f"simulating {t}"))
    t = Table(
        "trial",
        "endpoint",
        "quantity",
        "observed",
        "simulated (95 % CI)",
        "within",
        "role",
        title="simulated vs published trials (trials_calibration.csv)",
    )
    for r in table.itertuples(index=False):
        ci = f" ({r.ci_low:.2f}-{r.ci_high:.2f})" if r.ci_low == r.ci_low else ""
        ok = "[green]yes[/green]" if r.within_tolerance else "[red]no[/red]"
        t.add_row(
            r.trial, r.endpoint, r.quantity, f"{r.observed:g}", f"{r.simulated:.2f}{ci}", ok, r.role
        )
    console.print(t)
    tests = table[table.role == "test"]
    console.print(
        f"within tolerance: {int(tests.within_tolerance.sum())}/{len(tests)} tests, "
        f"{int(table[table.role == 'fitted'].within_tolerance.sum())}/"
        f"{int((table.role == 'fitted').sum())} fitted"
    )


def main() -> None:
    """Entry point: run the app, turning input errors into one-line messages."""
    try:
        _register_drug_commands()
        app()
    except MtorsimError as exc:
        err_console.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except OSError as exc:
        err_console.print(
            f"[red]error:[/red] {exc.strerror or exc}: {getattr(exc, 'filename', '') or ''}",
            highlight=False,
        )
        sys.exit(2)


if __name__ == "__main__":
    main()
