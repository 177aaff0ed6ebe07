"""Named exceptions and warnings.

Every error mtorsim raises for bad input is a subclass of :class:`MtorsimError` and carries a
message that names the problem and the fix; the CLI prints it on one line and exits non-zero.
"""

from __future__ import annotations

__all__ = [
    "MtorsimError",
    "NetworkError",
    "RecordError",
    "SBMLError",
    "SolverError",
    "SteadyStateError",
    "UnknownNameError",
    "not_bool",
]


class MtorsimError(Exception):
    """Base class for all errors caused by input the user can fix."""


class RecordError(MtorsimError):
    """A record read from a user's file (a drug, a trial design) is invalid: every problem
    found is in ``problems`` and in the one-line message."""

    record = "record"

    def __init__(self, label: str, problems: list[str]) -> None:
        n = len(problems)
        head = f"{label}: {n} problem{'s' if n > 1 else ''} in the {self.record}: "
        super().__init__(head + "; ".join(problems))
        self.label, self.problems = label, problems


def not_bool(value: object) -> object:
    """A pydantic before-validator for numbers: pydantic reads ``true`` as 1, but a file
    never means a flag where a number goes."""
    if isinstance(value, bool):
        raise ValueError("must be a number, not true/false")
    return value


class NetworkError(MtorsimError):
    """The network definition is inconsistent (unknown names, negative values, bad units)."""


class UnknownNameError(MtorsimError, KeyError):
    """A species, parameter, node or condition name is not known; suggests close names."""

    def __init__(self, kind: str, name: str, known: list[str] | tuple[str, ...]) -> None:
        import difflib

        by_lower: dict[str, list[str]] = {}  # a case slip ranks like an exact hit
        for k in known:
            by_lower.setdefault(str(k).lower(), []).append(str(k))
        hits = difflib.get_close_matches(str(name).lower(), list(by_lower), n=3, cutoff=0.5)
        close = [k for c in hits for k in by_lower[c]][:3]
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        listing = ", ".join(sorted(known)[:12]) + (" …" if len(known) > 12 else "")
        msg = f"unknown {kind} {name!r}.{hint} Known {kind}s: {listing}"
        super().__init__(msg)
        self.kind, self.name = kind, name

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0])


class SBMLError(MtorsimError):
    """A file is missing, not XML, not SBML, inconsistent, or uses an unsupported construct."""


class SolverError(MtorsimError):
    """Integration failed; carries the solver status and a hint."""

    def __init__(self, message: str, status: int = -1) -> None:
        super().__init__(message)
        self.status = status


class SteadyStateError(MtorsimError):
    """No steady state was found within the iteration and time limits."""
