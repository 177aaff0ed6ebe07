"""Run the ``mtorsim`` command line in-process, as a user would from a shell."""

from __future__ import annotations

import sys

from mtorsim.cli import main


def run_cli(argv: list[str], capsys, monkeypatch) -> tuple[int, str, str]:
    """``mtorsim ARGV`` -> (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["mtorsim", *argv])
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err
