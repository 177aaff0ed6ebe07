"""Tumour layer: growth law, exact lesion growth, clones, and the ODE coupling."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from mtorsim.errors import MtorsimError
from mtorsim.pharmacology.pk import average_free_nM
from mtorsim.tumour import (
    Tumour,
    TumourParameters,
    cells_from_diameter,
    clone_signals,
    diameter_mm,
    net_growth_rate,
)
from mtorsim.tumour.lesions import grow
from mtorsim.tumour.signals import untreated_signals

EVERO = {"everolimus": average_free_nM("everolimus", 10)}


def test_untreated_rate_is_the_doubling_time() -> None:
    params = TumourParameters(doubling_time_d=50.0, cell_loss=0.7)
    r = net_growth_rate(params, untreated_signals(3))
    assert r == pytest.approx(math.log(2) / 50.0)


def test_growth_law_responds_to_each_signal() -> None:
    params = TumourParameters(er_dependence=0.5, vegf_dependence=0.5, chemo_kill_per_day=0.05)
    base = untreated_signals(1)
    r0 = net_growth_rate(params, base)[0]
    for col, value in (
        ("drive", 0.5),
        ("ER_block", 0.8),
        ("VEGFR_block", 0.8),
        ("cytotoxic_exposure", 0.5),
        ("autophagy", 0.2),
    ):
        s = base.copy()
        s[col] = value
        assert net_growth_rate(params, s)[0] < r0, col
    s = base.copy()
    s["autophagy"] = 2.0  # more autophagy protects cells
    assert net_growth_rate(params, s)[0] > r0


def test_each_route_kills_at_its_own_fraction() -> None:
    # drive, ER and blood supply blocked together; the blocked proliferation is shared
    # between the routes by the log of their factors
    kw = {"er_dependence": 0.5, "vegf_dependence": 0.5, "pathway_share": 0.8}
    s = untreated_signals(1)
    s["drive"], s["ER_block"], s["VEGFR_block"] = 0.4, 0.6, 0.7
    p = TumourParameters(**kw)
    factors = np.array([0.2 + 0.8 * 0.4, 1 - 0.5 * 0.6, 1 - 0.5 * 0.7])
    blocked = p.proliferation_per_day * (1 - factors.prod())
    logs = -np.log(factors)
    no_kill = net_growth_rate(p, s)[0]
    # equal fractions: the old single-fraction law, death = f x blocked proliferation
    same = net_growth_rate(TumourParameters(**kw, cytotoxic_fraction=0.7), s)[0]
    assert no_kill - same == pytest.approx(0.7 * blocked)
    # one route at a time kills its own log-share of the blocked proliferation
    for k, route in enumerate(
        ("cytotoxic_fraction", "er_cytotoxic_fraction", "vegf_cytotoxic_fraction")
    ):
        kills = dict.fromkeys(
            ("cytotoxic_fraction", "er_cytotoxic_fraction", "vegf_cytotoxic_fraction"), 0.0
        )
        kills[route] = 1.5
        rate = net_growth_rate(TumourParameters(**kw, **kills), s)[0]
        assert no_kill - rate == pytest.approx(1.5 * blocked * logs[k] / logs.sum()), route
    # nothing blocked (untreated; or a drive above baseline): no kill on any route
    for drive in (1.0, 1.5):
        u = untreated_signals(1)
        u["drive"] = drive
        killing = TumourParameters(**kw, cytotoxic_fraction=2.0, vegf_cytotoxic_fraction=3.0)
        assert net_growth_rate(killing, u)[0] == pytest.approx(net_growth_rate(p, u)[0])
    # unset route fractions follow the growth drive's
    assert TumourParameters(cytotoxic_fraction=0.3).vegf_cytotoxic_fraction == 0.3
    with pytest.raises(MtorsimError, match="vegf_cytotoxic_fraction"):
        TumourParameters(vegf_cytotoxic_fraction=5.0)


def test_bad_tumour_parameters_are_rejected() -> None:
    with pytest.raises(MtorsimError, match="cell_loss"):
        TumourParameters(cell_loss=1.0)
    with pytest.raises(MtorsimError, match="doubling"):
        TumourParameters(doubling_time_d=0.0)
    with pytest.raises(MtorsimError, match=">= 0"):
        TumourParameters(er_dependence=float("nan"))


def test_diameter_and_cells_invert() -> None:
    d = np.array([5.0, 10.0, 37.5])
    assert diameter_mm(cells_from_diameter(d)) == pytest.approx(d)


def test_grow_is_exact_for_piecewise_rates() -> None:
    cells0 = np.array([[[100.0, 10.0]]])  # 1 patient, 1 lesion, 2 clones
    starts = np.array([[0.0, 10.0, np.inf]])
    rates = np.array([[[0.1, -0.1], [-0.05, 0.2], [1.0, 1.0]]])
    out = grow(cells0, starts, rates, np.array([0.0, 5.0, 20.0]))[0, 0]
    assert out[0, 2] == pytest.approx(100 * math.exp(0.1 * 10 - 0.05 * 10))
    assert out[1, 1] == pytest.approx(10 * math.exp(-0.5))
    assert out[1, 2] == pytest.approx(10 * math.exp(-1.0 + 2.0))


def test_clone_signals_follow_genotype_and_drug() -> None:
    genotypes = pd.DataFrame([{}, {"TSC_level": 0.0}, {"FRB_resistance": 1000.0}])
    s = clone_signals(["everolimus"], {"everolimus": np.full(3, EVERO["everolimus"])}, genotypes)
    drive = s["drive"].to_numpy()
    assert drive[1] < drive[0] < 0.9  # TSC loss: more mTORC1-dependent
    assert drive[2] > 0.95  # FRB mutant: the rapalog cannot bind
    with pytest.raises(MtorsimError, match="unknown network parameters"):
        clone_signals(["everolimus"], EVERO, pd.DataFrame([{"nonsense": 1.0}]))


def test_rapalog_is_cytostatic_and_regrowth_follows_stopping() -> None:
    """C19 at tumour level: slowed growth on drug, untreated growth resumes at once."""
    tumour = Tumour.from_lesions([30], [{"wt": 1}], {"wt": {}}, TumourParameters())
    on = tumour.rates(["everolimus"], EVERO)[0]
    off = tumour.rates([], {})[0]
    assert 0 < on < 0.5 * off  # slowed, not killed (wild type: cytostasis)
    df = tumour.simulate([(0, ["everolimus"], EVERO), (84, [], {})], 168, every_days=28)
    total = df[df.clone == "all"].set_index("day")["cells"]
    before = math.log(total[84] / total[56]) / 28
    after = math.log(total[168] / total[140]) / 28
    assert before == pytest.approx(on) and after == pytest.approx(off)


def test_tumour_input_errors() -> None:
    with pytest.raises(MtorsimError, match="unknown clones"):
        Tumour.from_lesions([20], [{"x": 1}], {"wt": {}})
    with pytest.raises(MtorsimError, match="positive clone fraction"):
        Tumour.from_lesions([20], [{"wt": 0}], {"wt": {}})
    t = Tumour.from_lesions([20], [{"wt": 1}], {"wt": {}})
    with pytest.raises(MtorsimError, match="day 0"):
        t.simulate([(5, [], {})], 10)


def test_ode_coupling_matches_the_steady_state_shortcut() -> None:
    """Full PK + signalling + burden ODE vs the rate the trial layer uses (time-scale
    separation): after a week of daily everolimus, burden grows at the shortcut's rate
    within 10 % (daily PK swings make the two differ slightly)."""
    from mtorsim.engine.codegen import compile_network
    from mtorsim.engine.simulate import simulate
    from mtorsim.engine.steady import steady_state
    from mtorsim.network.default import default_network
    from mtorsim.pharmacology.mechanism import with_drugs
    from mtorsim.pharmacology.regimen import Regimen
    from mtorsim.pharmacology.treatment import dosing_events
    from mtorsim.tumour.ode import BURDEN, baseline_parameters, with_tumour

    params = TumourParameters(doubling_time_d=30.0)
    drugged = with_drugs(default_network(), ["everolimus"], pk=True)
    untreated = steady_state(drugged)
    net = with_tumour(drugged, params)
    compiled = compile_network(net)
    p = baseline_parameters(untreated.values.to_dict())
    initial = np.append(untreated.values[list(compiled.species[:-1])].to_numpy(), 1.0)
    days = 28
    events = dosing_events([Regimen("everolimus", 10.0)], days * 24.0)
    df = simulate(
        compiled,
        days * 24.0,
        parameters=p,
        events=events,
        initial=initial,
        t_out=[14 * 24.0, 28 * 24.0],
    )
    ode_rate = math.log(df[BURDEN].iloc[1] / df[BURDEN].iloc[0]) / 14.0
    tumour = Tumour.from_lesions([30], [{"wt": 1}], {"wt": {}}, params)
    shortcut = tumour.rates(["everolimus"], EVERO)[0]
    assert ode_rate == pytest.approx(shortcut, rel=0.10)
