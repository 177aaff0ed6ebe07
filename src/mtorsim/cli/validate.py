"""``mtorsim demo`` and ``mtorsim validate``: the main job, and the claim scorecard."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from mtorsim.cli.common import check_outputs, console, err_console, write_table


def demo_cmd(
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("mtorsim-demo"),
) -> None:
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


def validate_cmd(
    claim: Annotated[
        list[str] | None,
        typer.Option("--claim", help="Claim id, e.g. C8 (repeatable; default: all)."),
    ] = None,
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
    ids = [c.strip().upper() for c in claim] if claim else list(TITLES)
    for c in ids:
        if c not in TITLES:
            from mtorsim.errors import UnknownNameError

            raise UnknownNameError("claim", c, list(TITLES))
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
    from mtorsim.trials.validation import hr_score, loto_validation, trial_validation

    with console.status("simulating the published trials") as status:
        fit, _ = trial_validation(progress=lambda t: status.update(f"in-sample: {t}"))
        loto, _ = loto_validation(progress=lambda t: status.update(f"held out: {t}"))
    t = Table(
        "trial",
        "endpoint",
        "quantity",
        "observed",
        "in-sample (95 % CI)",
        "within",
        "left out (95 % CI)",
        "within",
        title="simulated vs published trials (trials_calibration.csv): fitted to all, "
        "and leave-one-trial-out",
    )
    for r, h in zip(fit.itertuples(index=False), loto.itertuples(index=False), strict=True):
        cells = []
        for x in (r, h):
            ci = f" ({x.ci_low:.2f}-{x.ci_high:.2f})" if x.ci_low == x.ci_low else ""
            ok = "[green]yes[/green]" if x.within_tolerance else "[red]no[/red]"
            cells += [f"{x.simulated:.2f}{ci}", ok]
        t.add_row(r.trial, r.endpoint, r.quantity, f"{r.observed:g}", *cells)
    console.print(t)
    for label, table in (("in-sample", fit), ("leave-one-trial-out", loto)):
        hr = hr_score(table)
        console.print(
            f"{label}: within tolerance {int(table.within_tolerance.sum())}/{len(table)}; "
            f"HR within +-0.3 (log) {hr['within_0.3_log']}/{hr['n']}, "
            f"direction right {hr['direction_right']}/{hr['n']}"
        )
