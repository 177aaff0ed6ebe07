"""What every command shares: consoles, option parsing, output checks and atomic writes.

Nothing here simulates; commands parse options, call the API and print or write.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from rich.console import Console

from mtorsim.errors import MtorsimError

console = Console()
err_console = Console(stderr=True)

FIGURE_FORMATS = (".png", ".svg", ".pdf")


def assignments(items: list[str] | None, flag: str) -> dict[str, float]:
    """``NAME=VALUE`` options (repeatable) as a dict; a name given twice is an error (the
    last value would otherwise win without a word)."""
    from mtorsim.exposure import parse_assignment

    out: dict[str, float] = {}
    for text in items or []:
        name, value = parse_assignment(text, flag)
        if name in out:
            raise MtorsimError(
                f"{flag} gives {name} twice ({out[name]:g} and {value:g}); give it once"
            )
        out[name] = value
    return out


def nonnegative(params: dict[str, float], flag: str = "--set") -> dict[str, float]:
    """mtorsim's own network has only rates, levels and constants >= 0: a negative value
    would make the integration blow up, so it is refused naming the parameter."""
    for name, value in params.items():
        if value < 0:
            raise MtorsimError(
                f"{flag} {name}={value:g}: {name} is a rate, level or constant of mtorsim's "
                "network and must be >= 0"
            )
    return params


def node_map(items: list[str] | None) -> dict[str, str]:
    """``--map NODE=MODEL_ID`` options."""
    out = {}
    for item in items or []:
        node, _, target = item.partition("=")
        if not target.strip() or not node.strip():
            raise MtorsimError(f"--map {item!r} must look like NODE=MODEL_ID (mTORC1=pmTORC1)")
        out[node.strip()] = target.strip()
    return out


def _same_file(a: Path, b: Path) -> bool:
    """One file under two names: the same resolved path, or (both existing) a hard link."""
    if a.expanduser().resolve() == b.expanduser().resolve():
        return True
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def check_outputs(*paths: Path | None, inputs: Iterable[Path | None] = ()) -> None:
    """Fail before any work if an output's suffix names no format we write, if two outputs
    are one file (the second would replace the first), or if an output is one of the
    ``inputs`` (writing it would destroy what the command reads)."""
    from mtorsim.io import table_format

    outs = [p for p in paths if p is not None]
    for p in outs:
        if p.suffix.lower() not in FIGURE_FORMATS:
            table_format(p)
    for i, p in enumerate(outs):
        twin = next((q for q in outs[:i] if _same_file(p, q)), None)
        if twin is not None:
            same = str(p) if str(p) == str(twin) else f"{twin} and {p}"
            raise MtorsimError(
                f"two outputs are the same file ({same}); give each output its own path"
            )
    for src in (x for x in inputs if x is not None):
        hit = next((p for p in outs if _same_file(p, src)), None)
        if hit is not None:
            raise MtorsimError(
                f"output {hit} is also an input file ({src}); writing it would overwrite "
                "the input: give the output another path"
            )


def check_figure(path: Path | None) -> None:
    if path is not None and path.suffix.lower() not in FIGURE_FORMATS:
        raise MtorsimError(f"figure {str(path)!r} should end in .png, .svg or .pdf")


def check_readouts(df: Any, names: list[str]) -> None:
    """Every requested read-out is a column of the result, else a one-line error."""
    missing = [r for r in names if r not in df.columns]
    if missing:
        from mtorsim.errors import UnknownNameError

        raise UnknownNameError("read-out", missing[0], [c for c in df.columns if "__" not in c])


def write_table(df: Any, out: Path | None) -> None:
    if out:
        from mtorsim.io import write_table as write

        write(df, out)
        console.print(f"wrote {out}")


def write_figure(plot: Path | None, draw: Callable[[Any], Any]) -> None:
    """``draw(ax)`` into a new figure saved atomically to ``plot``."""
    if plot:
        import matplotlib.pyplot as plt

        from mtorsim.report.plots import save_figure

        fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
        draw(ax)
        save_figure(fig, plot)
        console.print(f"wrote {plot}")


@contextlib.contextmanager
def report_warnings() -> Iterator[None]:
    """Print warnings (dose range) as one line each on stderr, then go on."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for w in caught:
        err_console.print(f"[yellow]warning:[/yellow] {w.message}", highlight=False, soft_wrap=True)


def regimens(drugs: list[str], doses: list[str] | None, schedules: list[str] | None) -> list:
    """``--drug/--dose/--schedule`` (one dose and at most one schedule per drug)."""
    from mtorsim.guard import check_dose_mg
    from mtorsim.pharmacology.catalogue import get_drug
    from mtorsim.pharmacology.regimen import Regimen, parse_dose

    for name in drugs:  # an unknown drug is named before any count mismatch
        get_drug(name)
    doses = doses or []
    schedules = schedules or []
    if not doses:
        raise MtorsimError("--dose is required: give one --dose per --drug, e.g. --dose 10mg")
    if len(doses) != len(drugs):
        raise MtorsimError(
            f"give one --dose per --drug ({len(drugs)} drug(s), {len(doses)} "
            "dose(s)), e.g. --drug everolimus --dose 10mg"
        )
    if schedules and len(schedules) != len(drugs):
        raise MtorsimError("give one --schedule per --drug, or none for the usual schedules")
    with report_warnings():
        return [
            Regimen(
                d, check_dose_mg(parse_dose(x), f"--dose {x}"), schedules[i] if schedules else None
            )
            for i, (d, x) in enumerate(zip(drugs, doses, strict=True))
        ]


#: ``--replace-drug``: a --drug-file may take over a built-in drug's name only when asked.
REPLACE_DRUG_HELP = "Let a --drug-file record replace the built-in drug of the same name."


def register_drug_files(paths: list[Path] | None, replace: bool = False) -> None:
    """``--drug-file`` (repeatable): users' drugs, usable wherever a built-in drug is; one
    that shadows a built-in drug's name is refused unless ``--replace-drug``."""
    if not paths:
        return  # the registry imports pydantic and yaml (~0.05 s): only when there are files
    from mtorsim.pharmacology.registry import library_clashes, load_drug_file, register_drug

    for path in paths or []:
        clashes = library_clashes(load_drug_file(path))
        if clashes and not replace:
            raise MtorsimError(
                f"{path}: {'; '.join(clashes)}; rename it, or add --replace-drug to use "
                "this record instead"
            )
        drug = register_drug(path, replace=True)
        err_console.print(f"note: registered drug {drug.name!r} from {path}", highlight=False)
