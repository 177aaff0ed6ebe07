"""Results the model is known to get wrong, so a report can flag them where they appear.

The list is data (README "Fit and test"); :func:`caveats` only picks the entries that
apply to a trial design. Add an entry here when validation finds a new systematic miss.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["KNOWN_LIMITATIONS", "Limitation", "caveats"]


@dataclass(frozen=True)
class Limitation:
    """One known miss: which result (``where``), why, and when it applies.

    ``where`` names the report part it belongs beside: ``"summary"`` (the per-arm table)
    or an endpoint (``"OS"``) whose figure carries it. ``needs_crossover`` limits it to
    designs where patients switch arm on progression.
    """

    where: str
    title: str
    text: str
    needs_crossover: bool = False


KNOWN_LIMITATIONS: tuple[Limitation, ...] = (
    Limitation(
        where="OS",
        title="Overall survival with crossover is a prediction, not a fit",
        text=(
            "Control patients who cross over take the experimental drugs until they "
            "progress on them; everyone else gets next-line care at a post-progression "
            "growth fitted to the OS of pretreated gastric and lung cancer (GRANITE-1, "
            "REGARD's and BR.21's placebo arms). No OS hazard ratio is fitted: RECORD-1's "
            "ITT OS HR comes out 0.76-0.81 against the published 0.87 (validate --trials). "
            "The crossover-adjusted HRs depend on their own assumptions; RPSFT's (a "
            "constant effect while on drug) do not hold in this model."
        ),
        needs_crossover=True,
    ),
    Limitation(
        where="summary",
        title="Objective response rates are fitted, not all matched",
        text=(
            "Tumours shrink through a cancer-type cytotoxic fraction of the proliferation "
            "each route (growth drive, oestrogen receptor, blood supply) blocks, fitted to "
            "the published response rates beside the PFS medians and hazard ratios, with "
            "the pathway share spread between tumours. In sample they are now within 5 "
            "points (BOLERO-2 8.5-12.7 % simulated vs 12.6 % reported, RECORD-1 4.4-5.3 vs "
            "1.8 %), but left out of the fit a trial's ORR is "
            "predicted worst of all its endpoints. Read ORR as the least reliable endpoint "
            "(validate --trials)."
        ),
    ),
)


def caveats(design, where: str | None = None) -> list[Limitation]:
    """The known limitations that apply to ``design`` (optionally only those for ``where``)."""
    crossover = bool(getattr(design, "crossover", None))
    return [
        lim
        for lim in KNOWN_LIMITATIONS
        if (crossover or not lim.needs_crossover) and (where is None or lim.where == where)
    ]
