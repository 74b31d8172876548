"""nu-e scattering with the vector form factor (jaxtmm.nue): the Standard Model limit against the textbook cross
sections with the survival probability, and the vector coupling as a shift of g_V checked by hand with U = 1."""

import math

import jax.numpy as jnp
import numpy as np
import pytest

from jaxtmm import load_preset, nue
from jaxtmm._constants import E_CHARGE, G_F_GEV2, M_E_GEV, S2W_MSBAR
from jaxtmm.pmns import PMNS, pmns_matrix
from jaxtmm.vertex import vector_coupling

P = load_preset("paper")


def _textbook(gL, gR, E, T):
    return 2 * G_F_GEV2**2 * M_E_GEV / math.pi * (gL**2 + gR**2 * (1 - T / E) ** 2 - gL * gR * M_E_GEV * T / E**2)


def test_standard_model_limit():
    """g_D = 0: sum_i |U_ei|^2 dsigma_i = P_ee sigma(nu_e) + (1 - P_ee) sigma(nu_mu), P_ee = sum_i |U_ei|^4."""
    q = P._replace(g_D=jnp.float64(0.0))
    E = 8.62e-4
    Pee = float(np.sum(np.abs(np.asarray(pmns_matrix(q.pmns))[0]) ** 4))
    for T in (5e-5, 3e-4, 6e-4):
        ref = Pee * _textbook(0.5 + S2W_MSBAR, S2W_MSBAR, E, T) + (1 - Pee) * _textbook(-0.5 + S2W_MSBAR, S2W_MSBAR, E, T)
        assert float(nue.dsigma_dT_solar(q, E, T)) == pytest.approx(ref, rel=1e-12)
    assert float(nue.rate_ratio(q, E, 5e-5, 6e-4)) == pytest.approx(1.0, rel=1e-14)


def test_vector_coupling_is_a_shift_of_g_V():
    """U = 1 and Yukawas on the electron row only: F is diagonal in e, and nu_1 = nu_e scatters with g_V shifted by
    sign * eps e F_ee / (sqrt 2 G_F (m^2 + 2 m_e T)); the other mass states are untouched."""
    zero = PMNS(*(jnp.float64(0.0) for _ in range(6)))
    q = P._replace(pmns=zero, y=jnp.array([[0.9 + 0.2j, -0.4j], [0.0, 0.0]]), eps=jnp.float64(1e-4), m_Ap=jnp.float64(0.01))
    F = np.asarray(vector_coupling(q))
    assert abs(F[0, 1]) == 0.0 and abs(F[1, 1]) == 0.0
    E, T = 8.62e-4, 3e-4
    for sign in (1.0, -1.0):
        d = sign * 1e-4 * E_CHARGE * F[0, 0].real / (math.sqrt(2) * G_F_GEV2 * (0.01**2 + 2 * M_E_GEV * T))
        ref = _textbook(0.5 + S2W_MSBAR + d / 2, S2W_MSBAR + d / 2, E, T)  # P_ee = 1 with U = 1
        assert float(nue.dsigma_dT_solar(q, E, T, sign)) == pytest.approx(ref, rel=1e-12)


def test_borexino_rate_likelihood():
    """48.3 / 47.9 - 1 with sigma = (48.3/47.9) sqrt((1.1^2 + 0.6^2)/48.3^2 + 0.06^2); vanishing couplings pass (q = 0);
    of the two signs the less constraining one is used; ten times the benchmark's Yukawas are excluded with either."""
    import likelihoods as L
    from likelihoods import borexino_rate as B

    s, sigma = B.shift()
    assert s == pytest.approx(48.3 / 47.9 - 1, rel=1e-14)
    assert sigma == pytest.approx(48.3 / 47.9 * math.hypot(math.hypot(1.1, 0.6) / 48.3, 0.06), rel=1e-14)
    (lk,) = L.build(["Borexino 7Be rate"])
    assert float(lk.test_statistic(P._replace(g_D=jnp.float64(0.0)))) == 0.0
    q = P._replace(y=P.y * 10)
    ks = [float(nue.rate_ratio(q, 8.62e-4, 5e-5, float(lk_end()), sg)) - 1 for sg in (1.0, -1.0)]
    qs = [((k - s) ** 2 - s * s) / sigma**2 for k in ks]
    assert float(lk.test_statistic(q)) == pytest.approx(min(qs), rel=1e-10)
    assert min(qs) > 3.84 and not bool(lk.allowed(q))


def lk_end():
    from likelihoods.borexino import endpoint

    return endpoint(8.62e-4)
