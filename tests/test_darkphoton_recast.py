"""likelihoods.darkphoton.recast (DarkCast's method): every published curve comes back with no dark decays; the
beam-dump band against hand-computed cases; prompt and invisible recasts against their closed forms."""

import math

import numpy as np
import pytest
from scipy import optimize

from likelihoods import darkphoton as D


@pytest.mark.parametrize("name", D.names())
def test_no_dark_decays_returns_the_published_curve(name):
    lim = D.load(name)
    if lim.kind == "invisible":  # published for BR(invisible) = 1: approached as the invisible width dominates
        lo, hi = D.recast(name, lim.mass, invisible_ratio=1e12)
    else:
        lo, hi = D.recast(name, lim.mass)
    once = np.isin(lim.mass, np.unique(lim.mass)[np.unique(lim.mass, return_counts=True)[1] == 1])
    ok = np.isfinite(lim.lower) & once  # a mass listed twice (a step in the curve) has two published values
    if lim.kind in ("prompt", "beam_dump"):  # below 2 m_e a standard dark photon has no visible decay to recast
        ok &= lim.mass > 2 * 0.51099895e-3
    np.testing.assert_allclose(lo[ok], lim.lower[ok], rtol=1e-9)
    assert np.all(np.isnan(lo[~np.isfinite(lim.lower)]))
    assert np.all(np.isnan(lo[lim.mass < 2 * 0.51099895e-3])) or lim.kind in ("g-2", "invisible")
    if lim.upper is None:
        assert np.all(np.isinf(hi[ok]))
    else:
        np.testing.assert_allclose(hi[ok], lim.upper[ok], rtol=1e-9)
    lo_out, _ = D.recast(name, lim.mass[0] / 2)  # outside the curve: no limit
    assert math.isnan(lo_out)


def test_prompt_without_lifetime_cut_scales_with_the_branching_ratio():
    m, R = 0.05, 3.0  # BR_new(e e) = BR_std / (1 + R): eps = eps_pub sqrt(1 + R)
    pub, _ = D.recast("BaBar_Lees2014xha", m)
    new, _ = D.recast("BaBar_Lees2014xha", m, invisible_ratio=R)
    assert new == pytest.approx(pub * math.sqrt(1 + R), rel=1e-12)


def test_invisible_limit_scales_with_the_invisible_branching_ratio():
    m, R = 0.05, 0.25  # BR(invisible) = R / (1 + R): eps = eps_pub / sqrt(BR)
    lim = D.load("NA62_CortinaGil2019nuo")
    pub = float(np.exp(np.interp(np.log(m), np.log(lim.mass), np.log(lim.lower))))
    new, up = D.recast("NA62_CortinaGil2019nuo", m, invisible_ratio=R)
    assert new == pytest.approx(pub / math.sqrt(R / (1 + R)), rel=1e-9) and math.isinf(up)
    assert math.isnan(D.recast("NA62_CortinaGil2019nuo", m)[0])  # a standard dark photon never decays invisibly


def _hand_band(e_lo, e_hi, k, R):
    """The beam-dump band by hand: BR(F) = 1 / (1 + R), tau ~ 1 / ((1 + R) eps^2). With x = t0 g1 / hbar fixed by equal
    standard yields, Y(eps) = eps^2 / (1 + R) [exp(-x (1+R) eps^2) - exp(-k x (1+R) eps^2)] = Y*."""

    def lnY(e, x, R):  # ln of the yield, written so that neither term underflows
        a = x * (1 + R) * e**2
        return 2 * math.log(e) - math.log(1 + R) - a + math.log(-math.expm1(-(k - 1) * a))

    lx = optimize.brentq(lambda lx: lnY(e_lo, math.exp(lx), 0) - lnY(e_hi, math.exp(lx), 0), -10, 120, xtol=1e-14)
    x = math.exp(lx)
    return x, lnY(e_lo, x, 0), lnY


def test_beam_dump_band_against_a_hand_computed_exponential_decay():
    """A dark photon decaying only to e+e- (below 2 m_mu) in a beam dump with L_decay / L_shield = 1.13966 (E137):
    the recast edges satisfy the hand-written yield equation, and the band closes where the hand computation says."""
    name, m = "E137_Andreas2012mt", 0.02
    lim = D.load(name)
    e_lo, e_hi = D.recast(name, m)
    k = 1 + lim.length_ratio
    x, y_star, Y = _hand_band(e_lo, e_hi, k, 0.0)
    for R in (0.5, 3.0, 30.0):
        lo, hi = D.recast(name, m, invisible_ratio=R)
        assert Y(lo, x, R) == pytest.approx(y_star, abs=1e-8) and Y(hi, x, R) == pytest.approx(y_star, abs=1e-8)  # ln
        assert lo > e_lo and hi < e_hi  # the band narrows from both sides
    # max over eps of Y = max_u u g(u) / (1+R)^2 with u = (1+R) eps^2: the band closes at (1+R)^2 = max / Y*
    g = lambda lu: -(lu - x * math.exp(lu) + math.log(-math.expm1(-(k - 1) * x * math.exp(lu))))
    best = optimize.minimize_scalar(
        g, bounds=(math.log(1e-3 / x), math.log(1e3 / x)), method="bounded", options={"xatol": 1e-12}
    )
    R_close = math.exp((-best.fun - y_star) / 2) - 1  # ln max - 2 ln(1 + R) = ln Y*
    assert np.isfinite(D.recast(name, m, invisible_ratio=R_close * 0.999)[0])
    assert np.isnan(D.recast(name, m, invisible_ratio=R_close * 1.001)[0])


def test_invisible_width_in_GeV_and_bad_input():
    m = 0.02
    e_lo, e_hi = D.recast("NA64_Banerjee2019hmi", m)
    lo, hi = D.recast("NA64_Banerjee2019hmi", m, invisible_width=1e-12)
    assert e_lo < lo < hi < e_hi
    for kw in (
        {"invisible_width": -1.0},
        {"invisible_ratio": float("nan")},
        {"invisible_width": 1e-9, "invisible_ratio": 1.0},
    ):
        with pytest.raises(ValueError):
            D.recast("NA64_Banerjee2019hmi", m, **kw)
    with pytest.raises(ValueError, match="finite number > 0"):
        D.recast("NA64_Banerjee2019hmi", [0.02, -1.0])
    with pytest.raises(ValueError, match="unknown dark-photon limit"):
        D.recast("E999", m)
