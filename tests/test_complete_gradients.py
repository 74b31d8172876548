"""The likelihoods added for issue #22 have finite values and gradients wherever the global preset's parameters may go
(masses 1 MeV - 10 TeV, M_E from LEP's bound, g_D and |y| up to sqrt(4 pi), both parities, E the lightest Z2-odd state
included): 64 random points, ln r (as the maximiser uses it) and ln L, in six directions."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import likelihoods as L
from jaxtmm import load_preset
from jaxtmm.batch import replicate
from likelihoods._limit import HalfNormal, OneSidedLimit

P = load_preset("paper")
N = 64
_rng = np.random.default_rng(3)


def _lu(a, b):
    return jnp.asarray(10 ** _rng.uniform(np.log10(a), np.log10(b), N))


PTS = replicate(P, N)._replace(
    M1=_lu(1e-3, 1e4),
    M2=_lu(1e-3, 1e4),
    m_H1=_lu(1e-3, 1e4),
    m_H2=_lu(1e-3, 1e4),
    m_A1=_lu(1e-3, 1e4),
    m_A2=_lu(1e-3, 1e4),
    M_E=_lu(100.8, 1e4),
    m_Ap=_lu(1e-3, 8.0),
    g_D=_lu(1e-3, 3.5),
    eps=_lu(1e-10, 1e-2),
    theta_R=jnp.asarray(_rng.uniform(0, np.pi, N)),
    theta_I=jnp.asarray(_rng.uniform(0, np.pi, N)),
    eta2=jnp.asarray(_rng.choice([-1.0, 1.0], N)),
    y=jnp.asarray(10 ** _rng.uniform(-8, np.log10(3.5), (N, 2, 2)) * np.exp(1j * _rng.uniform(0, 6.3, (N, 2, 2)))),
)
NAMES = [
    "Relic abundance",
    "Borexino 7Be rate",
    "TEXONO CsI rate",
    "GEMMA",
    "BBN",
    "Perturbative widths",
    "LHC heavy lepton",
    "SN1987A",
    "(g-2)_e",
    "(g-2)_mu",
]


@pytest.mark.parametrize("name", NAMES)
def test_finite_values_and_gradients_over_the_global_range(name):
    (lk,) = L.build([name])

    def at(v, q):
        return q._replace(M1=v[0], m_H1=v[1], M_E=v[2], g_D=v[3], eps=v[4], m_Ap=v[5])

    def log_r(v, q):
        r = lk.signal_ratio(at(v, q))
        return jnp.where(r > 0, jnp.log(jnp.where(r > 0, r, 1.0)), 0.0)

    def log_l(v, q):
        return lk.log_likelihood(at(v, q))

    # one program per function: a program holding both traces the likelihood twice, and XLA's compile time grows
    # faster than its size (the relic: 178 s together, against twice ~20 s apart); each program gives the value
    # and the gradient (value_and_grad: one trace, no separate program for the values)
    v = jnp.stack([PTS.M1, PTS.m_H1, PTS.M_E, PTS.g_D, PTS.eps, PTS.m_Ap], axis=1)
    lr, g = (np.asarray(a) for a in jax.jit(jax.vmap(jax.value_and_grad(log_r)))(v, PTS))
    assert np.all(np.isfinite(lr)) and np.all(np.isfinite(g)), name
    if _generic_half_normal(lk):
        # ln L = -q(r)/2 = -T r^2 / 2 is a function of r alone (OneSidedLimit's own log_likelihood and test_statistic,
        # HalfNormal.q: nothing overridden, see _generic_half_normal), so its reverse pass is ln r's with the cotangent -T r^2 in
        # place of 1: ln L and its gradient -T r^2 grad(ln r) are finite wherever r^2 is. Derived from ln r's program:
        # the relic's ln L program alone took ~30 s to compile (q(r) against the thresholds: tests/test_likelihoods.py).
        r2 = np.exp(2.0 * lr) * (lr != 0.0)
        vals, grads = -0.5 * lk.threshold * r2, -lk.threshold * r2[:, None] * g
    else:
        vals, grads = (np.asarray(a) for a in jax.jit(jax.vmap(jax.value_and_grad(log_l)))(v, PTS))
    assert np.all(np.isfinite(vals)) and np.all(np.isfinite(grads)), name


def _generic_half_normal(lk) -> bool:
    """Whether ln L is OneSidedLimit's ``-HalfNormal.q(signal_ratio) / 2`` with nothing overridden."""
    t = type(lk)
    return (
        t.log_likelihood is OneSidedLimit.log_likelihood
        and t.test_statistic is OneSidedLimit.test_statistic
        and type(lk.stat) is HalfNormal
    )
