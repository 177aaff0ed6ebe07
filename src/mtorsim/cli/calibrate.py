"""``mtorsim calibrate PROBLEM.yaml``: fit a PEtab problem (thin over
:class:`mtorsim.calibration.Calibrator`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from mtorsim.cli.common import console
from mtorsim.errors import MtorsimError

if TYPE_CHECKING:
    import pandas as pd


def calibrate_cmd(
    problem: Annotated[Path, typer.Argument(help="PEtab v1 problem (.yaml).")],
    out: Annotated[Path, typer.Option(help="Folder for summary, figure and fitted PEtab.")] = Path(
        "mtorsim-calibration"
    ),
    starts: Annotated[int, typer.Option(help="Number of multistarts.")] = 10,
    seed: Annotated[int, typer.Option(help="Seed of the start points.")] = 0,
    workers: Annotated[int, typer.Option(help="Processes running starts in parallel.")] = 1,
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address (tcp://HOST:8786).")
    ] = None,
    checkpoint: Annotated[
        Path | None, typer.Option(help="JSON file of finished starts; a rerun resumes.")
    ] = None,
    max_nfev: Annotated[int, typer.Option(help="Evaluations per start at most.")] = 200,
    profile: Annotated[
        list[str] | None, typer.Option(help="Profile-likelihood interval for ID (repeatable).")
    ] = None,
    profile_all: Annotated[bool, typer.Option(help="Profile every free parameter.")] = False,
    test: Annotated[
        Path | None, typer.Option(help="Held-out PEtab measurement table to score the fit on.")
    ] = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
    rtol: Annotated[float, typer.Option(help="Solver relative tolerance.")] = 1e-8,
    atol: Annotated[float, typer.Option(help="Solver absolute tolerance.")] = 1e-14,
    jacobian: Annotated[
        str,
        typer.Option(
            help="Residual Jacobian: finite-differences (batched) or sensitivities (the "
            "engine's forward sensitivities, exact)."
        ),
    ] = "finite-differences",
) -> None:
    """Fit a PEtab problem by seeded multistart least squares; write summary.csv, fit.png."""
    from mtorsim.calibration import Calibrator
    from mtorsim.calibration.petab_io import PEtabError

    if problem.suffix.lower() not in (".yaml", ".yml"):
        raise MtorsimError(f"PEtab problem {str(problem)!r} should be a .yaml file")
    if out.exists() and not out.is_dir():
        raise MtorsimError(f"output {out} is a file; give a folder with --out")
    _check_options(starts, seed, workers, scheduler, checkpoint, max_nfev, rtol, atol)
    from mtorsim.calibration.sensitivity import resolve_jacobian

    resolve_jacobian(jacobian)  # an unknown name fails before the problem is read
    cal = Calibrator(Calibrator(problem).problem.with_tolerances(rtol, atol))
    ids = cal.problem.free_ids
    for pid in profile or []:
        if pid not in ids:
            raise MtorsimError(f"--profile {pid!r}: not a free parameter{_did_you_mean(pid, ids)}")
    held_out = None
    if test is not None:
        if not test.is_file():
            raise PEtabError(f"measurement table {test}: file not found")
        table = _read_test(test)
        table.attrs["path"] = str(test)
        held_out = cal.problem.with_measurements(
            table, name=test.stem, table="held-out (--test) measurement"
        )
    client = None
    if scheduler is not None:
        from distributed import Client

        client = Client(scheduler)
    cal.fit(
        n_starts=starts,
        seed=seed,
        workers=workers,
        client=client,
        checkpoint=checkpoint,
        progress=progress,
        max_nfev=max_nfev,
        jacobian=jacobian,
        profiles=True if profile_all else (profile or False),
    )
    written = cal.save(out, test=held_out)
    _print(cal, cal.fit_vs_data(held_out))
    console.print(f"wrote {len(written)} outputs to {out}/")


def _check_options(
    starts: int,
    seed: int,
    workers: int,
    scheduler: str | None,
    checkpoint: Path | None,
    max_nfev: int,
    rtol: float,
    atol: float,
) -> None:
    """Every option checked before the problem is read, the way the other commands do."""
    import math
    import re

    from mtorsim import guard

    guard.check_count(starts, "starts", maximum=100_000)
    guard.check_seed(seed)
    guard.check_count(workers, "workers", maximum=256)
    guard.check_count(max_nfev, "max-nfev", maximum=10_000_000)
    address = r"[a-z][a-z0-9+]*://[^\s:/]+:\d{1,5}/?"
    if scheduler is not None and not re.fullmatch(address, scheduler):
        raise MtorsimError(f"--scheduler {scheduler!r}: give a Dask address like tcp://HOST:8786")
    if checkpoint is not None and checkpoint.suffix.lower() != ".json":
        raise MtorsimError(f"--checkpoint {checkpoint}: give a .json file (e.g. fit.json)")
    if checkpoint is not None and checkpoint.exists():
        from mtorsim.calibration.calibrator import read_checkpoint

        read_checkpoint(checkpoint)  # a damaged file fails before the fit starts
    for flag, tol in (("--rtol", rtol), ("--atol", atol)):
        if not (math.isfinite(tol) and 0 < tol < 1):
            raise MtorsimError(f"{flag} is {tol!r}; give a tolerance between 0 and 1, e.g. 1e-8")


def _did_you_mean(name: str, known: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, known, n=1)
    shown = ", ".join(known[:8]) + (" …" if len(known) > 8 else "")
    return (f"; did you mean {close[0]!r}?" if close else "") + f" (free: {shown})"


def _read_test(test: Path) -> pd.DataFrame:
    """The held-out table as text, or one line if it is binary / not UTF-8 / unreadable."""
    import io

    import pandas as pd

    from mtorsim.io import decode_text

    text = decode_text(f"--test {test}", test.read_bytes(), "PEtab measurement table")
    try:
        return pd.read_csv(io.StringIO(text), sep="\t", dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise MtorsimError(f"--test {test}: not a readable TSV table ({first})") from None


def _print(cal, scores) -> None:
    s = cal.summary
    t = Table("parameter", "estimate", "95 % interval", "method", title=f"{cal!r}")
    for r in s.itertuples(index=False):
        t.add_row(
            r.parameter, f"{r.estimate:.4g}", f"{r.ci_low:.3g} – {r.ci_high:.3g}", r.ci_method
        )
    console.print(t)
    f = Table("split", "observable", "n", "RMSE", "within ±1σ", "within ±2σ", title="fit vs data")
    for r in scores.itertuples(index=False):
        f.add_row(
            r.split, r.observable, str(r.n), f"{r.rmse:.3g}", f"{r.within_1sigma:.0%}",
            f"{r.within_2sigma:.0%}",
        )  # fmt: skip
    console.print(f)
