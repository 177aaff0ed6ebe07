"""The ``mtorsim`` command line: one thin command per API call, one module per group.

Command modules import only typer and rich at load time (numpy, pandas and the engine load
inside the command that needs them), so ``mtorsim --help`` answers at once. Errors caused
by the input print one line (``error: ...``) and exit with code 2; no traceback.
"""

from __future__ import annotations

import contextlib
import signal
import sys
from typing import Annotated, Any

import typer

from mtorsim.cli import calibrate, drugs, genomics, network, simulate, trials, validate
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
app.command("calibrate")(calibrate.calibrate_cmd)


class _Interrupted(BaseException):
    """SIGINT/SIGTERM as an exception, so ``finally`` blocks (atomic outputs) remove their
    temporaries; not a KeyboardInterrupt, which click would turn into exit code 1."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _interrupt(signum: int, frame: object) -> None:
    raise _Interrupted(signum)


def _set_handlers(handler: Any) -> dict[int, Any]:
    """Install ``handler`` for SIGINT and SIGTERM; the previous ones (none off the main
    thread, where signals cannot be handled)."""
    previous = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(ValueError, OSError):  # not the main thread
            previous[sig] = signal.signal(sig, handler)
    return previous


def main() -> None:
    """Entry point: run the app, turning input errors into one-line messages; SIGINT and
    SIGTERM remove this run's temporary files and exit 130 / 143."""
    previous = _set_handlers(_interrupt)
    try:
        app()
    except _Interrupted as exc:
        _set_handlers(signal.SIG_IGN)  # a second signal does not cut the clean-up short
        io = sys.modules.get("mtorsim.io")
        if io is not None:
            io.remove_active()
        name = signal.Signals(exc.signum).name
        err_console.print(f"interrupted ({name}); partial outputs removed", highlight=False)
        sys.exit(128 + exc.signum)
    except MtorsimError as exc:
        err_console.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except OSError as exc:
        err_console.print(
            f"[red]error:[/red] {exc.strerror or exc}: {getattr(exc, 'filename', '') or ''}",
            highlight=False,
        )
        sys.exit(2)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
