"""``mtorsim network show`` and ``mtorsim export-sbml``: the model as data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from mtorsim.cli.common import console, write_table
from mtorsim.errors import MtorsimError

network_app = typer.Typer(
    help="Inspect the network (species, parameters, reactions).", no_args_is_help=True
)
KINDS = ("species", "parameters", "observables", "reactions")


@network_app.command("show")
def network_show(
    what: Annotated[
        list[str] | None,
        typer.Option("--what", help="species, parameters, observables or reactions (repeatable)."),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Write the table (.csv/.tsv/.parquet).")] = None,
    sbml: Annotated[Path | None, typer.Option(help="Show this SBML model instead.")] = None,
) -> None:
    """List the network's components with units and sources."""
    import mtorsim

    kinds = list(what or KINDS)
    for kind in kinds:
        if kind not in KINDS:
            raise MtorsimError(f"--what {kind!r}; use one of {', '.join(KINDS)}")
    if out and len(kinds) > 1:
        raise MtorsimError("--out needs a single --what (species, parameters, ...)")
    model = mtorsim.load(sbml)
    for kind in kinds:
        df = model.table(kind)
        if out:
            write_table(df, out)
            continue
        table = Table(*df.columns, title=f"{kind} ({len(df)})", show_lines=False)
        for row in df.itertuples(index=False):
            table.add_row(*(f"{v:g}" if isinstance(v, float) else str(v) for v in row))
        console.print(table)


def export_sbml_cmd(
    out: Annotated[Path, typer.Argument(help="SBML file to write (.xml/.sbml).")],
    sbml: Annotated[Path | None, typer.Option(help="Re-export this SBML model instead.")] = None,
) -> None:
    """Write the model as SBML Level 3 (units, sources, inhibition hooks)."""
    import mtorsim

    if out.suffix.lower() not in (".xml", ".sbml"):
        raise MtorsimError(f"SBML file {str(out)!r} should end in .xml or .sbml")
    mtorsim.load(sbml).to_sbml(out)
    console.print(f"wrote {out}")
