"""Genotype commands: ``predict`` and ``cohort`` (thin over :mod:`mtorsim.genomics`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NamedTuple

import typer
from rich.table import Table

from mtorsim.cli.common import (
    check_figure,
    check_outputs,
    console,
    err_console,
    report_warnings,
    write_table,
)
from mtorsim.errors import MtorsimError

if TYPE_CHECKING:  # pandas loads only when a command runs (``--help`` stays fast)
    import pandas as pd

KeepFilteredOpt = Annotated[
    bool, typer.Option("--keep-filtered", help="VCF: keep records whose FILTER is not PASS.")
]
SampleOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--sample",
        help="Only this sample (repeatable): a VCF column (the matched normal too) or a "
        "MAF/CSV/copy-number sample. Default: every sample but a VCF's matched normal.",
    ),
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
            "--parameter-set",
            help="Fitted set of the cell-line model (default gdsc_v2: fitted effect sizes; "
            "gdsc_v2_prior: the assumed sizes with fitted links).",
        ),
    ] = None,
    sample: SampleOpt = None,
) -> None:
    """Predicted response of each sample to each drug, from its mutations, with reasons."""
    if cell_lines is not None:
        given = (maf, vcf, variants, cna, explain_out, problems, sample)
        if any(x is not None for x in given):
            raise MtorsimError(
                "--cell-lines predicts from a table of GDSC flags; give it without "
                "--maf/--vcf/--variants/--cna/--explain/--problems/--sample"
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

    check_outputs(out, explain_out, problems, inputs=(maf, vcf, variants, cna))
    from mtorsim import guard

    guard.check_cells(n, seed)
    drug_list = _drug_names(drug)  # an unknown drug fails before any file is read
    read = _read_variants(maf, vcf, variants, cna, keep_filtered, sample)
    annotated = annotate(read.variants)
    with console.status("predicting") as status:
        pred = predict_response(
            profiles(annotated, read.samples),
            drug_list,
            n=n,
            seed=seed,
            progress=lambda d: status.update(f"predicting: {d}"),
        )
    reasons = explain(annotated, pred)
    write_table(pred, out)
    write_table(reasons, explain_out)
    write_table(read.report, problems)  # only now: a failed run leaves no report behind
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
    from mtorsim.genomics.cell_lines import (
        CELL_LINE_CELLS,
        CELL_LINE_SET,
        gdsc_drug_name,
        predict_ln_ic50,
    )
    from mtorsim.genomics.validation import typed_table
    from mtorsim.io import read_csv_table

    check_outputs(out, inputs=(path,))
    n = CELL_LINE_CELLS if n is None else n
    parameter_set = parameter_set or CELL_LINE_SET
    guard.check_cells(n, seed)
    chosen = list(dict.fromkeys(gdsc_drug_name(d) for d in drug)) if drug else None
    lines = typed_table(read_csv_table(path, ("cell_line", "tissue"), "cell-line"), str(path))
    with console.status("predicting ln IC50 (cell-line model)"), report_warnings():
        pred = predict_ln_ic50(
            lines, chosen, parameter_set=parameter_set, n_cells=n, seed=seed, where=str(path)
        )
    write_table(pred, out)
    wide = pred.pivot(index="cell_line", columns="drug", values="predicted_ln_ic50")
    low = pred.pivot(index="cell_line", columns="drug", values="ln_ic50_fit_p05")
    high = pred.pivot(index="cell_line", columns="drug", values="ln_ic50_fit_p95")
    banded = bool(low.notna().to_numpy().any())
    title = f"predicted ln IC50 (uM), {parameter_set}" + (" (fit's 5-95 % range)" if banded else "")
    table = Table("cell line", *wide.columns, title=title)
    for name, row in wide.head(40).iterrows():
        cells = [
            f"{v:+.2f} ({low.at[name, d]:+.2f} to {high.at[name, d]:+.2f})"
            if banded
            else f"{v:+.2f}"
            for d, v in row.items()
        ]
        table.add_row(str(name), *cells)
    console.print(table)
    if len(wide) > 40:
        console.print(f"... {len(wide) - 40} more lines (--out writes them all)")
    unseen = sorted(set(pred.loc[~pred["tissue_seen"], "tissue"]))
    if unseen:
        err_console.print(
            f"warning: tissue(s) {', '.join(unseen)} had no lines in the fit: no tissue shift"
        )


def _drug_names(drugs: list[str] | None) -> list[str] | None:
    """The library's names of ``--drug`` (each checked, an unknown one named with close
    names), once each in the order given."""
    if not drugs:
        return None
    from mtorsim.pharmacology.catalogue import get_drug

    return list(dict.fromkeys(get_drug(d).name for d in drugs))


class _Read(NamedTuple):
    """Variants of every file, every sample to predict, the unreadable-row report, and
    the samples named only on unreadable rows (neither predicted nor wild type)."""

    variants: pd.DataFrame
    samples: list[str]
    report: pd.DataFrame
    unread: tuple[str, ...] = ()


def _read_variants(maf, vcf, variants, cna, keep_filtered=False, sample=None) -> _Read:
    """Read every given mutation file (only ``sample`` where given); print unreadable rows
    as warnings; merge. Every sample a file names is kept, with or without a variant."""
    import pandas as pd

    from mtorsim.genomics.readers import (
        read_copy_number,
        read_maf,
        read_variant_csv,
        read_vcf,
        vcf_samples,
    )

    wanted = list(dict.fromkeys(s.strip() for s in sample)) if sample else None

    def from_vcf(path: Path):
        if wanted is None:
            return read_vcf(path, keep_filtered=keep_filtered)
        here = [s for s in wanted if s in vcf_samples(path)]  # the others are other files'
        return read_vcf(path, samples=here, keep_filtered=keep_filtered) if here else None

    sources = [
        (maf, lambda p: read_maf(p, samples=wanted)),
        (vcf, from_vcf),
        (variants, lambda p: read_variant_csv(p, samples=wanted)),
        (cna, lambda p: read_copy_number(p, samples=wanted)),
    ]
    if all(path is None for path, _ in sources):
        raise MtorsimError("give a mutation file: --maf, --vcf, --variants or --cna")
    with report_warnings():  # a genome build the readers do not recognise
        tables = [t for path, reader in sources if path is not None and (t := reader(path))]
    for t in tables:
        if summary := t.skipped_summary():
            err_console.print(f"note: {t.path}: {summary}", highlight=False, soft_wrap=True)
        for row in t.problems.itertuples():
            err_console.print(
                f"[yellow]warning:[/yellow] {t.path}: line {row.line}: {row.problem} "
                f"({row.action})",
                highlight=False,
                soft_wrap=True,
            )
    names = list(dict.fromkeys(s for t in tables for s in t.all_samples()))
    missing = [s for s in wanted or () if s not in names]
    if missing:
        known = list(dict.fromkeys([*names, *(vcf_samples(vcf) if vcf else [])]))
        listed = f"; the files name {_listed(known)}" if known else ""
        raise MtorsimError(
            f"--sample {missing[0]}: no readable row of that sample in the given file(s) "
            f"(names are matched exactly){listed}"
        )
    if not names:
        raise MtorsimError(_none_readable(tables))
    merged = pd.concat([t.variants for t in tables], ignore_index=True)
    report = pd.concat([t.problems.assign(file=t.path) for t in tables], ignore_index=True)
    unread = [u for t in tables for u in t.unread if u not in names]
    return _Read(merged, names, report[["file", "line", "problem", "action"]], tuple(unread))


def _listed(names: list[str], most: int = 8) -> str:
    more = f" and {len(names) - most} more" if len(names) > most else ""
    return ", ".join(names[:most]) + more


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
        parts.append(
            f"{left} record(s) left out (silent, non-coding, filtered, unannotated or not carried)"
        )
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
    out: Annotated[Path | None, typer.Option(help="Per-gene table (.csv/.tsv/.parquet).")] = None,
    plot: Annotated[Path | None, typer.Option(help="Oncoprint figure (.png/.svg/.pdf).")] = None,
    keep_filtered: KeepFilteredOpt = False,
    sample: SampleOpt = None,
) -> None:
    """Fraction of samples predicted sensitive to a drug, by cancer type and gene.

    Every sample of the mutation files counts, a sample with no kept variant as wild type,
    and so does every sample of --types that the files do not list (a MAF lists only
    samples with mutations)."""

    from mtorsim.genomics.cohort import cohort_summary
    from mtorsim.genomics.predict import predict_response
    from mtorsim.genomics.profile import annotate, profiles
    from mtorsim.pharmacology.catalogue import get_drug

    check_figure(plot)
    check_outputs(out, plot, inputs=(maf, vcf, variants, cna, types))
    from mtorsim import guard

    guard.check_cells(n, seed)
    name = get_drug(drug).name
    read = _read_variants(maf, vcf, variants, cna, keep_filtered, sample)
    annotated = annotate(read.variants)
    mapping, samples = None, read.samples
    if types is not None:
        from mtorsim.io import read_csv_table

        tdf = read_csv_table(types, ("sample", "cancer_type"), "sample types")
        mapping = _sample_types(types, tdf)
        _warn_untyped(types, samples, mapping)
        samples = samples + _types_only(types, samples + list(read.unread), mapping, sample)
        if unread := [u for u in read.unread if u in mapping]:
            err_console.print(
                f"[yellow]warning:[/yellow] {len(unread)} sample(s) of {types} have only "
                f"unreadable rows ({_listed(unread, 5)}): left out, not counted as wild "
                "type (see the warnings above)",
                highlight=False,
                soft_wrap=True,
            )
    prof = profiles(annotated, samples)
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
    shown = _listed(missing, 5)
    err_console.print(
        f"[yellow]warning:[/yellow] {path}: no cancer type for {len(missing)} of "
        f"{len(samples)} samples ({shown}); grouped as {UNTYPED!r}: add a sample,cancer_type "
        "row for each (names as in the mutation file)",
        highlight=False,
        soft_wrap=True,
    )


def _types_only(
    path: Path, samples: list[str], mapping: dict[str, str], wanted: list[str] | None
) -> list[str]:
    """Samples --types lists but no mutation file does: wild type (a MAF lists only
    mutated samples), counted, and named in a note so a spelling mismatch shows."""
    extra = [s for s in mapping if s not in samples and (not wanted or s in wanted)]
    if extra:
        err_console.print(
            f"note: {path}: {len(extra)} sample(s) with no row in the mutation file(s) "
            f"({_listed(extra, 5)}) are counted as wild type; check the names match if "
            "they should have variants",
            highlight=False,
            soft_wrap=True,
        )
    return extra
