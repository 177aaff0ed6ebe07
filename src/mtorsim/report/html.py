"""A self-contained HTML report of a trial: design, figures (inline SVG), tables, seeds."""

from __future__ import annotations

import html
import io
import json
import os
from datetime import UTC, datetime

import matplotlib.pyplot as plt
import pandas as pd

from mtorsim.io import write_text
from mtorsim.report.trial_plots import plot_forest, plot_km, plot_spider, plot_waterfall

__all__ = ["trial_report"]

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;color:#222}
table{border-collapse:collapse;font-size:13px;margin:1em 0}
td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}
th{background:#f3f3f3} h1{font-size:1.6em} h2{border-bottom:1px solid #ddd}
pre{background:#f7f7f7;padding:1em;font-size:12px;overflow-x:auto}
.fig{margin:1em 0}
"""


def _svg(draw, size=(7, 4.5)) -> str:
    fig, ax = plt.subplots(figsize=size, layout="constrained")
    draw(ax)
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg") :]


def _table(df: pd.DataFrame) -> str:
    return df.to_html(index=False, float_format=lambda x: f"{x:.3g}", border=0, na_rep="-")


def trial_report(result, path: str | os.PathLike[str], *, extra: dict | None = None) -> str:
    """Write ``result`` as one HTML file (atomically) and return the path."""
    d = result.design
    sub = result.subgroups()
    figures = [
        ("Progression-free survival", _svg(lambda ax: plot_km(result, "PFS", ax=ax))),
        ("Overall survival", _svg(lambda ax: plot_km(result, "OS", ax=ax))),
        (
            "Waterfall: best change of target lesions",
            _svg(lambda ax: plot_waterfall(result, ax=ax)),
        ),
        ("Spider plot", _svg(lambda ax: plot_spider(result, ax=ax))),
    ]
    if not sub.empty and sub["HR"].notna().any():
        figures.append(
            (
                "Hazard ratio by genotype subgroup",
                _svg(lambda ax: plot_forest(sub, ax=ax), size=(6, 0.35 * len(sub) + 1.2)),
            )
        )
    from mtorsim import __version__

    meta = {
        "mtorsim": __version__,
        "seed": result.seed,
        "patients": len(result.patients),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        **(extra or {}),
    }
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(d.name)} - mtorsim virtual trial</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>Virtual trial: {html.escape(d.name)}</h1>",
        f"<p>{html.escape(d.cancer_type)} &middot; {html.escape(d.setting)} &middot; "
        f"primary endpoint {html.escape(d.primary_endpoint)} &middot; reference: "
        f"{html.escape(d.reference)}</p>",
        "<h2>Design</h2>",
        _table(
            pd.DataFrame(
                {
                    "arm": [a.name for a in d.arms],
                    "drugs": [a.label for a in d.arms],
                    "allocation": list(d.allocation),
                }
            )
        ),
        "<h2>Results by arm</h2>",
        _table(result.summary),
    ]
    if not result.hazard_ratios.empty:
        parts += ["<h2>Hazard ratios (Cox, vs the last arm)</h2>", _table(result.hazard_ratios)]
    for title, svg in figures:
        parts += [f"<h2>{html.escape(title)}</h2><div class='fig'>{svg}</div>"]
    if not sub.empty:
        parts += ["<h2>Subgroups</h2>", _table(sub)]
    parts += [
        "<h2>Design, parameters and seed</h2>",
        f"<pre>{html.escape(json.dumps(d.to_dict(), indent=2, default=str), quote=False)}</pre>",
        f"<pre>{html.escape(json.dumps(meta, indent=2, default=str), quote=False)}</pre>",
        "</body></html>",
    ]
    write_text(path, "\n".join(parts))
    return str(path)
