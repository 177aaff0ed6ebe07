"""A self-contained HTML report of a trial: design, figures (embedded SVG), tables, seeds.

It has to read on a laptop, in a screen reader and on paper: wide tables scroll inside
their own box (and shrink to fit in print), figures carry alt text, sections are
landmarks, and results the model is known to get wrong carry a caveat box beside them.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
import os
from collections.abc import Callable
from datetime import UTC, datetime

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes

from mtorsim.io import write_text
from mtorsim.report.caveats import Limitation, caveats
from mtorsim.report.trial_plots import plot_forest, plot_km, plot_spider, plot_waterfall

__all__ = ["trial_report"]

_STYLE = """
*{box-sizing:border-box}
body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;
color:#222;line-height:1.4}
h1{font-size:1.6em;margin-bottom:.2em} h2{border-bottom:1px solid #ddd}
.table-wrap{overflow-x:auto;max-width:100%;margin:1em 0}
table{border-collapse:collapse;font-size:12px}
caption{text-align:left;font-size:12px;color:#555;padding-bottom:4px}
td,th{border:1px solid #ccc;padding:3px 5px;text-align:right}
th{background:#f3f3f3;vertical-align:bottom}
td:first-child,th:first-child{text-align:left}
figure{margin:1em 0} figure img{max-width:100%;height:auto;display:block}
figcaption{font-size:12px;color:#555}
pre{background:#f7f7f7;padding:1em;font-size:12px;overflow-x:auto}
.caveat{border:2px solid #b9770e;background:#fef5e7;padding:.6em 1em;margin:1em 0}
.caveat strong{color:#7e5109}
footer{margin-top:2em;border-top:1px solid #ddd;font-size:12px;color:#555}
@media print{
body{max-width:none;margin:0;padding:0;font-size:10pt}
.table-wrap{overflow:visible}
table{font-size:7pt;max-width:100%}
td,th{padding:1px 2px}
thead{display:table-header-group}
tr,figure,.caveat{break-inside:avoid}
h2{break-after:avoid}
figure img{max-width:100%;max-height:90vh;width:auto}
pre{white-space:pre-wrap;overflow-wrap:anywhere;overflow:visible;font-size:7pt}
}
"""


def _img(draw: Callable[[Axes], object], alt: str, size: tuple[float, float] = (7, 4.5)) -> str:
    """A figure as an ``<img>`` with an SVG data URI, so ``alt`` works like for any image."""
    fig, ax = plt.subplots(figsize=size, layout="constrained")
    draw(ax)
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    data = base64.b64encode(text[text.index("<svg") :].encode()).decode()
    return f'<img src="data:image/svg+xml;base64,{data}" alt="{html.escape(alt)}">'


def _number(x: float) -> str:
    """3 significant digits; an infinite median or upper bound (never reached) reads 'NR'."""
    return "NR" if x == math.inf else f"{x:.3g}"


def _table(df: pd.DataFrame, caption: str) -> str:
    """A table in its own scrolling box; underscores in headings become spaces so they wrap."""
    shown = df.rename(columns=lambda c: str(c).replace("_", " "))
    body = shown.to_html(index=False, float_format=_number, border=0, na_rep="-")
    body = body.replace("<thead>", f"<caption>{html.escape(caption)}</caption><thead>", 1)
    label = html.escape(caption, quote=True)
    return f'<div class="table-wrap" role="region" aria-label="{label}" tabindex="0">{body}</div>'


def _caveat_boxes(items: list[Limitation]) -> list[str]:
    return [
        f'<aside class="caveat" role="note"><strong>Caveat: {html.escape(c.title)}.</strong> '
        f"{html.escape(c.text)}</aside>"
        for c in items
    ]


def _section(key: str, title: str, body: list[str]) -> list[str]:
    sid = f"sec-{key}"
    return [
        f'<section aria-labelledby="{sid}"><h2 id="{sid}">{html.escape(title)}</h2>',
        *body,
        "</section>",
    ]


def _figures(result, sub: pd.DataFrame) -> list[tuple[str, str, str, str]]:
    """(key, title, caveat place, img) for each figure, with alt text saying what it shows."""
    arms = ", ".join(result.arms)
    figs = [
        (
            "km-pfs",
            "Progression-free survival",
            "PFS",
            _img(
                lambda ax: plot_km(result, "PFS", ax=ax),
                f"Kaplan–Meier curves of progression-free survival by arm ({arms}), "
                "with 95 % confidence bands and numbers at risk below",
            ),
        ),
        (
            "km-os",
            "Overall survival",
            "OS",
            _img(
                lambda ax: plot_km(result, "OS", ax=ax),
                f"Kaplan–Meier curves of overall survival by arm ({arms}), "
                "with 95 % confidence bands and numbers at risk below",
            ),
        ),
        (
            "waterfall",
            "Waterfall: best change of target lesions",
            "waterfall",
            _img(
                lambda ax: plot_waterfall(result, ax=ax),
                "Waterfall plot: best percentage change of the target-lesion sum per patient, "
                f"sorted and coloured by arm ({arms}); lines at +20 % (progression) and "
                "-30 % (partial response)",
            ),
        ),
        (
            "spider",
            "Spider plot",
            "spider",
            _img(
                lambda ax: plot_spider(result, ax=ax),
                "Spider plot: percentage change of the target-lesion sum over weeks on "
                f"study for a random sample of patients, coloured by arm ({arms})",
            ),
        ),
    ]
    if not sub.empty and sub["HR"].notna().any():
        endpoint = sub["endpoint"].dropna().iloc[0] if "endpoint" in sub else "PFS"
        figs.append(
            (
                "forest",
                "Hazard ratio by genotype subgroup",
                "forest",
                _img(
                    lambda ax: plot_forest(sub, ax=ax),
                    f"Forest plot: {endpoint} hazard ratio with 95 % confidence interval "
                    "for each genotype subgroup, log scale, with a line at 1",
                    size=(6, 0.35 * len(sub) + 1.2),
                ),
            )
        )
    return figs


def _crossover_table(result) -> list[str]:
    """OS hazard ratio as randomised and adjusted for crossover (IPCW, RPSFT), as the
    console prints it; nothing where no one crossed over."""
    if len(result.arms) < 2 or not result.patients["crossed_over"].any():
        return []
    from mtorsim.trials.analysis import hr_text
    from mtorsim.trials.crossover import os_hazard_ratios

    o = os_hazard_ratios(result.patients, result.arms)
    table = pd.DataFrame(
        {
            "analysis": ["ITT (as randomised)", "IPCW", "RPSFT"],
            "OS HR": [
                f"{o['HR_ITT']:.2f}",
                hr_text(o["HR_IPCW"], o["HR_IPCW_ci_low"], o["HR_IPCW_ci_high"]),
                f"{o['HR_adjusted']:.2f} (psi {o['psi']:+.2f})",
            ],
        }
    )
    title = (
        f"OS {result.arms[0]} vs {result.arms[-1]}: {100 * o['control_crossed_over']:.0f} % "
        "of the control arm crossed over (RPSFT is not credible where the benefit outlasts "
        "time on drug)"
    )
    return [_table(table, title)]


def trial_report(result, path: str | os.PathLike[str], *, extra: dict | None = None) -> str:
    """Write ``result`` as one HTML file (atomically) and return the path."""
    from mtorsim import __version__

    d = result.design
    sub = result.subgroups()
    n_run = len(result.patients)
    # The design as run: a smaller --patients run must not show the published size as n.
    design_run = {**d.to_dict(), "n_patients": n_run}
    size = f"{n_run} patients simulated"
    if n_run != d.n_patients:
        size += f" (published design: {d.n_patients})"
    meta = {
        "mtorsim": __version__,
        "seed": result.seed,
        "patients": n_run,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        **(extra or {}),
    }
    design_table = pd.DataFrame(
        {
            "arm": [a.name for a in d.arms],
            "drugs": [a.label for a in d.arms],
            "allocation": list(d.allocation),
            "n simulated": [int((result.patients["arm"] == a.name).sum()) for a in d.arms],
        }
    )
    main = _section(
        "design",
        "Design",
        [
            f"<p>{html.escape(size)}; seed {result.seed}.</p>",
            _table(design_table, "Arms, drugs and allocation"),
        ],
    )
    main += _section(
        "results",
        "Results by arm",
        [
            _table(result.summary, "Per arm: medians (months, 95 % CI), rates (%), toxicity"),
            *_caveat_boxes(caveats(d, "summary")),
        ],
    )
    if not result.hazard_ratios.empty:
        main += _section(
            "hr",
            "Hazard ratios (Cox, vs the last arm)",
            [
                _table(result.hazard_ratios, "Hazard ratios with 95 % CI and p-values"),
                *_crossover_table(result),
                *_caveat_boxes(caveats(d, "OS")),
            ],
        )
    for key, title, where, img in _figures(result, sub):
        fig = f"<figure>{img}<figcaption>{html.escape(title)}</figcaption></figure>"
        main += _section(key, title, [*_caveat_boxes(caveats(d, where)), fig])
    if not sub.empty:
        main += _section("subgroups", "Subgroups", [_table(sub, "Subgroups by genotype")])
    main += _section(
        "params",
        "Design, parameters and seed",
        [
            f"<pre>{html.escape(json.dumps(design_run, indent=2, default=str), quote=False)}</pre>",
            f"<pre>{html.escape(json.dumps(meta, indent=2, default=str), quote=False)}</pre>",
        ],
    )
    parts = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(d.name)} - mtorsim virtual trial</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<header><h1>Virtual trial: {html.escape(d.name)}</h1>",
        f"<p>{html.escape(d.cancer_type)} &middot; {html.escape(d.setting)} &middot; "
        f"primary endpoint {html.escape(d.primary_endpoint)} &middot; {html.escape(size)} "
        f"&middot; reference: {html.escape(d.reference)}</p></header>",
        "<main>",
        *main,
        "</main>",
        f"<footer><p>mtorsim {html.escape(str(__version__))} &middot; seed {result.seed} "
        f"&middot; created {meta['created']} &middot; a model, not a clinical prediction"
        f"{'; see the caveats above' if caveats(d) else ''}.</p></footer>",
        "</body></html>",
    ]
    write_text(path, "\n".join(parts))
    return str(path)
