"""nu-e scattering with the vector form factor (jaxtmm.nue): the Standard Model limit against the textbook cross
sections with the survival probability, and the vector coupling as a shift of g_V checked by hand with U = 1."""

import math

import jax.numpy as jnp
import numpy as np
import pytest

from jaxtmm import load_preset, nue
from jaxtmm.constants import E_CHARGE, G_F_GEV2, M_E_GEV, S2W_MSBAR
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
        ref = Pee * _textbook(0.5 + S2W_MSBAR, S2W_MSBAR, E, T) + (1 - Pee) * _textbook(
            -0.5 + S2W_MSBAR, S2W_MSBAR, E, T
        )
        assert float(nue.dsigma_dT_solar(q, E, T)) == pytest.approx(ref, rel=1e-12)
    assert float(nue.rate_ratio(q, E, 5e-5, 6e-4)) == pytest.approx(1.0, rel=1e-14)


def test_vector_coupling_is_a_shift_of_g_V():
    """U = 1 and Yukawas on the electron row only: F is diagonal in e, and nu_1 = nu_e scatters with g_V shifted by
    sign * eps e F_ee / (sqrt 2 G_F (m^2 + 2 m_e T)); the other mass states are untouched."""
    zero = PMNS(*(jnp.float64(0.0) for _ in range(6)))
    q = P._replace(
        pmns=zero, y=jnp.array([[0.9 + 0.2j, -0.4j], [0.0, 0.0]]), eps=jnp.float64(1e-4), m_Ap=jnp.float64(0.01)
    )
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


def _textbook_anti(gL, gR, E, T):
    """anti-nu e: g_L and g_R swap their roles (Vogel and Engel, PRD 39 (1989) 3378)."""
    return 2 * G_F_GEV2**2 * M_E_GEV / math.pi * (gR**2 + gL**2 * (1 - T / E) ** 2 - gL * gR * M_E_GEV * T / E**2)


def test_reactor_standard_model_and_shift():
    """Reactor anti-nu_e: at g_D = 0 the textbook cross section with g_L = 1/2 + s_W^2; with U = 1 and F on the electron
    row, g_V shifted by hand (both signs); and the threshold excess is the smaller of the two shifts at E -> infinity."""
    q0 = P._replace(g_D=jnp.float64(0.0))
    for E, T in ((3e-3, 1e-3), (5e-3, 3e-6)):
        assert float(nue.dsigma_dT_reactor(q0, E, T)) == pytest.approx(
            _textbook_anti(0.5 + S2W_MSBAR, S2W_MSBAR, E, T), rel=1e-12
        )
    assert float(nue.reactor_excess_at_threshold(q0, 3e-6)) == 0.0
    zero = PMNS(*(jnp.float64(0.0) for _ in range(6)))
    q = P._replace(
        pmns=zero, y=jnp.array([[0.9 + 0.2j, -0.4j], [0.0, 0.0]]), eps=jnp.float64(1e-4), m_Ap=jnp.float64(0.01)
    )
    Fee = np.asarray(vector_coupling(q))[0, 0].real
    E, T = 4e-3, 2e-3
    shifts = []
    for sign in (1.0, -1.0):
        d = sign * 1e-4 * E_CHARGE * Fee / (math.sqrt(2) * G_F_GEV2 * (0.01**2 + 2 * M_E_GEV * T))
        ref = _textbook_anti(0.5 + S2W_MSBAR + d / 2, S2W_MSBAR + d / 2, E, T)
        assert float(nue.dsigma_dT_reactor(q, E, T, sign)) == pytest.approx(ref, rel=1e-12)
        d0 = sign * 1e-4 * E_CHARGE * Fee / (math.sqrt(2) * G_F_GEV2 * (0.01**2 + 2 * M_E_GEV * 3e-6))
        shifts.append(
            abs(
                _textbook_anti(0.5 + S2W_MSBAR + d0 / 2, S2W_MSBAR + d0 / 2, 1e30, 3e-6)
                - _textbook_anti(0.5 + S2W_MSBAR, S2W_MSBAR, 1e30, 3e-6)
            )
        )
    assert float(nue.reactor_excess_at_threshold(q, 3e-6)) == pytest.approx(min(shifts), rel=1e-9)


def test_reactor_flavour_beam_equals_the_coherent_mass_sum():
    """The flavour-basis couplings of a beam born as nu_e equal the mass basis's coherent amplitudes
    ``sum_i U*_ei g^{ji}`` summed over the final mass states j (unitarity), at the benchmark with its full PMNS and F."""
    q = P._replace(y=P.y * 5)
    T = 2e-6
    U = np.asarray(pmns_matrix(q.pmns))
    for sign in (1.0, -1.0):
        gLm, gRm = (np.asarray(g) for g in nue.couplings(q, T, sign))
        gLf, gRf = (np.asarray(g) for g in nue.couplings_flavour(q, T, sign))
        for gm, gf in ((gLm, gLf), (gRm, gRf)):
            assert np.sum(np.abs(gm @ np.conj(U[0])) ** 2) == pytest.approx(np.sum(np.abs(gf) ** 2), rel=1e-12)
        # and the interference term
        a, b = gLm @ np.conj(U[0]), gRm @ np.conj(U[0])
        assert np.sum(np.real(a * np.conj(b))) == pytest.approx(np.sum(np.real(gLf * np.conj(gRf))), rel=1e-12)


