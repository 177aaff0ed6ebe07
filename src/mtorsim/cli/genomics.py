"""Genotype commands: ``predict`` and ``cohort`` (thin over :mod:`mtorsim.genomics`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from mtorsim.cli.common import check_figure, check_outputs, console, err_console, write_table
from mtorsim.errors import MtorsimError

KeepFilteredOpt = Annotated[
    bool, typer.Option("--keep-filtered", help="VCF: keep records whose FILTER is not PASS.")
]


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
    drug: Annotated[
        list[str] | None,
        typer.Option(
            "--drug",
            help="Drug (repeatable, any case; default: every pathway drug; with --cell-lines "
            "a GDSC drug, default the eight of the fit).",
        ),
    ] = None,
    n: Annotated[
        int | None,
        typer.Option(
            help="Cells per sample (biological variability; default 32, with --cell-lines the "
            "fit's 8)."
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the cell population.")] = 0,
    out: Annotated[Path | None, typer.Option(help="Ranked table (.parquet/.csv).")] = None,
    explain_out: Annotated[
        Path | None, typer.Option("--explain", help="Explanations per sample (.csv/.tsv/.parquet).")
    ] = None,
    keep_filtered: KeepFilteredOpt = False,
    problems: Annotated[
        Path | None, typer.Option(help="Report of unreadable rows (file, line, problem).")
    ] = None,
    cell_lines: Annotated[
        Path | None,
        typer.Option(
            "--cell-lines",
            help="CSV of cell lines (cell_line, tissue, GDSC flags such as KRAS_mut): predict "
            "GDSC ln IC50 with the fitted cell-line model instead.",
        ),
    ] = None,
    parameter_set: Annotated[
        str | None,
        typer.Option(
            "--parameter-set", help="Fitted set of the cell-line model (default gdsc_v2)."
        ),
    ] = None,
) -> None:
    """Predicted response of each sample to each drug, from its mutations, with reasons."""
    if cell_lines is not None:
        if any(x is not None for x in (maf, vcf, variants, cna, explain_out, problems)):
            raise MtorsimError(
                "--cell-lines predicts from a table of GDSC flags; give it without "
                "--maf/--vcf/--variants/--cna/--explain/--problems"
            )
        _predict_cell_lines(cell_lines, drug, parameter_set, n, seed, out)
        return
    if parameter_set is not None:
        raise MtorsimError(
            "--parameter-set chooses the cell-line model's fit; give it with --cell-lines"
        )
    n = 32 if n is None else n
    from mtorsim.genomics.explain import explain
    from mtorsim.genomics.predict import predict_response
    from mtorsim.genomics.profile import annotate, profiles

    check_outputs(out, explain_out, problems)
    from mtorsim import guard

    guard.check_cells(n, seed)
    merged = _read_variants(maf, vcf, variants, cna, problems, keep_filtered)
    annotated = annotate(merged)
    drug_list = list(drug) if drug else None
    with console.status("predicting") as status:
        pred = predict_response(
            profiles(annotated),
            drug_list,
            n=n,
            seed=seed,
            progress=lambda d: status.update(f"predicting: {d}"),
        )
    reasons = explain(annotated, pred)
    write_table(pred, out)
    write_table(reasons, explain_out)
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


def _predict_cell_lines(path: Path, drug, parameter_set, n, seed: int, out) -> None:
    from mtorsim import guard
    from mtorsim.genomics.cell_lines import CELL_LINE_CELLS, CELL_LINE_SET, predict_ln_ic50
    from mtorsim.genomics.validation import typed_table
    from mtorsim.io import read_csv_table

    check_outputs(out)
    n = CELL_LINE_CELLS if n is None else n
    parameter_set = parameter_set or CELL_LINE_SET
    guard.check_cells(n, seed)
    lines = typed_table(read_csv_table(path, ("cell_line", "tissue"), "cell-line"), str(path))
    with console.status("predicting ln IC50 (cell-line model)"):
        pred = predict_ln_ic50(
            lines,
            list(drug) if drug else None,
            parameter_set=parameter_set,
            n_cells=n,
            seed=seed,
            where=str(path),
        )
    write_table(pred, out)
    wide = pred.pivot(index="cell_line", columns="drug", values="predicted_ln_ic50")
    table = Table("cell line", *wide.columns, title=f"predicted ln IC50 (uM), {parameter_set}")
    for name, row in wide.head(40).iterrows():
        table.add_row(str(name), *[f"{v:+.2f}" for v in row])
    console.print(table)
    if len(wide) > 40:
        console.print(f"... {len(wide) - 40} more lines (--out writes them all)")
    unseen = sorted(set(pred.loc[~pred["tissue_seen"], "tissue"]))
    if unseen:
        err_console.print(
            f"warning: tissue(s) {', '.join(unseen)} had no lines in the fit: no tissue shift"
        )


def _read_variants(maf, vcf, variants, cna, report: Path | None = None, keep_filtered=False):
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
        (vcf, lambda p: read_vcf(p, keep_filtered=keep_filtered)),
        (variants, read_variant_csv),
        (cna, read_copy_number),
    ]
    tables = [reader(path) for path, reader in sources if path is not None]
    if not tables:
        raise MtorsimError("give a mutation file: --maf, --vcf, --variants or --cna")
    for t in tables:
        if summary := t.skipped_summary():
            err_console.print(f"note: {t.path}: {summary}", highlight=False, soft_wrap=True)
        for row in t.problems.itertuples():
            err_console.print(
                f"[yellow]warning:[/yellow] {t.path}: line {row.line}: {row.problem} (row skipped)",
                highlight=False,
                soft_wrap=True,
            )
    if report is not None:
        from mtorsim.io import write_table as write

        rep = pd.concat([t.problems.assign(file=t.path) for t in tables], ignore_index=True)
        write(rep[["file", "line", "problem"]], report)
    merged = pd.concat([t.variants for t in tables], ignore_index=True)
    if merged.empty:
        raise MtorsimError(_none_readable(tables))
    return merged


def _none_readable(tables) -> str:
    """The one ``error:`` line when no variant is left: it stands alone (the warnings above
    it list each row), so it counts what was unreadable or left out and quotes the first."""
    bad = [(t.path, r.line, r.problem) for t in tables for r in t.problems.itertuples()]
    left = sum(len(t.skipped) for t in tables)
    parts = []
    if bad:
        path, line, problem = bad[0]
        shown = problem if len(problem) <= 120 else problem[:117] + "..."
        parts.append(f"{len(bad)} unreadable row(s), the first {path}: line {line}: {shown}")
    if left:
        parts.append(f"{left} record(s) left out (silent, non-coding, filtered or unannotated)")
    detail = "; ".join(parts) if parts else "the file(s) list no variants"
    return f"no readable variants in the given file(s): {detail}"


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
    keep_filtered: KeepFilteredOpt = False,
) -> None:
    """Fraction of samples predicted sensitive to a drug, by cancer type and gene."""

    from mtorsim.genomics.cohort import cohort_summary
    from mtorsim.genomics.predict import predict_response
    from mtorsim.genomics.profile import annotate, profiles
    from mtorsim.pharmacology.catalogue import get_drug

    check_outputs(out)
    check_figure(plot)
    from mtorsim import guard

    guard.check_cells(n, seed)
    name = get_drug(drug).name
    annotated = annotate(_read_variants(maf, vcf, variants, cna, keep_filtered=keep_filtered))
    mapping = None
    prof = profiles(annotated)
    if types is not None:
        from mtorsim.io import read_csv_table

        tdf = read_csv_table(types, ("sample", "cancer_type"), "sample types")
        mapping = _sample_types(types, tdf)
        _warn_untyped(types, list(prof), mapping)
    with console.status(f"predicting {name}"):
        pred = predict_response(prof, [name], n=n, seed=seed)
    by_type, by_gene = cohort_summary(annotated, pred, name, mapping)
    write_table(by_gene, out)
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


def _sample_types(path: Path, tdf) -> dict[str, str]:
    """sample -> cancer type; a sample given two different types is an error (a dict would
    keep the last one silently), naming both lines."""
    mapping: dict[str, str] = {}
    first: dict[str, int] = {}
    for line, (sample, kind) in enumerate(zip(tdf["sample"], tdf["cancer_type"], strict=True), 2):
        sample, kind = sample.strip(), kind.strip()
        if not sample:
            raise MtorsimError(f"{path}: line {line}: no sample name")
        if sample in mapping and mapping[sample] != kind:
            raise MtorsimError(
                f"{path}: line {line}: sample {sample!r} is {kind!r} here but "
                f"{mapping[sample]!r} on line {first[sample]}; give one cancer type per sample"
            )
        mapping.setdefault(sample, kind)
        first.setdefault(sample, line)
    return mapping


def _warn_untyped(path: Path, samples: list[str], mapping: dict[str, str]) -> None:
    """One warning line when the types file leaves samples out: they are grouped as
    ``unknown`` (not silently as the whole cohort)."""
    from mtorsim.genomics.cohort import UNTYPED, untyped_samples

    missing = untyped_samples(samples, mapping)
    if not missing:
        return
    shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
    err_console.print(
        f"[yellow]warning:[/yellow] {path}: no cancer type for {len(missing)} of "
        f"{len(samples)} samples ({shown}); grouped as {UNTYPED!r}: add a sample,cancer_type "
        "row for each (names as in the mutation file)",
        highlight=False,
        soft_wrap=True,
    )
