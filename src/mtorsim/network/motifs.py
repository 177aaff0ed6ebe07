"""Recurring reaction motifs written once (as PySB's macros).

The default network tracks each protein as the fraction in its active (usually
phosphorylated) state; the inactive pool is ``1 - X`` and so needs no species of its own.
This keeps the state small and removes conservation laws, which makes steady states
well-posed for Newton's method.
"""

from __future__ import annotations

from mtorsim.network.components import Reaction

__all__ = ["activation", "deactivation", "degradation", "synthesis"]


def activation(
    target: str,
    drive: str,
    k: str,
    *,
    description: str = "",
    source: str = "assumed",
    name: str | None = None,
) -> Reaction:
    """``inactive target -> active target`` at ``k * drive * (1 - target)``."""
    return Reaction(
        name=name or f"{target}_activation",
        rate=f"({k})*({drive})*(1 - {target})",
        products=(target,),
        description=description,
        source=source,
    )


def deactivation(
    target: str,
    k: str,
    *,
    factor: str | None = None,
    description: str = "",
    source: str = "assumed",
    name: str | None = None,
) -> Reaction:
    """``active target -> inactive target`` at ``k * target`` (times an optional factor)."""
    rate = f"({k})*{target}" if factor is None else f"({k})*({factor})*{target}"
    return Reaction(
        name=name or f"{target}_deactivation",
        rate=rate,
        reactants=(target,),
        description=description,
        source=source,
    )


def synthesis(
    target: str, drive: str, k: str, *, description: str = "", source: str = "assumed"
) -> Reaction:
    """Zero-order production of ``target`` at ``k * drive``."""
    return Reaction(
        name=f"{target}_synthesis",
        rate=f"{k}*({drive})",
        products=(target,),
        description=description,
        source=source,
    )


def degradation(target: str, k: str, *, description: str = "", source: str = "assumed") -> Reaction:
    """First-order loss of ``target``."""
    return Reaction(
        name=f"{target}_degradation",
        rate=f"{k}*{target}",
        reactants=(target,),
        description=description,
        source=source,
    )
