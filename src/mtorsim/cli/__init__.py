"""The ``mtorsim`` command line: one thin command per API call, one module per group.

Command modules import only typer and rich at load time (numpy, pandas and the engine load
inside the command that needs them), so ``mtorsim --help`` answers at once. Errors caused
by the input print one line (``error: ...``) and exit with code 2; no traceback.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from mtorsim.cli import drugs, genomics, network, simulate, trials, validate
from mtorsim.cli.common import err_console
from mtorsim.errors import MtorsimError

__all__ = ["app", "main"]

app = typer.Typer(
    name="mtorsim",
    help="An in-silico laboratory for mTOR-pathway drugs in cancer.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from mtorsim import __version__

        typer.echo(f"mtorsim {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """An in-silico laboratory for mTOR-pathway drugs in cancer."""


app.command("demo")(validate.demo_cmd)
app.command("simulate")(simulate.simulate_cmd)
app.command("steady-state")(simulate.steady_state_cmd)
app.command("export-sbml")(network.export_sbml_cmd)
app.add_typer(network.network_app, name="network")
app.add_typer(drugs.drugs_app, name="drugs")
app.command("pk")(drugs.pk_cmd)
app.command("dose-response")(drugs.dose_response_cmd)
app.command("predict")(genomics.predict_cmd)
app.command("cohort")(genomics.cohort_cmd)
app.command("trial")(trials.trial_cmd)
app.command("validate")(validate.validate_cmd)


def main() -> None:
    """Entry point: run the app, turning input errors into one-line messages."""
    try:
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
