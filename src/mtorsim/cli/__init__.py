"""The ``mtorsim`` command line: one thin command per API call, one module per group.

Command modules import only typer and rich at load time (numpy, pandas and the engine load
inside the command that needs them), so ``mtorsim --help`` answers at once. Errors caused
by the input print one line (``error: ...``) and exit with code 2; no traceback.
"""

from __future__ import annotations

import contextlib
import re
import signal
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer import _click as click  # typer 0.29 vendors click; its exceptions are these

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


#: Signals received in this run, so one that was swallowed still ends it.
_PENDING: list[int] = []


def _interrupt(signum: int, frame: object) -> None:
    _PENDING.append(signum)
    raise _Interrupted(signum)


def _unraisable(args: Any) -> None:
    """A signal that arrived inside a ctypes callback (numba/llvmlite compiling) raised
    there and was dropped by ctypes ("Exception ignored on calling ctypes callback"):
    send it again shortly, so it raises at the next safe point in plain Python."""
    if isinstance(args.exc_value, _Interrupted):
        import os
        import threading

        resend = threading.Timer(0.05, os.kill, (os.getpid(), args.exc_value.signum))
        resend.daemon = True
        resend.start()
        return
    sys.__unraisablehook__(args)


def _set_handlers(handler: Any) -> dict[int, Any]:
    """Install ``handler`` for SIGINT and SIGTERM; the previous ones (none off the main
    thread, where signals cannot be handled)."""
    previous = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(ValueError, OSError):  # not the main thread
            previous[sig] = signal.signal(sig, handler)
    return previous


def _usage(exc: click.exceptions.ClickException) -> str:
    """click's message on one line, with where to look (one ``error:`` line, as for the
    errors mtorsim raises itself)."""
    text = " ".join(exc.format_message().split())
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        where = ctx.command_path
    else:  # the option parser raises without a context: the command words from argv
        words = [a for a in sys.argv[1:3] if not a.startswith("-")][:2]
        known = app.registered_groups
        group = bool(words) and any(g.name == words[0] for g in known)
        where = " ".join(["mtorsim", *words[: 2 if group else 1]])
    return f"{text} (see '{where} --help')"


#: The library's messages name API arguments; on the command line the flags are meant.
_API_TO_FLAG = (
    (re.compile(r"(?<![-\w])(until|hours|days|points|patients)="), r"--\1 "),
    (re.compile(r"\bnode_map=\{([^{}]*)\}"), lambda m: _map_flags(m.group(1))),
    (re.compile(r"\bnode_map\b"), "--map"),
    (re.compile(r"\breplace=True\b"), "--replace-drug"),
)


def _map_flags(pairs: str) -> str:
    """``'mTORC1': 'pmTORC1', 'mTORC2': 'X'`` -> ``--map mTORC1=pmTORC1 --map mTORC2=X``."""
    found = re.findall(r"'([^']*)'\s*:\s*'([^']*)'", pairs)
    return " ".join(f"--map {k}={v}" for k, v in found) or "--map NODE=SPECIES"


def _flag_names(text: str) -> str:
    """``give until= in ...`` -> ``give --until in ...`` (only argument-like spellings)."""
    for pattern, repl in _API_TO_FLAG:
        text = pattern.sub(repl, text)
    return re.sub(r"(--\w[\w-]*) ([\s.,;)])", r"\1\2", text)


def _leave(code: int) -> None:
    """Exit an interrupted run. As the ``mtorsim`` command, without interpreter shutdown
    (its temporaries are already removed): a signal that lands while numba/LLVM work in
    another thread could crash the finalisation (one SIGTERM in ~50 ended in SIGSEGV, exit
    -11 instead of 143). In-process callers (tests, ``main()`` from Python) get SystemExit."""
    main_file = Path(getattr(sys.modules.get("__main__"), "__file__", None) or "")
    command = main_file.name == "mtorsim" or (
        main_file.name == "__main__.py" and main_file.parent.name == "mtorsim"
    )
    if command:
        import os

        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)
    sys.exit(code)


def _is_file(arg: str) -> bool:
    try:
        return Path(arg).is_file()
    except (OSError, ValueError):  # a name too long, a NUL byte
        return False


def main() -> None:
    """Entry point: run the app, turning input errors into one-line messages; SIGINT and
    SIGTERM remove this run's temporary files and exit 130 / 143."""
    _PENDING.clear()
    previous = _set_handlers(_interrupt)
    hook, sys.unraisablehook = sys.unraisablehook, _unraisable
    try:
        code = app(prog_name="mtorsim", standalone_mode=False)  # usage errors raise here
        if _PENDING:  # a signal was swallowed on the way (e.g. inside a C callback)
            raise _Interrupted(_PENDING[0])
        if isinstance(code, int) and code:
            sys.exit(code)  # typer.Exit(code) in non-standalone mode returns the code
    except click.exceptions.NoArgsIsHelpError as exc:
        typer.echo(exc.ctx.get_help())  # ``mtorsim`` / ``mtorsim drugs`` alone: the help
        sys.exit(2)
    except click.exceptions.ClickException as exc:
        err_console.print(f"[red]error:[/red] {_usage(exc)}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except typer.Abort:
        err_console.print("[red]error:[/red] aborted", highlight=False)
        sys.exit(1)
    except _Interrupted as exc:
        _set_handlers(signal.SIG_IGN)  # a second signal does not cut the clean-up short
        io = sys.modules.get("mtorsim.io")
        if io is not None:
            io.remove_active()
        name = signal.Signals(exc.signum).name
        err_console.print(f"interrupted ({name}); partial outputs removed", highlight=False)
        _leave(128 + exc.signum)
    except MtorsimError as exc:
        text = _flag_names(str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc))
        err_console.print(f"[red]error:[/red] {text}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except RecursionError:  # a reader recursing through a file's nesting (deep MathML)
        inputs = [a for a in sys.argv[1:] if _is_file(a)]
        where = f"{inputs[-1]}: " if len(inputs) == 1 else ""
        err_console.print(
            f"[red]error:[/red] {where}nested too deeply to read (over "
            f"{sys.getrecursionlimit():,} levels, e.g. MathML or JSON); flatten the expression",
            highlight=False,
            soft_wrap=True,
        )
        sys.exit(2)
    except OSError as exc:
        err_console.print(
            f"[red]error:[/red] {exc.strerror or exc}: {getattr(exc, 'filename', '') or ''}",
            highlight=False,
        )
        sys.exit(2)
    finally:
        sys.unraisablehook = hook
        for sig, handler in previous.items():
            signal.signal(sig, handler)
