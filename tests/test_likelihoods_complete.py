"""The likelihoods of the complete set: each CL boundary sits at its published value, ln L is monotone in the
signal beyond the measured shift, the options (bound, tuning, alpha) act, and bad options are refused."""

import dataclasses
import itertools
import math

import jax
import numpy as np
import pytest
from scipy import stats

import likelihoods as L
from jaxtmm import load_preset
from likelihoods.registry import Options, build, constraint_set

P = load_preset("paper")
NEW = (
    "Neutrino mass",
    "Z invisible width",
    "Oblique T",
    "Perturbative widths",
    "LEP heavy lepton",
    "(g-2)_mu",
    "(g-2)_e",
)


def test_sets_paper_and_complete():
    assert constraint_set("paper") == ("MEG II", "NA64", "BaBar", "Borexino")
    assert constraint_set("complete") == (
        "MEG II",
        "NA64",
        "BaBar",
        "Borexino",
        "GEMMA",
        "TEXONO",
        "TEXONO CsI rate",
        "Borexino 7Be rate",
        "A' searches",
    ) + NEW[:5] + ("LHC heavy lepton", "(g-2)_mu", "BBN", "Relic abundance", "SN1987A", "(g-2)_e")


def test_gaussian_threshold_against_scipy():
    g = L.Gaussian(0.95)
    assert g.z == pytest.approx(stats.norm.ppf(0.975), rel=1e-14)
    assert g.threshold == pytest.approx(stats.chi2.ppf(0.95, 1), rel=1e-12)


# published value -> (the value the model quantity takes at the CL boundary, likelihood)
def _boundaries():
    z95, h95 = stats.norm.ppf(0.975), stats.norm.ppf(0.95)
    ae = L.g2_electron.shift("combined")
    against_sm = lambda d, s: d + math.sqrt(d * d + (z95 * s) ** 2)
    return {
        "Neutrino mass": 0.12,  # eV, Planck 2018
        "Z invisible width": 2.9963 - 3.0 + z95 * 0.0074,
        "Oblique T": 0.01 + z95 * 0.12,
        "LEP heavy lepton": 1 / 100.8,
        "Perturbative widths": 0.5,
        "(g-2)_mu": against_sm(38e-11, 63e-11),
        "(g-2)_e": against_sm(*ae),
    }, h95


@pytest.mark.parametrize("name", NEW)
def test_boundary_at_the_published_value_and_monotone(name):
    edges, _ = _boundaries()
    lk = build([name])[0]
    edge = edges[name]
    at = dataclasses.replace(lk, value=lambda p: edge)
    assert float(lk.limit(P)) == pytest.approx(edge, rel=1e-12)
    assert abs(float(at.test_statistic(P)) - lk.threshold) <= 1e-10 * lk.threshold
    # ln L falls monotonically as the signal grows past the measured shift
    start = getattr(lk, "shift", 0.0)
    vals = np.linspace(start, 3 * edge - 2 * start, 41)
    ll = [float(dataclasses.replace(lk, value=lambda p, v=v: v).log_likelihood(P)) for v in vals]
    assert all(b < a for a, b in itertools.pairwise(ll))


def test_neutrino_mass_bounds_and_tuning():
    assert float(L.neutrino_mass.likelihood("desi2025").limit(P)) == pytest.approx(0.0642, rel=1e-14)
    lk1, lk10 = L.neutrino_mass.likelihood(), L.neutrino_mass.likelihood(tuning=10.0)
    assert float(lk1.signal_ratio(P)) == pytest.approx(10 * float(lk10.signal_ratio(P)), rel=1e-12)
    for bad in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="tuning factor"):
            L.neutrino_mass.likelihood(tuning=bad)
    with pytest.raises(ValueError, match="neutrino-mass bound"):
        L.neutrino_mass.likelihood("katrin")


def test_g2_electron_shifts_follow_from_the_alpha_values():
    """Independent: the SM a_e through three loops in mpmath at each alpha, against the measured a_e's alpha."""
    import mpmath as mp

    mp.mp.dps = 30
    C = (mp.mpf("0.5"), mp.mpf("-0.328478965579193"), mp.mpf("1.181241456587"))
    a_e = lambda A: sum(c * (1 / (mp.pi * A)) ** (k + 1) for k, c in enumerate(C))
    for x, A_x in (("Rb", "137.035999206"), ("Cs", "137.035999046")):
        ref = a_e(mp.mpf("137.035999166")) - a_e(mp.mpf(A_x))
        assert L.g2_electron.shift(x)[0] == pytest.approx(float(ref), rel=1e-6)
    assert L.g2_electron.shift("Rb")[0] > 0 > L.g2_electron.shift("Cs")[0]
    with pytest.raises(ValueError, match="combined, Rb, Cs"):
        L.g2_electron.shift("H")