def test_reactor_moment_limits_see_the_form_factor():
    """GEMMA and TEXONO: mu_equiv^2 = mu_e^2 + m_e^2 T |Delta dsigma| / (pi alpha^2 F(T, m)^2) at their thresholds; with
    g_D = 0 the flavour moment alone (here it vanishes too)."""
    from jaxtmm import mu_eff_flavour, to_mu_B
    from jaxtmm.constants import ALPHA_EM
    from likelihoods import scattering as S

    for name, T in (("GEMMA", 2.8e-6), ("TEXONO", 12e-6)):
        assert float(S.mu_equivalent(P._replace(g_D=jnp.float64(0.0)), name)) == 0.0
        for f in (1.0, 10.0):
            q = P._replace(y=P.y * f)
            Fsup = 2 * M_E_GEV * T / (2 * M_E_GEV * T + float(q.m_Ap) ** 2)
            extra = M_E_GEV**2 * T * float(nue.reactor_excess_at_threshold(q, T)) / (math.pi * ALPHA_EM**2 * Fsup**2)
            mu = float(to_mu_B(mu_eff_flavour(q, "e")))
            assert float(S.mu_equivalent(q, name)) == pytest.approx(math.sqrt(mu**2 + extra), rel=1e-10)
            assert extra > 1e10 * mu**2  # at the benchmark's couplings the form factor dominates the dipole


def test_texono_rate_against_scipy():
    """TEXONO CsI: the rate ratio over 3-8 MeV with Mueller's spectra equals SciPy's dblquad of the textbook
    anti-nu_e cross section with g_V shifted by hand (U = 1, F on the electron row, m_A' = 3 MeV so that the A'
    propagator's T-dependence matters); the likelihood takes the less constraining sign; F = 0 passes."""
    from scipy.integrate import dblquad

    import likelihoods as L
    from likelihoods import texono_rate as X
    from likelihoods.borexino import endpoint

    zero = PMNS(*(jnp.float64(0.0) for _ in range(6)))
    q = P._replace(
        pmns=zero, y=jnp.array([[2.5 + 0.5j, -1.0j], [0.0, 0.0]]), eps=jnp.float64(3e-4), m_Ap=jnp.float64(3e-3)
    )
    Fee = np.asarray(vector_coupling(q))[0, 0].real
    ks = []
    for sign in (1.0, -1.0):

        def f(T, E, s):
            d = s * 3e-4 * E_CHARGE * Fee / (math.sqrt(2) * G_F_GEV2 * (3e-3**2 + 2 * M_E_GEV * T))
            return float(X.spectrum(E)) * _textbook_anti(0.5 + S2W_MSBAR + d / 2, S2W_MSBAR + d / 2, E, T)

        E_lo = X.min_energy(3e-3)
        num = dblquad(lambda T, E: f(T, E, sign), E_lo, 8e-3, 3e-3, lambda E: min(8e-3, endpoint(E)), epsrel=1e-11)[0]
        den = dblquad(lambda T, E: f(T, E, 0.0), E_lo, 8e-3, 3e-3, lambda E: min(8e-3, endpoint(E)), epsrel=1e-11)[0]
        ks.append(num / den)
        assert float(X.rate_ratio(q, sign)) == pytest.approx(num / den, rel=1e-8)
    assert abs(ks[0] - 1) > 0.05  # the test point moves the rate visibly
    (lk,) = L.build(["TEXONO CsI rate"])
    assert float(lk.test_statistic(P._replace(g_D=jnp.float64(0.0)))) == 0.0
    s, sigma = X.shift()
    assert (s, sigma) == (pytest.approx(0.08, rel=1e-12), pytest.approx(math.hypot(0.21, 0.16), rel=1e-12))
    qs = [((k - 1 - s) ** 2 - s * s) / sigma**2 for k in ks]
    assert float(lk.test_statistic(q)) == pytest.approx(min(qs), rel=1e-7)


def test_mueller_spectrum_numbers():
    """The spectrum per fission at 4 MeV from the coefficients of the data file, by hand for 235U alone."""
    from likelihoods import texono_rate as X

    d = X.read_toml(X.DATA_FILE)
    a = d["mueller_2011"]["U235"]
    ref_u235 = math.exp(sum(c * 4.0**k for k, c in enumerate(a)))
    assert ref_u235 == pytest.approx(
        math.exp(3.217 - 3.111 * 4 + 1.395 * 16 - 0.369 * 64 + 0.04445 * 256 - 0.002053 * 1024)
    )
    total = sum(
        d["fission_fractions"][i] * math.exp(sum(c * 4.0**k for k, c in enumerate(d["mueller_2011"][i])))
        for i in ("U235", "U238", "Pu239", "Pu241")
    )
    assert float(X.spectrum(4e-3)) == pytest.approx(total, rel=1e-14)
