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
    for f in (log_r, log_l):
        vals, grads = (np.asarray(a) for a in jax.jit(jax.vmap(jax.value_and_grad(f)))(v, PTS))
        assert np.all(np.isfinite(vals)), (name, f.__name__)
        assert np.all(np.isfinite(grads)), (name, f.__name__)
