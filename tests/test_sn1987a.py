"""SN1987A (likelihoods.sn1987a): the band's edges are the data file's points, read here independently; the issue's
cases; nothing outside the curve's masses; finite gradients inside the band."""

import csv
import math
from importlib import resources

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import likelihoods as L
from jaxtmm import load_preset
from likelihoods import sn1987a as S

P = load_preset("paper")
(LK,) = L.build(["SN1987A"])


def _rows():
    text = resources.files("likelihoods.data").joinpath("sn1987a_chang2017.csv").read_text()
    rows = list(csv.reader(ln for ln in text.splitlines() if ln and not ln.startswith("#")))[1:]
    return [(k, float(m), float(e)) for k, m, e in rows]


def test_edges_pass_through_the_published_points():
    rows = _rows()
    assert len(rows) == 110
    lower = [(m, e) for k, m, e in rows if k == "lower" and m >= S.M_LOW_GEV]
    upper = [(m, e) for k, m, e in rows if k == "upper" and m >= S.M_LOW_GEV - 1e-12]
    for m, e in lower:  # on the lower edge r = (eps / eps_low)^2 = 1
        assert float(S.ratio(m, e)) == pytest.approx(1.0, rel=1e-10), m
    for m, e in upper:
        assert float(S.band(m)[1]) == pytest.approx(e, rel=1e-10), m
    assert S.M_LOW_GEV == min(m for m, _ in upper)  # the lowest mass of the upper edge before the jump at 2 m_e


@pytest.mark.parametrize("eps, excluded", [(1e-11, False), (1e-9, True), (1e-8, True), (1e-5, False)])
def test_the_issue_cases_at_20_MeV(eps, excluded):
    q = P._replace(m_Ap=jnp.float64(0.02), eps=jnp.float64(eps))
    assert bool(LK.allowed(q)) is not excluded


def test_nothing_outside_the_curve_and_a_smooth_band():
    for m in (1e-3, 0.2, 1.0):
        assert float(LK.signal_ratio(P._replace(m_Ap=jnp.float64(m), eps=jnp.float64(1e-9)))) == 0.0
    # log-log interpolation between two nodes of the lower edge (independent arithmetic)
    (m1, e1), (m2, e2) = [(m, e) for k, m, e in _rows() if k == "lower"][46:48]
    mm = math.sqrt(m1 * m2)
    assert float(S.band(mm)[0]) == pytest.approx(math.sqrt(e1 * e2), rel=1e-12)
    g = jax.grad(lambda e: LK.log_likelihood(P._replace(m_Ap=jnp.float64(0.02), eps=e)))(jnp.float64(3e-9))
    assert np.isfinite(float(g)) and float(g) != 0.0
