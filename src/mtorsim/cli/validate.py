"""``mtorsim demo`` and ``mtorsim validate``: the main job, and the claim scorecard."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Column, Table

from mtorsim.cli.common import check_outputs, console, err_console, write_table
from mtorsim.errors import MtorsimError


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
    out: Annotated[
        Path | None, typer.Option(help="Write the scorecard (.csv/.tsv/.parquet).")
    ] = None,
    gdsc: Annotated[
        bool,
        typer.Option(
            "--gdsc",
            help="Also cross-validate genotype predictions and baselines on GDSC1 and CTRP "
            "cell lines (~7 min).",
        ),
    ] = False,
    gdsc_test: Annotated[
        Path | None,
        typer.Option(
            "--gdsc-test",
            help="Fit every GDSC model on all shipped lines and score it on the lines of "
            "another screen: a folder with gdsc1_cell_lines.csv and gdsc1_mtor_response.csv "
            "(GDSC1) and/or ctrp_mtor_response.csv (CTRP), laid out as the shared data "
            "(~5 min).",
        ),
    ] = None,
    trials: Annotated[
        bool,
        typer.Option("--trials", help="Also compare simulated trials with published outcomes."),
    ] = False,
    trials_out: Annotated[
        Path | None,
        typer.Option(
            "--trials-out",
            help="With --trials: write the trial comparison, in-sample and left out "
            "(.csv/.tsv/.parquet).",
        ),
    ] = None,
    claims: Annotated[
        bool,
        typer.Option(
            "--claims/--no-claims",
            help="Run the claim scorecard (default). --no-claims with --trials, --gdsc or "
            "--gdsc-test prints only those tables, and the exit status is 0 once they are.",
        ),
    ] = True,
    trial_patients: Annotated[
        int | None,
        typer.Option(
            "--trial-patients",
            help="With --trials: run every trial at this size instead of its published one "
            "(e.g. 4000: the model's expected outcome, without the sampling noise of a "
            "simulated trial; ~30 s at 4000).",
        ),
    ] = None,
) -> None:
    """Claim scorecard: each claim of spec/claims.md, measured value, target, status."""
    from mtorsim.evidence.claims import TITLES

    check_outputs(out, trials_out)
    if not claims and not (trials or gdsc or gdsc_test is not None):
        raise MtorsimError("--no-claims leaves nothing to do; add --trials, --gdsc or --gdsc-test")
    if not claims and (claim or out):
        raise MtorsimError("--claim and --out are the scorecard's; drop them with --no-claims")
    if trials_out is not None and not trials:
        raise MtorsimError("--trials-out writes the table of --trials; add --trials")
    if trial_patients is not None:
        if not trials:
            raise MtorsimError("--trial-patients sizes the trials of --trials; add --trials")
        from mtorsim import guard

        guard.check_count(trial_patients, "trial_patients", minimum=20, maximum=100_000)
    if gdsc_test is not None:
        from mtorsim.genomics.gdsc_cv import new_lines, screens_in

        # bad files, or no new lines: fail before any work
        checked = {s: new_lines(gdsc_test, screen=s) for s in screens_in(gdsc_test)}
    ids = [c.strip().upper() for c in claim] if claim else list(TITLES)
    for c in ids:
        if c not in TITLES:
            from mtorsim.errors import UnknownNameError

            raise UnknownNameError("claim", c, list(TITLES))
    n_fail = _scorecard(ids, out) if claims else 0
    if gdsc:
        _gdsc_table()
    if gdsc_test is not None:
        _external_table(gdsc_test, checked)
    if trials:
        _trial_table(trial_patients, trials_out)
    if n_fail:
        err_console.print(
            f"exit status 1: {n_fail} claim(s) fail in the scorecard above (the tables asked "
            "for were all printed)"
        )
        raise typer.Exit(1)


def _scorecard(ids: list[str], out: Path | None) -> int:
    """Print (and write) the scorecard of claims ``ids``; the number that fail."""
    from rich.progress import track

    from mtorsim.evidence.claims import evaluate_claim

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
    return n_fail


#: short column labels of the CV tables (the models of mtorsim.genomics.gdsc_cv.MODELS)
_SHORT = {
    "mechanistic, assumed effects": "mech",
    "mechanistic (genotype)": "mech fit",
    "mechanistic + tissue, assumed effects": "mech+T",
    "mechanistic (genotype + tissue)": "mech fit+T",
    "mechanistic (genotype + tissue), monotone link": "mech fit+T mono",
    "tissue mean": "tissue",
    "ridge flags": "ridge",
    "ridge flags + tissue": "ridge+T",
}


def _gdsc_table() -> None:
    from mtorsim.genomics.gdsc_cv import ENDPOINTS, gdsc_cross_validation

    for screen, endpoint in ENDPOINTS.items():
        with console.status(f"cross-validating {endpoint} predictors (5 folds by line)") as st:
            scores, _ = gdsc_cross_validation(
                screen=screen, progress=lambda m, st=st, e=endpoint: st.update(f"{e} CV: {m}")
            )
        _skill_tables(scores, endpoint, ("held-out folds", "training folds (fit)"))
    console.print(
        "5-fold CV by cell line (seed 0), the same folds for every model; skill = Spearman of "
        "predicted and observed; within-tissue: after removing each tissue's mean. "
        + "; ".join(f"{v} = {k}" for k, v in _SHORT.items())
    )


def _external_table(folder: Path, checked: dict) -> None:
    from mtorsim.genomics.gdsc_cv import ENDPOINTS, external_validation

    for screen, new in checked.items():
        endpoint = ENDPOINTS[screen]
        with console.status(f"{endpoint}: fitting on the shipped lines") as st:
            scores, test = external_validation(
                folder, screen=screen, new=new, progress=lambda m, st=st: st.update(m)
            )
        n_new = test["cell_line"].nunique()
        _skill_tables(scores, endpoint, (f"{n_new} new lines", "shipped lines (fit)"))
        left = test.attrs.get("overlap", [])
        console.print(
            f"Every model fitted on the {test.attrs['n_train_lines']} shipped lines, scored on "
            f"{n_new} lines of {folder} it never saw"
            + (f" ({len(left)} lines also in the shipped table left out)" if left else "")
            + f"; skill = Spearman of predicted and observed {endpoint.split(' ', 1)[1]}. "
            + "; ".join(f"{v} = {k}" for k, v in _SHORT.items())
        )


def _skill_tables(scores, endpoint: str, labels: tuple[str, str]) -> None:
    from mtorsim.genomics.gdsc_cv import MODELS, summarise_cv

    summary = summarise_cv(scores).set_index(["model", "drug"])
    models = [m for m in MODELS if m in summary.index.get_level_values("model")]
    drugs = list(dict.fromkeys(summary.index.get_level_values("drug")))
    for column, title in (
        ("test", f"skill on the {labels[0]}"),
        ("fit", f"skill on the {labels[1]}"),
        ("within_test", f"within-tissue skill, {labels[0]}"),
    ):
        t = Table(
            Column("drug", min_width=12, no_wrap=True),
            *[_SHORT.get(m, m) for m in models],
            title=f"{endpoint}: {title}",
        )
        for d in drugs:
            name = f"[bold]{d}[/bold]" if d in ("median", "rapalogs") else d
            values = [summary.loc[(m, d)][column] for m in models]
            t.add_row(name, *["-" if v != v else f"{v:+.2f}" for v in values])
        console.print(t)


def _trial_table(patients: int | None = None, out: Path | None = None) -> None:
    from mtorsim.trials.validation import hr_score, loto_validation, trial_validation

    with console.status("simulating the published trials") as status:
        fit, _ = trial_validation(
            progress=lambda t: status.update(f"in-sample: {t}"), patients=patients
        )
        loto, _ = loto_validation(
            progress=lambda t: status.update(f"held out: {t}"), patients=patients
        )
    size = f"{patients:,} patients a trial" if patients else "published sizes"
    t = Table(
        Column("trial", overflow="fold"),  # folded, never cut to "RADIAN..." in a pipe
        Column("endpoint", overflow="fold"),
        Column("quantity", overflow="fold"),
        "observed",
        "in-sample (95 % CI)",
        "within",
        "left out (95 % CI)",
        "within",
        title="simulated vs published trials (trials_calibration.csv): fitted to all, "
        f"and leave-one-trial-out ({size}, seed 0)",
    )
    for r, h in zip(fit.itertuples(index=False), loto.itertuples(index=False), strict=True):
        cells = []
        for x in (r, h):
            ci = f" ({x.ci_low:.2f}-{x.ci_high:.2f})" if x.ci_low == x.ci_low else ""
            ok = "[green]yes[/green]" if x.within_tolerance else "[red]no[/red]"
            cells += [f"{x.simulated:.2f}{ci}", ok]
        t.add_row(r.trial, r.endpoint, r.quantity, f"{r.observed:g}", *cells)
    console.print(t)
    if out is not None:
        import pandas as pd

        both = pd.concat(
            [fit.assign(fit="in-sample"), loto.assign(fit="leave-one-trial-out")],
            ignore_index=True,
        )
        write_table(both, out)
    for label, table in (("in-sample", fit), ("leave-one-trial-out", loto)):
        hr = hr_score(table)
        console.print(
            f"{label}: within tolerance {int(table.within_tolerance.sum())}/{len(table)}; "
            f"HR within +-0.3 (log) {hr['within_0.3_log']}/{hr['n']}, "
            f"direction right {hr['direction_right']}/{hr['n']}"
        )
