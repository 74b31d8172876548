"""The model's annihilation channels (jaxtmm.annihilation, docs/derivation.md section 16) in the limits where an
independent result is known, and the relic likelihood: the Dirac-fermion and scalar-QED pair annihilation to two
vectors, the lepton-number-violating channels vanishing where lepton number is restored, the thermal average's
normalisation, and the issue's 'evaluate' relic line."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import likelihoods as L
from jaxtmm import annihilation as A
from jaxtmm import load_preset

P = load_preset("paper")


def _pt(**kw):
    return P._replace(
        **{k: (jnp.asarray(v, dtype=jnp.complex128) if k == "y" else jnp.float64(v)) for k, v in kw.items()}
    )


def test_dirac_limit_of_N_N_to_two_dark_photons():
    """M2 = -M1 (a Dirac N, vector coupling): the s-wave of f fbar -> V V, g^4 (1 - r)^{3/2} / (16 pi M^2 (1 - r/2)^2),
    r = m_V^2 / M^2 (the photon-pair result with massive vectors), with no Yukawas."""
    for M, m in ((1.0, 0.1), (0.3, 0.2), (50.0, 1.0)):
        q = _pt(M1=M, M2=M, eta2=-1.0, m_Ap=m, g_D=0.7, y=np.zeros((2, 2)))
        a, _ = A.fermion_ab(q, 0)
        r = (m / M) ** 2
        assert float(a) == pytest.approx(0.7**4 * (1 - r) ** 1.5 / (16 * math.pi * M * M * (1 - r / 2) ** 2), rel=1e-12)
    # the p-wave stays finite as m_A' -> 0 in the Dirac limit (a conserved current: no longitudinal enhancement)
    bs = [float(A.fermion_ab(_pt(M1=1.0, M2=1.0, eta2=-1.0, m_Ap=m, y=np.zeros((2, 2))), 0)[1]) for m in (1e-2, 1e-3)]
    assert bs[1] == pytest.approx(bs[0], rel=1e-3)


def test_scalar_qed_limit_of_H_H_to_two_dark_photons():
    """m_H = m_A, theta_R = theta_I (C = 1): H1 H1 -> A'A' is a complex scalar pair's, g^4 sqrt(1 - r)(8 - 8r + 3r^2) /
    (16 pi m^2 (2 - r)^2) (scalar QED with a massive photon), -> g^4 / (8 pi m^2) as r -> 0."""
    for mH, m in ((1.0, 0.3), (0.5, 0.05)):
        q = _pt(m_H1=mH, m_A1=mH, m_H2=3.0, m_A2=3.0, theta_R=0.4, theta_I=0.4, m_Ap=m, g_D=0.6, y=np.zeros((2, 2)))
        a, _ = A.scalar_ab(q, 0, True)
        r = (m / mH) ** 2
        ref = 0.6**4 * math.sqrt(1 - r) * (8 - 8 * r + 3 * r * r) / (16 * math.pi * mH * mH * (2 - r) ** 2)
        assert float(a) == pytest.approx(ref, rel=1e-9)


def test_lepton_number_violating_channels_vanish_where_lepton_number_is_restored():
    y = np.array([[0.3 + 0.1j, -0.2j], [0.05, 0.4 - 0.3j]])
    sym_scalars = _pt(y=y, m_H1=0.3, m_A1=0.3, m_H2=0.4, m_A2=0.4, theta_R=0.5, theta_I=0.5, m_Ap=10.0)
    a_n, _ = A.fermion_ab(sym_scalars, 0)  # A'A' closed (m_A' > M): only nu nu, which needs m_H != m_A or angles
    assert abs(float(a_n)) < 1e-14 * float(A.fermion_ab(sym_scalars._replace(m_A1=jnp.float64(0.35)), 0)[0])
    dirac = _pt(y=y, M1=0.1, M2=0.1, eta2=-1.0, m_H1=0.5, m_Ap=10.0)
    a_s, _ = A.scalar_ab(dirac, 0, True)
    assert abs(float(a_s)) < 1e-14 * float(A.scalar_ab(dirac._replace(eta2=jnp.float64(1.0)), 0, True)[0])


def test_thermal_pair_average_is_normalised():
    """sigma = a / v averages to a exactly; sigma v = b v^2 to b <v^2> = 6 b / x for equal masses."""
    m, x = 1.0, jnp.float64(20.0)
    mu = m / 2

    def v_of(s):
        return jnp.sqrt((s - 4 * m * m) / (2 * m * mu))

    assert float(A._thermal_pair(lambda s: 3.0 / v_of(s), m, m, x)) == pytest.approx(3.0, rel=1e-12)
    assert float(A._thermal_pair(lambda s: 2.0 * v_of(s), m, m, x)) == pytest.approx(2.0 * 6.0 / 20.0, rel=1e-10)


def test_relic_likelihood_and_the_evaluate_line():
    """The benchmark's N1 (0.1 GeV, g_D = 0.5, A' at 20 MeV) annihilates to A'A' far above the thermal cross section:
    Omega h^2 ~ 1e-10, allowed. Without the A' channel (m_A' above M) and with tiny Yukawas it overcloses: excluded."""
    (lk,) = L.build(["Relic abundance"])
    s = A.relic_summary(P)
    assert s["candidate"] == "N1" and 1e-11 < s["omega_h2"] < 1e-8 and bool(lk.allowed(P))
    assert s["dominant_channel"].startswith("N1 N1") or s["dominant_channel"].startswith("N2 N2")
    dead = P._replace(m_Ap=jnp.float64(0.5), y=P.y * 1e-3, eps=jnp.float64(1e-9))
    assert float(A.omega_h2_model(dead)) > 0.12 and not bool(lk.allowed(dead))
    charged = P._replace(M_E=jnp.float64(0.05))
    assert float(A.omega_h2_model(charged)) >= 1e6 and not bool(lk.allowed(charged))
    g = jax.grad(lambda gd: jnp.log(A.omega_h2_model(P._replace(g_D=gd))))(jnp.float64(0.5))
    assert np.isfinite(float(g)) and float(g) < 0  # a larger coupling annihilates more
