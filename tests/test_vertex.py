"""The A' nu nu vector form factor (jaxtmm.vertex, docs/derivation.md section 15): the simplex integrals against mpmath,
W against two independent derivations' numbers, the Ward identity where U(1)_D is restored, the quadratic onset of
each breaking, and the width against explicit traces."""

import math

import jax
import jax.numpy as jnp
import mpmath as mp
import numpy as np
import pytest
from _dirac import vector_width  # tests/_dirac.py

from jaxtmm import load_preset
from jaxtmm import vertex as V

P = load_preset("paper")
BENCH = dict(g_D=0.5, M1=0.1, M2=0.1, m_H1=0.3, m_A1=0.3, m_H2=0.4, m_A2=0.4, theta_R=0.3, theta_I=1.2)
SECOND = dict(M1=0.05, M2=0.2, eta2=-1.0, m_H1=0.25, m_A1=0.35, m_H2=0.5, m_A2=0.45, theta_R=0.7, theta_I=0.2)


def _pt(**kw):
    return P._replace(**{k: jnp.float64(v) for k, v in kw.items()})


def _simplex(f):
    return mp.quad(lambda x: mp.quad(lambda y: f(x, y), [0, 1 - x]), [0, 1])


@pytest.mark.parametrize(
    "M, m1, m2", [(0.1, 0.3, 0.4), (0.3, 0.3, 0.3), (1e-3, 1e2, 0.5), (50.0, 1e-2, 2e-2), (0.2, 0.2, 0.2000001)]
)
def test_simplex_integrals_against_mpmath(M, m1, m2):
    mp.mp.dps = 20
    delta = lambda x, y: x * m2**2 + y * m1**2 + (1 - x - y) * M**2
    assert float(V.mean_log(M, m1, m2)) == pytest.approx(float(_simplex(lambda x, y: mp.log(delta(x, y)))), rel=1e-11)
    assert float(V.mean_inverse(M, m1, m2)) == pytest.approx(float(_simplex(lambda x, y: 1 / delta(x, y))), rel=1e-11)


def test_W_against_two_independent_derivations():
    """The numbers of two derivations made separately (stop 21; Feynman parameters in mpmath and divided differences),
    which agree with each other to 9 digits."""
    ref1 = [[1.237513789, -0.132665283], [-0.132665283, 1.218697913]]
    ref2 = [[0.3807810386, -0.0445537896], [-0.0445537896, 0.2988106030]]
    np.testing.assert_allclose(np.asarray(V.W_matrix(_pt(**BENCH))), ref1, rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(np.asarray(V.W_matrix(_pt(**SECOND))), ref2, rtol=1e-8, atol=1e-9)


def test_ward_identity_and_the_quadratic_onset():
    """W = 0 where U(1)_D is exact (Dirac N, m_H = m_A, theta_R = theta_I), at random points; each breaking alone
    switches W on quadratically (doubling it multiplies W by 4)."""
    rng = np.random.default_rng(7)
    for _ in range(5):
        M, m1, m2 = np.exp(rng.uniform(np.log(1e-3), np.log(1e2), 3))
        th = rng.uniform(0, np.pi)
        sym = dict(M1=M, M2=M, eta2=-1.0, m_H1=m1, m_A1=m1, m_H2=m2, m_A2=m2, theta_R=th, theta_I=th)
        W = np.asarray(V.W_matrix(_pt(**sym)))
        assert np.max(np.abs(W)) < 1e-12, (sym, W)
    base = dict(M1=0.1, M2=0.1, eta2=-1.0, m_H1=0.3, m_A1=0.3, m_H2=0.4, m_A2=0.4, theta_R=0.5, theta_I=0.5)
    for key, d in (("M1", 1e-3), ("m_A1", 1e-3), ("theta_I", 1e-3)):
        w1 = np.asarray(V.W_matrix(_pt(**{**base, key: base[key] + d})))
        w2 = np.asarray(V.W_matrix(_pt(**{**base, key: base[key] + 2 * d})))
        k = np.argmax(np.abs(w1))
        assert w2.flat[k] / w1.flat[k] == pytest.approx(4.0, rel=5e-3), key


def test_width_against_explicit_traces_and_finite_gradients():
    """Tr(F F^dagger) m / (24 pi) against the explicit trace of a massless Majorana pair with the axial vertex the Weyl
    current becomes (nubar gamma^mu P_L nu = -nubar gamma^mu gamma_5 nu / 2, times 2 for identical fields, times 1/2
    for identical final states), for the diagonal, and |F_ij|^2 m / (12 pi) for a pair."""
    q = _pt(**BENCH, m_Ap=0.01)._replace(y=jnp.array([[0.3 + 0.1j, -0.2j], [0.05, 0.4 - 0.3j]]))
    F = np.asarray(V.vector_coupling(q))
    axial = vector_width(0.01, 0.0, 0.0, lambda m, g, g5, q: g[m] @ g5)  # unit axial coupling
    diag = sum(abs(F[i, i]) ** 2 * 0.5 * axial for i in range(2))
    vec = vector_width(0.01, 0.0, 0.0, lambda m, g, g5, q: g[m] @ (np.eye(4) - g5) / 2)  # a Weyl pair, one ordering
    off = 2 * abs(F[0, 1]) ** 2 * vec  # nu_e nubar_mu and nu_mu nubar_e
    assert float(V.width_nu_nu_vector(q)) == pytest.approx(diag + off, rel=1e-10)
    assert float(V.width_nu_nu_vector(q)) == pytest.approx(np.sum(np.abs(F) ** 2) * 0.01 / (24 * math.pi), rel=1e-12)
    for key in ("M1", "m_H1", "theta_I"):
        g = jax.grad(lambda x, key=key: V.width_nu_nu_vector(q._replace(**{key: x})))(getattr(q, key))
        assert np.isfinite(float(g))