def test_combined_alpha_is_the_pdg_scaled_average():
    """Independent: the weighted mean of Rb and Cs with the PDG scale factor sqrt(chi^2 / (N - 1)), in mpmath."""
    import mpmath as mp

    mp.mp.dps = 30
    x = [mp.mpf("137.035999206"), mp.mpf("137.035999046")]
    s = [mp.mpf("0.000000011"), mp.mpf("0.000000027")]
    w = [1 / si**2 for si in s]
    mean = sum(wi * xi for wi, xi in zip(w, x)) / sum(w)
    S = mp.sqrt(sum(wi * (xi - mean) ** 2 for wi, xi in zip(w, x)))
    A, sigma, scale = L.g2_electron.alpha_inv("combined")
    assert A == pytest.approx(float(mean), rel=1e-15)
    # float64 holds alpha^-1 to 2.8e-14, its difference 1.6e-7 between the atoms so to 2e-7
    assert scale == pytest.approx(float(S), rel=5e-7) and scale > 5  # Rb and Cs are 5.5 sigma apart
    assert sigma == pytest.approx(float(S / mp.sqrt(sum(w))), rel=5e-7)
    assert L.g2_electron.alpha_inv("Rb")[2] == 1.0


@pytest.mark.parametrize("name", ["(g-2)_mu", "(g-2)_e"])
def test_g2_is_judged_against_the_standard_model(name):
    """A point with vanishing couplings is the Standard Model: q = 0 and allowed, with every alpha; with Cs alone the
    SM is 3.9 sigma from the measurement, and the two-sided interval it used to be judged by excluded it. A shift
    towards the measurement improves ln L above the SM's; one as far on the other side is excluded."""
    from scipy import stats

    zero = L.with_couplings(P)._replace(eps=0.0)
    for alpha in L.g2_electron.ALPHAS:
        (lk,) = build([name], Options(alpha_e=alpha))
        assert float(lk.test_statistic(zero)) == 0.0 and float(lk.signal_ratio(zero)) == 0.0
        assert bool(lk.allowed(zero))
        d, s = lk.shift, lk.sigma
        better = dataclasses.replace(lk, value=lambda p, d=d: d)  # exactly the measured shift
        assert float(better.log_likelihood(P)) == pytest.approx(0.5 * (d / s) ** 2, rel=1e-12)
        assert float(better.signal_ratio(P)) == 0.0
        z = math.sqrt(stats.chi2.ppf(0.95, 1))
        worse = dataclasses.replace(lk, value=lambda p, d=d, s=s: -(z + 0.01) * s)  # opposite side of zero from d...
        worse_q = ((-(z + 0.01) * s - d) ** 2 - d * d) / s**2
        assert float(worse.test_statistic(P)) == pytest.approx(worse_q, rel=1e-12)
        assert bool(worse.allowed(P)) == (worse_q <= z * z)
    _, sigma_cs = L.g2_electron.shift("Cs")
    assert abs(L.g2_electron.shift("Cs")[0]) / sigma_cs > 3.8


def test_benchmark_under_the_complete_set():
    """The paper's point: the Z width, T and the neutrino mass exclude it; Z width and T whatever the couplings."""
    lks = build("complete", Options())
    rows = {r["experiment"]: r for r in L.report(P, lks)}
    for n in ("Neutrino mass", "Z invisible width", "Oblique T"):
        assert not rows[n]["allowed"]
    assert rows["Z invisible width"]["value"] == pytest.approx(2.0, rel=1e-4)
    assert rows["Neutrino mass"]["value"] > 100  # eV: a keV-scale loop mass at the paper's couplings
    blocking = L.unsatisfiable_at(P, lks)
    assert set(blocking) == {"Z invisible width", "Oblique T"}


def test_new_likelihoods_are_differentiable_at_the_benchmark():
    for lk in build(list(NEW)):
        g = jax.grad(lambda e, lk=lk: lk.log_likelihood(P._replace(eps=e)))(1e-5)
        gy = jax.grad(lambda s, lk=lk: lk.log_likelihood(P._replace(y=P.y * s)))(1.0)
        assert math.isfinite(float(g)) and math.isfinite(float(gy)), lk.name
