"""The dark states' two-body widths (jaxtmm.widths, docs/derivation.md section 13) against explicit Dirac traces
(tests/_dirac.py), the complex-scalar and Dirac-N counting they must reduce to, and the longitudinal-W growth."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from _dirac import METRIC, fermion_scalar_width, fermion_vector_width, scalar_fermions_width  # tests/_dirac.py

from jaxtmm import load_preset
from jaxtmm import widths as W

P = load_preset("paper")


@pytest.mark.parametrize(
    "m1, m2, mV, gL, gR",
    [
        (300.0, 0.1, 80.4, 0.3, 0.3),
        (300.0, -0.1, 80.4, -0.3, 0.3),
        (2.0, 0.7, 0.5, 0.2, -0.45),
        (2.0, -0.7, 0.5, 0.2, -0.45),
        (-5.0, 1.3, 2.0, 1.1, 0.4),
        (1.0, 0.0, 1e-3, 0.5, 0.0),
    ],
)
def test_fermion_to_fermion_vector_against_traces(m1, m2, mV, gL, gR):
    ref = fermion_vector_width(
        m1, m2, mV, lambda m, g, g5: g[m] @ (gL * (np.eye(4) - g5) / 2 + gR * (np.eye(4) + g5) / 2)
    )
    got = float(W.fermion_to_fermion_vector(m1, m2, mV, gL * gL + gR * gR, gL * gR))
    assert got == pytest.approx(ref, rel=1e-10)


@pytest.mark.parametrize("m1, m2, mS", [(2000.0, 0.0, 0.3), (0.5, 0.0, 0.45), (-0.5, 0.0, 0.1), (3.0, -1.0, 1.5)])
def test_fermion_to_fermion_scalar_against_traces(m1, m2, mS):
    c = 0.37 - 0.2j
    ref = fermion_scalar_width(m1, m2, mS, lambda g5: c * (np.eye(4) + g5) / 2)
    assert float(W.fermion_to_fermion_scalar(m1, m2, mS, abs(c) ** 2)) == pytest.approx(ref, rel=1e-10)


@pytest.mark.parametrize("mS, m1, m2", [(0.4, 0.0, 0.1), (0.4, 0.0, -0.1), (3000.0, 0.0, 2000.0)])
def test_scalar_to_fermions_against_traces(mS, m1, m2):
    c = 0.8 + 0.1j
    ref = scalar_fermions_width(mS, m1, m2, lambda g5: c * (np.eye(4) + g5) / 2)
    assert float(W.scalar_to_fermions(mS, m1, m2, abs(c) ** 2)) == pytest.approx(ref, rel=1e-10)


def test_scalar_to_scalar_vector_against_polarisation_sum():
    """|M|^2 = g^2 (p + p')^mu (p + p')^nu (-g_mu_nu + q_mu q_nu / m_V^2), summed explicitly."""
    m, m2, mV, g = 0.9, 0.3, 0.2, 0.7
    lam = (m * m - (m2 + mV) ** 2) * (m * m - (m2 - mV) ** 2)
    k = math.sqrt(lam) / (2 * m)
    p = np.array([m, 0, 0, 0.0])
    p2 = np.array([math.hypot(k, m2), 0, 0, k])
    q = p - p2
    s = p + p2
    msq = (
        g
        * g
        * sum(
            s[a] * s[b] * METRIC[a, a] * METRIC[b, b] * (-METRIC[a, b] + q[a] * q[b] / mV**2)
            for a in range(4)
            for b in range(4)
        )
    )
    ref = k * msq / (8 * math.pi * m * m)
    assert float(W.scalar_to_scalar_vector(m, m2, mV, g * g)) == pytest.approx(ref, rel=1e-12)


def _point(**kw):
    return P._replace(**{k: jnp.asarray(v, dtype=jnp.complex128 if k == "y" else jnp.float64) for k, v in kw.items()})


def test_counting_reduces_to_complex_scalars_and_a_dirac_N():
    """Light scalars: E -> l S summed over the four real scalars is the complex-scalar width sum|y|^2 M_E / (32 pi),
    whatever the angles; each Majorana N_n of a Dirac pair (M1 = -M2) decays like the Dirac N, sum|y|^2 |M| / (32 pi)."""
    y = np.array([[0.3 + 0.1j, -0.2j], [0.05, 0.4 - 0.3j]])
    light = dict(m_H1=1e-6, m_H2=2e-6, m_A1=1.5e-6, m_A2=3e-6)
    q = _point(y=y, theta_R=0.4, theta_I=1.3, M_E=500.0, M1=50.0, M2=50.0, eta2=-1.0, g_D=0.0, **light)
    parts = W.partial_widths(q)
    s = float(np.sum(np.abs(y) ** 2))
    yuk = sum(float(parts[f"E -> l {x}"]) for x in ("H1", "H2", "A1", "A2"))
    assert yuk == pytest.approx(s * 500.0 / (32 * math.pi), rel=1e-9)
    for n in (1, 2):
        nu = sum(float(parts[f"N{n} -> nu {x}"]) for x in ("H1", "H2", "A1", "A2"))
        assert nu == pytest.approx(s * 50.0 / (32 * math.pi), rel=1e-9)
    assert float(parts["N1 -> N2 A'"]) == float(parts["N2 -> N1 A'"]) == 0.0  # degenerate: closed


def test_longitudinal_W_and_the_benchmark():
    """M_E >> M_N, m_W: sum_n Gamma(E -> N_n W) -> g^2 M_E^3 / (32 pi m_W^2); at the paper's benchmark (M_E = 2 TeV,
    M_N = 0.1 GeV) Gamma_E exceeds M_E. An SU(2)-like spectrum (M_E close to |M_n|) is narrow."""
    ME = 1e5
    q = _point(M_E=ME, M1=0.1, M2=0.1)
    parts = W.partial_widths(q)
    w = float(parts["E -> N1 W"] + parts["E -> N2 W"])
    assert w / (W.G2_WEAK * ME**3 / (32 * math.pi * 80.3692**2)) == pytest.approx(1.0, abs=3e-6)
    r = dict(zip(W.STATES, np.asarray(W.width_over_mass(P))))
    assert r["E"] > 1.0
    narrow = _point(M_E=1000.0, M1=1000.2, M2=999.9, eta1=-1.0)
    assert float(W.width_over_mass(narrow)[0]) < 1e-3


def test_widths_differentiable_at_thresholds():
    for kw in (
        dict(m_Ap=0.1, M1=0.1, M2=0.2),
        dict(m_H1=0.1 + 0.2, m_A1=0.2, m_Ap=0.1),
        dict(M_E=0.3 + 80.3692, M1=0.3),
    ):
        q = _point(**kw)
        g = jax.grad(lambda x, q=q: jnp.sum(W.width_over_mass(q._replace(g_D=x))))(0.5)
        assert np.isfinite(float(g))
        g2 = jax.grad(lambda m, q=q: jnp.sum(W.width_over_mass(q._replace(M_E=m))))(q.M_E)
        assert np.isfinite(float(g2))


def test_kallen_keeps_its_precision_at_threshold():
    """``lambda(M^2, m1^2, m2^2)`` of masses against mpmath's expanded form at 50 digits: generic masses to 1e-13, and
    1e-9 above threshold (``M = (m1 + m2)(1 + 1e-9)``) to 1e-14, where the expanded form in float64 loses 7 digits."""
    import mpmath as mp

    from jaxtmm.spectrum import kallen

    mp.mp.dps = 50
    for M, m1, m2 in ((3.0, 1.2, 0.7), (0.5, 0.1, -0.3), (100.0, 99.0, 0.5)):
        ref = float(
            mp.mpf(M) ** 4
            + mp.mpf(m1) ** 4
            + mp.mpf(m2) ** 4
            - 2
            * (mp.mpf(M) ** 2 * mp.mpf(m1) ** 2 + mp.mpf(m1) ** 2 * mp.mpf(m2) ** 2 + mp.mpf(m2) ** 2 * mp.mpf(M) ** 2)
        )
        assert float(kallen(M, m1, m2)) == pytest.approx(ref, rel=1e-13)
    m1, m2 = 0.3, 0.45
    M = (m1 + m2) * (1 + 1e-9)
    Mm = mp.mpf(M)  # the float's own value
    ref = float(
        Mm**4
        + mp.mpf(m1) ** 4
        + mp.mpf(m2) ** 4
        - 2 * (Mm**2 * mp.mpf(m1) ** 2 + mp.mpf(m1) ** 2 * mp.mpf(m2) ** 2 + mp.mpf(m2) ** 2 * Mm**2)
    )
    assert float(kallen(M, m1, m2)) == pytest.approx(ref, rel=1e-14)
    expanded = M**4 + m1**4 + m2**4 - 2 * (M * M * m1 * m1 + m1 * m1 * m2 * m2 + m2 * m2 * M * M)
    assert abs(expanded / ref - 1) > 1e-10  # what the product form avoids
